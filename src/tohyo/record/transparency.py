"""The log and witnesses an election declares in its manifest (manifest.md §MAN-21).

From ``tohyo-manifest/2`` on, the commission writes into the manifest the
log's public key and the public keys of the witnesses it announced, with the
quorum *k* of *n* that must cosign the final head. The manifest hash binds
them into every proof, so they cannot be swapped after the key ceremony: the
server accepts cosignatures only from these keys, the trustees pin them before
decrypting, and the verifier checks exactly this set (record.md §REC-8 V7),
never a list the exporter of the record chose.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from tohyo.log import (
    CosignatureVerifier,
    Ed25519Verifier,
    LogError,
    SignedNote,
    verifier_from_key,
    verify_cosignature,
)

if TYPE_CHECKING:
    from tohyo.record.manifest import Manifest

__all__ = ["MAX_WITNESSES", "DeclaredWitness", "LogDeclaration", "QuorumNotMet", "declare_log"]

MAX_WITNESSES = 32


class QuorumNotMet(LogError):
    """Fewer than the declared quorum of witnesses validly cosigned a head."""

    code = "witness_quorum"
    http_status = 409


@dataclass(frozen=True, slots=True)
class DeclaredWitness:
    """One announced witness: an id unique in the manifest, a name, its cosignature/v1 vkey."""

    id: str
    name: str
    key: str

    def verifier(self) -> CosignatureVerifier:
        found = verifier_from_key(self.key)
        if not isinstance(found, CosignatureVerifier):  # pragma: no cover - parsed before
            raise LogError(f"witness {self.id}: not a cosignature/v1 key")
        return found

    def to_json(self) -> dict[str, str]:
        return {"id": self.id, "name": self.name, "key": self.key}


@dataclass(frozen=True, slots=True)
class LogDeclaration:
    """The ``log`` object of a ``tohyo-manifest/2`` manifest (§MAN-21).

    Attributes:
        key: the log's Ed25519 vkey; its name is the log's origin line.
        witnesses: the announced witnesses, in the manifest's order.
        quorum: how many of them must cosign the final head (0 iff none declared).
    """

    key: str
    witnesses: tuple[DeclaredWitness, ...]
    quorum: int

    def log_verifier(self) -> Ed25519Verifier:
        found = verifier_from_key(self.key)
        if not isinstance(found, Ed25519Verifier):  # pragma: no cover - parsed before
            raise LogError("the declared log key is not an Ed25519 key")
        return found

    @property
    def origin(self) -> str:
        """The origin line of the log's checkpoints (the log key's name)."""
        return self.log_verifier().name

    def witness_keys(self) -> tuple[str, ...]:
        return tuple(w.key for w in self.witnesses)

    def witness_verifiers(self) -> tuple[CosignatureVerifier, ...]:
        return tuple(w.verifier() for w in self.witnesses)

    def find(self, vkey: str) -> DeclaredWitness | None:
        """The declared witness whose key is ``vkey`` (same name, key id and key)."""
        try:
            other = verifier_from_key(vkey)
        except LogError:
            return None
        for w in self.witnesses:
            mine = w.verifier()
            if (isinstance(other, CosignatureVerifier) and mine.name == other.name
                    and mine.public_key == other.public_key):
                return w
        return None

    def cosigners(self, note: SignedNote) -> tuple[DeclaredWitness, ...]:
        """The declared witnesses whose cosignature on ``note`` verifies.

        Raises:
            InvalidSignature: a declared witness's signature line is present but fails
                (a forged cosignature is never just ignored).
        """
        found = []
        keys = {(s.name, s.key_id) for s in note.signatures}
        for w in self.witnesses:
            verifier = w.verifier()
            if (verifier.name, verifier.key_id) not in keys:
                continue
            verify_cosignature(note, verifier)
            found.append(w)
        return tuple(found)

    def require_quorum(self, note: SignedNote) -> tuple[DeclaredWitness, ...]:
        """Check that at least :attr:`quorum` declared witnesses cosigned ``note``.

        Raises:
            QuorumNotMet: too few valid cosignatures.
            InvalidSignature: a declared witness's cosignature is forged.
        """
        found = self.cosigners(note)
        if len(found) < self.quorum:
            raise QuorumNotMet(
                f"{len(found)} of the {len(self.witnesses)} declared witnesses cosigned the "
                f"head; the manifest requires {self.quorum}"
            )
        return found

    def to_json(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "witnesses": {"quorum": self.quorum,
                          "members": [w.to_json() for w in self.witnesses]},
        }


def declare_log(manifest: Manifest, log_key: str, witness_keys: Sequence[str],
                quorum: int) -> Manifest:
    """``manifest`` as ``tohyo-manifest/2``, declaring its log key and witnesses (§MAN-21).

    Witness ids are ``witness-1``, ``witness-2``… (they must not clash with the
    manifest's other ids).

    Raises:
        InvalidManifest: the keys or the quorum are not valid.
    """
    from tohyo.record.manifest import FORMAT_V2, Manifest

    body = manifest.to_json()
    body["format"] = FORMAT_V2
    body["log"] = {"key": log_key, "witnesses": {"quorum": quorum, "members": [
        {"id": f"witness-{i}", "name": verifier_from_key(k).name, "key": k}
        for i, k in enumerate(witness_keys, start=1)]}}
    return Manifest.from_json(body)
