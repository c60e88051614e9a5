"""JPKI sign-in: every refusal one by one, against a real CA and OCSP responder."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from tohyo.app.auth.errors import AuthError
from tohyo.app.auth.identity import AuthMethodName
from tohyo.app.auth.jpki import JpkiAuthenticator
from tohyo.app.auth.jpki_profile import holder_to_san
from tohyo.app.auth.revocation import RevocationChecker, RevocationSources
from tohyo.record.manifest import Eligibility
from tohyo.testca import IssuedCard, RevocationServer, TestCA, sign_challenge, sign_message

from .conftest import ELECTION, PIN, TARO, Cards


def _sign_in(
    jpki: JpkiAuthenticator, card: IssuedCard, rules: Eligibility, *, election: str = ELECTION
):
    challenge = jpki.begin(election)
    signed = sign_challenge(card.pkcs12, PIN, election, challenge.text)
    return jpki.authenticate(
        election_id=ELECTION,
        rules=rules,
        challenge=challenge.text,
        certificate=signed.certificate,
        signature=signed.signature,
    )


def _code(excinfo: pytest.ExceptionInfo[AuthError]) -> str:
    return excinfo.value.code


def test_rsa_card_signs_in(jpki, cards: Cards, rules) -> None:
    voter = _sign_in(jpki, cards.rsa, rules)
    assert voter.method is AuthMethodName.JPKI
    assert voter.attributes.address_code == "082201"
    assert voter.attributes.birth_date == TARO.birth_date
    assert len(voter.identity_key) == 32


def test_p384_card_signs_in_with_the_same_identity(jpki, cards: Cards, rules) -> None:
    assert (
        _sign_in(jpki, cards.p384, rules).identity_key
        == _sign_in(jpki, cards.rsa, rules).identity_key
    )


def test_identity_is_stable_across_a_reissued_card_after_a_move(jpki, cards: Cards, rules) -> None:
    old, new = _sign_in(jpki, cards.rsa, rules), _sign_in(jpki, cards.reissued, rules)
    assert cards.rsa.serial != cards.reissued.serial
    assert old.identity_key == new.identity_key


@pytest.mark.parametrize(
    ("card", "code"),
    [
        ("expired", "auth.cert.expired"),
        ("not_yet_valid", "auth.cert.not_yet_valid"),
        ("revoked", "auth.cert.revoked"),
        ("wrong_usage", "auth.cert.wrong_usage"),
        ("foreign", "auth.cert.untrusted"),
        ("outside", "auth.eligibility.outside_area"),
        ("minor", "auth.eligibility.under_age"),
    ],
)
def test_card_refusals(jpki, cards: Cards, rules, card: str, code: str) -> None:
    with pytest.raises(AuthError) as excinfo:
        _sign_in(jpki, getattr(cards, card), rules)
    assert _code(excinfo) == code


def _with_sources(
    jpki: JpkiAuthenticator, ca: TestCA, sources: RevocationSources
) -> JpkiAuthenticator:
    return JpkiAuthenticator(
        root=ca.root_cert,
        revocation=RevocationChecker(ca.root_cert, sources),
        challenges=jpki.challenges,
        keyer=jpki.keyer,
        directory=jpki.directory,
    )


def test_revoked_via_crl_when_ocsp_is_down(jpki, ca, ocsp_server: RevocationServer, cards, rules):
    dead = "http://127.0.0.1:9/ocsp"  # discard port: connection refused
    fallback = _with_sources(
        jpki, ca, RevocationSources(ocsp_url=dead, crl_url=ocsp_server.url + "/crl")
    )
    assert _sign_in(fallback, cards.rsa, rules).method is AuthMethodName.JPKI
    with pytest.raises(AuthError) as excinfo:
        _sign_in(fallback, cards.revoked, rules)
    assert _code(excinfo) == "auth.cert.revoked"


def test_crl_only_and_ocsp_only(jpki, ca, ocsp_server: RevocationServer, cards, rules) -> None:
    for sources in (
        RevocationSources(crl_url=ocsp_server.url + "/crl"),
        RevocationSources(ocsp_url=ocsp_server.url + "/ocsp"),
    ):
        checker = _with_sources(jpki, ca, sources)
        with pytest.raises(AuthError) as excinfo:
            _sign_in(checker, cards.revoked, rules)
        assert _code(excinfo) == "auth.cert.revoked"


def test_revocation_unavailable_fails_closed(jpki, ca, cards, rules) -> None:
    dead = _with_sources(
        jpki, ca, RevocationSources(ocsp_url="http://127.0.0.1:9/o", crl_url="http://127.0.0.1:9/c")
    )
    with pytest.raises(AuthError) as excinfo:
        _sign_in(dead, cards.rsa, rules)
    assert _code(excinfo) == "auth.revocation.unavailable"


def test_responses_from_another_ca_are_not_trusted(jpki, ca, cards, rules, tmp_path) -> None:
    impostor = TestCA.create(tmp_path / "impostor")
    server = RevocationServer(impostor.directory).start()
    try:
        # The impostor's responder does not know our cards, and its CRL is signed by
        # the wrong root: both sources are unusable and the check fails closed.
        checker = _with_sources(
            jpki, ca, RevocationSources(ocsp_url=server.url + "/ocsp", crl_url=server.url + "/crl")
        )
        with pytest.raises(AuthError) as excinfo:
            _sign_in(checker, cards.rsa, rules)
        assert _code(excinfo) == "auth.revocation.unavailable"
    finally:
        server.close()


def _attempt(jpki: JpkiAuthenticator, rules, certificate: bytes, signature: bytes = b"x" * 256):
    challenge = jpki.begin(ELECTION)
    return jpki.authenticate(
        election_id=ELECTION,
        rules=rules,
        challenge=challenge.text,
        certificate=certificate,
        signature=signature,
    )


@pytest.mark.parametrize(
    "garbage",
    [
        b"",
        b"\x30\x82\x01",
        b"not a certificate",
        b"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
        b"\x00" * 20000,
    ],
)
def test_malformed_certificates(jpki, rules, garbage: bytes) -> None:
    with pytest.raises(AuthError) as excinfo:
        _attempt(jpki, rules, garbage)
    assert _code(excinfo) == "auth.cert.malformed"


def test_truncated_certificate(jpki, cards: Cards, rules) -> None:
    der = cards.rsa.certificate.public_bytes(serialization.Encoding.DER)
    with pytest.raises(AuthError) as excinfo:
        _attempt(jpki, rules, der[: len(der) // 2])
    assert _code(excinfo) == "auth.cert.malformed"


def test_pem_certificate_is_accepted(jpki, cards: Cards, rules) -> None:
    challenge = jpki.begin(ELECTION)
    signed = sign_challenge(cards.rsa.pkcs12, PIN, ELECTION, challenge.text)
    pem = x509.load_der_x509_certificate(signed.certificate).public_bytes(
        serialization.Encoding.PEM
    )
    voter = jpki.authenticate(
        election_id=ELECTION,
        rules=rules,
        challenge=challenge.text,
        certificate=pem,
        signature=signed.signature,
    )
    assert voter.attributes.address_code == "082201"


def test_self_signed_certificate(jpki, rules) -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "me")])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(holder_to_san(TARO), critical=False)
        .sign(key, hashes.SHA256())
    )
    with pytest.raises(AuthError) as excinfo:
        _attempt(jpki, rules, cert.public_bytes(serialization.Encoding.DER))
    assert _code(excinfo) == "auth.cert.self_signed"


def test_wrong_signature(jpki, cards: Cards, rules) -> None:
    challenge = jpki.begin(ELECTION)
    other = jpki.begin(ELECTION)
    signed = sign_challenge(cards.rsa.pkcs12, PIN, ELECTION, other.text)  # signs the other one
    with pytest.raises(AuthError) as excinfo:
        jpki.authenticate(
            election_id=ELECTION,
            rules=rules,
            challenge=challenge.text,
            certificate=signed.certificate,
            signature=signed.signature,
        )
    assert _code(excinfo) == "auth.signature.invalid"


def test_signature_by_another_card(jpki, cards: Cards, rules) -> None:
    challenge = jpki.begin(ELECTION)
    mine = sign_challenge(cards.rsa.pkcs12, PIN, ELECTION, challenge.text)
    theirs = sign_challenge(cards.outside.pkcs12, PIN, ELECTION, challenge.text)
    with pytest.raises(AuthError) as excinfo:
        jpki.authenticate(
            election_id=ELECTION,
            rules=rules,
            challenge=challenge.text,
            certificate=mine.certificate,
            signature=theirs.signature,
        )
    assert _code(excinfo) == "auth.signature.invalid"


def test_bare_challenge_signature_is_refused(jpki, cards: Cards, rules) -> None:
    # A signature over the raw challenge (no Tohyo framing) must not verify.
    challenge = jpki.begin(ELECTION)
    raw = base64.urlsafe_b64decode(challenge.text + "=")
    signed = sign_message(cards.rsa.pkcs12, PIN, raw)
    with pytest.raises(AuthError) as excinfo:
        jpki.authenticate(
            election_id=ELECTION,
            rules=rules,
            challenge=challenge.text,
            certificate=signed.certificate,
            signature=signed.signature,
        )
    assert _code(excinfo) == "auth.signature.invalid"


def test_reused_challenge(jpki, cards: Cards, rules) -> None:
    challenge = jpki.begin(ELECTION)
    signed = sign_challenge(cards.rsa.pkcs12, PIN, ELECTION, challenge.text)
    kwargs = dict(
        election_id=ELECTION,
        rules=rules,
        challenge=challenge.text,
        certificate=signed.certificate,
        signature=signed.signature,
    )
    jpki.authenticate(**kwargs)
    with pytest.raises(AuthError) as excinfo:
        jpki.authenticate(**kwargs)
    assert _code(excinfo) == "auth.challenge.used"


def test_expired_challenge(jpki, cards: Cards, rules) -> None:
    challenge = jpki.begin(ELECTION, now=datetime.now(UTC) - timedelta(minutes=3))
    signed = sign_challenge(cards.rsa.pkcs12, PIN, ELECTION, challenge.text)
    with pytest.raises(AuthError) as excinfo:
        jpki.authenticate(
            election_id=ELECTION,
            rules=rules,
            challenge=challenge.text,
            certificate=signed.certificate,
            signature=signed.signature,
        )
    assert _code(excinfo) == "auth.challenge.expired"


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("A" * 43, "auth.challenge.unknown"),
        ("!!", "auth.challenge.malformed"),
        ("", "auth.challenge.malformed"),
    ],
)
def test_unknown_or_malformed_challenge(jpki, cards: Cards, rules, text: str, code: str) -> None:
    with pytest.raises(AuthError) as excinfo:
        jpki.authenticate(
            election_id=ELECTION,
            rules=rules,
            challenge=text,
            certificate=b"",
            signature=b"",
        )
    assert _code(excinfo) == code


def test_challenge_for_another_election(jpki, cards: Cards, rules) -> None:
    challenge = jpki.begin("another-election")
    signed = sign_challenge(cards.rsa.pkcs12, PIN, ELECTION, challenge.text)
    with pytest.raises(AuthError) as excinfo:
        jpki.authenticate(
            election_id=ELECTION,
            rules=rules,
            challenge=challenge.text,
            certificate=signed.certificate,
            signature=signed.signature,
        )
    assert _code(excinfo) == "auth.challenge.wrong_election"
