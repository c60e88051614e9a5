"""Shared pytest configuration for every test package.

Keep this file small: fixtures belong next to the tests that use them. Hypothesis
strategies live in ``tests/strategies.py``.
"""

import pytest
from hypothesis import settings

# Crypto operations are slow-ish and the suite runs beside other jobs on a
# shared machine, so wall-clock deadlines would only produce flaky failures.
settings.register_profile("tohyo", deadline=None)
settings.load_profile("tohyo")


@pytest.fixture(autouse=True)
def _no_terminal_session(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Officials' CLI tests never pick up a terminal session from the machine running them
    (``tohyo officials login``): each test gets its own, absent, session file."""
    path = tmp_path_factory.mktemp("session") / "official-session.json"
    monkeypatch.setenv("TOHYO_OFFICIAL_SESSION_FILE", str(path))
