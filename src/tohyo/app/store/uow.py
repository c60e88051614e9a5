"""The unit of work: one transaction, rolled back unless committed (§ST-5).

Services own transactions; routes never see a session::

    with uow_factory(write=True) as uow:
        ...
        uow.commit()

Leaving the block without :meth:`UnitOfWork.commit` rolls everything back,
so an exception anywhere stores nothing (the "reject" rule of THREATS).
A write unit of work on SQLite begins with ``BEGIN IMMEDIATE``
(:mod:`tohyo.app.store.db`).
"""

from __future__ import annotations

from types import TracebackType

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from tohyo.app.store.db import WRITE_OPTION
from tohyo.app.store.repositories import Repositories

__all__ = ["UnitOfWork", "UnitOfWorkFactory"]


class UnitOfWork(Repositories):
    """A session plus the repositories bound to it."""

    def __init__(self, session: Session) -> None:
        super().__init__(session)
        self._committed = False

    def __enter__(self) -> UnitOfWork:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        # close() rolls back an uncommitted transaction at the connection and,
        # unlike rollback(), leaves loaded rows readable (detached) afterwards.
        self.session.close()

    def commit(self) -> None:
        """Commit; when this returns the transaction is durable (§ST-2)."""
        self.session.commit()
        self._committed = True

    def flush(self) -> None:
        self.session.flush()


class UnitOfWorkFactory:
    """Makes units of work on one engine: ``factory(write=True)``."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._read = sessionmaker(bind=engine, expire_on_commit=False, autoflush=False)
        self._write = sessionmaker(
            bind=engine.execution_options(**{WRITE_OPTION: True}),
            expire_on_commit=False,
            autoflush=False,
        )

    def __call__(self, *, write: bool = False) -> UnitOfWork:
        return UnitOfWork((self._write if write else self._read)())
