"""The election state machine (docs/spec/manifest.md §MAN-17)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from tohyo.app.domain import (
    AbortKeyCeremony,
    Action,
    AmendRoll,
    CastingNotAllowed,
    Close,
    Dispose,
    DomainError,
    ElectionState,
    InvalidTransition,
    Open,
    Phase,
    Publish,
    RecordTally,
    ReplaceManifest,
    StartKeyCeremony,
    WithdrawalReason,
    WithdrawCandidate,
    allowed_actions,
    ensure_casting_allowed,
    new_election,
    transition,
)
from tohyo.record.manifest import Manifest

JST = timezone(timedelta(hours=9))
BEFORE = datetime(2028, 10, 1, 9, 0, tzinfo=JST)
START = datetime(2028, 10, 16, 8, 30, tzinfo=JST)
DURING = datetime(2028, 10, 18, 12, 0, tzinfo=JST)
END = datetime(2028, 10, 21, 20, 0, tzinfo=JST)
AFTER = datetime(2028, 10, 22, 9, 0, tzinfo=JST)


def at_phase(manifest: Manifest, phase: Phase) -> ElectionState:
    """Drive a new election to ``phase`` along the normal path."""
    before = manifest.period.start - timedelta(days=15)
    end = manifest.period.end
    after = end + timedelta(hours=13)
    steps: list[tuple[Action, datetime]] = [
        (StartKeyCeremony(), before),
        (Open(), before),
        (Close(), end),
        (RecordTally(), after),
        (Publish(), after),
        (Dispose(), after),
    ]
    state = new_election(manifest)
    order = list(Phase)
    for action, now in steps[: order.index(phase)]:
        state = transition(state, action, now=now)
    assert state.phase is phase
    return state


def sample_actions(manifest: Manifest) -> dict[type, Action]:
    return {
        ReplaceManifest: ReplaceManifest(manifest),
        AmendRoll: AmendRoll(added=3, removed=1, reason="転入届の反映"),
        StartKeyCeremony: StartKeyCeremony(),
        AbortKeyCeremony: AbortKeyCeremony(reason="trustee 2 absent"),
        WithdrawCandidate: WithdrawCandidate("candidate-02", WithdrawalReason.WITHDREW),
        Open: Open(),
        Close: Close(reason="emergency"),
        RecordTally: RecordTally(),
        Publish: Publish(),
        Dispose: Dispose(),
    }


ALLOWED: dict[Phase, set[type]] = {
    Phase.DRAFT: {ReplaceManifest, AmendRoll, StartKeyCeremony},
    Phase.KEY_CEREMONY: {AmendRoll, AbortKeyCeremony, WithdrawCandidate, Open},
    Phase.OPEN: {WithdrawCandidate, Close},
    Phase.CLOSED: {RecordTally},
    Phase.TALLIED: {Publish},
    Phase.PUBLISHED: {Dispose},
    Phase.DISPOSED: set(),
}


def test_happy_path_records_every_event(mayoral: Manifest) -> None:
    state = at_phase(mayoral, Phase.DISPOSED)
    assert [e.phase for e in state.events] == list(Phase)[1:]
    assert [type(e.action) for e in state.events] == [
        StartKeyCeremony,
        Open,
        Close,
        RecordTally,
        Publish,
        Dispose,
    ]
    assert state.events[2].at == END
    assert state.election_id == "tsukuba-2028-mayoral-election"


@pytest.mark.parametrize("phase", list(Phase))
def test_transition_matrix(mayoral: Manifest, phase: Phase) -> None:
    state = at_phase(mayoral, phase)
    assert allowed_actions(state) == frozenset(ALLOWED[phase])
    for kind, action in sample_actions(mayoral).items():
        now = (
            DURING
            if phase is Phase.OPEN
            else max(state.events[-1].at, BEFORE)
            if (state.events)
            else BEFORE
        )
        if kind in ALLOWED[phase]:
            after = transition(state, action, now=now)
            assert after.events[-1].action == action
        else:
            with pytest.raises(InvalidTransition, match=f"not allowed in phase {phase.value}"):
                transition(state, action, now=now)


def test_state_is_immutable_and_transition_pure(mayoral: Manifest) -> None:
    state = new_election(mayoral)
    after = transition(state, StartKeyCeremony(), now=BEFORE)
    assert state.phase is Phase.DRAFT and state.events == ()
    assert after.phase is Phase.KEY_CEREMONY
    with pytest.raises(AttributeError):
        state.phase = Phase.OPEN  # type: ignore[misc]


def test_manifest_is_frozen_after_key_ceremony(mayoral: Manifest, survey: Manifest) -> None:
    draft = transition(new_election(mayoral), ReplaceManifest(survey), now=BEFORE)
    assert draft.manifest is survey
    ceremony = transition(draft, StartKeyCeremony(), now=BEFORE)
    with pytest.raises(InvalidTransition):
        transition(ceremony, ReplaceManifest(mayoral), now=BEFORE)


def test_abort_key_ceremony_needs_a_reason(mayoral: Manifest) -> None:
    state = at_phase(mayoral, Phase.KEY_CEREMONY)
    with pytest.raises(InvalidTransition) as info:
        transition(state, AbortKeyCeremony(reason=" "), now=BEFORE)
    assert info.value.code == "reason_required"
    back = transition(state, AbortKeyCeremony(reason="share check failed"), now=BEFORE)
    assert back.phase is Phase.DRAFT


def test_open_refused_after_the_period(mayoral: Manifest) -> None:
    state = at_phase(mayoral, Phase.KEY_CEREMONY)
    with pytest.raises(InvalidTransition) as info:
        transition(state, Open(), now=END)
    assert info.value.code == "period_over"
    assert transition(state, Open(), now=END - timedelta(seconds=1)).phase is Phase.OPEN


def test_early_close_needs_a_reason(mayoral: Manifest) -> None:
    state = at_phase(mayoral, Phase.OPEN)
    with pytest.raises(InvalidTransition) as info:
        transition(state, Close(), now=DURING)
    assert info.value.code == "reason_required"
    closed = transition(state, Close(reason="災害による中止"), now=DURING)
    assert closed.phase is Phase.CLOSED
    assert transition(state, Close(), now=END).phase is Phase.CLOSED


def test_casting_window(mayoral: Manifest) -> None:
    state = at_phase(mayoral, Phase.OPEN)
    ensure_casting_allowed(state, now=START)
    ensure_casting_allowed(state, now=DURING)
    ensure_casting_allowed(state, now=END - timedelta(microseconds=1))
    ensure_casting_allowed(state, now=START.astimezone(UTC))  # same instant, other zone
    for now, code in [
        (START - timedelta(seconds=1), "not_started"),
        (END, "period_over"),
        (AFTER, "period_over"),
    ]:
        with pytest.raises(CastingNotAllowed) as info:
            ensure_casting_allowed(state, now=now)
        assert info.value.code == code


@pytest.mark.parametrize("phase", [p for p in Phase if p is not Phase.OPEN])
def test_casting_needs_the_open_phase(mayoral: Manifest, phase: Phase) -> None:
    state = at_phase(mayoral, phase)
    with pytest.raises(CastingNotAllowed) as info:
        ensure_casting_allowed(state, now=DURING)
    assert info.value.code == "not_open"


def test_closing_stops_casts(mayoral: Manifest) -> None:
    state = transition(at_phase(mayoral, Phase.OPEN), Close(reason="test"), now=DURING)
    with pytest.raises(CastingNotAllowed):
        ensure_casting_allowed(state, now=DURING)


def test_candidate_withdrawal(mayoral: Manifest) -> None:
    state = at_phase(mayoral, Phase.OPEN)
    after = transition(
        state, WithdrawCandidate("candidate-02", WithdrawalReason.DIED, note="訃報"), now=DURING
    )
    assert after.phase is Phase.OPEN
    assert after.withdrawn_candidates == frozenset({"candidate-02"})
    (w,) = after.withdrawals
    assert (w.question_id, w.candidate_id, w.reason, w.at) == (
        "mayor",
        "candidate-02",
        WithdrawalReason.DIED,
        DURING,
    )
    assert after.manifest is mayoral  # the candidate stays on the ballot
    assert isinstance(after.events[-1].action, WithdrawCandidate)
    with pytest.raises(InvalidTransition) as info:
        transition(after, WithdrawCandidate("candidate-02", WithdrawalReason.WITHDREW), now=DURING)
    assert info.value.code == "already_withdrawn"
    both = transition(
        after,
        WithdrawCandidate("candidate-03", "disqualified"),  # type: ignore[arg-type]
        now=DURING,
    )
    assert both.withdrawn_candidates == frozenset({"candidate-02", "candidate-03"})
    assert both.withdrawals[1].reason is WithdrawalReason.DISQUALIFIED


def test_withdrawal_of_unknown_candidate(mayoral: Manifest, survey: Manifest) -> None:
    for manifest, ident in [
        (mayoral, "candidate-99"),
        (survey, "internet-voting"),
        (mayoral, "mayor"),
    ]:
        state = at_phase(manifest, Phase.OPEN)
        now = manifest.period.start
        with pytest.raises(InvalidTransition) as info:
            transition(state, WithdrawCandidate(ident, WithdrawalReason.WITHDREW), now=now)
        assert info.value.code == "unknown_candidate"


def test_withdrawal_reason_must_be_known(mayoral: Manifest) -> None:
    state = at_phase(mayoral, Phase.OPEN)
    with pytest.raises(ValueError):
        transition(
            state,
            WithdrawCandidate("candidate-01", "bored"),  # type: ignore[arg-type]
            now=DURING,
        )


def test_roll_amendments_only_before_opening(mayoral: Manifest) -> None:
    for phase in (Phase.DRAFT, Phase.KEY_CEREMONY):
        state = transition(at_phase(mayoral, phase), AmendRoll(2, 0, "追加登録"), now=BEFORE)
        assert state.phase is phase
        assert state.events[-1].action == AmendRoll(2, 0, "追加登録")
    with pytest.raises(InvalidTransition):
        transition(at_phase(mayoral, Phase.OPEN), AmendRoll(1, 0, "late"), now=DURING)
    for bad in (AmendRoll(-1, 0, "x"), AmendRoll(0, -1, "x"), AmendRoll(1, 0, "")):
        with pytest.raises(InvalidTransition) as info:
            transition(new_election(mayoral), bad, now=BEFORE)
        assert info.value.code == "bad_amendment"


def test_time_must_be_aware_and_monotonic(mayoral: Manifest) -> None:
    state = at_phase(mayoral, Phase.OPEN)
    with pytest.raises(DomainError) as info:
        transition(state, Close(), now=datetime(2028, 10, 22, 9, 0))
    assert info.value.code == "naive_time"
    with pytest.raises(DomainError) as info:
        ensure_casting_allowed(state, now=datetime(2028, 10, 18, 12, 0))
    assert info.value.code == "naive_time"
    with pytest.raises(DomainError) as info:
        transition(state, Close(reason="x"), now=BEFORE - timedelta(days=1))
    assert info.value.code == "time_reversed"


def test_errors_are_value_errors() -> None:
    assert issubclass(InvalidTransition, ValueError)
    assert issubclass(CastingNotAllowed, DomainError)
    assert InvalidTransition("x").code == "invalid_transition"
