"""The issue-2 core demo runs the real protocol end to end and reports figures."""

from __future__ import annotations

import io

from rich.console import Console

from tohyo.cli.demo_core import OPTIONS, run_core_demo
from tohyo.crypto.context import ProofContext
from tohyo.crypto.dkg import verify_transcript
from tohyo.crypto.dkg_local import run_local_ceremony


def test_core_demo_decrypts_exactly_the_cast_choices() -> None:
    out = io.StringIO()
    figures = run_core_demo(12, 2, 3, Console(file=out, width=120))
    result = figures["result"]
    assert sum(result.values()) == 12
    assert set(result) == {*OPTIONS, "#blank"}
    assert len(figures["quorum"]) == 2
    assert "MISMATCH" not in out.getvalue()


def test_local_ceremony_transcript_passes_the_auditor_check() -> None:
    ctx = ProofContext("e", bytes(32))
    ceremony = run_local_ceremony(ctx, 2, 3)
    joint = verify_transcript(ctx, ceremony.transcript)
    assert joint == ceremony.joint
    assert [k.trustee for k in ceremony.keys] == [1, 2, 3]
