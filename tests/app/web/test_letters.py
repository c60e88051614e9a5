"""Printed letters for one-time voting codes (issue 6 item 3): ``tohyo codes letters``."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from functional.approvals import ADMIN, Clerk
from typer.testing import CliRunner

from tohyo.app.errors import BadRequest
from tohyo.app.services.letters import Addressee, issue_letters, read_addressees
from tohyo.app.services.runtime import Runtime
from tohyo.cli import letters as letters_cli


def roll_csv(voter_ids: list[str], *, minor: str | None = None) -> bytes:
    """The commission's roll file (as tests/app/conftest.py writes it)."""
    lines = ["voter_id,name,birth_date,address_code,district"]
    lines += [f"{v},投票者 {i},1985-05-0{1 + i % 9},082201," for i, v in enumerate(voter_ids)]
    if minor:
        lines.append(f"{minor},子ども,2020-01-01,082201,")
    return ("\n".join(lines) + "\n").encode()


URL = "https://vote.tsukuba.example"


def _cli() -> object:
    import typer

    app = typer.Typer()
    letters_cli.register(app)
    from tohyo.cli.election import codes_cli

    return codes_cli


def test_letters_one_per_voter_print_ready_and_single_use(
    runtime: Runtime, election_factory: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    election = election_factory("letters", voters=3, open_=False)
    roll = tmp_path / "roll.csv"
    roll.write_bytes(roll_csv(election.voter_ids, minor="K9"))  # the minor is not on the roll
    out = tmp_path / "letters"
    args = ["letters", "--election", "letters", "--roll", str(roll), "--out", str(out)]
    args += ["--booth-url", URL, "--data-dir", str(runtime.settings.data_dir)]
    if runtime.settings.database_url:
        args += ["--database-url", runtime.settings.database_url]
    clerk = Clerk(runtime.engine, runtime.settings.keys_dir, monkeypatch)
    unsigned = CliRunner().invoke(_cli(), args, input="")  # type: ignore[arg-type]
    assert unsigned.exit_code == 3 and "auth.signin.required" in unsigned.output
    result = clerk.invoke(_cli(), *args)  # type: ignore[arg-type]
    assert result.exit_code == 0, result.output
    files = sorted(out.iterdir())
    assert [f.name for f in files] == [f"letter-{v}.html" for v in election.voter_ids]
    assert (out.stat().st_mode & 0o777) == 0o700
    from sqlalchemy import select

    from tohyo.app.store.retention import disposal_files

    with runtime.engine.connect() as conn:  # disposal deletes these letters (docs/adr/0056)
        registered = [(r.election_id, r.kind, r.path) for r in conn.execute(select(disposal_files))]
    assert registered == [("letters", "letters", str(out.resolve()))]
    html = files[0].read_text("utf-8")
    # Japanese first, then English; title, period, booth URL, the code in groups of four.
    ja, en = html.index('<section lang="ja">'), html.index('<section lang="en">')
    assert ja < en
    assert "インターネット投票の投票用コードのお知らせ" in html
    assert "Your voting code for the internet vote" in html
    assert "（日本時間）" in html and "(Japan time)" in html
    assert f"{URL}/ja/elections/letters/" in html and f"{URL}/en/elections/letters/" in html
    assert "1回だけ" in html and "works only once" in html
    assert "インターネットでの投票は取り消されます" in html and "internet vote is cancelled" in html
    assert "@page { size: A4" in html and "<script" not in html and "<link" not in html
    groups = re.findall(r'<span class="code__group">([A-Z2-7]{4})</span>', html)
    assert len(groups) == 4
    # Only the name and roll number: no birth date, address code or district.
    assert "投票者 0" in html and "V0000" in html
    assert "1985-05" not in html and "082201" not in html
    # Running it again prints nothing twice: every voter has a code now.
    again = clerk.invoke(_cli(), *args)  # type: ignore[arg-type]
    assert again.exit_code == 0, again.output
    assert "0 letters" in again.output
    with runtime.uow() as uow:
        (event, *_) = [e for e in uow.audit_events("letters") if e.kind == "codes.issue"]
    assert event.actor == ADMIN
    assert (ADMIN, "cli.codes.letters") in [(a, b) for a, b, _ in clerk.trail()]


def test_reissue_for_a_lost_letter_and_refusals(runtime: Runtime, election_factory: Any) -> None:
    election = election_factory("letters2", voters=2, open_=False)
    people = read_addressees(roll_csv(election.voter_ids))
    first = issue_letters(runtime, "letters2", people, actor="t")
    assert {letter.addressee.voter_id for letter in first} == set(election.voter_ids)
    lost = issue_letters(runtime, "letters2", people, actor="t", only=["V0001"])
    assert [letter.addressee for letter in lost] == [Addressee("V0001", "投票者 1")]
    assert lost[0].code != next(x.code for x in first if x.addressee.voter_id == "V0001")
    with pytest.raises(BadRequest) as bad:
        issue_letters(runtime, "letters2", people, actor="t", only=["ZZZ9"])
    assert bad.value.code == "voter.not_found"
    with pytest.raises(BadRequest) as bad:
        read_addressees(b"voter,birth_date\n1,2000-01-01\n")
    assert bad.value.code == "roll.bad_file"
