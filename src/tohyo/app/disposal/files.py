"""Directories outside the database that hold an election's personal data (docs/adr/0056).

``tohyo codes letters`` registers its ``--out`` directory here after writing
the letters; the ``letters`` disposer (:mod:`tohyo.app.disposal.builtin`) deletes
the letter files in every registered directory. Only the directory is stored:
a letter's file name carries the roll number.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from tohyo.app.services.runtime import Runtime
from tohyo.app.store.retention import disposal_files

__all__ = ["register_directory"]


def register_directory(runtime: Runtime, election_id: str, kind: str, directory: Path) -> None:
    """Remember ``directory`` (made absolute) as holding ``kind`` data of the election."""
    path = str(directory.resolve())
    t = disposal_files
    with runtime.uow(write=True) as uow:
        conn = uow.session.connection()
        known = conn.execute(
            select(t.c.path).where(
                t.c.election_id == election_id, t.c.kind == kind, t.c.path == path
            )
        ).first()
        if known is None:
            conn.execute(
                t.insert().values(
                    election_id=election_id, kind=kind, path=path, registered_at=runtime.now()
                )
            )
        uow.commit()
