"""The small valid record and the tampered-record corpus (record.md §REC-8, THREATS #17).

Provenance: ``valid/`` is written by ``python tests/vectors/records/generate.py``
with :func:`tohyo.simulate.direct.generate_record` (fresh random keys, so its
bytes change at each regeneration). It covers every question kind, a
withdrawn candidate, a re-vote, a paper override, blank answers and a trustee
whose decryption shares are bad (named and set aside).

:data:`MUTATIONS` derives tampered copies from it at test time: for each kind
of field one mutation, and the check that must fail. After a mutation the
header's digest of the changed file is recomputed, so that the mutant is not
caught merely by a stale hash but by the check that owns the field.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).parent
VALID = HERE / "valid"
#: The same election with paper counts after the close: a ``tohyo-record/2``
#: record with ``official.json`` (docs/spec/results.md §RES-5).
VALID_PAPER = HERE / "valid-paper"
#: The same election with declared witnesses who state the empty ballot box
#: and the close as log leaves (record.md §REC-10): a ``tohyo-record/2`` record.
VALID_STATEMENTS = HERE / "valid-statements"

MANIFEST: dict[str, Any] = {
    "format": "tohyo-manifest/1",
    "id": "tohyo-test-record",
    "title": {"ja": "検証用の選挙記録", "en": "Record for the verifier's tests"},
    "period": {"start": "2028-10-16T08:30:00+09:00", "end": "2028-10-21T20:00:00+09:00"},
    "authentication": ["code"],
    "trustees": {"threshold": 2, "members": [
        {"id": "trustee-1", "name": "委員 一"}, {"id": "trustee-2", "name": "委員 二"},
        {"id": "trustee-3", "name": "委員 三"}]},
    "eligibility": {"minimum_age": 18, "election_day": "2028-10-22", "areas": ["082201"]},
    "questions": [
        {"id": "mayor", "kind": "candidates", "title": {"ja": "市長"},
         "candidates": [
             {"id": "cand-a", "number": 1, "name": {"ja": "青木 一郎"}, "kana": "あおき いちろう",
              "party": None},
             {"id": "cand-b", "number": 2, "name": {"ja": "石井 花子"}, "kana": "いしい はなこ",
              "party": None},
             {"id": "cand-c", "number": 3, "name": {"ja": "上田 次郎"}, "kana": "うえだ じろう",
              "party": None}]},
        {"id": "rating", "kind": "rating", "title": {"ja": "評価"},
         "levels": [{"value": v} for v in range(0, 101, 10)]},
        {"id": "survey", "kind": "choice", "title": {"ja": "アンケート"},
         "min_selections": 1, "max_selections": 2,
         "options": [{"id": f"opt-{i}", "label": {"ja": f"選択肢 {i}"}} for i in range(1, 5)]},
    ],
}

VOTES: list[tuple[dict[str, list[str]], ...]] = [
    ({"mayor": ["cand-a"], "rating": ["70"], "survey": ["opt-1", "opt-2"]},),
    ({"mayor": ["cand-b"], "rating": ["100"], "survey": ["opt-3"]},),
    ({"mayor": ["cand-c"], "rating": ["40"], "survey": []},),
    ({"mayor": [], "rating": [], "survey": ["opt-4"]},),
    ({"mayor": ["cand-a"], "rating": ["0"], "survey": ["opt-1"]},
     {"mayor": ["cand-b"], "rating": ["90"], "survey": ["opt-2", "opt-4"]}),
    ({"mayor": ["cand-a"], "rating": ["50"], "survey": ["opt-1"]},),
]
PAPER = {5}
WITHDRAWN = [("mayor", "cand-c")]
CHEATING_TRUSTEE = 3

#: Paper counts of two places (invented); the rating's blank is not allowed,
#: so a blank paper ballot of it is counted invalid.
PAPER_COUNTS: list[dict[str, Any]] = [
    {"election_id": "tohyo-test-record", "place": "第1投票所", "kind": "election_day",
     "voters": 9, "rejected": 1, "questions": [
         {"id": "mayor", "ballots": 8, "blank": 1, "invalid": {"other_writing": 1},
          "options": {"cand-a": 3, "cand-b": 1, "cand-c": 1},
          "apportioned": [{"candidates": ["cand-a", "cand-b"], "ballots": 1}]},
         {"id": "rating", "ballots": 8, "invalid": {"unclear": 1},
          "options": {"50": 3, "100": 4}},
         {"id": "survey", "ballots": 8, "blank": 2,
          "options": {"opt-1": 4, "opt-2": 3, "opt-3": 1, "opt-4": 1}}]},
    {"election_id": "tohyo-test-record", "place": "期日前投票所", "kind": "early",
     "voters": 3, "questions": [
         {"id": "mayor", "ballots": 3, "options": {"cand-a": 1, "cand-b": 2}},
         {"id": "rating", "ballots": 3, "options": {"0": 1, "80": 2}},
         {"id": "survey", "ballots": 3, "options": {"opt-2": 3, "opt-3": 1}}]},
]


def generate(out: Path = VALID) -> None:
    """Write the valid record to ``out``."""
    from tohyo.record.manifest import Manifest
    from tohyo.simulate.direct import Voter, generate_record

    manifest = Manifest.from_json(MANIFEST)
    voters = [Voter(tuple(v), paper=n in PAPER) for n, v in enumerate(VOTES)]
    if out.exists():
        shutil.rmtree(out)
    # A tohyo-manifest/1 record (no declared witnesses): older records stay
    # verifiable, and V7 says that it checked the header's witnesses only.
    generate_record(manifest, voters, out, withdrawals=WITHDRAWN, declare_witnesses=False,
                    cheating_trustee=CHEATING_TRUSTEE, salt="vectors")


def generate_paper(out: Path = VALID_PAPER) -> None:
    """Write the valid record with paper counts to ``out``."""
    from tohyo.record.manifest import Manifest
    from tohyo.simulate.direct import Voter, generate_record

    manifest = Manifest.from_json(MANIFEST)
    voters = [Voter(tuple(v), paper=n in PAPER) for n, v in enumerate(VOTES)]
    if out.exists():
        shutil.rmtree(out)
    generate_record(manifest, voters, out, withdrawals=WITHDRAWN,
                    cheating_trustee=CHEATING_TRUSTEE, salt="vectors-paper",
                    paper_counts=PAPER_COUNTS, started_not_finished=2)


def generate_statements(out: Path = VALID_STATEMENTS) -> None:
    """Write the valid record with witness statements to ``out``."""
    from tohyo.record.manifest import Manifest
    from tohyo.simulate.direct import Voter, generate_record

    manifest = Manifest.from_json(MANIFEST)
    voters = [Voter(tuple(v), paper=n in PAPER) for n, v in enumerate(VOTES)]
    if out.exists():
        shutil.rmtree(out)
    generate_record(manifest, voters, out, withdrawals=WITHDRAWN, salt="vectors-statements",
                    statements=True)


# --------------------------------------------------------------------------- mutations


def _canonical(obj: Any) -> bytes:
    from tohyo.record.canonical import dumps_canonical

    return dumps_canonical(obj, max_depth=64)


def _rehash(d: Path, name: str) -> None:
    header = json.loads((d / "record.json").read_bytes())
    data = (d / name).read_bytes()
    header["files"][name] = {"sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data)}
    (d / "record.json").write_bytes(_canonical(header))


def _edit_json(d: Path, name: str, fn: Callable[[Any], None]) -> None:
    obj = json.loads((d / name).read_bytes())
    fn(obj)
    (d / name).write_bytes(_canonical(obj))
    _rehash(d, name)


def _lines(d: Path, name: str) -> list[bytes]:
    return (d / name).read_bytes().split(b"\n")[:-1]


def _write_lines(d: Path, name: str, lines: list[bytes]) -> None:
    (d / name).write_bytes(b"".join(line + b"\n" for line in lines))
    _rehash(d, name)


def _edit_leaf(d: Path, predicate: Callable[[Any], bool], fn: Callable[[Any], None]) -> None:
    lines = _lines(d, "entries.jsonl")
    for i, line in enumerate(lines):
        obj = json.loads(line)
        if predicate(obj):
            fn(obj)
            lines[i] = _canonical(obj)
            break
    _write_lines(d, "entries.jsonl", lines)


def _is_ballot(obj: Any) -> bool:
    return bool(obj.get("kind") == "ballot")


def _other_point(hex_value: str) -> str:
    from tohyo.crypto.group import GENERATOR, Element

    return (Element.from_hex(hex_value) + GENERATOR).to_hex()


def _ballot_ct(obj: Any) -> None:
    sel = obj["ballot"]["questions"][0]["selections"][0]["ct"]
    sel["alpha"] = _other_point(sel["alpha"])


def _proof_scalar(obj: Any) -> None:
    proof = obj["ballot"]["questions"][1]["selections"][2]["proof"]
    c = int.from_bytes(bytes.fromhex(proof["c"][0]), "little") + 1
    proof["c"][0] = c.to_bytes(32, "little").hex()


def _drop_entry(d: Path) -> None:
    lines = _lines(d, "entries.jsonl")
    idx = next(i for i, line in enumerate(lines) if b'"kind":"ballot"' in line)
    del lines[idx]
    _write_lines(d, "entries.jsonl", lines)


def _swap_entries(d: Path) -> None:
    lines = _lines(d, "entries.jsonl")
    lines[1], lines[2] = lines[2], lines[1]
    _write_lines(d, "entries.jsonl", lines)


def _duplicate_ballot(d: Path) -> None:
    lines = _lines(d, "entries.jsonl")
    idx = next(i for i, line in enumerate(lines) if b'"kind":"ballot"' in line)
    lines.insert(len(lines) - 1, lines[idx])
    _write_lines(d, "entries.jsonl", lines)


def _truncate_entries(d: Path) -> None:
    data = (d / "entries.jsonl").read_bytes()
    (d / "entries.jsonl").write_bytes(data[: len(data) - 40])


def _head_root(d: Path) -> None:
    lines = _lines(d, "heads.jsonl")
    obj = json.loads(lines[3])
    text = obj["note"].split("\n")
    text[2] = ("A" if text[2][0] != "A" else "B") + text[2][1:]
    obj["note"] = "\n".join(text)
    lines[3] = _canonical(obj)
    _write_lines(d, "heads.jsonl", lines)


def _cosignature(d: Path) -> None:
    lines = _lines(d, "heads.jsonl")
    obj = json.loads(lines[-1])
    note_lines = obj["note"].split("\n")
    last = note_lines[-2]  # the final line is empty (the note ends with a newline)
    prefix, sig = last.rsplit(" ", 1)
    import base64

    raw = bytearray(base64.b64decode(sig))
    raw[-1] ^= 1
    note_lines[-2] = f"{prefix} {base64.b64encode(bytes(raw)).decode()}"
    obj["note"] = "\n".join(note_lines)
    lines[-1] = _canonical(obj)
    _write_lines(d, "heads.jsonl", lines)


def _drop_final_cosignature(d: Path) -> None:
    """A witness's cosignature of the final head goes missing."""
    lines = _lines(d, "heads.jsonl")
    obj = json.loads(lines[-1])
    note_lines = obj["note"].split("\n")
    del note_lines[-2]  # the last witness's line (the log's signature comes first)
    obj["note"] = "\n".join(note_lines)
    lines[-1] = _canonical(obj)
    _write_lines(d, "heads.jsonl", lines)


def _unlisted_cosignature(d: Path) -> None:
    """A valid cosignature by a witness key the header does not list."""
    from tohyo.log import CosignatureSigner, parse_note

    lines = _lines(d, "heads.jsonl")
    obj = json.loads(lines[0])
    note = parse_note(obj["note"])
    stranger = CosignatureSigner.generate("stranger.example")
    obj["note"] = note.with_signatures(stranger.sign_at(note.text.encode(), 1_740_000_000)
                                       ).to_text()
    lines[0] = _canonical(obj)
    _write_lines(d, "heads.jsonl", lines)


def _share(tally: Any) -> None:
    used = tally["decryption"]["trustees"][0]
    share = next(s for s in tally["shares"] if s["trustee"] == used)
    share["share"] = _other_point(share["share"])


def _result_count(tally: Any) -> None:
    tally["results"]["questions"][0]["options"][0]["votes"] += 1


def _aggregate(tally: Any) -> None:
    ct = tally["aggregates"][1]["ct"]
    ct["beta"] = _other_point(ct["beta"])


def _joint_key(ceremony: Any) -> None:
    ceremony["joint_key"]["public_key"] = _other_point(ceremony["joint_key"]["public_key"])


def _manifest(manifest: Any) -> None:
    manifest["questions"][0]["candidates"][0]["name"]["ja"] = "別人 三郎"


def _version(header: Any) -> None:
    header["format"] = "tohyo-record/9"


def _header_json(d: Path) -> None:
    (d / "record.json").write_bytes(b'{"format": "tohyo-record/1",')


def _missing_tally(d: Path) -> None:
    (d / "tally.json").unlink()


def _final_head(tally: Any) -> None:
    tally["final_head"]["size"] -= 1


def _counts(tally: Any) -> None:
    tally["counts"]["superseded"] = 0


def _unnamed_exclusion(tally: Any) -> None:
    tally["decryption"]["excluded"] = []


def _header_edit(fn: Callable[[Any], None]) -> Callable[[Path], None]:
    def run(d: Path) -> None:
        obj = json.loads((d / "record.json").read_bytes())
        fn(obj)
        (d / "record.json").write_bytes(_canonical(obj))
    return run


def _json_edit(name: str, fn: Callable[[Any], None]) -> Callable[[Path], None]:
    return lambda d: _edit_json(d, name, fn)


def _leaf_edit(fn: Callable[[Any], None]) -> Callable[[Path], None]:
    return lambda d: _edit_leaf(d, _is_ballot, fn)


#: name → (the check that must fail, the mutation applied to a copy of ``valid/``).
MUTATIONS: dict[str, tuple[str, Callable[[Path], None]]] = {
    "ballot-ciphertext": ("V9", _leaf_edit(_ballot_ct)),
    "proof-scalar": ("V9", _leaf_edit(_proof_scalar)),
    "log-entry-removed": ("V5", _drop_entry),
    "log-entries-reordered": ("V5", _swap_entries),
    "duplicated-ballot": ("V10", _duplicate_ballot),
    "truncated-entries": ("V4", _truncate_entries),
    "signed-head": ("V6", _head_root),
    "cosignature": ("V7", _cosignature),
    "cosignature-missing": ("V7", _drop_final_cosignature),
    "cosignature-unlisted": ("V7", _unlisted_cosignature),
    "decryption-share": ("V13", _json_edit("tally.json", _share)),
    "result-count": ("V14", _json_edit("tally.json", _result_count)),
    "aggregate": ("V12", _json_edit("tally.json", _aggregate)),
    "tally-head-binding": ("V11", _json_edit("tally.json", _final_head)),
    "selection-counts": ("V11", _json_edit("tally.json", _counts)),
    "unnamed-bad-trustee": ("V13", _json_edit("tally.json", _unnamed_exclusion)),
    "joint-key": ("V3", _json_edit("ceremony.json", _joint_key)),
    "manifest": ("V2", _json_edit("manifest.json", _manifest)),
    "unknown-version": ("V1", _header_edit(_version)),
    "malformed-header": ("V1", _header_json),
    "missing-file": ("V14", _missing_tally),
}


def _is_paper(obj: Any) -> bool:
    return bool(obj.get("kind") == "paper_count")


def _paper_sums(obj: Any) -> None:
    obj["count"]["questions"][0]["options"]["cand-a"] += 1


def _paper_signature(obj: Any) -> None:
    import base64

    raw = bytearray(base64.b64decode(obj["signature"]))
    raw[0] ^= 1
    obj["signature"] = base64.b64encode(bytes(raw)).decode()


def _paper_leaf(fn: Callable[[Any], None]) -> Callable[[Path], None]:
    return lambda d: _edit_leaf(d, _is_paper, fn)


def _paper_before_close(d: Path) -> None:
    lines = _lines(d, "entries.jsonl")
    idx = next(i for i, line in enumerate(lines) if b'"kind":"paper_count"' in line)
    close = next(i for i, line in enumerate(lines) if b'"kind":"close"' in line)
    lines.insert(close, lines.pop(idx))
    _write_lines(d, "entries.jsonl", lines)


def _paper_twice(d: Path) -> None:
    lines = _lines(d, "entries.jsonl")
    lines.append(next(line for line in lines if b'"kind":"paper_count"' in line))
    _write_lines(d, "entries.jsonl", lines)


def _official_figure(official: Any) -> None:
    official["questions"][0]["options"][0]["paper"] += 1
    official["questions"][0]["options"][0]["total"] += 1


def _paper_in_format_1(d: Path) -> None:
    obj = json.loads((d / "record.json").read_bytes())
    obj["format"] = "tohyo-record/1"
    del obj["files"]["official.json"]
    (d / "record.json").write_bytes(_canonical(obj))


#: Mutations of ``valid-paper/`` (results.md §RES-5): name → (check, mutation).
PAPER_MUTATIONS: dict[str, tuple[str, Callable[[Path], None]]] = {
    "paper-count-sums": ("V15", _paper_leaf(_paper_sums)),
    "paper-count-signature": ("V15", _paper_leaf(_paper_signature)),
    "paper-count-before-close": ("V8", _paper_before_close),
    "paper-count-twice": ("V15", _paper_twice),
    "official-figure": ("V15", _json_edit("official.json", _official_figure)),
    "paper-count-in-format-1": ("V15", _paper_in_format_1),
}


def _is_statement(obj: Any) -> bool:
    return bool(obj.get("kind") == "statement")


def _statement_leaf(fn: Callable[[Any], None]) -> Callable[[Path], None]:
    return lambda d: _edit_leaf(d, _is_statement, fn)


def _statement_checked(obj: Any) -> None:
    """The text of what the witness checked changed: the signature no longer verifies."""
    obj["checked"] = "the ballot box held three ballots"


def _statement_unlisted(obj: Any) -> None:
    """A valid statement over the same head by a key the manifest does not declare."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from tohyo.log import CosignatureSigner, Ed25519Signer, encode_verifier_key
    from tohyo.record.statements import StatementEvent, sign_statement

    seed = Ed25519PrivateKey.generate()
    vkey = encode_verifier_key(CosignatureSigner("witness-0.example", seed).verifier())
    signed = sign_statement(obj["election_id"], StatementEvent(obj["event"]), obj["checked"],
                            obj["head"], Ed25519Signer("witness-0.example", seed), vkey)
    obj.update(signed.to_json())


def _statement_head_dropped(d: Path) -> None:
    """The empty log's head, over which the opening statements were made, leaves heads.jsonl."""
    lines = [line for line in _lines(d, "heads.jsonl")
             if b"\\n0\\n" not in line.split(b"\\n\\n", 1)[0]]
    _write_lines(d, "heads.jsonl", lines)


def _statement_after_a_ballot(d: Path) -> None:
    """An opening statement moved after the first ballot: too late to see an empty box."""
    lines = _lines(d, "entries.jsonl")
    idx = next(i for i, line in enumerate(lines) if b'"event":"opening"' in line)
    ballot = next(i for i, line in enumerate(lines) if b'"kind":"ballot"' in line)
    lines.insert(ballot, lines.pop(idx))
    _write_lines(d, "entries.jsonl", lines)


def _statement_twice(d: Path) -> None:
    """A witness's close statement appended again (a replay)."""
    lines = _lines(d, "entries.jsonl")
    lines.append(next(line for line in lines if b'"event":"close"' in line))
    _write_lines(d, "entries.jsonl", lines)


#: Mutations of ``valid-statements/`` (record.md §REC-10): name → (check, mutation).
STATEMENT_MUTATIONS: dict[str, tuple[str, Callable[[Path], None]]] = {
    "statement-signature": ("V7", _statement_leaf(_statement_checked)),
    "statement-unlisted-witness": ("V7", _statement_leaf(_statement_unlisted)),
    "statement-head-not-in-record": ("V7", _statement_head_dropped),
    "statement-opening-after-a-ballot": ("V7", _statement_after_a_ballot),
    "statement-twice": ("V7", _statement_twice),
}


def make_mutant(name: str, out: Path) -> str:
    """Copy the valid record to ``out``, apply mutation ``name``; returns the check that must fail.

    Mutations of :data:`PAPER_MUTATIONS` start from ``valid-paper/``, those of
    :data:`STATEMENT_MUTATIONS` from ``valid-statements/``, the others from ``valid/``.
    """
    if name in PAPER_MUTATIONS:
        check, mutate = PAPER_MUTATIONS[name]
        shutil.copytree(VALID_PAPER, out)
    elif name in STATEMENT_MUTATIONS:
        check, mutate = STATEMENT_MUTATIONS[name]
        shutil.copytree(VALID_STATEMENTS, out)
    else:
        check, mutate = MUTATIONS[name]
        shutil.copytree(VALID, out)
    mutate(out)
    return check


if __name__ == "__main__":
    import sys

    if "--paper" in sys.argv:
        generate_paper()
        print(f"wrote {VALID_PAPER}")
    elif "--statements" in sys.argv:
        generate_statements()
        print(f"wrote {VALID_STATEMENTS}")
    else:
        generate()
        print(f"wrote {VALID}")
