"""The demo election seeded by ``tohyo serve --demo`` (DEV ONLY).

The 2025 Tsukuba three-field citizens' vote (MISSION.md), open from an hour
ago for a week, with a 20-voter roll, a dev key (:mod:`devkeys`) and one-time
voting codes written to ``<data dir>/demo-codes.txt`` (mode 0600).
"""

from __future__ import annotations

import json
from datetime import timedelta, timezone
from typing import Any

from tohyo.app.auth.authority import DevApproval
from tohyo.app.services.devkeys import install_dev_key
from tohyo.app.services.elections import create_election, open_election
from tohyo.app.services.roll import import_roll, issue_codes
from tohyo.app.services.runtime import Runtime
from tohyo.app.store.keys import write_secret_file

__all__ = ["DEMO_ID", "demo_manifest", "demo_roll", "seed_demo"]

DEMO_ID = "demo-tsukuba-survey"
JST = timezone(timedelta(hours=9), "JST")


def _option(oid: str, ja: str, en: str) -> dict[str, Any]:
    return {"id": oid, "label": {"ja": ja, "en": en}}


def _question(qid: str, ja: str, en: str, options: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "id": qid,
        "kind": "choice",
        "title": {"ja": ja, "en": en},
        "allow_blank": True,
        "min_selections": 1,
        "max_selections": 1,
        "options": options,
    }


def demo_manifest(runtime: Runtime, election_id: str = DEMO_ID, *, days: int = 7) -> bytes:
    """A manifest open from one hour ago for ``days`` days (Asia/Tokyo times)."""
    now = runtime.now().astimezone(JST).replace(microsecond=0)
    start = (now - timedelta(hours=1)).isoformat()
    end_moment = now + timedelta(days=days)
    end = end_moment.isoformat()
    manifest = {
        "format": "tohyo-manifest/1",
        "id": election_id,
        "title": {"ja": "つくば市 市民投票（デモ）", "en": "Tsukuba citizens' vote (demo)"},
        "period": {"start": start, "end": end},
        # Cards and the test provider vouch for the roll's own people (docs/adr/0016).
        "authentication": ["jpki", "oidc", "code"],
        "trustees": {
            "threshold": 2,
            "members": [
                {"id": "trustee-city", "name": "つくば市 政策イノベーション部"},
                {"id": "trustee-commission", "name": "つくば市 選挙管理委員会"},
                {"id": "trustee-observer", "name": "外部有識者"},
            ],
        },
        "eligibility": {
            "minimum_age": 15,
            "election_day": end_moment.date().isoformat(),
            "areas": ["082201"],
        },
        "questions": [
            _question(
                "administrative-services",
                "行政サービス分野",
                "Administrative services",
                [
                    _option("internet-voting", "インターネット投票", "Internet voting"),
                    _option("digital-counters", "行政窓口のデジタル化", "Digital counters"),
                    _option("ai-citizen-voice", "AIによる市民の声の分析", "AI citizen voice"),
                ],
            ),
            _question(
                "mobility",
                "モビリティ分野",
                "Mobility",
                [
                    _option("tsukumobi", "つくモビ", "Tsukumobi"),
                    _option("smart-mobility", "スマートモビリティ", "Smart mobility"),
                    _option("hands-free-ticketing", "ハンズフリー乗車", "Hands-free ticketing"),
                ],
            ),
            _question(
                "healthcare",
                "ヘルスケア分野",
                "Healthcare",
                [
                    _option("online-home-care", "オンライン在宅医療", "Online home care"),
                    _option("lifestyle-advice", "食・生活習慣アドバイス", "Lifestyle advice"),
                    _option("emergency-data", "救急医療データ連携", "Emergency data sharing"),
                ],
            ),
        ],
    }
    return json.dumps(manifest, ensure_ascii=False).encode()


def demo_roll(count: int) -> tuple[bytes, list[str]]:
    """A roll of ``count`` adult voters in Tsukuba (082201) and their roll numbers."""
    ids = [f"D{n:06d}" for n in range(1, count + 1)]
    lines = ["voter_id,name,birth_date,address_code,district"]
    lines += [f"{vid},デモ 投票者{n},1980-04-0{1 + n % 9},082201," for n, vid in enumerate(ids)]
    return ("\n".join(lines) + "\n").encode(), ids


def seed_demo(runtime: Runtime, *, voters: int = 20) -> list[str] | None:
    """Create, key and open the demo election unless it exists; return new codes."""
    with runtime.uow() as uow:
        if uow.election(DEMO_ID) is not None:
            return None
    create_election(runtime, demo_manifest(runtime), actor="demo")
    roll, _ids = demo_roll(voters)
    import_roll(runtime, DEMO_ID, roll, actor="demo")
    install_dev_key(runtime, DEMO_ID, actor="demo")
    open_election(runtime, DEMO_ID, approval=DevApproval("demo"))
    codes = [c.code for c in issue_codes(runtime, DEMO_ID, actor="demo")]
    path = runtime.settings.data_dir / "demo-codes.txt"
    if path.exists():
        path.unlink()
    write_secret_file(path, ("\n".join(codes) + "\n").encode())
    return codes
