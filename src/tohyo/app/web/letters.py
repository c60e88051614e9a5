"""Print-ready letters for one-time voting codes (issue 6 item 3; docs/guides/officials-auth.md).

One self-contained HTML file per voter (A4, print CSS, no external resource),
Japanese first, then English: the election title and voting period, the booth
URL, the code in large monospace groups of four, and that the code works once
and that a paper vote cancels the internet vote. The texts are gettext messages
of the booth catalogues (``templates/letters/``), so the catalogue tests cover
them. No personal data but the name and roll number (:mod:`services.letters`).
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from functools import cache
from pathlib import Path

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup

from tohyo.app.services.letters import Letter
from tohyo.app.web import i18n
from tohyo.app.web.i18n import N_
from tohyo.record.manifest import Manifest

__all__ = ["LETTER_LANGUAGES", "letter_filename", "render_letter", "write_letters"]

#: The languages of a letter, in order: Japanese first, then English.
LETTER_LANGUAGES = ("ja", "en")
JST = timezone(timedelta(hours=9), "JST")
_TO = N_("To {name}")
_PERIOD = N_("{start} to {end} (Japan time)")
_DATE = {"ja": "%Y年%m月%d日 %H:%M", "en": "%d %b %Y %H:%M"}


@cache
def _environment(slug: str) -> Environment:
    env = Environment(
        loader=PackageLoader("tohyo.app.web", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_translations(i18n.translations(slug), newstyle=True)  # type: ignore[attr-defined]
    return env


def _when(moment: datetime, slug: str) -> str:
    return moment.astimezone(JST).strftime(_DATE[slug])


def letter_filename(letter: Letter) -> str:
    """``letter-<roll number>.html`` (roll numbers are ``0-9A-Z`` after normalisation)."""
    safe = "".join(c for c in letter.addressee.voter_id if c.isascii() and c.isalnum())
    return f"letter-{safe or 'voter'}.html"


def render_letter(letter: Letter, manifest: Manifest, booth_url: str) -> str:
    """The letter of one voter as an HTML document."""
    sections = []
    for slug in LETTER_LANGUAGES:
        lang = i18n.language(slug)
        gettext = i18n.translations(slug).gettext
        found = i18n.localized(manifest.title, lang)
        period = gettext(_PERIOD).format(
            start=_when(manifest.period.start, slug), end=_when(manifest.period.end, slug)
        )
        body = (
            _environment(slug)
            .get_template("letters/body.html")
            .render(
                lang=lang,
                title=found.text if found else manifest.id,
                title_lang=found.lang if found else "en",
                period=period,
                url=f"{booth_url.rstrip('/')}/{slug}/elections/{manifest.id}/",
            )
        )
        sections.append(Markup(body))  # noqa: S704  (an autoescaped template render)
    ja = i18n.translations("ja").gettext
    return (
        _environment("ja")
        .get_template("letters/letter.html")
        .render(
            to=ja(_TO).format(name=letter.addressee.name),
            voter_id=letter.addressee.voter_id,
            groups=letter.code.split("-"),
            code=letter.code,
            sections=sections,
        )
    )


def write_letters(
    letters: list[Letter], manifest: Manifest, booth_url: str, out: Path
) -> list[Path]:
    """Write one file per letter into ``out`` (created, mode 0700: the codes are secret)."""
    out.mkdir(mode=0o700, parents=True, exist_ok=True)
    written = []
    for letter in letters:
        path = out / letter_filename(letter)
        path.write_text(render_letter(letter, manifest, booth_url), encoding="utf-8")
        path.chmod(0o600)
        written.append(path)
    return written
