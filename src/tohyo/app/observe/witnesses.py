"""Which witnesses the dashboard follows (docs/spec/observe.md §OBS-3).

A ``tohyo-manifest/2`` election declares its witnesses (manifest.md §MAN-21):
the dashboard follows exactly those, and a declared witness that never
cosigned shows with size 0. A ``tohyo-manifest/1`` election declares none, so
the list is derived from what the server holds: every (name, key ID) that has
had a cosignature accepted for the election.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from tohyo.app.store.models import Cosignature
from tohyo.app.store.uow import UnitOfWork
from tohyo.record.transparency import LogDeclaration

__all__ = ["WitnessProgress", "election_witnesses"]


@dataclass(frozen=True, slots=True)
class WitnessProgress:
    """A witness and the largest head it has cosigned (0: none yet)."""

    name: str
    key_id: int
    last_size: int
    cosignatures: int


def election_witnesses(
    uow: UnitOfWork, election_id: str, declared: LogDeclaration | None = None
) -> tuple[WitnessProgress, ...]:
    """The witnesses of an election, each with its last cosigned size: the manifest's
    declared witnesses in its order when it has them, else every cosigner by name."""
    rows = uow.session.execute(
        select(
            Cosignature.witness,
            Cosignature.key_id,
            func.max(Cosignature.size),
            func.count(),
        )
        .where(Cosignature.election_id == election_id)
        .group_by(Cosignature.witness, Cosignature.key_id)
        .order_by(Cosignature.witness, Cosignature.key_id)
    ).all()
    seen = {(str(n), int(k)): (int(s), int(c)) for n, k, s, c in rows}
    if declared is None or not declared.witnesses:
        return tuple(WitnessProgress(n, k, s, c) for (n, k), (s, c) in seen.items())
    out = []
    for witness in declared.witnesses:
        verifier = witness.verifier()
        size, count = seen.get((verifier.name, verifier.key_id), (0, 0))
        out.append(WitnessProgress(verifier.name, verifier.key_id, size, count))
    return tuple(out)
