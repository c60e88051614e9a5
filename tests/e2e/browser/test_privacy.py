"""Privacy of the page (THREATS #42, #44): what is sent and received does not depend
on the choice; no third-party request; the CSP blocks injected scripts and framing."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlsplit

from booth_harness import ALL_KINDS, BoothServer
from flows import choose, sign_in, to_review, wait_ready

VECTORS = [
    {
        "mayor": "cand-sato",
        "services": ["svc-voting"],
        "photo": "photo-mountain",
        "evaluation": "0",
    },
    {
        "mayor": "cand-tanaka",
        "services": ["svc-counters", "svc-ai"],
        "photo": "photo-rocket",
        "evaluation": "100",
    },
    {"mayor": "#blank", "services": ["#blank"], "photo": "#blank", "evaluation": "#blank"},
]
#: Receipt fields whose length depends on the ballot's position and time, never on a choice.
POSITIONAL = ("leaf_index", "sequence", "checkpoint", "inclusion_proof", "cast_at")


def _vote(browser: Any, booth: BoothServer, vector: dict[str, Any], audit: bool) -> dict[str, Any]:
    context = browser.new_context(viewport={"width": 1024, "height": 900})
    traffic: list[dict[str, Any]] = []
    try:
        page = context.new_page()
        sign_in(page, booth, ALL_KINDS, lang="en")

        def record(response: Any) -> None:
            request = response.request
            traffic.append(
                {
                    "method": request.method,
                    "url": response.url,
                    "sent": len(request.post_data_buffer or b""),
                    "received": int(response.headers.get("content-length", "-1")),
                }
            )

        page.on("response", record)
        page.reload()  # the ballot page itself, from here on recorded
        wait_ready(page)
        for question, answer in vector.items():
            for value in answer if isinstance(answer, list) else [answer]:
                choose(page, question, value)
        to_review(page)
        if audit:
            page.click("#audit-button")
            page.locator("#audit-result").wait_for(state="visible")
            page.wait_for_function("() => !document.querySelector('#cast-button').disabled")
        page.click("#cast-button")
        page.wait_for_url("**/receipt")
        wait_ready(page)
        page.wait_for_load_state("networkidle")
        receipt = page.evaluate(
            f"() => JSON.parse(sessionStorage.getItem('tohyo:{ALL_KINDS}:receipt'))"
        )
    finally:
        context.close()
    return {"traffic": traffic, "receipt": receipt}


def _shape(run: dict[str, Any]) -> list[tuple[Any, ...]]:
    out = []
    for t in run["traffic"]:
        received = t["received"]
        if t["method"] == "POST" and t["url"].endswith("/ballots"):
            receipt = run["receipt"]
            received -= sum(
                len(json.dumps(receipt[k], ensure_ascii=False, separators=(",", ":")).encode())
                for k in POSITIONAL
            )
        out.append((t["method"], urlsplit(t["url"]).path, t["sent"], received))
    return sorted(out)


def test_traffic_does_not_depend_on_the_choice(browser: Any, booth: BoothServer) -> None:
    for audit in (False, True):
        shapes = [_shape(_vote(browser, booth, v, audit)) for v in VECTORS]
        assert shapes[0] == shapes[1] == shapes[2], shapes
        hosts = {urlsplit(t).netloc for s in shapes for _m, t, *_ in s if "//" in t}
        assert hosts <= {urlsplit(booth.base_url).netloc}
        methods = [m for m, path, *_ in shapes[0] if m == "POST"]
        assert len(methods) == (2 if audit else 1)


def test_injected_script_and_framing_are_blocked(page: Any, booth: BoothServer) -> None:
    page.goto(booth.url(f"/en/elections/{ALL_KINDS}/ballot"))
    wait_ready(page)
    ran = page.evaluate(
        """() => {
          window.__pwned = false;
          window.__violations = [];
          document.addEventListener('securitypolicyviolation',
            (e) => window.__violations.push(e.effectiveDirective));
          const s = document.createElement('script');
          try { s.textContent = 'window.__pwned = true'; document.body.append(s); } catch (e) {}
          const i = document.createElement('img');
          try { i.setAttribute('onerror', 'window.__pwned = true'); } catch (e) {}
          i.setAttribute('src', 'x');
          document.body.append(i);
          try { document.body.insertAdjacentHTML('beforeend', '<b>x</b>'); return 'html-allowed'; }
          catch (e) { return e.name; }
        }"""
    )
    page.wait_for_timeout(300)
    assert page.evaluate("() => window.__pwned") is False
    assert ran == "TypeError"  # Trusted Types: no HTML from strings
    violations = page.evaluate("() => window.__violations")
    assert "require-trusted-types-for" in violations
    # The page refuses to be framed.
    page.goto("about:blank")
    page.set_content(f'<iframe src="{booth.url("/en/")}"></iframe>')
    page.wait_for_timeout(500)
    frame = page.frames[-1]
    assert (
        frame.url in ("about:blank", "chrome-error://chromewebdata/")
        or frame.content().count("Tohyo") == 0
    )
