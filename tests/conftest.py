"""Shared pytest configuration for every test package.

Keep this file small: fixtures belong next to the tests that use them. Hypothesis
strategies live in ``tests/strategies.py``.
"""

from hypothesis import settings

# Crypto operations are slow-ish and the suite runs beside other jobs on a
# shared machine, so wall-clock deadlines would only produce flaky failures.
settings.register_profile("tohyo", deadline=None)
settings.load_profile("tohyo")
