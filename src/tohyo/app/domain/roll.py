"""Voter-roll import: CSV in, keyed pseudonyms out (docs/spec/manifest.md §MAN-19).

The file is accepted whole or not at all: :func:`import_roll` either returns
every eligible voter or raises :class:`InvalidRoll` listing every bad row.
Data minimisation: the ``name`` column is checked for presence and then
dropped, the birth date is used only to decide eligibility, and the voter's
roll number is kept only as ``HMAC-SHA256(roll_key, …)`` (:func:`voter_key`).
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import io
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from typing import NewType

from tohyo.app.domain.eligibility import ensure_eligible
from tohyo.app.domain.errors import DomainError, InvalidRoll, NotEligible, RollProblem
from tohyo.app.domain.lifecycle import AmendRoll
from tohyo.record.manifest import Eligibility, is_area_code

__all__ = [
    "MAX_ROLL_BYTES",
    "ROLL_COLUMNS",
    "VOTER_KEY_DST",
    "Exclusion",
    "RollEntry",
    "RollImport",
    "VoterKey",
    "import_roll",
    "normalise_voter_id",
    "roll_amendment",
    "voter_key",
]

#: The columns of a roll file, each exactly once, in any order (§MAN-19.1).
ROLL_COLUMNS = ("voter_id", "name", "birth_date", "address_code", "district")
#: Largest roll file accepted: 64 MiB (about a million voters).
MAX_ROLL_BYTES = 64 << 20
#: Domain-separation tag of :func:`voter_key` (§MAN-19.3).
VOTER_KEY_DST = b"tohyo/1/roll/voter-id"
MIN_ROLL_KEY_BYTES = 32

VoterKey = NewType("VoterKey", bytes)

_BOM = "\ufeff"
_VOTER_ID = re.compile(r"[0-9A-Z]{1,32}\Z")
_DISTRICT = re.compile(r"[0-9A-Za-z]{1,8}\Z")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}\Z")
_DROPPED = dict.fromkeys(map(ord, " \t-\u2010\u2011\u2012\u2013\u2014\u2212"))
_EARLIEST_BIRTH = date(1880, 1, 1)


@dataclass(frozen=True, slots=True)
class RollEntry:
    """One eligible voter as stored: a pseudonym and where they vote, nothing more."""

    voter_key: VoterKey
    address_code: str
    district: str


@dataclass(frozen=True, slots=True)
class Exclusion:
    """A well-formed row of someone not eligible in this election (no personal data)."""

    row: int
    reason: str  #: ``outside_area`` or ``under_age``


@dataclass(frozen=True, slots=True)
class RollImport:
    """The result of a successful import."""

    entries: tuple[RollEntry, ...]
    excluded: tuple[Exclusion, ...]


def normalise_voter_id(raw: str) -> str:
    """The normal form of a roll number (§MAN-19.2).

    NFKC (full-width digits and letters become ASCII), then spaces, tabs and
    hyphen-like characters removed, then ASCII upper case; the result must be
    1 to 32 of ``0-9 A-Z``.

    Raises:
        DomainError: code ``bad_voter_id`` if the result is not of that form.
    """
    value = unicodedata.normalize("NFKC", raw).translate(_DROPPED).upper()
    if not _VOTER_ID.match(value):
        raise DomainError("a voter id must be 1-32 letters or digits", code="bad_voter_id")
    return value


def voter_key(roll_key: bytes, voter_id: str) -> VoterKey:
    """``HMAC-SHA256(roll_key, VOTER_KEY_DST ‖ 0x00 ‖ utf8(normalise_voter_id(id)))``.

    Raises:
        ValueError: ``roll_key`` is shorter than 32 bytes.
        DomainError: the voter id is malformed.
    """
    if len(roll_key) < MIN_ROLL_KEY_BYTES:
        raise ValueError(f"the roll key must be at least {MIN_ROLL_KEY_BYTES} bytes")
    message = VOTER_KEY_DST + b"\x00" + normalise_voter_id(voter_id).encode("ascii")
    return VoterKey(hmac.new(roll_key, message, hashlib.sha256).digest())


def import_roll(data: bytes, *, eligibility: Eligibility, roll_key: bytes) -> RollImport:
    """Validate a roll file and derive the eligible voters (§MAN-19).

    Args:
        data: the CSV file, UTF-8 with or without a byte-order mark.
        eligibility: the election's rules (``manifest.eligibility``).
        roll_key: the election's secret key for voter pseudonyms (≥ 32 bytes).

    Returns:
        The eligible voters in file order, and the rows excluded as ineligible.

    Raises:
        InvalidRoll: one or more problems; nothing of the file is accepted.
        ValueError: ``roll_key`` is too short.
    """
    if len(roll_key) < MIN_ROLL_KEY_BYTES:
        raise ValueError(f"the roll key must be at least {MIN_ROLL_KEY_BYTES} bytes")
    rows = _read_rows(data)
    problems: list[RollProblem] = []
    header = _check_header(rows[0] if rows else [], problems)
    entries: list[RollEntry] = []
    excluded: list[Exclusion] = []
    seen: dict[bytes, int] = {}
    for number, row in enumerate(rows[1:], start=2):
        if header is None or not row:
            continue
        if len(row) != len(header):
            problems.append(RollProblem(number, "", f"has {len(row)} fields, not {len(header)}"))
            continue
        record = dict(zip(header, row, strict=True))
        parsed = _parse_row(number, record, roll_key, problems)
        if parsed is None:
            continue
        key, birth, entry = parsed
        if key in seen:
            problems.append(RollProblem(number, "voter_id", f"duplicates row {seen[key]}"))
            continue
        seen[key] = number
        try:
            ensure_eligible(eligibility, birth_date=birth, address_code=entry.address_code,
                            district=entry.district)
        except NotEligible as exc:
            excluded.append(Exclusion(number, exc.code))
            continue
        entries.append(entry)
    if header is not None and len(rows) < 2:
        problems.append(RollProblem(0, "", "the file has no voter rows"))
    if problems:
        raise InvalidRoll(problems)
    return RollImport(tuple(entries), tuple(excluded))


def roll_amendment(
    old: Iterable[RollEntry], new: Iterable[RollEntry], *, reason: str
) -> AmendRoll:
    """The audit action for replacing roll ``old`` by ``new`` (a changed entry counts twice)."""
    before, after = set(old), set(new)
    return AmendRoll(added=len(after - before), removed=len(before - after), reason=reason)


def _read_rows(data: bytes) -> list[list[str]]:
    if len(data) > MAX_ROLL_BYTES:
        raise InvalidRoll([RollProblem(0, "", f"the file is larger than {MAX_ROLL_BYTES} bytes")])
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InvalidRoll(
            [RollProblem(0, "", f"the file is not UTF-8 (line {line}); save it as UTF-8")]
        ) from None
    text = text.removeprefix(_BOM)
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    rows: list[list[str]] = []
    try:
        rows.extend(reader)
    except csv.Error as exc:
        raise InvalidRoll(
            [RollProblem(len(rows) + 1, "", f"malformed CSV: {exc}")]
        ) from None
    return rows


def _check_header(header: list[str], problems: list[RollProblem]) -> tuple[str, ...] | None:
    names = [h.strip() for h in header]
    before = len(problems)
    if not header:
        problems.append(RollProblem(1, "", "the header row is missing"))
        return None
    for name in ROLL_COLUMNS:
        if name not in names:
            problems.append(RollProblem(1, name, "column is missing"))
    for i, name in enumerate(names):
        if name not in ROLL_COLUMNS:
            problems.append(RollProblem(1, name, "column is not known"))
        elif name in names[:i]:
            problems.append(RollProblem(1, name, "column appears twice"))
    return tuple(names) if len(problems) == before else None


def _parse_row(
    number: int, record: dict[str, str], roll_key: bytes, problems: list[RollProblem]
) -> tuple[bytes, date, RollEntry] | None:
    def bad(field: str, reason: str) -> None:
        problems.append(RollProblem(number, field, reason))

    def clean(field: str) -> str:
        return unicodedata.normalize("NFKC", record[field]).strip()

    before = len(problems)
    key: VoterKey | None = None
    try:
        key = voter_key(roll_key, record["voter_id"])
    except DomainError:
        bad("voter_id", "must be 1-32 letters or digits (spaces and hyphens are ignored)")
    if not record["name"].strip():
        bad("name", "is empty")
    birth = _birth_date(clean("birth_date"), bad)
    address = clean("address_code")
    if not is_area_code(address):
        bad("address_code", "must be a 6-digit municipality code with a valid check digit")
    district = clean("district")
    if district and not _DISTRICT.match(district):
        bad("district", "must be empty or 1-8 letters or digits")
    if len(problems) != before or key is None or birth is None:
        return None
    return key, birth, RollEntry(key, address, district)


def _birth_date(value: str, bad: Callable[[str, str], None]) -> date | None:
    if not _DATE.match(value):
        bad("birth_date", "must be a date YYYY-MM-DD")
        return None
    try:
        birth = date.fromisoformat(value)
    except ValueError:
        bad("birth_date", "is not a valid calendar date")
        return None
    if birth < _EARLIEST_BIRTH:
        bad("birth_date", "is implausibly early")
        return None
    return birth
