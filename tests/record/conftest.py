"""Shared fixtures for the record tests: a minimal manifest with every question kind."""

from __future__ import annotations

import copy
from typing import Any

import pytest

_MINIMAL: dict[str, Any] = {
    "format": "tohyo-manifest/1",
    "id": "test-election",
    "title": {"ja": "テスト投票", "en": "Test vote"},
    "period": {"start": "2025-02-20T09:00:00+09:00", "end": "2025-03-24T17:00:00+09:00"},
    "authentication": ["code"],
    "trustees": {
        "threshold": 2,
        "members": [
            {"id": "t1", "name": "委員 一"},
            {"id": "t2", "name": "委員 二"},
            {"id": "t3", "name": "委員 三"},
        ],
    },
    "eligibility": {"minimum_age": 18, "election_day": "2025-03-24", "areas": ["082201"]},
    "questions": [
        {
            "id": "q-choice",
            "kind": "choice",
            "title": {"ja": "質問"},
            "options": [
                {"id": "o1", "label": {"ja": "一"}},
                {"id": "o2", "label": {"ja": "二"}},
                {"id": "o3", "label": {"ja": "三"}},
            ],
        },
        {
            "id": "q-cand",
            "kind": "candidates",
            "title": {"ja": "市長"},
            "candidates": [
                {"id": "c1", "number": 1, "name": {"ja": "山田 太郎"}, "kana": "やまだ たろう",
                 "party": None},
                {"id": "c2", "number": 2, "name": {"ja": "鈴木 花子"}, "kana": "スズキ ハナコ",
                 "party": {"ja": "未来党"}},
            ],
        },
        {
            "id": "q-image",
            "kind": "image_choice",
            "title": {"ja": "写真"},
            "options": [
                {"id": "p1", "label": {"ja": "山"}, "image": "images/p1.jpg",
                 "alt": {"ja": "筑波山の写真"}},
                {"id": "p2", "label": {"ja": "池"}, "image": "images/sub/p2.png",
                 "alt": {"ja": "池の写真"}},
            ],
        },
        {
            "id": "q-rating",
            "kind": "rating",
            "title": {"ja": "評価"},
            "levels": [{"value": 0}, {"value": 50}, {"value": 100}],
        },
    ],
}


@pytest.fixture
def minimal() -> dict[str, Any]:
    """A fresh, valid manifest document with one question of each kind."""
    return copy.deepcopy(_MINIMAL)
