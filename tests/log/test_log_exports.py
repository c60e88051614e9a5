"""The curated public API of tohyo.log (STYLE #11) and its layering (STYLE #1)."""

from __future__ import annotations

import ast
from pathlib import Path

import tohyo.log
from tohyo.log import errors

EXPECTED = {
    "EMPTY_ROOT",
    "HASH_SIZE",
    "TIME_EXTENSION",
    "AddCheckpointRequest",
    "Checkpoint",
    "Conflict",
    "CosignatureSigner",
    "CosignatureVerifier",
    "Ed25519Signer",
    "Ed25519Verifier",
    "Hash",
    "InconsistentHead",
    "InvalidCheckpoint",
    "InvalidEncoding",
    "InvalidProof",
    "InvalidRequest",
    "InvalidSignature",
    "LogError",
    "MerkleTree",
    "Monitor",
    "NoteSignature",
    "NoteSigner",
    "NoteVerifier",
    "OldSizeMismatch",
    "SignedCheckpoint",
    "SignedNote",
    "UnknownOrigin",
    "Witness",
    "check_head_sequence",
    "consistency_proof",
    "cosignature_timestamp",
    "cosigned_message",
    "encode_add_checkpoint_request",
    "encode_signer_key",
    "encode_verifier_key",
    "inclusion_proof",
    "leaf_hash",
    "node_hash",
    "open_checkpoint",
    "parse_add_checkpoint_request",
    "parse_note",
    "root_from_inclusion_proof",
    "sign_checkpoint",
    "sign_note",
    "signer_from_key",
    "verifier_from_key",
    "verify_consistency",
    "verify_cosignature",
    "verify_head_sequence",
    "verify_inclusion",
    "verify_note",
    "verify_receipt",
}


def test_exported_members() -> None:
    assert set(tohyo.log.__all__) == EXPECTED
    for name in tohyo.log.__all__:
        assert hasattr(tohyo.log, name), name


def test_error_hierarchy_and_statuses() -> None:
    for name in errors.__all__:
        cls = getattr(errors, name)
        assert issubclass(cls, errors.LogError) and issubclass(cls, ValueError)
    assert errors.InvalidProof.http_status == 422
    assert errors.OldSizeMismatch.http_status == errors.InconsistentHead.http_status == 409
    assert errors.InvalidSignature.http_status == 403
    assert errors.UnknownOrigin.http_status == 404
    assert issubclass(errors.InvalidCheckpoint, errors.InvalidEncoding)
    assert len({getattr(errors, n).code for n in errors.__all__}) == len(errors.__all__)


ALLOWED_TOP_LEVEL = {
    "__future__",
    "base64",
    "binascii",
    "collections",
    "contextlib",
    "cryptography",
    "dataclasses",
    "fcntl",
    "hashlib",
    "hmac",
    "json",
    "os",
    "pathlib",
    "re",
    "secrets",
    "threading",
    "time",
    "typing",
    "tohyo",
}


def test_imports_only_stdlib_and_cryptography() -> None:
    package = Path(tohyo.log.__file__).parent
    for source in package.glob("*.py"):
        tree = ast.parse(source.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                top = name.split(".")[0]
                assert top in ALLOWED_TOP_LEVEL, f"{source.name} imports {name}"
                if top == "tohyo":
                    assert name.startswith("tohyo.log"), f"{source.name} imports {name}"


def test_no_assert_statements_in_the_library() -> None:
    package = Path(tohyo.log.__file__).parent
    for source in package.glob("*.py"):
        tree = ast.parse(source.read_text(encoding="utf-8"))
        assert not any(isinstance(n, ast.Assert) for n in ast.walk(tree)), source.name
