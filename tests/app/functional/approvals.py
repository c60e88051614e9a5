"""Two administrators approve an action in-process, for tests that drive the CLI (ADR 0040)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from sqlalchemy import Engine

from tohyo.app.auth.approvals import ApprovalBook, GuardedAction
from tohyo.app.auth.officials import Role
from tohyo.app.auth.wiring import officials_directory

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
