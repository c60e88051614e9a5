"""Threshold decryption (spec §8; THREATS #13, #16).

Every t-subset decrypts the same total; t − 1 shares fail cleanly; every kind
of bad share is named and, in robust mode, excluded while the others decrypt.
"""

from __future__ import annotations

import itertools
import json
from dataclasses import replace
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crypto.threshold_support import Ceremony, run_ceremony
from tohyo.crypto import dlog
from tohyo.crypto.decryption import (
    Decryption,
    DecryptionShare,
    _compute_share,
    combine,
    combine_robust,
    compute_share,
    compute_shares,
    verify_share,
)
from tohyo.crypto.elgamal import ZERO, Ciphertext, _encrypt_with_nonce, encode_message, encrypt
from tohyo.crypto.errors import (
    InvalidEncoding,
    InvalidKey,
    InvalidProof,
    InvalidShare,
    NotEnoughShares,
)
from tohyo.crypto.group import GENERATOR, IDENTITY, Scalar, base_mul
from tohyo.crypto.proofs.chaum_pedersen import EqualityProof
from tohyo.crypto.randomness import DeterministicNonces

ONE = Scalar.from_int(1)


@pytest.fixture(scope="module")
def c() -> Ceremony:
    return run_ceremony(3, 5, DeterministicNonces(b"test_decryption"))


def _tally(c: Ceremony, votes: list[int]) -> Ciphertext:
    total = ZERO
    for v in votes:
        total = total + encrypt(c.joint.public_key, v)[0]
    return total


def _shares(c: Ceremony, label: str, ct: Ciphertext) -> list[DecryptionShare]:
    return [compute_share(c.election_context, k, label, ct) for k in c.keys]


def _combine(c: Ceremony, shares: Any, label: str, ct: Ciphertext) -> Any:
    return combine(c.election_context, shares, 3, c.joint.verification_key_map(), label, ct)


def test_every_t_subset_decrypts_the_same_total(c: Ceremony) -> None:
    votes = [1, 0, 1, 1, 0, 1, 1]
    ct = _tally(c, votes)
    shares = _shares(c, "q1/o1", ct)
    for size in (3, 4):
        for subset in itertools.combinations(shares, size):
            assert _combine(c, subset, "q1/o1", ct) == encode_message(5)
    assert dlog.recover(_combine(c, shares, "q1/o1", ct)) == 5


def test_fewer_than_t_shares_fail_cleanly(c: Ceremony) -> None:
    ct = _tally(c, [1, 1])
    shares = _shares(c, "x", ct)
    for subset in itertools.combinations(shares, 2):
        with pytest.raises(NotEnoughShares, match="2 trustees gave valid shares, 3"):
            _combine(c, subset, "x", ct)
    with pytest.raises(NotEnoughShares):
        _combine(c, [], "x", ct)


def _corruptions(c: Ceremony, ct: Ciphertext, other: Ciphertext) -> list[tuple[str, Any]]:
    ctx = c.election_context
    k2 = c.keys[1]
    good = compute_share(ctx, k2, "x", ct)
    return [
        ("wrong D", replace(good, share=good.share + GENERATOR)),
        ("wrong challenge", replace(good, proof=EqualityProof(good.proof.challenge + ONE,
                                                              good.proof.response))),
        ("wrong response", replace(good, proof=EqualityProof(good.proof.challenge,
                                                             good.proof.response + ONE))),
        ("proof for another ciphertext", compute_share(ctx, k2, "x", other)),
        ("share for another label", compute_share(ctx, k2, "y", ct)),
        ("another trustee's share", replace(compute_share(ctx, c.keys[2], "x", ct), trustee=2)),
        ("share under another key", replace(good, share=ct.alpha * c.keys[2].secret)),
    ]


def test_every_corrupted_share_is_named(c: Ceremony) -> None:
    ct, other = _tally(c, [1, 0, 1]), _tally(c, [1])
    shares = _shares(c, "x", ct)
    for name, bad in _corruptions(c, ct, other):
        with pytest.raises(InvalidShare) as exc:
            _combine(c, [shares[0], bad, shares[2], shares[3]], "x", ct)
        assert exc.value.trustee == 2, name
        with pytest.raises(InvalidShare):
            verify_share(c.election_context, bad, c.joint.verification_keys[1], "x", ct)


def test_same_alpha_other_beta_is_another_ciphertext(c: Ceremony) -> None:
    ct = _tally(c, [1])
    shifted = Ciphertext(ct.alpha, ct.beta + GENERATOR)
    share = compute_share(c.election_context, c.keys[0], "x", ct)
    with pytest.raises(InvalidShare, match="challenge mismatch"):
        verify_share(c.election_context, share, c.joint.verification_keys[0], "x", shifted)


def test_swapped_verification_keys_are_detected(c: Ceremony) -> None:
    ct = _tally(c, [1])
    shares = _shares(c, "x", ct)
    keys = c.joint.verification_key_map()
    keys[1], keys[2] = keys[2], keys[1]
    with pytest.raises(InvalidShare) as exc:
        combine(c.election_context, shares, 3, keys, "x", ct)
    assert exc.value.trustee == 1


def test_share_for_another_election_is_rejected(c: Ceremony) -> None:
    ct = _tally(c, [1])
    share = compute_share(c.election_context, c.keys[0], "x", ct)
    other = replace(c.election_context, election_id="another")
    with pytest.raises(InvalidShare):
        verify_share(other, share, c.joint.verification_keys[0], "x", ct)


def test_bad_indices(c: Ceremony) -> None:
    ct = _tally(c, [1])
    shares = _shares(c, "x", ct)
    with pytest.raises(InvalidShare, match="two shares") as exc:
        _combine(c, [shares[0], shares[1], shares[1], shares[2]], "x", ct)
    assert exc.value.trustee == 2
    beyond = replace(shares[4], trustee=6)
    with pytest.raises(InvalidShare, match="no trustee 6") as exc:
        _combine(c, [*shares[:3], beyond], "x", ct)
    assert exc.value.trustee == 6
    for bad in (0, -1, 256, True, "1"):
        with pytest.raises(InvalidEncoding):
            replace(shares[0], trustee=bad)  # type: ignore[arg-type]
        with pytest.raises(InvalidEncoding):
            DecryptionShare.from_json({**shares[0].to_json(), "trustee": bad})


def test_robust_combination_excludes_and_names(c: Ceremony) -> None:
    ct = _tally(c, [1, 1, 0, 1])
    shares = _shares(c, "x", ct)
    keys = c.joint.verification_key_map()
    for name, bad in _corruptions(c, ct, _tally(c, [0])):
        result = combine_robust(c.election_context, [shares[0], bad, *shares[2:4]], 3, keys,
                                {"x": ct})
        assert result.plaintext("x") == encode_message(3), name
        assert result.trustees == (1, 3, 4)
        assert [e.trustee for e in result.excluded] == [2]
    with pytest.raises(NotEnoughShares, match="excluded: trustee 2"):
        combine_robust(c.election_context, [shares[0], bad, shares[2]], 3, keys, {"x": ct})


def test_batch_decryption(c: Ceremony) -> None:
    batch = {"q1/a": _tally(c, [1, 0, 1]), "q1/b": _tally(c, [0, 1, 0]), "q2/a": _tally(c, [1])}
    ctx, keys = c.election_context, c.joint.verification_key_map()
    shares = [s for k in c.keys for s in compute_shares(ctx, k, batch)]
    result = combine_robust(ctx, shares, 3, keys, batch)
    assert [(label, dlog.recover(m)) for label, m in result.plaintexts] == [
        ("q1/a", 2), ("q1/b", 1), ("q2/a", 1)]
    assert result.trustees == (1, 2, 3) and result.excluded == ()
    with pytest.raises(KeyError):
        result.plaintext("q3")
    # Trustee 1 omits a label, trustee 2 adds an unknown one: both excluded, 3–5 decrypt.
    partial = [s for s in shares if not (s.trustee == 1 and s.label == "q2/a")]
    extra = compute_share(ctx, c.keys[1], "q9", batch["q1/a"])
    result = combine_robust(ctx, [*partial, extra], 3, keys, batch)
    assert result.trustees == (3, 4, 5)
    assert [(e.trustee, "q2/a" in e.reason or "q9" in e.reason) for e in result.excluded] == [
        (1, True), (2, True)]
    assert [dlog.recover(m) for _, m in result.plaintexts] == [2, 1, 1]


def test_identity_alpha_needs_no_shares(c: Ceremony) -> None:
    ctx, keys = c.election_context, c.joint.verification_key_map()
    empty = ZERO  # the aggregate of no ballots
    assert combine(ctx, [], 3, keys, "x", empty) == IDENTITY
    clear = Ciphertext(IDENTITY, encode_message(4))
    assert dlog.recover(combine(ctx, [], 3, keys, "x", clear)) == 4
    with pytest.raises(InvalidEncoding, match="identity"):
        compute_share(ctx, c.keys[0], "x", clear)
    assert compute_shares(ctx, c.keys[0], {"x": clear}) == ()
    result = combine_robust(ctx, [], 3, keys, {"x": clear, "y": empty})
    assert result.plaintexts == (("x", encode_message(4)), ("y", IDENTITY))
    assert result.trustees == ()
    # A share offered for such a ciphertext is a share for nothing: named.
    ct = _tally(c, [1])
    stray = compute_share(ctx, c.keys[0], "x", ct)
    with pytest.raises(InvalidShare, match="needs none") as exc:
        combine(ctx, [stray], 3, keys, "x", clear)
    assert exc.value.trustee == 1
    mixed = {"x": clear, "y": ct}
    shares = [s for k in c.keys for s in compute_shares(ctx, k, mixed)]
    result = combine_robust(ctx, shares, 3, keys, mixed)
    assert [dlog.recover(m) for _, m in result.plaintexts] == [4, 1]


def test_context_must_carry_the_joint_key(c: Ceremony) -> None:
    ct = _tally(c, [1])
    share = compute_share(c.election_context, c.keys[0], "x", ct)
    with pytest.raises(InvalidKey, match="not for this trustee's joint key"):
        compute_share(c.context, c.keys[0], "x", ct)
    with pytest.raises(InvalidKey, match="must carry"):
        verify_share(c.context, share, c.joint.verification_keys[0], "x", ct)
    with pytest.raises(InvalidKey, match="must carry"):
        combine(c.context, [share], 3, c.joint.verification_key_map(), "x", ct)


def test_parameter_checks(c: Ceremony) -> None:
    ct = _tally(c, [1])
    ctx, keys = c.election_context, c.joint.verification_key_map()
    shares = _shares(c, "x", ct)
    for t in (0, 6, True):
        with pytest.raises(InvalidEncoding, match="1 <= t <= n"):
            combine(ctx, shares, t, keys, "x", ct)
    with pytest.raises(InvalidKey, match=r"1\.\.n"):
        combine(ctx, shares, 3, {k: v for k, v in keys.items() if k != 2}, "x", ct)
    with pytest.raises(InvalidKey, match="identity"):
        combine(ctx, shares, 3, {**keys, 5: IDENTITY}, "x", ct)
    for label in ("", "x" * 257, 5, "\ud800"):
        with pytest.raises(InvalidEncoding):
            combine_robust(ctx, shares, 3, keys, {label: ct})  # type: ignore[dict-item]
        with pytest.raises(InvalidEncoding):
            compute_share(ctx, c.keys[0], label, ct)  # type: ignore[arg-type]


def test_share_json_is_strict(c: Ceremony) -> None:
    share = _shares(c, "q1/option-3", _tally(c, [1]))[0]
    data = json.loads(json.dumps(share.to_json()))
    assert DecryptionShare.from_json(data) == share
    for bad in ({**data, "x": 1}, {k: v for k, v in data.items() if k != "proof"},
                {**data, "label": ""}, {**data, "label": 3},
                {**data, "share": IDENTITY.to_hex()}, {**data, "share": data["share"].upper()}):
        with pytest.raises(InvalidEncoding):
            DecryptionShare.from_json(bad)


def test_known_answer_seam_is_deterministic(c: Ceremony) -> None:
    ct = _encrypt_with_nonce(c.joint.public_key, 2, Scalar.from_int(77))[0]
    a = _compute_share(c.election_context, c.keys[0], "x", ct, DeterministicNonces(b"s"))
    b = _compute_share(c.election_context, c.keys[0], "x", ct, DeterministicNonces(b"s"))
    assert a == b
    assert a.share == base_mul(Scalar.from_int(77)) * c.keys[0].secret


def test_decryption_result_type() -> None:
    result = Decryption((("a", GENERATOR),), (1,), ())
    assert result.plaintext("a") == GENERATOR


def test_invalid_proof_is_not_leaked_as_such(c: Ceremony) -> None:
    ct = _tally(c, [1])
    share = compute_share(c.election_context, c.keys[0], "x", ct)
    bad = replace(share, share=share.share + GENERATOR)
    with pytest.raises(InvalidShare) as exc:
        verify_share(c.election_context, bad, c.joint.verification_keys[0], "x", ct)
    assert not isinstance(exc.value, InvalidProof)


@st.composite
def _scenario(draw: st.DrawFn) -> tuple[int, int, list[int], list[int]]:
    n = draw(st.integers(1, 7))
    t = draw(st.integers(1, n))
    votes = draw(st.lists(st.integers(0, 3), max_size=6))
    subset = draw(st.lists(st.integers(1, n), min_size=t, max_size=n, unique=True))
    return t, n, votes, subset


@settings(max_examples=25)
@given(_scenario(), st.data())
def test_random_ceremonies_decrypt_with_any_quorum(scenario: Any, data: st.DataObject) -> None:
    t, n, votes, subset = scenario
    c = run_ceremony(t, n)
    ct = _tally(c, votes)
    ctx, keys = c.election_context, c.joint.verification_key_map()
    # No votes: the aggregate is (identity, identity) and needs no share at all.
    shares = [s for j in subset for s in compute_shares(ctx, c.keys[j - 1], {"x": ct})]
    assert dlog.recover(combine(ctx, shares, t, keys, "x", ct)) == sum(votes)
    if t > 1 and votes:
        fewer = data.draw(st.lists(st.sampled_from(shares), min_size=0, max_size=t - 1,
                                   unique_by=lambda s: s.trustee))
        with pytest.raises(NotEnoughShares):
            combine(ctx, fewer, t, keys, "x", ct)
