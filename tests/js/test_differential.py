"""Differential test: ballots made by the browser bundle (in Node) against the Python core.

A ballot encrypted by the booth's production code path (``crypto.getRandomValues``)
must be accepted by :func:`tohyo.crypto.ballot.verify_ballot`, hash to the same
tracking code, and open (when audited) to the voter's choices; a ballot the JS
side tampered with must be refused. The reverse direction (a Python ballot
checked by the bundle) runs too. THREATS.md #49.

Needs ``node`` and the built bundle, which ``scripts/setup`` provides; the test
never builds anything itself. Under ``CI=true`` a missing prerequisite fails
instead of skipping.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tohyo.crypto.audit import AuditedBallot, check_audited_ballot
from tohyo.crypto.ballot import (
    BallotStyle,
    EncryptedBallot,
    QuestionStyle,
    ballot_hash,
    encrypt_ballot,
    verify_ballot,
)
from tohyo.crypto.context import ProofContext
from tohyo.crypto.elgamal import generate_keypair
from tohyo.crypto.errors import CryptoError

ROOT = Path(__file__).resolve().parents[2]
BUNDLE = ROOT / "src/tohyo/app/web/static/booth/dist/tohyo-crypto.js"
CLI = Path(__file__).with_name("booth_cli.mjs")
NODE = shutil.which("node")


def _missing() -> str | None:
    if NODE is None:
        return "node is not installed (scripts/setup)"
    if not BUNDLE.is_file():
        return f"{BUNDLE.relative_to(ROOT)} is not built (scripts/setup runs npm run build)"
    return None


if (_reason := _missing()) is not None:
    if os.environ.get("CI") == "true":
        raise RuntimeError(f"differential test cannot run under CI: {_reason}")
    pytest.skip(_reason, allow_module_level=True)


STYLES: dict[str, dict[str, Any]] = {
    "1-of-10-blank": {
        "questions": [
            {
                "question_id": "council",
                "option_ids": [f"cand-{i:02d}" for i in range(1, 11)],
                "min_selections": 1,
                "max_selections": 1,
                "allow_blank": True,
            }
        ]
    },
    "mixed": {
        "questions": [
            {
                "question_id": "mayor",
                "option_ids": ["cand-a", "cand-b", "cand-c"],
                "min_selections": 1,
                "max_selections": 1,
                "allow_blank": False,
            },
            {
                "question_id": "住民投票",
                "option_ids": ["賛成", "反対", "どちらでもない", "その他"],
                "min_selections": 0,
                "max_selections": 3,
                "allow_blank": True,
            },
            {
                "question_id": "evaluation",
                "option_ids": [str(v) for v in range(0, 101, 10)],
                "min_selections": 1,
                "max_selections": 1,
                "allow_blank": True,
            },
        ]
    },
}

CASES: list[tuple[str, dict[str, list[str]]]] = [
    ("1-of-10-blank", {"council": ["cand-04"]}),
    ("1-of-10-blank", {"council": []}),
    ("mixed", {"mayor": ["cand-c"], "住民投票": ["反対", "その他"], "evaluation": ["90"]}),
    ("mixed", {"mayor": ["cand-a"], "住民投票": [], "evaluation": []}),
]
TAMPERS = ["flip-challenge", "flip-total-response", "swap-selections", "rerandomise"]


def _style(obj: dict[str, Any]) -> BallotStyle:
    return BallotStyle(
        tuple(
            QuestionStyle(
                q["question_id"],
                tuple(q["option_ids"]),
                q["min_selections"],
                q["max_selections"],
                q["allow_blank"],
            )
            for q in obj["questions"]
        )
    )


def _run_node(requests: list[dict[str, Any]]) -> list[dict[str, Any]]:
    assert NODE is not None
    done = subprocess.run(
        [NODE, str(CLI), str(BUNDLE)],
        input=json.dumps(requests, ensure_ascii=False),
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    responses: list[dict[str, Any]] = json.loads(done.stdout)
    return responses


@pytest.fixture(scope="module")
def election() -> dict[str, Any]:
    keypair = generate_keypair()
    manifest_hash = hashlib.sha256(os.urandom(32)).digest()
    return {
        "keypair": keypair,
        "manifest_hash": manifest_hash,
        "context_json": {
            "election_id": "differential-test",
            "manifest_hash": manifest_hash.hex(),
            "public_key": keypair.public.to_hex(),
            "credential": "cred-" + os.urandom(4).hex(),
        },
    }


def _context(c: dict[str, Any], keypair: Any) -> ProofContext:
    return ProofContext(
        c["election_id"],
        bytes.fromhex(c["manifest_hash"]),
        keypair.public.element,
        (c["credential"],),
    )


@pytest.fixture(scope="module")
def node_results(election: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    c = election["context_json"]
    honest = [
        {"op": "encrypt", "context": c, "style": STYLES[s], "choices": ch, "audit": i % 2 == 1}
        for i, (s, ch) in enumerate(CASES)
    ]
    tampered = [
        {
            "op": "encrypt",
            "context": c,
            "style": STYLES["mixed"],
            "choices": CASES[2][1],
            "tamper": t,
        }
        for t in TAMPERS
    ]
    responses = _run_node(honest + tampered)
    return {"honest": responses[: len(honest)], "tampered": responses[len(honest) :]}


@pytest.mark.parametrize("index", range(len(CASES)))
def test_js_ballot_is_accepted_by_the_python_verifier(
    election: dict[str, Any], node_results: dict[str, list[dict[str, Any]]], index: int
) -> None:
    style_name, choices = CASES[index]
    style = _style(STYLES[style_name])
    out = node_results["honest"][index]
    assert "result" not in out, out
    context = _context(election["context_json"], election["keypair"])
    key = election["keypair"].public
    ballot = EncryptedBallot.from_json(out["ballot"])
    verify_ballot(context, key, style, ballot)
    assert ballot_hash(context, ballot).hex() == out["ballot_hash"]
    assert ballot.to_json() == out["ballot"]
    if "audited" in out:
        audited = AuditedBallot.from_json(out["audited"])
        opened = check_audited_ballot(
            audited,
            election_id=election["context_json"]["election_id"],
            manifest_hash=election["manifest_hash"],
            key=key,
            style=style,
        )
        for q in style.questions:
            wanted = set(choices.get(q.question_id, []))
            assert opened[q.question_id] == tuple(o for o in q.option_ids if o in wanted)


@pytest.mark.parametrize("index", range(len(TAMPERS)))
def test_js_tampered_ballot_is_refused(
    election: dict[str, Any], node_results: dict[str, list[dict[str, Any]]], index: int
) -> None:
    out = node_results["tampered"][index]
    context = _context(election["context_json"], election["keypair"])
    with pytest.raises(CryptoError):
        ballot = EncryptedBallot.from_json(out["ballot"])
        verify_ballot(context, election["keypair"].public, _style(STYLES["mixed"]), ballot)


def test_python_ballot_is_accepted_by_the_bundle_and_tampering_is_not(
    election: dict[str, Any],
) -> None:
    c = election["context_json"]
    context = _context(c, election["keypair"])
    style = _style(STYLES["mixed"])
    ballot = encrypt_ballot(context, election["keypair"].public, style, CASES[2][1]).to_json()
    tampered = json.loads(json.dumps(ballot))
    tampered["questions"][1]["selections"].reverse()
    other = {**c, "credential": "cred-someone-else"}
    requests = [
        {"op": "verify", "context": c, "style": STYLES["mixed"], "ballot": ballot},
        {"op": "verify", "context": c, "style": STYLES["mixed"], "ballot": tampered},
        {"op": "verify", "context": other, "style": STYLES["mixed"], "ballot": ballot},
    ]
    results = [r["result"] for r in _run_node(requests)]
    assert results == ["accepted", "InvalidProof", "InvalidProof"]
