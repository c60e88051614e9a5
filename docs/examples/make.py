"""Rewrite the example result report of the 2025 Tsukuba survey (docs/spec/reports.md §REP-6).

Run from the repository root with the project's virtualenv::

    python docs/examples/make.py

The figures are ``tests/vectors/official/tsukuba-2025-survey.json``: the
published internet results of the 2025 vote (seed 002) with invented paper
counts of two counting places. There is no record behind it, so the forms
carry no record hash and no turnout chart.
"""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1] / "tests" / "vectors" / "official"))

from tsukuba_2025 import manifest, official_result  # noqa: E402

from tohyo.app.reports.csvform import render_csv  # noqa: E402
from tohyo.app.reports.pdf import render_pdf  # noqa: E402
from tohyo.app.reports.report import ResultReport  # noqa: E402

#: The day after the vote closed: the date printed on the example forms.
ISSUED = date(2025, 3, 25)


def main() -> None:
    report = ResultReport(manifest(), official_result(), issued=ISSUED)
    (HERE / "tsukuba-2025-survey-report-ja.pdf").write_bytes(render_pdf(report, "ja"))
    (HERE / "tsukuba-2025-survey-report-en.pdf").write_bytes(render_pdf(report, "en"))
    (HERE / "tsukuba-2025-survey.csv").write_bytes(render_csv(report))
    sys.stdout.write(f"wrote the example report into {HERE}\n")


if __name__ == "__main__":
    main()
