"""The two-person rule on the command line (authentication.md §AUTH-APPR, docs/adr/0040).

Official A requests with ``tohyo officials request`` (password + TOTP at the
terminal), a different official B approves with ``tohyo officials approve``,
and ``tohyo election open|close`` / ``tohyo record tally`` spend the approval
once. Every refusal is typed and has its exit code; both audit logs name the
officials. Runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from tohyo.app.auth import officials
from tohyo.app.auth.approvals import ApprovalBook, ApprovalTicket, GuardedAction
from tohyo.app.auth.audit import AuditLog
from tohyo.app.auth.authority import DevApproval
from tohyo.app.auth.errors import ApprovalRejected
from tohyo.app.auth.totp import totp_at
from tohyo.app.errors import Conflict
from tohyo.app.services.elections import close_election, get_election, open_election
from tohyo.app.services.tally import record_tally
from tohyo.cli.main import _register, app

from .approvals import PASSWORD, approved, ensure_admins
from .test_tally import _cast_and_close, _shares

SRC = Path(__file__).resolve().parents[3] / "src" / "tohyo"


@pytest.fixture
def cli() -> typer.Typer:
    _register()
    return app


class Terminal:
    """Runs ``tohyo`` against the test runtime's database, typing passwords and codes."""

    def __init__(self, cli: typer.Typer, runtime: Any, monkeypatch: pytest.MonkeyPatch) -> None:
        self.cli, self.runtime = cli, runtime
        s = runtime.settings
        self.db = ["--data-dir", str(s.data_dir), "--database-url", s.database_url]
        self.totp = ensure_admins(runtime.engine, s.keys_dir, "ada", "ben")
        # Each TOTP step signs in once per account: the sign-in clock moves 30 s a time.
        self.moment = datetime.now(UTC)
        monkeypatch.setattr(officials, "utcnow", lambda now=None: now or self.moment)

    def code(self, user: str) -> str:
        self.moment += timedelta(seconds=30)
        return totp_at(self.totp[user], self.moment)

    def run(self, *args: str, typed: str | None = None) -> Any:
        return CliRunner().invoke(self.cli, [*args, *self.db], input=typed)

    def sign_in(self, user: str, password: str = PASSWORD) -> str:
        return f"{user}\n{password}\n{self.code(user)}\n"

    def request(self, user: str, action: str, election_id: str) -> str:
        done = self.run("officials", "request", "--election", election_id, "--action", action,
                        typed=self.sign_in(user))
        assert done.exit_code == 0, done.output
        (approval,) = re.findall(r"^[0-9a-f]{32}$", done.stdout, re.MULTILINE)
        return str(approval)

    def approve(self, user: str, approval: str) -> Any:
        return self.run("officials", "approve", approval, typed=self.sign_in(user))


def _refused(result: Any, code: str, exit_code: int = 3) -> None:
    assert result.exit_code == exit_code, result.output
    assert code in result.output, result.output


def test_open_and_close_need_two_officials_at_the_terminal(
    cli: typer.Typer, runtime: Any, election_factory: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    eid = election_factory("cli-two", open_=False).id
    election_factory("other", open_=False)
    term = Terminal(cli, runtime, monkeypatch)

    _refused(term.run("election", "open", eid), "--approval", exit_code=2)  # no single person
    _refused(term.run("election", "open", eid, "--approval", "nope"), "auth.approval.unknown")
    _refused(term.run("election", "open", eid, "--approval", "0" * 32), "auth.approval.unknown")

    wrong = term.run("officials", "request", "--election", eid, "--action", "open",
                     typed=term.sign_in("ada", "not the password"))
    _refused(wrong, "auth.signin.failed")
    unknown = term.run("officials", "request", "--election", "nowhere", "--action", "open",
                       typed=term.sign_in("ada"))
    _refused(unknown, "election.not_found", exit_code=1)

    opening = term.request("ada", "open", eid)
    _refused(term.approve("ada", opening), "auth.approval.self")
    _refused(term.run("election", "open", eid, "--approval", opening), "auth.approval.not_approved")
    other = term.request("ada", "open", "other")
    closing = term.request("ada", "close", eid)
    for ticket in (other, closing):
        assert term.approve("ben", ticket).exit_code == 0
        _refused(term.run("election", "open", eid, "--approval", ticket), "auth.approval.mismatch")
    approved_ = term.approve("ben", opening)
    assert approved_.exit_code == 0, approved_.output
    assert "requested by ada, approved by ben" in approved_.output
    _refused(term.approve("ben", opening), "auth.approval.already_approved")

    done = term.run("election", "open", eid, "--approval", opening)
    assert done.exit_code == 0, done.output
    assert json.loads(done.stdout)["state"] == "open"
    _refused(term.run("election", "close", eid, "--approval", opening), "auth.approval.mismatch")
    _refused(term.run("election", "open", eid, "--approval", opening), "auth.approval.used")

    closing = term.request("ben", "close", eid)
    assert term.approve("ada", closing).exit_code == 0
    done = term.run("election", "close", eid, "--approval", closing, "--reason", "test over")
    assert done.exit_code == 0, done.output
    assert get_election(runtime, eid).state == "closed"

    with runtime.uow() as uow:
        events = {e.kind: e for e in uow.audit_events(eid)}
    assert events["election.open"].actor == "ada+ben"
    assert events["election.close"].actor == "ben+ada"
    assert opening in events["election.open"].detail
    trail = [(e.actor, e.action) for e in AuditLog(runtime.engine).entries()]
    for step in [("ada", "approval.request.open"), ("ben", "approval.approve.open"),
                 ("ben", "approval.execute.open"), ("ben", "approval.request.close"),
                 ("ada", "approval.approve.close"), ("ada", "approval.execute.close"),
                 ("ada", "official.sign_in_failed")]:
        assert step in trail
    AuditLog(runtime.engine).verify()


def test_services_refuse_without_an_approval(runtime: Any, election_factory: Any) -> None:
    eid = election_factory("no-bypass", open_=False).id
    nothing: Any = None  # what an untyped caller could pass
    calls: list[Callable[[], object]] = [
        lambda: open_election(runtime, eid, approval=nothing),
        lambda: close_election(runtime, eid, approval=nothing, reason="x"),
        lambda: open_election(runtime, eid),  # type: ignore[call-arg]
    ]
    for call in calls:
        with pytest.raises(TypeError):
            call()
    assert get_election(runtime, eid).state == "key_ceremony"
    with pytest.raises(ValueError):
        DevApproval("production")


def test_tally_approval_is_spent_by_record_tally(
    runtime: Any, election: Any, voter: Any
) -> None:
    eid = election.id
    _cast_and_close(election, voter, runtime)
    keys = runtime.settings.keys_dir
    now = runtime.now()
    opening = approved(runtime.engine, keys, "open", eid, now=now)
    book = ApprovalBook(runtime.engine, AuditLog(runtime.engine))
    shares = _shares(runtime, eid, (1, 2))
    with pytest.raises(ApprovalRejected) as caught:
        record_tally(runtime, eid, shares, approval=ApprovalTicket(book, opening))
    assert caught.value.code == "auth.approval.mismatch"
    tally = approved(runtime.engine, keys, "tally", eid, now=now)
    with pytest.raises(Conflict):  # 1 of a 2-of-3 key: refused before the approval is spent
        record_tally(runtime, eid, _shares(runtime, eid, (1,)),
                     approval=ApprovalTicket(book, tally))
    book.check(tally, GuardedAction.TALLY, eid, now=now)  # the HTTP execute: not spent either
    record_tally(runtime, eid, shares, approval=ApprovalTicket(book, tally))
    assert get_election(runtime, eid).state == "tallied"
    with pytest.raises(ApprovalRejected) as caught:
        book.check(tally, GuardedAction.TALLY, eid, now=now)
    assert caught.value.code == "auth.approval.used"
    with runtime.uow() as uow:
        (event,) = [e for e in uow.audit_events(eid) if e.kind == "election.tally"]
    assert event.actor == "ada+ben"


def test_dev_approval_is_audited_as_such(runtime: Any, election_factory: Any) -> None:
    eid = election_factory("dev-path").id  # opened with DevApproval("test")
    with runtime.uow() as uow:
        (event,) = [e for e in uow.audit_events(eid) if e.kind == "election.open"]
    assert event.actor == "dev:test"
    trail = [(e.actor, e.action, e.detail) for e in AuditLog(runtime.engine).entries()]
    assert ("dev:test", "approval.dev.open", {"election": eid, "purpose": "test"}) in trail


@pytest.mark.parametrize("path", ["app/web", "cli/election.py", "cli/record.py",
                                  "cli/officials.py", "cli/_approval.py"])
def test_http_and_production_cli_never_build_a_dev_approval(path: str) -> None:
    files = [SRC / path] if path.endswith(".py") else sorted((SRC / path).rglob("*.py"))
    assert files
    for file in files:
        text = file.read_text()
        assert "DevApproval" not in text and "auth.authority" not in text, file


def test_a_refused_close_leaves_its_approval_unspent(runtime: Any, election: Any) -> None:
    """Closing early without a reason is refused, and the approval stays usable
    (authentication.md §AUTH-APPR-1): only a command that succeeds spends it."""
    eid = election.id
    keys = runtime.settings.keys_dir
    now = runtime.now()
    ticket = ApprovalTicket(
        ApprovalBook(runtime.engine, AuditLog(runtime.engine)),
        approved(runtime.engine, keys, "close", eid, now=now),
    )
    with pytest.raises(Conflict) as caught:
        close_election(runtime, eid, approval=ticket)
    assert caught.value.code == "election.reason_required"
    audit = AuditLog(runtime.engine).entries()
    assert not [e for e in audit if e.action == "approval.execute.close"]
    ticket.book.check(ticket.approval_id, GuardedAction.CLOSE, eid, now=now)  # still usable
    close_election(runtime, eid, approval=ticket, reason="the commission's decision")
    assert get_election(runtime, eid).state == "closed"
    entries = AuditLog(runtime.engine).entries()
    assert len([e for e in entries if e.action == "approval.execute.close"]) == 1
    with pytest.raises(ApprovalRejected) as again:
        ticket.book.check(ticket.approval_id, GuardedAction.CLOSE, eid, now=now)
    assert again.value.code == "auth.approval.used"


def test_a_refused_open_leaves_its_approval_unspent(runtime: Any, election_factory: Any) -> None:
    made = election_factory("test-open-twice")  # already open
    keys = runtime.settings.keys_dir
    now = runtime.now()
    ticket = ApprovalTicket(
        ApprovalBook(runtime.engine, AuditLog(runtime.engine)),
        approved(runtime.engine, keys, "open", made.id, now=now),
    )
    with pytest.raises(Conflict):  # already open: the transition is refused
        open_election(runtime, made.id, approval=ticket)
    ticket.book.check(ticket.approval_id, GuardedAction.OPEN, made.id, now=now)  # unspent


def test_request_and_approve_print_japan_time(
    cli: typer.Typer, runtime: Any, election_factory: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    eid = election_factory("cli-jst", open_=False).id
    term = Terminal(cli, runtime, monkeypatch)
    made = term.run("officials", "request", "--election", eid, "--action", "open",
                    typed=term.sign_in("ada"))
    assert made.exit_code == 0, made.output
    stamp = re.search(r"before (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d) JST", made.output)
    assert stamp is not None, made.output  # no UTC offset, no microseconds
    (approval,) = re.findall(r"^[0-9a-f]{32}$", made.stdout, re.MULTILINE)
    expires = datetime.strptime(stamp.group(1), "%Y-%m-%d %H:%M:%S")
    jst = (term.moment + timedelta(minutes=30)).astimezone(timezone(timedelta(hours=9)))
    assert abs((expires - jst.replace(tzinfo=None)).total_seconds()) <= 120
    done = term.approve("ben", approval)
    assert re.search(r"use it before \d{4}-\d\d-\d\d \d\d:\d\d:\d\d JST", done.output)


# ---------------------------------------------------------------- terminal session (§AUTH-APPR-5)


def test_terminal_session_signs_in_once_and_ends(
    cli: typer.Typer, runtime: Any, election_factory: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    import os
    import stat

    from tohyo.cli import _terminal_session as terminal_session

    eid = election_factory("cli-session", open_=False).id
    term = Terminal(cli, runtime, monkeypatch)
    path = terminal_session.session_path()
    nobody = term.run("officials", "request", "--election", eid, "--action", "open", typed="")
    _refused(nobody, "auth.signin.required")  # no session yet: asks, and nothing was typed

    login = term.run("officials", "login", "--minutes", "5", typed=term.sign_in("ada"))
    assert login.exit_code == 0, login.output
    assert re.search(r"signed in as ada until \d{4}-\d\d-\d\d \d\d:\d\d:\d\d JST", login.output)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(path.parent).st_mode) & 0o077 == 0
    assert "token" not in login.output and terminal_session.load().token not in login.output

    # Two commands, nothing typed: the session signs ada in (a code is good only once).
    first = term.run("officials", "request", "--election", eid, "--action", "open", typed="")
    second = term.run("officials", "request", "--election", eid, "--action", "close", typed="")
    assert first.exit_code == 0 and second.exit_code == 0, (first.output, second.output)
    trail = [(e.actor, e.action) for e in AuditLog(runtime.engine).entries()]
    assert trail.count(("ada", "approval.request.open")) == 1
    assert ("ada", "cli.officials.login") in trail

    # Another official at the same terminal names themselves and signs in for real;
    # without --user the command is ada's, and ada may not approve her own request.
    (opening,) = re.findall(r"^[0-9a-f]{32}$", first.stdout, re.MULTILINE)
    _refused(term.run("officials", "approve", opening, typed=""), "auth.approval.self")
    by_ben = term.run("officials", "approve", opening, "--user", "ben",
                      typed=f"{PASSWORD}\n{term.code('ben')}\n")
    assert by_ben.exit_code == 0, by_ben.output

    logout = term.run("officials", "logout")
    assert logout.exit_code == 0 and "signed out ada" in logout.output
    assert not path.exists()
    after = term.run("officials", "request", "--election", eid, "--action", "open", typed="")
    _refused(after, "auth.signin.required")


def test_terminal_session_refusals(
    cli: typer.Typer, runtime: Any, election_factory: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    import os

    from tohyo.app.auth.wiring import officials_directory
    from tohyo.cli import _terminal_session as terminal_session

    eid = election_factory("cli-session-bad", open_=False).id
    term = Terminal(cli, runtime, monkeypatch)
    path = terminal_session.session_path()

    def request() -> Any:
        return term.run("officials", "request", "--election", eid, "--action", "open", typed="")

    assert term.run("officials", "login", typed=term.sign_in("ada")).exit_code == 0
    os.chmod(path, 0o644)  # another account could read the token
    _refused(request(), "auth.session.file_unsafe")
    os.chmod(path, 0o600)

    live = terminal_session.load()
    assert live is not None
    terminal_session.save(  # the end has passed: the file is dropped, the command asks again
        terminal_session.TerminalSession(
            live.username, live.token, live.database_url, datetime.now(UTC) - timedelta(seconds=1)
        )
    )
    _refused(request(), "auth.signin.required")
    assert not path.exists()

    assert term.run("officials", "login", typed=term.sign_in("ada")).exit_code == 0
    directory = officials_directory(runtime.engine, runtime.settings.keys_dir)
    directory.set_disabled("ada", True, actor="test")  # revoked on the service
    _refused(request(), "auth.session.expired")
    assert not path.exists()
    directory.set_disabled("ada", False, actor="test")

    assert term.run("officials", "login", "--minutes", "61", typed="").exit_code == 2


def test_a_reused_one_time_code_is_named(
    cli: typer.Typer, runtime: Any, election_factory: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    eid = election_factory("cli-reuse", open_=False).id
    term = Terminal(cli, runtime, monkeypatch)
    typed = term.sign_in("ada")  # one code, typed twice within its 30 s
    first = term.run("officials", "request", "--election", eid, "--action", "open", typed=typed)
    assert first.exit_code == 0, first.output
    again = term.run("officials", "request", "--election", eid, "--action", "open", typed=typed)
    _refused(again, "auth.signin.code_reused")
    assert "Wait for the next code" in again.output
    wrong = term.run("officials", "request", "--election", eid, "--action", "open",
                     typed=typed.replace(PASSWORD, "not the password"))
    _refused(wrong, "auth.signin.failed")  # without the password, nothing is told
