"""Typed failures of the result reports (docs/spec/reports.md)."""

from __future__ import annotations

__all__ = ["FontMissing", "ReportError"]


class ReportError(Exception):
    """A report that cannot be produced; ``code`` is stable, the message names the cause."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class FontMissing(ReportError):
    """The Japanese font the charts and the PDF embed is not installed (fonts-noto-cjk)."""

    def __init__(self, looked: str) -> None:
        super().__init__(
            "report.font_missing",
            f"Noto Sans CJK JP not found (looked in {looked}); install Debian's "
            "fonts-noto-cjk (scripts/setup does)",
        )
