"""Worked example (docs/spec/reports.md §REP-6): the three Tsukuba seed elections, run
end to end in process (real ballots, proofs, trustees, log) into records, then
``tohyo record report`` on each record. Every PDF page is rendered to PNG with
pdftoppm, and the figures are found in the PDF's text layer with pdftotext.

Votes: the 2025 survey's published counts divided by 10 (seed 002); the 2024
evaluation and photo contest had no published counts in the seeds, so their
distributions here are invented and only exercise the rating (distribution and
mean) and image-choice forms.
"""

from __future__ import annotations

import csv
import io
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tohyo.cli.main import _register, app
from tohyo.record.manifest import Manifest, parse_manifest
from tohyo.simulate.direct import Voter, generate_record
from tohyo.simulate.votes import tsukuba_2025_rows

MANIFESTS = Path(__file__).parents[2] / "vectors" / "manifests"


def _manifest(name: str) -> Manifest:
    return parse_manifest((MANIFESTS / f"{name}.json").read_bytes())


def _survey_voters(m: Manifest) -> list[Voter]:
    header, rows = tsukuba_2025_rows(scale=10)
    return [Voter(({q: [v] if v else [] for q, v in zip(header, row, strict=True)},))
            for row in rows]


#: Invented (no published distribution in the seeds): value → voters.
EVALUATION = {"0": 1, "30": 2, "50": 4, "60": 6, "70": 9, "80": 5, "90": 2, "100": 1}
#: Invented: spot → voters.
PHOTOS = {"spot-tsukuba-san": 9, "spot-doho-park": 4, "spot-expo-center": 6,
          "spot-rice-fields": 3, "spot-ginkgo": 5}

CASES = {
    # name: (voters, figures that must be in the Japanese PDF's text)
    "tsukuba-2025-survey": (
        _survey_voters, ["インターネット投票", "28", "24", "18", "16", "50.9", "55"]),
    "tsukuba-2024-mayor-evaluation": (
        lambda m: [Voter(({"evaluation": [v]},)) for v, n in EVALUATION.items()
                   for _ in range(n)] + [Voter(({"evaluation": []},))],
        ["平均", "64.33", "評価の合計", "1,930", "70点"]),
    "tsukuba-2024-photo-contest": (
        lambda m: [Voter(({"best-photo": [o]},)) for o, n in PHOTOS.items() for _ in range(n)],
        ["筑波山の朝焼け", "9", "33.3", "27"]),
}


def _text(pdf: Path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True,
                          capture_output=True, text=True).stdout


@pytest.mark.parametrize("name", list(CASES))
def test_seed_election_to_report(name: str, tmp_path: Path) -> None:
    m = _manifest(name)
    voters, figures = CASES[name]
    record = tmp_path / "record"
    generate_record(m, voters(m), record, witnesses=0, salt=name)
    _register()
    out = tmp_path / "report"
    done = CliRunner().invoke(app, ["record", "report", str(record), "--out", str(out)])
    assert done.exit_code == 0, done.output
    assert f"wrote {out / 'result-report-ja.pdf'}" in done.output

    ja = out / "result-report-ja.pdf"
    info = subprocess.run(["pdfinfo", str(ja)], check=True, capture_output=True,
                          text=True).stdout
    pages = int(next(line.split()[-1] for line in info.splitlines()
                     if line.startswith("Pages:")))
    assert "595.276 x 841.89 pts (A4)" in info
    fonts = subprocess.run(["pdffonts", str(ja)], check=True, capture_output=True,
                           text=True).stdout
    cjk = [line for line in fonts.splitlines() if "CJK-JP" in line]
    assert cjk and all(" yes yes yes " in line for line in cjk)  # embedded, subset, unicode
    subprocess.run(["pdftoppm", "-r", "40", "-png", str(ja), str(tmp_path / "page")],
                   check=True)
    rendered = sorted(tmp_path.glob("page-*.png"))
    assert len(rendered) == pages >= 2
    assert all(p.read_bytes().startswith(b"\x89PNG") and p.stat().st_size > 2000
               for p in rendered)

    text = _text(ja)
    assert "選挙録・開票録" in text and m.title.ja in text
    for figure in figures:
        assert figure in text, figure
    english = _text(out / "result-report-en.pdf")
    assert "Election and count record" in english
    assert m.title.get("en") in english and "&#" not in english  # CSS escapes in headers

    rows = list(csv.reader(io.StringIO((out / "result.csv").read_bytes().decode("utf-8-sig"))))
    assert (out / "result.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    assert len(rows) == 1 + sum(len(q.option_ids) for q in m.questions)


EXAMPLES = Path(__file__).parents[3] / "docs" / "examples"


def test_checked_in_example_is_current_and_readable(tmp_path: Path) -> None:
    """docs/examples: the CSV is what the code makes today; each PDF page renders and
    its text layer holds the 2025 survey's figures (internet + invented paper)."""
    import sys

    sys.path.insert(0, str(EXAMPLES.parents[1] / "tests" / "vectors" / "official"))
    from tsukuba_2025 import manifest, official_result

    from tohyo.app.reports.csvform import render_csv
    from tohyo.app.reports.report import ResultReport

    report = ResultReport(manifest(), official_result())
    assert (EXAMPLES / "tsukuba-2025-survey.csv").read_bytes() == render_csv(report), \
        "run python docs/examples/make.py"
    for lang, words in (("ja", ["インターネット投票", "有効投票数", "（G）投票者総数（E＋F）"]),
                        ("en", ["Internet voting", "Valid votes", "(G) Voters (E + F)"])):
        pdf = EXAMPLES / f"tsukuba-2025-survey-report-{lang}.pdf"
        subprocess.run(["pdftoppm", "-r", "30", "-png", str(pdf), str(tmp_path / lang)],
                       check=True)
        assert len(list(tmp_path.glob(f"{lang}-*.png"))) >= 4
        text = _text(pdf)
        for figure in [*words, "559", "623", "3.12", "294", "49.3", "596.000", "622"]:
            assert figure in text, (lang, figure)
