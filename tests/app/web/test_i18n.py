"""The catalogues: every message of the templates and the booth script is
translated into Japanese and plain Japanese, with the same placeholders."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from tohyo.app.web import i18n

WEB = Path(i18n.__file__).resolve().parent
METHODS = [("**/templates/**.html", "jinja2"), ("**.py", "python")]
OPTIONS = {
    "**/templates/**.html": {
        "extensions": "jinja2.ext.i18n",
        "trim_blocks": "True",
        "lstrip_blocks": "True",
    }
}


def _msgids() -> set[str]:
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        str(WEB), METHODS, options_map=OPTIONS
    ):
        found.add(message if isinstance(message, str) else message[0])
    return found


def _placeholders(text: str) -> set[str]:
    return set(re.findall(r"%\(\w+\)s|\{\w+\}", text))


@pytest.mark.parametrize("slug", ["ja", "easy"])
def test_catalogue_translates_every_message(slug: str) -> None:
    lang = i18n.language(slug)
    with open(i18n.catalogue_path(lang), "rb") as po:
        catalog = read_po(po)
    translated = {m.id: m.string for m in catalog if m.id}
    missing = sorted(m for m in _msgids() if not translated.get(m))
    assert missing == [], f"untranslated in {slug}: {missing}"
    for msgid, text in translated.items():
        assert _placeholders(msgid) == _placeholders(str(text)), msgid


def test_booth_messages_are_translated_per_language() -> None:
    ja = i18n.booth_messages("ja")
    en = i18n.booth_messages("en")
    easy = i18n.booth_messages("easy")
    assert set(ja) == set(en) == set(easy) == set(i18n.BOOTH_MESSAGES)
    assert en["review.closed"] == "Voting has closed. Your ballot was not recorded."
    assert ja["review.closed"] == "投票は終了しました。この票は記録されませんでした。"
    assert easy["review.closed"] != ja["review.closed"]


def test_unknown_language() -> None:
    with pytest.raises(i18n.UnknownLanguage):
        i18n.language("fr")


def test_fallback_texts_are_marked_with_their_language() -> None:
    from tohyo.record.questions import LocalizedText

    text = LocalizedText.of({"ja": "市長", "ja-x-easy": "しちょう"})
    assert i18n.localized(text, i18n.language("easy")) == i18n.Localized("しちょう", "ja-x-easy")
    assert i18n.localized(text, i18n.language("en")) == i18n.Localized("市長", "ja")
    assert i18n.localized(None, i18n.language("en")) is None


# ---------------------------------------------------------------- every template

TEMPLATES = sorted((WEB / "templates").rglob("*.html"))
#: Literal text a template may show untranslated: commands, file names, symbols.
ALLOWED = re.compile(
    r"tohyo card sign(-ballot)? --card CARD\.p12 --election|--challenge|"
    r"https?://\S+|SHA-256|[\s…–—:：/|·.,()（）]+"
)
_LITERAL_ATTR = re.compile(r'\b(alt|title|aria-label|placeholder|content)="([^"{]*[^"{\s][^"{]*)"')


def _visible_literals(source: str) -> list[str]:
    """Text of a template that is shown to the voter and is not a gettext message."""
    source = re.sub(r"{#.*?#}", "", source, flags=re.S)
    source = re.sub(r"<(script|style)\b.*?</\1>", "", source, flags=re.S | re.I)
    found = [value for name, value in _LITERAL_ATTR.findall(source) if name != "content"]
    source = re.sub(r"{{.*?}}|{%.*?%}", " ", source, flags=re.S)
    source = re.sub(r"<[^>]*>", " ", source, flags=re.S)
    found += [line.strip() for line in source.splitlines() if line.strip()]
    return [text for text in found if ALLOWED.sub("", text)]


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: p.relative_to(WEB).as_posix())
def test_template_shows_only_messages(template: Path) -> None:
    """Every visible text of every template goes through gettext (so the test above sees it)."""
    assert _visible_literals(template.read_text("utf-8")) == []


def test_pages_embed_no_english_literal_messages() -> None:
    """The card page's script texts are booth messages, translated like the others."""
    for key in ("card.ready", "card.not_json", "card.refused", "envelope.refused"):
        assert key in i18n.BOOTH_MESSAGES
        assert i18n.booth_messages("ja")[key] != i18n.BOOTH_MESSAGES[key]
        assert i18n.booth_messages("easy")[key] != i18n.booth_messages("ja")[key]
