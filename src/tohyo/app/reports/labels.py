"""The fixed wording of the result forms, in Japanese and English (reports.md §REP-2).

The forms use the vocabulary of the count and result forms of 公職選挙法施行規則
and Hiroshima's e-voting rules (docs/reference: japan-election-forms): these
are terms of art, fixed per form, so they live here beside the forms rather
than in the booth's gettext catalogues (the results *page* uses gettext).
Option and question names come from the manifest.
"""

from __future__ import annotations

from typing import Literal

from tohyo.record.manifest import Manifest
from tohyo.record.questions import CandidatesQuestion, LocalizedText, RatingQuestion

__all__ = ["FORM_LANGUAGES", "Lang", "option_label", "text", "question_title"]

Lang = Literal["ja", "en"]
FORM_LANGUAGES: tuple[Lang, ...] = ("ja", "en")

_TEXT: dict[str, tuple[str, str]] = {
    "doc.title": ("選挙録・開票録（投票結果報告）",
                  "Election and count record (official result report)"),
    "doc.election": ("選挙（投票）の名称", "Election"),
    "doc.election_id": ("選挙ID", "Election id"),
    "doc.period": ("投票期間", "Voting period"),
    "doc.record_hash": ("選挙記録のハッシュ値（SHA-256）", "Record hash (SHA-256)"),
    "doc.issued": ("作成日", "Issued"),
    "doc.page": ("頁", "Page"),
    "doc.signatures": ("署名欄", "Signatures"),
    "doc.returning_officer": ("選挙長（開票管理者）", "Returning officer (count manager)"),
    "doc.witnesses": ("選挙立会人（開票立会人）", "Witnesses of the count"),
    "doc.verify": ("検証の方法", "How to verify"),
    "doc.verify_text": (
        "この報告の数値は、公開された選挙記録から誰でも再計算できます。"
        "「tohyo verify 選挙記録のディレクトリ」を実行すると、すべての暗号文の証明、"
        "公開掲示板（Merkle木）の署名、復号、紙の開票結果の署名と合計を検査し、"
        "同じ数値を表示します。",
        "Anyone can recompute the figures of this report from the published election "
        "record: run “tohyo verify RECORD-DIRECTORY”. It checks every ballot's proofs, "
        "the signed public board (a Merkle tree), the decryption, and the signatures "
        "and sums of the paper counts, and prints the same figures.",
    ),
    "sec.turnout": ("第1表　投票者数及び投票率", "Table 1. Voters and turnout"),
    "sec.turnout_chart": ("投票期間中の累積投票者数（1時間ごと）",
                          "Cumulative voters over the voting period (hourly)"),
    "sec.places": ("第2表　紙の開票区別集計", "Table 2. Paper counts by counting place"),
    "sec.question": ("第3表　得票数", "Table 3. Votes"),
    "sec.form": ("開票結果（第63号様式に準じる）", "Count form (after form 63)"),
    "sec.invalid": ("第4表　無効投票の内訳", "Table 4. Invalid votes by ground"),
    "sec.rating": ("評価の分布と平均", "Distribution and mean of the rating"),
    "col.item": ("区分", "Item"),
    "col.number": ("番号", "No."),
    "col.option": ("候補者・選択肢", "Candidate or option"),
    "col.electronic": ("電子投票", "Internet"),
    "col.paper": ("紙の投票", "Paper"),
    "col.total": ("計", "Total"),
    "col.votes": ("得票数", "Votes"),
    "col.share": ("得票率（%）", "Share (%)"),
    "col.value": ("数", "Figure"),
    "col.place": ("開票区", "Counting place"),
    "col.kind": ("投票の種類", "Kind"),
    "col.voters": ("投票者数", "Voters"),
    "col.rejected": ("不受理", "Rejected"),
    "col.ballots": ("投票数", "Ballots"),
    "col.time": ("時点", "At"),
    "col.internet_voters": ("インターネット", "Internet"),
    "col.paper_voters": ("紙（期日前等）", "Paper (early voting, logged)"),
    "col.reason": ("無効の理由", "Ground"),
    "turnout.roll": ("当日有権者数", "Eligible voters"),
    "turnout.internet": ("インターネット投票者数", "Internet voters"),
    "turnout.paper.early": ("期日前投票者数（紙）", "Early voters (paper)"),
    "turnout.paper.election_day": ("当日投票者数（紙）", "Election-day voters (paper)"),
    "turnout.paper.mobile": ("移動期日前投票所の投票者数", "Mobile-station voters (paper)"),
    "turnout.paper.absentee": ("不在者投票者数", "Absentee voters (paper)"),
    "turnout.voters": ("投票者総数", "Total voters"),
    "turnout.percent": ("投票率（%）", "Turnout (%)"),
    "turnout.started_not_finished": ("電子投票の操作を途中で終了した者の数",
                                     "Voters who started but did not finish online"),
    "turnout.paper_overrides": ("紙の投票により取り消した電子投票の数",
                                "Internet votes cancelled by a paper vote"),
    "turnout.rejected": ("不受理の数", "Rejected paper ballots"),
    "kind.early": ("期日前投票", "Early voting"),
    "kind.election_day": ("当日投票", "Election day"),
    "kind.mobile": ("移動期日前投票所", "Mobile station"),
    "kind.absentee": ("不在者投票", "Absentee"),
    "q.ballots": ("投票総数", "Ballots"),
    "q.valid": ("有効投票数", "Valid votes"),
    "q.blank": ("白紙", "Blank"),
    "q.invalid": ("無効投票数", "Invalid votes"),
    "q.invalid_rate": ("無効投票率（%）", "Invalid rate (%)"),
    "q.multiple": ("複数選択の問：数は選択の数です。",
                   "Several choices allowed: figures count selections."),
    "form.A": ("（A）得票総数", "(A) Total of the votes"),
    "form.B": ("（B）按分の際切り捨てた票数", "(B) Fractions truncated when apportioning"),
    "form.C": ("（C）有効投票数（A＋B）", "(C) Valid votes (A + B)"),
    "form.D": ("（D）無効投票数", "(D) Invalid votes"),
    "form.E": ("（E）投票総数（C＋D）", "(E) Ballots (C + D)"),
    "form.F_rejected": ("（F）不突合のうち不受理", "(F) Discrepancy: rejected"),
    "form.F_other": ("（F）不突合のうちその他", "(F) Discrepancy: other"),
    "form.G": ("（G）投票者総数（E＋F）", "(G) Voters (E + F)"),
    "rating.answers": ("回答数（白紙を除く）", "Answers (blank excluded)"),
    "rating.sum": ("評価の合計", "Sum of the ratings"),
    "rating.mean": ("平均", "Mean"),
    "rating.level": ("評価", "Rating"),
    "reason.wrong_paper": ("所定の用紙を用いないもの", "Not on the official paper"),
    "reason.not_candidate": ("候補者でない者の氏名を記載したもの", "Names a non-candidate"),
    "reason.two_or_more": ("二人以上の候補者の氏名を記載したもの", "Names two or more candidates"),
    "reason.ineligible": ("被選挙権のない候補者の氏名を記載したもの",
                          "Names an ineligible candidate"),
    "reason.other_writing": ("他事記載", "Other writing"),
    "reason.not_handwritten": ("自書しないもの", "Not written by the voter"),
    "reason.unclear": ("何人を記載したかを確認し難いもの", "Cannot tell whom"),
    "reason.other": ("その他", "Other"),
    "reason.withdrawn": ("辞退・死亡等の候補者への投票", "Votes for a withdrawn candidate"),
    "reason.blank": ("白紙投票", "Blank"),
    "chart.votes": ("票数", "Votes"),
    "chart.voters": ("累積投票者数", "Cumulative voters"),
    "chart.internet": ("インターネット", "Internet"),
    "chart.paper": ("紙（期日前等、記録分）", "Paper (logged)"),
    "chart.bar_alt": ("得票数の棒グラフ（数値は隣の表にあります）",
                      "Bar chart of the votes (the figures are in the table beside it)"),
    "chart.pie_alt": ("得票の割合の円グラフ（数値は隣の表にあります）",
                      "Pie chart of the shares (the figures are in the table beside it)"),
    "chart.turnout_alt": ("累積投票者数の推移のグラフ（数値は隣の表にあります）",
                          "Chart of cumulative voters (the figures are in the table beside it)"),
    "unit.votes": ("票", "votes"),
    "unit.people": ("人", "people"),
    "none": ("なし", "none"),
}


def text(key: str, lang: Lang) -> str:
    """The form wording ``key`` in ``lang``.

    Raises:
        KeyError: an unknown key (a bug, caught by the tests).
    """
    ja, en = _TEXT[key]
    return ja if lang == "ja" else en


def _loc(value: LocalizedText | None, lang: Lang) -> str:
    return "" if value is None else value.get(lang)


def question_title(manifest: Manifest, question_id: str, lang: Lang) -> str:
    return _loc(manifest.question(question_id).title, lang)


def option_label(manifest: Manifest, question_id: str, option_id: str, lang: Lang) -> str:
    """An option's name as printed: candidates with their party, ratings by level."""
    question = manifest.question(question_id)
    if isinstance(question, CandidatesQuestion):
        for c in question.candidates:
            if c.id == option_id:
                party = _loc(c.party, lang)
                return f"{_loc(c.name, lang)}（{party}）" if party else _loc(c.name, lang)
    elif isinstance(question, RatingQuestion):
        for level in question.levels:
            if str(level.value) == option_id:
                return _loc(level.label, lang) or option_id
    else:
        for o in question.options:
            if o.id == option_id:
                return _loc(o.label, lang)
    return option_id
