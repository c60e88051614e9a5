"""Pedersen distributed key generation, t of n, with Feldman commitments (spec §7).

Pure message passing: every round is a function from published messages (and
the trustee's own private state) to new messages, so a CLI, a server relay or
an offline file exchange can drive the ceremony. The rounds (spec §7.1):

0. each trustee publishes a transport key (:func:`generate_transport_key`); the
   officials assemble the :class:`Roster` and everyone runs :func:`verify_roster`;
1. each trustee deals (:func:`deal`) and publishes ``secret.dealing``;
2. each trustee checks its shares (:func:`check_dealings`) and publishes the
   resulting complaints;
3. each accused dealer answers every complaint against it by revealing the share
   (:func:`answer_complaint`);
4. each trustee derives its key share (:func:`derive_key`) and publishes a key
   confirmation (:func:`confirm_key`);

and an auditor re-checks the whole published transcript with
:func:`verify_transcript`. Misbehaviour aborts the ceremony with
:class:`~tohyo.crypto.errors.TrusteeMisbehaviour` naming every trustee to
blame; the ceremony then restarts without them (spec §7.8).
"""

from __future__ import annotations

from collections.abc import Sequence

from tohyo.crypto.context import ProofContext
from tohyo.crypto.dkg_audit import (
    collect_dealings,
    confirmation_context,
    dealer_context,
    resolve,
    verify_complaint,
    verify_roster,
    verify_transcript,
)
from tohyo.crypto.dkg_messages import (
    Complaint,
    ComplaintAnswer,
    Dealing,
    DkgTranscript,
    JointKey,
    KeyConfirmation,
    Roster,
    answer_body,
    complaint_body,
    dealing_body,
)
from tohyo.crypto.dkg_state import DealerSecret, ShareCheck, TrusteeKey
from tohyo.crypto.errors import InvalidEncoding, InvalidKey, InvalidShare
from tohyo.crypto.group import base_mul
from tohyo.crypto.polynomial import Polynomial, evaluate_commitments
from tohyo.crypto.proofs.schnorr import _prove_knowledge
from tohyo.crypto.randomness import SYSTEM, NonceSource
from tohyo.crypto.transport import (
    TransportKey,
    TransportKeyPair,
    _seal_share,
    _sign_message,
    generate_transport_key,
    open_share,
)

__all__ = [
    "Complaint",
    "ComplaintAnswer",
    "DealerSecret",
    "Dealing",
    "DkgTranscript",
    "JointKey",
    "KeyConfirmation",
    "Roster",
    "ShareCheck",
    "TransportKey",
    "TransportKeyPair",
    "TrusteeKey",
    "answer_complaint",
    "check_dealings",
    "confirm_key",
    "deal",
    "derive_key",
    "generate_transport_key",
    "resolve",
    "verify_roster",
    "verify_transcript",
]


def _check_member(roster: Roster, me: TransportKeyPair) -> None:
    if roster.key(me.trustee).key != me.public.key:
        raise InvalidKey(f"trustee {me.trustee}: this key pair is not the one in the roster")


def deal(context: ProofContext, roster: Roster, me: TransportKeyPair) -> DealerSecret:
    """Round 1: draw f_i and publish commitments, proof and envelopes (spec §7.4).

    Args:
        context: the election context (its public key, if any, is ignored).
        roster: the verified roster.
        me: this trustee's transport key pair.

    Returns:
        The dealer's private state; publish ``.dealing``, keep the rest.

    Raises:
        TrusteeMisbehaviour: a transport key in the roster has no valid proof.
        InvalidKey: ``me`` is not in the roster.
    """
    return _deal(context, roster, me, SYSTEM)


def _deal(
    context: ProofContext,
    roster: Roster,
    me: TransportKeyPair,
    nonces: NonceSource,
    polynomial: Polynomial | None = None,
) -> DealerSecret:
    """Known-answer seam; ``polynomial`` lets tests play a dealer who chose its own."""
    verify_roster(context, roster)
    _check_member(roster, me)
    ceremony, i = roster.ceremony(context), me.trustee
    if polynomial is None:
        polynomial = Polynomial.random(roster.threshold, nonces)
    commitments = polynomial.commitments()
    proof = _prove_knowledge(dealer_context(ceremony, i), polynomial.coefficients[0], nonces)
    envelopes = tuple(
        _seal_share(ceremony, me, roster.key(j), polynomial(j), nonces)
        for j in range(1, roster.size + 1)
        if j != i
    )
    body = dealing_body(i, commitments, proof, envelopes)
    signature = _sign_message(ceremony, me, "dealing", body, nonces)
    return DealerSecret(polynomial, Dealing(i, commitments, proof, envelopes, signature))


def check_dealings(
    context: ProofContext, roster: Roster, me: TransportKeyPair, dealings: Sequence[Dealing]
) -> ShareCheck:
    """Round 2: check the shares sent to this trustee; complain about bad ones (spec §7.6).

    Args:
        context: the election context.
        roster: the roster.
        me: this trustee's (j's) transport key pair.
        dealings: all n published dealings, this trustee's own included.

    Returns:
        The accepted shares (keep private) and the complaints (publish).

    Raises:
        TrusteeMisbehaviour: a dealing is missing or publicly invalid.
        InvalidProof: a dealing's signature fails.
        InvalidEncoding: duplicate or unknown dealers.
        InvalidKey: ``me`` is not in the roster.
    """
    return _check_dealings(context, roster, me, dealings, SYSTEM)


def _check_dealings(
    context: ProofContext,
    roster: Roster,
    me: TransportKeyPair,
    dealings: Sequence[Dealing],
    nonces: NonceSource,
) -> ShareCheck:
    verify_roster(context, roster)
    _check_member(roster, me)
    ceremony, j = roster.ceremony(context), me.trustee
    by_dealer = collect_dealings(ceremony, roster, dealings)
    shares, complaints = [], []
    for i, dealing in sorted(by_dealer.items()):
        if i == j:
            continue
        envelope = dealing.envelope_for(j)
        try:
            share = open_share(ceremony, me, roster.key(i), envelope)
            if base_mul(share) != evaluate_commitments(dealing.commitments, j):
                raise InvalidShare("share fails the Feldman check", trustee=i)
            shares.append((i, share))
        except InvalidShare:
            body = complaint_body(j, i, envelope.ephemeral)
            signature = _sign_message(ceremony, me, "complaint", body, nonces)
            complaints.append(Complaint(j, i, signature))
    return ShareCheck(j, tuple(shares), tuple(complaints))


def answer_complaint(
    context: ProofContext,
    roster: Roster,
    me: TransportKeyPair,
    secret: DealerSecret,
    complaint: Complaint,
) -> ComplaintAnswer:
    """Round 3: answer a complaint by revealing the share s_ij publicly (spec §7.7).

    Raises:
        InvalidEncoding: the complaint is not against this dealer.
        InvalidProof: the complaint's signature fails (do not answer forgeries:
            each answer makes a share public).
        InvalidKey: ``me`` is not in the roster.
    """
    return _answer_complaint(context, roster, me, secret, complaint, SYSTEM)


def _answer_complaint(
    context: ProofContext,
    roster: Roster,
    me: TransportKeyPair,
    secret: DealerSecret,
    complaint: Complaint,
    nonces: NonceSource,
) -> ComplaintAnswer:
    _check_member(roster, me)
    if secret.dealer != me.trustee or complaint.dealer != me.trustee:
        raise InvalidEncoding(f"complaint: not against trustee {me.trustee}")
    ceremony = roster.ceremony(context)
    verify_complaint(ceremony, roster, secret.dealing, complaint)
    share = secret.polynomial(complaint.accuser)
    body = answer_body(me.trustee, complaint.accuser, share)
    signature = _sign_message(ceremony, me, "answer", body, nonces)
    return ComplaintAnswer(me.trustee, complaint.accuser, share, signature)


def derive_key(
    context: ProofContext, transcript: DkgTranscript, secret: DealerSecret, check: ShareCheck
) -> TrusteeKey:
    """Round 4: x_j = f_j(j) + Σ_{i ≠ j} s_ij, using revealed shares where j complained.

    Args:
        context: the election context.
        transcript: the published dealings, complaints and answers.
        secret: this trustee's dealer state (round 1).
        check: this trustee's share check (round 2).

    Returns:
        The trustee's key share with the joint key.

    Raises:
        Everything :func:`resolve` raises, and
        InvalidEncoding: ``secret`` and ``check`` belong to different trustees.
        InvalidShare: no valid share from a dealer (e.g. a complaint went missing).
        InvalidKey: the shares do not add up to X_j.
    """
    joint = resolve(context, transcript)
    j = secret.dealer
    if check.trustee != j:
        raise InvalidEncoding("derive key: dealer secret and share check of different trustees")
    received = dict(check.shares)
    received.update((a.dealer, a.share) for a in transcript.answers if a.accuser == j)
    x = secret.polynomial(j)
    for i in range(1, joint.size + 1):
        if i == j:
            continue
        if i not in received:
            raise InvalidShare(f"no valid share from dealer {i}", trustee=i)
        x = x + received[i]
    return TrusteeKey(j, x, joint)


def confirm_key(context: ProofContext, roster: Roster, key: TrusteeKey) -> KeyConfirmation:
    """Round 4: prove knowledge of x_j for X_j (spec §7.9)."""
    return _confirm_key(context, roster, key, SYSTEM)


def _confirm_key(
    context: ProofContext, roster: Roster, key: TrusteeKey, nonces: NonceSource
) -> KeyConfirmation:
    ceremony = roster.ceremony(context)
    proof = _prove_knowledge(confirmation_context(ceremony, key.joint, key.trustee),
                             key.secret, nonces)
    return KeyConfirmation(key.trustee, proof)


