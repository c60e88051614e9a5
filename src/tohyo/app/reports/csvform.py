"""The result as CSV, one row per candidate or option (docs/spec/reports.md §REP-3).

UTF-8 with a byte-order mark, CRLF line ends (RFC 4180), so that Excel in
Japan opens it with the Japanese names intact. The columns are fixed and
documented in the spec; names are given in Japanese and English.
"""

from __future__ import annotations

import csv
import io

from tohyo.app.reports.labels import option_label, question_title
from tohyo.app.reports.report import ResultReport, share

__all__ = ["COLUMNS", "render_csv"]

#: The header row (reports.md §REP-3 documents each column).
COLUMNS: tuple[str, ...] = (
    "election_id", "question_no", "question_id", "question_ja", "question_en", "kind",
    "option_no", "option_id", "option_ja", "option_en", "withdrawn",
    "electronic", "paper", "total", "apportioned", "votes", "share_percent",
    "question_ballots", "question_valid", "question_blank", "question_invalid",
    "rating_mean",
)


def render_csv(report: ResultReport) -> bytes:
    """The CSV bytes (with the BOM)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    m, official = report.manifest, report.official
    for qn, q in enumerate(official.questions, start=1):
        qid = q.question_id
        for on, o in enumerate(q.options, start=1):
            writer.writerow((
                official.election_id, qn, qid, question_title(m, qid, "ja"),
                question_title(m, qid, "en"), q.kind, on, o.option_id,
                option_label(m, qid, o.option_id, "ja"), option_label(m, qid, o.option_id, "en"),
                "1" if o.withdrawn else "0",
                o.electronic, o.paper, o.total, o.apportioned, o.votes,
                share(o.total, q.valid.total),
                q.ballots.total, q.valid.total, q.blank.total, q.invalid_total.total,
                "" if q.rating is None or q.rating.mean is None else q.rating.mean,
            ))
    return ("\ufeff" + out.getvalue()).encode("utf-8")
