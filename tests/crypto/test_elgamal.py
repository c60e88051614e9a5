"""Exponential ElGamal (spec §5; THREATS A.2, A.3, A.10, A.12)."""

from __future__ import annotations

import json
from functools import reduce
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from strategies import elements, keypairs, messages, nonzero_scalars
from tohyo.crypto.elgamal import (
    MAX_MESSAGE,
    ZERO,
    Ciphertext,
    KeyPair,
    PublicKey,
    _encrypt_with_nonce,
    _fresh_nonce,
    decrypt_to_element,
    encode_message,
    encrypt,
    generate_keypair,
)
from tohyo.crypto.errors import CryptoError, InvalidEncoding, InvalidKey
from tohyo.crypto.group import GENERATOR, IDENTITY, ORDER, Element, Scalar, base_mul

RFC = json.loads(
    (Path(__file__).parents[1] / "vectors" / "ristretto255" / "rfc9496.json").read_text()
)
A2: list[str] = [v["encoding"] for v in RFC["invalid_encodings"]["vectors"]]
HIGH_BIT = "e2f2ae0a6abc4e71a884a961c500515f58e30b6aa582dd8db6a65945e08d2df6"  # G | 2^255
KEY = KeyPair(Scalar.from_int(1234567), PublicKey(base_mul(Scalar.from_int(1234567))))


def m_of(element: Element, bound: int = 1000) -> int:
    """A small discrete log by search (tests only; dlog.py is another engineer's)."""
    acc = IDENTITY
    for m in range(bound + 1):
        if acc == element:
            return m
        acc = acc + GENERATOR
    raise AssertionError("message out of test range")


# --- correctness and the homomorphism -----------------------------------------------------


@settings(max_examples=30)
@given(keypairs(), messages(max_value=MAX_MESSAGE))
def test_encrypt_decrypt(kp: KeyPair, m: int) -> None:
    ct, r = encrypt(kp.public, m)
    assert decrypt_to_element(kp.secret, ct) == encode_message(m)
    assert ct.alpha == base_mul(r)
    assert not r.is_zero()


@settings(max_examples=20)
@given(keypairs(), st.lists(messages(max_value=50), min_size=1, max_size=6))
def test_sum_of_encryptions_decrypts_to_the_sum(kp: KeyPair, ms: list[int]) -> None:
    cts = [encrypt(kp.public, m)[0] for m in ms]
    total = reduce(lambda a, b: a + b, cts, ZERO)
    assert m_of(decrypt_to_element(kp.secret, total)) == sum(ms)


@settings(max_examples=20)
@given(keypairs(), messages(max_value=30), st.integers(min_value=0, max_value=30))
def test_scaling(kp: KeyPair, m: int, k: int) -> None:
    ct, _ = encrypt(kp.public, m)
    assert m_of(decrypt_to_element(kp.secret, ct.scale(Scalar.from_int(k)))) == k * m


@settings(max_examples=20)
@given(keypairs(), messages(max_value=100), nonzero_scalars())
def test_known_answer_seam(kp: KeyPair, m: int, r: Scalar) -> None:
    ct, same_r = _encrypt_with_nonce(kp.public, m, r)
    assert same_r == r
    assert ct.alpha == base_mul(r)
    assert ct.beta == base_mul(Scalar.from_int(m)) + kp.public.element * r


def test_zero_ciphertext_is_neutral() -> None:
    ct, _ = encrypt(KEY.public, 3)
    assert ct + ZERO == ct == ZERO + ct
    assert decrypt_to_element(KEY.secret, ZERO) == IDENTITY


def test_zero_nonce_refused() -> None:
    with pytest.raises(InvalidEncoding):
        _encrypt_with_nonce(KEY.public, 1, Scalar.from_int(0))


def test_fresh_nonce_skips_zero() -> None:
    class Source:
        def __init__(self) -> None:
            self.values = [0, 0, 5]

        def scalar(self, label: str) -> Scalar:
            assert label == "elgamal-nonce"
            return Scalar.from_int(self.values.pop(0))

    assert _fresh_nonce(Source()).to_int() == 5


@pytest.mark.parametrize("m", [-1, MAX_MESSAGE + 1, 2**64])
def test_message_range(m: int) -> None:
    with pytest.raises(InvalidEncoding):
        encode_message(m)
    with pytest.raises(InvalidEncoding):
        encrypt(KEY.public, m)


def test_message_edges() -> None:
    assert encode_message(0) == IDENTITY
    assert encode_message(1) == GENERATOR
    assert encode_message(MAX_MESSAGE) == base_mul(Scalar.from_int(MAX_MESSAGE))


# --- randomness hygiene (THREATS #12, scaled down) ----------------------------------------


def test_encryptions_are_fresh() -> None:
    cts = [encrypt(KEY.public, 1)[0] for _ in range(300)]
    assert len({c.alpha for c in cts}) == 300
    assert len({c.beta for c in cts}) == 300


def test_generated_keypair() -> None:
    kp = generate_keypair()
    assert not kp.secret.is_zero()
    assert kp.public.element == base_mul(kp.secret)
    assert kp.secret.to_hex() not in repr(kp)
    assert generate_keypair().public != kp.public


# --- public keys (spec §5.1) --------------------------------------------------------------


def test_identity_is_not_a_key() -> None:
    with pytest.raises(InvalidKey):
        PublicKey(IDENTITY)
    with pytest.raises(InvalidKey):
        PublicKey.from_hex("00" * 32)


@pytest.mark.parametrize("enc", [*A2, HIGH_BIT, "00" * 31, "AB" * 32, "", None, 5])
def test_invalid_key_encodings_refused(enc: Any) -> None:
    # PublicKey.from_hex reports InvalidKey ("malformed, degenerate or unproven"),
    # a CryptoError and ValueError like InvalidEncoding.
    with pytest.raises(InvalidKey):
        PublicKey.from_hex(enc)
    with pytest.raises(CryptoError):
        PublicKey.from_hex(enc)


@settings(max_examples=20)
@given(elements())
def test_key_hex_round_trip(e: Element) -> None:
    assert PublicKey.from_hex(PublicKey(e).to_hex()) == PublicKey(e)


# --- ciphertext JSON (spec §5.2, §2.4) ----------------------------------------------------


def _ct_json() -> dict[str, str]:
    return encrypt(KEY.public, 1)[0].to_json()


@settings(max_examples=20)
@given(keypairs(), messages(max_value=5))
def test_ciphertext_json_round_trip(kp: KeyPair, m: int) -> None:
    ct, _ = encrypt(kp.public, m)
    assert Ciphertext.from_json(ct.to_json()) == ct
    assert Ciphertext.from_json(json.loads(json.dumps(ct.to_json()))) == ct


@pytest.mark.parametrize("enc", [*A2, HIGH_BIT])
@pytest.mark.parametrize("field", ["alpha", "beta"])
@pytest.mark.parametrize("aggregate", [False, True])
def test_invalid_encodings_in_ciphertexts(enc: str, field: str, aggregate: bool) -> None:
    obj = _ct_json()
    obj[field] = enc
    with pytest.raises(InvalidEncoding):
        Ciphertext.from_json(obj, aggregate=aggregate)


def test_alpha_identity_refused_for_cast_ciphertexts() -> None:
    # r = 0 would publish [m]G in the clear (THREATS #3).
    obj = _ct_json()
    obj["alpha"] = "00" * 32
    with pytest.raises(InvalidEncoding):
        Ciphertext.from_json(obj)
    assert Ciphertext.from_json(obj, aggregate=True).alpha == IDENTITY


def test_beta_identity_allowed() -> None:
    obj = _ct_json()
    obj["beta"] = "00" * 32
    assert Ciphertext.from_json(obj).beta == IDENTITY


def test_all_zero_ciphertext() -> None:
    zero = {"alpha": "00" * 32, "beta": "00" * 32}
    with pytest.raises(InvalidEncoding):
        Ciphertext.from_json(zero)
    assert Ciphertext.from_json(zero, aggregate=True) == ZERO


@pytest.mark.parametrize(
    "mutate",
    [
        lambda o: o.pop("alpha"),
        lambda o: o.pop("beta"),
        lambda o: o.update(gamma=o["alpha"]),
        lambda o: o.update(alpha=o["alpha"].upper()),
        lambda o: o.update(beta=o["beta"][:-2]),
        lambda o: o.update(alpha=int(o["alpha"], 16)),
        lambda o: o.update(alpha=None),
        lambda o: o.update(beta=[o["beta"]]),
        lambda o: o.update(beta=bytes.fromhex(o["beta"])),
        lambda o: o.update(alpha="0x" + o["alpha"][2:]),
    ],
)
def test_ciphertext_json_shape(mutate: Any) -> None:
    obj = _ct_json()
    mutate(obj)
    with pytest.raises(InvalidEncoding):
        Ciphertext.from_json(obj)


@pytest.mark.parametrize("obj", [None, [], "ct", 0, [["a", "b"]]])
def test_ciphertext_json_not_an_object(obj: Any) -> None:
    with pytest.raises(InvalidEncoding):
        Ciphertext.from_json(obj)


def test_decryption_with_the_wrong_key_fails_to_open() -> None:
    ct, _ = encrypt(KEY.public, 1)
    assert decrypt_to_element(Scalar.from_int(ORDER - 1), ct) != GENERATOR
