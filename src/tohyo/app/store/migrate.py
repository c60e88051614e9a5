"""Schema migrations through Alembic (docs/spec/storage.md §ST-4).

``tohyo db upgrade`` and the service's startup both call :func:`upgrade`;
the Alembic scripts live in ``tohyo/app/migrations/versions/<rev>_<slug>.py``.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

__all__ = ["alembic_config", "current_revisions", "head_revisions", "upgrade"]

_INI = Path(__file__).resolve().parent.parent / "alembic.ini"


def alembic_config() -> Config:
    cfg = Config(str(_INI))
    cfg.set_main_option("script_location", str(_INI.parent / "migrations"))
    return cfg


def upgrade(engine: Engine, revision: str = "heads") -> None:
    """Bring the schema to ``revision`` in one transaction.

    ``heads``: other packages (``tohyo.app.auth``) may keep their tables on a
    branch of their own in the same versions directory.
    """
    cfg = alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)


def current_revisions(engine: Engine) -> frozenset[str]:
    with engine.connect() as conn:
        return frozenset(MigrationContext.configure(conn).get_current_heads())


def head_revisions() -> frozenset[str]:
    return frozenset(ScriptDirectory.from_config(alembic_config()).get_heads())
