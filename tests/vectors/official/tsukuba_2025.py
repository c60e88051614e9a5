"""An official result of the 2025 Tsukuba survey, for tests and the result forms.

Provenance: the internet figures are the published 2025 results (MISSION.md,
seed 002: 559 / 442 / 417 answers over three fields, 1,418 votes); the paper
counts of two counting places are INVENTED so that every column of the forms
has figures (the 2025 survey had no paper channel). The published split of 1,418
votes over three fields is modelled as 1,418 ballots, each answering one field
and leaving the other two blank. ``python tests/vectors/official/tsukuba_2025.py``
rewrites ``tsukuba-2025-survey.json`` beside this file.
"""

from __future__ import annotations

import sys
from pathlib import Path

from tohyo.record.canonical import dumps_canonical
from tohyo.record.manifest import Manifest, parse_manifest
from tohyo.record.official import OfficialResult, TurnoutInputs, combine
from tohyo.record.paper import PaperCount, parse_paper_count
from tohyo.record.results import Results, compute_results

HERE = Path(__file__).parent
MANIFEST = HERE.parent / "manifests" / "tsukuba-2025-survey.json"
JSON = HERE / "tsukuba-2025-survey.json"

#: The published internet results (MISSION.md).
INTERNET = {
    "administrative-services": {"internet-voting": 282, "digital-counters": 240,
                                "ai-citizen-voice": 37},
    "mobility": {"tsukumobi": 96, "smart-mobility": 185, "hands-free-ticketing": 161},
    "healthcare": {"online-home-care": 238, "food-lifestyle": 36, "emergency-data": 143},
}
BALLOTS = 1418
#: Invented: eligible residents with a signature certificate.
ROLL = 20000

#: Invented paper counts of two counting places.
PAPER = [
    {"election_id": "tsukuba-2025-super-city-survey", "place": "つくば市役所",
     "kind": "early", "voters": 52, "rejected": 1,
     "questions": [
         {"id": "administrative-services", "ballots": 51, "blank": 20,
          "invalid": {"other_writing": 1},
          "options": {"internet-voting": 10, "digital-counters": 15, "ai-citizen-voice": 5}},
         {"id": "mobility", "ballots": 51, "blank": 30, "invalid": {"two_or_more": 2},
          "options": {"tsukumobi": 7, "smart-mobility": 8, "hands-free-ticketing": 4}},
         {"id": "healthcare", "ballots": 51, "blank": 29,
          "options": {"online-home-care": 12, "food-lifestyle": 3, "emergency-data": 7}},
     ]},
    {"election_id": "tsukuba-2025-super-city-survey", "place": "移動投票車 1号",
     "kind": "mobile", "voters": 12,
     "questions": [
         {"id": "administrative-services", "ballots": 12, "blank": 5,
          "options": {"internet-voting": 2, "digital-counters": 5}},
         {"id": "mobility", "ballots": 12, "blank": 8, "invalid": {"unclear": 1},
          "options": {"tsukumobi": 3}},
         {"id": "healthcare", "ballots": 12, "blank": 4,
          "options": {"online-home-care": 6, "emergency-data": 2}},
     ]},
]


def manifest() -> Manifest:
    return parse_manifest(MANIFEST.read_bytes())


def internet_results(m: Manifest) -> Results:
    counts: dict[str, int] = {}
    for q, options in INTERNET.items():
        for o, n in options.items():
            counts[f"{q}/{o}"] = n
        counts[f"{q}/#blank"] = BALLOTS - sum(options.values())
    return compute_results(m, counts, BALLOTS)


def paper_counts(m: Manifest) -> list[PaperCount]:
    return [parse_paper_count(m, p) for p in PAPER]


def official_result() -> OfficialResult:
    """The fixture: the 2025 survey's official result with invented paper counts."""
    m = manifest()
    return combine(m, internet_results(m), paper_counts(m),
                   TurnoutInputs(roll=ROLL, started_not_finished=23, paper_overrides=3))


if __name__ == "__main__":
    JSON.write_bytes(dumps_canonical(official_result().to_json()) + b"\n")
    sys.stdout.write(f"wrote {JSON}\n")
