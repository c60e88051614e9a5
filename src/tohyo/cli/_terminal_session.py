"""A short signed-in session for an official at the terminal (authentication.md §AUTH-APPR-5).

``tohyo officials login`` signs in once (password + one-time code) and keeps the
server's session token in a file that only the official's own account can read
(mode 0600, in a 0700 directory), with the database it belongs to and an end a
few minutes away. Until then the officials' commands use it instead of asking
again; ``tohyo officials logout`` ends it on the server and deletes the file, and
disabling the account ends it too. The file is a bearer credential, so it is
refused if any other account could read or replace it.
"""

from __future__ import annotations

import json
import os
import stat
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

__all__ = [
    "SESSION_FILE_ENV",
    "TerminalSession",
    "UnsafeSessionFile",
    "forget",
    "load",
    "save",
    "session_path",
]

SESSION_FILE_ENV = "TOHYO_OFFICIAL_SESSION_FILE"
MAX_MINUTES = 60


class UnsafeSessionFile(ValueError):
    """The session file is readable or writable by another account, or not ours."""


@dataclass(frozen=True, slots=True)
class TerminalSession:
    """What the file holds: whose session, for which database, until when."""

    username: str
    token: str
    database_url: str
    expires_at: datetime

    def to_json(self) -> str:
        return json.dumps(
            {
                "username": self.username,
                "token": self.token,
                "database_url": self.database_url,
                "expires_at": self.expires_at.isoformat(),
            }
        )

    def __repr__(self) -> str:  # never print the token
        return f"TerminalSession(username={self.username!r}, expires_at={self.expires_at!r})"


def session_path() -> Path:
    """``$TOHYO_OFFICIAL_SESSION_FILE``, else ``$XDG_RUNTIME_DIR/tohyo/official-session.json``
    (a per-user tmpfs), else ``~/.cache/tohyo/official-session.json``."""
    given = os.environ.get(SESSION_FILE_ENV)
    if given:
        return Path(given)
    runtime_dir = os.environ.get("XDG_RUNTIME_DIR")
    base = Path(runtime_dir) if runtime_dir else Path.home() / ".cache"
    return base / "tohyo" / "official-session.json"


def save(session: TerminalSession, path: Path | None = None) -> Path:
    """Write the file atomically, mode 0600, its directory 0700."""
    target = path or session_path()
    target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    temporary = target.with_name(target.name + ".tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.fchmod(fd, 0o600)
        os.write(fd, session.to_json().encode())
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(temporary, target)
    return target


def load(path: Path | None = None, *, now: datetime | None = None) -> TerminalSession | None:
    """The session in the file, or None if there is no file or its end has passed
    (an ended file is deleted).

    Raises:
        UnsafeSessionFile: another account could read or change it, or it is not ours,
            or it does not parse.
    """
    target = path or session_path()
    try:
        info = target.lstat()
    except FileNotFoundError:
        return None
    if not stat.S_ISREG(info.st_mode) or info.st_uid != os.getuid():
        raise UnsafeSessionFile(f"{target} is not a file of this account")
    if info.st_mode & 0o077:
        raise UnsafeSessionFile(f"{target} can be read by other accounts (chmod 600 it)")
    try:
        raw = json.loads(target.read_text(encoding="utf-8"))
        session = TerminalSession(
            str(raw["username"]),
            str(raw["token"]),
            str(raw["database_url"]),
            datetime.fromisoformat(str(raw["expires_at"])),
        )
    except (ValueError, KeyError, TypeError) as exc:
        raise UnsafeSessionFile(f"{target} is not a session file") from exc
    if session.expires_at.tzinfo is None:
        raise UnsafeSessionFile(f"{target} is not a session file")
    if (now or datetime.now(UTC)) >= session.expires_at:
        forget(target)
        return None
    return session


def forget(path: Path | None = None) -> None:
    """Delete the file (no error if it is gone)."""
    (path or session_path()).unlink(missing_ok=True)


def lifetime(minutes: int) -> timedelta:
    """A session's length: 1 to :data:`MAX_MINUTES` minutes.

    Raises:
        ValueError: outside that range.
    """
    if not 1 <= minutes <= MAX_MINUTES:
        raise ValueError(f"a terminal session lasts 1 to {MAX_MINUTES} minutes")
    return timedelta(minutes=minutes)
