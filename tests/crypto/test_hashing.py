"""Domain-separated, length-prefixed hashing and the proof context (spec §3, §4, §1.3)."""

from __future__ import annotations

import hashlib
import importlib.util
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from strategies import contexts, elements
from tohyo import PROTOCOL_VERSION
from tohyo.crypto.context import GROUP_NAME, ProofContext
from tohyo.crypto.errors import InvalidEncoding
from tohyo.crypto.group import GENERATOR, ORDER, Element, Scalar
from tohyo.crypto.hashing import (
    Dst,
    digest,
    encode_parts,
    hash_to_element,
    hash_to_scalar,
    u64,
    utf8,
)
from tohyo.crypto.randomness import SYSTEM, DeterministicNonces, random_scalar

VECTOR_DIR = Path(__file__).parents[1] / "vectors" / "hashing"
VECTORS: dict[str, Any] = json.loads((VECTOR_DIR / "hashing.json").read_text(encoding="utf-8"))

#: The DST table of spec §3.2 (other tags may be added, never changed).
SPEC_DSTS = {
    "SCHNORR": b"tohyo/1/proof/schnorr",
    "CHAUM_PEDERSEN": b"tohyo/1/proof/chaum-pedersen",
    "RANGE": b"tohyo/1/proof/range",
    "KEY_SHARE_PAD": b"tohyo/1/dkg/share-pad",
    "BALLOT_TRACKER": b"tohyo/1/ballot/tracker",
    "TEST_NONCE": b"tohyo/1/test/nonce",
}


def independent_digest(dst: bytes, *parts: bytes) -> bytes:
    """Spec §3.1 transcribed separately from the library: SHA-512 over lp(dst) ‖ lp(p_i)."""
    framed = b"".join(len(x).to_bytes(8, "big") + x for x in (dst, *parts))
    return hashlib.sha512(framed).digest()


def decode_parts(data: bytes) -> tuple[bytes, ...]:
    """The inverse of ``encode_parts``: its existence is the injectivity argument."""
    out, i = [], 0
    while i < len(data):
        n = int.from_bytes(data[i : i + 8], "big")
        out.append(data[i + 8 : i + 8 + n])
        i += 8 + n
    if i != len(data):
        raise ValueError("trailing bytes")
    return tuple(out)


part_tuples = st.lists(st.binary(max_size=12), max_size=5).map(tuple)


# --- digest and framing ----------------------------------------------------------


@settings(max_examples=200)
@given(st.binary(min_size=1, max_size=40), part_tuples)
def test_digest_is_sha512_of_length_prefixed_parts(dst: bytes, parts: tuple[bytes, ...]) -> None:
    assert digest(dst, *parts) == independent_digest(dst, *parts)
    assert len(digest(dst, *parts)) == 64


@settings(max_examples=300)
@given(part_tuples)
def test_framing_is_uniquely_decodable(parts: tuple[bytes, ...]) -> None:
    assert decode_parts(encode_parts(*parts)) == parts


@settings(max_examples=300)
@given(part_tuples, part_tuples)
def test_distinct_part_tuples_give_distinct_digests(
    a: tuple[bytes, ...], b: tuple[bytes, ...]
) -> None:
    if a != b:
        assert encode_parts(*a) != encode_parts(*b)
        assert digest(Dst.RANGE, *a) != digest(Dst.RANGE, *b)


@settings(max_examples=200)
@given(st.binary(min_size=1, max_size=8), st.binary(max_size=8), st.binary(max_size=8))
def test_moving_bytes_across_a_boundary_changes_the_digest(
    dst: bytes, left: bytes, right: bytes
) -> None:
    # Concatenation-ambiguous pairs: dst|left+right vs dst+left|right, and between parts.
    if left:
        assert digest(dst, left + right) != digest(dst + left, right)
        assert digest(dst, left, right) != digest(dst, left[:-1], left[-1:] + right)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ((b"ab", b"c"), (b"a", b"bc")),
        ((b"abc",), (b"ab", b"c")),
        ((), (b"",)),
        ((b"",), (b"", b"")),
        ((b"\x00",), (b"",)),
    ],
)
def test_framing_examples(a: tuple[bytes, ...], b: tuple[bytes, ...]) -> None:
    assert digest(Dst.SCHNORR, *a) != digest(Dst.SCHNORR, *b)


def test_empty_dst_refused() -> None:
    with pytest.raises(InvalidEncoding):
        digest(b"", b"x")
    with pytest.raises(InvalidEncoding):
        hash_to_scalar(b"")


@pytest.mark.parametrize("value", [-1, 2**64])
def test_u64_range(value: int) -> None:
    with pytest.raises(InvalidEncoding):
        u64(value)


def test_u64_edges() -> None:
    assert u64(0) == bytes(8)
    assert u64(2**64 - 1) == b"\xff" * 8
    assert u64(258) == bytes(6) + b"\x01\x02"


def test_utf8_is_strict_and_not_normalised() -> None:
    assert utf8("投票") == "投票".encode()
    assert utf8("é") != utf8("e\u0301")
    with pytest.raises(InvalidEncoding):
        utf8("\ud800")


@settings(max_examples=100)
@given(st.binary(min_size=1, max_size=20), part_tuples)
def test_hash_to_scalar_and_element(dst: bytes, parts: tuple[bytes, ...]) -> None:
    d = independent_digest(dst, *parts)
    assert hash_to_scalar(dst, *parts).to_int() == int.from_bytes(d, "little") % ORDER
    assert hash_to_element(dst, *parts) == Element.from_uniform_bytes(d)


# --- DST registry (spec §3.2) ----------------------------------------------------------


def test_dsts_are_unique_and_versioned() -> None:
    tags = Dst.all()
    assert len(set(tags.values())) == len(tags)
    assert all(tag.startswith(b"tohyo/1/") for tag in tags.values())
    assert len({name.upper() for name in tags}) == len(tags)


def test_spec_dst_table_is_pinned() -> None:
    tags = Dst.all()
    for name, value in SPEC_DSTS.items():
        assert tags[name] == value


def test_every_dst_separates() -> None:
    outputs = {digest(tag, b"same input") for tag in Dst.all().values()}
    assert len(outputs) == len(Dst.all())


# --- known-answer vectors (tests/vectors/hashing) --------------------------------------


def test_vectors_file_is_generated_by_its_script() -> None:
    spec = importlib.util.spec_from_file_location("make_vectors", VECTOR_DIR / "make_vectors.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    expected = (VECTOR_DIR / "hashing.json").read_text(encoding="utf-8")
    assert module.render() == expected, "run tests/vectors/hashing/make_vectors.py"
    assert VECTORS["header"].startswith("GENERATED by tests/vectors/hashing/make_vectors.py")


def test_vector_dsts_match_the_spec() -> None:
    assert VECTORS["protocol_version"] == PROTOCOL_VERSION
    assert {k: bytes.fromhex(v) for k, v in VECTORS["dst"].items()} == SPEC_DSTS


@pytest.mark.parametrize("vector", VECTORS["digest"], ids=lambda v: v["comment"])
def test_digest_vectors(vector: dict[str, Any]) -> None:
    dst = bytes.fromhex(vector["dst"])
    parts = [bytes.fromhex(p) for p in vector["parts"]]
    assert independent_digest(dst, *parts).hex() == vector["digest"]
    assert digest(dst, *parts).hex() == vector["digest"]
    d = int.from_bytes(bytes.fromhex(vector["digest"]), "little")
    assert Scalar.from_int(d).to_hex() == vector["hash_to_scalar"]
    assert hash_to_scalar(dst, *parts).to_hex() == vector["hash_to_scalar"]
    assert hash_to_element(dst, *parts).to_hex() == vector["hash_to_element"]


def test_digest_vectors_cover_the_framing_pair() -> None:
    by_comment = {v["comment"]: v["digest"] for v in VECTORS["digest"]}
    assert len(set(by_comment.values())) == len(by_comment)
    assert by_comment["framing: ab|c"] != by_comment["framing: a|bc"]


def _independent_context_parts(vector: dict[str, Any]) -> list[bytes]:
    """Spec §4.1, item by item, without ProofContext."""
    return [
        b"tohyo/1",
        b"ristretto255",
        GENERATOR.to_bytes(),
        vector["election_id"].encode("utf-8"),
        bytes.fromhex(vector["manifest_hash"]),
        bytes.fromhex(vector["public_key"]),
        b"".join(len(b).to_bytes(8, "big") + b for b in (x.encode() for x in vector["binding"])),
    ]


@pytest.mark.parametrize("vector", VECTORS["context"], ids=lambda v: "/".join(v["binding"]))
def test_context_vectors(vector: dict[str, Any]) -> None:
    key = bytes.fromhex(vector["public_key"])
    ctx = ProofContext(
        vector["election_id"],
        bytes.fromhex(vector["manifest_hash"]),
        Element.from_bytes(key) if key else None,
        tuple(vector["binding"]),
    )
    expected = [bytes.fromhex(p) for p in vector["parts"]]
    assert list(ctx.parts()) == expected == _independent_context_parts(vector)
    assert hash_to_scalar(Dst.SCHNORR, *expected).to_hex() == vector["schnorr_hash_to_scalar"]


def test_context_vectors_separate_bindings() -> None:
    challenges = [v["schnorr_hash_to_scalar"] for v in VECTORS["context"]]
    assert len(set(challenges)) == len(challenges)


@pytest.mark.parametrize("vector", VECTORS["test_nonces"], ids=lambda v: v["label"])
def test_nonce_vectors(vector: dict[str, Any]) -> None:
    seed = bytes.fromhex(vector["seed"])
    label = vector["label"]
    source = DeterministicNonces(seed)
    assert [source.scalar(label).to_hex() for _ in vector["scalars"]] == vector["scalars"]
    # Spec §1.3: hash_to_scalar(TEST_NONCE, seed, utf8(label), u64(n)).
    for n, expected in enumerate(vector["scalars"]):
        assert hash_to_scalar(Dst.TEST_NONCE, seed, utf8(label), u64(n)).to_hex() == expected


# --- the proof context (spec §4.1) --------------------------------------------------------


MANIFEST = hashlib.sha256(b"manifest").digest()


@settings(max_examples=50)
@given(contexts())
def test_context_parts_order(ctx: ProofContext) -> None:
    parts = ctx.parts()
    assert parts[:3] == (utf8(PROTOCOL_VERSION), utf8(GROUP_NAME), GENERATOR.to_bytes())
    assert parts[3] == utf8(ctx.election_id)
    assert parts[4] == ctx.manifest_hash
    assert parts[5] == (b"" if ctx.public_key is None else ctx.public_key.to_bytes())
    assert decode_parts(parts[6]) == tuple(utf8(b) for b in ctx.binding)


@settings(max_examples=50)
@given(contexts(), st.text(max_size=4))
def test_bound_appends_labels(ctx: ProofContext, label: str) -> None:
    longer = ctx.bound(label)
    assert longer.binding == (*ctx.binding, label)
    assert longer.parts()[:6] == ctx.parts()[:6]
    assert longer.parts()[6] != ctx.parts()[6]


@settings(max_examples=100)
@given(contexts(), contexts())
def test_distinct_contexts_have_distinct_parts(a: ProofContext, b: ProofContext) -> None:
    if a != b:
        assert a.parts() != b.parts()


def test_binding_splits_are_distinct() -> None:
    one = ProofContext("e", MANIFEST, binding=("ab",))
    two = ProofContext("e", MANIFEST, binding=("a", "b"))
    empty = ProofContext("e", MANIFEST, binding=("",))
    none = ProofContext("e", MANIFEST)
    assert len({c.parts() for c in (one, two, empty, none)}) == 4


@pytest.mark.parametrize(
    "kwargs",
    [
        {"election_id": ""},
        {"election_id": 7},
        {"election_id": None},
        {"manifest_hash": bytes(31)},
        {"manifest_hash": bytes(33)},
        {"manifest_hash": "x" * 32},
        {"manifest_hash": bytearray(32)},
        {"binding": "credential"},
        {"binding": ["credential"]},
        {"binding": ("credential", 7)},
        {"binding": (b"credential",)},
        {"public_key": "00" * 32},
        {"public_key": GENERATOR.to_bytes()},
    ],
    ids=repr,
)
def test_context_validation(kwargs: dict[str, Any]) -> None:
    fields: dict[str, Any] = {"election_id": "e", "manifest_hash": MANIFEST, **kwargs}
    with pytest.raises(InvalidEncoding):
        ProofContext(**fields)


def test_context_bound_validates_labels() -> None:
    with pytest.raises(InvalidEncoding):
        ProofContext("e", MANIFEST).bound(7)  # type: ignore[arg-type]


@settings(max_examples=20)
@given(elements())
def test_context_accepts_an_element_key(key: Element) -> None:
    assert ProofContext("e", MANIFEST, key).parts()[5] == key.to_bytes()


# --- the randomness seam (spec §1.3) ------------------------------------------------------


def test_deterministic_nonces_count_per_label() -> None:
    a, b = DeterministicNonces(b"seed"), DeterministicNonces(b"seed")
    first = [a.scalar("x"), a.scalar("y"), a.scalar("x")]
    assert first[0] != first[2]
    assert [b.scalar("x"), b.scalar("x"), b.scalar("y")] == [first[0], first[2], first[1]]
    assert DeterministicNonces(b"other").scalar("x") != first[0]


def test_system_nonces_are_fresh() -> None:
    drawn = {SYSTEM.scalar("x").to_int() for _ in range(200)} | {random_scalar().to_int()}
    assert len(drawn) == 201
    assert all(0 < v < ORDER for v in drawn)
