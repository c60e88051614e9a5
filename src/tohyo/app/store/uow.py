"""The unit of work: one transaction, rolled back unless committed (§ST-5).

Services own transactions; routes never see a session::

    with uow_factory(write=True) as uow:
        ...
        uow.commit()

Leaving the block without :meth:`UnitOfWork.commit` rolls everything back,
so an exception anywhere stores nothing (the "reject" rule of THREATS).
A write unit of work on SQLite begins with ``BEGIN IMMEDIATE``
(:mod:`tohyo.app.store.db`).

The session, and so the pooled connection, exists only inside the ``with``
block (storage.md §ST-9): it is made on entry and closed on exit, whatever happens in
between. A unit of work used outside its block raises
:class:`UnitOfWorkNotEntered` instead of opening a session that nothing would
close: such a session, abandoned by an exception, kept its connection checked
out until the garbage collector broke the traceback's reference cycle, and a
dozen bad requests emptied the pool (issue 10).
"""

from __future__ import annotations

from types import TracebackType

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from tohyo.app.store.db import WRITE_OPTION
from tohyo.app.store.repositories import Repositories

__all__ = ["UnitOfWork", "UnitOfWorkFactory", "UnitOfWorkNotEntered"]


class UnitOfWorkNotEntered(RuntimeError):
    """A unit of work was used outside its ``with`` block (a programming error)."""


class UnitOfWork(Repositories):
    """A session plus the repositories bound to it, for the length of one ``with`` block."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        super().__init__(None)
        self._sessions = sessions
        self._entered = False
        self._committed = False

    @property
    def session(self) -> Session:
        if self._session is None:
            raise UnitOfWorkNotEntered(
                "a unit of work is used only inside `with runtime.uow() as uow:`"
            )
        return self._session

    def __enter__(self) -> UnitOfWork:
        if self._entered:
            raise UnitOfWorkNotEntered("a unit of work is entered once; make a new one")
        self._entered = True
        self._session = self._sessions()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        session, self._session = self._session, None
        if session is not None:
            # close() rolls back an uncommitted transaction at the connection and,
            # unlike rollback(), leaves loaded rows readable (detached) afterwards.
            session.close()

    def commit(self) -> None:
        """Commit; when this returns the transaction is durable (§ST-2)."""
        self.session.commit()
        self._committed = True

    def flush(self) -> None:
        self.session.flush()


class UnitOfWorkFactory:
    """Makes units of work on one engine: ``factory(write=True)``; nothing opens until entered."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._read = sessionmaker(bind=engine, expire_on_commit=False, autoflush=False)
        self._write = sessionmaker(
            bind=engine.execution_options(**{WRITE_OPTION: True}),
            expire_on_commit=False,
            autoflush=False,
        )

    def __call__(self, *, write: bool = False) -> UnitOfWork:
        return UnitOfWork(self._write if write else self._read)
