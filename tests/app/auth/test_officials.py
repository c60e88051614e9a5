"""Officials: TOTP, passwords, sessions (#40), CSRF (#39), roles and approvals (#41), audit."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import update

from tohyo.app.auth import tables
from tohyo.app.auth.approvals import ApprovalBook, GuardedAction
from tohyo.app.auth.audit import AuditLog, BrokenAuditChain
from tohyo.app.auth.errors import AuthError, RateLimited
from tohyo.app.auth.officials import OfficialDirectory, Role, require_role
from tohyo.app.auth.passwords import hash_password, verify_password
from tohyo.app.auth.ratelimit import RateLimiter
from tohyo.app.auth.sessions import SessionStore, check_origin
from tohyo.app.auth.totp import hotp, totp_at, verify_totp

KEY = b"k" * 32  # the rate limiter's HMAC key

T0 = datetime(2028, 10, 1, 9, 0, tzinfo=UTC)
PW = "correct horse battery staple"


def test_rfc6238_vectors() -> None:
    secret = b"12345678901234567890"
    for seconds, code in [(59, "94287082"), (1111111109, "07081804"), (2000000000, "69279037")]:
        assert totp_at(secret, datetime.fromtimestamp(seconds, UTC), digits=8) == code
    # RFC 4226 Appendix D
    assert [hotp(secret, i) for i in range(3)] == ["755224", "287082", "359152"]


def test_totp_replay_and_drift() -> None:
    secret = b"s" * 20
    code = totp_at(secret, T0)
    step = verify_totp(secret, code, now=T0 + timedelta(seconds=25), last_step=0)
    with pytest.raises(ValueError):
        verify_totp(secret, code, now=T0, last_step=step)  # same step twice
    with pytest.raises(ValueError):
        verify_totp(secret, code, now=T0 + timedelta(minutes=5), last_step=0)  # stale
    with pytest.raises(ValueError):
        verify_totp(secret, "12345a", now=T0, last_step=0)


def test_passwords() -> None:
    encoded = hash_password(PW)
    verify_password(PW, encoded)
    with pytest.raises(ValueError):
        verify_password(PW + "!", encoded)
    with pytest.raises(ValueError):
        hash_password("short")


@pytest.fixture
def world(engine):
    audit = AuditLog(engine)
    sessions = SessionStore(engine, b"c" * 32)
    directory = OfficialDirectory(
        engine,
        seal_key=b"s" * 32,
        sessions=sessions,
        limiter=RateLimiter(engine, key=KEY),
        audit=audit,
    )
    made = {}
    for name, role in [
        ("alice", Role.ADMINISTRATOR),
        ("bob", Role.ADMINISTRATOR),
        ("tina", Role.TRUSTEE),
        ("wes", Role.WITNESS),
        ("olga", Role.OPERATOR),
    ]:
        made[name] = directory.create(name, name.title(), role, PW, actor="setup", now=T0)
    return directory, made, audit, ApprovalBook(engine, audit)


def _sign_in(directory, made, name, now=T0, **kw):
    code = totp_at(made[name].totp_secret, now)
    return directory.sign_in(name, PW, code, source="127.0.0.1", now=now, **kw)


def test_sign_in_needs_password_and_totp(world) -> None:
    directory, made, audit, _ = world
    signed = _sign_in(directory, made, "alice")
    official, session = directory.current(signed.token, now=T0)
    assert official.role is Role.ADMINISTRATOR
    assert session.csrf_token == signed.csrf_token
    assert audit.entries()[-1].action == "official.sign_in"


@pytest.mark.parametrize(
    "case", ["password", "totp", "unknown", "replay-wrong-password", "disabled"]
)
def test_sign_in_failures_all_look_alike(world, case: str) -> None:
    directory, made, _, _ = world
    code = totp_at(made["alice"].totp_secret, T0)
    user, pw = "alice", PW
    if case == "password":
        pw = PW + "x"
    elif case == "totp":
        code = "000000" if code != "000000" else "111111"
    elif case == "unknown":
        user = "mallory"
    elif case == "replay-wrong-password":
        directory.sign_in("alice", PW, code, source="s", now=T0)
        pw = PW + "x"
    elif case == "disabled":
        directory.set_disabled("alice", True, actor="bob", now=T0)
    with pytest.raises(AuthError) as excinfo:
        directory.sign_in(user, pw, code, source="s", now=T0 + timedelta(seconds=1))
    assert excinfo.value.code == "auth.signin.failed"


def test_a_reused_code_is_named_only_after_the_right_password(world) -> None:
    """§AUTH-APPR-5: the right code of a step already used, with the right password, is
    refused as ``auth.signin.code_reused`` (and still counted as a failure)."""
    directory, made, audit, _ = world
    code = totp_at(made["alice"].totp_secret, T0)
    directory.sign_in("alice", PW, code, source="s", now=T0)
    with pytest.raises(AuthError) as excinfo:
        directory.sign_in("alice", PW, code, source="s", now=T0 + timedelta(seconds=1))
    assert excinfo.value.code == "auth.signin.code_reused"
    last = audit.entries()[-1]
    assert (last.action, last.detail) == ("official.sign_in_failed", {"code_reused": True})


def test_repeated_failures_are_rate_limited(world) -> None:
    directory, _, _, _ = world
    with pytest.raises(RateLimited):
        for _ in range(10):
            try:
                directory.sign_in("alice", "wrong password!!", "000000", source="x", now=T0)
            except AuthError as exc:
                if exc.code == "auth.rate_limited":
                    raise


def test_session_rotates_at_sign_in(world) -> None:
    directory, made, _, _ = world
    first = _sign_in(directory, made, "alice")
    later = T0 + timedelta(seconds=60)
    second = _sign_in(directory, made, "alice", now=later, previous_token=first.token)
    assert second.token != first.token
    with pytest.raises(AuthError) as excinfo:
        directory.current(first.token, now=later)
    assert excinfo.value.code == "auth.session.expired"
    directory.current(second.token, now=later)


def test_logout_kills_the_server_side_session(world) -> None:
    directory, made, audit, _ = world
    signed = _sign_in(directory, made, "alice")
    directory.sign_out(signed.token, now=T0)
    with pytest.raises(AuthError) as excinfo:
        directory.current(signed.token, now=T0)
    assert excinfo.value.code == "auth.session.expired"
    assert audit.entries()[-1].action == "official.sign_out"


def test_idle_and_absolute_timeouts(world) -> None:
    directory, made, _, _ = world
    idle = _sign_in(directory, made, "alice")
    with pytest.raises(AuthError):
        directory.current(idle.token, now=T0 + timedelta(minutes=16))
    busy = _sign_in(directory, made, "bob")
    t = T0
    for _ in range(8 * 6):  # active every 10 minutes...
        t += timedelta(minutes=10)
        try:
            directory.current(busy.token, now=t)
        except AuthError as exc:
            assert exc.code == "auth.session.expired"
            break
    assert t - T0 <= timedelta(hours=8, minutes=10)  # ...still ends at the absolute limit


def test_missing_session_cookie(world) -> None:
    directory, _, _, _ = world
    with pytest.raises(AuthError) as excinfo:
        directory.current("", now=T0)
    assert excinfo.value.code == "auth.session.missing"


def test_csrf_and_origin(world) -> None:
    directory, made, _, _ = world
    signed = _sign_in(directory, made, "alice")
    _, session = directory.current(signed.token, now=T0)
    directory.sessions.check_csrf(session, signed.csrf_token)
    for presented, code in [("", "auth.csrf.missing"), ("f" * 64, "auth.csrf.invalid")]:
        with pytest.raises(AuthError) as excinfo:
            directory.sessions.check_csrf(session, presented)
        assert excinfo.value.code == code
    # Another session's token is not this session's.
    other = _sign_in(directory, made, "bob")
    with pytest.raises(AuthError):
        directory.sessions.check_csrf(session, other.csrf_token)
    allowed = frozenset({"https://vote.example.jp"})
    check_origin("https://vote.example.jp", allowed)
    for origin in (None, "", "https://evil.example", "null"):
        with pytest.raises(AuthError) as excinfo:
            check_origin(origin, allowed)
        assert excinfo.value.code == "auth.csrf.origin"


def test_role_separation(world) -> None:
    _, made, _, book = world
    admin = made["alice"].official
    require_role(admin, Role.ADMINISTRATOR)
    with pytest.raises(AuthError) as excinfo:
        require_role(admin, Role.TRUSTEE)  # an administrator is not a trustee
    assert excinfo.value.code == "auth.forbidden.role"
    for name in ("tina", "wes", "olga"):
        with pytest.raises(AuthError):
            book.request(made[name].official, GuardedAction.OPEN, "e1", now=T0)


def test_two_person_approval(world) -> None:
    _, made, audit, book = world
    alice, bob, tina = (made[n].official for n in ("alice", "bob", "tina"))
    req = book.request(alice, GuardedAction.OPEN, "e1", now=T0)
    with pytest.raises(AuthError) as excinfo:
        book.approve(alice, req.id, now=T0)
    assert excinfo.value.code == "auth.approval.self"
    with pytest.raises(AuthError) as excinfo:
        book.consume(req.id, GuardedAction.OPEN, "e1", now=T0)
    assert excinfo.value.code == "auth.approval.not_approved"
    with pytest.raises(AuthError):
        book.approve(tina, req.id, now=T0)  # a trustee cannot approve
    book.approve(bob, req.id, now=T0)
    with pytest.raises(AuthError) as excinfo:
        book.approve(bob, req.id, now=T0)
    assert excinfo.value.code == "auth.approval.already_approved"
    with pytest.raises(AuthError) as excinfo:
        book.consume(req.id, GuardedAction.CLOSE, "e1", now=T0)
    assert excinfo.value.code == "auth.approval.mismatch"
    book.consume(req.id, GuardedAction.OPEN, "e1", now=T0)
    with pytest.raises(AuthError) as excinfo:
        book.consume(req.id, GuardedAction.OPEN, "e1", now=T0)
    assert excinfo.value.code == "auth.approval.used"
    late = book.request(alice, GuardedAction.TALLY, "e1", now=T0)
    with pytest.raises(AuthError) as excinfo:
        book.approve(bob, late.id, now=T0 + timedelta(hours=1))
    assert excinfo.value.code == "auth.approval.expired"
    actions = [e.action for e in audit.entries()]
    assert "approval.execute.open" in actions
    audit.verify()


def test_audit_chain_detects_tampering(world, engine) -> None:
    _, _, audit, _ = world
    audit.verify()
    with engine.begin() as conn:
        conn.execute(update(tables.audit).where(tables.audit.c.seq == 2).values(actor="nobody"))
    with pytest.raises(BrokenAuditChain) as excinfo:
        audit.verify()
    assert excinfo.value.seq == 2


def test_audit_never_holds_secrets(world) -> None:
    directory, made, audit, _ = world
    _sign_in(directory, made, "alice")
    text = repr(audit.entries())
    assert PW not in text
    assert made["alice"].totp_secret.hex() not in text
