"""The disposal certificate: what was deleted, how much, when and by whom (docs/adr/0056).

Written into both audit logs — the officials' hash-chained log (``auth_audit``,
action ``election.dispose``) and the election's ``audit_events`` — as canonical
JSON. It names kinds of data and counts, never a deleted value.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

__all__ = ["DisposalCertificate"]


@dataclass(frozen=True, slots=True)
class DisposalCertificate:
    """Attributes:
    election_id: the election disposed of.
    retain_until: the manifest's last day of keeping (manifest.md §MAN-3.1).
    disposed_at: when the deletion was committed (UTC).
    actor: ``requester+approver`` (or ``dev:<purpose>``, docs/adr/0040).
    approval: the approval's id and both officials' user names.
    deleted: per disposer name, the number of items deleted (zero included).
    kept: what disposal keeps, by name: the public record.
    """

    election_id: str
    retain_until: date
    disposed_at: datetime
    actor: str
    approval: Mapping[str, str]
    deleted: Mapping[str, int]
    kept: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "format": "tohyo-disposal/1",
            "election": self.election_id,
            "retain_until": self.retain_until.isoformat(),
            "disposed_at": self.disposed_at.isoformat(),
            "actor": self.actor,
            "approval": dict(self.approval),
            "deleted": dict(self.deleted),
            "total": sum(self.deleted.values()),
            "kept": list(self.kept),
        }
