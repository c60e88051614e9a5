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


def test_officials_create_list_unlock(tmp_path) -> None:
    db = f"sqlite:///{tmp_path / 'o.sqlite3'}"
    keys = str(tmp_path / "keys")
    made = runner.invoke(
        officials.cli,
        [
            "create",
            "alice",
            "--role",
            "administrator",
            "--password",
            "a long password!",
            "--db",
            db,
            "--keys",
            keys,
        ],
    )
    assert made.exit_code == 0, made.output
    assert "otpauth://totp/" in made.output
    listed = runner.invoke(officials.cli, ["list", "--db", db, "--keys", keys])
    assert "alice\tadministrator\tactive" in listed.output
    assert (
        runner.invoke(officials.cli, ["unlock", "alice", "--db", db, "--keys", keys]).exit_code == 0
    )
