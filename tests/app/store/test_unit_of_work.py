"""The unit of work holds a connection only inside its ``with`` block (storage.md §ST-8)."""

from __future__ import annotations

import gc

import pytest

from tohyo.app.services.runtime import Runtime
from tohyo.app.store.uow import UnitOfWorkNotEntered


def test_a_unit_of_work_is_used_only_inside_its_block(runtime: Runtime) -> None:
    pool = runtime.engine.pool
    gc.disable()
    try:
        uow = runtime.uow()
        with pytest.raises(UnitOfWorkNotEntered):
            uow.election("anything")  # outside the block: refused, nothing opened
        assert pool.checkedout() == 0
        with pytest.raises(LookupError), uow:
            uow.election("anything")
            assert pool.checkedout() == 1
            raise LookupError("a refusal inside the block")
        assert pool.checkedout() == 0  # closed on the way out, without the collector
        with pytest.raises(UnitOfWorkNotEntered):
            uow.election("anything")  # after the block: refused
        with pytest.raises(UnitOfWorkNotEntered), uow:
            pass  # entered once only
        assert pool.checkedout() == 0
    finally:
        gc.enable()


def test_every_write_transaction_takes_the_lock_up_front() -> None:
    """Writes go through ``begin_write`` or a ``write=True`` unit of work (§ST-8).

    A bare ``engine.begin()`` on SQLite is a deferred transaction: if it reads
    before it writes, a concurrent writer makes it fail instead of wait.
    """
    import re
    from pathlib import Path

    import tohyo

    root = Path(tohyo.__file__).parent
    # begin_write itself, and the migrations (one connection, at startup)
    allowed = {root / "app" / "store" / "db.py", root / "app" / "store" / "migrate.py"}
    found = [
        f"{path.relative_to(root)}:{n}"
        for path in root.rglob("*.py")
        if path not in allowed
        for n, line in enumerate(path.read_text().splitlines(), 1)
        if re.search(r"\bengine\.begin\(\)", line)
    ]
    assert found == []
