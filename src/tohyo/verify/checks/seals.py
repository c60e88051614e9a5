"""V16: the seals of the media and their opening (record.md §REC-8, storage.md §ST-8).

A record without ``seals.json`` passes with a note that its media were not
sealed. Otherwise every statement must be well formed, of this election, seal
the record's final head (its size and root), carry valid Ed25519 signatures of
at least two officials and one witness with distinct keys (a witness's key
among the record's listed witnesses when it lists any), and every seal must be
followed by an unseal that names it and found every medium's digest unchanged.
"""

from __future__ import annotations

from typing import Any

from tohyo.log import Checkpoint, LogError, parse_note, verifier_from_key
from tohyo.record.format import SEALS, InvalidRecord
from tohyo.record.reader import RecordReader
from tohyo.record.seals import MEDIA, InvalidSeal, SealStatement, SignedSeal
from tohyo.verify.report import Report

__all__ = ["check_seals"]

CID = "V16"
_MAX_SEALS = 64


def _final_head(reader: RecordReader) -> tuple[int, str] | None:
    last = None
    for _, note in reader.heads():
        last = note
    if last is None:
        return None
    head = Checkpoint.from_text(parse_note(last).text)
    return head.size, head.root_hash.hex()


def _witness_keys(reader: RecordReader) -> set[bytes]:
    keys = set()
    for vkey in reader.header.log.witnesses:
        try:
            keys.add(verifier_from_key(vkey).public_key)
        except (LogError, ValueError):
            continue  # V7 fails a bad listed key
    return keys


def check_seals(reader: RecordReader, report: Report) -> None:
    """Run V16 on ``reader``'s record; never raises on bad input."""
    if SEALS not in {name for name, _ in reader.header.files}:
        report.finish(CID, "the record carries no seal: its media were not sealed")
        return
    try:
        obj = reader.read_json(SEALS)
        if not isinstance(obj, dict) or obj.get("format") != "tohyo-seals/1" \
                or not isinstance(obj.get("seals"), list) or len(obj["seals"]) > _MAX_SEALS:
            raise InvalidRecord(SEALS, 'expected {"format": "tohyo-seals/1", "seals": [...]}')
        final = _final_head(reader)
    except (InvalidRecord, LogError, ValueError) as exc:
        where = exc.location if isinstance(exc, InvalidRecord) else SEALS
        report.fail(CID, where, str(getattr(exc, "reason", exc)))
        report.finish(CID)
        return
    _check_items(reader, report, obj["seals"], final)


def _check_items(
    reader: RecordReader, report: Report, items: list[Any], final: tuple[int, str] | None
) -> None:
    witnesses = _witness_keys(reader)
    current: SealStatement | None = None
    opened = False
    seals = openings = 0
    for i, item in enumerate(items):
        where = f"{SEALS}#/seals/{i}"
        try:
            signed = SignedSeal.from_json(item)
            signed.check(officials=2, witnesses=1)
        except InvalidSeal as exc:
            report.fail(CID, where, str(exc))
            continue
        statement = signed.statement
        if statement.election_id != reader.header.election_id:
            report.fail(CID, where, "a statement of another election")
        if final is None or (statement.size, statement.root) != final:
            report.fail(CID, where, "does not seal the record's final head")
        for signature in signed.signatures:
            if signature.role == "witness" and witnesses and \
                    signature.public_key not in witnesses:
                report.fail(CID, where, f"witness {signature.name} is not a listed witness")
        if statement.kind == "seal":
            if current is not None and not opened:
                report.fail(CID, where, "a new seal before the last one was opened")
            current, opened, seals = statement, False, seals + 1
            continue
        if current is None or statement.seal != current.digest().hex():
            report.fail(CID, where, "an unseal of no seal in the record")
            continue
        changed = [m for m in MEDIA if statement.media[m] != current.media[m]]
        if changed:
            report.fail(CID, where, f"the opening found changed media: {', '.join(changed)}")
            continue
        opened, openings = True, openings + 1
    if current is not None and not opened:
        report.fail(CID, SEALS, "the last seal was never opened by a matching unseal")
    report.finish(CID, f"{seals} seals, {openings} matching openings, signatures verified")
