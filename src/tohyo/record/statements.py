"""Witness statements: what a declared witness checked at a moment of the election (§REC-10).

At the opening (the empty ballot box), the close, the sealing, the opening of
the seals and the decryption, a witness declared in the manifest (manifest.md
§MAN-21) signs a short statement of what it checked, with its own Ed25519 key,
over the signed head it saw and the event. The message is domain-separated by
its first line, ``tohyo-witness-statement/v1``, from the cosignatures the same
key makes (``cosignature/v1``, transparency-log.md §TL-7).

The events are a closed enumeration (:class:`StatementEvent`): a statement of
any other event is refused, so that a reader knows every kind a record may
hold. ``sealed`` and ``unsealed`` are the seals' events (issue 13 item 4).
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from cryptography.exceptions import InvalidSignature as _CryptoInvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from tohyo.log import Checkpoint, CosignatureVerifier, Ed25519Signer, LogError, verifier_from_key
from tohyo.record.errors import RecordError
from tohyo.record.transparency import DeclaredWitness, LogDeclaration

__all__ = [
    "STATEMENT_HEADER",
    "InvalidStatement",
    "StatementError",
    "StatementEvent",
    "StatementOutOfPlace",
    "UnknownHead",
    "UnknownWitness",
    "WitnessStatement",
    "check_position",
    "sign_statement",
]

STATEMENT_HEADER = "tohyo-witness-statement/v1"
"""First line of the signed message: separates statements from the key's cosignatures."""

MAX_CHECKED = 500


class StatementEvent(StrEnum):
    """The moments at which a witness states what it checked (closed enumeration)."""

    OPENING = "opening"  #: the empty ballot box, before any ballot
    CLOSE = "close"  #: the final head, after the close
    SEALED = "sealed"  #: the media sealed at the close (seals, issue 13 item 4)
    UNSEALED = "unsealed"  #: the seals checked and opened before the tally
    DECRYPTION = "decryption"  #: the trustees' decryption of the tally


class StatementError(RecordError):
    """A witness statement that must be refused."""

    code = "statement.invalid"


class InvalidStatement(StatementError):
    """Malformed, or its signature does not verify."""

    code = "statement.invalid"


class UnknownWitness(StatementError):
    """Signed by a key the manifest does not declare as a witness."""

    code = "statement.unlisted_witness"


class UnknownHead(StatementError):
    """Made over a head the log never signed."""

    code = "statement.unknown_head"


class StatementOutOfPlace(StatementError):
    """An event at a point of the log where it cannot happen (§REC-10.2)."""

    code = "statement.out_of_place"


def check_position(event: StatementEvent, index: int, head_size: int,
                   close: int | None, first_ballot: int | None) -> None:
    """Where a statement may stand in the log (record.md §REC-10.2).

    Args:
        event: the statement's event.
        index: the statement leaf's index in the log.
        head_size: the size of the head it was made over.
        close: the index of the close leaf, if the log has one.
        first_ballot: the index of the first ballot leaf, if any.

    Raises:
        StatementOutOfPlace: the head does not precede the statement; an
            ``opening`` after a ballot or the close; any other event before
            the close, or over a head that does not include the close.
    """
    if head_size > index:
        raise StatementOutOfPlace(f"the head of size {head_size} does not precede the "
                                  f"statement at leaf {index}")
    if event is StatementEvent.OPENING:
        if (first_ballot is not None and first_ballot < index) or \
                (close is not None and close < index):
            raise StatementOutOfPlace("an opening statement must precede every ballot "
                                      "and the close")
        return
    if close is None or close >= index or head_size <= close:
        raise StatementOutOfPlace(f"a '{event.value}' statement is made after the close, "
                                  "over a head that includes it")


def _checked_text(value: Any) -> str:
    if not isinstance(value, str) or not 0 < len(value) <= MAX_CHECKED:
        raise InvalidStatement(f"'checked' must be 1 to {MAX_CHECKED} characters")
    if value != value.strip() or any(ord(ch) < 0x20 or 0x7F <= ord(ch) < 0xA0 for ch in value):
        raise InvalidStatement("'checked' is one line without control characters or "
                               "surrounding spaces")
    return value


@dataclass(frozen=True, slots=True)
class WitnessStatement:
    """A signed statement (§REC-10). Build with :func:`sign_statement` or :meth:`from_json`.

    Attributes:
        election_id: the election.
        event: the moment.
        checked: one line saying what the witness checked.
        head: the checkpoint body (note text without signatures) the witness saw.
        witness_key: the witness's cosignature/v1 vkey (as declared in the manifest).
        signature: the 64-byte Ed25519 signature over :meth:`message`.
    """

    election_id: str
    event: StatementEvent
    checked: str
    head: str
    witness_key: str
    signature: bytes

    def __post_init__(self) -> None:
        if not isinstance(self.event, StatementEvent):
            raise InvalidStatement("unknown statement event")
        _checked_text(self.checked)
        if not isinstance(self.election_id, str) or not 0 < len(self.election_id) <= 64:
            raise InvalidStatement("bad election id")
        if len(self.signature) != 64:
            raise InvalidStatement("the signature must be 64 bytes")
        try:
            Checkpoint.from_text(self.head)
        except LogError as exc:
            raise InvalidStatement(f"the head is not a checkpoint body: {exc}") from None

    @property
    def checkpoint(self) -> Checkpoint:
        return Checkpoint.from_text(self.head)

    def message(self) -> bytes:
        """The signed bytes: header, election, event, checked, then the head."""
        return message(self.election_id, self.event, self.checked, self.head)

    def witness(self, declared: LogDeclaration) -> DeclaredWitness:
        """The declared witness that signed this statement, after checking the signature.

        Raises:
            UnknownWitness: the key is not declared in the manifest.
            InvalidStatement: the signature does not verify.
        """
        found = declared.find(self.witness_key)
        if found is None:
            raise UnknownWitness("the manifest does not declare this witness key")
        verifier = found.verifier()
        try:
            Ed25519PublicKey.from_public_bytes(verifier.public_key).verify(
                self.signature, self.message())
        except _CryptoInvalidSignature:
            raise InvalidStatement(f"the statement of {verifier.name} does not verify") from None
        return found

    def check_head(self, heads: Mapping[int, bytes], origin: str) -> None:
        """The head must be one the log signed: its size and root among ``heads``.

        Raises:
            UnknownHead: no such head.
        """
        cp = self.checkpoint
        if cp.origin != origin or heads.get(cp.size) != cp.root_hash:
            raise UnknownHead(f"no head of size {cp.size} with that root in this log")

    def to_json(self) -> dict[str, str]:
        return {"election_id": self.election_id, "event": self.event.value,
                "checked": self.checked, "head": self.head, "witness_key": self.witness_key,
                "signature": base64.b64encode(self.signature).decode()}

    @classmethod
    def from_json(cls, obj: Any) -> WitnessStatement:
        """Validate a statement's JSON form.

        Raises:
            InvalidStatement: missing or unknown fields, bad types or values.
        """
        fields = {"election_id", "event", "checked", "head", "witness_key", "signature"}
        if not isinstance(obj, dict) or set(obj) != fields:
            raise InvalidStatement(f"a statement has exactly the fields {sorted(fields)}")
        if not all(isinstance(obj[f], str) for f in fields):
            raise InvalidStatement("every statement field is a string")
        try:
            event = StatementEvent(obj["event"])
        except ValueError:
            raise InvalidStatement("event must be one of "
                                   + ", ".join(e.value for e in StatementEvent)) from None
        try:
            signature = base64.b64decode(obj["signature"], validate=True)
        except binascii.Error:
            raise InvalidStatement("the signature is not base64") from None
        try:
            key = verifier_from_key(obj["witness_key"])
        except LogError as exc:
            raise InvalidStatement(f"bad witness key: {exc}") from None
        if not isinstance(key, CosignatureVerifier):
            raise InvalidStatement("the witness key must be a cosignature/v1 key")
        return cls(obj["election_id"], event, obj["checked"], obj["head"],
                   obj["witness_key"], signature)


def message(election_id: str, event: StatementEvent, checked: str, head: str) -> bytes:
    """``tohyo-witness-statement/v1``, then election, event and checked lines, then the head."""
    return (f"{STATEMENT_HEADER}\nelection {election_id}\nevent {event.value}\n"
            f"checked {_checked_text(checked)}\n{head}").encode()


def sign_statement(election_id: str, event: StatementEvent, checked: str, head: str,
                   key: Ed25519Signer, witness_key: str) -> WitnessStatement:
    """Sign a statement with the witness's Ed25519 key (the seed of its witness key).

    Raises:
        InvalidStatement: ``witness_key`` is not the public key of ``key``, or a field is bad.
    """
    vkey = verifier_from_key(witness_key)
    if not isinstance(vkey, CosignatureVerifier) or vkey.public_key != key.public_key:
        raise InvalidStatement("the witness key does not match the signing key")
    body = message(election_id, event, checked, head)
    return WitnessStatement(election_id, event, checked, head, witness_key,
                            key.sign(body).signature)
