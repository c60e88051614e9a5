"""Intake of witness statements (record.md §REC-10; issue 13 item 3).

Every field is checked where it enters, before anything is stored: the form
(:meth:`WitnessStatement.from_json`), the election, a witness the manifest
declares (§MAN-21) whose signature verifies, a head the log signed (the
statement's head text equals the body of the stored checkpoint of that size),
an event allowed at that point of the log (:func:`check_position`: an
``opening`` before any ballot and the close, every other event after the close
over a head that includes it), and no earlier statement of the same event by
the same witness. The accepted statement is appended as a ``statement`` leaf
with its row, in one transaction (:func:`append_leaves`); every refusal stores
nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select

from tohyo.app.errors import BadRequest, Conflict, Forbidden, Unprocessable
from tohyo.app.seals.tables import seals
from tohyo.app.services.common import LeafWrite, append_leaves, audit, load_election, manifest_of
from tohyo.app.services.runtime import Runtime
from tohyo.app.store.models import LogLeaf, LogState
from tohyo.app.store.uow import UnitOfWork
from tohyo.app.witnessing.tables import AcceptedStatement
from tohyo.log import LogError, parse_note
from tohyo.record.leaves import KIND_STATEMENT
from tohyo.record.statements import (
    InvalidStatement,
    StatementOutOfPlace,
    UnknownWitness,
    WitnessStatement,
    check_position,
)

__all__ = ["AcceptedOutcome", "submit_statement"]

#: After publication the record is out: nothing more is appended.
_FINISHED = ("published", "disposed")


@dataclass(frozen=True, slots=True)
class AcceptedOutcome:
    """An accepted statement: its event, witness, head size and leaf index."""

    event: str
    witness: str
    head_size: int
    leaf_index: int

    def to_json(self) -> dict[str, Any]:
        return {"event": self.event, "witness": self.witness, "head_size": self.head_size,
                "leaf_index": self.leaf_index}


def _parse(election_id: str, obj: Any) -> WitnessStatement:
    try:
        statement = WitnessStatement.from_json(obj)
    except InvalidStatement as exc:
        raise BadRequest("statement.invalid", str(exc)) from None
    if statement.election_id != election_id:
        raise BadRequest("statement.wrong_election", "the statement is of another election")
    return statement


def _first(uow: UnitOfWork, election_id: str, kind: str) -> int | None:
    found = uow.session.scalar(select(func.min(LogLeaf.leaf_index)).where(
        LogLeaf.election_id == election_id, LogLeaf.kind == kind))
    return None if found is None else int(found)


def submit_statement(runtime: Runtime, election_id: str, obj: Any) -> AcceptedOutcome:
    """Check a witness's statement and append it to the log (§REC-10).

    Raises:
        BadRequest: ``statement.invalid`` (malformed, or the signature does not
            verify), ``statement.wrong_election``.
        NotFound: ``election.not_found``.
        Forbidden: ``statement.unlisted_witness`` (not a witness the manifest declares).
        Unprocessable: ``statement.unknown_head`` (no such signed head of this log).
        Conflict: ``statement.duplicate`` (this witness already stated this event),
            ``statement.out_of_place`` (the event cannot happen at this point),
            ``statement.published`` (the record is published),
            ``statement.sealed`` (the media are sealed: no leaf may follow the seal),
            ``election.log_not_started``.
    """
    statement = _parse(election_id, obj)
    with runtime.uow() as uow:
        manifest = manifest_of(runtime, load_election(uow, election_id))
    declared = manifest.log
    if declared is None:
        raise Forbidden("statement.unlisted_witness", "the manifest declares no witnesses")
    try:
        witness = statement.witness(declared)
    except UnknownWitness as exc:
        raise Forbidden("statement.unlisted_witness", str(exc)) from None
    except InvalidStatement as exc:
        raise BadRequest("statement.invalid", str(exc)) from None
    head = statement.checkpoint
    if head.origin != runtime.ledger.origin(election_id):
        raise Unprocessable("statement.unknown_head", "the head is of another log")
    name = witness.verifier().name

    def body(uow: UnitOfWork, state: LogState) -> tuple[list[LeafWrite], AcceptedOutcome]:
        row = load_election(uow, election_id)
        if row.state in _FINISHED:
            raise Conflict("statement.published",
                           "the record is published; nothing more is appended")
        if uow.session.scalar(select(func.count()).select_from(seals).where(
                seals.c.election_id == election_id)):
            # A seal covers the log's head at the seal, and the unseal and V16
            # require it to stay the final head (storage.md §ST-8): a leaf after
            # it would stop the tally. Statements are made before the seal.
            raise Conflict("statement.sealed",
                           "the media are sealed at the log's final head; no leaf may "
                           "follow the seal")
        stored = uow.checkpoint(election_id, head.size)
        try:
            known = stored is not None and parse_note(stored.note).text == statement.head
        except LogError:
            known = False
        if not known:
            raise Unprocessable("statement.unknown_head",
                                f"the log never signed this head of size {head.size}")
        key = (election_id, statement.witness_key, statement.event.value)
        if uow.session.get(AcceptedStatement, key) is not None:
            raise Conflict("statement.duplicate",
                           f"{name} already stated '{statement.event.value}'")
        try:
            check_position(statement.event, state.size, head.size,
                           _first(uow, election_id, "close"),
                           _first(uow, election_id, "ballot"))
        except StatementOutOfPlace as exc:
            raise Conflict("statement.out_of_place", str(exc)) from None
        now = runtime.now()
        uow.add(AcceptedStatement(election_id=election_id, witness_key=statement.witness_key,
                                  event=statement.event.value, head_size=head.size,
                                  leaf_index=state.size, accepted_at=now))
        audit(uow, election_id, "statement.accept", name,
              {"event": statement.event.value, "head_size": head.size,
               "leaf_index": state.size}, now)
        data = {k: v for k, v in statement.to_json().items() if k != "election_id"}
        outcome = AcceptedOutcome(statement.event.value, name, head.size, state.size)
        return [LeafWrite(KIND_STATEMENT, data)], outcome

    _, outcome = append_leaves(runtime, election_id, body)
    if outcome is None:  # body always returns one; this keeps the type exact
        raise RuntimeError("statement intake returned no outcome")
    return outcome
