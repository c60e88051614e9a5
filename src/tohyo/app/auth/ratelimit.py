"""Rate limits that slow attackers, never lock people out (docs/spec/authentication.md §AUTH-RATE).

Three counters per *scope* (``official``, ``code``, ...), kept in the database
so every worker process sees the same numbers (docs/adr/0012):

1. **pair** ``(source, account)``: after ``free_failures`` failures each
   further attempt waits ``base_delay · 2^(k − free)`` seconds, capped at
   ``max_delay``. Cheap for a person who mistyped, ruinous for guessing.
2. **source** (across accounts): ``source_budget`` failures per window, then
   that source waits for the window to pass (password spraying, code guessing).
3. **account** (across sources): after ``account_budget`` failures the account
   enters *slow mode*: at most one attempt per ``slow_delay`` seconds from
   sources that never signed in to it successfully. Sources that did (the
   person's own) are exempt, so an attacker with many addresses cannot lock
   the real person out; at worst strangers are slowed.

Voting codes have no user name and use :meth:`RateLimiter.wait` and
:meth:`RateLimiter.count` with their own :class:`DelayRule` s instead (per code
and per address, §AUTH-RATE-2, ``auth/codes.py``).

Every counter forgets ``window`` after its last failure; an administrator can
also clear an account's counters (the documented recovery path). Failures
refused by the limiter are not counted again, so waiting always helps.
Counter keys are SHA-256 digests: no address or username is stored in clear.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Connection, Engine, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from tohyo.app.auth import tables
from tohyo.app.auth._time import as_utc, utcnow
from tohyo.app.auth.errors import RateLimited
from tohyo.app.store.db import begin_write

__all__ = ["DelayRule", "RateLimiter", "RatePolicy"]


@dataclass(frozen=True, slots=True)
class RatePolicy:
    """The numbers (§AUTH-RATE-2); the defaults suit officials' sign-in."""

    free_failures: int = 3
    base_delay: float = 1.0
    max_delay: float = 300.0
    source_budget: int = 50
    account_budget: int = 20
    slow_delay: float = 30.0
    window: timedelta = timedelta(minutes=15)


@dataclass(frozen=True, slots=True)
class DelayRule:
    """One counter's rule: ``free`` failures, then ``base · 2^(k − free)`` s capped at ``cap``.

    ``growth=False`` keeps the delay at ``base`` (a small, bounded penalty).
    The counter forgets ``window`` after its last failure.
    """

    free: int
    base: float
    cap: float
    window: timedelta
    growth: bool = True

    def delay(self, failures: int) -> float:
        if failures < self.free:
            return 0.0
        if not self.growth:
            return min(self.base, self.cap)
        return float(min(self.base * 2 ** min(failures - self.free, 64), self.cap))


@dataclass(frozen=True, slots=True)
class _Counter:
    failures: int
    last_failure_at: datetime


def _refuse(seconds: float) -> RateLimited:
    wait = max(1, int(seconds + 0.999))
    return RateLimited(
        "auth.rate_limited",
        f"Too many attempts. Please wait {wait} seconds and try again.",
        retry_after=wait,
    )


class RateLimiter:
    """Checks and records attempts in ``auth_rate_counters`` (§AUTH-RATE)."""

    def __init__(self, engine: Engine, policy: RatePolicy | None = None, *, key: bytes) -> None:
        """Args:
            key: a secret of at least 32 bytes, kept in a key file. Counter rows are
                keyed by an HMAC of the source address, so the table does not reveal
                voters' addresses (a bare hash of an IPv4 address is reversed by
                trying them all).
        """
        if len(key) < 32:
            raise ValueError("rate limiter: the key must be at least 32 bytes")
        self.engine = engine
        self.policy = policy or RatePolicy()
        self._secret = bytes(key)

    def _key(self, *parts: str) -> str:
        return hmac.new(self._secret, "\x00".join(parts).encode("utf-8"), "sha256").hexdigest()

    def _read(
        self, conn: Connection, key: str, now: datetime, window: timedelta | None = None
    ) -> _Counter:
        t = tables.rate_counters
        row = conn.execute(select(t).where(t.c.key == key)).first()
        if row is None:
            return _Counter(0, now)
        last = as_utc(row.last_failure_at)
        if now - last > (self.policy.window if window is None else window):
            return _Counter(0, now)  # forgotten
        return _Counter(int(row.failures), last)

    def wait(self, rule: DelayRule, *subject: str, now: datetime | None = None) -> None:
        """Refuse now if ``subject``'s failures under ``rule`` still ask for a wait.

        Raises:
            RateLimited: with ``retry_after`` seconds; never a permanent refusal.
        """
        moment = utcnow(now)
        with self.engine.connect() as conn:
            counter = self._read(conn, self._key(*subject), moment, rule.window)
        delay = rule.delay(counter.failures)
        wait = (counter.last_failure_at + timedelta(seconds=delay) - moment).total_seconds()
        if delay > 0 and wait > 0:
            raise _refuse(wait)

    def count(
        self, subjects: list[tuple[str, ...]], windows: list[timedelta], now: datetime | None = None
    ) -> None:
        """Count one failure against each subject (forgotten after its window), atomically."""
        moment = utcnow(now)
        with begin_write(self.engine) as conn:
            for subject, window in zip(subjects, windows, strict=True):
                self._bump(conn, self._key(*subject), moment, window)

    def check(self, *, scope: str, source: str, account: str, now: datetime | None = None) -> None:
        """Refuse the attempt now if a limit applies.

        Raises:
            RateLimited: with ``retry_after`` seconds; never a permanent refusal.
        """
        moment = utcnow(now)
        p = self.policy
        with self.engine.connect() as conn:
            pair = self._read(conn, self._key(scope, "pair", source, account), moment)
            if pair.failures >= p.free_failures:
                delay = min(p.base_delay * 2 ** (pair.failures - p.free_failures), p.max_delay)
                wait = (pair.last_failure_at + timedelta(seconds=delay) - moment).total_seconds()
                if wait > 0:
                    raise _refuse(wait)
            src = self._read(conn, self._key(scope, "source", source), moment)
            if src.failures >= p.source_budget:
                raise _refuse((src.last_failure_at + p.window - moment).total_seconds())
            acct = self._read(conn, self._key(scope, "account", account), moment)
            if acct.failures >= p.account_budget and not self._known(conn, scope, source, account):
                wait = (
                    acct.last_failure_at + timedelta(seconds=p.slow_delay) - moment
                ).total_seconds()
                if wait > 0:
                    raise _refuse(wait)

    def _known(self, conn: Connection, scope: str, source: str, account: str) -> bool:
        t = tables.rate_counters
        key = self._key(scope, "known", source, account)
        return conn.execute(select(t.c.key).where(t.c.key == key)).first() is not None

    def failure(
        self, *, scope: str, source: str, account: str, now: datetime | None = None
    ) -> None:
        """Count a failed attempt against the pair, the source and the account."""
        moment = utcnow(now)
        with begin_write(self.engine) as conn:
            for key in (
                self._key(scope, "pair", source, account),
                self._key(scope, "source", source),
                self._key(scope, "account", account),
            ):
                self._bump(conn, key, moment)

    def _bump(
        self, conn: Connection, key: str, now: datetime, window: timedelta | None = None
    ) -> None:
        t = tables.rate_counters
        current = self._read(conn, key, now, window)
        values = {"failures": current.failures + 1, "last_failure_at": now}
        if current.failures == 0:
            values["window_start"] = now
        done = conn.execute(update(t).where(t.c.key == key).values(**values))
        if done.rowcount == 0:
            try:
                with conn.begin_nested():
                    conn.execute(
                        insert(t).values(key=key, failures=1, window_start=now, last_failure_at=now)
                    )
            except IntegrityError:  # a concurrent first failure: count on top of it
                conn.execute(update(t).where(t.c.key == key).values(failures=t.c.failures + 1))

    def success(
        self, *, scope: str, source: str, account: str, now: datetime | None = None
    ) -> None:
        """Clear the pair and remember the source as the account's own (exempt from slow mode)."""
        moment = utcnow(now)
        t = tables.rate_counters
        known = self._key(scope, "known", source, account)
        with begin_write(self.engine) as conn:
            conn.execute(delete(t).where(t.c.key == self._key(scope, "pair", source, account)))
            done = conn.execute(update(t).where(t.c.key == known).values(last_failure_at=moment))
            if done.rowcount == 0:
                try:
                    with conn.begin_nested():
                        conn.execute(
                            insert(t).values(
                                key=known, failures=0, window_start=moment, last_failure_at=moment
                            )
                        )
                except IntegrityError:  # a concurrent success from the same source won
                    pass

    def reset_account(self, *, scope: str, account: str) -> None:
        """The recovery path: an administrator clears an account's slow mode."""
        with begin_write(self.engine) as conn:
            t = tables.rate_counters
            conn.execute(delete(t).where(t.c.key == self._key(scope, "account", account)))
