"""Strict parsing of the console's HTML forms (console.md §CON-3).

Forms are ``application/x-www-form-urlencoded`` (files go through their own
multipart handling in the room that takes them). Each field appears at most once,
only the expected fields are accepted, and every value is bounded: a form that
does not parse is a typed 400, never a half-read request.
"""

from __future__ import annotations

from urllib.parse import parse_qsl

from tohyo.app.errors import BadRequest

__all__ = ["MAX_FIELD", "csrf_field", "parse_form"]

MAX_FIELD = 10_000
"""Characters in one field: a manifest text fits, a pasted file does not."""


def parse_form(
    raw: bytes, content_type: str, required: set[str], optional: frozenset[str] = frozenset()
) -> dict[str, str]:
    """The fields of a urlencoded form body, each once, with ``csrf_token`` always allowed.

    Raises:
        BadRequest: ``form.content_type``, ``form.encoding``, ``form.duplicate``,
            ``form.unexpected``, ``form.missing`` or ``form.too_long`` (the field is named).
    """
    if content_type.split(";", 1)[0].strip().lower() != "application/x-www-form-urlencoded":
        raise BadRequest("form.content_type", "send the form as application/x-www-form-urlencoded")
    try:
        text = raw.decode("ascii")  # urlencoded bodies are ASCII; UTF-8 arrives %-encoded
        pairs = parse_qsl(text, keep_blank_values=True, strict_parsing=bool(text), errors="strict")
    except (UnicodeDecodeError, ValueError) as exc:
        raise BadRequest("form.encoding", "the form is not valid urlencoded UTF-8") from exc
    allowed = required | optional | {"csrf_token"}
    form: dict[str, str] = {}
    for name, value in pairs:
        if name in form:
            raise BadRequest("form.duplicate", f"the field {name!r} appears twice")
        if name not in allowed:
            raise BadRequest("form.unexpected", f"unexpected field {name[:40]!r}")
        if len(value) > MAX_FIELD:
            raise BadRequest("form.too_long", f"the field {name!r} is too long")
        form[name] = value
    missing = sorted(required - set(form))
    if missing:
        raise BadRequest("form.missing", f"missing field(s): {', '.join(missing)}")
    return form


def csrf_field(raw: bytes) -> str:
    """The ``csrf_token`` of a urlencoded body, read leniently (empty if absent or unreadable).

    The token is checked before the role, and the role before the form is parsed
    strictly, so that an official of another role is refused (403) whatever the
    form holds.
    """
    try:
        pairs = parse_qsl(raw.decode("ascii"), keep_blank_values=True)
    except (UnicodeDecodeError, ValueError):
        return ""
    found = [value for name, value in pairs if name == "csrf_token"]
    return found[0] if len(found) == 1 else ""
