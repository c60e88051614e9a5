"""The pure election domain: lifecycle, eligibility and the voter roll.

No I/O, no database, no web: every function takes its inputs (including the
current time) as arguments. Normative text: docs/spec/manifest.md §MAN-17 to §MAN-19.
"""

from __future__ import annotations

from tohyo.app.domain.eligibility import (
    age_on,
    attains_age_on,
    ensure_eligible,
    latest_eligible_birth_date,
)
from tohyo.app.domain.errors import (
    CastingNotAllowed,
    DomainError,
    InvalidRoll,
    InvalidTransition,
    NotEligible,
    RollProblem,
)
from tohyo.app.domain.lifecycle import (
    AbortKeyCeremony,
    Action,
    AmendRoll,
    Close,
    Dispose,
    ElectionState,
    Event,
    Open,
    Phase,
    Publish,
    RecordTally,
    ReplaceManifest,
    StartKeyCeremony,
    Withdrawal,
    WithdrawalReason,
    WithdrawCandidate,
    allowed_actions,
    ensure_casting_allowed,
    new_election,
    transition,
)
from tohyo.app.domain.roll import (
    Exclusion,
    RollEntry,
    RollImport,
    VoterKey,
    import_roll,
    normalise_voter_id,
    roll_amendment,
    voter_key,
)

__all__ = [
    "AbortKeyCeremony",
    "Action",
    "AmendRoll",
    "CastingNotAllowed",
    "Close",
    "Dispose",
    "DomainError",
    "ElectionState",
    "Event",
    "Exclusion",
    "InvalidRoll",
    "InvalidTransition",
    "NotEligible",
    "Open",
    "Phase",
    "Publish",
    "RecordTally",
    "ReplaceManifest",
    "RollEntry",
    "RollImport",
    "RollProblem",
    "StartKeyCeremony",
    "VoterKey",
    "WithdrawCandidate",
    "Withdrawal",
    "WithdrawalReason",
    "age_on",
    "allowed_actions",
    "attains_age_on",
    "ensure_casting_allowed",
    "ensure_eligible",
    "import_roll",
    "latest_eligible_birth_date",
    "new_election",
    "normalise_voter_id",
    "roll_amendment",
    "transition",
    "voter_key",
]
