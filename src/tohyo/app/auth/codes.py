"""One-time voting codes: the rate-limited gate (docs/spec/authentication.md §AUTH-CODE).

Codes are issued, printed and stored (HMAC-SHA-256 under a per-election key
file, never in clear) by the election service (``services/roll.py``:
``issue_codes``, ``start_session_with_code``), which spends a code when it
opens a voting session. This module puts the abuse controls in front of it:

* a cheap shape check first, so junk never reaches the database;
* two limits (§AUTH-RATE-2, docs/adr/0050), neither of which one attacker can
  turn on a voter who holds a correct code:

  - **per code**: failures are counted against each of the code's six
    *neighbourhoods* (the code with two of its four groups of four characters
    blanked). Guessing the rest of a code of which two or three groups are
    known is slowed exponentially (1 s doubling to 1 hour, forgotten after a
    day), while a random guess lands in a given neighbourhood with
    probability 2^-40, so other people's guessing does not slow a voter;
  - **per address** (source and election): a small, bounded penalty. After
    30 failures in 15 minutes the address gets one attempt per 2 seconds,
    never more: a voter behind a carrier's or a library's NAT waits seconds,
    not minutes. There is no election-wide slow mode (an attacker with many
    addresses would turn it on every voter).

* one refusal for every failure (``auth.code.invalid``): unknown, used or
  revoked codes look the same, so a code reveals nothing about the roll.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from itertools import combinations
from typing import TypeVar

from tohyo.app.auth.errors import CodeRejected
from tohyo.app.auth.ratelimit import DelayRule, RateLimiter, RatePolicy

__all__ = [
    "CODE_LIMITS",
    "CODE_POLICY",
    "CODE_SCOPE",
    "CodeLimits",
    "check_code_shape",
    "code_neighbourhoods",
    "redeem_code",
]

T = TypeVar("T")

CODE_SCOPE = "code"
#: The general limiter's numbers for this scope (kept for ``AuthServices.code_limiter``);
#: the gate itself uses :data:`CODE_LIMITS`.
CODE_POLICY = RatePolicy(free_failures=5, source_budget=30, account_budget=500, slow_delay=2.0)


@dataclass(frozen=True, slots=True)
class CodeLimits:
    """The numbers of §AUTH-RATE-2 (the arithmetic is in the spec)."""

    address: DelayRule = field(
        default_factory=lambda: DelayRule(
            free=30, base=2.0, cap=2.0, window=timedelta(minutes=15), growth=False
        )
    )
    code: DelayRule = field(
        default_factory=lambda: DelayRule(
            free=5, base=1.0, cap=3600.0, window=timedelta(hours=24)
        )
    )


CODE_LIMITS = CodeLimits()

_SHAPE = re.compile(r"[A-Z2-7]{16}\Z")  # base32, 80 bits, printed in groups of four
_DROPPED = dict.fromkeys(map(ord, " \t-\u2010\u2011\u2012\u2013\u2014\u2212\u30fc"))


def _invalid() -> CodeRejected:
    return CodeRejected(
        "auth.code.invalid", "This voting code is not valid. Check the letter and try again."
    )


def check_code_shape(code: str) -> str:
    """Normalise (upper case, no spaces or dashes) and check the printed shape.

    Raises:
        CodeRejected: ``auth.code.invalid``.
    """
    value = unicodedata.normalize("NFKC", code).translate(_DROPPED).upper()
    if not _SHAPE.match(value):
        raise _invalid()
    return value


def code_neighbourhoods(election_id: str, value: str) -> list[tuple[str, ...]]:
    """The counter subjects of a normalised code: the code with two of its four groups blanked.

    Someone who knows two or three of a code's groups and tries the rest keeps
    hitting one of these six subjects; random guesses spread over 2^40 of them.
    """
    groups = [value[i : i + 4] for i in range(0, len(value), 4)]
    blanked = [
        "-".join("...." if j in pair else g for j, g in enumerate(groups))
        for pair in combinations(range(len(groups)), 2)
    ]
    return [(CODE_SCOPE, "code", election_id, b) for b in blanked]


def redeem_code(
    limiter: RateLimiter,
    *,
    election_id: str,
    code: str,
    source: str,
    redeem: Callable[[str], T],
    is_bad_code: Callable[[Exception], bool],
    now: datetime | None = None,
    limits: CodeLimits = CODE_LIMITS,
) -> T:
    """Rate-limit, shape-check, then call ``redeem(code)`` (the service's redemption).

    Args:
        redeem: spends the code and returns the session; raises on a bad code.
        is_bad_code: tells a bad-code exception of ``redeem`` from other refusals
            (a closed election is not the voter's typing error).
        limits: the per-address and per-code rules (module docstring).

    Raises:
        RateLimited: too many failures; ``retry_after`` says how long to wait.
        CodeRejected: ``auth.code.invalid`` for any wrong, used or revoked code.
    """
    address = (CODE_SCOPE, "address", source, election_id)
    limiter.wait(limits.address, *address, now=now)
    try:
        value = check_code_shape(code)
    except CodeRejected:
        limiter.count([address], [limits.address.window], now=now)
        raise
    neighbourhoods = code_neighbourhoods(election_id, value)
    for subject in neighbourhoods:
        limiter.wait(limits.code, *subject, now=now)
    try:
        return redeem(value)
    except Exception as exc:
        if not isinstance(exc, CodeRejected) and not is_bad_code(exc):
            raise
        limiter.count(
            [address, *neighbourhoods],
            [limits.address.window] + [limits.code.window] * len(neighbourhoods),
            now=now,
        )
        raise _invalid() from exc
