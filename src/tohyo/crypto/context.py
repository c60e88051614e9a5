"""The Fiat–Shamir context every proof binds (spec §4).

A proof made for one election, manifest, key, voter or question never verifies
for another, because all of them enter its challenge hash.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from tohyo import PROTOCOL_VERSION
from tohyo.crypto.errors import InvalidEncoding
from tohyo.crypto.group import GENERATOR, Element
from tohyo.crypto.hashing import encode_parts, utf8

__all__ = ["ProofContext", "GROUP_NAME"]

GROUP_NAME = "ristretto255"


@dataclass(frozen=True, slots=True)
class ProofContext:
    """Election-wide context plus a caller-supplied binding (spec §4.1).

    Attributes:
        election_id: the election's identifier.
        manifest_hash: the 32-byte content hash of the election manifest.
        public_key: the joint election key, or ``None`` before it exists (key
            generation proofs).
        binding: labels that pin the proof to its place, such as the voter's
            credential, the question id and the selection id.
    """

    election_id: str
    manifest_hash: bytes
    public_key: Element | None = None
    binding: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not isinstance(self.election_id, str) or not self.election_id:
            raise InvalidEncoding("context: election id must be a non-empty string")
        if not isinstance(self.manifest_hash, bytes) or len(self.manifest_hash) != 32:
            raise InvalidEncoding("context: manifest hash must be 32 bytes")
        if self.public_key is not None and not isinstance(self.public_key, Element):
            raise InvalidEncoding("context: public key must be an Element or None")
        # A bare string would be split into one label per character, so that the
        # binding "ab" would hash like ("a", "b"): only a tuple of strings is accepted.
        if not isinstance(self.binding, tuple) or not all(
            isinstance(label, str) for label in self.binding
        ):
            raise InvalidEncoding("context: binding must be a tuple of strings")

    def bound(self, *labels: str) -> ProofContext:
        """This context with ``labels`` appended to the binding."""
        return replace(self, binding=self.binding + tuple(labels))

    def parts(self) -> tuple[bytes, ...]:
        """The context as hash parts, in the order of spec §4.1."""
        key = b"" if self.public_key is None else self.public_key.to_bytes()
        return (
            utf8(PROTOCOL_VERSION),
            utf8(GROUP_NAME),
            GENERATOR.to_bytes(),
            utf8(self.election_id),
            self.manifest_hash,
            key,
            encode_parts(*(utf8(label) for label in self.binding)),
        )
