"""The demo's stand-ins for J-LIS and the city's login (DEV ONLY, ``tohyo serve --demo``).

Before the service starts, :func:`start_demo_auth`:

* creates a test CA under ``<data dir>/testca`` (once) and serves its OCSP
  responder and CRL on loopback, on a free port, for the life of the process;
* issues one test card (``<data dir>/demo-card.p12``, PIN ``1234``) for the
  demo roll's voter ``D000002`` (デモ 投票者1, born 1980-04-02, in Tsukuba);
* starts the Authlib test OpenID provider on loopback with the demo roll's
  voter ``D000003`` (login hint ``demo-voter-2``) and someone from Mito (who
  is refused), and registers the service as its client (``private_key_jwt``,
  key in ``<data dir>/keys/oidc-client.jwk``);
* points the service at them through ``TOHYO_*`` variables, so the service
  itself never imports the test CA or the provider (docs/adr/0015). The
  provider is configured as *resident* (it vouches for the card's name and
  birth date, like the Digital Agency's app), so a card, the app and a letter
  are one voter in the demo election (docs/adr/0016).

Returns the lines to print: where the card is and how to use each method.
"""

from __future__ import annotations

import json
import os
from datetime import date
from pathlib import Path

from tohyo.app.settings import Settings

__all__ = ["CARD_PIN", "start_demo_auth"]

CARD_PIN = "1234"
DEMO_ELECTION = "demo-tsukuba-survey"
CARD_HOLDER = ("デモ 投票者1", "茨城県つくば市研究学園一丁目1番地1", date(1980, 4, 2))
APP_USER = ("demo-voter-2", "デモ 投票者2", "1980-04-03")

_KEEP: list[object] = []  # the loopback servers live as long as the process


def _client_key(path: Path) -> object:
    from joserfc.jwk import RSAKey

    from tohyo.app.store.keys import write_secret_file

    if not path.exists():
        key = RSAKey.generate_key(2048, parameters={"kid": "tohyo-demo"})
        write_secret_file(path, json.dumps(key.as_dict(private=True)).encode())
    return RSAKey.import_key(json.loads(path.read_text()))


def start_demo_auth(settings: Settings, *, origin: str) -> list[str]:
    """Start the test CA's responder and the test provider; configure the service (above)."""
    from joserfc.jwk import KeySet

    from tohyo.app.auth.jpki_profile import CardHolder
    from tohyo.testca import RevocationServer, TestCA
    from tohyo.testidp import ProviderServer, RegisteredClient, TestUser

    data = settings.data_dir
    data.mkdir(parents=True, exist_ok=True)
    ca_dir = data / "testca"
    ca = TestCA.load(ca_dir) if (ca_dir / "index.json").exists() else TestCA.create(ca_dir)
    responder = RevocationServer(ca_dir).start()
    card_path = data / "demo-card.p12"
    if not card_path.exists():
        name, address, born = CARD_HOLDER
        card = ca.issue_card(CardHolder(name, address, born, "3"), password=CARD_PIN.encode())
        card_path.write_bytes(card.pkcs12)
        card_path.chmod(0o600)

    provider = ProviderServer().start()
    user_id, user_name, user_born = APP_USER
    provider.provider.add_user(
        TestUser(user_id, user_name, user_born, "茨城県", "つくば市", "研究学園2")
    )
    provider.provider.add_user(TestUser("mito", "水戸 一郎", "1985-05-05", "茨城県", "水戸市"))
    key_path = settings.keys_dir / "oidc-client.jwk"
    key = _client_key(key_path)
    provider.provider.register_client(
        RegisteredClient(
            "tohyo-demo",
            (origin + "/auth/oidc/callback",),
            KeySet([key]).as_dict(private=False),  # type: ignore[list-item]
        )
    )
    _KEEP.extend([responder, provider])
    os.environ.update(
        {
            "TOHYO_PUBLIC_ORIGIN": origin,
            "TOHYO_JPKI_ROOT": str(ca_dir / "root.crt.pem"),
            "TOHYO_JPKI_OCSP_URL": responder.url + "/ocsp",
            "TOHYO_JPKI_CRL_URL": responder.url + "/crl",
            "TOHYO_OIDC_ISSUER": provider.issuer,
            "TOHYO_OIDC_CLIENT_ID": "tohyo-demo",
            "TOHYO_OIDC_CLIENT_KEY": str(key_path),
            "TOHYO_OIDC_IDENTITY": "resident",
        }
    )
    election = f"{origin}/ja/elections/{DEMO_ELECTION}"
    return [
        f"test card (PIN {CARD_PIN}): {card_path}  [test CA {ca_dir}, OCSP/CRL {responder.url}]",
        f"  sign in with the card:  {election}/sign-in/card",
        f"    then sign the challenge: tohyo card sign --card {card_path} "
        f"--election {DEMO_ELECTION} --challenge <challenge>",
        f"  or vote in one step:    tohyo card vote --card {card_path} --election "
        f"{DEMO_ELECTION} --server {origin} --choice mobility=tsukumobi",
        f"test OpenID provider: {provider.issuer}",
        f"  sign in with the app:   {election}/sign-in/oidc?login_hint={user_id}",
        f"one-time codes: {data / 'demo-codes.txt'}  ->  {election}/",
    ]
