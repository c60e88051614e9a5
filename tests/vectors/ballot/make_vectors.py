"""Regenerate the ballot known-answer vectors in this folder (see README.md).

Run from the repository root::

    .venv/bin/python tests/vectors/ballot/make_vectors.py

Every value is computed by the Python reference implementation
(:mod:`tohyo.crypto`, libsodium through pysodium) with the deterministic nonces
of docs/spec/protocol.md §1.3, so any other implementation (the browser booth,
an independent verifier) can reproduce each byte. ``test_ballot_vectors.py``
recomputes everything here and fails if a checked-in file differs.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tohyo import PROTOCOL_VERSION
from tohyo.crypto.audit import (
    AuditedBallot,
    RevealedNonces,
    _encrypt_ballot_for_audit,
    open_audited_ballot,
)
from tohyo.crypto.ballot import (
    BallotStyle,
    EncryptedBallot,
    QuestionStyle,
    ballot_hash,
    verify_ballot,
)
from tohyo.crypto.context import ProofContext
from tohyo.crypto.elgamal import Ciphertext, PublicKey, _encrypt_with_nonce, _fresh_nonce
from tohyo.crypto.errors import CryptoError
from tohyo.crypto.group import ORDER, Element, Scalar, base_mul
from tohyo.crypto.proofs.chaum_pedersen import _prove_equality
from tohyo.crypto.proofs.range import _prove_range
from tohyo.crypto.proofs.schnorr import _prove_knowledge
from tohyo.crypto.randomness import DeterministicNonces

HERE = Path(__file__).parent
GENERATOR_SCRIPT = "tests/vectors/ballot/make_vectors.py"

ELECTION_ID = "tsukuba-2025-test"
MANIFEST_HASH = hashlib.sha256(b"tohyo test vectors: manifest").digest()
KEY_SEED = b"tohyo/vectors/election-key"


def header(title: str, spec: str) -> dict[str, str]:
    return {
        "title": title,
        "protocol": PROTOCOL_VERSION,
        "spec": spec,
        "provenance": (
            "custom vectors (no official ones exist for this protocol), computed by the "
            "Python reference implementation tohyo.crypto (libsodium via pysodium) with "
            "the deterministic nonces of protocol.md §1.3"
        ),
        "generator": GENERATOR_SCRIPT,
        "regenerate": f".venv/bin/python {GENERATOR_SCRIPT}",
    }


def election_keypair() -> tuple[Scalar, PublicKey]:
    secret = DeterministicNonces(KEY_SEED).scalar("elgamal-secret")
    return secret, PublicKey(base_mul(secret))


def context_json(key: PublicKey, credential: str, election_id: str = ELECTION_ID) -> dict[str, Any]:
    return {
        "election_id": election_id,
        "manifest_hash": MANIFEST_HASH.hex(),
        "public_key": key.to_hex(),
        "credential": credential,
    }


def context_from_json(obj: Any) -> ProofContext:
    """The ballot context of a vector: election-wide parts bound to the credential."""
    return ProofContext(
        obj["election_id"],
        bytes.fromhex(obj["manifest_hash"]),
        Element.from_hex(obj["public_key"]),
        (obj["credential"],),
    )


def proof_context_from_json(obj: Any) -> ProofContext:
    """A proof context with an explicit binding (range, Schnorr, Chaum–Pedersen vectors)."""
    key = obj["public_key"]
    return ProofContext(
        obj["election_id"],
        bytes.fromhex(obj["manifest_hash"]),
        None if key is None else Element.from_hex(key),
        tuple(obj["binding"]),
    )


def question(qid: str, options: list[str], lo: int, hi: int, blank: bool) -> dict[str, Any]:
    return {
        "question_id": qid,
        "option_ids": options,
        "min_selections": lo,
        "max_selections": hi,
        "allow_blank": blank,
    }


def style_from_json(obj: Any) -> BallotStyle:
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


STYLES: dict[str, dict[str, Any]] = {
    "1-of-3": {"questions": [question("mayor", ["cand-a", "cand-b", "cand-c"], 1, 1, False)]},
    "1-of-3-blank": {"questions": [question("mayor", ["cand-a", "cand-b", "cand-c"], 1, 1, True)]},
    "1-of-10-blank": {
        "questions": [question("council", [f"cand-{i:02d}" for i in range(1, 11)], 1, 1, True)]
    },
    "0..3-of-5-blank": {
        "questions": [
            question("priorities", ["parks", "roads", "schools", "transit", "clinics"], 0, 3, True)
        ]
    },
    "2..3-of-5": {
        "questions": [
            question("priorities", ["parks", "roads", "schools", "transit", "clinics"], 2, 3, False)
        ]
    },
    "rating-0..100-11-levels-blank": {
        "questions": [question("evaluation", [str(v) for v in range(0, 101, 10)], 1, 1, True)]
    },
    "two-questions": {
        "questions": [
            question("mayor", ["cand-a", "cand-b", "cand-c"], 1, 1, False),
            # Non-ASCII ids exercise utf8() in the binding and the ballot hash.
            question("住民投票", ["賛成", "反対", "どちらでもない"], 1, 2, True),
        ]
    },
}

BALLOT_CASES: list[tuple[str, str, str, dict[str, list[str]]]] = [
    # (name, style, credential, choices)
    ("1-of-3 choose b", "1-of-3", "cred-0001", {"mayor": ["cand-b"]}),
    ("1-of-3 with blank, choose a", "1-of-3-blank", "cred-0002", {"mayor": ["cand-a"]}),
    ("1-of-3 with blank, blank", "1-of-3-blank", "cred-0003", {"mayor": []}),
    ("1-of-10 with blank, choose 7", "1-of-10-blank", "cred-0004", {"council": ["cand-07"]}),
    ("1-of-10 with blank, blank", "1-of-10-blank", "cred-0005", {"council": []}),
    ("0..3-of-5 with blank, blank", "0..3-of-5-blank", "cred-0006", {"priorities": []}),
    ("0..3-of-5 with blank, one", "0..3-of-5-blank", "cred-0007", {"priorities": ["roads"]}),
    (
        "0..3-of-5 with blank, three",
        "0..3-of-5-blank",
        "cred-0008",
        {"priorities": ["clinics", "parks", "schools"]},
    ),
    ("2..3-of-5, two", "2..3-of-5", "cred-0009", {"priorities": ["transit", "roads"]}),
    (
        "rating 0..100, 70 points",
        "rating-0..100-11-levels-blank",
        "cred-0010",
        {"evaluation": ["70"]},
    ),
    (
        "rating 0..100, 0 points",
        "rating-0..100-11-levels-blank",
        "cred-0011",
        {"evaluation": ["0"]},
    ),
    ("rating 0..100, blank", "rating-0..100-11-levels-blank", "cred-0012", {"evaluation": []}),
    (
        "two questions, second blank",
        "two-questions",
        "cred-0013",
        {"mayor": ["cand-c"], "住民投票": []},
    ),
    (
        "two questions, two of the second",
        "two-questions",
        "cred-0014",
        {"mayor": ["cand-a"], "住民投票": ["反対", "賛成"]},
    ),
    (
        "two questions, second omitted (blank)",
        "two-questions",
        "credential/ümlaut",
        {"mayor": ["cand-b"]},
    ),
]


def seed_for(name: str) -> bytes:
    return hashlib.sha256(b"tohyo/vectors/ballot/" + name.encode()).digest()


def make_ballots() -> dict[str, Any]:
    _, key = election_keypair()
    vectors = []
    for name, style_name, credential, choices in BALLOT_CASES:
        seed = seed_for(name)
        ctx_json = context_json(key, credential)
        context = context_from_json(ctx_json)
        style = style_from_json(STYLES[style_name])
        ballot, revealed = _encrypt_ballot_for_audit(
            context, key, style, choices, DeterministicNonces(seed)
        )
        verify_ballot(context, key, style, ballot)
        vectors.append(
            {
                "name": name,
                "seed": seed.hex(),
                "context": ctx_json,
                "style_name": style_name,
                "style": STYLES[style_name],
                "choices": choices,
                "ballot": ballot.to_json(),
                "ballot_hash": ballot_hash(context, ballot).hex(),
                "revealed_nonces": revealed.to_json(),
            }
        )
    secret, _ = election_keypair()
    return {
        "header": header(
            "Ballots encrypted with deterministic nonces: ballot JSON, ballot hash, audit nonces",
            "protocol.md §10.1-§10.4; booth-crypto.md §B3",
        ),
        "key_seed": KEY_SEED.hex(),
        "secret_key": secret.to_hex(),
        "vectors": vectors,
    }


RANGE_CASES = [
    (0, 1, 0),
    (0, 1, 1),
    (1, 1, 1),
    (0, 3, 2),
    (1, 3, 3),
    (2, 5, 2),
    (0, 10, 7),
    (0, 255, 200),
]


def make_range_proofs() -> dict[str, Any]:
    _, key = election_keypair()
    vectors = []
    for lo, hi, m in RANGE_CASES:
        name = f"m={m} in [{lo}, {hi}]"
        seed = hashlib.sha256(b"tohyo/vectors/range/" + name.encode()).digest()
        nonces = DeterministicNonces(seed)
        ctx_json = {
            "election_id": ELECTION_ID,
            "manifest_hash": MANIFEST_HASH.hex(),
            "public_key": key.to_hex(),
            "binding": ["cred-0001", "question", "option"],
        }
        context = proof_context_from_json(ctx_json)
        r = _fresh_nonce(nonces)
        ct, _ = _encrypt_with_nonce(key, m, r)
        proof = _prove_range(context, key, ct, m, r, lo, hi, nonces)
        vectors.append(
            {
                "name": name,
                "seed": seed.hex(),
                "context": ctx_json,
                "key": key.to_hex(),
                "message": m,
                "nonce": r.to_hex(),
                "lo": lo,
                "hi": hi,
                "ciphertext": ct.to_json(),
                "proof": proof.to_json(),
            }
        )
    return {
        "header": header(
            "Range proofs (the ElGamal nonce is the first 'elgamal-nonce' of the seed)",
            "protocol.md §5.2, §6.3",
        ),
        "vectors": vectors,
    }


def make_schnorr() -> dict[str, Any]:
    _, key = election_keypair()
    vectors = []
    for name, public_key in (("key generation (no key yet)", None), ("with election key", key)):
        seed = hashlib.sha256(b"tohyo/vectors/schnorr/" + name.encode()).digest()
        nonces = DeterministicNonces(seed)
        secret = nonces.scalar("elgamal-secret")
        ctx_json = {
            "election_id": ELECTION_ID,
            "manifest_hash": MANIFEST_HASH.hex(),
            "public_key": None if public_key is None else public_key.to_hex(),
            "binding": ["trustee-1", "coefficient-0"],
        }
        proof = _prove_knowledge(proof_context_from_json(ctx_json), secret, nonces)
        vectors.append(
            {
                "name": name,
                "seed": seed.hex(),
                "context": ctx_json,
                "secret": secret.to_hex(),
                "public": base_mul(secret).to_hex(),
                "proof": proof.to_json(),
            }
        )
    return {
        "header": header(
            "Schnorr proofs of knowledge (secret = first 'elgamal-secret' of the seed)",
            "protocol.md §6.1",
        ),
        "vectors": vectors,
    }


def make_chaum_pedersen() -> dict[str, Any]:
    _, key = election_keypair()
    vectors = []
    for name in ("decryption share 1", "decryption share 2"):
        seed = hashlib.sha256(b"tohyo/vectors/chaum-pedersen/" + name.encode()).digest()
        nonces = DeterministicNonces(seed)
        secret = nonces.scalar("elgamal-secret")
        base = base_mul(nonces.scalar("elgamal-nonce"))
        ctx_json = {
            "election_id": ELECTION_ID,
            "manifest_hash": MANIFEST_HASH.hex(),
            "public_key": key.to_hex(),
            "binding": ["trustee-2", "share"],
        }
        proof = _prove_equality(proof_context_from_json(ctx_json), secret, base, nonces)
        vectors.append(
            {
                "name": name,
                "seed": seed.hex(),
                "context": ctx_json,
                "secret": secret.to_hex(),
                "x": base_mul(secret).to_hex(),
                "base": base.to_hex(),
                "d": (base * secret).to_hex(),
                "proof": proof.to_json(),
            }
        )
    return {
        "header": header(
            "Chaum-Pedersen proofs (secret = first 'elgamal-secret', base = [first "
            "'elgamal-nonce']G, then the commitment nonce)",
            "protocol.md §6.2",
        ),
        "vectors": vectors,
    }


def make_nonces() -> dict[str, Any]:
    vectors = []
    for seed_text, labels in (
        ("seed-a", ["elgamal-nonce"] * 3 + ["range-commitment"] * 2),
        ("seed-b", ["schnorr-commitment", "elgamal-nonce", "schnorr-commitment"]),
        ("", ["ラベル"]),
    ):
        seed = seed_text.encode()
        nonces = DeterministicNonces(seed)
        counters: dict[str, int] = {}
        for label in labels:
            n = counters.get(label, 0)
            counters[label] = n + 1
            vectors.append(
                {
                    "seed": seed.hex(),
                    "label": label,
                    "n": n,
                    "scalar": nonces.scalar(label).to_hex(),
                }
            )
    return {
        "header": header(
            "Deterministic nonces: the n-th scalar for a label (independent counters)",
            "protocol.md §1.3, §3.3",
        ),
        "vectors": vectors,
    }


# RFC 9496 Appendix A.2 "bad encodings", plus other strings refused at the boundary.
# Each is kept only if tohyo.crypto.group refuses it (checked when generating).
_RFC9496_BAD = [
    "00ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
    "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
    "f3ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
    "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
    "0100000000000000000000000000000000000000000000000000000000000000",
    "01ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
    "ed57ffd8c914fb201471d1c3d245ce3c746fcbe63a3679d51b6a516ebebe0e20",
    "c34c4e1826e5d403b78e246e88aa051c36ccf0aafebffe137d148a2bf9104562",
    "c940e5a4404157cfb1628b108db051a8d439e1a421394ec4ebccb9ec92a8ac78",
    "47cfc5497c53dc8e61c91d17fd626ffb1c49e2bca94eed052281b510b1117a24",
    "f1c6165d33367351b0da8f6e4511010c68174a03b6581212c71c0e1d026c3c72",
    "87260f7a2f12495118360f02c26a470f450dadf34a413d21042b43b9d93e1309",
    "26948d35ca62e643e26a83177332e6b6afeb9d08e4268b650f1f5bbd8d81d371",
    "4eac077a713c57b4f4397629a4145982c661f48044dd3f96427d40b147d9742f",
    "de6a7b00deadc788eb6b6c8d20c0ae96c2f2019078fa604fee5b87d6e989ad7b",
    "bcab477be20861e01e4a0e295284146a510150d9817763caf1a6f4b422d67042",
    "2a292df7e32cababbd9de088d1d1abec9fc0440f637ed2fba145094dc14bea08",
    "f4a9e534fc0d216c44b218fa0c42d99635a0127ee2e53c712f70609649fdff22",
    "8268436f8c4126196cf64b3c7ddbda90746a378625f9813dd9b8457077256731",
    "2810e5cbc2cc4d4eece54f61c6f69758e289aa7ab440b3cbeaa21995c2f4232b",
    "3eb858e78f5a7254d8c9731174a94f76755fd3941c0ac93735c07ba14579630e",
    "a45fdc55c76448c049a1ab33f17023edfb2be3581e9c7aade8a6125215e04220",
    "d483fe813c6ba647ebbfd3ec41adca1c6130c2beeee9d9bf065c8d151c5f396e",
    "8a2e1d30050198c65a54483123960ccc38aef6848e1ec8f5f780e8523769ba32",
    "32888462f8b486c68ad7dd9610be5192bbeaf3b443951ac1a8118419d9fa097b",
    "227142501b9d4355ccba290404bde41575b037693cef1f438c47f8fbf35d1165",
    "5c37cc491da847cfeb9281d407efc41e15144c876e0170b499a96a22ed31e01e",
    "445425117cb8c90edcbc7c1cc0e74f747f2c1efa5630a967c64f287792a48a4b",
    "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
]


def _refused(decode: Callable[[], object]) -> bool:
    try:
        decode()
    except CryptoError:
        return True
    return False


def make_invalid_encodings() -> dict[str, Any]:
    generator = base_mul(Scalar.from_int(1)).to_hex()
    # The generator with bit 255 set: libsodium 1.0.18 ignores that bit (see group.py).
    high_bit = _high_bit(generator)
    elements: list[dict[str, Any]] = [
        {"hex": h, "reason": "RFC 9496 A.2 bad encoding"} for h in _RFC9496_BAD
    ]
    elements += [
        {"hex": high_bit, "reason": "the generator with bit 255 set"},
        {"hex": "00" * 32, "reason": "the identity where it is not allowed"},
        {"hex": generator.upper(), "reason": "upper-case hex"},
        {"hex": generator[:62], "reason": "31 bytes"},
        {"hex": generator + "00", "reason": "33 bytes"},
        {"hex": "0x" + generator[2:], "reason": "0x prefix"},
        {"hex": " " + generator[1:], "reason": "white space"},
        {"hex": "zz" + generator[2:], "reason": "not hexadecimal"},
        {"hex": "", "reason": "empty"},
    ]
    for e in elements:
        if not _refused(lambda h=e["hex"]: Element.from_hex(h)):
            raise SystemExit(f"vector {e} is accepted by tohyo.crypto.group")
    scalars: list[dict[str, Any]] = [
        {"hex": ORDER.to_bytes(32, "little").hex(), "reason": "ℓ"},
        {"hex": (ORDER + 1).to_bytes(32, "little").hex(), "reason": "ℓ + 1"},
        {"hex": (2**255 - 1).to_bytes(32, "little").hex(), "reason": "2^255 - 1"},
        {"hex": "ff" * 32, "reason": "2^256 - 1"},
        {"hex": "0" * 63, "reason": "63 digits"},
        {"hex": "0" * 66, "reason": "33 bytes"},
        {"hex": "AB" + "00" * 31, "reason": "upper-case hex"},
        {"hex": "-1" + "0" * 62, "reason": "sign"},
    ]
    for s in scalars:
        if not _refused(lambda h=s["hex"]: Scalar.from_hex(h)):
            raise SystemExit(f"vector {s} is accepted by tohyo.crypto.group")
    return {
        "header": header(
            "Strings every element and scalar decoder must refuse (InvalidEncoding)",
            "protocol.md §2.2-§2.4; RFC 9496 §4.3.1 and Appendix A.2",
        ),
        "elements": elements,
        "scalars": scalars,
    }


def _set(obj: Any, path: list[Any], value: Any) -> None:
    for p in path[:-1]:
        obj = obj[p]
    obj[path[-1]] = value


def _get(obj: Any, path: list[Any]) -> Any:
    for p in path:
        obj = obj[p]
    return obj


def _flip(hex_text: str) -> str:
    """Flip the lowest bit of the first byte (stays canonical for scalars and hex)."""
    return format(int(hex_text[:2], 16) ^ 1, "02x") + hex_text[2:]


Mutation = Callable[[Any], object]


def _set_to(path: list[Any], value: Any) -> Mutation:
    return lambda obj: _set(obj, path, value)


def _flip_at(path: list[Any]) -> Mutation:
    return lambda obj: _set(obj, path, _flip(_get(obj, path)))


def _reverse_at(path: list[Any]) -> Mutation:
    return lambda obj: _get(obj, path).reverse()


def _pop_at(path: list[Any]) -> Mutation:
    return lambda obj: _get(obj, path).pop()


def _unchanged(obj: Any) -> None:
    return None


def _high_bit(hex_text: str) -> str:
    """Set bit 255 (the top bit of the last byte)."""
    return hex_text[:62] + format(int(hex_text[62:], 16) | 0x80, "02x")


def _swap_with_blank(ballot: Any) -> None:
    q = ballot["questions"][0]
    q["blank"], q["selections"][0] = q["selections"][0], q["blank"]


def _extra_total_branch(ballot: Any) -> None:
    proof = ballot["questions"][0]["total_proof"]
    proof["c"].append(proof["c"][0])
    proof["z"].append(proof["z"][0])


def _outcome(ctx_json: dict[str, Any], style_json: Any, ballot_json: Any) -> str:
    """The error class name Python raises when parsing and verifying, or 'accepted'."""
    try:
        ballot = EncryptedBallot.from_json(ballot_json)
        _, key = election_keypair()
        verify_ballot(context_from_json(ctx_json), key, style_from_json(style_json), ballot)
    except CryptoError as exc:
        return type(exc).__name__
    return "accepted"


def make_tampered_ballots(ballots: dict[str, Any]) -> dict[str, Any]:
    base = next(v for v in ballots["vectors"] if v["name"] == "1-of-3 with blank, choose a")
    other = next(v for v in ballots["vectors"] if v["name"] == "1-of-3 with blank, blank")
    _, key = election_keypair()
    sel0 = ["questions", 0, "selections", 0]
    c0 = [*sel0, "proof", "c", 0]
    ident = "00" * 32
    high_c = (Scalar.from_hex(_get(base["ballot"], c0)).to_int() + ORDER).to_bytes(32, "little")

    # A re-randomised first selection: (α + [s]G, β + [s]K) with the old proof.
    ct = Ciphertext.from_json(_get(base["ballot"], [*sel0, "ct"]))
    s = DeterministicNonces(b"tohyo/vectors/rerandomise").scalar("elgamal-nonce")
    rerandomised = Ciphertext(ct.alpha + base_mul(s), ct.beta + key.element * s).to_json()
    # An over-vote: the second option replaced by an honest encryption of 1 with a valid
    # [0, 1] proof, so every selection proof verifies but the total is 2 for a 1-of-3.
    over = _encrypt_ballot_for_audit(
        context_from_json(base["context"]),
        key,
        style_from_json(base["style"]),
        {"mayor": ["cand-b"]},
        DeterministicNonces(b"tohyo/vectors/over-vote"),
    )[0].to_json()
    over_sel = over["questions"][0]["selections"][1]
    sel1 = ["questions", 0, "selections", 1]
    copied = other["ballot"]["questions"][0]["selections"][0]
    other_manifest = hashlib.sha256(b"other").hexdigest()

    total_z0 = ["questions", 0, "total_proof", "z", 0]
    alpha0 = [*sel0, "ct", "alpha"]
    mutations: list[tuple[str, Mutation, dict[str, Any] | None]] = [
        ("flip a bit of a selection challenge", _flip_at(c0), None),
        ("flip a bit of a selection response", _flip_at([*sel0, "proof", "z", 1]), None),
        ("flip a bit of the total proof", _flip_at(total_z0), None),
        ("flip a bit of alpha", _flip_at(alpha0), None),
        ("swap the branch challenges", _reverse_at([*sel0, "proof", "c"]), None),
        ("swap two selections", _reverse_at(["questions", 0, "selections"]), None),
        ("swap a selection with the blank", _swap_with_blank, None),
        ("non-canonical challenge c + ℓ", _set_to(c0, high_c.hex()), None),
        ("upper-case hex", lambda b: _set(b, c0, _get(b, c0).upper()), None),
        ("alpha is the identity", _set_to(alpha0, ident), None),
        ("beta is the identity", _set_to([*sel0, "ct", "beta"], ident), None),
        ("alpha is an invalid encoding", _set_to(alpha0, _RFC9496_BAD[6]), None),
        ("alpha with bit 255 set", lambda b: _set(b, alpha0, _high_bit(_get(b, alpha0))), None),
        ("blank removed", _set_to(["questions", 0, "blank"], None), None),
        ("a selection removed", _pop_at(["questions", 0, "selections"]), None),
        ("no selections", _set_to(["questions", 0, "selections"], []), None),
        ("no questions", _set_to(["questions"], []), None),
        ("extra field in a selection", _set_to([*sel0, "extra"], 1), None),
        ("total_proof missing", lambda b: _get(b, ["questions", 0]).pop("total_proof"), None),
        ("question id changed", _set_to(["questions", 0, "id"], "council"), None),
        ("question id not a string", _set_to(["questions", 0, "id"], 7), None),
        ("scalar not a string", _set_to(c0, 7), None),
        ("empty proof lists", _set_to([*sel0, "proof"], {"c": [], "z": []}), None),
        ("extra branch in the total proof", _extra_total_branch, None),
        ("proof lists of different lengths", _pop_at([*sel0, "proof", "z"]), None),
        ("re-randomised ciphertext, old proof", _set_to([*sel0, "ct"], rerandomised), None),
        ("selection copied from another ballot", _set_to(sel0, copied), None),
        ("over-vote: two options with valid bit proofs", _set_to(sel1, over_sel), None),
        ("cast under another credential", _unchanged, {"credential": "cred-9999"}),
        ("cast in another election", _unchanged, {"election_id": "tsukuba-2025-other"}),
        ("verified under another manifest", _unchanged, {"manifest_hash": other_manifest}),
    ]
    vectors = []
    for name, mutate, ctx_change in mutations:
        ballot = json.loads(json.dumps(base["ballot"]))
        mutate(ballot)
        ctx_json = {**base["context"], **(ctx_change or {})}
        outcome = _outcome(ctx_json, base["style"], ballot)
        if outcome == "accepted":
            raise SystemExit(f"tampered ballot {name!r} is accepted")
        vectors.append(
            {"name": name, "context": ctx_json, "ballot": ballot, "expected_error": outcome}
        )
    return {
        "header": header(
            "Tampered ballots: each must be refused, with the error class Python raises "
            "(InvalidEncoding while decoding, InvalidProof while verifying)",
            "protocol.md §2.4, §6.3, §10.3; THREATS.md A.2-A.9",
        ),
        "base": base["name"],
        "style": base["style"],
        "vectors": vectors,
    }


def _audit_outcome(vector: dict[str, Any], nonces_json: Any) -> str:
    try:
        nonces = RevealedNonces.from_json(nonces_json)
        _, key = election_keypair()
        open_audited_ballot(
            context_from_json(vector["context"]),
            key,
            style_from_json(vector["style"]),
            EncryptedBallot.from_json(vector["ballot"]),
            nonces,
        )
    except CryptoError as exc:
        return type(exc).__name__
    return "accepted"


def make_tampered_audits(ballots: dict[str, Any]) -> dict[str, Any]:
    base = next(v for v in ballots["vectors"] if v["name"] == "0..3-of-5 with blank, one")
    q0 = ["questions", 0]
    sels = [*q0, "selections"]
    mutations: list[tuple[str, Mutation]] = [
        ("a nonce changed", _flip_at([*sels, 1])),
        ("two nonces swapped", _reverse_at(sels)),
        ("blank nonce missing", _set_to([*q0, "blank"], None)),
        ("a nonce missing", _pop_at(sels)),
        ("nonce of zero", _set_to([*sels, 0], "00" * 32)),
        ("non-canonical nonce", _set_to([*sels, 0], ORDER.to_bytes(32, "little").hex())),
        ("question id changed", _set_to([*q0, "id"], "other")),
        ("extra field", _set_to([*q0, "extra"], None)),
        ("no questions", _set_to(["questions"], [])),
    ]
    vectors = []
    for name, mutate in mutations:
        nonces = json.loads(json.dumps(base["revealed_nonces"]))
        mutate(nonces)
        outcome = _audit_outcome(base, nonces)
        if outcome == "accepted":
            raise SystemExit(f"tampered audit {name!r} is accepted")
        vectors.append({"name": name, "revealed_nonces": nonces, "expected_error": outcome})
    audited = AuditedBallot(
        ELECTION_ID,
        base["context"]["credential"],
        bytes.fromhex(base["ballot_hash"]),
        EncryptedBallot.from_json(base["ballot"]),
        RevealedNonces.from_json(base["revealed_nonces"]),
    )
    return {
        "header": header(
            "Audited ballots: the audit document of one ballot, and tampered revealed "
            "nonces that open_audited_ballot must refuse",
            "booth-crypto.md §B3",
        ),
        "base": base["name"],
        "audited_ballot": audited.to_json(),
        "expected_choices": base["choices"],
        "vectors": vectors,
    }


def build_all() -> dict[str, Any]:
    """Every vector file of this folder: file name → JSON value."""
    ballots = make_ballots()
    return {
        "ballots.json": ballots,
        "range_proofs.json": make_range_proofs(),
        "schnorr.json": make_schnorr(),
        "chaum_pedersen.json": make_chaum_pedersen(),
        "nonces.json": make_nonces(),
        "invalid_encodings.json": make_invalid_encodings(),
        "tampered_ballots.json": make_tampered_ballots(ballots),
        "tampered_audits.json": make_tampered_audits(ballots),
    }


def dump(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, indent=1) + "\n"


def main() -> None:
    for name, value in build_all().items():
        (HERE / name).write_text(dump(value), encoding="utf-8")
        print(f"wrote {name}")


if __name__ == "__main__":
    main()
