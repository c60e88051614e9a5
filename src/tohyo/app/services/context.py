"""What casting needs to know about an election, built once per key (§CAST-3.3)."""

from __future__ import annotations

from dataclasses import dataclass

from tohyo.app.errors import Conflict
from tohyo.app.services.common import manifest_of
from tohyo.app.services.runtime import Runtime
from tohyo.app.store.models import Election
from tohyo.crypto import BallotStyle, ProofContext, PublicKey, QuestionStyle
from tohyo.record.manifest import Manifest

__all__ = ["ElectionContext", "ballot_style", "election_context"]


@dataclass(frozen=True, slots=True)
class ElectionContext:
    election_id: str
    manifest: Manifest
    manifest_hash: bytes
    public_key: PublicKey
    style: BallotStyle

    def proof_context(self, credential: str) -> ProofContext:
        """The Fiat–Shamir context of this voter's ballot (spec §4, §10)."""
        return ProofContext(self.election_id, self.manifest_hash, self.public_key.element).bound(
            credential
        )


def ballot_style(manifest: Manifest) -> BallotStyle:
    """The crypto layer's ballot style of a manifest (§MAN-15)."""
    return BallotStyle(
        tuple(
            QuestionStyle(
                q.question_id, q.option_ids, q.min_selections, q.max_selections, q.allow_blank
            )
            for q in manifest.ballot_style()
        )
    )


def election_context(runtime: Runtime, row: Election) -> ElectionContext:
    """The casting context of an election with an installed key (cached).

    Raises:
        Conflict: ``election.no_key``.
    """
    if row.public_key is None:
        raise Conflict("election.no_key", "the election has no public key yet")
    key = ("context", row.id, row.manifest_hash, row.public_key)
    ctx = runtime.cache.get(key)
    if ctx is None:
        manifest = manifest_of(runtime, row)
        ctx = ElectionContext(
            row.id,
            manifest,
            bytes.fromhex(row.manifest_hash),
            PublicKey.from_hex(row.public_key),
            ballot_style(manifest),
        )
        runtime.cache[key] = ctx
    return ctx
