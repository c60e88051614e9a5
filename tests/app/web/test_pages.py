"""The voter pages over HTTP: languages, security headers, CSP nonces and SRI,
escaping, the published bundle hashes, election images (docs/spec/booth.md)."""

from __future__ import annotations

import base64
import hashlib
import json
import re
from typing import Any

import pytest

from tohyo.app.auth.authority import DevApproval
from tohyo.app.services.demo import DEMO_ID
from tohyo.app.services.elections import create_election
from tohyo.app.services.runtime import Runtime
from tohyo.app.web.routes.voter import STATIC_DIR

PAGES = [
    "/{lang}/",
    *(f"/{{lang}}/elections/{DEMO_ID}/{p}" for p in ("", "ballot", "review", "receipt", "check")),
]
LANGS = {"ja": "ja", "en": "en", "easy": "ja-x-easy"}


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("path", PAGES)
def test_every_page_in_every_language(client: Any, lang: str, path: str) -> None:
    response = client.get(path.format(lang=lang))
    assert response.status_code == 200
    html = response.text
    assert f'<html lang="{LANGS[lang]}"' in html
    for tag in LANGS.values():  # the language switch
        assert f'hreflang="{tag}"' in html
    assert "<noscript>" in html  # the no-JavaScript message


def test_root_redirects_to_japanese_first(client: Any) -> None:
    assert client.get("/", follow_redirects=False).headers["location"] == "/ja/"
    english = client.get("/", headers={"accept-language": "en-GB,en;q=0.9"}, follow_redirects=False)
    assert english.headers["location"] == "/en/"


def test_unknown_language_or_election_is_a_page_404(client: Any) -> None:
    for path in (
        "/xx/",
        f"/fr/elections/{DEMO_ID}/ballot",
        "/en/elections/nope/ballot",
        "/en/elections/Bad!/",
    ):
        response = client.get(path)
        assert response.status_code == 404
        assert response.headers["content-type"].startswith("text/html")


def test_security_headers_and_nonces(client: Any) -> None:
    first = client.get(f"/ja/elections/{DEMO_ID}/ballot")
    second = client.get(f"/ja/elections/{DEMO_ID}/ballot")
    csp = first.headers["content-security-policy"]
    nonce = re.search(r"'nonce-([A-Za-z0-9_-]+)'", csp)
    assert nonce is not None
    assert nonce.group(1) != re.search(
        r"'nonce-([A-Za-z0-9_-]+)'", second.headers["content-security-policy"]
    ).group(1)  # type: ignore[union-attr]
    for directive in (
        "default-src 'none'",
        "'strict-dynamic'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
        "object-src 'none'",
        "form-action 'self'",
        "connect-src 'self'",
        "require-trusted-types-for 'script'",
    ):
        assert directive in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert first.headers["referrer-policy"] == "no-referrer"
    assert first.headers["x-content-type-options"] == "nosniff"
    assert first.headers["x-frame-options"] == "DENY"
    assert first.headers["cache-control"] == "no-store"
    assert "set-cookie" not in first.headers
    # Every script in the page carries this response's nonce; external ones an SRI hash.
    scripts = re.findall(r"<script\b([^>]*)>", first.text)
    executable = [s for s in scripts if "application/json" not in s]
    assert executable and all(f'nonce="{nonce.group(1)}"' in s for s in executable)
    external = [s for s in executable if "src=" in s]
    assert external and all('integrity="sha384-' in s for s in external)
    # The JSON API carries the same headers.
    api = client.get("/api/v1/elections")
    assert "frame-ancestors 'none'" in api.headers["content-security-policy"]


def test_served_bundle_matches_integrity_and_published_hash(client: Any) -> None:
    html = client.get("/en/").text
    src, integrity = re.search(
        r'<script type="module" src="([^"]+)" integrity="([^"]+)"', html
    ).groups()  # type: ignore[union-attr]
    body = client.get(src)
    assert body.status_code == 200
    assert body.headers["content-type"].startswith(("text/javascript", "application/javascript"))
    assert integrity == "sha384-" + base64.b64encode(hashlib.sha384(body.content).digest()).decode()
    published = client.get("/api/v1/booth").json()["files"]
    assert published["/static/booth/dist/booth.js"] == hashlib.sha256(body.content).hexdigest()
    assert hashlib.sha256((STATIC_DIR / "booth/dist/booth.js").read_bytes()).hexdigest() in html
    # No third-party resource anywhere in the page.
    assert not re.search(r'(src|href)="(https?:)?//', html)


def _xss_manifest(runtime: Runtime) -> bytes:
    from tohyo.app.services.demo import demo_manifest

    manifest = json.loads(demo_manifest(runtime, "xss-test"))
    manifest["title"]["ja"] = '<img src=x onerror="alert(1)">投票'
    manifest["questions"][0]["options"][0]["label"]["ja"] = "</script><script>alert(2)</script>"
    manifest["description"] = {"ja": '<b>太字ではない</b> & "引用"'}
    return json.dumps(manifest, ensure_ascii=False).encode()


def test_election_texts_are_rendered_as_text(client: Any, runtime: Runtime) -> None:
    create_election(runtime, _xss_manifest(runtime), actor="test")
    from tohyo.app.services.devkeys import install_dev_key
    from tohyo.app.services.elections import open_election

    install_dev_key(runtime, "xss-test", actor="test")
    open_election(runtime, "xss-test", approval=DevApproval("test"))
    for page in ("", "ballot", "review"):
        html = client.get(f"/ja/elections/xss-test/{page}").text
        assert "<img src=x" not in html and "<script>alert" not in html
        assert "&lt;img src=x onerror=&#34;alert(1)&#34;&gt;" in html
        if page:
            assert "&lt;/script&gt;&lt;script&gt;alert(2)" in html
        # Inside the JSON block "</script>" cannot close the element either.
        for block in re.findall(r'<script type="application/json"[^>]*>(.*?)</script>', html, re.S):
            json.loads(block)


def test_election_images_only_as_listed_and_hashed(client: Any, runtime: Runtime) -> None:
    from tohyo.app.services.demo import demo_manifest

    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
    manifest = json.loads(demo_manifest(runtime, "photo-test"))
    manifest["questions"] = [
        {
            "id": "photo",
            "kind": "image_choice",
            "title": {"ja": "写真"},
            "options": [
                {
                    "id": "a",
                    "label": {"ja": "A"},
                    "image": "images/a.png",
                    "alt": {"ja": "山"},
                    "image_sha256": hashlib.sha256(png).hexdigest(),
                },
                {
                    "id": "b",
                    "label": {"ja": "B"},
                    "image": "images/b.png",
                    "alt": {"ja": "池"},
                    "image_sha256": "0" * 64,
                },
            ],
        }
    ]
    create_election(runtime, json.dumps(manifest).encode(), actor="test")
    folder = runtime.settings.data_dir / "assets" / "photo-test" / "images"
    folder.mkdir(parents=True)
    (folder / "a.png").write_bytes(png)
    (folder / "b.png").write_bytes(png)
    (folder / "secret.png").write_bytes(png)
    good = client.get("/assets/photo-test/images/a.png")
    assert good.status_code == 200 and good.content == png
    assert good.headers["content-type"] == "image/png"
    assert client.get("/assets/photo-test/images/b.png").status_code == 404  # hash mismatch
    assert client.get("/assets/photo-test/images/secret.png").status_code == 404  # not listed
    assert client.get("/assets/photo-test/../keys/log-signing.key").status_code == 404


def test_candidates_ballot_shows_numbers_kana_parties_and_withdrawals(
    client: Any, runtime: Runtime
) -> None:
    from tohyo.app.services.demo import demo_manifest
    from tohyo.app.services.devkeys import install_dev_key
    from tohyo.app.services.elections import open_election, withdraw_candidate

    manifest = json.loads(demo_manifest(runtime, "mayor-test"))
    manifest["questions"] = [
        {
            "id": "mayor",
            "kind": "candidates",
            "title": {"ja": "市長選挙", "en": "Mayor"},
            "candidates": [
                {
                    "id": "c1",
                    "number": 1,
                    "name": {"ja": "山田 太郎", "en": "Taro Yamada"},
                    "kana": "やまだ たろう",
                    "party": None,
                },
                {
                    "id": "c2",
                    "number": 2,
                    "name": {"ja": "川村 花", "en": "Hana Kawamura"},
                    "kana": "かわむら はな",
                    "party": {"ja": "みどりの会", "en": "Green Group"},
                },
            ],
        }
    ]
    create_election(runtime, json.dumps(manifest, ensure_ascii=False).encode(), actor="test")
    install_dev_key(runtime, "mayor-test", actor="test")
    open_election(runtime, "mayor-test", approval=DevApproval("test"))
    withdraw_candidate(runtime, "mayor-test", "c2", "withdrew", actor="test")
    html = client.get("/ja/elections/mayor-test/ballot").text
    assert "<ruby>山田 太郎<rp>（</rp><rt>やまだ たろう</rt><rp>）</rp></ruby>" in html
    assert "無所属" in html and "みどりの会" in html
    assert html.count("辞退：この候補者への投票は無効になります。") == 1
    assert 'data-speech="1. やまだ たろう. 無所属"' in html  # read aloud by the kana reading
    assert 'type="radio"' in html and 'value="#blank"' in html
    english = client.get("/en/elections/mayor-test/ballot").text
    assert "Taro Yamada" in english and '<span lang="ja">(<ruby>山田 太郎' in english
