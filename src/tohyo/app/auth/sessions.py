"""Officials' sessions, CSRF tokens and Origin checks (docs/spec/authentication.md §AUTH-SESS).

* The session token is 32 random bytes in a ``__Host-tohyo-official`` cookie
  (Secure, HttpOnly, SameSite=Strict, Path=/); the server keeps only its
  SHA-256. A new token is minted at every sign-in and any token the browser
  presented before is ended (no fixation).
* Idle time-out 15 minutes, absolute time-out 8 hours; sign-out ends the
  server-side row, so a replayed cookie is dead.
* CSRF: a synchronizer token derived from the session,
  ``HMAC-SHA-256(csrf_key, token)``, returned in JSON to the page and required
  in the ``X-CSRF-Token`` header of every state-changing request, plus an
  exact ``Origin`` match. Nothing changes state on GET.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Engine, insert, select, update

from tohyo.app.auth import tables
from tohyo.app.auth._time import as_utc, utcnow
from tohyo.app.auth.errors import CsrfRejected, SessionRejected
from tohyo.app.store.db import begin_write

__all__ = ["COOKIE_NAME", "OfficialSession", "SessionPolicy", "SessionStore", "check_origin"]

COOKIE_NAME = "__Host-tohyo-official"


@dataclass(frozen=True, slots=True)
class SessionPolicy:
    idle: timedelta = timedelta(minutes=15)
    absolute: timedelta = timedelta(hours=8)


@dataclass(frozen=True, slots=True)
class OfficialSession:
    """A live session: who, since when, and its CSRF token."""

    username: str
    created_at: datetime
    csrf_token: str
    token_hash: str


def _hash(token: str) -> str:
    return hashlib.sha256(b"tohyo/1/auth/official-session\x00" + token.encode()).hexdigest()


def _expired() -> SessionRejected:
    return SessionRejected("auth.session.expired", "Your session has ended; please sign in again.")


class SessionStore:
    """Server-side sessions in ``auth_official_sessions``."""

    def __init__(self, engine: Engine, csrf_key: bytes, policy: SessionPolicy | None = None):
        if len(csrf_key) < 32:
            raise ValueError("the CSRF key must be at least 32 bytes")
        self.engine = engine
        self.csrf_key = csrf_key
        self.policy = policy or SessionPolicy()

    def csrf_for(self, token: str) -> str:
        return hmac.new(self.csrf_key, token.encode(), hashlib.sha256).hexdigest()

    def create(self, username: str, *, previous: str = "", now: datetime | None = None) -> str:
        """Mint a new token for ``username``, ending ``previous`` (rotation at sign-in)."""
        moment = utcnow(now)
        token = secrets.token_urlsafe(32)
        t = tables.official_sessions
        with begin_write(self.engine) as conn:
            if previous:
                conn.execute(
                    update(t)
                    .where(t.c.token_hash == _hash(previous), t.c.ended_at.is_(None))
                    .values(ended_at=moment)
                )
            conn.execute(
                insert(t).values(
                    token_hash=_hash(token),
                    username=username,
                    created_at=moment,
                    last_seen_at=moment,
                    ended_at=None,
                )
            )
        return token

    def resolve(self, token: str, *, now: datetime | None = None) -> OfficialSession:
        """The live session behind ``token``; touches its idle clock.

        Raises:
            SessionRejected: ``auth.session.missing`` or ``auth.session.expired``.
        """
        if not token:
            raise SessionRejected("auth.session.missing", "Please sign in.")
        moment = utcnow(now)
        t = tables.official_sessions
        key = _hash(token)
        with begin_write(self.engine) as conn:
            row = conn.execute(select(t).where(t.c.token_hash == key)).first()
            if row is None or row.ended_at is not None:
                raise _expired()
            created, seen = as_utc(row.created_at), as_utc(row.last_seen_at)
            if moment - seen > self.policy.idle or moment - created > self.policy.absolute:
                conn.execute(update(t).where(t.c.token_hash == key).values(ended_at=moment))
                raise _expired()
            conn.execute(update(t).where(t.c.token_hash == key).values(last_seen_at=moment))
        return OfficialSession(row.username, created, self.csrf_for(token), key)

    def end(self, token: str, *, now: datetime | None = None) -> None:
        """Sign-out: the row is ended, so the cookie is worthless even if replayed."""
        t = tables.official_sessions
        with begin_write(self.engine) as conn:
            conn.execute(
                update(t)
                .where(t.c.token_hash == _hash(token), t.c.ended_at.is_(None))
                .values(ended_at=utcnow(now))
            )

    def end_all(self, username: str, *, now: datetime | None = None) -> None:
        """End every session of an account (disabled account, reset credentials)."""
        t = tables.official_sessions
        with begin_write(self.engine) as conn:
            conn.execute(
                update(t)
                .where(t.c.username == username, t.c.ended_at.is_(None))
                .values(ended_at=utcnow(now))
            )

    def check_csrf(self, session: OfficialSession, presented: str) -> None:
        """Raises: CsrfRejected: ``auth.csrf.missing`` or ``auth.csrf.invalid``."""
        if not presented:
            raise CsrfRejected("auth.csrf.missing", "The request lacks its CSRF token.")
        if not hmac.compare_digest(presented.encode(), session.csrf_token.encode()):
            raise CsrfRejected("auth.csrf.invalid", "The request's CSRF token is wrong.")


def check_origin(origin: str | None, allowed: frozenset[str]) -> None:
    """Exact match of the ``Origin`` header against the service's own origins.

    Raises:
        CsrfRejected: ``auth.csrf.origin`` (missing or foreign origin).
    """
    if not origin or origin not in allowed:
        raise CsrfRejected("auth.csrf.origin", "The request comes from another site.")
