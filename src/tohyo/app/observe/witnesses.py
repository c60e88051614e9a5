"""Which witnesses the dashboard follows (docs/spec/observe.md §OBS-3).

Today the manifest lists no witnesses, so the list is derived from what the
server holds: every (name, key ID) that has had a cosignature accepted for
the election. :func:`election_witnesses` is the one place to change when the
manifest carries the commission's witness list and quorum (issue 13 item 1):
then a listed witness that never cosigned shows as "no cosignature yet",
which today cannot be seen.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from tohyo.app.store.models import Cosignature
from tohyo.app.store.uow import UnitOfWork

__all__ = ["WitnessProgress", "election_witnesses"]


@dataclass(frozen=True, slots=True)
class WitnessProgress:
    """A witness and the largest head it has cosigned (0: none yet)."""

    name: str
    key_id: int
    last_size: int
    cosignatures: int


def election_witnesses(uow: UnitOfWork, election_id: str) -> tuple[WitnessProgress, ...]:
    """The witnesses of an election, each with its last cosigned size, by name."""
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
    return tuple(WitnessProgress(str(n), int(k), int(s), int(c)) for n, k, s, c in rows)
