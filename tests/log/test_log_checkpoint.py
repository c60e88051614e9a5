"""Checkpoints and cosignatures (§TL-5, §TL-7): format, Tohyo time line, signing,
forgery, wrong keys, modified bodies."""

from __future__ import annotations

import base64

import pytest
from log_support import ORIGIN, T0, WITNESS, fixed_key, load_vectors, make_log_signer

from tohyo.log import (
    EMPTY_ROOT,
    Checkpoint,
    CosignatureSigner,
    CosignatureVerifier,
    Ed25519Signer,
    InvalidCheckpoint,
    InvalidEncoding,
    InvalidSignature,
    NoteSignature,
    SignedNote,
    UnknownOrigin,
    cosignature_timestamp,
    cosigned_message,
    leaf_hash,
    open_checkpoint,
    parse_note,
    sign_checkpoint,
    verify_cosignature,
    verify_note,
)

ROOT = leaf_hash(b"root")
ROOT_B64 = base64.b64encode(ROOT).decode()


def test_text_format() -> None:
    head = Checkpoint.timestamped(ORIGIN, 20852163, ROOT, T0)
    assert head.to_text() == f"{ORIGIN}\n20852163\n{ROOT_B64}\ntohyo-time-ms {T0}\n"
    assert Checkpoint.from_text(head.to_text()) == head
    assert head.timestamp_ms == T0
    plain = Checkpoint("example.com/behind-the-sofa", 0, EMPTY_ROOT)
    assert (
        plain.to_text()
        == "example.com/behind-the-sofa\n0\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n"
    )


@pytest.mark.parametrize(
    "text",
    [
        f"{ORIGIN}\n12\n{ROOT_B64}",  # no final newline
        f"{ORIGIN}\n12\n",  # two lines
        f"\n12\n{ROOT_B64}\n",  # empty origin
        f"{ORIGIN}\n012\n{ROOT_B64}\n",  # leading zero
        f"{ORIGIN}\n+12\n{ROOT_B64}\n",
        f"{ORIGIN}\n 12\n{ROOT_B64}\n",
        f"{ORIGIN}\n１２\n{ROOT_B64}\n",  # full-width digits
        f"{ORIGIN}\n18446744073709551616\n{ROOT_B64}\n",  # 2**64
        f"{ORIGIN}\n{'9' * 5000}\n{ROOT_B64}\n",
        f"{ORIGIN}\n12\n{ROOT_B64[:-1]}\n",  # bad base64
        f"{ORIGIN}\n12\n{base64.b64encode(ROOT[:31]).decode()}\n",  # 31-byte root
        f"{ORIGIN}\n12\n{ROOT_B64}\n\n",  # empty extension line
        f"{ORIGIN}\n12\n{ROOT_B64}\next\x01\n",  # control character
        f"{ORIGIN}\r\n12\n{ROOT_B64}\n",  # CRLF
    ],
)
def test_non_canonical_checkpoints_are_rejected(text: str) -> None:
    with pytest.raises(InvalidCheckpoint):
        Checkpoint.from_text(text)


def test_constructor_validation() -> None:
    for kwargs in (
        {"origin": "", "size": 1, "root_hash": ROOT},
        {"origin": "a\nb", "size": 1, "root_hash": ROOT},
        {"origin": "o", "size": -1, "root_hash": ROOT},
        {"origin": "o", "size": True, "root_hash": ROOT},
        {"origin": "o", "size": 1 << 64, "root_hash": ROOT},
        {"origin": "o", "size": 1, "root_hash": ROOT[:16]},
        {"origin": "o", "size": 1, "root_hash": ROOT, "extensions": ["x"]},
        {"origin": "o", "size": 1, "root_hash": ROOT, "extensions": ("",)},
    ):
        with pytest.raises(InvalidCheckpoint):
            Checkpoint(**kwargs)  # type: ignore[arg-type]
    for bad_time in (-1, 1 << 63, True, 1.5):
        with pytest.raises(InvalidCheckpoint):
            Checkpoint.timestamped("o", 1, ROOT, bad_time)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "extensions",
    [
        (),
        ("tohyo-time-ms 1", "more"),
        ("other 1",),
        ("tohyo-time-ms 01",),
        ("tohyo-time-ms",),
        ("tohyo-time-ms 9223372036854775808",),
    ],
)
def test_time_line_is_exactly_one_canonical_line(extensions: tuple[str, ...]) -> None:
    with pytest.raises(InvalidCheckpoint):
        _ = Checkpoint("o", 1, ROOT, extensions).timestamp_ms


def test_sign_and_open(log_signer: Ed25519Signer) -> None:
    head = Checkpoint.timestamped(ORIGIN, 3, ROOT, T0)
    note = sign_checkpoint(head, log_signer)
    opened = open_checkpoint(note.to_bytes(), [log_signer.verifier()])
    assert opened.checkpoint == head and opened.timestamp_ms == T0
    assert open_checkpoint(note, [log_signer.verifier()]).note == note
    assert open_checkpoint(note.to_text(), [log_signer.verifier()]).checkpoint == head


def test_log_key_name_must_be_the_origin() -> None:
    other = Ed25519Signer("someone.else", fixed_key(1))
    with pytest.raises(InvalidSignature):
        sign_checkpoint(Checkpoint.timestamped(ORIGIN, 1, ROOT, T0), other)


def test_forgery_wrong_key_and_modified_body(log_signer: Ed25519Signer) -> None:
    head = Checkpoint.timestamped(ORIGIN, 3, ROOT, T0)
    note = sign_checkpoint(head, log_signer)
    trusted = [log_signer.verifier()]
    # Forged signature bytes under the right key ID.
    forged = NoteSignature(ORIGIN, log_signer.key_id, bytes(64))
    with pytest.raises(InvalidSignature):
        open_checkpoint(SignedNote(note.text, (forged,)), trusted)
    # Signed by a different key with the origin's name (attacker-held key).
    attacker = make_log_signer(seed_byte=66)
    with pytest.raises(InvalidSignature):
        open_checkpoint(sign_checkpoint(head, attacker), trusted)
    # Body modified after signing: size, root, time.
    for changed in (
        Checkpoint.timestamped(ORIGIN, 4, ROOT, T0),
        Checkpoint.timestamped(ORIGIN, 3, leaf_hash(b"x"), T0),
        Checkpoint.timestamped(ORIGIN, 3, ROOT, T0 + 1),
    ):
        with pytest.raises(InvalidSignature):
            open_checkpoint(SignedNote(changed.to_text(), note.signatures), trusted)


def test_unknown_origin(log_signer: Ed25519Signer) -> None:
    note = sign_checkpoint(Checkpoint.timestamped(ORIGIN, 1, ROOT, T0), log_signer)
    with pytest.raises(UnknownOrigin):
        open_checkpoint(note, [Ed25519Signer("other.example/log", fixed_key(1)).verifier()])


def test_witness_key_cannot_stand_in_for_the_log(
    log_signer: Ed25519Signer, witness_signer: CosignatureSigner
) -> None:
    note = sign_checkpoint(Checkpoint.timestamped(ORIGIN, 1, ROOT, T0), log_signer)
    cosigned = note.with_signatures(witness_signer.sign(note.text.encode()))
    with pytest.raises(UnknownOrigin):
        open_checkpoint(cosigned, [witness_signer.verifier()])


# --- cosignature/v1 ------------------------------------------------------------------


def test_cosigned_message_layout() -> None:
    assert (
        cosigned_message("o\n1\nR=\n", 1679315147) == b"cosignature/v1\ntime 1679315147\no\n1\nR=\n"
    )
    for bad in (-1, 1 << 63, True):
        with pytest.raises(InvalidEncoding):
            cosigned_message("o\n", bad)


def test_cosign_and_verify(log_signer: Ed25519Signer, witness_signer: CosignatureSigner) -> None:
    note = sign_checkpoint(Checkpoint.timestamped(ORIGIN, 5, ROOT, T0), log_signer)
    cosig = witness_signer.sign(note.text.encode())
    assert cosig.name == WITNESS and len(cosig.signature) == 72
    assert cosignature_timestamp(cosig) == 1_740_000_000
    cosigned = note.with_signatures(cosig)
    verifier = witness_signer.verifier()
    assert verify_cosignature(cosigned, verifier) == 1_740_000_000
    assert verify_cosignature(cosigned, verifier, not_after=1_740_000_000) == 1_740_000_000
    with pytest.raises(InvalidSignature, match="future"):
        verify_cosignature(cosigned, verifier, not_after=1_739_999_999)
    # Generic note verification also understands it.
    assert verify_note(cosigned, [verifier]) == (verifier,)
    # Round trip through text keeps everything.
    assert verify_cosignature(parse_note(cosigned.to_text()), verifier) == 1_740_000_000


def test_cosignature_failures(log_signer: Ed25519Signer, witness_signer: CosignatureSigner) -> None:
    note = sign_checkpoint(Checkpoint.timestamped(ORIGIN, 5, ROOT, T0), log_signer)
    verifier = witness_signer.verifier()
    with pytest.raises(InvalidSignature, match="no cosignature"):
        verify_cosignature(note, verifier)
    cosig = witness_signer.sign_at(note.text.encode(), 100)
    # Wrong witness key with the same name: different key ID, so "absent".
    impostor = CosignatureVerifier(WITNESS, CosignatureSigner(WITNESS, fixed_key(77)).public_key)
    with pytest.raises(InvalidSignature):
        verify_cosignature(note.with_signatures(cosig), impostor)
    # Timestamp changed after signing.
    shifted = NoteSignature(
        cosig.name, cosig.key_id, (101).to_bytes(8, "big") + cosig.signature[8:]
    )
    with pytest.raises(InvalidSignature):
        verify_cosignature(note.with_signatures(shifted), verifier)
    # Body changed after cosigning.
    other = SignedNote(Checkpoint.timestamped(ORIGIN, 6, ROOT, T0).to_text(), (cosig,))
    with pytest.raises(InvalidSignature):
        verify_cosignature(other, verifier)
    # Malformed signature bytes.
    for blob in (cosig.signature[:-1], b"\xff" * 8 + cosig.signature[8:]):
        bad = NoteSignature(cosig.name, cosig.key_id, blob)
        with pytest.raises(InvalidSignature):
            verify_cosignature(note.with_signatures(bad), verifier)
    with pytest.raises(InvalidSignature):
        verifier.verify(b"\xff\n", cosig.signature)


def test_cosignature_is_domain_separated_from_note_signature(
    witness_signer: CosignatureSigner,
) -> None:
    # Same Ed25519 key as a plain note signer: different key ID and message.
    plain = Ed25519Signer(WITNESS, fixed_key(2))
    assert plain.key_id != witness_signer.key_id
    text = b"o\n1\n" + base64.b64encode(ROOT) + b"\n"
    cosig = witness_signer.sign_at(text, 5)
    with pytest.raises(InvalidSignature):
        plain.verifier().verify(text, cosig.signature[8:])


def test_cosignature_timestamp_reference_vector() -> None:
    vector = load_vectors("signed-note.json")["cosignature_timestamp"]
    blob = base64.b64decode(vector["signature_base64"])
    sig = NoteSignature("w", int.from_bytes(blob[:4], "big"), blob[4:])
    assert cosignature_timestamp(sig) == vector["timestamp"]
    blob = base64.b64decode(vector["not_a_cosignature_base64"])
    with pytest.raises(InvalidEncoding):
        cosignature_timestamp(NoteSignature("w", 1, blob[4:]))
    with pytest.raises(InvalidEncoding):
        cosignature_timestamp(NoteSignature("w", 1, b"\xff" * 72))


def test_cosigning_rejects_non_utf8_text(witness_signer: CosignatureSigner) -> None:
    with pytest.raises(InvalidEncoding):
        witness_signer.sign_at(b"\xff\n", 1)


def test_lone_surrogates_in_checkpoints_are_rejected() -> None:
    with pytest.raises(InvalidCheckpoint):
        Checkpoint("o\ud800", 1, ROOT)
    with pytest.raises(InvalidCheckpoint):
        Checkpoint("o", 1, ROOT, ("x\udc00",))
