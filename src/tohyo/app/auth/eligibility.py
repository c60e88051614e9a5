"""Eligibility from what a method vouches for (docs/spec/authentication.md §AUTH-ELIG).

A JPKI certificate and an OIDC ``address`` claim carry an address as *text*;
the manifest's rules speak of municipality codes (``082201``) and districts.
An :class:`AddressDirectory` bridges the two by longest-prefix match on the
normalised text (NFKC, no white space). The age rule is the domain's
(:func:`tohyo.app.domain.eligibility.ensure_eligible`), so the roll import and
sign-in can never disagree about who is of age.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from tohyo.app.auth.errors import NotEligibleVoter
from tohyo.app.auth.identity import VoterAttributes
from tohyo.app.domain.eligibility import ensure_eligible
from tohyo.app.domain.errors import NotEligible
from tohyo.record.manifest import Eligibility

__all__ = ["AddressDirectory", "AddressEntry", "TSUKUBA", "check_eligible"]


def _fold(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).split())


@dataclass(frozen=True, slots=True)
class AddressEntry:
    """``prefix`` (e.g. ``茨城県つくば市``) resolves to ``address_code`` and ``district``."""

    prefix: str
    address_code: str
    district: str = ""


@dataclass(frozen=True, slots=True)
class AddressDirectory:
    """Maps address text to a municipality code and district (§AUTH-ELIG-1)."""

    entries: tuple[AddressEntry, ...]

    def resolve(self, address: str) -> tuple[str, str]:
        """The code and district of the longest matching prefix, or ``("", "")``."""
        folded = _fold(address)
        best: AddressEntry | None = None
        for entry in self.entries:
            prefix = _fold(entry.prefix)
            if folded.startswith(prefix) and (
                best is None or len(prefix) > len(_fold(best.prefix))
            ):
                best = entry
        if best is None:
            return "", ""
        return best.address_code, best.district


#: Tsukuba city (Ibaraki), local-government code 08220 with check digit 1.
TSUKUBA = AddressDirectory((AddressEntry("茨城県つくば市", "082201"),))


def check_eligible(rules: Eligibility, attributes: VoterAttributes) -> None:
    """Apply the election's area and age rules to vouched attributes.

    Raises:
        NotEligibleVoter: ``auth.eligibility.outside_area``, ``.under_age`` or
            ``.missing_attribute`` (no birth date).
    """
    if attributes.birth_date is None:
        raise NotEligibleVoter(
            "auth.eligibility.missing_attribute",
            "Your sign-in did not provide the birth date this election needs.",
        )
    # An address the directory does not know is outside every area by definition.
    try:
        ensure_eligible(
            rules,
            birth_date=attributes.birth_date,
            address_code=attributes.address_code,
            district=attributes.district,
        )
    except NotEligible as exc:
        if exc.code == "under_age":
            raise NotEligibleVoter(
                "auth.eligibility.under_age",
                "You are not old enough to vote in this election.",
            ) from exc
        raise NotEligibleVoter(
            "auth.eligibility.outside_area",
            "Your registered address is outside the area of this election.",
        ) from exc
