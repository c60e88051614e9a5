"""Alembic environment: runs on a connection the caller hands over (§ST-4).

The caller (``tohyo.app.store.migrate``) opens the engine with the service's
own durability settings and passes ``config.attributes["connection"]``; no URL
is read from the environment or the ini file.
"""

from __future__ import annotations

from alembic import context

from tohyo.app.store.models import Base

config = context.config
connection = config.attributes.get("connection")
if connection is None:  # pragma: no cover - guarded by tohyo.app.store.migrate
    raise RuntimeError("run migrations through tohyo.app.store.migrate.upgrade()")

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    # SQLite cannot ALTER most things: later migrations use batch mode.
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
