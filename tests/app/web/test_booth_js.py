# ruff: noqa: E501  (the JavaScript snippets keep their natural line length)
"""The booth's own JS modules under Node, against the Python reference:
Merkle proofs (RFC 9162) for every index and size up to 40, tampered proofs,
canonical JSON, tracking codes, signed checkpoints and answer checks.

Node runs the ES modules directly (no bundle): ``ui/merkle.js`` and
``ui/note.js`` import the noble packages from ``node_modules``.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tohyo.log import LogError, MerkleTree, consistency_proof, inclusion_proof
from tohyo.log.note import Ed25519Signer, sign_note
from tohyo.log.proofs import verify_inclusion
from tohyo.log.tree import leaf_hash
from tohyo.record.canonical import dumps_canonical

ROOT = Path(__file__).resolve().parents[3]
UI = ROOT / "src" / "tohyo" / "app" / "web" / "static" / "booth" / "ui"


def _node() -> str:
    node = shutil.which("node")
    if node is None or not (ROOT / "node_modules" / "@noble" / "hashes").exists():
        if os.environ.get("CI") == "true":
            pytest.fail("node and node_modules are required in CI", pytrace=False)
        pytest.skip("node or node_modules missing")
    return node


def run_js(script: str, payload: object) -> object:
    """Run an ES module snippet with ``input`` bound to ``payload``; return its JSON output."""
    source = (
        f"import * as merkle from '{(UI / 'merkle.js').as_uri()}';\n"
        f"import * as note from '{(UI / 'note.js').as_uri()}';\n"
        f"import {{ canonicalJson }} from '{(UI / 'canonical.js').as_uri()}';\n"
        f"import * as tracking from '{(UI / 'tracking.js').as_uri()}';\n"
        f"import * as answers from '{(UI / 'answers.js').as_uri()}';\n"
        "import { readFileSync } from 'node:fs';\n"
        "const require_stdin = () => readFileSync(0, 'utf8');\n"
        "const input = JSON.parse(require_stdin());\n"
        "const b64 = (s) => merkle.fromBase64(s);\n"
        "const hex = (s) => Uint8Array.from(Buffer.from(s, 'hex'));\n"
        "const attempt = (f) => { try { f(); return 'ok'; } catch (e) { return e.name; } };\n"
        f"{script}\n"
    )
    done = subprocess.run(
        [_node(), "--input-type=module", "-e", source],
        input=json.dumps(payload),
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def _b64(values: tuple[bytes, ...]) -> list[str]:
    return [base64.b64encode(v).decode() for v in values]


def test_merkle_proofs_match_python() -> None:
    tree = MerkleTree()
    leaves = [f"leaf {i}".encode() for i in range(40)]
    cases, consistency = [], []
    for data in leaves:
        tree.append(data)
    for size in range(1, 41):
        root = tree.root(size)
        for index in range(size):
            proof = inclusion_proof(tree, index, size)
            try:  # the same proof at the wrong size: Python's verdict is the reference
                verify_inclusion(leaf_hash(leaves[index]), index, size + 1, proof, root)
                wrong_size_ok = True
            except LogError:
                wrong_size_ok = False
            cases.append([index, size, _b64(proof), _b64((root,))[0], wrong_size_ok])
        for old in range(1, size + 1):
            consistency.append(
                [
                    old,
                    size,
                    _b64((tree.root(old),))[0],
                    _b64((root,))[0],
                    _b64(consistency_proof(tree, old, size)),
                ]
            )
    script = """
    const leaves = input.leaves.map((s) => merkle.leafHash(new TextEncoder().encode(s)));
    const out = {ok: 0, sameVerdict: 0, tampered: 0, cons: 0, consTampered: 0};
    for (const [index, size, proof, root, wrongSizeOk] of input.cases) {
      merkle.verifyInclusion(leaves[index], index, size, proof.map(b64), b64(root));
      out.ok++;
      const wrong = attempt(() => merkle.verifyInclusion(leaves[index], index, size + 1, proof.map(b64), b64(root)));
      if ((wrong === 'ok') === wrongSizeOk) out.sameVerdict++;
      if (proof.length > 0) {
        const bad = proof.map(b64); bad[0] = bad[0].slice(); bad[0][0] ^= 1;
        if (attempt(() => merkle.verifyInclusion(leaves[index], index, size, bad, b64(root))) !== 'ok') out.tampered++;
      }
    }
    for (const [m, n, r1, r2, proof] of input.consistency) {
      merkle.verifyConsistency(m, n, b64(r1), b64(r2), proof.map(b64));
      out.cons++;
      if (m < n && attempt(() => merkle.verifyConsistency(m, n, b64(r2), b64(r2), proof.map(b64))) !== 'ok') out.consTampered++;
    }
    console.log(JSON.stringify(out));
    """
    out = run_js(
        script, {"leaves": [d.decode() for d in leaves], "cases": cases, "consistency": consistency}
    )
    proofs_nonempty = sum(1 for c in cases if c[2])
    assert out == {
        "ok": len(cases),
        "sameVerdict": len(cases),
        "tampered": proofs_nonempty,
        "cons": len(consistency),
        "consTampered": sum(1 for c in consistency if c[0] < c[1]),
    }


@pytest.mark.parametrize("attempt", range(8))
def test_checkpoint_signature_and_canonical_json(attempt: int) -> None:
    signer = Ed25519Signer.generate("tohyo.invalid/log/e1")  # keys whose base64 has '+' too
    from tohyo.log.keys import encode_verifier_key

    text = (
        "tohyo.invalid/log/e1\n3\n"
        + base64.b64encode(b"\x07" * 32).decode()
        + "\ntohyo-time-ms 5\n"
    )
    note_text = sign_note(text, signer).to_text()
    forged = note_text.replace("\n3\n", "\n4\n")
    leaf = {
        "kind": "ballot",
        "ballot_hash": "ab" * 32,
        "sequence": 2,
        "z": [1, {"é": "\n\u0001"}],
        "A": None,
    }
    script = """
    const key = note.parseVerifierKey(input.vkey);
    const head = note.verifyCheckpoint(input.note, key);
    console.log(JSON.stringify({
      size: head.size, root: merkle.toBase64(head.root),
      forged: attempt(() => note.verifyCheckpoint(input.forged, key)),
      canonical: canonicalJson(input.leaf),
      code: tracking.trackingCode(hex(input.hash)),
      typed: tracking.normaliseTrackingCode(input.typed),
    }));
    """
    from tohyo.app.services.receipts import tracking_code

    out = run_js(
        script,
        {
            "vkey": encode_verifier_key(signer.verifier()),
            "note": note_text,
            "forged": forged,
            "leaf": leaf,
            "hash": "c0ffee" * 10 + "abcd",
            "typed": " " + tracking_code("c0ffee" * 10 + "abcd").lower().replace("-", " ") + " ",
        },
    )
    assert isinstance(out, dict)
    assert out["size"] == 3
    assert out["forged"] == "NoteError"
    assert out["canonical"] == dumps_canonical(leaf).decode()
    assert out["code"] == tracking_code("c0ffee" * 10 + "abcd")
    assert out["typed"] == out["code"]


def test_answer_checks_refuse_tampered_state() -> None:
    style = [
        {
            "question_id": "q",
            "option_ids": ["a", "b", "c"],
            "min_selections": 1,
            "max_selections": 2,
            "allow_blank": False,
        },
    ]
    cases = {
        "good": {"q": {"blank": False, "options": ["c", "a"]}},
        "unknown_option": {"q": {"blank": False, "options": ["zz"]}},
        "blank_not_allowed": {"q": {"blank": True, "options": []}},
        "too_many": {"q": {"blank": False, "options": ["a", "b", "c"]}},
        "extra_question": {
            "q": {"blank": False, "options": ["a"]},
            "x": {"blank": True, "options": []},
        },
        "duplicate": {"q": {"blank": False, "options": ["a", "a"]}},
        "missing": {},
        "not_object": [1, 2],
    }
    script = """
    const out = {};
    for (const [name, a] of Object.entries(input.cases)) {
      out[name] = answers.checkAnswers(a, input.style).map((p) => p.problem);
    }
    out.choices = answers.toChoices(input.cases.good, input.style);
    console.log(JSON.stringify(out));
    """
    out = run_js(script, {"cases": cases, "style": style})
    assert out == {
        "good": [],
        "unknown_option": ["invalid"],
        "blank_not_allowed": ["invalid"],
        "too_many": ["too_many"],
        "extra_question": ["invalid"],
        "duplicate": ["invalid"],
        "missing": ["unanswered"],
        "not_object": ["invalid"],
        "choices": {"q": ["a", "c"]},
    }
