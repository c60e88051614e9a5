"""The voter roll and one-time voting codes (docs/spec/casting.md §CAST-2).

The roll is imported from CSV by :func:`tohyo.app.domain.roll.import_roll`
(validated whole, personal data dropped) and stored as voter keys only. A
re-import before opening is an amendment: the difference is applied and
audited. Voting codes are random, shown once, and stored as a keyed hash.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass

from tohyo.app.domain.errors import DomainError, InvalidRoll
from tohyo.app.domain.lifecycle import AmendRoll, transition
from tohyo.app.domain.roll import import_roll as parse_roll
from tohyo.app.domain.roll import voter_key
from tohyo.app.errors import BadRequest, Conflict, NotFound
from tohyo.app.services.common import audit, domain_error, domain_state, load_election, manifest_of
from tohyo.app.services.runtime import Runtime
from tohyo.app.store.models import Voter, VotingCode

__all__ = [
    "IssuedCode",
    "RollReport",
    "code_hash",
    "import_roll",
    "issue_codes",
    "normalise_code",
    "roll_key",
    "voter_key_hex",
]

CODE_CHARS = 16  # 80 bits of base32


@dataclass(frozen=True, slots=True)
class RollReport:
    added: int
    removed: int
    excluded: tuple[tuple[int, str], ...]  # (row, reason): no personal data


@dataclass(frozen=True, slots=True)
class IssuedCode:
    """A code to print on a voting card; it is never shown again."""

    voter_key: str
    code: str


def roll_key(runtime: Runtime, election_id: str) -> bytes:
    """The election's roll key: what ``domain.roll.voter_key`` needs (auth seam)."""
    return runtime.keys.election_roll_key(election_id)


def voter_key_hex(runtime: Runtime, election_id: str, voter_id: str) -> str:
    """The stored voter key of a roll number (raises DomainError if malformed)."""
    return voter_key(roll_key(runtime, election_id), voter_id).hex()


def import_roll(
    runtime: Runtime, election_id: str, data: bytes, *, actor: str, reason: str = "import"
) -> RollReport:
    """Import (or amend, before opening) the roll of an election.

    Raises:
        BadRequest: ``roll.invalid`` with every problem (row, field, reason).
        Conflict: ``election.invalid_transition`` once the election is open.
    """
    with runtime.uow(write=True) as uow:
        row = load_election(uow, election_id)
        manifest = manifest_of(runtime, row)
        try:
            parsed = parse_roll(
                data, eligibility=manifest.eligibility, roll_key=roll_key(runtime, election_id)
            )
        except InvalidRoll as exc:
            raise BadRequest("roll.invalid", str(exc)) from exc
        existing = {v.voter_key: v for v in uow.voters(election_id)}
        wanted = {e.voter_key.hex() for e in parsed.entries}
        amendment = AmendRoll(
            added=len(wanted - set(existing)), removed=len(set(existing) - wanted), reason=reason
        )
        try:
            transition(domain_state(runtime, uow, row), amendment, now=runtime.now())
        except DomainError as exc:
            raise domain_error(exc) from exc
        now = runtime.now()
        for key, voter in existing.items():
            if key not in wanted:
                for code in uow.voting_codes_of(voter.id):
                    uow.session.delete(code)
                uow.session.delete(voter)
        for key in sorted(wanted - set(existing)):
            uow.add(Voter(election_id=election_id, voter_key=key, eligible=True, added_at=now))
        audit(
            uow,
            election_id,
            "roll.amend",
            actor,
            {"added": amendment.added, "removed": amendment.removed, "reason": reason},
            now,
        )
        uow.commit()
    from tohyo.app.services.identity import link_roll  # cards/OIDC on a closed roll (ADR 0016)

    link_roll(runtime, election_id, data)
    excluded = tuple((x.row, x.reason) for x in parsed.excluded)
    return RollReport(amendment.added, amendment.removed, excluded)


def normalise_code(code: str) -> str:
    return "".join(code.split()).replace("-", "").upper()


def code_hash(runtime: Runtime, election_id: str, code: str) -> str:
    secret = runtime.keys.election_secret("voting-code", election_id)
    return hmac.new(secret, normalise_code(code).encode(), hashlib.sha256).hexdigest()


def _new_code() -> str:
    raw = base64.b32encode(secrets.token_bytes(10)).decode()[:CODE_CHARS]
    return "-".join(raw[i : i + 4] for i in range(0, CODE_CHARS, 4))


def issue_codes(
    runtime: Runtime,
    election_id: str,
    *,
    actor: str,
    voter_ids: list[str] | None = None,
) -> list[IssuedCode]:
    """Issue one code per voter (given roll numbers, or every voter without one).

    Raises:
        NotFound: ``voter.not_found`` for a roll number not on the roll.
    """
    issued = []
    with runtime.uow(write=True) as uow:
        load_election(uow, election_id)
        if voter_ids is None:
            voters = [v for v in uow.voters(election_id) if not uow.voting_codes_of(v.id)]
        else:
            voters = []
            for raw in voter_ids:
                try:
                    key = voter_key_hex(runtime, election_id, raw)
                except DomainError as exc:
                    raise BadRequest("voter.bad_id", str(exc)) from exc
                voter = uow.voter_by_key(election_id, key)
                if voter is None:
                    raise NotFound("voter.not_found", "no such voter on the roll")
                voters.append(voter)
        now = runtime.now()
        for voter in voters:
            code = _new_code()
            uow.add(
                VotingCode(
                    code_hash=code_hash(runtime, election_id, code),
                    election_id=election_id,
                    voter_id=voter.id,
                    issued_at=now,
                )
            )
            issued.append(IssuedCode(voter.voter_key, code))
        if not voters and voter_ids:
            raise Conflict("voter.none", "no voters to issue codes for")
        audit(uow, election_id, "codes.issue", actor, {"count": len(issued)}, now)
        uow.commit()
    return issued
