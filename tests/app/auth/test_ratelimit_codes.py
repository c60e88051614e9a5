"""Rate limits (THREATS #38) and the voting-code gate."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine

from tohyo.app.auth.codes import CODE_LIMITS, CODE_POLICY, check_code_shape, redeem_code
from tohyo.app.auth.errors import CodeRejected, RateLimited
from tohyo.app.auth.ratelimit import RateLimiter, RatePolicy

KEY = b"k" * 32  # the counter rows' HMAC key (a key file in production)

T0 = datetime(2028, 10, 1, 9, 0, tzinfo=UTC)


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def test_pair_delay_grows_exponentially_and_is_capped(engine) -> None:
    lim = RateLimiter(engine, RatePolicy(free_failures=2, base_delay=1, max_delay=8), key=KEY)
    args = dict(scope="official", source="10.0.0.1", account="alice")
    waits = []
    t = 0.0
    for _ in range(7):
        lim.check(**args, now=at(t))
        lim.failure(**args, now=at(t))
        try:
            lim.check(**args, now=at(t))
            waits.append(0)
        except RateLimited as exc:
            assert exc.code == "auth.rate_limited"
            waits.append(exc.retry_after)
            t += exc.retry_after
    assert waits == [0, 1, 2, 4, 8, 8, 8]


def test_source_budget_stops_spraying(engine) -> None:
    lim = RateLimiter(engine, RatePolicy(source_budget=5, free_failures=100), key=KEY)
    for i in range(5):
        lim.failure(scope="official", source="attacker", account=f"user{i}", now=at(i))
    with pytest.raises(RateLimited):
        lim.check(scope="official", source="attacker", account="user99", now=at(6))
    lim.check(scope="official", source="someone-else", account="user99", now=at(6))
    # ...and the window forgets it.
    lim.check(scope="official", source="attacker", account="user99", now=at(6 + 15 * 60))


def test_attacker_with_many_addresses_cannot_lock_out_the_victim(engine) -> None:
    policy = RatePolicy(account_budget=10, slow_delay=30)
    lim = RateLimiter(engine, policy, key=KEY)
    victim = dict(scope="official", account="alice")
    lim.success(**victim, source="alice-home", now=at(0))  # Alice signed in before
    for i in range(200):  # a botnet: every address fails once, from 200 addresses
        try:
            lim.check(**victim, source=f"bot{i}", now=at(1 + i * 0.1))
        except RateLimited:
            continue  # refused attempts are not counted again
        lim.failure(**victim, source=f"bot{i}", now=at(1 + i * 0.1))
    # The account is in slow mode for strangers...
    with pytest.raises(RateLimited) as excinfo:
        lim.check(**victim, source="bot-new", now=at(25))
    assert excinfo.value.retry_after <= policy.slow_delay
    # ...but Alice's own device is exempt, at once.
    lim.check(**victim, source="alice-home", now=at(25))
    # A new device of Alice's waits at most slow_delay, never more, while attacked.
    lim.check(**victim, source="alice-phone", now=at(25 + policy.slow_delay))
    # The recovery path clears slow mode immediately.
    lim.failure(**victim, source="bot-x", now=at(60))
    lim.reset_account(scope="official", account="alice")
    lim.check(**victim, source="bot-y", now=at(61))


def test_success_clears_the_pair(engine) -> None:
    lim = RateLimiter(engine, RatePolicy(free_failures=1), key=KEY)
    args = dict(scope="official", source="s", account="a")
    lim.failure(**args, now=at(0))
    lim.failure(**args, now=at(0))
    with pytest.raises(RateLimited):
        lim.check(**args, now=at(0.5))
    lim.success(**args, now=at(5))
    lim.check(**args, now=at(5))


# -- voting codes -----------------------------------------------------------------------

GOOD = "ABCD-EFGH-2345-67QR"
OTHER = "MNOP-QRST-UVWX-YZ23"  # another voter's code


class BadCode(Exception):
    pass


class FakeService:
    """Stands in for the election service's redemption: spends a code once."""

    def __init__(self) -> None:
        self.unused = {"ABCDEFGH234567QR", OTHER.replace("-", "")}

    def redeem(self, code: str) -> str:
        if code not in self.unused:
            raise BadCode
        self.unused.discard(code)
        return "session-token"


def _redeem(lim, service, code, source="192.0.2.1", now=T0):
    return redeem_code(
        lim,
        election_id="e1",
        code=code,
        source=source,
        redeem=service.redeem,
        is_bad_code=lambda exc: isinstance(exc, BadCode),
        now=now,
    )


def test_code_shapes() -> None:
    assert check_code_shape(" abcd-efgh 2345－67qr ".replace("－", "-")) == "ABCDEFGH234567QR"
    assert check_code_shape("ＡＢＣＤ-ＥＦＧＨ-２３４５-６７ＱＲ") == "ABCDEFGH234567QR"
    for bad in ("", "ABCD", "ABCD-EFGH-2345-67Q1", "ABCD-EFGH-2345-67QR-X"):
        with pytest.raises(CodeRejected) as excinfo:
            check_code_shape(bad)
        assert excinfo.value.code == "auth.code.invalid"


def test_good_code_then_used_code(engine) -> None:
    lim, service = RateLimiter(engine, CODE_POLICY, key=KEY), FakeService()
    assert _redeem(lim, service, GOOD) == "session-token"
    with pytest.raises(CodeRejected) as excinfo:
        _redeem(lim, service, GOOD)
    assert excinfo.value.code == "auth.code.invalid"


def test_wrong_and_used_codes_give_the_same_message(engine) -> None:
    lim, service = RateLimiter(engine, CODE_POLICY, key=KEY), FakeService()
    _redeem(lim, service, GOOD)
    messages = set()
    for code in (GOOD, "ZZZZ-ZZZZ-ZZZZ-ZZZZ", "garbage"):
        with pytest.raises(CodeRejected) as excinfo:
            _redeem(lim, service, code, source=code)
        messages.add((excinfo.value.code, excinfo.value.message))
    assert len(messages) == 1


def test_code_guessing_is_rate_limited_per_source(engine) -> None:
    lim, service = RateLimiter(engine, CODE_POLICY, key=KEY), FakeService()
    refused = 0
    for i in range(40):
        try:
            _redeem(lim, service, f"ZZZZ-ZZZZ-ZZ{i:02d}-ZZZZ".replace("0", "A").replace("1", "B"),
                    source="guesser")
        except RateLimited as exc:
            refused += 1
            assert exc.retry_after <= CODE_LIMITS.address.cap  # small and bounded
        except CodeRejected:
            pass
    assert refused > 0
    # The real voter, elsewhere, is unaffected.
    assert _redeem(lim, service, GOOD, source="voter") == "session-token"


def test_an_innocent_voter_behind_the_guessers_address_signs_in_promptly(engine) -> None:
    """Issue 10 item 4: a carrier's NAT, a library's network, one polling station."""
    lim, service = RateLimiter(engine, CODE_POLICY, key=KEY), FakeService()
    nat, t, evaluated = "198.51.100.1", 0.0, 0
    for i in range(1000):  # ten guesses a second for 100 s, all from the shared address
        guess = "".join("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"[(i >> (5 * k)) % 32] for k in range(16))
        try:
            _redeem(lim, service, "QQ" + guess[2:], source=nat, now=at(t))
            raise AssertionError("a random guess hit a code")
        except RateLimited:
            pass
        except CodeRejected:
            evaluated += 1
        t += 0.1
    # one evaluated guess per 2 s once the 30 free failures are spent, not one per 0.1 s
    assert evaluated <= CODE_LIMITS.address.free + 100 / CODE_LIMITS.address.base + 1
    waited = 0.0
    try:
        result = _redeem(lim, service, GOOD, source=nat, now=at(t))
    except RateLimited as exc:
        waited = exc.retry_after
        result = _redeem(lim, service, GOOD, source=nat, now=at(t + waited))
    assert result == "session-token"
    assert waited <= 2  # before: 495 s of slow mode for everyone behind the address


@pytest.mark.parametrize("known", ["ABCD-EFGH-2345-", "ABCD-EFGH-", "ABCD-....-2345-"])
def test_brute_force_against_one_code_is_stopped(engine, known: str) -> None:
    """Someone who read 8 or 12 of a letter's 16 characters tries the rest (2^20 or 2^40
    values), from a new address each time (a botnet): the code's own counters stop it."""
    lim, service = RateLimiter(engine, CODE_POLICY, key=KEY), FakeService()
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
    t, tried, i = 0.0, 0, 0
    while t < 24 * 3600:
        rest = "".join(alphabet[(i >> (5 * k)) % 32] for k in range(8))
        guess = known.replace("....", rest[4:8]) + rest[: 19 - len(known)]
        try:
            _redeem(lim, service, guess, source=f"bot{i}", now=at(t))
            raise AssertionError("found the code")
        except RateLimited as exc:
            t += exc.retry_after  # a patient attacker waits exactly as told
            continue
        except CodeRejected:
            tried += 1
            i += 1
    # 5 free, 12 doublings up to an hour, then one an hour: under 50 of 1,048,576 a day
    assert tried < 50
    # the attack touches no other voter's code, even from the attacker's own address ...
    assert _redeem(lim, service, OTHER, source="bot1", now=at(t)) == "session-token"
    # ... and the attacked code's holder waits at most an hour (then reports the letter)
    try:
        _redeem(lim, service, GOOD, source="home", now=at(t))
    except RateLimited as exc:
        assert exc.retry_after <= CODE_LIMITS.code.cap


def test_other_service_refusals_pass_through_uncounted(engine) -> None:
    lim = RateLimiter(engine, CODE_POLICY, key=KEY)

    def closed(code: str) -> str:
        raise RuntimeError("election closed")

    with pytest.raises(RuntimeError):
        redeem_code(
            lim,
            election_id="e1",
            code=GOOD,
            source="s",
            redeem=closed,
            is_bad_code=lambda exc: isinstance(exc, BadCode),
            now=T0,
        )


def test_counter_rows_do_not_reveal_the_source_address(engine: Engine) -> None:
    # An unkeyed hash of an IPv4 address is reversed by trying all 2^32 of them;
    # the rows are keyed by an HMAC under a secret key file instead.
    import hashlib

    from sqlalchemy import select

    from tohyo.app.auth import tables

    lim = RateLimiter(engine, RatePolicy(), key=KEY)
    lim.failure(scope="code", source="203.0.113.7", account="acct")
    with engine.connect() as conn:
        keys = {row.key for row in conn.execute(select(tables.rate_counters))}
    plain = hashlib.sha256("\x00".join(("code", "source", "203.0.113.7")).encode()).hexdigest()
    assert keys and plain not in keys
    other = RateLimiter(engine, RatePolicy(), key=b"o" * 32)
    other.failure(scope="code", source="203.0.113.7", account="acct")
    with engine.connect() as conn:
        assert len({row.key for row in conn.execute(select(tables.rate_counters))}) == 2 * len(keys)


def test_a_short_key_is_refused(engine: Engine) -> None:
    with pytest.raises(ValueError):
        RateLimiter(engine, key=b"short")
