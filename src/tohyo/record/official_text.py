"""The official result as a plain-text table for the console (docs/spec/results.md §RES-3).

``tohyo verify``, ``tohyo record tally``, ``tohyo paper show`` and the demo print
the figures with :func:`official_table`, so that a person reads the result
without opening ``official.json``. Row labels are bilingual (Japanese, then
English); option labels come from the manifest in the requested language.
Columns are padded by display width, so that full-width Japanese text lines up
in a terminal.
"""

from __future__ import annotations

import unicodedata

from tohyo.record.manifest import Manifest
from tohyo.record.official import OfficialResult, QuestionOfficial, Split
from tohyo.record.questions import CandidatesQuestion, ChoiceQuestion, ImageChoiceQuestion

__all__ = ["official_table"]

_REASONS = {
    "wrong_paper": "所定外用紙 wrong paper",
    "not_candidate": "候補者でない者 not a candidate",
    "two_or_more": "二人以上記載 two or more",
    "ineligible": "被選挙権なし ineligible",
    "other_writing": "他事記載 other writing",
    "not_handwritten": "自書しない not handwritten",
    "unclear": "確認し難い unclear",
    "other": "その他 other",
    "withdrawn": "辞退・死亡 withdrawn",
}
_KINDS = {"early": "期日前 early", "election_day": "当日 election day",
          "mobile": "移動 mobile", "absentee": "不在者 absentee"}
_LABEL_WIDTH = 34


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _cut(text: str, width: int) -> str:
    out, used = "", 0
    for c in text:
        w = 2 if unicodedata.east_asian_width(c) in "WF" else 1
        if used + w > width - 1 and _width(text) > width:
            return out + "…"
        out, used = out + c, used + w
    return out


def _left(text: str, width: int) -> str:
    text = _cut(text, width)
    return text + " " * max(0, width - _width(text))


def _row(label: str, *cells: object, indent: int = 2) -> str:
    return " " * indent + _left(label, _LABEL_WIDTH) + "".join(f"{c!s:>11}" for c in cells)


def _split_row(label: str, s: Split, indent: int = 2) -> str:
    return _row(label, s.electronic, s.paper, s.total, indent=indent)


def _option_label(manifest: Manifest | None, question_id: str, option_id: str,
                  language: str) -> str:
    if manifest is None:
        return option_id
    try:
        question = manifest.question(question_id)
    except KeyError:
        return option_id
    if isinstance(question, CandidatesQuestion):
        for c in question.candidates:
            if c.id == option_id:
                return f"{c.number}. {c.name.get(language)}"
    if isinstance(question, ChoiceQuestion | ImageChoiceQuestion):
        for o in question.options:
            if o.id == option_id:
                return o.label.get(language) if o.label is not None else option_id
    return option_id


def _question(q: QuestionOfficial, n: int, manifest: Manifest | None, language: str
              ) -> list[str]:
    title = q.question_id
    if manifest is not None:
        try:
            title = f"{manifest.question(q.question_id).title.get(language)} ({q.question_id})"
        except KeyError:
            pass
    lines = [f"Q{n} {title}",
             _row("", "electronic", "paper", "total", "得票数 votes")]
    for o in q.options:
        name = _option_label(manifest, q.question_id, o.option_id, language)
        if o.withdrawn:
            name += " [withdrawn]"
        votes = o.votes if o.apportioned != "0.000" else str(o.total)
        lines.append(_row(name, o.electronic, o.paper, o.total, votes))
    lines.append(_split_row("有効 valid", q.valid))
    lines.append(_split_row("白紙 blank", q.blank))
    lines.append(_split_row("無効 invalid", q.invalid_total))
    for line in q.invalid:
        if line.total or line.reason == "withdrawn":
            name = _REASONS.get(line.reason, line.reason)
            if line.option_id is not None:
                name += ": " + _option_label(manifest, q.question_id, line.option_id, language)
            lines.append(_row(name, line.electronic, line.paper, line.total, indent=4))
    lines.append(_split_row("投票総数 ballots", q.ballots))
    f = q.count_form
    if f is not None:
        lines.append(f"  (A) 得票総数 {f.a}  (B) 按分切捨 {f.b}  (C) 有効 {f.c}  (D) 無効 {f.d}"
                     f"  (E) 投票総数 {f.e}")
        lines.append(f"  (F) 不突合 {f.f} (不受理 {f.f_rejected}, その他 {f.f_other})"
                     f"  (G) 投票者総数 {f.g}")
    if q.rating is not None:
        mean = q.rating.mean if q.rating.mean is not None else "—"
        lines.append(f"  平均 mean {mean} over {q.rating.answers} answers (sum {q.rating.sum})")
    return lines


def official_table(
    result: OfficialResult, manifest: Manifest | None = None, *, language: str = "ja"
) -> str:
    """The official result as a text table (one section per question, then turnout)."""
    lines = [f"official result 公式結果 — {result.election_id}"]
    for n, q in enumerate(result.questions, start=1):
        lines += ["", *_question(q, n, manifest, language)]
    t = result.turnout
    percent = f"{t.percent} %" if t.percent is not None else "—"
    paper = ", ".join(f"{_KINDS.get(k, k)} {n}" for k, n in t.paper)
    lines += [
        "",
        "投票者 turnout",
        _row("当日有権者数 roll", t.roll),
        _row("投票者数 voters", t.voters),
        _row("インターネット internet", t.internet, indent=4),
        _row("紙 paper", t.paper_total, indent=4),
        f"      {paper}",
        _row("投票率 turnout", percent),
        _row("途中終了 started, not finished", t.started_not_finished),
        _row("紙で上書き paper overrides", t.paper_overrides),
        _row("不受理 rejected", t.rejected),
    ]
    if result.places:
        lines += ["", "開票区 counting places (paper)"]
        for p in result.places:
            lines.append(_row(f"{p.place} / {_KINDS.get(p.kind, p.kind)}",
                              f"voters {p.voters}", f"ballots {p.ballots}",
                              f"rejected {p.rejected}"))
    return "\n".join(lines) + "\n"
