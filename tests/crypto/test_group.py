"""ristretto255 elements and scalars (spec §2; THREATS A.1–A.4).

The RFC 9496 vectors come from ``tests/vectors/ristretto255/rfc9496.json``. A
slow pure-Python transcription of RFC 9496 §4.3.1/§4.3.2 serves as an
independent oracle for differential tests against libsodium; it is test code
only and never used to compute anything the library returns.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from strategies import elements, nonzero_scalars, scalars
from tohyo.crypto.errors import CryptoError, InvalidEncoding
from tohyo.crypto.group import (
    GENERATOR,
    IDENTITY,
    ORDER,
    Element,
    Scalar,
    base_mul,
)

RFC = json.loads(
    (Path(__file__).parents[1] / "vectors" / "ristretto255" / "rfc9496.json").read_text()
)
A1: list[str] = RFC["generator_multiples"]["encodings"]
A2: list[str] = [v["encoding"] for v in RFC["invalid_encodings"]["vectors"]]
A3: list[dict[str, str]] = RFC["one_way_map"]["vectors"]

# --- an independent oracle: RFC 9496 §4.3.1 (decode) and §4.3.2 (encode) -------------

P = 2**255 - 19
D = (-121665 * pow(121666, -1, P)) % P
SQRT_M1 = pow(2, (P - 1) // 4, P)


def _is_negative(x: int) -> bool:
    return x % P % 2 == 1


def _abs(x: int) -> int:
    return (-x) % P if _is_negative(x) else x % P


def _sqrt_ratio_m1(u: int, v: int) -> tuple[bool, int]:
    r = (u * pow(v, 3, P)) * pow(u * pow(v, 7, P), (P - 5) // 8, P) % P
    check = v * r * r % P
    correct = check == u % P
    flipped = check == (-u) % P
    flipped_i = check == (-u * SQRT_M1) % P
    if flipped or flipped_i:
        r = r * SQRT_M1 % P
    return correct or flipped, _abs(r)


INVSQRT_A_MINUS_D = _sqrt_ratio_m1(1, (-1 - D) % P)[1]


def reference_decode(data: bytes) -> tuple[int, int, int, int] | None:
    """RFC 9496 §4.3.1, step by step; ``None`` where the RFC says decoding fails."""
    if len(data) != 32:
        return None
    s = int.from_bytes(data, "little")
    if s >= P or _is_negative(s):
        return None
    ss = s * s % P
    u1, u2 = (1 - ss) % P, (1 + ss) % P
    u2_sqr = u2 * u2 % P
    v = (-(D * u1 * u1) - u2_sqr) % P
    was_square, invsqrt = _sqrt_ratio_m1(1, v * u2_sqr % P)
    den_x = invsqrt * u2 % P
    den_y = invsqrt * den_x * v % P
    x = _abs(2 * s * den_x)
    y = u1 * den_y % P
    t = x * y % P
    if not was_square or _is_negative(t) or y == 0:
        return None
    return x, y, 1, t


def reference_encode(point: tuple[int, int, int, int]) -> bytes:
    """RFC 9496 §4.3.2."""
    x0, y0, z0, t0 = point
    u1 = (z0 + y0) * (z0 - y0) % P
    u2 = x0 * y0 % P
    _, invsqrt = _sqrt_ratio_m1(1, u1 * u2 * u2 % P)
    den1, den2 = invsqrt * u1 % P, invsqrt * u2 % P
    z_inv = den1 * den2 * t0 % P
    if _is_negative(t0 * z_inv):
        x, y, den_inv = y0 * SQRT_M1 % P, x0 * SQRT_M1 % P, den1 * INVSQRT_A_MINUS_D % P
    else:
        x, y, den_inv = x0, y0, den2
    if _is_negative(x * z_inv):
        y = (-y) % P
    return _abs(den_inv * (z0 - y)).to_bytes(32, "little")


def test_oracle_reproduces_the_rfc_vectors() -> None:
    # The oracle is only trusted because it agrees with the RFC on its own vectors.
    for enc in A1:
        point = reference_decode(bytes.fromhex(enc))
        assert point is not None
        assert reference_encode(point).hex() == enc
    assert all(reference_decode(bytes.fromhex(enc)) is None for enc in A2)


# --- RFC 9496 A.1: multiples of the generator ---------------------------------------


def test_a1_has_sixteen_multiples() -> None:
    assert len(A1) == 16
    assert A1[0] == "00" * 32


@pytest.mark.parametrize("k", range(16))
def test_a1_decode_encode_round_trip(k: int) -> None:
    enc = A1[k]
    element = Element.from_hex(enc, allow_identity=k == 0)
    assert element.to_hex() == enc
    assert Element.from_bytes(bytes.fromhex(enc), allow_identity=k == 0).to_bytes().hex() == enc


@pytest.mark.parametrize("k", range(16))
def test_a1_multiples_by_fixed_and_variable_base_and_addition(k: int) -> None:
    assert base_mul(Scalar.from_int(k)).to_hex() == A1[k]
    assert (GENERATOR * Scalar.from_int(k)).to_hex() == A1[k]
    acc = IDENTITY
    for _ in range(k):
        acc = acc + GENERATOR
    assert acc.to_hex() == A1[k]


def test_generator_is_a1_one() -> None:
    assert GENERATOR.to_hex() == A1[1]
    assert IDENTITY.to_hex() == A1[0]


# --- RFC 9496 A.2: invalid encodings --------------------------------------------------


def test_a2_has_all_29_rfc_vectors_in_five_groups() -> None:
    groups = {v["category"] for v in RFC["invalid_encodings"]["vectors"]}
    assert len(A2) == 29 == len(set(A2))
    assert len(groups) == 5


@pytest.mark.parametrize("enc", A2)
@pytest.mark.parametrize("allow_identity", [False, True])
def test_a2_rejected_from_bytes_and_hex(enc: str, allow_identity: bool) -> None:
    with pytest.raises(InvalidEncoding):
        Element.from_bytes(bytes.fromhex(enc), allow_identity=allow_identity)
    with pytest.raises(InvalidEncoding):
        Element.from_bytes(bytearray.fromhex(enc), allow_identity=allow_identity)  # type: ignore[arg-type]
    with pytest.raises(InvalidEncoding):
        Element.from_hex(enc, allow_identity=allow_identity)


def _derived_invalid() -> list[str]:
    """Invalid strings derived from A.1 (README: "Extra negative cases")."""
    out = []
    for enc in A1:
        s = int.from_bytes(bytes.fromhex(enc), "little")
        out.append((s | 1 << 255).to_bytes(32, "little").hex())  # bit 255 set: s ≥ p
        if s:
            out.append((P - s).to_bytes(32, "little").hex())  # −s is odd: negative
    out += [(s + P).to_bytes(32, "little").hex() for s in range(19)]  # s + p < 2^255
    return out


@pytest.mark.parametrize("enc", _derived_invalid())
def test_derived_non_canonical_and_negative_encodings_rejected(enc: str) -> None:
    assert reference_decode(bytes.fromhex(enc)) is None
    with pytest.raises(InvalidEncoding):
        Element.from_hex(enc, allow_identity=True)


# --- RFC 9496 A.3: the one-way map ---------------------------------------------------


@pytest.mark.parametrize("vector", A3, ids=lambda v: v["label"][:20])
def test_a3_hash_to_group(vector: dict[str, str]) -> None:
    uniform = hashlib.sha512(vector["label"].encode("utf-8")).digest()
    assert uniform.hex() == vector["input"]
    assert Element.from_uniform_bytes(uniform).to_hex() == vector["output"]


def test_a3_inputs_with_the_same_output() -> None:
    same = RFC["one_way_map_same_output"]
    assert len(same["inputs"]) == 4
    for i in same["inputs"]:
        assert Element.from_uniform_bytes(bytes.fromhex(i)).to_hex() == same["output"]


@pytest.mark.parametrize("size", [0, 32, 63, 65])
def test_one_way_map_needs_64_bytes(size: int) -> None:
    with pytest.raises(InvalidEncoding):
        Element.from_uniform_bytes(bytes(size))


# --- differential: libsodium vs the RFC transcription -------------------------------


@settings(max_examples=400)
@given(st.one_of(st.binary(min_size=32, max_size=32), st.integers(0, (P - 1) // 2)))
def test_decoder_agrees_with_rfc_oracle(raw: bytes | int) -> None:
    # Integers are even s < p: past the cheap checks, into the square/sign/y checks.
    data = raw if isinstance(raw, bytes) else (2 * raw).to_bytes(32, "little")
    expected = reference_decode(data)
    if expected is None:
        with pytest.raises(InvalidEncoding):
            Element.from_bytes(data, allow_identity=True)
    else:
        assert Element.from_bytes(data, allow_identity=True).to_bytes() == data
        assert reference_encode(expected) == data


@settings(max_examples=50)
@given(elements())
def test_encodings_produced_by_libsodium_are_canonical_per_oracle(e: Element) -> None:
    point = reference_decode(e.to_bytes())
    assert point is not None
    assert reference_encode(point) == e.to_bytes()


# --- element boundaries: length, type, text form, identity ---------------------------


@pytest.mark.parametrize("size", [0, 1, 31, 33, 64])
def test_element_wrong_length_rejected(size: int) -> None:
    with pytest.raises(InvalidEncoding):
        Element.from_bytes(bytes(size), allow_identity=True)


@pytest.mark.parametrize("value", [None, 0, "00" * 32, [0] * 32, memoryview(bytes(32))])
def test_element_from_bytes_needs_bytes(value: Any) -> None:
    with pytest.raises(InvalidEncoding):
        Element.from_bytes(value, allow_identity=True)


def _bad_hex(valid: str) -> list[Any]:
    return [
        valid.upper(),
        valid[:-1] + valid[-1].upper() if valid[-1].isalpha() else valid.upper(),
        valid[:-1],  # odd length
        valid + "0",
        valid[:-2],
        valid + "00",
        "0x" + valid[2:],
        "0x" + valid,
        " " + valid[1:],
        valid[:-1] + " ",
        valid[:32] + " " + valid[33:],
        valid[:32] + "\n" + valid[33:],
        valid[:-1] + "g",
        valid[:-1] + "\u0660",  # an Arabic-Indic digit
        "",
        None,
        0,
        int(valid, 16),
        bytes.fromhex(valid),
        [valid],
        {"hex": valid},
    ]


@pytest.mark.parametrize("bad", _bad_hex(A1[2]))
def test_element_hex_only_lowercase_exact_length(bad: Any) -> None:
    with pytest.raises(InvalidEncoding):
        Element.from_hex(bad, allow_identity=True)


def test_identity_refused_unless_allowed() -> None:
    with pytest.raises(InvalidEncoding):
        Element.from_bytes(bytes(32))
    with pytest.raises(InvalidEncoding):
        Element.from_hex("00" * 32)
    assert Element.from_bytes(bytes(32), allow_identity=True).is_identity()
    assert not GENERATOR.is_identity()


@settings(max_examples=50)
@given(elements())
def test_element_round_trips(e: Element) -> None:
    assert Element.from_bytes(e.to_bytes()) == e
    assert Element.from_hex(e.to_hex()) == e
    assert e.to_hex() == e.to_bytes().hex()
    assert repr(e) == f"Element({e.to_hex()})"


# --- group law ------------------------------------------------------------------------


@settings(max_examples=40)
@given(scalars(), scalars(), elements())
def test_group_law_matches_scalar_arithmetic(a: Scalar, b: Scalar, p: Element) -> None:
    assert base_mul(a) + base_mul(b) == base_mul(a + b)
    assert base_mul(a) - base_mul(b) == base_mul(a - b)
    assert p * a + p * b == p * (a + b)
    assert (p * a) * b == p * (a * b)
    assert base_mul(a) == GENERATOR * a


@settings(max_examples=30)
@given(elements())
def test_identity_and_negation(p: Element) -> None:
    assert p + IDENTITY == p
    assert p - p == IDENTITY
    assert -p + p == IDENTITY
    negated = -p
    assert -negated == p
    assert p * Scalar.from_int(0) == IDENTITY
    assert IDENTITY * Scalar.from_int(5) == IDENTITY
    assert p * Scalar.from_int(ORDER - 1) == -p
    assert p * Scalar.from_int(1) == p


def test_base_mul_of_zero_is_identity() -> None:
    assert base_mul(Scalar.from_int(0)) == IDENTITY
    assert base_mul(Scalar.from_int(ORDER)) == IDENTITY


# --- scalars: exactly one accepted encoding (THREATS #4) ------------------------------


def _le(value: int) -> bytes:
    return value.to_bytes(32, "little")


Z = 0x0123456789ABCDEF  # an arbitrary valid scalar value
NON_CANONICAL = {
    "l": ORDER,
    "l+1": ORDER + 1,
    "2^256-1": 2**256 - 1,
    "z+l": Z + ORDER,
    "l-1+l": 2 * ORDER - 1,
    "2^255": 2**255,
    "2^253": 2**253,
    "15l": 15 * ORDER,
}


@pytest.mark.parametrize("value", NON_CANONICAL.values(), ids=NON_CANONICAL.keys())
def test_non_canonical_scalars_rejected(value: int) -> None:
    assert value >= ORDER
    with pytest.raises(InvalidEncoding):
        Scalar.from_bytes(_le(value))
    with pytest.raises(InvalidEncoding):
        Scalar.from_hex(_le(value).hex())


def test_scalar_edges_accepted() -> None:
    assert Scalar.from_bytes(_le(0)).is_zero()
    assert Scalar.from_bytes(_le(ORDER - 1)).to_int() == ORDER - 1
    assert Scalar.from_hex(_le(Z).hex()).to_int() == Z


@settings(max_examples=300)
@given(st.integers(min_value=0, max_value=2**256 - 1))
def test_scalar_has_exactly_one_encoding(value: int) -> None:
    if value < ORDER:
        s = Scalar.from_bytes(_le(value))
        assert s.to_int() == value
        assert s.to_bytes() == _le(value)
        assert s == Scalar.from_int(value) == Scalar.from_int(value + ORDER)
    else:
        with pytest.raises(InvalidEncoding):
            Scalar.from_bytes(_le(value))


@pytest.mark.parametrize("size", [0, 1, 31, 33, 64])
def test_scalar_wrong_length_rejected(size: int) -> None:
    with pytest.raises(InvalidEncoding):
        Scalar.from_bytes(bytes(size))


@pytest.mark.parametrize("value", [None, 0, 1, "00" * 32, [0] * 32, 1.0])
def test_scalar_from_bytes_needs_bytes(value: Any) -> None:
    with pytest.raises(InvalidEncoding):
        Scalar.from_bytes(value)


@pytest.mark.parametrize("bad", _bad_hex(_le(Z | 0xAB << 100).hex()))
def test_scalar_hex_only_lowercase_exact_length(bad: Any) -> None:
    with pytest.raises(InvalidEncoding):
        Scalar.from_hex(bad)


@settings(max_examples=50)
@given(scalars())
def test_scalar_round_trips(s: Scalar) -> None:
    assert Scalar.from_bytes(s.to_bytes()) == s
    assert Scalar.from_hex(s.to_hex()) == s
    assert Scalar.from_int(s.to_int()) == s
    assert "redacted" in repr(s) and s.to_hex() not in repr(s)


@settings(max_examples=100)
@given(st.binary(min_size=64, max_size=64))
def test_wide_reduction(data: bytes) -> None:
    assert Scalar.from_wide_bytes(data).to_int() == int.from_bytes(data, "little") % ORDER


@pytest.mark.parametrize("size", [0, 32, 63, 65])
def test_wide_reduction_needs_64_bytes(size: int) -> None:
    with pytest.raises(InvalidEncoding):
        Scalar.from_wide_bytes(bytes(size))


@settings(max_examples=100)
@given(scalars(), scalars())
def test_scalar_arithmetic_matches_integers(a: Scalar, b: Scalar) -> None:
    x, y = a.to_int(), b.to_int()
    assert (a + b).to_int() == (x + y) % ORDER
    assert (a - b).to_int() == (x - y) % ORDER
    assert (a * b).to_int() == (x * y) % ORDER
    assert (-a).to_int() == (-x) % ORDER


@settings(max_examples=50)
@given(nonzero_scalars())
def test_scalar_inverse(a: Scalar) -> None:
    assert (a * a.inverse()).to_int() == 1


def test_zero_has_no_inverse() -> None:
    with pytest.raises(InvalidEncoding):
        Scalar.from_int(0).inverse()


def test_errors_are_value_errors() -> None:
    with pytest.raises(ValueError):
        Scalar.from_hex("zz")
    assert issubclass(InvalidEncoding, CryptoError)
