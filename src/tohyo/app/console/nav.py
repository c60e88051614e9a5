"""The console's pages and the roles that may open them: the role matrix (console.md §CON-2).

Each page of the console is listed here once, with the roles that may use it; the
home page shows an official the pages of their role, every page states who may
use it, and ``tests/app/console/test_role_matrix.py`` walks every route with every
role (and with none) against this table.
"""

from __future__ import annotations

from dataclasses import dataclass

from tohyo.app.auth.officials import Official, Role
from tohyo.app.web.i18n import N_

__all__ = [
    "ALL_ROLES",
    "PAGES",
    "ROLE_NAMES",
    "STATE_NAMES",
    "ConsolePage",
    "page",
    "visible_pages",
]

ALL_ROLES = frozenset(Role)

#: Each role's name as officials read it (translated in the templates).
ROLE_NAMES = {
    Role.ADMINISTRATOR: N_("Administrator"),
    Role.TRUSTEE: N_("Key holder (trustee)"),
    Role.WITNESS: N_("Witness"),
    Role.OPERATOR: N_("Booking operator"),
}

#: An election's state as officials read it (the observers' dashboard's phase names).
STATE_NAMES = {
    "draft": N_("Being prepared"),
    "key_ceremony": N_("Key ceremony"),
    "open": N_("Voting open"),
    "closed": N_("Voting closed: waiting for the count"),
    "tallied": N_("Counted"),
    "published": N_("Result published"),
    "disposed": N_("Records disposed of"),
}


@dataclass(frozen=True, slots=True)
class ConsolePage:
    """One page of the console.

    Attributes:
        key: a stable name (``home``, ``elections``…), used by routes and templates.
        path: its path after ``/{lang}/official``, beginning with ``/``.
        label: its name in the navigation (an English msgid).
        roles: the roles that may open it.
        in_nav: whether the navigation lists it (pages about one election do not).
    """

    key: str
    path: str
    label: str
    roles: frozenset[Role]
    in_nav: bool = True


PAGES: dict[str, ConsolePage] = {
    p.key: p for p in (ConsolePage("home", "/", N_("Home"), ALL_ROLES),)
}


def page(key: str) -> ConsolePage:
    """The page called ``key`` (a programming error if it is not listed)."""
    return PAGES[key]


def visible_pages(official: Official) -> tuple[ConsolePage, ...]:
    """The navigation of ``official``: the listed pages their role may open."""
    return tuple(p for p in PAGES.values() if p.in_nav and official.role in p.roles)
