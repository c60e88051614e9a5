"""One-time voting codes: the rate-limited gate (docs/spec/authentication.md §AUTH-CODE).

Codes are issued, printed and stored (HMAC-SHA-256 under a per-election key
file, never in clear) by the election service (``services/roll.py``:
``issue_codes``, ``start_session_with_code``), which spends a code when it
opens a voting session. This module puts the abuse controls in front of it:

* a cheap shape check first, so junk never reaches the database;
* the :class:`RateLimiter` in scope ``code``, keyed by source address and
  election (codes have no user name, so the "account" is the election:
  guessing from one address is slowed exponentially, and a flood from many
  addresses only slows strangers, never a voter's own device);
* one refusal for every failure (``auth.code.invalid``): unknown, used or
  revoked codes look the same, so a code reveals nothing about the roll.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from datetime import datetime
from typing import TypeVar

from tohyo.app.auth.errors import CodeRejected
from tohyo.app.auth.ratelimit import RateLimiter, RatePolicy

__all__ = ["CODE_POLICY", "CODE_SCOPE", "check_code_shape", "redeem_code"]

T = TypeVar("T")

CODE_SCOPE = "code"
#: Voters mistype; guessers do not stop. 80-bit codes make guessing hopeless anyway.
CODE_POLICY = RatePolicy(free_failures=5, source_budget=30, account_budget=500, slow_delay=2.0)

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


def redeem_code(
    limiter: RateLimiter,
    *,
    election_id: str,
    code: str,
    source: str,
    redeem: Callable[[str], T],
    is_bad_code: Callable[[Exception], bool],
    now: datetime | None = None,
) -> T:
    """Rate-limit, shape-check, then call ``redeem(code)`` (the service's redemption).

    Args:
        redeem: spends the code and returns the session; raises on a bad code.
        is_bad_code: tells a bad-code exception of ``redeem`` from other refusals
            (a closed election is not the voter's typing error).

    Raises:
        RateLimited: too many failures; ``retry_after`` says how long to wait.
        CodeRejected: ``auth.code.invalid`` for any wrong, used or revoked code.
    """
    limiter.check(scope=CODE_SCOPE, source=source, account=election_id, now=now)
    try:
        value = check_code_shape(code)
        result = redeem(value)
    except CodeRejected:
        limiter.failure(scope=CODE_SCOPE, source=source, account=election_id, now=now)
        raise
    except Exception as exc:
        if not is_bad_code(exc):
            raise
        limiter.failure(scope=CODE_SCOPE, source=source, account=election_id, now=now)
        raise _invalid() from exc
    limiter.success(scope=CODE_SCOPE, source=source, account=election_id, now=now)
    return result
