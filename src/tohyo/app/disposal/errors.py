"""Refusals of disposal (docs/spec/manifest.md §MAN-3.1). Nothing is deleted on any of them."""

from __future__ import annotations

from tohyo.app.errors import Conflict

__all__ = ["DisposalRefused"]


class DisposalRefused(Conflict):
    """Disposal is not allowed now (HTTP 409; CLI exit 1).

    Codes: ``disposal.no_retention_date`` (the manifest has no ``retain_until``),
    ``disposal.retention_not_over`` (before the day after it),
    ``disposal.not_published`` (the result is not published yet),
    ``disposal.already_disposed``.
    """
