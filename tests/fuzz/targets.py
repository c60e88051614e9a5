"""Fuzz targets: every decoder of untrusted bytes, with the typed errors it may raise.

Each target takes raw bytes (what arrives over HTTP, from a file or a card) and runs the
decoder the service or the verifier runs on them. A target may raise only its package's
typed errors; anything else (``KeyError``, ``IndexError``, ``UnicodeError``, a bare
``ValueError`` from a library, a crash) is a finding. ``run_target.py`` runs one target
under Atheris; ``seeds()`` gives each a few valid inputs to start from.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from tohyo.app.auth.errors import AuthError
from tohyo.app.auth.jpki import _check_usage, load_certificate
from tohyo.app.auth.jpki_profile import ProfileError, holder_from_certificate
from tohyo.app.domain.errors import DomainError
from tohyo.app.domain.roll import import_roll
from tohyo.crypto.ballot import EncryptedBallot
from tohyo.crypto.errors import CryptoError
from tohyo.crypto.group import Element, Scalar
from tohyo.crypto.proofs.chaum_pedersen import EqualityProof
from tohyo.crypto.proofs.range import RangeProof
from tohyo.crypto.proofs.schnorr import SchnorrProof
from tohyo.log.checkpoint import Checkpoint
from tohyo.log.cosignature import cosignature_timestamp
from tohyo.log.errors import LogError
from tohyo.log.keys import verifier_from_key
from tohyo.log.note import parse_note
from tohyo.record.canonical import loads_canonical, loads_strict
from tohyo.record.errors import RecordError
from tohyo.record.manifest import Eligibility, Manifest

__all__ = ["TARGETS", "Target"]


@dataclass(frozen=True)
class Target:
    decode: Callable[[bytes], object]
    typed: tuple[type[BaseException], ...]


def _text(data: bytes) -> str:
    # What a JSON string field or an HTTP text body can hold: any Unicode, lone
    # surrogates included (JSON's \ud800 escapes produce them).
    return data.decode("utf-8", "surrogatepass") if _valid(data) else data.decode("latin-1")


def _valid(data: bytes) -> bool:
    try:
        data.decode("utf-8", "surrogatepass")
    except UnicodeDecodeError:
        return False
    return True


def _canonical(data: bytes) -> object:
    loads_strict(data)
    return loads_canonical(data)


def _ballot(data: bytes) -> object:
    return EncryptedBallot.from_json(loads_strict(data))


def _proofs(data: bytes) -> object:
    value = loads_strict(data)
    out = []
    for kind in (RangeProof, EqualityProof, SchnorrProof):
        try:
            out.append(kind.from_json(value))
        except CryptoError:
            pass
    return out


def _points(data: bytes) -> object:
    text = _text(data)
    out: list[object] = []
    for decode in (Element.from_hex, Scalar.from_hex):
        try:
            out.append(decode(text))
        except CryptoError:
            pass
    return Element.from_hex(text, allow_identity=True)


def _note(data: bytes) -> object:
    note = parse_note(data)
    return Checkpoint.from_text(note.text)


def _cosignature(data: bytes) -> object:
    # A witness sends a key and a signature line (board.submit_cosignature).
    key, _, line = _text(data).partition("\n")
    try:
        verifier_from_key(key)
    except LogError:
        pass
    note = parse_note(f"origin\n1\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n\n{line}\n")
    return [cosignature_timestamp(s) for s in note.signatures]


def _certificate(data: bytes) -> object:
    # What the card check reads of a certificate (jpki.check_card_certificate), less the
    # chain, which a fuzzed certificate never passes: usage, validity dates, profile.
    cert = load_certificate(data)
    try:
        _check_usage(cert)
    except AuthError:
        pass
    _ = (cert.not_valid_before_utc, cert.not_valid_after_utc, cert.issuer == cert.subject)
    return holder_from_certificate(cert)


_RULES = Eligibility(minimum_age=18, election_day=date(2028, 1, 1), areas=("082201",))


def _manifest(data: bytes) -> object:
    return Manifest.from_json(loads_strict(data))


def _roll(data: bytes) -> object:
    return import_roll(data, eligibility=_RULES, roll_key=b"k" * 32)


TARGETS: dict[str, Target] = {
    "canonical_json": Target(_canonical, (RecordError,)),
    "ballot": Target(_ballot, (RecordError, CryptoError)),
    "proofs": Target(_proofs, (RecordError, CryptoError)),
    "points": Target(_points, (CryptoError,)),
    "note_checkpoint": Target(_note, (LogError,)),
    "cosignature": Target(_cosignature, (LogError,)),
    "certificate": Target(_certificate, (AuthError, ProfileError)),
    "manifest": Target(_manifest, (RecordError,)),
    "roll_csv": Target(_roll, (DomainError,)),
}


def _card_certificates() -> list[bytes]:
    """Real card certificates (RSA and P-384) from the test CA, DER."""
    import tempfile
    from pathlib import Path

    from cryptography.hazmat.primitives.serialization import Encoding

    from tohyo.app.auth.jpki_profile import CardHolder
    from tohyo.testca import CardAlgorithm, TestCA

    holder = CardHolder("筑波 太郎", "茨城県つくば市研究学園一丁目1番地1", date(1990, 4, 1), "1")
    with tempfile.TemporaryDirectory() as folder:
        ca = TestCA.create(Path(folder))
        return [
            ca.issue_card(holder, password=b"123456", algorithm=a).certificate.public_bytes(
                Encoding.DER
            )
            for a in (CardAlgorithm.RSA2048, CardAlgorithm.P384)
        ]


def seeds(name: str) -> list[bytes]:
    """A few valid inputs for target ``name`` (the fuzzer mutates from there)."""
    if name == "certificate":
        return _card_certificates()
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    manifests = sorted((root / "vectors" / "manifests").glob("*.json"))[:3]
    hex_g = "e2f2ae0a6abc4e71a884a961c500515f58e30b6aa582dd8db6a65945e08d2d76"
    proof = {"c": ["00" * 32], "z": ["01" + "00" * 31]}
    selection = {"ct": {"alpha": hex_g, "beta": hex_g}, "proof": proof}
    ballot = {
        "questions": [{"id": "q", "selections": [selection], "blank": None, "total_proof": proof}]
    }
    return {
        "canonical_json": [b'{"a":[1,true,null,"x"]}', b'"\\u00e9"', b"[]"],
        "ballot": [json.dumps(ballot, separators=(",", ":")).encode()],
        "proofs": [
            json.dumps(proof).encode(),
            json.dumps({"c": "00" * 32, "z": "01" * 32}).encode(),
        ],
        "points": [hex_g.encode(), b"00" * 32],
        "note_checkpoint": [
            b"example.com/log\n1\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n\n"
            b"\xe2\x80\x94 example.com/log "
            + base64.b64encode(b"\x00\x00\x00\x01" + b"\x00" * 64)
            + b"\n"
        ],
        "cosignature": [
            b"w.example+01020304+BAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n"
            b"\xe2\x80\x94 w.example " + base64.b64encode(b"\x01\x02\x03\x04" + b"\x00" * 72)
        ],
        "manifest": [m.read_bytes() for m in manifests],
        "roll_csv": [
            "voter_id,name,birth_date,address_code,district\n"
            "V1,筑波 太郎,1985-05-01,082201,\n".encode()
        ],
    }[name]
