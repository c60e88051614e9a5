"""What the observers' dashboard shows (docs/spec/observe.md §OBS-2).

A :class:`Snapshot` is built from the database in one read transaction. The
public part holds only aggregates and public data: the signed head (whose time
is already coarse, transparency-log.md §TL-5.2.1), each witness's progress,
ballots per hour, paper votes in total, the lifecycle's progress and alerts.
No credential, tracker or single cast time appears in it. The witness role's
:class:`WitnessDetail` adds the head's full signed note, when each witness last
cosigned, the report counts and the officials' recent actions (kinds only).
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections import Counter
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, select

from tohyo.app.errors import ServiceError
from tohyo.app.observe.witnesses import WitnessProgress, election_witnesses
from tohyo.app.services import board, ceremony, counts
from tohyo.app.services.coarse_time import GRANULARITY_MS, coarse_ms
from tohyo.app.services.common import load_election, manifest_of
from tohyo.app.services.runtime import Runtime
from tohyo.app.store.models import AuditEvent, Ballot, Cosignature
from tohyo.log import Checkpoint, parse_note

__all__ = [
    "BUCKET_MS",
    "PHASES",
    "WITNESS_GRACE",
    "Alert",
    "Bucket",
    "Snapshot",
    "WitnessDetail",
    "WitnessView",
    "take_snapshot",
]

BUCKET_MS = 4 * GRANULARITY_MS
"""Ballots are counted per hour: a multiple of the heads' 15-minute buckets (§OBS-2)."""

PHASES = ("draft", "key_ceremony", "open", "closed", "tallied", "published")
WITNESS_GRACE = timedelta(minutes=5)
"""A witness behind the head with no cosignature for this long raises an alert."""
_RECENT_ACTIONS = 20


@dataclass(frozen=True, slots=True)
class WitnessView:
    name: str
    key_id: str  # 8 hex digits
    last_size: int
    lag: int
    behind: bool


@dataclass(frozen=True, slots=True)
class Bucket:
    start: str  # ISO 8601, UTC, a multiple of BUCKET_MS
    ballots: int


@dataclass(frozen=True, slots=True)
class Alert:
    code: str  # witness.behind | witness.none | log.halted
    subject: str  # the witness's name, or ""


@dataclass(frozen=True, slots=True)
class WitnessDetail:
    """The witness role's extra view (§OBS-2.2)."""

    signed_head: str  # the latest head's note with every cosignature held
    last_cosigned_at: dict[str, str]  # witness name -> ISO time the server received it
    report: dict[str, Any]  # tohyo.app.services.counts.ReportCounts
    actions: tuple[dict[str, str], ...]  # recent officials' actions: kind, actor, at


@dataclass(frozen=True, slots=True)
class Snapshot:
    election_id: str
    title: dict[str, str]
    phase: str
    head_size: int
    head_root: str  # base64, as in the checkpoint
    head_time: str  # ISO 8601, the head's coarse time
    witnesses: tuple[WitnessView, ...]
    buckets: tuple[Bucket, ...]
    ballots_cast: int
    paper_votes: int
    ceremony: dict[str, int] | None  # message kind -> trustees heard, while in key_ceremony
    trustees: int
    alerts: tuple[Alert, ...]
    detail: WitnessDetail | None = None

    def public_json(self) -> dict[str, Any]:
        """The public snapshot (what the page shows and the event stream sends)."""
        out = asdict(self)
        out.pop("detail")
        return out

    def to_json(self) -> dict[str, Any]:
        out = self.public_json()
        if self.detail is not None:
            out["detail"] = asdict(self.detail)
        return out

    @property
    def version(self) -> str:
        """A digest of the content: a stream sends an update only when it changes."""
        data = json.dumps(self.to_json(), sort_keys=True, ensure_ascii=False).encode()
        return hashlib.sha256(data).hexdigest()[:16]


def _iso(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, tz=UTC).isoformat()


def _buckets(cast_times: list[datetime]) -> tuple[Bucket, ...]:
    per = Counter(coarse_ms(int(t.timestamp() * 1000)) // BUCKET_MS for t in cast_times)
    return tuple(Bucket(_iso(k * BUCKET_MS), n) for k, n in sorted(per.items()))


def _witness_views(
    progress: tuple[WitnessProgress, ...], size: int, received: dict[str, datetime], now: datetime
) -> tuple[WitnessView, ...]:
    views = []
    for w in progress:
        lag = max(size - w.last_size, 0)
        last = received.get(w.name)
        behind = lag > 0 and (last is None or now - last > WITNESS_GRACE)
        views.append(WitnessView(w.name, f"{w.key_id:08x}", w.last_size, lag, behind))
    return tuple(views)


def take_snapshot(runtime: Runtime, election_id: str, *, detail: bool = False) -> Snapshot:
    """The dashboard's view of an election now.

    Raises:
        NotFound: ``election.not_found``.
    """
    now = runtime.now()
    with runtime.uow() as uow:
        row = load_election(uow, election_id)
        manifest = manifest_of(runtime, row)
        state = uow.log_state(election_id)
        session = uow.session
        cast_times = list(
            session.scalars(select(Ballot.cast_at).where(Ballot.election_id == election_id))
        )
        paper = len(uow.paper_overrides(election_id))
        progress = election_witnesses(uow, election_id, manifest.log)
        received = {
            str(name): at
            for name, at in session.execute(
                select(Cosignature.witness, func.max(Cosignature.received_at))
                .where(Cosignature.election_id == election_id)
                .group_by(Cosignature.witness)
            ).all()
        }
        actions: tuple[dict[str, str], ...] = ()
        if detail:
            events = session.scalars(
                select(AuditEvent)
                .where(AuditEvent.election_id == election_id)
                .order_by(AuditEvent.id.desc())
                .limit(_RECENT_ACTIONS)
            )
            # Kinds, actors and times only: a detail can hold a credential (PIA D16).
            actions = tuple(
                {"kind": e.kind, "actor": e.actor, "at": e.at.astimezone(UTC).isoformat()}
                for e in events
            )
        phase = row.state
    size, root, stamp = 0, "", ""
    if state is not None:
        head = Checkpoint.from_text(parse_note(state.checkpoint).text)
        size = head.size
        root = base64.b64encode(head.root_hash).decode()
        stamp = _iso(head.timestamp_ms)
    witnesses = _witness_views(progress, size, received, now)
    alerts = [Alert("witness.behind", w.name) for w in witnesses if w.behind]
    if phase == "open" and size > 0 and not witnesses:
        alerts.append(Alert("witness.none", ""))
    if runtime.halted is not None:
        alerts.append(Alert("log.halted", ""))
    heard: dict[str, int] | None = None
    if phase == "key_ceremony":
        try:
            status = ceremony.ceremony_status(runtime, election_id)
            heard = {kind: len(who) for kind, who in status.received.items()}
        except ServiceError:
            heard = None  # no relay ceremony: the key comes from the trustees' own tools
    extra = None
    if detail:
        signed = board.checkpoint(runtime, election_id) if state is not None else ""
        extra = WitnessDetail(
            signed_head=signed,
            last_cosigned_at={k: v.astimezone(UTC).isoformat() for k, v in received.items()},
            report=counts.report_counts(runtime, election_id).to_json(),
            actions=actions,
        )
    return Snapshot(
        election_id=election_id,
        title=manifest.title.to_json(),
        phase=phase,
        head_size=size,
        head_root=root,
        head_time=stamp,
        witnesses=witnesses,
        buckets=_buckets(cast_times),
        ballots_cast=len(cast_times),
        paper_votes=paper,
        ceremony=heard,
        trustees=len(manifest.trustees),
        alerts=tuple(alerts),
        detail=extra,
    )
