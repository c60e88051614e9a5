"""Where the second medium lives, and the refusal to keep it beside the database (§ST-6.4).

Hiroshima's rule (seed 003) copies each vote to *another* medium, kept in its own
sealed container. A journal on the same filesystem as the database is lost with
the same disk, so a production service (``Settings.production``) refuses to start
unless the second medium is configured explicitly and its directory is on a
different device (``st_dev``) than the database's files. The embedded default
(``<data_dir>/journal``, used by the demo and the tests) may share the disk; the
service then logs a warning.

For PostgreSQL the database's files are found with ``current_setting
('data_directory')`` when the server runs on this host and the role may read it;
a database on another host cannot share this host's disk.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, text
from sqlalchemy.exc import SQLAlchemyError

from tohyo.app.errors import StartupError

__all__ = ["MediumPlacement", "check_placement", "database_path"]

_log = logging.getLogger("tohyo.storage")


@dataclass(frozen=True, slots=True)
class MediumPlacement:
    """What :func:`check_placement` found."""

    journal_dir: Path
    database_path: Path | None  #: None: the database's files are not on this host
    same_device: bool
    configured: bool


def database_path(engine: Engine) -> Path | None:
    """The directory holding the database's files on this host, or None if not local."""
    url = engine.url
    if url.get_backend_name() == "sqlite":
        return Path(url.database).resolve().parent if url.database else None
    if url.host not in (None, "", "localhost", "127.0.0.1", "::1"):
        return None  # a server on another host: its paths are not this host's
    try:
        with engine.connect() as conn:
            found = conn.execute(text("SELECT current_setting('data_directory', true)")).scalar()
    except SQLAlchemyError:
        return None
    if not found:
        return None
    path = Path(str(found))
    return path if path.exists() else None


def _device(path: Path) -> int:
    """``st_dev`` of ``path``, or of its nearest existing parent (not created yet)."""
    probe = path.resolve()
    while not probe.exists():
        probe = probe.parent
    return os.stat(probe).st_dev


def check_placement(
    journal_dir: Path, engine: Engine, *, configured: bool, production: bool
) -> MediumPlacement:
    """Refuse (production) or warn (otherwise) when the copy shares the database's disk.

    Raises:
        StartupError: in production, the second medium is not configured, or it is
            on the database's filesystem.
    """
    db_dir = database_path(engine)
    same = db_dir is not None and _device(journal_dir) == _device(db_dir)
    placement = MediumPlacement(journal_dir, db_dir, same, configured)
    if production and not configured:
        raise StartupError(
            "production settings need a second medium on another disk: set "
            "TOHYO_SECOND_MEDIUM_DIR (or --second-medium)"
        )
    if same:
        message = (
            f"the second medium {journal_dir} is on the same filesystem as the database "
            f"({db_dir}): one disk failure loses both"
        )
        if production:
            raise StartupError(message)
        _log.warning("%s (allowed outside production settings only)", message)
    return placement
