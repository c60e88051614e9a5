"""Signed notes and key encodings (§TL-4): the Go reference vector, strict parsing,
and the trust rules of c2sp.org/signed-note."""

from __future__ import annotations

import base64

import pytest
from hypothesis import given
from hypothesis import strategies as st
from log_support import fixed_key, load_vectors

from tohyo.log import (
    CosignatureSigner,
    Ed25519Signer,
    Ed25519Verifier,
    InvalidEncoding,
    InvalidSignature,
    LogError,
    NoteSignature,
    SignedNote,
    encode_signer_key,
    encode_verifier_key,
    parse_note,
    sign_note,
    signer_from_key,
    verifier_from_key,
    verify_note,
)
from tohyo.log.note import MAX_SIGNATURES, compute_key_id

GO = load_vectors("signed-note.json")["signed_note"]


def test_go_reference_vector_signs_byte_for_byte() -> None:
    signer = signer_from_key(GO["signer_key"])
    assert isinstance(signer, Ed25519Signer)
    note = sign_note(GO["text"], signer)
    assert note.to_text() == GO["signed_note"]
    assert f"{signer.key_id:08x}" == "c74f20a3"
    verifier = verifier_from_key(GO["verifier_key"])
    assert verify_note(parse_note(GO["signed_note"].encode()), [verifier]) == (verifier,)
    assert encode_verifier_key(verifier) == GO["verifier_key"]
    assert encode_signer_key("PeterNeumann", fixed_key_of(GO["signer_key"])) == GO["signer_key"]
    assert "AYEK" not in repr(signer)  # the seed never appears in a repr


def fixed_key_of(skey: str):  # type: ignore[no-untyped-def]
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    material = base64.b64decode(skey.split("+", 4)[4])
    return Ed25519PrivateKey.from_private_bytes(material[1:])


def _note(signer: Ed25519Signer, text: str = "hello\nworld\n") -> str:
    return sign_note(text, signer).to_text()


@pytest.fixture
def alice() -> Ed25519Signer:
    return Ed25519Signer("alice.example/log", fixed_key(7))


def test_roundtrip_is_canonical(alice: Ed25519Signer) -> None:
    text = _note(alice)
    assert parse_note(text).to_text() == text
    assert parse_note(text.encode()).to_bytes() == text.encode()


@given(st.text(alphabet=st.characters(min_codepoint=0x20, exclude_categories=["Cs"]), max_size=40))
def test_any_text_roundtrips(line: str) -> None:
    signer = Ed25519Signer("k", fixed_key(3))
    note = sign_note(line + "\n", signer)
    parsed = parse_note(note.to_bytes())
    assert parsed == note
    verify_note(parsed, [signer.verifier()])


@pytest.mark.parametrize(
    "mutate",
    [
        lambda n: n[:-1],  # no final newline
        lambda n: n.replace("\n\n", "\n"),  # no blank line
        lambda n: n.replace("\u2014 ", "- "),  # ASCII dash
        lambda n: n.replace("\u2014 ", "\u2014  "),  # double space
        lambda n: n + "junk\n",  # trailing junk line
        lambda n: n + "\n",  # trailing empty line
        lambda n: n.replace("hello", "hel\rlo"),  # control character
        lambda n: n.replace("hello", "hel\tlo"),
        lambda n: n[: n.rindex(" ") + 1] + "!!!!\n",  # bad base64
        lambda n: n[: n.rindex("=")] + "\n",  # missing padding
        lambda n: n[: n.rindex(" ") + 1] + "AAAA\n",  # shorter than key ID + 1
        lambda n: n.replace("alice.example/log", "alice+log"),  # '+' in name
        lambda n: n.replace("alice.example/log ", "alice.example/log x "),  # 3 fields
        lambda n: n + n[n.index("\u2014") :],  # duplicate signature line
        lambda n: n.split("\n\n")[0] + "\n\n",  # empty signature block
    ],
)
def test_malformed_notes_are_rejected(alice: Ed25519Signer, mutate) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InvalidEncoding):
        parse_note(mutate(_note(alice)))


def test_non_canonical_base64_is_rejected(alice: Ed25519Signer) -> None:
    note = _note(alice)
    blob = note[note.rindex(" ") + 1 : -1]
    raw = base64.b64decode(blob)
    # Same bytes, different spelling: unused low bits set in the final group.
    assert blob.endswith("=") and len(raw) % 3 == 2
    last = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
    tweaked = blob[:-2] + last[last.index(blob[-2]) + 1] + "="
    assert base64.b64decode(tweaked) == raw
    with pytest.raises(InvalidEncoding):
        parse_note(note.replace(blob, tweaked))


def test_invalid_utf8_and_oversize() -> None:
    with pytest.raises(InvalidEncoding):
        parse_note(b"\xff\xfe\n\n\xe2\x80\x94 k AAAAAAA=\n")
    with pytest.raises(InvalidEncoding):
        parse_note(b"a" * 70_000)
    with pytest.raises(InvalidEncoding):
        parse_note("a" * 70_000 + "\n")


def test_too_many_signatures(alice: Ed25519Signer) -> None:
    signers = [Ed25519Signer(f"k{i}", fixed_key(10 + (i % 5))) for i in range(MAX_SIGNATURES + 1)]
    with pytest.raises(InvalidEncoding):
        sign_note("t\n", *signers)
    note = sign_note("t\n", *signers[:MAX_SIGNATURES])
    extra = signers[-1].sign(b"t\n").to_line()
    with pytest.raises(InvalidEncoding):
        parse_note(note.to_text() + extra)
    assert len(parse_note(note.to_text()).signatures) == MAX_SIGNATURES


def test_trust_rules(alice: Ed25519Signer) -> None:
    bob = Ed25519Signer("bob.example/w", fixed_key(8))
    note = sign_note("statement\n", alice, bob)
    # Unknown keys are ignored; one trusted signature suffices.
    assert verify_note(note, [alice.verifier()]) == (alice.verifier(),)
    assert len(verify_note(note, [alice.verifier(), bob.verifier()])) == 2
    # No trusted key at all.
    with pytest.raises(InvalidSignature):
        verify_note(note, [Ed25519Signer("carol", fixed_key(9)).verifier()])
    with pytest.raises(InvalidSignature):
        verify_note(note, [])
    # Same name, other key: a different key ID, so ignored, so nothing verifies.
    impostor = Ed25519Signer("alice.example/log", fixed_key(99)).verifier()
    with pytest.raises(InvalidSignature):
        verify_note(note, [impostor])
    # Ambiguous configuration is refused.
    with pytest.raises(LogError):
        verify_note(note, [alice.verifier(), alice.verifier()])


def test_forged_and_modified_notes_fail(alice: Ed25519Signer) -> None:
    note = sign_note("vote count 10\n", alice)
    forged_sig = NoteSignature(alice.name, alice.key_id, bytes(64))
    with pytest.raises(InvalidSignature):
        verify_note(SignedNote(note.text, (forged_sig,)), [alice.verifier()])
    modified = SignedNote("vote count 11\n", note.signatures)
    with pytest.raises(InvalidSignature):
        verify_note(modified, [alice.verifier()])
    short = NoteSignature(alice.name, alice.key_id, b"\x00" * 10)
    with pytest.raises(InvalidSignature):
        verify_note(SignedNote(note.text, (short,)), [alice.verifier()])
    # A bad signature from a trusted key rejects the note even if another verifies.
    bob = Ed25519Signer("bob", fixed_key(8))
    mixed = SignedNote(note.text, (forged_sig, bob.sign(note.text.encode())))
    with pytest.raises(InvalidSignature):
        verify_note(mixed, [alice.verifier(), bob.verifier()])


def test_key_id_definition() -> None:
    verifier = Ed25519Signer("n", fixed_key(4)).verifier()
    import hashlib

    digest = hashlib.sha256(b"n\n\x01" + verifier.public_key).digest()
    assert verifier.key_id == int.from_bytes(digest[:4], "big")
    assert compute_key_id("n", 0x04, verifier.public_key) != verifier.key_id


@pytest.mark.parametrize("name", ["", "a b", "a+b", "a\nb", "a\u3000b"])
def test_bad_key_names(name: str) -> None:
    with pytest.raises(InvalidEncoding):
        Ed25519Signer(name, fixed_key(1))


def test_signature_and_note_value_checks(alice: Ed25519Signer) -> None:
    with pytest.raises(InvalidEncoding):
        NoteSignature("k", 1 << 32, b"x")
    with pytest.raises(InvalidEncoding):
        NoteSignature("k", 1, b"")
    with pytest.raises(InvalidEncoding):
        SignedNote("no newline", (alice.sign(b"x"),))
    with pytest.raises(InvalidEncoding):
        SignedNote("t\n", ())
    with pytest.raises(InvalidEncoding):
        SignedNote("t\n", (alice.sign(b"t\n"), alice.sign(b"t\n")))
    with pytest.raises(InvalidEncoding):
        Ed25519Verifier("k", b"short")
    note = sign_note("t\n", alice)
    bob = Ed25519Signer("bob", fixed_key(8))
    assert note.with_signatures(bob.sign(b"t\n")).signatures[1].name == "bob"


@pytest.mark.parametrize(
    "vkey",
    [
        "PeterNeumann+c74f20a3",  # two parts
        "PeterNeumann+C74F20A3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",  # upper hex
        "PeterNeumann+00000000+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",  # wrong ID
        "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10T",  # bad b64
        "PeterNeumann+c74f20a3+AhpcAQ==",  # too short
        "PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",  # type 0x65
        "Peter Neumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",  # space
    ],
)
def test_bad_verifier_keys(vkey: str) -> None:
    with pytest.raises(InvalidEncoding):
        verifier_from_key(vkey)


def test_bad_signer_keys() -> None:
    good = GO["signer_key"]
    for bad in (
        good.replace("PRIVATE+KEY+", "PRIVATE+"),
        good.replace("c74f20a3", "c74f20a4"),
        good.replace("+AYEK", "+BIEK"),  # type byte 0x04 in an skey
    ):
        with pytest.raises(InvalidEncoding):
            signer_from_key(bad)


def test_cosignature_vkey_roundtrip() -> None:
    cosigner = CosignatureSigner("witness.example/w9", fixed_key(5))
    vkey = encode_verifier_key(cosigner.verifier())
    assert verifier_from_key(vkey) == cosigner.verifier()
    skey = encode_signer_key("witness.example/w9", fixed_key(5))
    derived = signer_from_key(skey, cosigner=True)
    assert isinstance(derived, CosignatureSigner)
    assert derived.verifier() == cosigner.verifier()


def test_generated_keys_work_and_reprs_hide_secrets() -> None:
    for signer in (Ed25519Signer.generate("gen.example/a"), CosignatureSigner.generate("gen.b")):
        note = sign_note("x\n", signer)
        verify_note(note, [signer.verifier()])
        assert repr(signer).startswith(type(signer).__name__ + "(name=")
        assert f"{signer.key_id:08x}" in repr(signer)


def test_lone_surrogates_are_rejected(alice: Ed25519Signer) -> None:
    with pytest.raises(InvalidEncoding):
        sign_note("\ud800\n", alice)
    with pytest.raises(InvalidEncoding):
        parse_note("x\n\n\u2014 k\ud800 AAAAAAA=\n")
    with pytest.raises(InvalidEncoding):
        Ed25519Signer("k\udfff", fixed_key(1))
