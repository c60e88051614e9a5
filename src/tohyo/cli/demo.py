"""``tohyo demo``: the main job of ``scripts/demo``.

1. The 2025 Tsukuba citizens' vote (MISSION.md) run end to end over HTTP: a
   real server on loopback, every ballot encrypted by the Python voter client,
   two witnesses cosigning the log, a 2-of-3 key ceremony, the tally and the
   published record.
   After the close two dev officials enter invented paper counts of two
   counting places (double entry); they are signed onto the log.
2. The independent verifier on that record, the internet result against the
   published figures, and the combined official result (internet + paper)
   as the verifier recomputed it.
3. The live demo election for a person to vote in from a browser (one-time
   codes, a test My Number card, the test OpenID provider), until Ctrl-C.

``tohyo demo-core`` shows the cryptographic core alone.
"""

# ruff: noqa: B008  (Typer declares options as argument defaults)

from __future__ import annotations

import io
import json
import shutil
from importlib import resources
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from tohyo.cli import demo_core

DEMO_MANIFEST = "tsukuba-2025-survey.json"
#: Invented paper counts of two counting places (the 2025 survey had none).
DEMO_PAPER = "tsukuba-2025-paper.json"
#: Invented: residents on the demo's roll (eligible, card with a signature certificate).
DEMO_ROLL = 20000


def _manifest_bytes() -> bytes:
    return resources.files("tohyo.simulate.data").joinpath(DEMO_MANIFEST).read_bytes()


def run_survey(out: Path, console: Console, *, scale: int = 1) -> bool:
    """Steps 1 and 2; True iff the record verifies and the figures match."""
    from tohyo.record.manifest import parse_manifest
    from tohyo.simulate.http import simulate_over_http
    from tohyo.simulate.votes import TSUKUBA_2025, parse_votes, tsukuba_2025_rows, write_votes
    from tohyo.verify.runner import verify_record

    manifest_bytes = _manifest_bytes()
    manifest = parse_manifest(manifest_bytes)
    header, rows = tsukuba_2025_rows(scale)
    votes_csv = out.parent / "demo-votes.csv"
    write_votes(votes_csv, header, rows)
    voters = parse_votes(votes_csv.read_text(encoding="utf-8"), manifest)
    if out.exists():
        shutil.rmtree(out)
    console.rule("[bold]1. 2025 Tsukuba citizens' vote, cast over HTTP")
    console.print(f"{len(voters)} voters, 2 of 3 trustees, 2 witnesses declared in the "
                  f"manifest (quorum 2); votes: {votes_csv}")
    paper = json.loads(resources.files("tohyo.simulate.data").joinpath(DEMO_PAPER).read_bytes())
    simulate_over_http(manifest, manifest_bytes, voters, out, witnesses=2,
                       progress=lambda line: console.print(f"  {line}"), paper_counts=paper,
                       roll_size=DEMO_ROLL // scale)
    console.print(f"record written to {out}")

    console.rule("[bold]2. Independent verification of the published record")
    report = verify_record(out, progress=lambda line: console.print(f"  {line}"))
    text = io.StringIO()
    figures, report.tables = report.tables, []  # the official result is shown last
    report.print(text)
    console.print(text.getvalue(), markup=False, highlight=False, end="")
    results = json.loads((out / "tally.json").read_text(encoding="utf-8"))["results"]
    table = Table(title=f"Result ({'published figures' if scale == 1 else f'1/{scale} scale'})")
    for column in ("field", "choice", "votes", "published", ""):
        table.add_column(column, justify="right" if column in ("votes", "published") else "left")
    matches = True
    by_question = {q["id"]: {o["id"]: o["votes"] for o in q["options"]}
                   for q in results["questions"]}
    for field, counts in TSUKUBA_2025.items():
        for option, published in counts:
            got = by_question.get(field, {}).get(option)
            ok = got == published // scale
            matches &= ok
            table.add_row(field, option, str(got), str(published // scale), "✓" if ok else "✗")
    console.print(table)
    console.rule("[bold]Official result, internet + paper (公式結果), recomputed by the verifier")
    for figure in figures:
        console.print(figure, markup=False, highlight=False, end="")
    return report.ok and matches and bool(figures)


def register(app: typer.Typer) -> None:
    demo_core.register(app)

    @app.command("demo")
    def demo(
        data_dir: Path = typer.Option(Path("var/demo"), help="Where the demo keeps its files."),
        port: int = typer.Option(8000, help="Port of the live demo election."),
        serve: bool = typer.Option(True, help="Serve the live demo election afterwards."),
        scale: int = typer.Option(1, min=1, max=100, help="Divide the survey's counts by this."),
    ) -> None:
        """Run the demo: a whole election, its verification, then a live booth."""
        console = Console()
        data_dir.mkdir(parents=True, exist_ok=True)
        if not run_survey(data_dir / "record", console, scale=scale):
            console.print("[bold red]the demo election did not verify")
            raise typer.Exit(1)
        console.print(f"[bold green]verified[/]: anyone can re-run "
                      f"`tohyo verify {data_dir / 'record'}`")
        from tohyo.app.reports.files import write_report  # the result forms (issue 11)
        from tohyo.app.reports.source import report_from_record

        forms = write_report(report_from_record(data_dir / "record"), data_dir / "report")
        console.print(f"result report (`tohyo record report`): {forms['pdf-ja']} (日本語), "
                      f"{forms['pdf-en']} (English), {forms['csv']} (CSV)")
        if not serve:
            return
        console.rule("[bold]3. Live demo election: vote from a browser")
        console.print(f"open http://127.0.0.1:{port}/ja/ (English: /en/, やさしい日本語: /easy/)")
        from tohyo.app.services.demo import DEMO_ID

        console.print(f"observers' dashboard: http://127.0.0.1:{port}/ja/observe/elections/{DEMO_ID}/")
        from tohyo.cli.serve import serve as run_server

        run_server(host="127.0.0.1", port=port, data_dir=data_dir / "live",
                   database_url=None, demo=True, log_level="warning")
