"""Shared fixtures: a real test CA with its OCSP/CRL server on loopback, real cards."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine

from tohyo.app.auth import tables
from tohyo.app.auth.challenges import ChallengeStore
from tohyo.app.auth.eligibility import TSUKUBA
from tohyo.app.auth.identity import IdentityKeyer
from tohyo.app.auth.jpki import JpkiAuthenticator
from tohyo.app.auth.jpki_profile import CardHolder
from tohyo.app.auth.revocation import RevocationChecker, RevocationSources
from tohyo.record.manifest import Eligibility
from tohyo.testca import CardAlgorithm, IssuedCard, KeyUse, RevocationServer, TestCA

PIN = b"123456"
ELECTION = "tsukuba-2028-mayor"
TARO = CardHolder("筑波 太郎", "茨城県つくば市研究学園一丁目1番地1", date(1990, 4, 1), "1")


@dataclass(frozen=True)
class Cards:
    rsa: IssuedCard
    p384: IssuedCard
    reissued: IssuedCard  # Taro's new card after a move within the city
    expired: IssuedCard
    not_yet_valid: IssuedCard
    revoked: IssuedCard
    wrong_usage: IssuedCard
    outside: IssuedCard  # lives in another city
    minor: IssuedCard
    foreign: IssuedCard  # issued by another CA


@pytest.fixture(scope="session")
def ca(tmp_path_factory: pytest.TempPathFactory) -> TestCA:
    return TestCA.create(tmp_path_factory.mktemp("ca"))


@pytest.fixture(scope="session")
def ocsp_server(ca: TestCA) -> Iterator[RevocationServer]:
    server = RevocationServer(ca.directory).start()
    yield server
    server.close()


@pytest.fixture(scope="session")
def cards(ca: TestCA, tmp_path_factory: pytest.TempPathFactory) -> Cards:
    now = datetime.now(UTC)
    other = TestCA.create(tmp_path_factory.mktemp("foreign"))
    moved = CardHolder(TARO.name, "茨城県つくば市天王台一丁目1番地1", TARO.birth_date, "1")
    revoked = ca.issue_card(TARO, password=PIN)
    ca.revoke(revoked.serial, reason="affiliation_changed")
    return Cards(
        rsa=ca.issue_card(TARO, password=PIN),
        p384=ca.issue_card(TARO, password=PIN, algorithm=CardAlgorithm.P384),
        reissued=ca.issue_card(moved, password=PIN),
        expired=ca.issue_card(
            TARO,
            password=PIN,
            not_before=now - timedelta(days=400),
            not_after=now - timedelta(days=1),
        ),
        not_yet_valid=ca.issue_card(
            TARO,
            password=PIN,
            not_before=now + timedelta(days=1),
            not_after=now + timedelta(days=9),
        ),
        revoked=revoked,
        wrong_usage=ca.issue_card(TARO, password=PIN, key_use=KeyUse.ENCIPHER),
        outside=ca.issue_card(
            CardHolder("水戸 花子", "茨城県水戸市三の丸1丁目", date(1980, 1, 1), "2"), password=PIN
        ),
        minor=ca.issue_card(
            CardHolder(
                "筑波 次郎", "茨城県つくば市研究学園1", date.today() - timedelta(days=365 * 10), "1"
            ),
            password=PIN,
        ),
        foreign=other.issue_card(TARO, password=PIN),
    )


@pytest.fixture
def rules() -> Eligibility:
    return Eligibility(
        minimum_age=18, election_day=date.today() + timedelta(days=30), areas=("082201",)
    )


@pytest.fixture
def engine(tmp_path: Path) -> Engine:
    eng = create_engine(f"sqlite:///{tmp_path / 'auth.sqlite3'}")
    tables.create_all(eng)
    return eng


@pytest.fixture
def keyer() -> IdentityKeyer:
    return IdentityKeyer(b"k" * 32)


@pytest.fixture
def jpki(
    ca: TestCA, ocsp_server: RevocationServer, engine: Engine, keyer: IdentityKeyer
) -> JpkiAuthenticator:
    sources = RevocationSources(
        ocsp_url=ocsp_server.url + "/ocsp", crl_url=ocsp_server.url + "/crl"
    )
    return JpkiAuthenticator(
        root=ca.root_cert,
        revocation=RevocationChecker(ca.root_cert, sources),
        challenges=ChallengeStore(engine),
        keyer=keyer,
        directory=TSUKUBA,
    )


# -- the real HTTP path: the service's app with the test CA and the test provider --------

REDIRECT_HOST = "https://testserver"


@pytest.fixture(scope="session")
def idp():
    from tohyo.testidp import ProviderServer, TestUser

    server = ProviderServer().start()
    for user in (
        TestUser("taro", TARO.name, TARO.birth_date.isoformat(), "茨城県", "つくば市", "研究学園1"),
        TestUser("hanako", "筑波 花子", "1985-05-05", "茨城県", "つくば市", "天王台1"),
        TestUser("mito", "水戸 一郎", "1985-05-05", "茨城県", "水戸市"),
        TestUser("kid", "筑波 三郎", "2020-01-01", "茨城県", "つくば市"),
    ):
        server.provider.add_user(user)
    yield server
    server.close()


@pytest.fixture(scope="session")
def rp_key():
    from joserfc.jwk import RSAKey

    return RSAKey.generate_key(2048, parameters={"kid": "tohyo-rp"})


def auth_config(ca: TestCA, ocsp_server: RevocationServer, idp, rp_key, tmp: Path, **kw):
    import json

    from joserfc.jwk import KeySet

    from tohyo.app.auth.config import AuthConfig
    from tohyo.testidp import RegisteredClient

    key_file = tmp / "rp-key.json"
    key_file.write_text(json.dumps(rp_key.as_dict(private=True)))
    key_file.chmod(0o600)
    public = KeySet([rp_key]).as_dict(private=False)
    idp.provider.register_client(
        RegisteredClient("tohyo", (REDIRECT_HOST + "/auth/oidc/callback",), public)
    )
    settings = {
        "public_origin": REDIRECT_HOST,
        "jpki_root": ca.directory / "root.crt.pem",
        "jpki_ocsp_url": ocsp_server.url + "/ocsp",
        "jpki_crl_url": ocsp_server.url + "/crl",
        "oidc_issuer": idp.issuer,
        "oidc_client_id": "tohyo",
        "oidc_client_key": key_file,
    }
    settings.update(kw)
    return AuthConfig(**settings)


def make_client(runtime, config):
    """The service's app on ``runtime``, configured with ``config``, over https://testserver."""
    import warnings

    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*starlette.testclient")
        from fastapi.testclient import TestClient

    from tohyo.app.main import create_app

    runtime.cache["auth.config"] = config
    app = create_app(runtime.settings, runtime=runtime)
    return TestClient(app, base_url=REDIRECT_HOST)


@pytest.fixture
def http(runtime, ca, ocsp_server, idp, rp_key, tmp_path):
    config = auth_config(ca, ocsp_server, idp, rp_key, tmp_path)
    with make_client(runtime, config) as client:
        yield client
