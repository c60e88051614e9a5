"""Generic checks for manifest JSON (docs/spec/manifest.md §MAN-2, §MAN-4). Internal.

A :class:`Checker` records every problem with its JSON pointer and carries on,
so that the commission sees all its mistakes at once. Its parsers return
``None`` after recording a problem; only the caller decides whether to raise.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from collections.abc import Set as AbstractSet
from datetime import date, datetime
from typing import Any, TypeVar

from tohyo.record.errors import Problem, json_pointer
from tohyo.record.manifest import is_area_code
from tohyo.record.questions import LocalizedText

T = TypeVar("T")

MAX_MANIFEST_BYTES = 1 << 20
MAX_MANIFEST_DEPTH = 16
MAX_QUESTIONS = 100
MAX_OPTIONS = 200
MAX_LEVELS = 101
MAX_TRUSTEES = 64
MAX_AREAS = 1000
MAX_LANGUAGES = 16
MAX_TITLE = 200
MAX_TEXT = 5000
MAX_NAME = 100
MAX_AGE = 150
JST_OFFSET = "+09:00"

_SLUG = re.compile(r"[a-z0-9]+(?:[-_][a-z0-9]+)*\Z")
_LANG = re.compile(r"[a-z]{2,3}(?:-[a-z0-9]{1,8})*\Z")
_DATETIME = re.compile(r"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})([+-]\d{2}:\d{2}|Z)\Z")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}\Z")
_AREA = re.compile(r"(\d{6})(?:-([0-9A-Za-z]{1,8}))?\Z")
_KANA = re.compile(r"[\u3041-\u3096\u309d-\u309f\u30a1-\u30ff\u31f0-\u31ff \u3000]+\Z")
_HAS_KANA = re.compile(r"[\u3041-\u3096\u30a1-\u30fa]")
_PATH_SEGMENT = re.compile(r"[A-Za-z0-9_-][A-Za-z0-9._-]*\Z")
_IMAGE_EXT = (".jpg", ".jpeg", ".png", ".webp")
_HEX256 = re.compile(r"[0-9a-f]{64}\Z")



class Checker:
    def __init__(self) -> None:
        self.problems: list[Problem] = []
        self.ids: dict[str, str] = {}  # id -> pointer of its first use

    def bad(self, path: str, reason: str) -> None:
        self.problems.append(Problem(path, reason))

    def obj(self, value: Any, path: str, required: AbstractSet[str],
            optional: AbstractSet[str] = frozenset()) -> dict[str, Any] | None:
        if not isinstance(value, dict):
            self.bad(path, "must be an object")
            return None
        for key in sorted(required - value.keys()):
            self.bad(f"{path}{json_pointer(key)}", "is required")
        for key in sorted(value.keys() - required - optional):
            self.bad(f"{path}{json_pointer(key)}", "is not a known field")
        return value

    def field(self, obj: dict[str, Any], key: str, path: str,
              parse: Callable[[Any, str], T | None]) -> T | None:
        if key not in obj:
            return None
        return parse(obj[key], f"{path}{json_pointer(key)}")

    def array(self, value: Any, path: str, lo: int, hi: int) -> list[Any] | None:
        if not isinstance(value, list):
            self.bad(path, "must be an array")
            return None
        if not lo <= len(value) <= hi:
            self.bad(path, f"must have between {lo} and {hi} items")
        return value

    def integer(self, value: Any, path: str, lo: int, hi: int) -> int | None:
        if isinstance(value, bool) or not isinstance(value, int):
            self.bad(path, "must be an integer")
            return None
        if not lo <= value <= hi:
            self.bad(path, f"must be between {lo} and {hi}")
            return None
        return value

    def boolean(self, value: Any, path: str) -> bool | None:
        if not isinstance(value, bool):
            self.bad(path, "must be true or false")
            return None
        return value

    def string(self, value: Any, path: str, max_len: int = MAX_TITLE, *,
               multiline: bool = False) -> str | None:
        if not isinstance(value, str):
            self.bad(path, "must be a string")
            return None
        if not value.strip():
            self.bad(path, "must not be empty")
            return None
        if len(value) > max_len:
            self.bad(path, f"must be at most {max_len} characters")
            return None
        allowed = "\n" if multiline else ""
        if any(unicodedata.category(ch) in ("Cc", "Cs") and ch not in allowed for ch in value):
            self.bad(path, "must not contain control characters")
            return None
        if value != value.strip():
            self.bad(path, "must not start or end with white space")
            return None
        if not unicodedata.is_normalized("NFC", value):
            self.bad(path, "must be in Unicode normalisation form NFC")
            return None
        return value

    def slug(self, value: Any, path: str) -> str | None:
        if not isinstance(value, str) or len(value) > 64 or not _SLUG.match(value):
            self.bad(path, "must be an id: 1-64 of a-z, 0-9, single '-' or '_' inside")
            return None
        return value

    def new_id(self, value: Any, path: str) -> str | None:
        ident = self.slug(value, path)
        if ident is None:
            return None
        if ident in self.ids:
            self.bad(path, f"duplicates the id at {self.ids[ident]}")
            return None
        self.ids[ident] = path
        return ident

    def text(self, value: Any, path: str, max_len: int = MAX_TITLE, *,
             multiline: bool = False) -> LocalizedText | None:
        if not isinstance(value, dict):
            self.bad(path, 'must be an object of language tag to text, e.g. {"ja": "…"}')
            return None
        ok = True
        if "ja" not in value:
            self.bad(f"{path}/ja", "is required (Japanese text is mandatory)")
            ok = False
        if len(value) > MAX_LANGUAGES:
            self.bad(path, f"must have at most {MAX_LANGUAGES} languages")
            ok = False
        texts: dict[str, str] = {}
        for tag, item in value.items():
            sub = f"{path}{json_pointer(tag)}"
            if not _LANG.match(tag):
                self.bad(sub, "is not a lowercase BCP 47 language tag such as ja, en, ja-x-easy")
                ok = False
            s = self.string(item, sub, max_len, multiline=multiline)
            if s is None:
                ok = False
            else:
                texts[tag] = s
        return LocalizedText.of(texts) if ok else None

    def long_text(self, value: Any, path: str) -> LocalizedText | None:
        return self.text(value, path, MAX_TEXT, multiline=True)

    def datetime_jst(self, value: Any, path: str) -> datetime | None:
        m = _DATETIME.match(value) if isinstance(value, str) else None
        if m is None:
            self.bad(path, "must be a date-time YYYY-MM-DDThh:mm:ss+09:00")
            return None
        if m.group(2) != JST_OFFSET:
            self.bad(path, "must use the Japan Standard Time offset +09:00 (Asia/Tokyo)")
            return None
        try:
            return datetime.fromisoformat(value)
        except ValueError:
            self.bad(path, "is not a valid calendar date-time")
            return None

    def day(self, value: Any, path: str) -> date | None:
        if not isinstance(value, str) or not _DATE.match(value):
            self.bad(path, "must be a date YYYY-MM-DD")
            return None
        try:
            return date.fromisoformat(value)
        except ValueError:
            self.bad(path, "is not a valid calendar date")
            return None

    def area(self, value: Any, path: str) -> str | None:
        m = _AREA.match(value) if isinstance(value, str) else None
        if m is None or not is_area_code(m.group(1)):
            self.bad(path, "must be a 6-digit municipality code with a valid check digit, "
                     "optionally followed by '-' and a district of 1-8 letters or digits")
            return None
        return str(value)

    def kana(self, value: Any, path: str) -> str | None:
        s = self.string(value, path, MAX_NAME)
        if s is None:
            return None
        if not _KANA.match(s) or not _HAS_KANA.search(s):
            self.bad(path, "must be a reading in full-width hiragana or katakana")
            return None
        return s

    def image_path(self, value: Any, path: str) -> str | None:
        if (
            not isinstance(value, str)
            or len(value) > 200
            or not all(_PATH_SEGMENT.match(seg) for seg in value.split("/"))
            or not value.lower().endswith(_IMAGE_EXT)
        ):
            self.bad(path, "must be a relative path like images/p01.jpg "
                     "(a-z, 0-9, '.', '_', '-'; no '..'; .jpg, .jpeg, .png or .webp)")
            return None
        return value

    def hex256(self, value: Any, path: str) -> str | None:
        if not isinstance(value, str) or not _HEX256.match(value):
            self.bad(path, "must be 64 lowercase hexadecimal digits (SHA-256)")
            return None
        return value


def check_unique(c: Checker, values: Iterable[tuple[str, T | None]], what: str) -> None:
    seen: dict[T, str] = {}
    for path, value in values:
        if value is None:
            continue
        if value in seen:
            c.bad(path, f"duplicates the {what} at {seen[value]}")
        else:
            seen[value] = path


def items(c: Checker, obj: dict[str, Any], key: str, path: str, lo: int, hi: int,
           parse: Callable[[Any, str], T | None]) -> list[T] | None:
    """Parse the array ``obj[key]``; ``None`` if it or any item is bad."""
    if key not in obj:
        return None
    sub = f"{path}/{key}"
    arr = c.array(obj[key], sub, lo, hi)
    if arr is None:
        return None
    parsed = [parse(item, f"{sub}/{i}") for i, item in enumerate(arr)]
    good = [p for p in parsed if p is not None]
    return good if len(good) == len(parsed) and lo <= len(arr) <= hi else None


def optional(c: Checker, o: dict[str, Any], key: str, path: str,
              parse: Callable[[Any, str], T | None]) -> tuple[bool, T | None]:
    """``(ok, value)`` for an optional field: absent is ok with ``None``."""
    if key not in o:
        return True, None
    value = c.field(o, key, path, parse)
    return value is not None, value
