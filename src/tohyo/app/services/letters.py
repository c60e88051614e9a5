"""Printed letters for one-time voting codes (issue 6 item 3, authentication.md §AUTH-CODE).

Codes are shown once, when they are issued, and only their hashes are kept; so
the letters are made in the same step: :func:`issue_letters` issues a code for
each voter of the commission's roll file who is on the stored roll and has none
yet (or for the roll numbers given), and returns what a letter needs to be
printed and mailed. Of the roll file only ``voter_id`` and ``name`` are read:
the roll number (the mail merge adds the postal address by it) and the name on
the envelope window. Birth date, address code and district are never read.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass

from tohyo.app.domain.errors import DomainError
from tohyo.app.errors import BadRequest
from tohyo.app.services.common import load_election
from tohyo.app.services.roll import issue_codes, voter_key_hex
from tohyo.app.services.runtime import Runtime

__all__ = ["Addressee", "Letter", "issue_letters", "read_addressees"]


@dataclass(frozen=True, slots=True)
class Addressee:
    """Who a letter goes to: the roll number and the name, nothing more."""

    voter_id: str
    name: str


@dataclass(frozen=True, slots=True)
class Letter:
    """One voter's letter: the addressee and the code (``XXXX-XXXX-XXXX-XXXX``)."""

    addressee: Addressee
    code: str


def read_addressees(data: bytes) -> list[Addressee]:
    """The ``voter_id`` and ``name`` columns of a roll file (manifest.md §MAN-19.1).

    Raises:
        BadRequest: ``roll.bad_file`` if the file is not UTF-8 CSV with those columns.
    """
    try:
        text = data.decode("utf-8").removeprefix("\ufeff")
        reader = csv.DictReader(io.StringIO(text, newline=""), strict=True)
        fields = reader.fieldnames or []
        if "voter_id" not in fields or "name" not in fields:
            raise BadRequest("roll.bad_file", "the roll file needs voter_id and name columns")
        return [
            Addressee(row["voter_id"].strip(), " ".join((row["name"] or "").split()))
            for row in reader
            if (row.get("voter_id") or "").strip()
        ]
    except (UnicodeDecodeError, csv.Error) as exc:
        raise BadRequest("roll.bad_file", f"the roll file cannot be read: {exc}") from exc


def issue_letters(
    runtime: Runtime,
    election_id: str,
    addressees: Iterable[Addressee],
    *,
    actor: str,
    only: Iterable[str] | None = None,
) -> list[Letter]:
    """Issue a code per addressee on the stored roll, and return the letters.

    Without ``only``: every addressee on the roll (eligible) who has no code yet,
    so running it twice prints nothing twice. With ``only`` (roll numbers): those
    voters, with a new code each (a lost letter); an earlier code stays valid
    until one of them opens a session.

    Raises:
        BadRequest: ``voter.bad_id`` for a malformed roll number.
        BadRequest: ``voter.not_found`` for a roll number in ``only`` not on the roll or not
            in the file.
    """
    chosen = None if only is None else {str(v).strip() for v in only}
    wanted: dict[str, Addressee] = {}
    with runtime.uow() as uow:
        load_election(uow, election_id)
        for person in addressees:
            if chosen is not None and person.voter_id not in chosen:
                continue
            try:
                key = voter_key_hex(runtime, election_id, person.voter_id)
            except DomainError as exc:
                raise BadRequest("voter.bad_id", str(exc)) from exc
            voter = uow.voter_by_key(election_id, key)
            if voter is None or not voter.eligible:
                continue  # excluded at import, or not on the roll any more
            if chosen is None and uow.voting_codes_of(voter.id):
                continue
            wanted[key] = person
    if chosen is not None:
        missing = chosen - {p.voter_id for p in wanted.values()}
        if missing:
            raise BadRequest("voter.not_found", "roll numbers not on the roll or not in the file")
    if not wanted:
        return []
    issued = issue_codes(
        runtime, election_id, actor=actor, voter_ids=[p.voter_id for p in wanted.values()]
    )
    return [Letter(wanted[code.voter_key], code.code) for code in issued]
