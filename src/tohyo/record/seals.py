"""Seals (封印) of an election's media and the check at their opening (storage.md §ST-8).

Hiroshima's rules (seed 003, arts. 11 and 17) seal the containers of the vote's
medium and of its copy at the close; before counting, the counting manager checks
the seals with the witnesses present. Here a *seal* is a canonical JSON statement
of the election, the log's size and root at the close, and one SHA-256 digest per
medium (``ballots``: the database's ballot table as a canonical export,
``second_medium``: the journal, ``log``: the Merkle root recomputed from the
leaves' data). An *unseal* statement names the seal it opens (its digest) and the
digests found again. Officials and witnesses sign the statement's digest with
Ed25519 note keys (``tohyo.log`` skey/vkey, type 0x01).

This module is pure (no database): the service computes the digests
(``tohyo.app.seals``); the verifier checks the signatures and that the unseal
matched the seal.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from tohyo.log import LogError, verifier_from_key
from tohyo.log.note import Ed25519Signer, Ed25519Verifier
from tohyo.record.canonical import dumps_canonical
from tohyo.record.errors import RecordError

__all__ = [
    "MEDIA",
    "ROLES",
    "InvalidSeal",
    "MediumMismatch",
    "SealSignature",
    "SealStatement",
    "SignedSeal",
    "sign_statement",
]

#: The sealed media, in the order they are reported (§ST-8.1).
MEDIA = ("ballots", "second_medium", "log")
ROLES = ("official", "witness")
KINDS = ("seal", "unseal")
FORMAT = "tohyo-seal/1"
_STATEMENT_TAG = b"tohyo/1/seal/statement\x00"
_SIGNATURE_TAG = b"tohyo/1/seal/signature\x00"
_HEX64 = re.compile(r"[0-9a-f]{64}\Z")
_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}\Z")
_MAX_SIGNATURES = 64


class InvalidSeal(RecordError):
    """A seal or unseal statement that is malformed or badly signed."""


class MediumMismatch(RecordError):
    """A medium's digest at the opening differs from the sealed one (§ST-8.3).

    Attributes:
        medium: the first medium that differs, one of :data:`MEDIA`.
    """

    def __init__(self, medium: str, message: str) -> None:
        super().__init__(f"{medium}: {message}")
        self.medium = medium


def _hex(value: Any, where: str) -> str:
    if not isinstance(value, str) or _HEX64.match(value) is None:
        raise InvalidSeal(f"{where} must be 64 lowercase hex digits")
    return value


@dataclass(frozen=True, slots=True)
class SealStatement:
    """What officials and witnesses sign (§ST-8.1)."""

    kind: str  #: ``seal`` or ``unseal``
    election_id: str
    size: int  #: the log's size at the close
    root: str  #: hex Merkle root at ``size`` (the signed head's)
    media: Mapping[str, str]  #: medium → hex SHA-256 digest, every one of :data:`MEDIA`
    at: str  #: ISO 8601 UTC time of the statement
    seal: str | None = None  #: an unseal's: the digest of the seal it opens

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise InvalidSeal(f"kind must be one of {KINDS}")
        if not isinstance(self.election_id, str) or _ID.match(self.election_id) is None:
            raise InvalidSeal("election_id is not an election id")
        if isinstance(self.size, bool) or not isinstance(self.size, int) or self.size < 1:
            raise InvalidSeal("size must be a positive integer")
        _hex(self.root, "root")
        if not isinstance(self.media, Mapping) or set(self.media) != set(MEDIA):
            raise InvalidSeal(f"media must name exactly {MEDIA}")
        for name in MEDIA:
            _hex(self.media[name], f"media.{name}")
        if not isinstance(self.at, str) or not 0 < len(self.at) <= 40:
            raise InvalidSeal("at must be an ISO 8601 time")
        if (self.kind == "unseal") != (self.seal is not None):
            raise InvalidSeal("an unseal names the seal it opens, and only an unseal does")
        if self.seal is not None:
            _hex(self.seal, "seal")

    def to_json(self) -> dict[str, Any]:
        obj: dict[str, Any] = {
            "format": FORMAT,
            "kind": self.kind,
            "election_id": self.election_id,
            "size": self.size,
            "root": self.root,
            "media": {name: self.media[name] for name in MEDIA},
            "at": self.at,
        }
        if self.seal is not None:
            obj["seal"] = self.seal
        return obj

    @classmethod
    def from_json(cls, obj: Any) -> SealStatement:
        """Raises: InvalidSeal: not a statement of this format."""
        if not isinstance(obj, dict) or obj.get("format") != FORMAT:
            raise InvalidSeal(f"a seal statement is an object of format {FORMAT!r}")
        allowed = {"format", "kind", "election_id", "size", "root", "media", "at", "seal"}
        if set(obj) - allowed:
            raise InvalidSeal(f"unknown fields {sorted(set(obj) - allowed)}")
        try:
            return cls(obj["kind"], obj["election_id"], obj["size"], obj["root"],
                       dict(obj["media"]), obj["at"], obj.get("seal"))
        except (KeyError, TypeError, ValueError) as exc:
            if isinstance(exc, InvalidSeal):
                raise
            raise InvalidSeal(f"seal statement: {exc}") from None

    def digest(self) -> bytes:
        """SHA-256 of the domain tag and the statement's canonical JSON: what is signed."""
        return hashlib.sha256(_STATEMENT_TAG + dumps_canonical(self.to_json())).digest()

    def compare(self, found: Mapping[str, str]) -> None:
        """Require ``found`` digests to equal the sealed ones.

        Raises:
            MediumMismatch: naming the first medium (in :data:`MEDIA` order) that differs.
        """
        for name in MEDIA:
            if found.get(name) != self.media[name]:
                raise MediumMismatch(
                    name, f"sealed digest {self.media[name][:16]}…, found "
                    f"{str(found.get(name))[:16]}…: the medium changed after the seal"
                )


def _message(digest: bytes) -> bytes:
    return _SIGNATURE_TAG + digest.hex().encode() + b"\n"


@dataclass(frozen=True, slots=True)
class SealSignature:
    """One signer's Ed25519 signature over a statement's digest."""

    role: str  #: ``official`` or ``witness``
    vkey: str  #: note verifier key (type 0x01); its name is the signer's name
    signature: str  #: base64 of the 64-byte signature

    def __post_init__(self) -> None:
        if self.role not in ROLES:
            raise InvalidSeal(f"role must be one of {ROLES}")
        try:
            verifier = verifier_from_key(self.vkey)
        except (LogError, ValueError) as exc:
            raise InvalidSeal(f"bad vkey: {exc}") from None
        if not isinstance(verifier, Ed25519Verifier):
            raise InvalidSeal("a seal signer's vkey is a plain Ed25519 key (type 0x01)")

    @property
    def name(self) -> str:
        return self.vkey.split("+", 1)[0]

    @property
    def public_key(self) -> bytes:
        verifier = verifier_from_key(self.vkey)
        return verifier.public_key

    def check(self, digest: bytes) -> None:
        """Raises: InvalidSeal: the signature does not verify over ``digest``."""
        try:
            raw = base64.b64decode(self.signature, validate=True)
        except (binascii.Error, ValueError):
            raise InvalidSeal(f"signature of {self.name}: not base64") from None
        try:
            verifier_from_key(self.vkey).verify(_message(digest), raw)
        except LogError as exc:
            raise InvalidSeal(f"signature of {self.role} {self.name} does not verify") from exc

    def to_json(self) -> dict[str, str]:
        return {"role": self.role, "signature": self.signature, "vkey": self.vkey}

    @classmethod
    def from_json(cls, obj: Any) -> SealSignature:
        if not isinstance(obj, dict) or set(obj) != {"role", "signature", "vkey"}:
            raise InvalidSeal("a signature is {role, signature, vkey}")
        if not all(isinstance(v, str) and len(v) <= 512 for v in obj.values()):
            raise InvalidSeal("signature fields are short strings")
        return cls(obj["role"], obj["vkey"], obj["signature"])


def sign_statement(statement: SealStatement, role: str, signer: Ed25519Signer) -> SealSignature:
    """Sign ``statement``'s digest as ``role``."""
    raw = signer.sign(_message(statement.digest())).signature
    vkey = f"{signer.name}+{signer.key_id:08x}+" + base64.b64encode(
        b"\x01" + signer.public_key).decode()
    return SealSignature(role, vkey, base64.b64encode(raw).decode())


@dataclass(frozen=True, slots=True)
class SignedSeal:
    """A statement and its signatures (the file officials pass around, and the record's)."""

    statement: SealStatement
    signatures: tuple[SealSignature, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "digest": self.statement.digest().hex(),
            "signatures": [s.to_json() for s in self.signatures],
            "statement": self.statement.to_json(),
        }

    @classmethod
    def from_json(cls, obj: Any) -> SignedSeal:
        """Raises: InvalidSeal: malformed, or the digest is not the statement's."""
        if not isinstance(obj, dict) or set(obj) != {"digest", "signatures", "statement"}:
            raise InvalidSeal("a signed seal is {digest, signatures, statement}")
        statement = SealStatement.from_json(obj["statement"])
        if obj["digest"] != statement.digest().hex():
            raise InvalidSeal("the digest is not the statement's")
        items = obj["signatures"]
        if not isinstance(items, list) or len(items) > _MAX_SIGNATURES:
            raise InvalidSeal(f"signatures: a list of at most {_MAX_SIGNATURES}")
        return cls(statement, tuple(SealSignature.from_json(s) for s in items))

    def with_signature(self, signature: SealSignature) -> SignedSeal:
        """Add a signature (one per key: a second one by the same key replaces nothing).

        Raises:
            InvalidSeal: the signature does not verify, or the key already signed.
        """
        signature.check(self.statement.digest())
        if any(s.public_key == signature.public_key for s in self.signatures):
            raise InvalidSeal(f"{signature.name} has already signed this statement")
        return SignedSeal(self.statement, (*self.signatures, signature))

    def check(self, *, officials: int = 2, witnesses: int = 1) -> None:
        """Every signature verifies, keys are distinct, and the quorums are met.

        Raises:
            InvalidSeal: a bad or duplicate signature, or fewer signers than required.
        """
        digest = self.statement.digest()
        keys: set[bytes] = set()
        for signature in self.signatures:
            signature.check(digest)
            if signature.public_key in keys:
                raise InvalidSeal(f"{signature.name} signed twice")
            keys.add(signature.public_key)
        count = {role: sum(s.role == role for s in self.signatures) for role in ROLES}
        if count["official"] < officials:
            raise InvalidSeal(f"{count['official']} officials signed; {officials} must")
        if count["witness"] < witnesses:
            raise InvalidSeal(f"{count['witness']} witnesses signed; {witnesses} must")

    def names(self, role: str) -> set[str]:
        return {s.name for s in self.signatures if s.role == role}
