"""The public results page of a published election (docs/spec/reports.md §REP-5).

``/{lang}/elections/{id}/results``: the official figures (turnout, votes per
option by channel, blank and invalid), a chart beside each table, the
downloads (PDF in Japanese and English, CSV, JSON, the record) and how to
verify the figures yourself. Before publication the same URL says the results
are not published yet. Thin: :func:`tohyo.app.reports.published.published_results`
does the work; charts are separate ``image/svg+xml`` responses under the same
CSP as every page (no inline style or script), shown with ``<img>``.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse, RedirectResponse, Response

from tohyo.app.errors import Conflict, NotFound
from tohyo.app.reports.labels import Lang, option_label
from tohyo.app.reports.published import DOWNLOADS, PublishedResults, published_results
from tohyo.app.reports.report import share
from tohyo.app.services.elections import get_election
from tohyo.app.services.runtime import Runtime
from tohyo.app.web.deps import RuntimeDep
from tohyo.app.web.routes.voter import _ID, _load, _not_found, _page

__all__ = ["router"]

router = APIRouter(include_in_schema=False)
_MEDIA = {".pdf": "application/pdf", ".csv": "text/csv; charset=utf-8",
          ".json": "application/json", ".zip": "application/zip"}
_CHARTS: dict[tuple[str, str], dict[str, str]] = {}
_CHART_LOCK = threading.Lock()


def _form_lang(slug: str) -> Lang:
    return "en" if slug == "en" else "ja"


@dataclass(frozen=True, slots=True)
class _OptionRow:
    name: str
    electronic: int
    paper: int
    total: int
    share: str
    withdrawn: bool


def _question_rows(found: PublishedResults, lang: Lang) -> list[dict[str, Any]]:
    m = found.report.manifest
    out = []
    for q in found.report.official.questions:
        rows = [_OptionRow(option_label(m, q.question_id, o.option_id, lang), o.electronic,
                           o.paper, o.total, share(o.total, q.valid.total), o.withdrawn)
                for o in q.options]
        out.append({"official": q, "title": m.question(q.question_id).title, "rows": rows,
                    "pie": q.kind in ("choice", "image_choice") and not q.multiple,
                    "rating": q.rating})
    return out


def _published(runtime: Runtime, election_id: str) -> PublishedResults | None:
    """The results, or ``None`` while they are not published (the page then says so)."""
    try:
        return published_results(runtime, election_id)
    except Conflict as exc:
        if exc.code == "results.not_published":
            return None
        raise


@router.get("/{slug}/elections/{election_id}/results")
async def results_page(
    request: Request, slug: str, election_id: str, runtime: RuntimeDep
) -> Response:
    """The official result, or a "not yet published" page."""
    page = _page(request, slug, f"/elections/{election_id}/results")
    if page is None:
        return _not_found(request)
    try:
        election = await run_in_threadpool(_load, runtime, election_id)
    except NotFound:
        return page.render("voter/not_found.html", status=404)
    found = await run_in_threadpool(_published, runtime, election_id)
    context: dict[str, Any] = {"election": election.summary, "manifest": election.manifest,
                               "booth": None}
    if found is None:
        return page.render("results/pending.html", **context)
    lang = _form_lang(slug)
    return page.render(
        "results/results.html",
        official=found.report.official,
        turnout=found.report.turnout,
        turnout_rows=found.report.turnout.daily() if found.report.turnout else (),
        questions=_question_rows(found, lang),
        record_hash=found.report.record_hash,
        verify_command="tohyo verify record",
        base=f"/{slug}/elections/{election_id}/results",
        **context,
    )


@router.get("/{slug}/elections/{election_id}/results/")
async def results_slash(slug: str, election_id: str) -> RedirectResponse:
    return RedirectResponse(f"/{slug}/elections/{election_id}/results", status_code=308)


def _charts(runtime: Runtime, election_id: str, lang: Lang) -> dict[str, str]:
    found = published_results(runtime, election_id)
    key = (str(found.directory), lang)
    with _CHART_LOCK:
        charts = _CHARTS.get(key)
        if charts is None:
            charts = {}
            report = found.report
            turnout = report.turnout_chart(lang)
            if turnout is not None:
                charts["turnout"] = turnout.svg
            for q in report.questions(lang):
                charts[q.votes.id] = q.votes.svg
                if q.pie is not None:
                    charts[q.pie.id] = q.pie.svg
            _CHARTS[key] = charts
    return charts


@router.get("/{slug}/elections/{election_id}/results/charts/{name}.svg")
async def chart(slug: str, election_id: str, name: str, runtime: RuntimeDep) -> Response:
    """One chart (SVG, glyphs as paths: no font or style is fetched)."""
    if not _ID.match(election_id):
        raise NotFound("election.not_found", "no such election")
    charts = await run_in_threadpool(_charts, runtime, election_id, _form_lang(slug))
    svg = charts.get(name)
    if svg is None:
        raise NotFound("chart.not_found", "no such chart")
    return Response(svg, media_type="image/svg+xml",
                    headers={"cache-control": "public, max-age=3600"})


@router.get("/{slug}/elections/{election_id}/results/{name}")
async def download(slug: str, election_id: str, name: str, runtime: RuntimeDep) -> Response:
    """A download: the PDF forms, the CSV, the official JSON, or the record as a ZIP."""
    if not _ID.match(election_id) or name not in DOWNLOADS:
        raise NotFound("download.not_found", "no such file")
    await run_in_threadpool(get_election, runtime, election_id)
    found = await run_in_threadpool(published_results, runtime, election_id)
    path = found.download(name)
    return FileResponse(path, media_type=_MEDIA[path.suffix], filename=name,
                        headers={"cache-control": "public, max-age=3600"})


