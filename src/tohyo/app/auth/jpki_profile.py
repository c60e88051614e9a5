"""The JPKI signature-certificate profile (docs/spec/authentication.md §AUTH-JPKI-2).

The My Number Card's signature certificate (署名用電子証明書) carries the
holder's "basic four items" (基本4情報) in ``subjectAltName`` as ``otherName``
entries under the J-LIS arc ``1.2.392.200149.8.5.5``, each an ``[0] EXPLICIT``
UTF8String:

=====  ============================  ===========================================
arc    item                          value
=====  ============================  ===========================================
.1     name (氏名)                    UTF-8 text
.2     name substitute characters    UTF-8 text (may be empty)
.3     sex (性別)                     ``1`` male, ``2`` female, ``3`` not stated
.4     date of birth (生年月日)        ``EYYYYMMDD``: era digit + Gregorian date
.5     address (住所)                 UTF-8 text
.6     address substitute chars      UTF-8 text (may be empty)
=====  ============================  ===========================================

Era digits: 1 Meiji, 2 Taisho, 3 Showa, 4 Heisei, 5 Reiwa; the era must match
the Gregorian date. This module is shared by the server (which parses) and the
test CA (which encodes), so both follow one definition.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from cryptography import x509
from cryptography.x509.oid import ObjectIdentifier

__all__ = [
    "JPKI_ARC",
    "OID_ADDRESS",
    "OID_ADDRESS_SUBSTITUTE",
    "OID_BIRTH_DATE",
    "OID_NAME",
    "OID_NAME_SUBSTITUTE",
    "OID_SEX",
    "OID_SIGN_POLICY",
    "CardHolder",
    "ProfileError",
    "decode_birth_date",
    "encode_birth_date",
    "holder_from_certificate",
    "holder_to_san",
]

JPKI_ARC = "1.2.392.200149.8.5.5"
OID_NAME = ObjectIdentifier(JPKI_ARC + ".1")
OID_NAME_SUBSTITUTE = ObjectIdentifier(JPKI_ARC + ".2")
OID_SEX = ObjectIdentifier(JPKI_ARC + ".3")
OID_BIRTH_DATE = ObjectIdentifier(JPKI_ARC + ".4")
OID_ADDRESS = ObjectIdentifier(JPKI_ARC + ".5")
OID_ADDRESS_SUBSTITUTE = ObjectIdentifier(JPKI_ARC + ".6")
#: Certificate policy of the signature certificate as seen in public tooling.
OID_SIGN_POLICY = ObjectIdentifier("1.2.392.200149.8.5.1.1.20")

# Era start dates (the first day of each era), in era-digit order.
_ERAS: tuple[tuple[str, date], ...] = (
    ("1", date(1868, 10, 23)),  # Meiji
    ("2", date(1912, 7, 30)),  # Taisho
    ("3", date(1926, 12, 25)),  # Showa
    ("4", date(1989, 1, 8)),  # Heisei
    ("5", date(2019, 5, 1)),  # Reiwa
)
_SEXES = frozenset({"1", "2", "3"})
_MAX_TEXT = 512  # characters; real names and addresses are far shorter


class ProfileError(ValueError):
    """The certificate does not follow the profile; ``reason`` says which item."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class CardHolder:
    """The basic four items of a signature certificate (§AUTH-JPKI-2)."""

    name: str
    address: str
    birth_date: date
    sex: str  #: ``"1"``, ``"2"`` or ``"3"``
    name_substitute: str = ""
    address_substitute: str = ""


def encode_birth_date(day: date) -> str:
    """``EYYYYMMDD`` with the era digit of ``day``.

    Raises:
        ProfileError: the date is before the Meiji era.
    """
    era = ""
    for digit, start in _ERAS:
        if day >= start:
            era = digit
    if not era:
        raise ProfileError("birth date before the Meiji era")
    return f"{era}{day:%Y%m%d}"


def decode_birth_date(text: str) -> date:
    """Parse ``EYYYYMMDD`` and check the era digit against the date.

    Raises:
        ProfileError: wrong length, non-digits, an impossible date or a wrong era.
    """
    if len(text) != 9 or not text.isascii() or not text.isdigit():
        raise ProfileError("birth date is not EYYYYMMDD")
    try:
        day = date(int(text[1:5]), int(text[5:7]), int(text[7:9]))
    except ValueError as exc:
        raise ProfileError("birth date is not a calendar date") from exc
    if encode_birth_date(day) != text:
        raise ProfileError("birth date era does not match the date")
    return day


def _der_length(n: int) -> bytes:
    if n < 0x80:
        return bytes([n])
    body = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(body)]) + body


def _utf8_tlv(text: str) -> bytes:
    body = text.encode("utf-8")
    return b"\x0c" + _der_length(len(body)) + body


def _parse_utf8_tlv(der: bytes) -> str:
    """Strict DER UTF8String: tag 12, minimal definite length, nothing after."""
    if len(der) < 2 or der[0] != 0x0C:
        raise ProfileError("otherName value is not a UTF8String")
    first = der[1]
    if first < 0x80:
        length, start = first, 2
    else:
        count = first & 0x7F
        if count == 0 or count > 2 or len(der) < 2 + count:
            raise ProfileError("otherName value has a bad length")
        length = int.from_bytes(der[2 : 2 + count], "big")
        start = 2 + count
        if length < 0x80 or _der_length(length) != der[1:start]:
            raise ProfileError("otherName value length is not minimal DER")
    if len(der) != start + length:
        raise ProfileError("otherName value length does not match")
    try:
        text = der[start:].decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ProfileError("otherName value is not UTF-8") from exc
    if len(text) > _MAX_TEXT:
        raise ProfileError("otherName value is too long")
    return text


def holder_to_san(holder: CardHolder) -> x509.SubjectAlternativeName:
    """The ``subjectAltName`` extension value for ``holder`` (used by the test CA)."""
    items = (
        (OID_NAME, holder.name),
        (OID_NAME_SUBSTITUTE, holder.name_substitute),
        (OID_SEX, holder.sex),
        (OID_BIRTH_DATE, encode_birth_date(holder.birth_date)),
        (OID_ADDRESS, holder.address),
        (OID_ADDRESS_SUBSTITUTE, holder.address_substitute),
    )
    return x509.SubjectAlternativeName(
        [x509.OtherName(oid, _utf8_tlv(value)) for oid, value in items]
    )


def holder_from_certificate(cert: x509.Certificate) -> CardHolder:
    """Read the basic four items; every required item exactly once.

    Raises:
        ProfileError: no subjectAltName, a missing or repeated item, a bad value.
    """
    try:
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound as exc:
        raise ProfileError("no subjectAltName with the basic four items") from exc
    except (ValueError, x509.DuplicateExtension, x509.UnsupportedGeneralNameType) as exc:
        # duplicate or undecodable extensions (the first two are no ValueError: fuzzed)
        raise ProfileError("undecodable extensions") from exc
    found: dict[str, str] = {}
    for other in san.get_values_for_type(x509.OtherName):
        if not other.type_id.dotted_string.startswith(JPKI_ARC + "."):
            continue
        key = other.type_id.dotted_string
        if key in found:
            raise ProfileError("a basic item appears twice")
        found[key] = _parse_utf8_tlv(other.value)

    def need(oid: ObjectIdentifier) -> str:
        value = found.get(oid.dotted_string)
        if value is None or not value.strip():
            raise ProfileError("a basic item is missing")
        return value

    sex = need(OID_SEX)
    if sex not in _SEXES:
        raise ProfileError("sex is not 1, 2 or 3")
    return CardHolder(
        name=need(OID_NAME),
        address=need(OID_ADDRESS),
        birth_date=decode_birth_date(need(OID_BIRTH_DATE)),
        sex=sex,
        name_substitute=found.get(OID_NAME_SUBSTITUTE.dotted_string, ""),
        address_substitute=found.get(OID_ADDRESS_SUBSTITUTE.dotted_string, ""),
    )
