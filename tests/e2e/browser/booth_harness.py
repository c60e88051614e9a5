"""A real election server for the browser tests and the browser benchmark.

uvicorn on a loopback port, in a thread of this process, over SQLite in a
temporary directory, with the demo election and the test elections below
seeded through the services (create, roll, dev key, open, codes). The clock is
the system clock plus an offset the tests may move (session expiry).

Also: Chromium (Debian's ``/usr/bin/chromium``, never ``playwright install``)
with the flags that keep it off the network.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import struct
import threading
import time
import zlib
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import uvicorn

from tohyo.app.auth.authority import DevApproval
from tohyo.app.main import create_app
from tohyo.app.services.demo import DEMO_ID, demo_roll, seed_demo
from tohyo.app.services.devkeys import install_dev_key
from tohyo.app.services.elections import close_election, create_election, open_election
from tohyo.app.services.roll import import_roll, issue_codes
from tohyo.app.services.runtime import Runtime, build_runtime
from tohyo.app.settings import Settings

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
JST = timezone(timedelta(hours=9), "JST")
ALL_KINDS = "test-all-kinds"
SECOND = "test-second"
CARDS = "test-cards"  # card voters only (open roll, authentication.md §AUTH-ROLL-4)
CLOSED = "test-closed"  # voted in once, then closed by the officials (booth.md §BO-1.6)
CARD_PIN = "123456"
TRUSTEES = {
    "threshold": 1,
    "members": [{"id": "trustee-commission", "name": "選挙管理委員会"}],
}


def chromium_path() -> str | None:
    """The browser to drive, or None if it is not installed."""
    found = os.environ.get("TOHYO_CHROMIUM") or CHROMIUM
    return found if Path(found).exists() else shutil.which("chromium")


class Clock:
    """System time plus an adjustable offset (to expire sessions)."""

    def __init__(self) -> None:
        self.offset = timedelta()

    def __call__(self) -> datetime:
        return datetime.now(UTC) + self.offset


def _png(width: int, height: int, rgb: tuple[int, int, int]) -> bytes:
    """A small solid PNG with a darker band (test images, made here, no tool needed)."""
    rows = []
    for y in range(height):
        shade = rgb if (y // 20) % 2 else tuple(max(0, c - 60) for c in rgb)
        rows.append(b"\x00" + bytes(shade) * width)
    raw = zlib.compress(b"".join(rows), 9)

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", raw) + chunk(b"IEND", b"")


def _period(now: datetime, days: int = 7) -> dict[str, str]:
    start = (now.astimezone(JST) - timedelta(hours=1)).replace(microsecond=0)
    end = (now.astimezone(JST) + timedelta(days=days)).replace(microsecond=0)
    return {"start": start.isoformat(), "end": end.isoformat()}


CANDIDATES = [
    (
        "cand-sato",
        1,
        "佐藤 花子",
        "さとう はなこ",
        "Hanako Sato",
        {"ja": "つくば未来の会", "en": "Tsukuba Future"},
    ),
    ("cand-suzuki", 2, "鈴木 一郎", "すずき いちろう", "Ichiro Suzuki", None),
    (
        "cand-takahashi",
        3,
        "高橋 美咲",
        "たかはし みさき",
        "Misaki Takahashi",
        {"ja": "市民の党", "en": "Citizens' Party"},
    ),
    (
        "cand-tanaka",
        4,
        "田中 健",
        "たなか けん",
        "Ken Tanaka",
        {"ja": "みどりの会", "en": "Green Group"},
    ),
]
PHOTOS = [
    (
        "photo-mountain",
        "images/mountain.png",
        "筑波山の朝焼け",
        "Dawn over Mount Tsukuba",
        "紫色の空と筑波山の二つの峰",
        "Mount Tsukuba's twin peaks under a purple sky",
        (120, 80, 160),
    ),
    (
        "photo-pond",
        "images/pond.png",
        "洞峰公園の池",
        "The pond in Doho Park",
        "木々が映る静かな池",
        "A quiet pond reflecting trees",
        (60, 130, 90),
    ),
    (
        "photo-rocket",
        "images/rocket.png",
        "エキスポセンターのロケット",
        "The rocket at Expo Center",
        "青空に立つ白いロケット",
        "A white rocket under a blue sky",
        (70, 120, 200),
    ),
]


def all_kinds_manifest(election_id: str, now: datetime) -> dict[str, Any]:
    """Every question kind: candidates, text choices (several), images, a rating."""
    return {
        "format": "tohyo-manifest/1",
        "id": election_id,
        "title": {
            "ja": "つくば市 模擬投票（すべての形式）",
            "en": "Tsukuba mock vote (every ballot style)",
            "ja-x-easy": "つくばし の れんしゅう の とうひょう",
        },
        "description": {
            "ja": "ブラウザーのテストのための選挙です。",
            "en": "An election for the browser tests.",
        },
        "period": _period(now),
        "authentication": ["code"],
        "trustees": TRUSTEES,
        "eligibility": {
            "minimum_age": 15,
            "election_day": (now + timedelta(days=7)).date().isoformat(),
            "areas": ["082201"],
        },
        "questions": [
            {
                "id": "mayor",
                "kind": "candidates",
                "title": {
                    "ja": "つくば市長選挙",
                    "en": "Mayor of Tsukuba",
                    "ja-x-easy": "しちょう を えらぶ",
                },
                "allow_blank": True,
                "min_selections": 1,
                "max_selections": 1,
                "candidates": [
                    {
                        "id": cid,
                        "number": number,
                        "name": {"ja": ja, "en": en},
                        "kana": kana,
                        "party": party,
                    }
                    for cid, number, ja, kana, en, party in CANDIDATES
                ],
            },
            {
                "id": "services",
                "kind": "choice",
                "title": {
                    "ja": "優先してほしい行政サービス（2つまで）",
                    "en": "Services to prioritise (up to two)",
                },
                "text": {"ja": "1つまたは2つ選んでください。", "en": "Choose one or two."},
                "allow_blank": True,
                "min_selections": 1,
                "max_selections": 2,
                "options": [
                    {
                        "id": "svc-voting",
                        "label": {"ja": "インターネット投票", "en": "Internet voting"},
                    },
                    {
                        "id": "svc-counters",
                        "label": {"ja": "行政窓口のデジタル化", "en": "Digital counters"},
                        "description": {
                            "ja": "窓口で紙を書かずに手続きできます。",
                            "en": "No paper forms at the counter.",
                        },
                    },
                    {
                        "id": "svc-ai",
                        "label": {
                            "ja": "AIによる市民の声の分析",
                            "en": "AI analysis of citizens' voices",
                        },
                    },
                ],
            },
            {
                "id": "photo",
                "kind": "image_choice",
                "title": {"ja": "いちばん好きな写真", "en": "The photo you like best"},
                "allow_blank": True,
                "min_selections": 1,
                "max_selections": 1,
                "options": [
                    {
                        "id": oid,
                        "label": {"ja": lja, "en": len_},
                        "image": image,
                        "alt": {"ja": aja, "en": aen},
                    }
                    for oid, image, lja, len_, aja, aen, _ in PHOTOS
                ],
            },
            {
                "id": "evaluation",
                "kind": "rating",
                "title": {
                    "ja": "市長の行政運営を何点と評価しますか",
                    "en": "How many points do you give the mayor?",
                },
                "allow_blank": True,
                "levels": [
                    {
                        "value": v,
                        **({"label": {"ja": "とても良い", "en": "Very good"}} if v == 100 else {}),
                        **({"label": {"ja": "とても悪い", "en": "Very bad"}} if v == 0 else {}),
                    }
                    for v in range(0, 101, 10)
                ],
            },
        ],
    }


def candidates_manifest(election_id: str, now: datetime, count: int) -> dict[str, Any]:
    """A 1-of-``count`` election (the browser benchmark: 10 and 40)."""
    kana = (
        "あいうえおかきくけこさしすせそたちつてとなにぬねのはひふへほまみむめもやゆよらりるれろわ"
    )
    return {
        "format": "tohyo-manifest/1",
        "id": election_id,
        "title": {"ja": f"{count}人の候補者の選挙", "en": f"An election with {count} candidates"},
        "period": _period(now),
        "authentication": ["code"],
        "trustees": TRUSTEES,
        "eligibility": {
            "minimum_age": 15,
            "election_day": (now + timedelta(days=7)).date().isoformat(),
            "areas": ["082201"],
        },
        "questions": [
            {
                "id": "council",
                "kind": "candidates",
                "title": {"ja": "市議会議員選挙", "en": "City council"},
                "allow_blank": True,
                "min_selections": 1,
                "max_selections": 1,
                "candidates": [
                    {
                        "id": f"c{n:03d}",
                        "number": n,
                        "name": {"ja": f"候補 {n}", "en": f"Candidate {n}"},
                        "kana": f"こうほ {kana[n % len(kana)]}",
                        "party": None,
                    }
                    for n in range(1, count + 1)
                ],
            }
        ],
    }


@dataclass
class BoothServer:
    """A running server and what the tests need to vote in it."""

    base_url: str
    runtime: Runtime
    clock: Clock
    data_dir: Path
    codes: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    ca_dir: Path | None = None  # the test CA (its OCSP/CRL server runs for the session)
    _closers: list[Any] = field(default_factory=list)
    _server: uvicorn.Server | None = None
    _thread: threading.Thread | None = None

    def code(self, election_id: str) -> str:
        """A fresh, unused one-time voting code."""
        return self.codes[election_id].pop()

    def url(self, path: str) -> str:
        return self.base_url + path

    def issue_card(
        self, name: str, birth: date, address: str = "茨城県つくば市研究学園一丁目1番地1"
    ) -> Path:
        """A test card (PKCS#12, PIN :data:`CARD_PIN`) from the test CA, as a file."""
        from tohyo.app.auth.jpki_profile import CardHolder
        from tohyo.testca import TestCA

        if self.ca_dir is None:
            raise RuntimeError("no test CA")
        card = TestCA.load(self.ca_dir).issue_card(
            CardHolder(name, address, birth, "1"), password=CARD_PIN.encode()
        )
        path = self.data_dir / f"card-{card.serial}.p12"
        path.write_bytes(card.pkcs12)
        return path

    def add_card_election(self, manifest: dict[str, Any]) -> str:
        """An election taking only cards: voters enrol at their first sign-in."""
        eid = manifest["id"]
        manifest["authentication"] = ["jpki"]
        create_election(
            self.runtime, json.dumps(manifest, ensure_ascii=False).encode(), actor="test"
        )
        install_dev_key(self.runtime, eid, actor="test")
        open_election(self.runtime, eid, approval=DevApproval("test"))
        return eid

    def add_election(self, manifest: dict[str, Any], voters: int = 12) -> str:
        eid = manifest["id"]
        create_election(
            self.runtime, json.dumps(manifest, ensure_ascii=False).encode(), actor="test"
        )
        roll, _ = demo_roll(voters)
        import_roll(self.runtime, eid, roll, actor="test")
        install_dev_key(self.runtime, eid, actor="test")
        open_election(self.runtime, eid, approval=DevApproval("test"))
        self.codes[eid] = [c.code for c in issue_codes(self.runtime, eid, actor="test")]
        return eid

    def stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=10)
        for close in self._closers:
            close()
        self.runtime.close()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(data_dir: Path, *, session_ttl_seconds: int = 30 * 60) -> BoothServer:
    """Start the server with the demo election and the images of the test elections."""
    clock = Clock()
    settings = Settings(data_dir=data_dir, session_ttl_seconds=session_ttl_seconds)
    runtime = build_runtime(settings, clock=clock)
    demo_codes = seed_demo(runtime) or []
    port = _free_port()
    # The sign-in routes check Origin against the public origin: this server's.
    os.environ["TOHYO_PUBLIC_ORIGIN"] = f"http://127.0.0.1:{port}"
    # A test CA stands in for J-LIS (ADR 0015): card sign-in and outer envelopes.
    from tohyo.app.auth.config import AuthConfig
    from tohyo.testca import RevocationServer, TestCA

    ca_dir = data_dir / "testca"
    TestCA.create(ca_dir)
    responder = RevocationServer(ca_dir).start()
    runtime.cache["auth.config"] = AuthConfig(
        public_origin=f"http://127.0.0.1:{port}",
        jpki_root=ca_dir / "root.crt.pem",
        jpki_ocsp_url=responder.url + "/ocsp",
        jpki_crl_url=responder.url + "/crl",
    )
    app = create_app(settings, runtime=runtime, clock=clock)
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="booth-server", daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the test server did not start")
        time.sleep(0.05)
    booth = BoothServer(
        f"http://127.0.0.1:{port}",
        runtime,
        clock,
        data_dir,
        ca_dir=ca_dir,
        _closers=[responder.close],
        _server=server,
        _thread=thread,
    )
    booth.codes[DEMO_ID] = list(demo_codes)
    for _, image, *_rest, rgb in PHOTOS:
        for eid in (ALL_KINDS, SECOND):
            path = data_dir / "assets" / eid / image
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(_png(320, 240, rgb))
    return booth


def started(data_dir: Path) -> Iterator[BoothServer]:
    """Start the server with the test elections; stop it afterwards."""
    booth = start_server(data_dir)
    try:
        now = booth.clock()
        booth.add_election(all_kinds_manifest(ALL_KINDS, now), voters=40)
        second = all_kinds_manifest(SECOND, now)
        second["title"] = {"ja": "つくば市 模擬投票（2回目）", "en": "Tsukuba mock vote (second)"}
        booth.add_election(second, voters=6)
        cards = all_kinds_manifest(CARDS, now)
        cards["title"] = {"ja": "つくば市 模擬投票（カード）", "en": "Tsukuba mock vote (cards)"}
        booth.add_card_election(cards)
        closed = all_kinds_manifest(CLOSED, now)
        closed["title"] = {"ja": "つくば市 模擬投票（終了）", "en": "Tsukuba mock vote (closed)"}
        booth.add_election(closed, voters=4)
        close_election(booth.runtime, CLOSED, approval=DevApproval("test"), reason="test")
        yield booth
    finally:
        booth.stop()
