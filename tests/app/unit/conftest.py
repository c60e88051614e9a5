"""Fixtures for the domain tests: example manifests from tests/vectors/manifests."""

from __future__ import annotations

from pathlib import Path

import pytest

from tohyo.record.manifest import Manifest, parse_manifest

EXAMPLES = Path(__file__).resolve().parents[2] / "vectors" / "manifests"


@pytest.fixture(scope="session")
def mayoral() -> Manifest:
    """The 2028 mayoral election: period 2028-10-16 08:30 to 2028-10-21 20:00 JST."""
    return parse_manifest((EXAMPLES / "mayoral-election.json").read_bytes())


@pytest.fixture(scope="session")
def survey() -> Manifest:
    """The 2025 three-field survey (no candidates)."""
    return parse_manifest((EXAMPLES / "tsukuba-2025-survey.json").read_bytes())
