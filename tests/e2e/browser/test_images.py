"""Election images are checked in the browser against the manifest (booth.md §BO-4.5).

The server refuses to serve an image whose hash differs from the manifest's
``image_sha256``; the booth checks it again in the browser, so an image
altered on the way (a proxy, a cache) is not shown and cannot be chosen.
"""

from __future__ import annotations

import hashlib
from typing import Any

from booth_harness import PHOTOS, BoothServer, _png, all_kinds_manifest
from flows import sign_in

from tohyo.app.web import i18n

EID = "image-hashes"


def _election(booth: BoothServer) -> None:
    if EID in booth.codes:
        return
    manifest = all_kinds_manifest(EID, booth.clock())
    photo = next(q for q in manifest["questions"] if q["id"] == "photo")
    for option, (_, image, *_rest, rgb) in zip(photo["options"], PHOTOS, strict=True):
        data = _png(320, 240, rgb)
        option["image_sha256"] = hashlib.sha256(data).hexdigest()
        path = booth.data_dir / "assets" / EID / image
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    booth.add_election(manifest, voters=4)


def test_images_are_shown_from_the_bytes_the_booth_checked(page: Any, booth: BoothServer) -> None:
    _election(booth)
    sign_in(page, booth, EID)
    # A function, not an expression: an expression is eval'd in the page, which the CSP forbids.
    page.wait_for_function(
        "(n) => document.querySelectorAll('img[data-checked]').length === n", arg=len(PHOTOS)
    )
    shown = page.eval_on_selector_all(
        "img.image-option__image", "els => els.map(e => [e.src.slice(0, 5), e.naturalWidth])"
    )
    assert shown == [["blob:", 320]] * len(PHOTOS)  # decoded from the checked bytes
    assert page.is_hidden("#alert")


def test_an_image_altered_on_the_way_is_refused(page: Any, booth: BoothServer) -> None:
    _election(booth)
    tampered = _png(320, 240, (200, 0, 0))
    page.route(
        f"**/assets/{EID}/images/rocket.png",
        lambda route: route.fulfill(status=200, content_type="image/png", body=tampered),
    )
    sign_in(page, booth, EID)
    page.wait_for_function("() => document.querySelector('img[data-refused]') !== null")
    refused = page.eval_on_selector_all(
        "img[data-refused]", "els => els.map(e => [e.dataset.src, e.getAttribute('src')])"
    )
    assert refused == [[f"/assets/{EID}/images/rocket.png", None]]  # never shown
    assert page.is_disabled('fieldset#q-photo input[value="photo-rocket"]')
    assert page.is_enabled('fieldset#q-photo input[value="photo-pond"]')
    page.wait_for_selector("#alert:not([hidden])")  # once every image is checked
    assert page.text_content("#alert").strip() == i18n.booth_messages("ja")["image.mismatch"]
