"""The votes CSV of ``tohyo simulate`` and the 2025 Tsukuba survey (docs/guides/auditors.md).

Format (UTF-8, RFC 4180, header row):

- one row per voter;
- one column per question, named by the question id: the chosen option ids
  separated by ``;``, empty for a blank answer; this is the ballot that counts;
- optional columns ``earlier:<question id>``: a ballot the voter cast first and
  then replaced (a re-vote); the row's other ballot supersedes it;
- optional column ``paper``: ``1`` if the voter also voted on paper, which
  cancels all of their internet ballots.

:func:`tsukuba_2025_rows` writes the published 2025 survey (MISSION.md):
559 answers on administrative services, 442 on mobility, 417 on healthcare,
with the published counts per choice; rows of voters who skipped a field leave
it blank.
"""

from __future__ import annotations

import csv
import io
import random  # noqa: TID251 - reproducible simulated re-votes, never secrets
from collections.abc import Iterable, Sequence
from pathlib import Path

from tohyo.record.manifest import Manifest
from tohyo.simulate.direct import Voter

__all__ = ["TSUKUBA_2025", "VotesError", "parse_votes", "tsukuba_2025_rows", "write_votes"]

#: field → [(option id, votes)] as published (seed 002, 2025 vote).
TSUKUBA_2025: dict[str, list[tuple[str, int]]] = {
    "administrative-services": [("internet-voting", 282), ("digital-counters", 240),
                                ("ai-citizen-voice", 37)],
    "mobility": [("tsukumobi", 96), ("smart-mobility", 185), ("hands-free-ticketing", 161)],
    "healthcare": [("online-home-care", 238), ("food-lifestyle", 36), ("emergency-data", 143)],
}


class VotesError(ValueError):
    """A votes CSV that does not fit the manifest: names the row and column."""


def _choice(cell: str, options: Sequence[str], where: str) -> list[str]:
    chosen = [c.strip() for c in cell.split(";") if c.strip()]
    unknown = [c for c in chosen if c not in options]
    if unknown:
        raise VotesError(f"{where}: unknown options {unknown}")
    return chosen


def parse_votes(
    text: str,
    manifest: Manifest,
    *,
    revote_rate: float = 0.0,
    paper_rate: float = 0.0,
    seed: int = 0,
) -> list[Voter]:
    """The voters of a votes CSV (format above).

    Args:
        text: the CSV.
        manifest: the election's manifest.
        revote_rate: share of voters given a random earlier ballot (re-vote).
        paper_rate: share of voters who also vote on paper.
        seed: for the random re-votes and paper votes.

    Raises:
        VotesError: a missing question column, an unknown column or option.
    """
    rows = list(csv.DictReader(io.StringIO(text)))
    options = {q.id: q.option_ids for q in manifest.questions}
    blank_ok = {q.id: q.allow_blank for q in manifest.questions}
    known = set(options) | {f"earlier:{q}" for q in options} | {"paper"}
    header = set(rows[0]) if rows else set(options)
    if set(options) - header:
        raise VotesError(f"row 1: missing question columns {sorted(set(options) - header)}")
    if header - known:
        raise VotesError(f"row 1: unknown columns {sorted(header - known)}")
    rng = random.Random(seed)  # noqa: S311 - simulation, not secrecy
    voters = []
    for n, row in enumerate(rows, start=2):
        final = {q: _choice(row[q] or "", options[q], f"row {n}, {q}") for q in options}
        ballots = [final]
        if any(row.get(f"earlier:{q}") for q in options):
            ballots.insert(0, {q: _choice(row.get(f"earlier:{q}") or "", options[q],
                                          f"row {n}, earlier:{q}") for q in options})
        elif rng.random() < revote_rate:
            ballots.insert(0, {q: [rng.choice(options[q])] if not blank_ok[q] or rng.random()
                               < 0.9 else [] for q in options})
        paper = (row.get("paper") or "").strip() in {"1", "yes", "true"} \
            or rng.random() < paper_rate
        voters.append(Voter(tuple(ballots), paper=paper))
    return voters


def write_votes(path: Path | str, header: Sequence[str], rows: Iterable[Sequence[str]]) -> None:
    """Write a votes CSV."""
    with Path(path).open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle, lineterminator="\n")
        out.writerow(header)
        out.writerows(rows)


def tsukuba_2025_rows(scale: int = 1) -> tuple[list[str], list[list[str]]]:
    """Header and rows reproducing the 2025 survey, each count divided by ``scale``.

    With ``scale=1``: 559 voters; all answer administrative services, the first
    442 mobility and the first 417 healthcare (the rest leave them blank).
    """
    header = list(TSUKUBA_2025)
    columns: dict[str, list[str]] = {}
    for field, counts in TSUKUBA_2025.items():
        columns[field] = [o for o, n in counts for _ in range(n // scale)]
    voters = max(len(c) for c in columns.values())
    rows = [[columns[f][i] if i < len(columns[f]) else "" for f in header]
            for i in range(voters)]
    return header, rows
