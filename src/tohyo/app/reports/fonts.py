"""The Japanese fonts of the charts and the PDF (docs/adr/0070-result-reports-weasyprint.md).

Both come from Debian's ``fonts-noto-cjk`` (SIL Open Font License 1.1, which
allows embedding): Noto Sans CJK JP for the charts and headings, Noto Serif CJK
JP for the body of the PDF. They are looked up by file, not by fontconfig name,
so that a machine with another CJK font never silently renders the report in it.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from tohyo.app.reports.errors import FontMissing

__all__ = ["FONT_DIRS", "SANS", "SERIF", "font_file"]

#: Where Debian (and most distributions) install fonts-noto-cjk.
FONT_DIRS: tuple[Path, ...] = (
    Path("/usr/share/fonts/opentype/noto"),
    Path("/usr/share/fonts/noto-cjk"),
    Path("/usr/share/fonts/google-noto-cjk"),
)
SANS = "NotoSansCJK-Regular.ttc"
SERIF = "NotoSerifCJK-Regular.ttc"


@cache
def font_file(name: str = SANS) -> Path:
    """The path of a font file of fonts-noto-cjk.

    Raises:
        FontMissing: the font is not installed.
    """
    for directory in FONT_DIRS:
        path = directory / name
        if path.is_file():
            return path
    raise FontMissing(", ".join(str(d) for d in FONT_DIRS))
