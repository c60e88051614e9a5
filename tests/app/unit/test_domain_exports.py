"""tohyo.app.domain is pure: no I/O, no web, no database imports."""

from __future__ import annotations

import subprocess
import sys

import tohyo.app.domain


def test_exports_resolve() -> None:
    for name in tohyo.app.domain.__all__:
        assert hasattr(tohyo.app.domain, name), name


def test_domain_imports_no_web_or_database_code() -> None:
    code = (
        "import sys, tohyo.app.domain;"
        "bad = [m for m in sys.modules if m.split('.')[0] in "
        "{'fastapi','starlette','sqlalchemy','alembic','psycopg','jinja2','httpx'}"
        " or m.startswith(('tohyo.app.store', 'tohyo.app.web', 'tohyo.app.services'))];"
        "print(bad); sys.exit(1 if bad else 0)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
