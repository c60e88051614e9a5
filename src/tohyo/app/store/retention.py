"""Tables that let personal data be purged and disposed of (docs/spec/storage.md §ST-3).

Two small tables on the service's metadata (docs/adr/0019), created by the
migration ``h2_0001`` (docs/adr/0056):

* ``voter_session_marks``: what survives of a voting session once the periodic
  purge (:mod:`tohyo.app.disposal.purge`) deletes it after expiry — the
  election, the credential (a public pseudonym, casting.md §CAST-2.2) and the
  sign-in method. The count of voters who started but did not finish (MISSION:
  the result report) and the envelope audit (authentication.md §AUTH-ENV-3)
  need exactly that; the session's link to the roll row (``voter_id``), its
  token hash and its times go. :func:`session_methods` reads live sessions and
  marks together, so the counts do not change when the purge runs.
* ``disposal_files``: directories outside the database that hold an
  election's personal data (the printed letters of ``tohyo codes letters``),
  registered when written so that disposal can delete them. Only the directory
  is stored: the letters' file names carry roll numbers.
"""

from __future__ import annotations

from sqlalchemy import Column, String, Table, Text, select, union
from sqlalchemy.orm import Session

from tohyo.app.store.models import Base, UtcDateTime

__all__ = ["disposal_files", "session_methods", "voter_session_marks"]

voter_session_marks = Table(
    "voter_session_marks",
    Base.metadata,
    Column("election_id", String(64), primary_key=True),
    Column("credential", String(32), primary_key=True),
    Column("method", String(16), primary_key=True),
)

disposal_files = Table(
    "disposal_files",
    Base.metadata,
    Column("election_id", String(64), primary_key=True),
    Column("kind", String(16), primary_key=True),  # "letters"
    Column("path", Text, primary_key=True),  # an absolute directory
    Column("registered_at", UtcDateTime, nullable=False),
)


def session_methods(session: Session, election_id: str) -> dict[str, set[str]]:
    """Every credential that ever started a session in the election, with its methods.

    Live sessions (``voter_sessions``) and the marks of purged ones together.
    """
    from tohyo.app.store.models import VoterSessionRow

    marks = voter_session_marks
    rows = session.execute(
        union(
            select(VoterSessionRow.credential, VoterSessionRow.method).where(
                VoterSessionRow.election_id == election_id
            ),
            select(marks.c.credential, marks.c.method).where(marks.c.election_id == election_id),
        )
    )
    found: dict[str, set[str]] = {}
    for credential, method in rows:
        found.setdefault(str(credential), set()).add(str(method))
    return found
