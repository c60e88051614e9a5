"""The public checks of key generation: what every trustee and auditor runs (spec §7).

Everything here needs only published messages. :func:`resolve` turns the
transcript of rounds 1–3 into the joint key or into blame;
:func:`verify_transcript` additionally requires every trustee's key
confirmation, and is what an auditor runs on the election record.

Blame rule (spec §7.8): a message whose signature fails cannot be attributed
and makes the transcript corrupt (:class:`InvalidProof`); a signed message whose
content is wrong, or a missing message, disqualifies its trustee. Any
disqualification aborts the ceremony with :class:`TrusteeMisbehaviour` naming
every trustee to blame at once.
"""

from __future__ import annotations

from collections.abc import Sequence

from tohyo.crypto.context import ProofContext
from tohyo.crypto.dkg_messages import (
    Complaint,
    ComplaintAnswer,
    Dealing,
    DkgTranscript,
    JointKey,
    Roster,
)
from tohyo.crypto.elgamal import PublicKey
from tohyo.crypto.errors import (
    InvalidEncoding,
    InvalidKey,
    InvalidProof,
    InvalidShare,
    TrusteeMisbehaviour,
)
from tohyo.crypto.group import base_mul
from tohyo.crypto.polynomial import evaluate_commitments, sum_elements
from tohyo.crypto.proofs.schnorr import verify_knowledge
from tohyo.crypto.transport import ENVELOPE_BYTES, verify_signature, verify_transport_key

__all__ = [
    "collect_dealings",
    "confirmation_context",
    "dealer_context",
    "resolve",
    "verify_complaint",
    "verify_roster",
    "verify_transcript",
]

_Faults = list[tuple[int, str]]


def _abort_if(roster: Roster, faults: _Faults) -> None:
    """Raise TrusteeMisbehaviour naming every faulty trustee, if any (spec §7.8)."""
    if not faults:
        return
    trustees = tuple(sorted({i for i, _ in faults}))
    detail = "; ".join(f"trustee {i}: {why}" for i, why in sorted(faults))
    remaining, t = roster.size - len(trustees), roster.threshold
    if remaining >= t:
        outcome = f"restart without them ({remaining} trustees remain for threshold {t})"
    else:
        outcome = f"only {remaining} trustees remain, fewer than the threshold {t}"
    raise TrusteeMisbehaviour(f"key generation aborted: {detail}; {outcome}", trustees=trustees)


def verify_roster(context: ProofContext, roster: Roster) -> None:
    """Check every transport key's proof of possession (spec §7.2).

    Raises:
        TrusteeMisbehaviour: naming each trustee whose key has no valid proof.
    """
    faults: _Faults = []
    for key in roster.transport_keys:
        try:
            verify_transport_key(context, key)
        except InvalidProof:
            faults.append((key.trustee, "transport key without a valid proof of possession"))
    _abort_if(roster, faults)


def dealer_context(ceremony: ProofContext, dealer: int) -> ProofContext:
    """C_dkg + ("dealer", dec(i)): the context of dealer i's proof π_i (spec §7.4)."""
    return ceremony.bound("dealer", str(dealer))


def _check_dealing(ceremony: ProofContext, roster: Roster, dealing: Dealing) -> None:
    """Public checks 3–5 of spec §7.6; raises InvalidShare naming the dealer."""
    i = dealing.dealer
    if len(dealing.commitments) != roster.threshold:
        raise InvalidShare(
            f"{len(dealing.commitments)} commitments instead of t = {roster.threshold}", trustee=i
        )
    if any(a.is_identity() for a in dealing.commitments):
        raise InvalidShare("a commitment is the identity", trustee=i)
    try:
        verify_knowledge(dealer_context(ceremony, i), dealing.commitments[0], dealing.proof)
    except InvalidProof:
        raise InvalidShare("no valid proof of knowledge of its secret a_i0", trustee=i) from None
    expected = [j for j in range(1, roster.size + 1) if j != i]
    if [e.recipient for e in dealing.envelopes] != expected:
        raise InvalidShare("envelopes not addressed once to each other trustee", trustee=i)
    for e in dealing.envelopes:
        if e.ephemeral.is_identity() or len(e.ciphertext) != ENVELOPE_BYTES:
            raise InvalidShare(f"degenerate envelope for trustee {e.recipient}", trustee=i)


def collect_dealings(
    ceremony: ProofContext, roster: Roster, dealings: Sequence[Dealing]
) -> dict[int, Dealing]:
    """Index the dealings by dealer and run the public checks (spec §7.6).

    Raises:
        InvalidEncoding: a dealer outside 1..n, or two dealings from one dealer.
        InvalidProof: a dealing whose signature fails (it cannot be attributed).
        TrusteeMisbehaviour: missing or publicly invalid dealings.
    """
    by_dealer: dict[int, Dealing] = {}
    for d in dealings:
        key = roster.key(d.dealer)
        if d.dealer in by_dealer:
            raise InvalidEncoding(f"two dealings from trustee {d.dealer}")
        try:
            verify_signature(ceremony, key, "dealing", d.body(), d.signature)
        except InvalidProof:
            raise InvalidProof(f"dealing of trustee {d.dealer}: bad signature") from None
        by_dealer[d.dealer] = d
    faults: _Faults = []
    for i in range(1, roster.size + 1):
        if i not in by_dealer:
            faults.append((i, "published no dealing"))
            continue
        try:
            _check_dealing(ceremony, roster, by_dealer[i])
        except InvalidShare as exc:
            faults.append((i, str(exc)))
    _abort_if(roster, faults)
    return by_dealer


def verify_complaint(
    ceremony: ProofContext, roster: Roster, dealing: Dealing, complaint: Complaint
) -> None:
    """Check a complaint against ``dealing`` (spec §7.6).

    Raises:
        InvalidEncoding: a self-accusation, or an accuser with no envelope.
        InvalidProof: the accuser's signature fails.
    """
    if complaint.accuser == complaint.dealer:
        raise InvalidEncoding("complaint: a dealer cannot accuse itself")
    envelope = dealing.envelope_for(complaint.accuser)
    try:
        verify_signature(ceremony, roster.key(complaint.accuser), "complaint",
                         complaint.body(envelope.ephemeral), complaint.signature)
    except InvalidProof:
        raise InvalidProof(f"complaint of trustee {complaint.accuser}: bad signature") from None


def resolve(context: ProofContext, transcript: DkgTranscript) -> JointKey:
    """Rounds 1–3 outcome: check everything and compute K and X_1..X_n (spec §7.8).

    Confirmations, if any, are not looked at (see :func:`verify_transcript`).

    Raises:
        TrusteeMisbehaviour: naming every disqualified trustee; the ceremony aborts.
        InvalidProof: a message whose signature fails (the transcript is corrupt).
        InvalidEncoding: duplicate messages, unknown indices, unsolicited answers.
        InvalidKey: the joint key or a verification key is the identity.
    """
    roster = transcript.roster
    verify_roster(context, roster)
    ceremony = roster.ceremony(context)
    by_dealer = collect_dealings(ceremony, roster, transcript.dealings)
    complained: set[tuple[int, int]] = set()
    for c in transcript.complaints:
        if (c.dealer, c.accuser) in complained:
            raise InvalidEncoding(f"complaint: trustee {c.accuser} accused {c.dealer} twice")
        roster.key(c.dealer)
        verify_complaint(ceremony, roster, by_dealer[c.dealer], c)
        complained.add((c.dealer, c.accuser))
    answered: dict[tuple[int, int], ComplaintAnswer] = {}
    for a in transcript.answers:
        pair = (a.dealer, a.accuser)
        if pair not in complained or pair in answered:
            raise InvalidEncoding(f"answer: unsolicited or repeated ({a.dealer} to {a.accuser})")
        try:
            verify_signature(ceremony, roster.key(a.dealer), "answer", a.body(), a.signature)
        except InvalidProof:
            raise InvalidProof(f"answer of trustee {a.dealer}: bad signature") from None
        answered[pair] = a
    faults: _Faults = []
    for i, j in sorted(complained):
        answer = answered.get((i, j))
        if answer is None:
            faults.append((i, f"did not answer the complaint of trustee {j}"))
        elif base_mul(answer.share) != evaluate_commitments(by_dealer[i].commitments, j):
            faults.append((i, f"revealed a share for trustee {j} that fails the check"))
    _abort_if(roster, faults)
    return _joint_key(roster, by_dealer)


def _joint_key(roster: Roster, by_dealer: dict[int, Dealing]) -> JointKey:
    aggregate = [
        sum_elements([d.commitments[k] for d in by_dealer.values()])
        for k in range(roster.threshold)
    ]
    if aggregate[0].is_identity():
        raise InvalidKey("key generation: the joint key is the identity")
    keys = tuple(evaluate_commitments(aggregate, j) for j in range(1, roster.size + 1))
    return JointKey(roster.threshold, PublicKey(aggregate[0]), keys)


def confirmation_context(ceremony: ProofContext, joint: JointKey, trustee: int) -> ProofContext:
    """C_K + ("dkg", hex(ρ), "confirm", dec(j)) of spec §7.9."""
    return ProofContext(
        ceremony.election_id, ceremony.manifest_hash, joint.public_key.element, ceremony.binding
    ).bound("confirm", str(trustee))


def verify_transcript(context: ProofContext, transcript: DkgTranscript) -> JointKey:
    """The auditor's check of a whole ceremony from its published messages (spec §7.9).

    Re-verifies every proof, signature, complaint and revealed share, recomputes
    K and every X_j, and requires a valid key confirmation from every trustee.

    Raises:
        TrusteeMisbehaviour: naming every trustee to blame, including those who
            did not confirm their key share.
        InvalidProof: a signature or confirmation proof fails.
        InvalidEncoding: duplicate messages or unknown indices.
        InvalidKey: a degenerate joint or verification key.
    """
    joint = resolve(context, transcript)
    ceremony = transcript.roster.ceremony(context)
    confirmed: set[int] = set()
    for c in transcript.confirmations:
        if c.trustee in confirmed or not 1 <= c.trustee <= joint.size:
            raise InvalidEncoding(f"confirmation: unknown or repeated trustee {c.trustee}")
        try:
            verify_knowledge(confirmation_context(ceremony, joint, c.trustee),
                             joint.verification_keys[c.trustee - 1], c.proof)
        except InvalidProof:
            raise InvalidProof(f"confirmation of trustee {c.trustee}: bad proof") from None
        confirmed.add(c.trustee)
    missing = [(j, "did not confirm its key share")
               for j in range(1, joint.size + 1) if j not in confirmed]
    _abort_if(transcript.roster, missing)
    return joint
