"""Fixtures for the transparency-log tests; plain helpers live in ``log_support``."""

from __future__ import annotations

import pytest
from log_support import make_log_signer, make_witness_signer

from tohyo.log import CosignatureSigner, Ed25519Signer


@pytest.fixture
def log_signer() -> Ed25519Signer:
    return make_log_signer()


@pytest.fixture
def witness_signer() -> CosignatureSigner:
    return make_witness_signer()
