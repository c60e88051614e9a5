"""Pedersen key generation with Feldman commitments (spec §7; THREATS #13, #14).

Covers the honest ceremony, every disqualification rule of §7.8 (with blame),
the complaint/answer round, the transcript audit, the share envelope of §7.5,
the polynomial arithmetic and the strict JSON forms of every message.
"""

from __future__ import annotations

import itertools
import json
from dataclasses import replace
from typing import Any

import pysodium
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crypto.threshold_support import (
    CONTEXT,
    Ceremony,
    ZeroFirst,
    finish_ceremony,
    resign,
    run_ceremony,
    setup_roster,
)
from tohyo.crypto import dkg
from tohyo.crypto.context import ProofContext
from tohyo.crypto.dkg_messages import (
    Complaint,
    ComplaintAnswer,
    Dealing,
    DkgTranscript,
    JointKey,
    KeyConfirmation,
    Roster,
    answer_body,
)
from tohyo.crypto.dkg_state import DealerSecret, ShareCheck, TrusteeKey
from tohyo.crypto.errors import (
    InvalidEncoding,
    InvalidKey,
    InvalidProof,
    InvalidShare,
    TrusteeMisbehaviour,
)
from tohyo.crypto.group import GENERATOR, IDENTITY, ORDER, Scalar, base_mul
from tohyo.crypto.polynomial import (
    MAX_TRUSTEES,
    Polynomial,
    check_indices,
    evaluate_commitments,
    lagrange_at_zero,
)
from tohyo.crypto.randomness import DeterministicNonces
from tohyo.crypto.transport import (
    ShareEnvelope,
    TransportKey,
    TransportKeyPair,
    _envelope_key,
    _generate_transport_key,
    _seal_share,
    dkg_context,
    open_share,
    seal_share,
    sign_message,
)

ONE = Scalar.from_int(1)


@pytest.fixture(scope="module")
def ceremony() -> Ceremony:
    return run_ceremony(3, 5, DeterministicNonces(b"test_dkg"))


def blame(excinfo: pytest.ExceptionInfo[TrusteeMisbehaviour]) -> tuple[int, ...]:
    return excinfo.value.trustees


# --- the honest ceremony --------------------------------------------------------------------


def test_honest_ceremony_agrees_on_the_key(ceremony: Any) -> None:
    joint = ceremony.joint
    assert joint.threshold == 3 and joint.size == 5
    dealings = ceremony.transcript.dealings
    assert joint.public_key.element == sum((d.commitments[0] for d in dealings[1:]),
                                           dealings[0].commitments[0])
    assert not ceremony.transcript.complaints and not ceremony.answers
    for key in ceremony.keys:
        assert key.joint == joint
        assert base_mul(key.secret) == joint.verification_keys[key.trustee - 1]


def test_any_t_shares_reconstruct_the_joint_secret(ceremony: Any) -> None:
    secrets = {k.trustee: k.secret.to_int() for k in ceremony.keys}
    results = set()
    for subset in itertools.combinations(range(1, 6), 3):
        lambdas = lagrange_at_zero(subset)
        x = sum(lambdas[j].to_int() * secrets[j] for j in subset) % ORDER
        results.add(x)
        assert base_mul(Scalar.from_int(x)) == ceremony.joint.public_key.element
    assert len(results) == 1
    # t − 1 shares interpolate to something else.
    lambdas = lagrange_at_zero([1, 2])
    x = sum(lambdas[j].to_int() * secrets[j] for j in (1, 2)) % ORDER
    assert base_mul(Scalar.from_int(x)) != ceremony.joint.public_key.element


@pytest.mark.parametrize(("t", "n"), [(1, 1), (1, 3), (2, 2), (3, 3), (4, 7)])
def test_ceremony_for_other_shapes(t: int, n: int) -> None:
    c = run_ceremony(t, n)
    assert c.joint.threshold == t and c.joint.size == n


def test_dkg_ignores_a_public_key_in_the_context(ceremony: Any) -> None:
    with_key = replace(CONTEXT, public_key=GENERATOR)
    assert dkg.verify_transcript(with_key, ceremony.transcript) == ceremony.joint
    assert dkg_context(with_key) == dkg_context(CONTEXT)


def test_transcript_is_bound_to_the_election(ceremony: Any) -> None:
    other = ProofContext("another-election", bytes(range(32)), binding=("test",))
    with pytest.raises(TrusteeMisbehaviour):  # every transport-key proof fails
        dkg.verify_transcript(other, ceremony.transcript)


def test_public_round_functions_use_the_system_randomness() -> None:
    kps = [dkg.generate_transport_key(CONTEXT, i) for i in (1, 2)]
    roster = Roster(2, tuple(k.public for k in kps))
    secrets = [dkg.deal(CONTEXT, roster, k) for k in kps]
    dealings = [s.dealing for s in secrets]
    checks = [dkg.check_dealings(CONTEXT, roster, k, dealings) for k in kps]
    transcript = DkgTranscript(roster, tuple(dealings))
    keys = [dkg.derive_key(CONTEXT, transcript, s, c) for s, c in zip(secrets, checks, strict=True)]
    confirmations = tuple(dkg.confirm_key(CONTEXT, roster, k) for k in keys)
    joint = dkg.verify_transcript(CONTEXT, replace(transcript, confirmations=confirmations))
    assert joint == keys[0].joint


# --- roster and transport keys --------------------------------------------------------------


def test_roster_rejects_bad_parameters() -> None:
    roster, _kps = setup_roster(2, 3)
    keys = roster.transport_keys
    with pytest.raises(InvalidEncoding, match="t <= n"):
        Roster(4, keys)
    with pytest.raises(InvalidEncoding, match="t <= n"):
        Roster(0, keys)
    with pytest.raises(InvalidEncoding, match="integer"):
        Roster(True, keys)
    with pytest.raises(InvalidEncoding, match="trustees"):
        Roster(1, ())
    with pytest.raises(InvalidEncoding, match="trustees"):
        Roster(1, (keys[0],) * (MAX_TRUSTEES + 1))
    with pytest.raises(InvalidEncoding, match="twice"):
        Roster(2, (keys[0], keys[0], keys[2]))
    with pytest.raises(InvalidEncoding, match="1, 2"):
        Roster(2, (keys[1], keys[0], keys[2]))
    for bad in (0, 256, True):  # index 0 cannot even be constructed
        with pytest.raises(InvalidEncoding, match="trustee"):
            replace(keys[0], trustee=bad)
    for bad in (0, 4, True):
        with pytest.raises(InvalidEncoding):
            roster.key(bad)


def test_transport_key_without_valid_proof_is_blamed() -> None:
    roster, kps = setup_roster(2, 3)
    # Trustee 2 re-uses trustee 3's proof: the proof is bound to the index.
    forged = replace(roster.transport_keys[1], proof=roster.transport_keys[2].proof)
    bad = Roster(2, (roster.transport_keys[0], forged, roster.transport_keys[2]))
    with pytest.raises(TrusteeMisbehaviour, match="proof of possession") as exc:
        dkg.verify_roster(CONTEXT, bad)
    assert blame(exc) == (2,)
    with pytest.raises(TrusteeMisbehaviour):
        dkg.deal(CONTEXT, bad, kps[0])


def test_a_key_pair_not_in_the_roster_is_refused() -> None:
    roster, _kps = setup_roster(2, 3)
    stranger = _generate_transport_key(CONTEXT, 1, DeterministicNonces(b"stranger"))
    with pytest.raises(InvalidKey, match="not the one in the roster"):
        dkg.deal(CONTEXT, roster, stranger)


def test_transport_key_pair_must_match() -> None:
    a, b = (_generate_transport_key(CONTEXT, 1, DeterministicNonces(s)) for s in (b"a", b"b"))
    with pytest.raises(InvalidKey):
        TransportKeyPair(a.secret, b.public)
    assert a.secret.to_hex() not in repr(a)


def test_zero_draws_are_resampled() -> None:
    nonces = ZeroFirst()
    kp = _generate_transport_key(CONTEXT, 1, nonces)
    assert not kp.secret.is_zero()
    poly = Polynomial.random(3, nonces)
    assert not any(a.is_zero() for a in poly.coefficients)
    roster = Roster(1, (kp.public,))
    recipient = _generate_transport_key(CONTEXT, 2, nonces)
    envelope = _seal_share(roster.ceremony(CONTEXT), kp, recipient.public, ONE, nonces)
    assert not envelope.ephemeral.is_identity()


# --- public checks of dealings: blame ------------------------------------------------------


@pytest.fixture(scope="module")
def dealt() -> tuple[Roster, list[TransportKeyPair], list[DealerSecret]]:
    roster, kps = setup_roster(3, 5, DeterministicNonces(b"dealt"))
    secrets = [dkg._deal(CONTEXT, roster, kp, DeterministicNonces(bytes([i])))
               for i, kp in enumerate(kps)]
    return roster, kps, secrets


def _with(dealt: Any, dealer: int, **changes: Any) -> list[Dealing]:
    """The dealings with dealer's replaced by a changed one that it signed."""
    roster, kps, secrets = dealt
    dealings = [s.dealing for s in secrets]
    dealings[dealer - 1] = resign(CONTEXT, roster, kps[dealer - 1],
                                  replace(dealings[dealer - 1], **changes))
    return dealings


def _check_all(dealt: Any, dealings: list[Dealing]) -> None:
    roster, kps, _ = dealt
    dkg.check_dealings(CONTEXT, roster, kps[0], dealings)


def test_rogue_key_without_proof_is_blamed(dealt: Any) -> None:
    _roster, _kps, secrets = dealt
    # Trustee 2 publishes A_20 = [y]G − A_10 (a rogue key cancelling trustee 1's) and
    # cannot prove knowledge of its logarithm; it re-uses its old proof.
    d = secrets[1].dealing
    rogue = base_mul(Scalar.from_int(7)) - secrets[0].dealing.commitments[0]
    dealings = _with(dealt, 2, commitments=(rogue, *d.commitments[1:]))
    with pytest.raises(TrusteeMisbehaviour, match="proof of knowledge") as exc:
        _check_all(dealt, dealings)
    assert blame(exc) == (2,)


def test_proof_bound_to_the_dealer_index(dealt: Any) -> None:
    _roster, _kps, secrets = dealt
    # Trustee 3 copies trustee 1's commitments and proof.
    d1 = secrets[0].dealing
    dealings = _with(dealt, 3, commitments=d1.commitments, proof=d1.proof)
    with pytest.raises(TrusteeMisbehaviour) as exc:
        _check_all(dealt, dealings)
    assert blame(exc) == (3,)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: {"commitments": d.commitments[:2]}, "2 commitments instead of t = 3"),
        (lambda d: {"commitments": (*d.commitments, GENERATOR)}, "4 commitments"),
        (lambda d: {"commitments": (d.commitments[0], IDENTITY, d.commitments[2])}, "identity"),
        (lambda d: {"envelopes": d.envelopes[:-1]}, "envelopes"),
        (lambda d: {"envelopes": d.envelopes[::-1]}, "envelopes"),
        (lambda d: {"envelopes": (*d.envelopes, d.envelopes[0])}, "envelopes"),
        (lambda d: {"envelopes": (replace(d.envelopes[0], ephemeral=IDENTITY),
                                  *d.envelopes[1:])}, "degenerate envelope"),
        (lambda d: {"envelopes": (replace(d.envelopes[0], ciphertext=b"x"),
                                  *d.envelopes[1:])}, "degenerate envelope"),
    ],
)
def test_publicly_invalid_dealing_is_blamed(dealt: Any, change: Any, message: str) -> None:
    _, _, secrets = dealt
    dealings = _with(dealt, 4, **change(secrets[3].dealing))
    with pytest.raises(TrusteeMisbehaviour, match=message) as exc:
        _check_all(dealt, dealings)
    assert blame(exc) == (4,)


def test_identity_commitment_in_json_is_blamed_not_refused(dealt: Any) -> None:
    _, _, secrets = dealt
    d = secrets[2].dealing.to_json()
    d["commitments"][1] = IDENTITY.to_hex()
    decoded = Dealing.from_json(d)  # well-formed: decoding accepts it, the checks blame it
    dealings = _with(dealt, 3, commitments=decoded.commitments)
    with pytest.raises(TrusteeMisbehaviour) as exc:
        _check_all(dealt, dealings)
    assert blame(exc) == (3,)


def test_every_faulty_trustee_is_named_at_once(dealt: Any) -> None:
    _roster, _kps, secrets = dealt
    dealings = _with(dealt, 2, commitments=secrets[1].dealing.commitments[:1])
    del dealings[4]  # trustee 5 never dealt
    with pytest.raises(TrusteeMisbehaviour, match="published no dealing") as exc:
        _check_all(dealt, dealings)
    assert blame(exc) == (2, 5)
    assert "restart without them (3 trustees remain for threshold 3)" in str(exc.value)
    dealings = [dealings[0]]
    with pytest.raises(TrusteeMisbehaviour, match="fewer than the threshold 3") as exc:
        _check_all(dealt, dealings)
    assert blame(exc) == (2, 3, 4, 5)


def test_unattributable_or_duplicate_dealings_are_refused(dealt: Any) -> None:
    _roster, _kps, secrets = dealt
    dealings = [s.dealing for s in secrets]
    forged = replace(dealings[1], commitments=dealings[0].commitments)  # not re-signed
    with pytest.raises(InvalidProof, match="dealing of trustee 2: bad signature"):
        _check_all(dealt, [dealings[0], forged, *dealings[2:]])
    with pytest.raises(InvalidEncoding, match="two dealings"):
        _check_all(dealt, [*dealings, dealings[2]])
    with pytest.raises(InvalidEncoding, match="no trustee 6"):
        _check_all(dealt, [*dealings, replace(dealings[0], dealer=6)])


# --- complaints and answers -----------------------------------------------------------------


def _bad_share_to(dealt: Any, dealer: int, recipient: int, share: Scalar) -> list[Dealing]:
    """Dealer seals ``share`` (not f(recipient)) to ``recipient`` and signs the dealing."""
    roster, kps, secrets = dealt
    d = secrets[dealer - 1].dealing
    envelope = seal_share(roster.ceremony(CONTEXT), kps[dealer - 1], roster.key(recipient), share)
    envelopes = tuple(envelope if e.recipient == recipient else e for e in d.envelopes)
    return _with(dealt, dealer, envelopes=envelopes)


def test_complaint_resolved_by_a_valid_reveal(dealt: Any) -> None:
    roster, kps, secrets = dealt
    wrong = secrets[1].polynomial(3) + ONE
    dealings = _bad_share_to(dealt, 2, 3, wrong)
    secrets = [replace(s, dealing=d) for s, d in zip(secrets, dealings, strict=True)]
    c = finish_ceremony(CONTEXT, roster, kps, secrets)  # dealer 2 answers with f_2(3)
    (complaint,) = c.transcript.complaints
    assert (complaint.accuser, complaint.dealer) == (3, 2)
    (answer,) = c.answers
    assert answer.share == secrets[1].polynomial(3)
    assert c.checks[2].complaints == (complaint,)
    assert 2 not in dict(c.checks[2].shares)
    # Trustee 3's key uses the revealed share; the key still works for any t-subset.
    assert base_mul(c.keys[2].secret) == c.joint.verification_keys[2]


def test_dealer_revealing_a_bad_share_is_disqualified(dealt: Any) -> None:
    roster, kps, secrets = dealt
    wrong = secrets[1].polynomial(3) + ONE
    dealings = _bad_share_to(dealt, 2, 3, wrong)
    check = dkg.check_dealings(CONTEXT, roster, kps[2], dealings)
    (complaint,) = check.complaints
    signature = sign_message(roster.ceremony(CONTEXT), kps[1], "answer", answer_body(2, 3, wrong))
    lie = ComplaintAnswer(2, 3, wrong, signature)
    transcript = DkgTranscript(roster, tuple(dealings), (complaint,), (lie,))
    with pytest.raises(TrusteeMisbehaviour, match="revealed a share for trustee 3") as exc:
        dkg.resolve(CONTEXT, transcript)
    assert blame(exc) == (2,)


def test_dealer_not_answering_is_disqualified(dealt: Any) -> None:
    roster, kps, _secrets = dealt
    dealings = _bad_share_to(dealt, 5, 1, Scalar.from_int(42))
    check = dkg.check_dealings(CONTEXT, roster, kps[0], dealings)
    transcript = DkgTranscript(roster, tuple(dealings), check.complaints)
    with pytest.raises(TrusteeMisbehaviour, match="did not answer the complaint") as exc:
        dkg.resolve(CONTEXT, transcript)
    assert blame(exc) == (5,)


def test_inconsistent_polynomial_is_blamed_by_everyone(dealt: Any) -> None:
    roster, kps, secrets = dealt
    # Dealer 1 commits to one polynomial and shares another: every recipient complains,
    # and no answer from the shared polynomial passes the check.
    other = Polynomial.random(3, DeterministicNonces(b"other"))
    cheat = dkg._deal(CONTEXT, roster, kps[0], DeterministicNonces(b"cheat"), other)
    honest_proof = secrets[0].dealing
    dealings = [s.dealing for s in secrets]
    dealings[0] = resign(CONTEXT, roster, kps[0], replace(
        cheat.dealing, commitments=honest_proof.commitments, proof=honest_proof.proof))
    checks = [dkg.check_dealings(CONTEXT, roster, kp, dealings) for kp in kps[1:]]
    complaints = tuple(c for check in checks for c in check.complaints)
    assert sorted(c.accuser for c in complaints) == [2, 3, 4, 5]
    answers = tuple(dkg.answer_complaint(CONTEXT, roster, kps[0], cheat, c) for c in complaints)
    with pytest.raises(TrusteeMisbehaviour) as exc:
        dkg.resolve(CONTEXT, DkgTranscript(roster, tuple(dealings), complaints, answers))
    assert blame(exc) == (1,)


def test_unopenable_envelope_leads_to_a_complaint(dealt: Any) -> None:
    roster, kps, secrets = dealt
    d = secrets[3].dealing
    garbled = replace(d.envelopes[0], ciphertext=bytes(48))
    dealings = _with(dealt, 4, envelopes=(garbled, *d.envelopes[1:]))
    check = dkg.check_dealings(CONTEXT, roster, kps[0], dealings)
    assert [(c.accuser, c.dealer) for c in check.complaints] == [(1, 4)]


def test_complaints_must_be_genuine(dealt: Any) -> None:
    roster, kps, secrets = dealt
    dealings = _bad_share_to(dealt, 2, 3, Scalar.from_int(5))
    check = dkg.check_dealings(CONTEXT, roster, kps[2], dealings)
    (complaint,) = check.complaints
    secret2 = replace(secrets[1], dealing=dealings[1])
    # A relay forging trustee 4's complaint (to make dealer 2 reveal s_24) is refused.
    forged = replace(complaint, accuser=4)
    with pytest.raises(InvalidProof, match="complaint of trustee 4"):
        dkg.answer_complaint(CONTEXT, roster, kps[1], secret2, forged)
    with pytest.raises(InvalidProof):
        dkg.resolve(CONTEXT, DkgTranscript(roster, tuple(dealings), (forged,)))
    with pytest.raises(InvalidEncoding, match="not against trustee 1"):
        dkg.answer_complaint(CONTEXT, roster, kps[0], secrets[0], complaint)
    with pytest.raises(InvalidEncoding, match="itself"):
        dkg.resolve(CONTEXT, DkgTranscript(roster, tuple(dealings), (replace(complaint,
                                                                             accuser=2),)))
    with pytest.raises(InvalidEncoding, match="twice"):
        dkg.resolve(CONTEXT, DkgTranscript(roster, tuple(dealings), (complaint, complaint)))
    with pytest.raises(InvalidEncoding, match="no trustee 9"):
        dkg.resolve(CONTEXT, DkgTranscript(roster, tuple(dealings), (replace(complaint,
                                                                             dealer=9),)))
    with pytest.raises(InvalidEncoding, match="no single envelope for 9"):
        dkg.resolve(CONTEXT, DkgTranscript(roster, tuple(dealings), (replace(complaint,
                                                                             accuser=9),)))
    answer = dkg.answer_complaint(CONTEXT, roster, kps[1], secret2, complaint)
    with pytest.raises(InvalidEncoding, match="unsolicited"):
        dkg.resolve(CONTEXT, DkgTranscript(roster, tuple(dealings), (), (answer,)))
    with pytest.raises(InvalidEncoding, match="unsolicited"):
        dkg.resolve(CONTEXT, DkgTranscript(roster, tuple(dealings), (complaint,),
                                           (answer, answer)))
    tampered = replace(answer, share=answer.share + ONE)
    with pytest.raises(InvalidProof, match="answer of trustee 2"):
        dkg.resolve(CONTEXT, DkgTranscript(roster, tuple(dealings), (complaint,), (tampered,)))


def test_derive_key_needs_every_share(dealt: Any) -> None:
    roster, kps, secrets = dealt
    dealings = _bad_share_to(dealt, 2, 3, Scalar.from_int(5))
    secrets = [replace(s, dealing=d) for s, d in zip(secrets, dealings, strict=True)]
    check3 = dkg.check_dealings(CONTEXT, roster, kps[2], dealings)
    # The relay dropped trustee 3's complaint: the ceremony looks fine, but trustee 3
    # lacks a share from dealer 2 and says so.
    transcript = DkgTranscript(roster, tuple(dealings))
    with pytest.raises(InvalidShare, match="dealer 2") as exc:
        dkg.derive_key(CONTEXT, transcript, secrets[2], check3)
    assert exc.value.trustee == 2
    check1 = dkg.check_dealings(CONTEXT, roster, kps[0], dealings)
    with pytest.raises(InvalidEncoding, match="different trustees"):
        dkg.derive_key(CONTEXT, transcript, secrets[2], check1)
    tampered = replace(check1, shares=((2, ONE), *check1.shares[1:]))
    with pytest.raises(InvalidKey, match="does not match"):
        dkg.derive_key(CONTEXT, transcript, secrets[0], tampered)


def test_joint_key_identity_is_refused(dealt: Any) -> None:
    roster, kps, _ = dealt
    # Trustees 1 and 2 collude: a_20 = −a_10, both with valid proofs. K would be the
    # identity if the others also cancelled; with three dealers we cancel all three.
    a = Polynomial.random(3, DeterministicNonces(b"a"))
    b = Polynomial.random(3, DeterministicNonces(b"b"))
    c = Polynomial((-(a.coefficients[0] + b.coefficients[0]), *b.coefficients[1:]))
    small = Roster(3, roster.transport_keys[:3])
    secrets = [dkg._deal(CONTEXT, small, kps[i], DeterministicNonces(b"x"), p)
               for i, p in enumerate((a, b, c))]
    transcript = DkgTranscript(small, tuple(s.dealing for s in secrets))
    with pytest.raises(InvalidKey, match="identity"):
        dkg.resolve(CONTEXT, transcript)


# --- key confirmations and the audit ------------------------------------------------------


def test_confirmations_are_required_and_checked(ceremony: Any) -> None:
    t = ceremony.transcript
    missing = replace(t, confirmations=t.confirmations[:-1])
    with pytest.raises(TrusteeMisbehaviour, match="did not confirm") as exc:
        dkg.verify_transcript(CONTEXT, missing)
    assert blame(exc) == (5,)
    swapped = replace(t.confirmations[0], trustee=2)
    with pytest.raises(InvalidProof, match="confirmation of trustee 2"):
        dkg.verify_transcript(CONTEXT, replace(t, confirmations=(swapped, *t.confirmations[2:])))
    with pytest.raises(InvalidEncoding, match="repeated"):
        dkg.verify_transcript(CONTEXT, replace(t, confirmations=(*t.confirmations,
                                                                 t.confirmations[0])))
    with pytest.raises(InvalidEncoding, match="unknown"):
        dkg.verify_transcript(CONTEXT, replace(t, confirmations=(
            KeyConfirmation(6, t.confirmations[0].proof),)))


def test_transcript_survives_json(ceremony: Any) -> None:
    text = json.dumps(ceremony.transcript.to_json())
    decoded = DkgTranscript.from_json(json.loads(text))
    assert decoded == ceremony.transcript
    assert dkg.verify_transcript(CONTEXT, decoded) == ceremony.joint


def test_mutating_any_transcript_field_fails(ceremony: Any) -> None:
    """Flip one hex digit in each hex field of the transcript: nothing still verifies."""
    original = ceremony.transcript.to_json()
    paths: list[tuple[Any, ...]] = []

    def walk(node: Any, path: tuple[Any, ...]) -> None:
        if isinstance(node, dict):
            for k, v in node.items():
                walk(v, (*path, k))
        elif isinstance(node, list):
            for i, v in enumerate(node):
                walk(v, (*path, i))
        elif isinstance(node, str):
            paths.append(path)

    walk(original, ())
    assert len(paths) == 100
    for path in paths:
        mutated = json.loads(json.dumps(original))
        node = mutated
        for p in path[:-1]:
            node = node[p]
        value = node[path[-1]]
        node[path[-1]] = ("1" if value[0] == "0" else "0") + value[1:]
        with pytest.raises((InvalidEncoding, InvalidProof, InvalidKey, TrusteeMisbehaviour)):
            dkg.verify_transcript(CONTEXT, DkgTranscript.from_json(mutated))


# --- the envelope (spec §7.5) --------------------------------------------------------------


def test_envelope_opens_only_for_its_recipient_from_its_dealer(dealt: Any) -> None:
    roster, kps, _secrets = dealt
    ceremony = roster.ceremony(CONTEXT)
    share = Scalar.from_int(123)
    env = _seal_share(ceremony, kps[0], roster.key(2), share, DeterministicNonces(b"env"))
    assert open_share(ceremony, kps[1], roster.key(1), env) == share
    assert len(env.ciphertext) == 48
    with pytest.raises(InvalidShare, match="another trustee") as exc:
        open_share(ceremony, kps[2], roster.key(1), env)
    assert exc.value.trustee == 1
    stolen = replace(env, recipient=3)  # readdressed to 3: does not open for 3
    with pytest.raises(InvalidShare, match="does not open"):
        open_share(ceremony, kps[2], roster.key(1), stolen)
    with pytest.raises(InvalidShare, match="does not open") as exc:  # claimed sender 4
        open_share(ceremony, kps[1], replace(roster.key(4), trustee=1), env)
    other = ProofContext("another-election", bytes(range(32)), binding=("test",))
    with pytest.raises(InvalidShare, match="does not open"):
        open_share(Roster(3, roster.transport_keys).ceremony(other), kps[1], roster.key(1), env)
    for i in range(48):
        flipped = bytearray(env.ciphertext)
        flipped[i] ^= 1
        with pytest.raises(InvalidShare):
            open_share(ceremony, kps[1], roster.key(1), replace(env, ciphertext=bytes(flipped)))
    with pytest.raises(InvalidShare, match="degenerate"):
        open_share(ceremony, kps[1], roster.key(1), replace(env, ephemeral=IDENTITY))
    with pytest.raises(InvalidShare, match="degenerate"):
        open_share(ceremony, kps[1], roster.key(1), replace(env, ciphertext=env.ciphertext[:47]))


def test_envelope_with_a_non_canonical_scalar_is_refused(dealt: Any) -> None:
    roster, kps, _ = dealt
    ceremony = roster.ceremony(CONTEXT)
    e = Scalar.from_int(99)
    ephemeral = base_mul(e)
    key, nonce, ad = _envelope_key(ceremony, roster.key(1), roster.key(2), ephemeral,
                                   roster.key(2).key * e, roster.key(2).key * kps[0].secret)
    plain = ORDER.to_bytes(32, "little")  # ℓ itself: not reduced
    ct = pysodium.crypto_aead_xchacha20poly1305_ietf_encrypt(plain, ad, nonce, key)
    with pytest.raises(InvalidShare, match="does not open"):
        open_share(ceremony, kps[1], roster.key(1), ShareEnvelope(2, ephemeral, ct))


# --- polynomials and indices ---------------------------------------------------------------


def test_polynomial_arithmetic() -> None:
    coefficients = [5, 7, 11]
    poly = Polynomial(tuple(Scalar.from_int(a) for a in coefficients))
    for x in (0, 1, 2, 255):
        expected = sum(a * x**k for k, a in enumerate(coefficients)) % ORDER
        assert poly(x).to_int() == expected
        assert evaluate_commitments(poly.commitments(), x) == base_mul(Scalar.from_int(expected))
    assert "5" not in repr(poly) and "redacted" in repr(poly)
    assert Polynomial.from_json(poly.to_json()) == poly
    with pytest.raises(InvalidEncoding):
        Polynomial(())
    with pytest.raises(InvalidEncoding, match="zero"):
        Polynomial((ONE, Scalar.from_int(0)))
    with pytest.raises(InvalidEncoding):
        evaluate_commitments((), 1)


def test_lagrange_and_indices() -> None:
    assert lagrange_at_zero([1]) == {1: ONE}
    lambdas = lagrange_at_zero([1, 2])
    assert lambdas[1].to_int() == 2 and lambdas[2].to_int() == ORDER - 1
    for bad in ([0, 1], [1, 1], [256], [True], ["1"]):
        with pytest.raises(InvalidEncoding):
            lagrange_at_zero(bad)  # type: ignore[arg-type]
    check_indices([3, 1, 255], "ok")


# --- private state and JSON strictness ------------------------------------------------------


def test_private_state_round_trips_and_redacts(ceremony: Any) -> None:
    kp, secret, check, key = (ceremony.keypairs[0], ceremony.secrets[0], ceremony.checks[0],
                              ceremony.keys[0])
    for value in (kp, secret, check, key, ceremony.joint, ceremony.roster, kp.public,
                  secret.dealing.envelopes[0], ceremony.transcript.confirmations[0]):
        data = json.loads(json.dumps(value.to_json()))
        assert type(value).from_json(data) == value
    for value, hidden in ((kp, kp.secret), (key, key.secret), (check, check.shares[0][1]),
                          (secret, secret.polynomial.coefficients[0])):
        assert hidden.to_hex() not in repr(value)


def test_private_state_consistency_checks(ceremony: Any) -> None:
    secret, check, key = ceremony.secrets[0], ceremony.checks[0], ceremony.keys[0]
    with pytest.raises(InvalidKey, match="differ"):
        DealerSecret(ceremony.secrets[1].polynomial, secret.dealing)
    with pytest.raises(InvalidKey, match="does not match"):
        TrusteeKey(1, key.secret + ONE, key.joint)
    with pytest.raises(InvalidKey, match="no trustee 6"):
        TrusteeKey(6, key.secret, key.joint)
    with pytest.raises(InvalidEncoding, match="another trustee"):
        proof = ceremony.transcript.confirmations[0].proof
        ShareCheck(2, (), (Complaint(1, 3, proof),))
    with pytest.raises(InvalidEncoding, match="twice"):
        ShareCheck(1, (*check.shares, check.shares[0]), ())
    with pytest.raises(InvalidEncoding, match="twice"):
        ShareCheck(1, ((1, ONE),), ())


def test_joint_key_checks(ceremony: Any) -> None:
    joint = ceremony.joint
    assert joint.verification_key_map() == dict(enumerate(joint.verification_keys, start=1))
    with pytest.raises(InvalidKey):
        JointKey(3, joint.public_key, (*joint.verification_keys[:4], IDENTITY))
    with pytest.raises(InvalidEncoding):
        JointKey(6, joint.public_key, joint.verification_keys)


def _messages(ceremony: Any) -> list[tuple[Any, dict[str, Any]]]:
    c = ceremony
    sig = c.transcript.confirmations[0].proof
    return [
        (TransportKey, c.roster.transport_keys[0].to_json()),
        (TransportKeyPair, c.keypairs[0].to_json()),
        (ShareEnvelope, c.secrets[0].dealing.envelopes[0].to_json()),
        (Roster, c.roster.to_json()),
        (Dealing, c.secrets[0].dealing.to_json()),
        (Complaint, Complaint(1, 2, sig).to_json()),
        (ComplaintAnswer, ComplaintAnswer(2, 1, Scalar.from_int(0xABCDEF), sig).to_json()),
        (KeyConfirmation, c.transcript.confirmations[0].to_json()),
        (DkgTranscript, c.transcript.to_json()),
        (JointKey, c.joint.to_json()),
        (DealerSecret, c.secrets[0].to_json()),
        (ShareCheck, ShareCheck(1, ((2, ONE),), (Complaint(1, 3, sig),)).to_json()),
        (TrusteeKey, c.keys[0].to_json()),
    ]


def test_every_message_decodes_strictly(ceremony: Any) -> None:
    for cls, data in _messages(ceremony):
        assert cls.from_json(data).to_json() == data
        with pytest.raises(InvalidEncoding):
            cls.from_json({**data, "extra": 1})
        with pytest.raises(InvalidEncoding):
            cls.from_json({k: v for k, v in list(data.items())[1:]})
        with pytest.raises(InvalidEncoding):
            cls.from_json([data])
        for field, value in data.items():
            if isinstance(value, int):
                with pytest.raises(InvalidEncoding):
                    cls.from_json({**data, field: True})
                with pytest.raises(InvalidEncoding):
                    cls.from_json({**data, field: float(value)})
                with pytest.raises(InvalidEncoding):
                    cls.from_json({**data, field: 0})
            if isinstance(value, str):
                with pytest.raises(InvalidEncoding):
                    cls.from_json({**data, field: value.upper()})


def test_envelope_ciphertext_encoding(ceremony: Any) -> None:
    data = ceremony.secrets[0].dealing.envelopes[0].to_json()
    for bad in (data["ciphertext"][:-2], data["ciphertext"] + "00", "zz" * 48,
                " " + data["ciphertext"][1:], data["ciphertext"][:-1] + " ",
                data["ciphertext"][:-2] + "  ", 7):
        with pytest.raises(InvalidEncoding):
            ShareEnvelope.from_json({**data, "ciphertext": bad})


def test_list_limits(ceremony: Any) -> None:
    data = ceremony.roster.to_json()
    with pytest.raises(InvalidEncoding):
        Roster.from_json({**data, "transport_keys": data["transport_keys"] * 52})
    share_check = {"trustee": 1, "shares": [{"dealer": 2, "share": "00" * 32, "x": 1}],
                   "complaints": []}
    with pytest.raises(InvalidEncoding):
        ShareCheck.from_json(share_check)


# --- properties -----------------------------------------------------------------------------


@settings(max_examples=40)
@given(st.integers(1, 7), st.data())
def test_any_t_points_interpolate_the_secret(t: int, data: st.DataObject) -> None:
    poly = Polynomial.random(t, DeterministicNonces(data.draw(st.binary(max_size=8))))
    indices = data.draw(st.lists(st.integers(1, MAX_TRUSTEES), min_size=t, max_size=t + 2,
                                 unique=True))
    lambdas = lagrange_at_zero(indices)
    secret = sum(lambdas[j].to_int() * poly(j).to_int() for j in indices) % ORDER
    assert secret == poly.coefficients[0].to_int()
    j = data.draw(st.sampled_from(indices))
    assert evaluate_commitments(poly.commitments(), j) == base_mul(poly(j))


@settings(max_examples=25)
@given(st.integers(0, ORDER - 1), st.binary(max_size=8))
def test_envelope_round_trip(value: int, seed: bytes) -> None:
    nonces = DeterministicNonces(seed)
    roster, kps = setup_roster(1, 2, nonces)
    ceremony = roster.ceremony(CONTEXT)
    share = Scalar.from_int(value)
    envelope = _seal_share(ceremony, kps[1], roster.key(1), share, nonces)
    assert open_share(ceremony, kps[0], roster.key(2), envelope) == share
