"""Result reports' parts (docs/spec/reports.md): deterministic charts, the hourly
turnout series from heads and leaves, the CSV schema, refusals."""

from __future__ import annotations

import csv
import io
import json
import sys
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from tohyo.app.reports import charts, fonts
from tohyo.app.reports.csvform import COLUMNS, render_csv
from tohyo.app.reports.errors import FontMissing, ReportError
from tohyo.app.reports.files import official_json
from tohyo.app.reports.labels import _TEXT, text
from tohyo.app.reports.report import ResultReport, share
from tohyo.app.reports.source import report_from_record, results_from_json
from tohyo.app.reports.turnout import turnout_from_log
from tohyo.log.checkpoint import Checkpoint
from tohyo.record.official import OfficialResult

ROOT = Path(__file__).parents[3]
sys.path.insert(0, str(ROOT / "tests" / "vectors" / "official"))
from tsukuba_2025 import manifest, official_result  # noqa: E402

JST = timezone(timedelta(hours=9))
SPEC = (ROOT / "docs" / "spec" / "reports.md").read_text("utf-8")


def _report() -> ResultReport:
    return ResultReport(manifest(), official_result(), issued=date(2025, 3, 25))


def test_charts_are_deterministic_svg_without_dates() -> None:
    first = charts.bar_chart(["インターネット投票", "行政窓口"], [282, 240], "票数")
    again = charts.bar_chart(["インターネット投票", "行政窓口"], [282, 240], "票数")
    assert first == again and first.startswith("<svg")
    assert "<dc:date>" not in first and "<script" not in first
    other = charts.bar_chart(["インターネット投票", "行政窓口"], [282, 241], "票数")
    assert other != first  # the figures are drawn, not ignored
    pie = charts.pie_chart(["a", "b"], [1, 3])
    assert pie == charts.pie_chart(["a", "b"], [1, 3]) and "<text" not in pie  # glyphs as paths
    assert charts.pie_chart(["a"], [0]).startswith("<svg")  # no votes: no division by zero


def _head(size: int, at: datetime) -> str:
    cp = Checkpoint.timestamped("tohyo.example/log/x", size, bytes(32),
                                int(at.timestamp() * 1000))
    return cp.to_text() + "\n— tohyo.example/log/x AAAA\n"


def _leaf(kind: str, credential: str) -> bytes:
    return json.dumps({"kind": kind, "credential": credential}).encode()


def test_turnout_counts_voters_per_hour_from_signed_heads() -> None:
    start = datetime(2025, 2, 20, 9, 0, tzinfo=JST)
    leaves = [_leaf("ballot", "a"), _leaf("ballot", "a"),  # a re-vote is one voter
              _leaf("ballot", "b"), _leaf("paper_override", "c"), _leaf("close", "")]
    heads = [_head(1, start + timedelta(minutes=10)), _head(2, start + timedelta(minutes=50)),
             _head(4, start + timedelta(hours=2, minutes=5)),
             _head(5, start + timedelta(hours=3, minutes=1))]
    series = turnout_from_log(leaves, heads, start, start + timedelta(hours=4))
    got = [(p.end.hour, p.internet, p.paper) for p in series.points]
    assert got == [(10, 1, 0), (11, 1, 0), (12, 2, 1), (13, 2, 1)]
    assert series.points[0].end.utcoffset() == timedelta(hours=9)
    assert series.daily()[-1] == series.points[-1]


def test_turnout_refuses_a_head_beyond_the_leaves_and_bad_periods() -> None:
    start = datetime(2025, 2, 20, 9, 0, tzinfo=JST)
    with pytest.raises(ReportError) as caught:
        turnout_from_log([], [_head(3, start)], start, start + timedelta(hours=1))
    assert caught.value.code == "report.bad_head"
    with pytest.raises(ReportError) as caught:
        turnout_from_log([], [], start, start)
    assert caught.value.code == "report.bad_period"
    with pytest.raises(ReportError):
        turnout_from_log([], ["not a note"], start, start + timedelta(hours=1))


def test_csv_has_a_bom_one_row_per_option_and_the_documented_columns() -> None:
    data = render_csv(_report())
    assert data.startswith(b"\xef\xbb\xbf") and b"\r\n" in data
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert tuple(rows[0]) == COLUMNS
    assert len(rows) == 9
    first = rows[0]
    assert (first["option_ja"], first["electronic"], first["paper"], first["total"]) == (
        "インターネット投票", "282", "12", "294")
    assert first["share_percent"] == share(294, 596) == "49.3"
    for column in COLUMNS:  # every column is documented in the spec
        assert f"`{column}`" in SPEC, column


def test_json_is_the_official_results_canonical_form() -> None:
    report = _report()
    data = official_json(report)
    assert OfficialResult.from_json(json.loads(data)) == report.official
    fixture = ROOT / "tests" / "vectors" / "official" / "tsukuba-2025-survey.json"
    assert data == fixture.read_bytes()


def test_every_form_label_has_both_languages() -> None:
    for key, (ja, en) in _TEXT.items():
        assert ja and en and ja != en, key
    assert text("form.C", "ja") == "（C）有効投票数（A＋B）"


def test_a_tampered_record_is_refused(tmp_path: Path) -> None:
    record = tmp_path / "record"
    record.mkdir()
    source = ROOT / "tests" / "vectors" / "records" / "valid"
    for f in source.iterdir():
        (record / f.name).write_bytes(f.read_bytes())
    report_from_record(record, turnout=False)  # the untouched copy reads
    tally = json.loads((record / "tally.json").read_bytes())
    tally["results"]["questions"][0]["options"][0]["votes"] += 1
    (record / "tally.json").write_text(json.dumps(tally))
    with pytest.raises(ReportError) as caught:
        report_from_record(record)
    assert caught.value.code == "report.bad_record"  # the digest no longer matches


def test_results_that_do_not_fit_the_manifest_are_refused() -> None:
    m = manifest()
    with pytest.raises(ReportError):
        results_from_json({"ballots": 1, "questions": []}, m)
    with pytest.raises(ReportError):
        results_from_json({"ballots": -1, "questions": []}, m)


def test_a_missing_font_is_a_typed_refusal(monkeypatch: pytest.MonkeyPatch) -> None:
    fonts.font_file.cache_clear()
    monkeypatch.setattr(fonts, "FONT_DIRS", (Path("/nonexistent"),))
    try:
        with pytest.raises(FontMissing) as caught:
            fonts.font_file(fonts.SERIF)
        assert "fonts-noto-cjk" in caught.value.message
    finally:
        fonts.font_file.cache_clear()


def test_texts_in_the_page_margins_are_css_escaped_not_html_escaped() -> None:
    """A title with an apostrophe printed ``citizens&#39; vote`` in every page header."""
    from tohyo.app.reports.pdf import css_string

    assert str(css_string("citizens' vote")) == "citizens' vote"
    assert str(css_string('a "b" </style>\\')) == "a \\22 b\\22  \\3c /style\\3e \\5c "
    assert str(css_string("x\ny")) == "x\\a y"
