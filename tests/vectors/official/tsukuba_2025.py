"""An official result of the 2025 Tsukuba survey, for tests and the result forms.

Provenance: the internet figures are the published 2025 results (MISSION.md,
seed 002: 559 / 442 / 417 answers over three fields, 1,418 votes); the paper
counts of two counting places are INVENTED so that every column of the forms
has figures (the 2025 survey had no paper channel). As in the project's vote
files (``tests/e2e/tsukuba-2025-votes.csv``) the 1,418 answers are 559 ballots,
each answering the first field and leaving the others blank or not (117 and
142 blanks). ``python tests/vectors/official/tsukuba_2025.py``
rewrites ``tsukuba-2025-survey.json`` beside this file.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import tohyo.simulate.data
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
BALLOTS = 559
#: Invented: eligible residents with a signature certificate.
ROLL = 20000

#: Invented paper counts of two counting places; the demo enters the same
#: counts (``tohyo.simulate.data/tsukuba-2025-paper.json``).
PAPER = json.loads((Path(tohyo.simulate.data.__file__).parent
                    / "tsukuba-2025-paper.json").read_text(encoding="utf-8"))


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
