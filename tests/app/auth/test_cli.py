"""The test-CA, card and officials commands, end to end through Typer."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from tohyo.cli import card, officials, testca

runner = CliRunner()


def test_testca_issue_revoke_and_card_sign(tmp_path) -> None:
    ca_dir = str(tmp_path / "ca")
    assert runner.invoke(testca.cli, ["init", "--dir", ca_dir]).exit_code == 0
    p12 = tmp_path / "taro.p12"
    result = runner.invoke(
        testca.cli,
        [
            "issue",
            "--dir",
            ca_dir,
            "--name",
            "筑波 太郎",
            "--address",
            "茨城県つくば市研究学園1",
            "--birth-date",
            "1990-04-01",
            "--out",
            str(p12),
            "--pin",
            "1234",
            "--algorithm",
            "p384",
        ],
    )
    assert result.exit_code == 0, result.output
    serial = result.output.split()[1]
    challenge = "A" * 43
    signed = runner.invoke(
        card.cli,
        [
            "sign",
            "--card",
            str(p12),
            "--challenge",
            challenge,
            "--election",
            "e1",
            "--pin",
            "1234",
        ],
    )
    assert signed.exit_code == 0, signed.output
    assert set(json.loads(signed.output)) == {"certificate", "signature"}
    assert runner.invoke(testca.cli, ["revoke", serial, "--dir", ca_dir]).exit_code == 0
    assert (
        runner.invoke(
            testca.cli, ["crl", "--dir", ca_dir, "--out", str(tmp_path / "c.crl")]
        ).exit_code
        == 0
    )


def test_officials_create_list_unlock(tmp_path, monkeypatch) -> None:
    """The accounts commands find the service as every official's command does
    (--data-dir / --database-url), and take the password only from a hidden prompt
    (typed twice) or the environment, never from the command line."""
    monkeypatch.delenv("TOHYO_OFFICIAL_PASSWORD", raising=False)
    where = ["--data-dir", str(tmp_path / "data"),
             "--database-url", f"sqlite:///{tmp_path / 'o.sqlite3'}"]
    exposed = runner.invoke(
        officials.cli,
        ["create", "alice", "--role", "administrator", "--password", "a long password!", *where],
    )
    assert exposed.exit_code == 2 and "--password" in exposed.output  # no such option
    mistyped = runner.invoke(
        officials.cli, ["create", "alice", "--role", "administrator", *where],
        input="a long password!\na different one!\n" * 3,
    )
    assert mistyped.exit_code != 0 and "otpauth://" not in mistyped.output
    made = runner.invoke(
        officials.cli, ["create", "alice", "--role", "administrator", *where],
        input="a long password!\na long password!\n",
    )
    assert made.exit_code == 0, made.output
    assert "otpauth://totp/" in made.output
    assert "a long password!" not in made.output  # the prompt hides what is typed
    monkeypatch.setenv("TOHYO_OFFICIAL_PASSWORD", "another long password")
    scripted = runner.invoke(officials.cli, ["create", "bob", "--role", "operator", *where])
    assert scripted.exit_code == 0, scripted.output
    weak = runner.invoke(officials.cli, ["create", "carol", "--role", "operator", *where],
                         env={"TOHYO_OFFICIAL_PASSWORD": "short"})
    assert weak.exit_code == 1 and "REFUSED" in weak.output
    listed = runner.invoke(officials.cli, ["list", *where])
    assert "alice\tadministrator\tactive" in listed.output
    assert "bob\toperator\tactive" in listed.output
    assert "carol" not in listed.output
    assert runner.invoke(officials.cli, ["unlock", "alice", *where]).exit_code == 0
