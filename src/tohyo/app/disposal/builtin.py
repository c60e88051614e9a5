"""The disposers of the personal data an election holds today (docs/adr/0056).

In deletion order (rows that refer to others first). Every table here keys its
rows by election except the rate limiter's, whose keys are HMACs of the source
address (authentication.md §AUTH-RATE): its rows cannot be told apart by
election, so disposal deletes every row last touched before the election closed
plus the longest window — this election's are among them, and any other such
row has long expired (its counter is forgotten) except a ``known`` mark.
"""

from __future__ import annotations

from datetime import UTC
from pathlib import Path

from sqlalchemy import Table, delete, select

from tohyo.app.auth import tables as auth
from tohyo.app.auth.codes import CODE_POLICY
from tohyo.app.auth.ratelimit import RatePolicy
from tohyo.app.disposal.registry import DisposalContext, Disposer, register
from tohyo.app.store.models import Election, Voter, VoterSessionRow, VotingCode
from tohyo.app.store.retention import disposal_files, voter_session_marks

__all__ = ["LETTER_GLOB", "delete_letters"]

#: The files ``tohyo codes letters`` writes (``web/letters.py`` ``letter_filename``).
LETTER_GLOB = "letter-*.html"
_LONGEST_WINDOW = max(RatePolicy().window, CODE_POLICY.window)


def _by_election(table: Table) -> Disposer:
    def run(ctx: DisposalContext) -> int:
        where = table.c.election_id == ctx.election_id
        done = ctx.session.connection().execute(delete(table).where(where))
        return int(done.rowcount)

    return Disposer(table.name, f"every row of {table.name} for the election", run)


def delete_letters(directory: Path) -> int:
    """Delete the letter files in ``directory`` (and it, once empty); how many files went."""
    if not directory.is_dir():
        return 0
    count = 0
    for path in sorted(directory.glob(LETTER_GLOB)):
        if path.is_file():
            path.unlink()
            count += 1
    if not any(directory.iterdir()):
        directory.rmdir()
    return count


def _letters(ctx: DisposalContext) -> int:
    t = disposal_files
    where = (t.c.election_id == ctx.election_id, t.c.kind == "letters")
    dirs = ctx.session.execute(select(t.c.path).where(*where)).scalars().all()
    count = sum(delete_letters(Path(d)) for d in dirs)
    ctx.session.connection().execute(delete(t).where(*where))
    return count


def _orm_by_election(name: str, model: type[VotingCode | VoterSessionRow | Voter]) -> Disposer:
    def run(ctx: DisposalContext) -> int:
        where = model.election_id == ctx.election_id
        done = ctx.session.connection().execute(delete(model).where(where))
        return int(done.rowcount)

    return Disposer(name, f"every row of {model.__tablename__} for the election", run)


def _rate_rows(ctx: DisposalContext) -> int:
    closed = ctx.session.execute(
        select(Election.closed_at).where(Election.id == ctx.election_id)
    ).scalar_one()
    now = ctx.now.astimezone(UTC)
    cutoff = min((closed or now) + _LONGEST_WINDOW, now)
    t = auth.rate_counters
    done = ctx.session.connection().execute(delete(t).where(t.c.last_failure_at <= cutoff))
    return int(done.rowcount)


register(Disposer("letters", "the printed letters (name, roll number, code) in registered "
                  "directories", _letters))
register(_orm_by_election("voting_codes", VotingCode))
register(_orm_by_election("voter_sessions", VoterSessionRow))
register(_by_election(voter_session_marks))
register(_by_election(auth.roll_links))
register(_by_election(auth.envelopes))
register(_by_election(auth.challenges))
register(_by_election(auth.oidc_transactions))
register(Disposer("rate_limit_rows", "rate-limit rows last touched before the election closed "
                  "(plus the longest window)", _rate_rows))
register(_orm_by_election("voters", Voter))
