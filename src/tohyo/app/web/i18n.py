"""Languages of the voter pages and their gettext catalogues (docs/spec/booth.md §BO-2).

Japanese is the default; English and plain Japanese (やさしい日本語, tag
``ja-x-easy``) follow. The language is the first segment of every voter URL
(``/ja/…``, ``/en/…``, ``/easy/…``), so a page is the same for every voter who
asks for it in one language, links carry the language, and no cookie is needed.

Catalogues are the checked-in ``.po`` files under ``tohyo/locale/<dir>/LC_MESSAGES/``
(msgids in English). They are compiled in memory with Babel the first time a
language is used (no build step; a ``.mo`` file next to a ``.po`` is ignored), and an
empty ``msgstr`` falls back to the English msgid.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

from tohyo.record.questions import LocalizedText

__all__ = [
    "DEFAULT_LANGUAGE",
    "BOOTH_MESSAGES",
    "DOMAIN",
    "LANGUAGES",
    "Language",
    "UnknownLanguage",
    "booth_messages",
    "catalogue_path",
    "language",
    "localized",
    "translations",
]

DOMAIN = "messages"


class UnknownLanguage(LookupError):
    """A URL named a language the booth does not offer."""


@dataclass(frozen=True, slots=True)
class Language:
    """One language of the booth.

    Attributes:
        slug: the URL segment (``ja``, ``en``, ``easy``).
        tag: the BCP 47 tag for ``lang`` attributes and manifest texts.
        catalogue: the directory of its ``.po`` file under ``tohyo/locale``.
        speech: the language the Web Speech API reads aloud in.
        name: its own name, for the language switch.
    """

    slug: str
    tag: str
    catalogue: str
    speech: str
    name: str

    @property
    def base(self) -> str:
        """The primary subtag: ``ja`` for both Japanese variants."""
        return self.tag.split("-", 1)[0]


LANGUAGES: Mapping[str, Language] = {
    lang.slug: lang
    for lang in (
        Language("ja", "ja", "ja", "ja-JP", "日本語"),
        Language("easy", "ja-x-easy", "ja_x_easy", "ja-JP", "やさしい にほんご"),
        Language("en", "en", "en", "en-US", "English"),
    )
}
DEFAULT_LANGUAGE = LANGUAGES["ja"]


def language(slug: str) -> Language:
    """The language of a URL segment.

    Raises:
        UnknownLanguage: not one of :data:`LANGUAGES`.
    """
    found = LANGUAGES.get(slug)
    if found is None:
        raise UnknownLanguage(slug)
    return found


def catalogue_path(lang: Language) -> str:
    """Path of the language's ``.po`` file inside the package (for tests and tools)."""
    ref = resources.files("tohyo") / "locale" / lang.catalogue / "LC_MESSAGES" / f"{DOMAIN}.po"
    return str(ref)


@cache
def translations(slug: str) -> NullTranslations:
    """The compiled catalogue of a language (compiled once per process)."""
    lang = language(slug)
    ref = resources.files("tohyo") / "locale" / lang.catalogue / "LC_MESSAGES" / f"{DOMAIN}.po"
    if not ref.is_file():
        return NullTranslations()
    with ref.open("rb") as po:
        catalog = read_po(po, locale=lang.base, domain=DOMAIN)
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    buffer.seek(0)
    return Translations(buffer, domain=DOMAIN)


@dataclass(frozen=True, slots=True)
class Localized:
    """A manifest text in the page language, and the language it is really in.

    ``lang`` differs from the page's when the text fell back (to Japanese), so
    templates can mark it (``<span lang="ja">``, WCAG 3.1.2).
    """

    text: str
    lang: str


def localized(value: LocalizedText | None, lang: Language) -> Localized | None:
    """Pick a manifest text for ``lang``: ``ja-x-easy`` falls back to ``ja``, others to ``ja``."""
    if value is None:
        return None
    available = dict(value.values)
    for tag in (lang.tag, lang.base, "ja"):
        if tag in available:
            return Localized(available[tag], tag)
    return Localized(value.ja, "ja")  # pragma: no cover - ja is mandatory


def N_(message: str) -> str:
    """Mark a msgid for extraction (``pybabel extract``) without translating it yet."""
    return message


#: Messages the booth script shows, by key; the page embeds them translated.
#: ``{name}`` placeholders are filled in by the script.
BOOTH_MESSAGES: Mapping[str, str] = {
    "signin.busy": N_("Checking your voting code…"),
    "signin.invalid": N_("This voting code is not valid. Check the letters and try again."),
    "signin.empty": N_("Enter your voting code."),
    "signin.closed": N_("Voting in this election has closed. You can no longer vote."),
    "signin.not_started": N_("Voting in this election has not started yet."),
    "signin.not_open": N_("This election is not open for voting."),
    "signin.not_eligible": N_(
        "You cannot vote in this election with this code. Please contact the election commission."
    ),
    "signin.paper": N_(
        "A vote on paper has been recorded for you, so you cannot vote on the internet."
    ),
    "signin.rate": N_("Too many attempts. Please wait a little and try again."),
    "signin.done": N_("You are signed in."),
    "card.ready": N_("Challenge ready; it is good for two minutes."),
    "card.not_json": N_("This is not the app's answer: paste the whole line it printed."),
    "card.refused": N_(
        "The card sign-in was refused (code: {code}). Get a new challenge, sign it and try again."
    ),
    "card.not_eligible": N_(
        "You cannot vote in this election. Please contact the election commission."
    ),
    "error.network": N_(
        "The connection failed. Nothing was recorded. Check your connection and try again."
    ),
    "error.server": N_(
        "The voting service could not answer. Nothing was recorded. Please try again later."
    ),
    "error.unknown": N_("Something went wrong (code: {code}). Nothing was recorded."),
    "error.noscript": N_("This page needs JavaScript."),
    "ballot.errors": N_("Please check these questions:"),
    "ballot.unanswered": N_("{question}: choose an answer, or choose “blank”."),
    "ballot.too_many": N_("{question}: choose at most {max}."),
    "ballot.too_few": N_("{question}: choose at least {min}."),
    "ballot.restored": N_("Your earlier choices on this device were restored."),
    "review.nothing": N_("There are no choices to review yet. Please fill in the ballot first."),
    "review.blank": N_("Blank (no choice)"),
    "review.encrypting": N_("Encrypting your ballot on this device…"),
    "review.encrypted": N_("Your ballot is encrypted. Tracking code: {code}"),
    "review.casting": N_("Sending your encrypted ballot…"),
    "review.no_session": N_(
        "To cast your ballot, please sign in. Your choices are kept on this device."
    ),
    "review.session_expired": N_(
        "Your sign-in has expired. Your choices are kept: sign in again to cast your ballot."
    ),
    "review.closed": N_("Voting has closed. Your ballot was not recorded."),
    "review.not_eligible": N_("You cannot vote in this election. Your ballot was not recorded."),
    "review.paper": N_("A vote on paper has been recorded for you. Your ballot was not recorded."),
    "review.audited": N_(
        "This encryption was audited, so it can never be cast. "
        "It was encrypted again: check the new tracking code."
    ),
    "review.bad_state": N_(
        "The choices saved on this device are not valid for this ballot. "
        "Nothing was recorded. Please fill in the ballot again."
    ),
    "review.rejected": N_(
        "The server refused this ballot (code: {code}). Nothing was recorded. "
        "Please fill in the ballot again."
    ),
    "review.retry": N_("Sending again with the same ballot…"),
    "envelope.needed": N_(
        "Your ballot is encrypted. Tracking code: {code}. "
        "Have your card sign the ballot hash, paste the answer, then cast."
    ),
    "envelope.missing": N_(
        "Paste the card's signature of this ballot first. Nothing was recorded."
    ),
    "envelope.not_json": N_(
        "This is not the card app's answer: paste the whole line it printed. Nothing was recorded."
    ),
    "envelope.refused": N_(
        "The card's signature of this ballot was refused (code: {code}). Nothing was recorded. "
        "Have your card sign the ballot hash shown here and paste the new answer."
    ),
    "review.back": N_("Go back to the ballot"),
    "audit.requesting": N_("Marking this encryption as audited on the server…"),
    "audit.match": N_("Check passed: this encryption contains exactly the choices you made."),
    "audit.mismatch": N_(
        "Warning: this encryption does NOT contain the choices you made. "
        "Do not vote on this device. Please tell the election commission."
    ),
    "audit.failed": N_(
        "The check could not be done; nothing was revealed. Try again, or cast your ballot."
    ),
    "audit.reencrypted": N_("Encrypted again for casting. New tracking code: {code}"),
    "receipt.none": N_(
        "No receipt is kept on this device. If you voted, check your ballot with its tracking code."
    ),
    "check.bad_code": N_(
        "A tracking code has 24 letters and digits (for example ABCD-EFGH-…). "
        "Check it and try again."
    ),
    "check.looking": N_("Looking for the ballot on the public ballot box…"),
    "check.not_found": N_("No ballot with this tracking code is in the ballot box."),
    "check.found": N_("Found: ballot number {index} in the ballot box."),
    "check.leaf_ok": N_("The entry in the ballot box holds this ballot."),
    "check.leaf_bad": N_("The entry in the ballot box does not hold this ballot."),
    "check.signature_ok": N_("The ballot box's signature is valid (size {size})."),
    "check.signature_bad": N_("The ballot box's signature is NOT valid."),
    "check.inclusion_ok": N_("The proof shows that the ballot is in the signed ballot box."),
    "check.inclusion_bad": N_("The proof that the ballot is in the ballot box does NOT hold."),
    "check.receipt_ok": N_("The ballot box still contains everything your receipt was signed for."),
    "check.receipt_bad": N_(
        "The ballot box does NOT match the one on your receipt. "
        "Please tell the election commission."
    ),
    "check.receipt_other": N_("The receipt on this device is for another ballot; it was not used."),
    "check.effective": N_("This ballot counts: it is the latest ballot of this voter."),
    "check.superseded": N_(
        "This ballot does not count: the same voter cast a later ballot, and only the "
        "latest one counts."
    ),
    "check.paper": N_("This ballot does not count: a paper vote was recorded for the same voter."),
    "check.passed": N_("All checks passed."),
    "check.step_ok": N_("Passed:"),
    "check.step_bad": N_("Failed:"),
    "check.recorded": N_(
        "Your ballot is in the ballot box. Whether it is the one that counts is shown "
        "only to you: sign in on this device and check again."
    ),
    "check.failed": N_("A check failed. Please tell the election commission."),
    "speech.unavailable": N_("Reading aloud is not available in this browser."),
    "speech.stop": N_("Stop reading"),
    "speech.read": N_("Read aloud"),
    "speech.question": N_("Question {n} of {total}. {title}."),
    "speech.option": N_("Choice {n}: {label}."),
    "speech.candidate": N_("Number {number}. {name}. {party}."),
    "speech.no_party": N_("No party"),
    "speech.blank": N_("Blank: leave this question without a choice."),
    "speech.chosen": N_("Your choice: {label}."),
    "speech.selected": N_("selected"),
    "display.large_on": N_("Large text is on."),
    "display.large_off": N_("Large text is off."),
    "image.mismatch": N_(
        "An image does not match the one the election published, so it is not shown and "
        "cannot be chosen. Please tell the election commission."
    ),
}


@cache
def booth_messages(slug: str) -> dict[str, str]:
    """:data:`BOOTH_MESSAGES` translated into the language of ``slug``."""
    catalogue = translations(slug)
    return {key: catalogue.gettext(msgid) for key, msgid in BOOTH_MESSAGES.items()}
