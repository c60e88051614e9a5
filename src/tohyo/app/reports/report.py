"""The result report: what the forms, charts and results page show (docs/spec/reports.md).

A :class:`ResultReport` joins the official result (docs/spec/results.md §RES-3,
``tohyo.record.official``) with the manifest's names, the record hash and the
turnout series, and lays out per language the tables the PDF and the results
page print and the charts beside them. It computes no figure of the count: every
number comes from the :class:`~tohyo.record.official.OfficialResult`, whose sums
``from_json`` has checked; shares are derived here for display only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_EVEN, Decimal

from tohyo.app.reports import charts
from tohyo.app.reports.labels import Lang, option_label, question_title, text
from tohyo.app.reports.turnout import TurnoutPoint, TurnoutSeries
from tohyo.record.manifest import Manifest
from tohyo.record.official import OfficialResult, QuestionOfficial
from tohyo.record.questions import QuestionKind

__all__ = ["Chart", "QuestionView", "ResultReport", "Row", "share"]

#: Turnout tables longer than this are shown per day (the hourly figures stay in JSON).
_HOURLY_ROWS = 48


def share(part: int, whole: int) -> str:
    """``part`` as a percentage of ``whole``, one decimal half-even; ``"-"`` for 0 of 0."""
    if whole == 0:
        return "-"
    return str((Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), ROUND_HALF_EVEN))


@dataclass(frozen=True, slots=True)
class Row:
    """One table row: a heading cell and figures (already formatted)."""

    head: str
    cells: tuple[str, ...]
    strong: bool = False


@dataclass(frozen=True, slots=True)
class Chart:
    """A chart and the table with its figures."""

    id: str
    alt: str
    svg: str
    caption: str
    columns: tuple[str, ...]
    rows: tuple[Row, ...]


@dataclass(frozen=True, slots=True)
class QuestionView:
    """One question's section in one language."""

    id: str
    title: str
    multiple: bool
    votes: Chart
    pie: Chart | None
    totals: tuple[Row, ...]
    form: tuple[Row, ...]
    invalid: tuple[Row, ...]
    rating: tuple[Row, ...]


def _n(value: int) -> str:
    return f"{value:,}"


@dataclass(frozen=True, slots=True)
class ResultReport:
    """Everything a result report shows (reports.md §REP-1).

    Attributes:
        manifest: the election's manifest (names, period).
        official: the official result.
        record_hash: hex record hash of the published record, if there is one.
        turnout: the hourly turnout series, if the log was available.
        issued: the date printed on the forms.
    """

    manifest: Manifest
    official: OfficialResult
    record_hash: str | None = None
    turnout: TurnoutSeries | None = None
    issued: date = field(default_factory=date.today)

    # ------------------------------------------------------------ election

    def title(self, lang: Lang) -> str:
        return self.manifest.title.get(lang)

    def period(self, lang: Lang) -> str:
        start, end = self.manifest.period.start, self.manifest.period.end
        fmt = "%Y年%m月%d日 %H:%M" if lang == "ja" else "%Y-%m-%d %H:%M"
        return f"{start.strftime(fmt)} – {end.strftime(fmt)} (UTC{start.strftime('%z')})"

    def turnout_rows(self, lang: Lang) -> tuple[Row, ...]:
        t = self.official.turnout
        rows = [Row(text("turnout.roll", lang), (_n(t.roll),)),
                Row(text("turnout.internet", lang), (_n(t.internet),))]
        rows += [Row(text(f"turnout.paper.{kind}", lang), (_n(n),)) for kind, n in t.paper]
        rows += [
            Row(text("turnout.voters", lang), (_n(t.voters),), strong=True),
            Row(text("turnout.percent", lang), (t.percent or "-",), strong=True),
            Row(text("turnout.started_not_finished", lang), (_n(t.started_not_finished),)),
            Row(text("turnout.paper_overrides", lang), (_n(t.paper_overrides),)),
            Row(text("turnout.rejected", lang), (_n(t.rejected),)),
        ]
        return tuple(rows)

    def place_rows(self, lang: Lang) -> tuple[Row, ...]:
        return tuple(
            Row(p.place, (text(f"kind.{p.kind}", lang), _n(p.voters), _n(p.rejected),
                          _n(p.ballots)))
            for p in self.official.places
        )

    def turnout_chart(self, lang: Lang) -> Chart | None:
        if self.turnout is None or not self.turnout.points:
            return None
        names = (text("chart.internet", lang), text("chart.paper", lang))
        svg = charts.turnout_chart(self.turnout, names, text("chart.voters", lang))
        points: tuple[TurnoutPoint, ...] = self.turnout.points
        if len(points) > _HOURLY_ROWS:
            points = self.turnout.daily()
        fmt = "%m/%d %H:%M"
        rows = tuple(Row(p.end.strftime(fmt), (_n(p.internet), _n(p.paper), _n(p.total)))
                     for p in points)
        return Chart("turnout", text("chart.turnout_alt", lang), svg,
                     text("sec.turnout_chart", lang),
                     (text("col.time", lang), text("col.internet_voters", lang),
                      text("col.paper_voters", lang), text("col.total", lang)), rows)

    # ------------------------------------------------------------ questions

    def questions(self, lang: Lang) -> tuple[QuestionView, ...]:
        return tuple(self._question(q, lang) for q in self.official.questions)

    def _label(self, q: QuestionOfficial, option_id: str, lang: Lang) -> str:
        return option_label(self.manifest, q.question_id, option_id, lang)

    def _question(self, q: QuestionOfficial, lang: Lang) -> QuestionView:
        labels = [self._label(q, o.option_id, lang) for o in q.options]
        totals = [o.total for o in q.options]
        valid = q.valid.total
        columns = (text("col.option", lang), text("col.electronic", lang),
                   text("col.paper", lang), text("col.votes", lang), text("col.share", lang))
        rows = tuple(
            Row(label, (_n(o.electronic), _n(o.paper),
                        o.votes if o.apportioned != "0.000" else _n(o.total),
                        share(o.total, valid)))
            for label, o in zip(labels, q.options, strict=True)
        )
        rows += (Row(text("q.valid", lang), (_n(q.valid.electronic), _n(q.valid.paper),
                                              _n(valid), "100.0" if valid else "-"), strong=True),)
        votes = Chart(f"{q.question_id}-votes", text("chart.bar_alt", lang),
                      charts.bar_chart(labels, totals, text("chart.votes", lang)),
                      text("sec.question", lang), columns, rows)
        pie = None
        # Pies for single-choice questions, as the city publishes its surveys (seed 002).
        if q.kind in (QuestionKind.CHOICE, QuestionKind.IMAGE_CHOICE) and not q.multiple:
            pie = Chart(f"{q.question_id}-shares", text("chart.pie_alt", lang),
                        charts.pie_chart(labels, totals), text("col.share", lang), columns, rows)
        invalid = q.invalid_total
        total_rows = (
            Row(text("q.ballots", lang), (_n(q.ballots.electronic), _n(q.ballots.paper),
                                          _n(q.ballots.total)), strong=True),
            Row(text("q.valid", lang), (_n(q.valid.electronic), _n(q.valid.paper), _n(valid))),
            Row(text("q.blank", lang), (_n(q.blank.electronic), _n(q.blank.paper),
                                        _n(q.blank.total))),
            Row(text("q.invalid", lang), (_n(invalid.electronic), _n(invalid.paper),
                                          _n(invalid.total))),
            Row(text("q.invalid_rate", lang), ("", "",
                share(invalid.total + q.blank.total, q.ballots.total))),
        )
        form: tuple[Row, ...] = ()
        if q.count_form is not None:
            f = q.count_form
            form = (
                Row(text("form.A", lang), (f.a,)), Row(text("form.B", lang), (f.b,)),
                Row(text("form.C", lang), (_n(f.c),), strong=True),
                Row(text("form.D", lang), (_n(f.d),)),
                Row(text("form.E", lang), (_n(f.e),), strong=True),
                Row(text("form.F_rejected", lang), (_n(f.f_rejected),)),
                Row(text("form.F_other", lang), (_n(f.f_other),)),
                Row(text("form.G", lang), (_n(f.g),), strong=True),
            )
        invalid_rows = [Row(text("reason.blank", lang), (_n(q.blank.electronic),
                                                          _n(q.blank.paper), _n(q.blank.total)))]
        for line in q.invalid:
            head = text(f"reason.{line.reason}", lang)
            if line.option_id is not None:
                head = f"{head}：{self._label(q, line.option_id, lang)}"
            invalid_rows.append(Row(head, (_n(line.electronic), _n(line.paper), _n(line.total))))
        rating: tuple[Row, ...] = ()
        if q.rating is not None:
            rating = (
                Row(text("rating.answers", lang), (_n(q.rating.answers),)),
                Row(text("rating.sum", lang), (_n(q.rating.sum),)),
                Row(text("rating.mean", lang), (q.rating.mean or "-",), strong=True),
            )
        return QuestionView(
            id=q.question_id, title=question_title(self.manifest, q.question_id, lang),
            multiple=q.multiple, votes=votes, pie=pie, totals=total_rows, form=form,
            invalid=tuple(invalid_rows), rating=rating,
        )
