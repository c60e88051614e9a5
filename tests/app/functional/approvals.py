"""Officials for tests that drive the CLI (ADR 0040): two administrators approve an action
in-process; :class:`Clerk` signs one official in at the terminal."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import typer
from sqlalchemy import Engine
from typer.testing import CliRunner

from tohyo.app.auth import officials
from tohyo.app.auth.approvals import ApprovalBook, GuardedAction
from tohyo.app.auth.audit import AuditLog
from tohyo.app.auth.officials import Role
from tohyo.app.auth.totp import totp_at
from tohyo.app.auth.wiring import officials_directory
from tohyo.cli._approval import PASSWORD_ENV, TOTP_ENV

PASSWORD = "correct horse battery staple"


def ensure_admins(engine: Engine, keys_dir: Path, *names: str) -> dict[str, bytes]:
    """Create administrator accounts that do not exist yet; their TOTP secrets."""
    directory = officials_directory(engine, keys_dir)
    secrets: dict[str, bytes] = {}
    for name in names:
        try:
            directory.get(name)
        except KeyError:
            made = directory.create(name, name, Role.ADMINISTRATOR, PASSWORD, actor="test")
            secrets[name] = made.totp_secret
    return secrets


def approved(
    engine: Engine, keys_dir: Path, action: str, election_id: str, *, now: datetime | None = None
) -> str:
    """``ada`` requests, ``ben`` approves; the approval id, ready to spend."""
    ensure_admins(engine, keys_dir, "ada", "ben")
    directory = officials_directory(engine, keys_dir)
    book = ApprovalBook(engine, directory.audit)
    made = book.request(directory.get("ada"), GuardedAction(action), election_id, now=now)
    book.approve(directory.get("ben"), made.id, now=now)
    return made.id


# ---------------------------------------------------------------- one official at the terminal

ADMIN, OPERATOR, WITNESS = "clerk", "otto", "wendy"


class Clerk:
    """Signs officials in at the terminal for CLI tests (authentication.md §AUTH-APPR-2).

    Creates ``clerk`` (administrator), ``otto`` (operator) and ``wendy`` (witness) with known
    TOTP secrets. A TOTP step signs in once per account and failures slow a source down, so
    the sign-in clock moves 16 minutes per code: every code is fresh and the rate limiter has
    forgotten the last failure.
    """

    def __init__(self, engine: Engine, keys_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        directory = officials_directory(engine, keys_dir)
        self.engine = engine
        self.totp: dict[str, bytes] = {}
        for name, role in ((ADMIN, Role.ADMINISTRATOR), (OPERATOR, Role.OPERATOR),
                           (WITNESS, Role.WITNESS)):
            self.totp[name] = directory.create(name, name, role, PASSWORD, actor="test").totp_secret
        self.moment = datetime.now(UTC)
        monkeypatch.setattr(officials, "utcnow", lambda now=None: now or self.moment)

    def code(self, user: str) -> str:
        self.moment += timedelta(minutes=16)
        return totp_at(self.totp[user], self.moment)

    def wrong_code(self, user: str) -> str:
        """A code that is none of the three the verifier accepts now."""
        self.moment += timedelta(minutes=16)
        near = {totp_at(self.totp[user], self.moment + timedelta(seconds=d)) for d in (-30, 0, 30)}
        return next(c for c in (f"{n:06d}" for n in range(1, 10)) if c not in near)

    def invoke(self, app: typer.Typer, *args: str, user: str = ADMIN,
               password: str = PASSWORD, totp: str | None = None) -> Any:
        """``tohyo ARGS --user U --totp CODE`` with the password in TOHYO_OFFICIAL_PASSWORD."""
        code = self.code(user) if totp is None else totp
        return CliRunner().invoke(app, [*args, "--user", user, "--totp", code],
                                  env={PASSWORD_ENV: password, TOTP_ENV: None})

    def trail(self) -> list[tuple[str, str, dict[str, Any]]]:
        """The officials' audit log (checked to hold) as (actor, action, detail)."""
        log = AuditLog(self.engine)
        log.verify()
        return [(e.actor, e.action, e.detail) for e in log.entries()]
