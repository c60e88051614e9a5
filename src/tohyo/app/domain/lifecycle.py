"""The election lifecycle as a pure state machine (docs/spec/manifest.md §MAN-17).

::

    draft ─▶ key_ceremony ─▶ open ─▶ closed ─▶ tallied ─▶ published ─▶ disposed
      ▲            │
      └────────────┘ abort_key_ceremony

:func:`transition` takes a state, an action and the current time and returns
the next state, or raises :class:`InvalidTransition`. Nothing here does I/O or
reads a clock: time enters only through ``now``. Every accepted action is
appended to ``state.events``, the audit trail the service persists and logs.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum

from tohyo.app.domain.errors import CastingNotAllowed, DomainError, InvalidTransition
from tohyo.record.manifest import Manifest

__all__ = [
    "AbortKeyCeremony",
    "Action",
    "AmendRoll",
    "Close",
    "Dispose",
    "ElectionState",
    "Event",
    "Open",
    "Phase",
    "Publish",
    "RecordTally",
    "ReplaceManifest",
    "StartKeyCeremony",
    "WithdrawCandidate",
    "Withdrawal",
    "WithdrawalReason",
    "allowed_actions",
    "ensure_casting_allowed",
    "new_election",
    "transition",
]


class Phase(StrEnum):
    """The phases of an election, in order."""

    DRAFT = "draft"
    KEY_CEREMONY = "key_ceremony"
    OPEN = "open"
    CLOSED = "closed"
    TALLIED = "tallied"
    PUBLISHED = "published"
    DISPOSED = "disposed"


class WithdrawalReason(StrEnum):
    """Why a candidate no longer stands; votes for them are invalid (§MAN-17.3)."""

    WITHDREW = "withdrew"
    DIED = "died"
    DISQUALIFIED = "disqualified"


@dataclass(frozen=True, slots=True)
class ReplaceManifest:
    """Swap the manifest while the election is still a draft."""

    manifest: Manifest


@dataclass(frozen=True, slots=True)
class StartKeyCeremony:
    """Freeze the manifest and let the trustees generate the election key."""


@dataclass(frozen=True, slots=True)
class AbortKeyCeremony:
    """Back to draft after a failed ceremony; the partial key material is discarded."""

    reason: str


@dataclass(frozen=True, slots=True)
class Open:
    """Open the ballot box; casting starts when the voting period does."""


@dataclass(frozen=True, slots=True)
class Close:
    """Stop all casts. Before the period's end only with a recorded reason."""

    reason: str = ""


@dataclass(frozen=True, slots=True)
class RecordTally:
    """The trustees have decrypted the tally."""


@dataclass(frozen=True, slots=True)
class Publish:
    """The result and the election record are public."""


@dataclass(frozen=True, slots=True)
class Dispose:
    """Records disposed of after the legal retention period."""


@dataclass(frozen=True, slots=True)
class WithdrawCandidate:
    """Mark a candidate as withdrawn; they stay on the ballot (§MAN-17.3)."""

    candidate_id: str
    reason: WithdrawalReason
    note: str = ""


@dataclass(frozen=True, slots=True)
class AmendRoll:
    """An amendment of the voter roll (only before opening), for the audit trail."""

    added: int
    removed: int
    reason: str


Action = (
    ReplaceManifest
    | StartKeyCeremony
    | AbortKeyCeremony
    | Open
    | Close
    | RecordTally
    | Publish
    | Dispose
    | WithdrawCandidate
    | AmendRoll
)


@dataclass(frozen=True, slots=True)
class Withdrawal:
    """A withdrawn candidate, as election-state data (never in the manifest)."""

    question_id: str
    candidate_id: str
    reason: WithdrawalReason
    at: datetime


@dataclass(frozen=True, slots=True)
class Event:
    """One accepted action: when, what, and the phase it left the election in."""

    at: datetime
    action: Action
    phase: Phase


@dataclass(frozen=True, slots=True)
class ElectionState:
    """Everything about an election that changes over its life, plus its manifest."""

    manifest: Manifest
    phase: Phase
    withdrawals: tuple[Withdrawal, ...] = ()
    events: tuple[Event, ...] = ()

    @property
    def election_id(self) -> str:
        return self.manifest.id

    @property
    def withdrawn_candidates(self) -> frozenset[str]:
        """Ids of candidates whose votes are invalid."""
        return frozenset(w.candidate_id for w in self.withdrawals)


# Which phases accept each action, and the phase it leads to (None: unchanged).
_RULES: dict[type, tuple[frozenset[Phase], Phase | None]] = {
    ReplaceManifest: (frozenset({Phase.DRAFT}), None),
    AmendRoll: (frozenset({Phase.DRAFT, Phase.KEY_CEREMONY}), None),
    StartKeyCeremony: (frozenset({Phase.DRAFT}), Phase.KEY_CEREMONY),
    AbortKeyCeremony: (frozenset({Phase.KEY_CEREMONY}), Phase.DRAFT),
    WithdrawCandidate: (frozenset({Phase.KEY_CEREMONY, Phase.OPEN}), None),
    Open: (frozenset({Phase.KEY_CEREMONY}), Phase.OPEN),
    Close: (frozenset({Phase.OPEN}), Phase.CLOSED),
    RecordTally: (frozenset({Phase.CLOSED}), Phase.TALLIED),
    Publish: (frozenset({Phase.TALLIED}), Phase.PUBLISHED),
    Dispose: (frozenset({Phase.PUBLISHED}), Phase.DISPOSED),
}


def new_election(manifest: Manifest) -> ElectionState:
    """A new election in the draft phase."""
    return ElectionState(manifest=manifest, phase=Phase.DRAFT)


def allowed_actions(state: ElectionState) -> frozenset[type]:
    """The action types the current phase accepts (their own guards still apply)."""
    return frozenset(t for t, (phases, _) in _RULES.items() if state.phase in phases)


def transition(state: ElectionState, action: Action, *, now: datetime) -> ElectionState:
    """Apply ``action`` at time ``now``.

    Args:
        state: the current state.
        action: what an official (or the scheduler) asks for.
        now: the current time, timezone-aware, not before the last event.

    Returns:
        The next state, with the action appended to ``events``.

    Raises:
        InvalidTransition: the phase does not allow the action, or one of its
            guards fails (codes: ``invalid_transition``, ``period_over``,
            ``reason_required``, ``unknown_candidate``, ``already_withdrawn``,
            ``bad_amendment``).
        DomainError: ``now`` is naive or earlier than the last event.
    """
    _check_now(state, now)
    phases, target = _RULES[type(action)]
    if state.phase not in phases:
        allowed = ", ".join(sorted(p.value for p in phases))
        raise InvalidTransition(
            f"{type(action).__name__} is not allowed in phase {state.phase.value} "
            f"(only in: {allowed})"
        )
    manifest = state.manifest
    withdrawals = state.withdrawals
    if isinstance(action, ReplaceManifest):
        manifest = action.manifest
    elif isinstance(action, Open):
        if now >= manifest.period.end:
            raise InvalidTransition("the voting period is already over", code="period_over")
    elif isinstance(action, Close):
        if now < manifest.period.end and not action.reason.strip():
            raise InvalidTransition(
                "closing before the end of the voting period needs a reason",
                code="reason_required",
            )
    elif isinstance(action, AbortKeyCeremony):
        if not action.reason.strip():
            raise InvalidTransition("aborting a key ceremony needs a reason",
                                    code="reason_required")
    elif isinstance(action, WithdrawCandidate):
        withdrawals = (*withdrawals, _withdrawal(state, action, now))
    elif isinstance(action, AmendRoll):
        if action.added < 0 or action.removed < 0 or not action.reason.strip():
            raise InvalidTransition(
                "a roll amendment needs non-negative counts and a reason", code="bad_amendment"
            )
    phase = state.phase if target is None else target
    return replace(
        state,
        manifest=manifest,
        phase=phase,
        withdrawals=withdrawals,
        events=(*state.events, Event(at=now, action=action, phase=phase)),
    )


def ensure_casting_allowed(state: ElectionState, *, now: datetime) -> None:
    """Check that a ballot may be cast at ``now``.

    Raises:
        CastingNotAllowed: codes ``not_open``, ``not_started`` or ``period_over``.
        DomainError: ``now`` is naive.
    """
    _check_aware(now)
    if state.phase is not Phase.OPEN:
        raise CastingNotAllowed(
            f"the election is {state.phase.value}, not open", code="not_open"
        )
    period = state.manifest.period
    if now < period.start:
        raise CastingNotAllowed("the voting period has not started", code="not_started")
    if now >= period.end:
        raise CastingNotAllowed("the voting period is over", code="period_over")


def _withdrawal(state: ElectionState, action: WithdrawCandidate, now: datetime) -> Withdrawal:
    try:
        question, candidate = state.manifest.candidate(action.candidate_id)
    except KeyError:
        raise InvalidTransition(
            f"no candidate {action.candidate_id!r} in this election", code="unknown_candidate"
        ) from None
    if candidate.id in state.withdrawn_candidates:
        raise InvalidTransition(
            f"candidate {candidate.id!r} is already withdrawn", code="already_withdrawn"
        )
    return Withdrawal(question.id, candidate.id, WithdrawalReason(action.reason), now)


def _check_aware(now: datetime) -> None:
    if now.tzinfo is None or now.utcoffset() is None:
        raise DomainError("now must be a timezone-aware datetime", code="naive_time")


def _check_now(state: ElectionState, now: datetime) -> None:
    _check_aware(now)
    if state.events and now < state.events[-1].at:
        raise DomainError("now is earlier than the last recorded event", code="time_reversed")
