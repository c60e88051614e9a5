"""Schnorr, Chaum–Pedersen and range proofs (spec §6; THREATS A.4–A.6).

Completeness is a Hypothesis property; soundness is tested by mutation: every
bit of every proof field, swapped and dropped fields, random challenges, every
bound input changed alone, and two weak-Fiat–Shamir forgeries that only the
binding of the statement into the challenge stops.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from strategies import contexts, elements, keypairs, nonzero_scalars, ranges, scalars
from tohyo.crypto.context import ProofContext
from tohyo.crypto.elgamal import Ciphertext, KeyPair, PublicKey, _encrypt_with_nonce, encrypt
from tohyo.crypto.errors import InvalidEncoding, InvalidProof
from tohyo.crypto.group import GENERATOR, IDENTITY, ORDER, Element, Scalar, base_mul
from tohyo.crypto.hashing import Dst, hash_to_scalar
from tohyo.crypto.proofs import (
    EqualityProof,
    RangeProof,
    SchnorrProof,
    chaum_pedersen,
    prove_equality,
    prove_knowledge,
    prove_range,
    schnorr,
    verify_equality,
    verify_knowledge,
    verify_range,
)
from tohyo.crypto.proofs import range as range_proof
from tohyo.crypto.proofs.chaum_pedersen import _prove_equality
from tohyo.crypto.proofs.range import MAX_RANGE_WIDTH, _prove_range
from tohyo.crypto.proofs.schnorr import _prove_knowledge
from tohyo.crypto.randomness import DeterministicNonces

from ._mutate import bit_flips, flip

MANIFEST = hashlib.sha256(b"tohyo test manifest").digest()
SECRET = Scalar.from_int(0x5EC12E7)
KP = KeyPair(SECRET, PublicKey(base_mul(SECRET)))
OTHER = Element.from_uniform_bytes(bytes(range(64)))
PLACEHOLDER = Element.from_uniform_bytes(bytes(64 * [7]))
CTX = ProofContext("election-1", MANIFEST, KP.public.element, ("credential-1", "q1", "o1"))


def rand_scalar(tag: str) -> Scalar:
    return hash_to_scalar(Dst.TEST_NONCE, tag.encode())


def context_variants(ctx: ProofContext) -> list[tuple[str, ProofContext]]:
    """``ctx`` with each bound input changed alone (THREATS #6)."""
    flipped = bytearray(ctx.manifest_hash)
    flipped[0] ^= 1
    out = [
        (
            "election id",
            ProofContext(ctx.election_id + "x", ctx.manifest_hash, ctx.public_key, ctx.binding),
        ),
        (
            "manifest hash",
            ProofContext(ctx.election_id, bytes(flipped), ctx.public_key, ctx.binding),
        ),
        ("public key", ProofContext(ctx.election_id, ctx.manifest_hash, OTHER, ctx.binding)),
        ("no public key", ProofContext(ctx.election_id, ctx.manifest_hash, None, ctx.binding)),
        ("extra label", ctx.bound("")),
        ("no binding", ProofContext(ctx.election_id, ctx.manifest_hash, ctx.public_key)),
    ]
    for i, label in enumerate(ctx.binding):
        changed = (*ctx.binding[:i], label + "'", *ctx.binding[i + 1 :])
        out.append(
            (
                f"label {i}",
                ProofContext(ctx.election_id, ctx.manifest_hash, ctx.public_key, changed),
            )
        )
    out.append(
        (
            "labels reversed",
            ProofContext(ctx.election_id, ctx.manifest_hash, ctx.public_key, ctx.binding[::-1]),
        )
    )
    out.append(
        (
            "labels joined",
            ProofContext(
                ctx.election_id, ctx.manifest_hash, ctx.public_key, ("".join(ctx.binding),)
            ),
        )
    )
    return out


def assert_rejected(check: Callable[[Any], None], mutant: Any) -> type[Exception]:
    """``check(mutant)`` must raise InvalidProof or InvalidEncoding; returns which."""
    try:
        check(mutant)
    except (InvalidProof, InvalidEncoding) as exc:
        return type(exc)
    raise AssertionError("a mutant verified")


# ==========================================================================================
# Schnorr (spec §6.1)
# ==========================================================================================


@settings(max_examples=30)
@given(contexts(), nonzero_scalars())
def test_schnorr_complete(ctx: ProofContext, x: Scalar) -> None:
    proof = prove_knowledge(ctx, x)
    verify_knowledge(ctx, base_mul(x), proof)
    again = SchnorrProof.from_json(proof.to_json())
    assert again == proof
    verify_knowledge(ctx, base_mul(x), again)


def test_schnorr_deterministic_nonces_reproduce() -> None:
    a = _prove_knowledge(CTX, SECRET, DeterministicNonces(b"s"))
    assert a == _prove_knowledge(CTX, SECRET, DeterministicNonces(b"s"))
    assert a != _prove_knowledge(CTX, SECRET, DeterministicNonces(b"t"))


def test_schnorr_zero_secret_refused() -> None:
    with pytest.raises(InvalidEncoding):
        prove_knowledge(CTX, Scalar.from_int(0))


def test_schnorr_identity_statement_refused() -> None:
    # A proof "of knowledge" of log(identity) = 0 that satisfies the equation
    # (z = w, c hashed honestly): only the explicit identity check rejects it.
    w = rand_scalar("w")
    c = hash_to_scalar(
        Dst.SCHNORR, *CTX.parts(), GENERATOR.to_bytes(), IDENTITY.to_bytes(), base_mul(w).to_bytes()
    )
    with pytest.raises(InvalidProof, match="identity"):
        verify_knowledge(CTX, IDENTITY, SchnorrProof(c, w))


def test_schnorr_every_bit_flip_rejected() -> None:
    x = KP.public.element
    proof = prove_knowledge(CTX, SECRET).to_json()
    kinds = {
        assert_rejected(lambda m: verify_knowledge(CTX, x, SchnorrProof.from_json(m)), mutant)
        for _, mutant in bit_flips(proof)
    }
    assert kinds == {InvalidProof, InvalidEncoding}  # bit 255 flips give scalars ≥ ℓ


def test_schnorr_field_swaps_and_random_challenges() -> None:
    x = KP.public.element
    p = prove_knowledge(CTX, SECRET)
    for bad in [
        SchnorrProof(p.response, p.challenge),
        SchnorrProof(p.challenge, p.challenge),
        SchnorrProof(rand_scalar("c"), p.response),
        SchnorrProof(p.challenge, rand_scalar("z")),
        SchnorrProof(Scalar.from_int(0), Scalar.from_int(0)),
        SchnorrProof(p.challenge + Scalar.from_int(1), p.response + SECRET),
        SchnorrProof(-p.challenge, p.response),
    ]:
        with pytest.raises(InvalidProof):
            verify_knowledge(CTX, x, bad)


def test_schnorr_interactive_transcript_with_random_challenge_rejected() -> None:
    # A valid Σ-protocol transcript whose challenge is not the hash: the verifier
    # must really compare the recomputed challenge (THREATS #5).
    w, c = rand_scalar("w"), rand_scalar("c")
    z = w + c * SECRET
    assert base_mul(z) - KP.public.element * c == base_mul(w)  # the equation holds
    with pytest.raises(InvalidProof):
        verify_knowledge(CTX, KP.public.element, SchnorrProof(c, z))


def test_schnorr_weak_fiat_shamir_forgery_rejected() -> None:
    # Choose T and z first, take the challenge of the real challenge function for
    # a placeholder statement, then solve for X: the statement is picked after
    # the commitment. Only hashing X into c stops this.
    t, z = base_mul(rand_scalar("t")), rand_scalar("z")
    c = schnorr._challenge(CTX, PLACEHOLDER, t)
    x = (base_mul(z) - t) * c.inverse()
    assert base_mul(z) - x * c == t
    with pytest.raises(InvalidProof):
        verify_knowledge(CTX, x, SchnorrProof(c, z))


def test_schnorr_bound_inputs() -> None:
    proof = prove_knowledge(CTX, SECRET)
    for name, ctx in context_variants(CTX):
        with pytest.raises(InvalidProof):
            verify_knowledge(ctx, KP.public.element, proof)
        assert name
    for statement in [OTHER, base_mul(SECRET + Scalar.from_int(1)), -KP.public.element]:
        with pytest.raises(InvalidProof):
            verify_knowledge(CTX, statement, proof)


@pytest.mark.parametrize("field", ["c", "z"])
def test_schnorr_non_canonical_scalars_refused(field: str) -> None:
    obj = prove_knowledge(CTX, SECRET).to_json()
    value = int.from_bytes(bytes.fromhex(obj[field]), "little")
    obj[field] = (value + ORDER).to_bytes(32, "little").hex()  # z vs z + ℓ
    with pytest.raises(InvalidEncoding):
        SchnorrProof.from_json(obj)


@pytest.mark.parametrize(
    "obj",
    [
        None,
        [],
        {"c": "00" * 32},
        {"c": "00" * 32, "z": "00" * 32, "t": "00" * 32},
        {"c": 0, "z": "00" * 32},
        {"c": "00" * 32, "z": ["00" * 32]},
        {"c": "00" * 32, "z": "00" * 31},
        {"c": "AA" * 32, "z": "00" * 32},
    ],
)
def test_schnorr_json_shape(obj: Any) -> None:
    with pytest.raises(InvalidEncoding):
        SchnorrProof.from_json(obj)


# ==========================================================================================
# Chaum–Pedersen (spec §6.2)
# ==========================================================================================


@settings(max_examples=30)
@given(contexts(), nonzero_scalars(), elements())
def test_equality_complete(ctx: ProofContext, x: Scalar, base: Element) -> None:
    proof = prove_equality(ctx, x, base)
    verify_equality(ctx, base_mul(x), base, base * x, proof)
    again = EqualityProof.from_json(proof.to_json())
    verify_equality(ctx, base_mul(x), base, base * x, again)


BASE = Element.from_uniform_bytes(hashlib.sha512(b"alpha").digest())
D = BASE * SECRET


def test_equality_every_bit_flip_rejected() -> None:
    proof = prove_equality(CTX, SECRET, BASE).to_json()
    kinds = {
        assert_rejected(
            lambda m: verify_equality(CTX, KP.public.element, BASE, D, EqualityProof.from_json(m)),
            mutant,
        )
        for _, mutant in bit_flips(proof)
    }
    assert kinds == {InvalidProof, InvalidEncoding}


def test_equality_field_swaps_and_random_challenges() -> None:
    p = prove_equality(CTX, SECRET, BASE)
    for bad in [
        EqualityProof(p.response, p.challenge),
        EqualityProof(rand_scalar("c"), p.response),
        EqualityProof(p.challenge, rand_scalar("z")),
        EqualityProof(Scalar.from_int(0), Scalar.from_int(0)),
    ]:
        with pytest.raises(InvalidProof):
            verify_equality(CTX, KP.public.element, BASE, D, bad)


def test_equality_interactive_transcript_with_random_challenge_rejected() -> None:
    w, c = rand_scalar("w"), rand_scalar("c")
    with pytest.raises(InvalidProof):
        verify_equality(CTX, KP.public.element, BASE, D, EqualityProof(c, w + c * SECRET))


def test_equality_bound_inputs() -> None:
    proof = prove_equality(CTX, SECRET, BASE)
    for _, ctx in context_variants(CTX):
        with pytest.raises(InvalidProof):
            verify_equality(ctx, KP.public.element, BASE, D, proof)
    x = KP.public.element
    for statement in [
        (OTHER, BASE, D),
        (x, OTHER, D),
        (x, BASE, OTHER),
        (x, BASE, IDENTITY),
        (x, D, BASE),
        (x, GENERATOR, x),
    ]:
        with pytest.raises(InvalidProof):
            verify_equality(CTX, *statement, proof)


def test_equality_false_statement_cannot_be_proven() -> None:
    # D' = [x + 1]A is not [x]A: a prover using x still produces a proof, and it fails.
    proof = prove_equality(CTX, SECRET, BASE)
    with pytest.raises(InvalidProof):
        verify_equality(CTX, KP.public.element, BASE, BASE * (SECRET + Scalar.from_int(1)), proof)


def test_equality_degenerate_statements_refused() -> None:
    # The prover does not check its inputs, so these proofs satisfy the equations
    # for the degenerate statements; only the verifier's identity checks reject them.
    zero = Scalar.from_int(0)
    with pytest.raises(InvalidProof, match="identity"):
        verify_equality(CTX, IDENTITY, BASE, IDENTITY, prove_equality(CTX, zero, BASE))
    identity_base = prove_equality(CTX, SECRET, IDENTITY)
    with pytest.raises(InvalidProof, match="identity"):
        verify_equality(CTX, KP.public.element, IDENTITY, IDENTITY, identity_base)


def test_schnorr_proof_is_not_an_equality_proof() -> None:
    # Same JSON shape, different DST: a Schnorr proof of x does not pass as a
    # Chaum–Pedersen proof for (X, G, X).
    p = prove_knowledge(CTX, SECRET)
    as_equality = EqualityProof.from_json(p.to_json())
    with pytest.raises(InvalidProof):
        verify_equality(CTX, KP.public.element, GENERATOR, KP.public.element, as_equality)


def test_equality_deterministic_nonces_reproduce() -> None:
    a = _prove_equality(CTX, SECRET, BASE, DeterministicNonces(b"s"))
    assert a == _prove_equality(CTX, SECRET, BASE, DeterministicNonces(b"s"))


# ==========================================================================================
# Range proofs (spec §6.3)
# ==========================================================================================


def make_range(
    lo: int, hi: int, m: int, ctx: ProofContext = CTX, key: PublicKey = KP.public
) -> tuple[Ciphertext, RangeProof]:
    ct, r = encrypt(key, m)
    return ct, prove_range(ctx, key, ct, m, r, lo, hi)


@settings(max_examples=30)
@given(contexts(), keypairs(), ranges(max_width=5))
def test_range_complete(ctx: ProofContext, kp: KeyPair, lohim: tuple[int, int, int]) -> None:
    lo, hi, m = lohim
    ct, proof = make_range(lo, hi, m, ctx, kp.public)
    verify_range(ctx, kp.public, ct, proof, lo, hi)
    again = RangeProof.from_json(proof.to_json())
    verify_range(ctx, kp.public, Ciphertext.from_json(ct.to_json()), again, lo, hi)
    assert len(proof.challenges) == len(proof.responses) == hi - lo + 1


@pytest.mark.parametrize("m", [0, 1])
def test_bit_proof_complete(m: int) -> None:
    ct, proof = make_range(0, 1, m)
    verify_range(CTX, KP.public, ct, proof, 0, 1)


def test_range_widest_allowed() -> None:
    lo, hi = 3, 3 + MAX_RANGE_WIDTH - 1
    ct, proof = make_range(lo, hi, 100)
    verify_range(CTX, KP.public, ct, proof, lo, hi)


def test_range_deterministic_nonces_reproduce() -> None:
    ct, r = _encrypt_with_nonce(KP.public, 1, rand_scalar("r"))
    a = _prove_range(CTX, KP.public, ct, 1, r, 0, 2, DeterministicNonces(b"s"))
    assert a == _prove_range(CTX, KP.public, ct, 1, r, 0, 2, DeterministicNonces(b"s"))
    assert a != _prove_range(CTX, KP.public, ct, 1, r, 0, 2, DeterministicNonces(b"t"))


@pytest.mark.parametrize("m", [0, 1])
def test_bit_proof_every_bit_flip_rejected(m: int) -> None:
    ct, proof = make_range(0, 1, m)
    kinds = {
        assert_rejected(
            lambda mut: verify_range(CTX, KP.public, ct, RangeProof.from_json(mut), 0, 1), mutant
        )
        for _, mutant in bit_flips(proof.to_json())
    }
    assert kinds == {InvalidProof, InvalidEncoding}


def test_wide_range_every_byte_flip_rejected() -> None:
    ct, proof = make_range(2, 6, 4)
    for _, mutant in bit_flips(proof.to_json(), every_bit=False):
        assert_rejected(
            lambda mut: verify_range(CTX, KP.public, ct, RangeProof.from_json(mut), 2, 6), mutant
        )


@pytest.mark.parametrize("m", [0, 1])
def test_bit_proof_ciphertext_bit_flips_rejected(m: int) -> None:
    # Each ciphertext component is a bound input: any change is a decode error or
    # a different statement for which the proof fails.
    ct, proof = make_range(0, 1, m)
    for _, mutant in bit_flips(ct.to_json(), every_bit=False):
        assert_rejected(
            lambda mut: verify_range(CTX, KP.public, Ciphertext.from_json(mut), proof, 0, 1), mutant
        )


def _swap(items: tuple[Scalar, ...], i: int, j: int) -> tuple[Scalar, ...]:
    out = list(items)
    out[i], out[j] = out[j], out[i]
    return tuple(out)


def range_mutants(p: RangeProof) -> list[tuple[str, RangeProof]]:
    c, z = p.challenges, p.responses
    n = len(c)
    out = [
        ("c and z swapped", RangeProof(z, c)),
        ("lists reversed", RangeProof(c[::-1], z[::-1])),
        ("last branch dropped", RangeProof(c[:-1], z[:-1])),
        ("first branch dropped", RangeProof(c[1:], z[1:])),
        ("branch added", RangeProof((*c, c[-1]), (*z, z[-1]))),
        ("zero branch added", RangeProof((*c, Scalar.from_int(0)), (*z, Scalar.from_int(0)))),
        ("all zero", RangeProof((Scalar.from_int(0),) * n, (Scalar.from_int(0),) * n)),
    ]
    for i in range(n):
        out.append((f"c{i} random", RangeProof((*c[:i], rand_scalar("c"), *c[i + 1 :]), z)))
        out.append((f"z{i} random", RangeProof(c, (*z[:i], rand_scalar("z"), *z[i + 1 :]))))
        out.append(
            (f"c{i}<->z{i}", RangeProof((*c[:i], z[i], *c[i + 1 :]), (*z[:i], c[i], *z[i + 1 :])))
        )
        for j in range(i + 1, n):
            out.append((f"c{i}<->c{j}", RangeProof(_swap(c, i, j), z)))
            out.append((f"z{i}<->z{j}", RangeProof(c, _swap(z, i, j))))
            # Moving challenge mass between branches keeps the sum, so only the
            # recomputed commitments can catch it.
            delta = rand_scalar(f"d{i}{j}")
            shifted = list(c)
            shifted[i], shifted[j] = c[i] + delta, c[j] - delta
            out.append((f"c{i}+d, c{j}-d", RangeProof(tuple(shifted), z)))
    return out


@pytest.mark.parametrize(("lo", "hi", "m"), [(0, 1, 0), (0, 1, 1), (1, 3, 2), (0, 4, 4)])
def test_range_structural_mutants_rejected(lo: int, hi: int, m: int) -> None:
    ct, proof = make_range(lo, hi, m)
    for name, bad in range_mutants(proof):
        assert bad != proof, name
        with pytest.raises(InvalidProof):
            verify_range(CTX, KP.public, ct, bad, lo, hi)


def test_range_all_branches_simulated_rejected() -> None:
    # Every branch satisfies its verification equation (each is a simulated
    # transcript), but the challenges are random, not the Fiat–Shamir hash.
    ct, _ = encrypt(KP.public, 1)
    c = tuple(rand_scalar(f"c{j}") for j in range(2))
    z = tuple(rand_scalar(f"z{j}") for j in range(2))
    with pytest.raises(InvalidProof):
        verify_range(CTX, KP.public, ct, RangeProof(c, z), 0, 1)


def test_range_weak_fiat_shamir_forgery_rejected() -> None:
    """Bernhard–Pereira–Warinschi: choose β after the commitments.

    With a challenge that does not hash β, this yields a proof that an
    encryption of a random value lies in [0, 1]. Spec §6.3 hashes β, so it fails.
    """
    k = KP.public.element
    a, s0, s1, q = (rand_scalar(t) for t in ("a", "s0", "s1", "q"))
    alpha = base_mul(a)
    a0, b0 = base_mul(s0), k * s0
    a1, b1 = base_mul(s1), base_mul(q) + k * s1
    commitments = [a0.to_bytes(), b0.to_bytes(), a1.to_bytes(), b1.to_bytes()]
    # The real challenge function, evaluated before β exists (placeholder β).
    weak = range_proof._challenge(CTX, KP.public, Ciphertext(alpha, PLACEHOLDER), 0, 1, commitments)
    delta = q * weak.inverse() - Scalar.from_int(1)
    beta = k * a - base_mul(delta)  # encrypts −δ, a random value
    forged = RangeProof((Scalar.from_int(0), weak), (s0, s1 + weak * a))
    ct = Ciphertext(alpha, beta)
    # The forgery satisfies every branch equation with the weak challenge ...
    c0, c1 = forged.challenges
    z0, z1 = forged.responses
    assert base_mul(z0) - alpha * c0 == a0 and k * z0 - beta * c0 == b0
    assert base_mul(z1) - alpha * c1 == a1 and k * z1 - (beta - GENERATOR) * c1 == b1
    assert c0 + c1 == weak
    # ... and is rejected only because β is in the hash.
    with pytest.raises(InvalidProof):
        verify_range(CTX, KP.public, ct, forged, 0, 1)


def test_range_bound_inputs() -> None:
    ct, proof = make_range(0, 1, 1)
    for _, ctx in context_variants(CTX):
        with pytest.raises(InvalidProof):
            verify_range(ctx, KP.public, ct, proof, 0, 1)
    other_key = PublicKey(OTHER)
    with pytest.raises(InvalidProof):
        verify_range(CTX, other_key, ct, proof, 0, 1)
    for bad_ct in [
        Ciphertext(OTHER, ct.beta),
        Ciphertext(ct.alpha, OTHER),
        Ciphertext(ct.beta, ct.alpha),
        Ciphertext(ct.alpha, ct.beta + GENERATOR),
        Ciphertext(ct.alpha + GENERATOR, ct.beta + KP.public.element),  # re-randomised
        ct + encrypt(KP.public, 0)[0],
    ]:
        with pytest.raises(InvalidProof):
            verify_range(CTX, KP.public, bad_ct, proof, 0, 1)
    for lo, hi in [(1, 2), (0, 0), (1, 1), (0, 2), (2, 3)]:
        with pytest.raises(InvalidProof):
            verify_range(CTX, KP.public, ct, proof, lo, hi)


def test_range_lo_and_hi_are_hashed_not_only_the_width() -> None:
    # Same width, shifted bounds: [1, 2] instead of [0, 1] for an encryption of 1.
    ct, proof = make_range(0, 1, 1)
    with pytest.raises(InvalidProof):
        verify_range(CTX, KP.public, ct, proof, 1, 2)
    ct, proof = make_range(1, 2, 1)
    with pytest.raises(InvalidProof):
        verify_range(CTX, KP.public, ct, proof, 0, 1)


@pytest.mark.parametrize("claimed", [0, 1])
def test_encryption_of_two_cannot_be_proven_a_bit(claimed: int) -> None:
    ct, r = encrypt(KP.public, 2)
    with pytest.raises(InvalidEncoding):
        prove_range(CTX, KP.public, ct, 2, r, 0, 1)  # the prover refuses
    # A prover that lies about the message produces a proof that fails.
    lying = prove_range(CTX, KP.public, ct, claimed, r, 0, 1)
    with pytest.raises(InvalidProof):
        verify_range(CTX, KP.public, ct, lying, 0, 1)
    # A valid proof made for an encryption of `claimed` does not transfer.
    honest_ct, honest = make_range(0, 1, claimed)
    with pytest.raises(InvalidProof):
        verify_range(CTX, KP.public, ct, honest, 0, 1)
    verify_range(CTX, KP.public, honest_ct, honest, 0, 1)


def test_range_wrong_nonce_fails() -> None:
    ct, r = encrypt(KP.public, 1)
    proof = prove_range(CTX, KP.public, ct, 1, r + Scalar.from_int(1), 0, 1)
    with pytest.raises(InvalidProof):
        verify_range(CTX, KP.public, ct, proof, 0, 1)


def test_range_identity_alpha_refused() -> None:
    # r = 0: α is the identity and β = [m]G is the message in the clear. The
    # prover (which trusts its caller) makes a proof that satisfies every
    # equation; only the explicit α check rejects it.
    zero_nonce = Ciphertext(IDENTITY, GENERATOR)
    proof = prove_range(CTX, KP.public, zero_nonce, 1, Scalar.from_int(0), 0, 1)
    with pytest.raises(InvalidProof, match="identity"):
        verify_range(CTX, KP.public, zero_nonce, proof, 0, 1)
    _, other = make_range(0, 1, 1)
    with pytest.raises(InvalidProof):
        verify_range(CTX, KP.public, Ciphertext(IDENTITY, IDENTITY), other, 0, 1)


@pytest.mark.parametrize(
    ("lo", "hi"),
    [(-1, 1), (2, 1), (0, MAX_RANGE_WIDTH), (0.0, 1), (0, "1"), (None, 1)],
)
def test_range_bounds_validated(lo: Any, hi: Any) -> None:
    ct, r = encrypt(KP.public, 1)
    proof = make_range(0, 1, 1)[1]
    with pytest.raises(InvalidEncoding):
        prove_range(CTX, KP.public, ct, 1, r, lo, hi)
    with pytest.raises(InvalidEncoding):
        verify_range(CTX, KP.public, ct, proof, lo, hi)


def test_range_bounds_beyond_u64_refused() -> None:
    ct, _ = encrypt(KP.public, 1)
    one_branch = RangeProof((rand_scalar("c"),), (rand_scalar("z"),))
    with pytest.raises(InvalidEncoding):
        verify_range(CTX, KP.public, ct, one_branch, 2**64, 2**64)


@pytest.mark.parametrize(("lo", "hi", "m"), [(0, 1, 2), (1, 3, 0), (1, 3, 4)])
def test_range_message_outside_refused_by_prover(lo: int, hi: int, m: int) -> None:
    ct, r = encrypt(KP.public, m)
    with pytest.raises(InvalidEncoding):
        prove_range(CTX, KP.public, ct, m, r, lo, hi)


@pytest.mark.parametrize("field", ["c", "z"])
@pytest.mark.parametrize("index", [0, 1])
def test_range_non_canonical_scalars_refused(field: str, index: int) -> None:
    obj = make_range(0, 1, 1)[1].to_json()
    value = int.from_bytes(bytes.fromhex(obj[field][index]), "little")
    obj[field][index] = (value + ORDER).to_bytes(32, "little").hex()
    with pytest.raises(InvalidEncoding):
        RangeProof.from_json(obj)
    obj[field][index] = flip(obj[field][index], 31, 7)
    with pytest.raises(InvalidEncoding):
        RangeProof.from_json(obj)


def _proof_json() -> dict[str, list[str]]:
    return make_range(0, 1, 1)[1].to_json()


@pytest.mark.parametrize(
    "mutate",
    [
        lambda o: o.pop("c"),
        lambda o: o.update(extra=[]),
        lambda o: o.update(c=[], z=[]),
        lambda o: o.update(c=o["c"][:1]),
        lambda o: o.update(z=[*o["z"], o["z"][0]]),
        lambda o: o.update(c=o["c"][0]),
        lambda o: o.update(c=None),
        lambda o: o.update(c=[0, 1]),
        lambda o: o.update(c=[x.upper() for x in o["c"]]),
        lambda o: o.update(
            c=["00" * 32] * (MAX_RANGE_WIDTH + 1), z=["00" * 32] * (MAX_RANGE_WIDTH + 1)
        ),
        lambda o: o.update(c={"0": o["c"][0], "1": o["c"][1]}),
    ],
)
def test_range_json_shape(mutate: Callable[[dict[str, Any]], None]) -> None:
    obj: dict[str, Any] = _proof_json()
    mutate(obj)
    with pytest.raises(InvalidEncoding):
        RangeProof.from_json(obj)


@settings(max_examples=20)
@given(scalars(), scalars())
def test_range_random_single_branch_rejected(c: Scalar, z: Scalar) -> None:
    ct, _ = encrypt(KP.public, 1)
    with pytest.raises(InvalidProof):
        verify_range(CTX, KP.public, ct, RangeProof((c,), (z,)), 1, 1)


@settings(max_examples=15)
@given(st.data())
def test_range_proof_never_transfers_between_random_statements(data: st.DataObject) -> None:
    lo, hi, m = data.draw(ranges(max_width=3))
    _, proof = make_range(lo, hi, m)
    other_ct, _ = make_range(lo, hi, data.draw(st.integers(lo, hi)))
    with pytest.raises(InvalidProof):
        verify_range(CTX, KP.public, other_ct, proof, lo, hi)


# ==========================================================================================
# Strong Fiat–Shamir: each challenge changes with every bound input alone (THREATS #6)
# ==========================================================================================
#
# Changing a statement value in a full proof is also caught through the recomputed
# commitments, which would hide a value missing from the hash; these tests hold
# the commitments fixed and call each challenge function directly.

NO_KEY_CTX = ProofContext(CTX.election_id, CTX.manifest_hash, None, CTX.binding)
E = [Element.from_uniform_bytes(hashlib.sha512(bytes([i])).digest()) for i in range(8)]


def test_schnorr_challenge_binds_everything() -> None:
    base = schnorr._challenge(CTX, E[0], E[1])
    variants = [schnorr._challenge(ctx, E[0], E[1]) for _, ctx in context_variants(CTX)]
    variants += [schnorr._challenge(CTX, E[2], E[1]), schnorr._challenge(CTX, E[0], E[2])]
    variants.append(schnorr._challenge(CTX, E[1], E[0]))
    assert base not in variants
    assert len(set(variants)) == len(variants)


def test_equality_challenge_binds_everything() -> None:
    args = E[:5]
    base = chaum_pedersen._challenge(CTX, *args)
    variants = [chaum_pedersen._challenge(ctx, *args) for _, ctx in context_variants(CTX)]
    for i in range(5):
        changed = [*args[:i], E[7], *args[i + 1 :]]
        variants.append(chaum_pedersen._challenge(CTX, *changed))
    variants.append(chaum_pedersen._challenge(CTX, *args[::-1]))
    assert base not in variants
    assert len(set(variants)) == len(variants)


@pytest.mark.parametrize("ctx", [CTX, NO_KEY_CTX], ids=["context with key", "without key"])
def test_range_challenge_binds_everything(ctx: ProofContext) -> None:
    key, ct = PublicKey(E[0]), Ciphertext(E[1], E[2])
    commitments = [e.to_bytes() for e in E[3:7]]

    def c(**change: Any) -> Scalar:
        args: dict[str, Any] = {
            "context": ctx,
            "key": key,
            "ct": ct,
            "lo": 1,
            "hi": 2,
            "commitments": commitments,
        }
        args.update(change)
        return range_proof._challenge(**args)

    base = c()
    variants = [c(context=v) for _, v in context_variants(ctx) if v != ctx]
    variants += [
        c(key=PublicKey(E[7])),
        c(ct=Ciphertext(E[7], E[2])),
        c(ct=Ciphertext(E[1], E[7])),
        c(ct=Ciphertext(E[2], E[1])),
        c(lo=0),
        c(hi=3),
        c(lo=2, hi=3),
        c(commitments=commitments[::-1]),
        c(commitments=commitments[:2]),
    ]
    for i in range(4):
        changed = [*commitments[:i], E[7].to_bytes(), *commitments[i + 1 :]]
        variants.append(c(commitments=changed))
    assert base not in variants
    assert len(set(variants)) == len(variants)


def test_range_unequal_lists_rejected_by_verifier() -> None:
    ct, proof = make_range(0, 1, 1)
    for bad in [
        RangeProof(proof.challenges, proof.responses[:1]),
        RangeProof(proof.challenges[:1], proof.responses),
        RangeProof(proof.challenges, (*proof.responses, proof.responses[0])),
    ]:
        with pytest.raises(InvalidProof, match="branches"):
            verify_range(CTX, KP.public, ct, bad, 0, 1)
