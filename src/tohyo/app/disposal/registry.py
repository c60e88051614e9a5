"""The registry of disposers: one per kind of personal data an election holds (docs/adr/0056).

A :class:`Disposer` deletes one kind of data of one election inside the
disposal's transaction and returns how many items it deleted; the disposal
certificate lists every disposer by name with its count, zero included, so a
reader sees what was looked for as well as what was found.

Rooms that store personal data of their own (bookings of the mobile station,
the assistance and proxy registers) register a disposer at import time with
:func:`register` and add their module's name to :data:`DISPOSER_MODULES`;
:func:`disposers` imports every listed module first, so no disposer is missed
because nothing happened to import its module. Disposers run in registration
order (a module's disposers in the order it registers them): rows that refer
to others go first.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

if TYPE_CHECKING:
    from tohyo.app.services.runtime import Runtime

__all__ = ["DISPOSER_MODULES", "DisposalContext", "Disposer", "disposers", "register"]

#: Modules that register disposers; append yours (one line) when your room stores personal data.
DISPOSER_MODULES: tuple[str, ...] = ("tohyo.app.disposal.builtin",)


@dataclass(frozen=True, slots=True)
class DisposalContext:
    """What a disposer gets: the disposal's write transaction and the election."""

    session: Session
    runtime: Runtime
    election_id: str
    now: datetime


@dataclass(frozen=True, slots=True)
class Disposer:
    """Deletes one kind of an election's personal data; returns the number of items deleted.

    Attributes:
        name: the key in the disposal certificate (``[a-z_]+``, unique).
        what: one English sentence saying what is deleted.
        run: deletes within ``context.session`` (never commits).
    """

    name: str
    what: str
    run: Callable[[DisposalContext], int]


_REGISTRY: dict[str, Disposer] = {}


def register(disposer: Disposer) -> Disposer:
    """Add ``disposer`` to the registry (at import time of its module).

    Raises:
        ValueError: another disposer has the same name, or the name is not ``[a-z_]+``.
    """
    if not disposer.name or not all(c.islower() or c == "_" for c in disposer.name):
        raise ValueError(f"a disposer's name is [a-z_]+, not {disposer.name!r}")
    if disposer.name in _REGISTRY and _REGISTRY[disposer.name] is not disposer:
        raise ValueError(f"a disposer named {disposer.name!r} is already registered")
    _REGISTRY[disposer.name] = disposer
    return disposer


def disposers() -> tuple[Disposer, ...]:
    """Every registered disposer, in order, once :data:`DISPOSER_MODULES` are imported."""
    for module in DISPOSER_MODULES:
        importlib.import_module(module)
    return tuple(_REGISTRY.values())
