"""Regenerate the example manifests in this folder (see README.md for provenance).

Run from the repository root: ``.venv/bin/python tests/vectors/manifests/generate.py``.
Files are indented for people to read; the manifest hash is computed over the
canonical form of the parsed manifest (docs/spec/manifest.md §MAN-16), so
layout does not matter.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from tohyo.record.canonical import dumps_canonical

HERE = Path(__file__).parent
TSUKUBA = "082201"  # つくば市: JIS X 0402 code 08220 + check digit 1

COMMISSION = {
    "threshold": 3,
    "members": [
        {"id": "trustee-1", "name": "選挙管理委員 1"},
        {"id": "trustee-2", "name": "選挙管理委員 2"},
        {"id": "trustee-3", "name": "選挙管理委員 3"},
        {"id": "trustee-4", "name": "選挙管理委員 4"},
    ],
}
MOCK_TRUSTEES = {
    "threshold": 2,
    "members": [
        {"id": "trustee-city", "name": "つくば市 政策イノベーション部"},
        {"id": "trustee-commission", "name": "つくば市 選挙管理委員会"},
        {"id": "trustee-observer", "name": "外部有識者"},
    ],
}


def t(ja: str, en: str, easy: str | None = None) -> dict[str, str]:
    out = {"ja": ja, "en": en}
    if easy is not None:
        out["ja-x-easy"] = easy
    return out


def survey_2025() -> dict[str, Any]:
    def q(ident: str, ja: str, en: str, options: list[tuple[str, str, str]]) -> dict[str, Any]:
        return {
            "id": ident,
            "kind": "choice",
            "title": t(f"{ja}：最も実現してほしいサービス", f"{en}: the service you most want"),
            "allow_blank": True,
            "min_selections": 1,
            "max_selections": 1,
            "options": [{"id": i, "label": t(j, e)} for i, j, e in options],
        }

    return {
        "format": "tohyo-manifest/1",
        "id": "tsukuba-2025-super-city-survey",
        "title": t(
            "つくばスーパーサイエンスシティ 市民投票（令和7年）",
            "Tsukuba Super Science City citizens' vote (2025)",
            "つくば の まち で いちばん ほしい サービス を えらぶ 投票",
        ),
        "period": {"start": "2025-02-20T00:00:00+09:00", "end": "2025-03-25T00:00:00+09:00"},
        "authentication": ["jpki"],
        "trustees": MOCK_TRUSTEES,
        "eligibility": {"minimum_age": 15, "election_day": "2025-03-24", "areas": [TSUKUBA]},
        "questions": [
            q("administrative-services", "行政サービス分野", "Administrative services", [
                ("internet-voting", "インターネット投票", "Internet voting"),
                ("digital-counters", "行政窓口のデジタル化", "Digital municipal counters"),
                ("ai-citizen-voice", "生成AIを活用した市民の声見える化",
                 "Citizens' voices made visible with generative AI"),
            ]),
            q("mobility", "モビリティ分野", "Mobility", [
                ("tsukumobi", "つくモビ", "Tsukumobi"),
                ("smart-mobility", "つくばスマートモビリティ", "Tsukuba smart mobility"),
                ("hands-free-ticketing", "ハンズフリーチケッティング", "Hands-free ticketing"),
            ]),
            q("healthcare", "ヘルスケア分野", "Healthcare", [
                ("online-home-care", "オンライン在宅療養支援", "Online support for home care"),
                ("food-lifestyle", "「食」の提案生活習慣病支援",
                 "Food advice against lifestyle diseases"),
                ("emergency-data", "「もしもの時」を支える情報連携",
                 "Information sharing for emergencies"),
            ]),
        ],
    }


def mayor_evaluation_2024() -> dict[str, Any]:
    return {
        "format": "tohyo-manifest/1",
        "id": "tsukuba-2024-mayor-evaluation",
        "title": t("つくば市長（2期目）の行政運営", "The Mayor of Tsukuba's second term"),
        "description": t(
            "市長公約の進捗と実績を11段階で評価してください。結果は条例により市長の退職金額に反映されます。",
            "Rate the progress and results of the mayor's pledges on an 11-level scale. "
            "By ordinance, the result sets the mayor's retirement allowance.",
        ),
        "period": {"start": "2024-10-01T09:00:00+09:00", "end": "2024-10-15T17:00:00+09:00"},
        "authentication": ["jpki"],
        "trustees": MOCK_TRUSTEES,
        "eligibility": {"minimum_age": 15, "election_day": "2024-10-15", "areas": [TSUKUBA]},
        "questions": [{
            "id": "evaluation",
            "kind": "rating",
            "title": t("市長の行政運営を何点と評価しますか", "How many points do you give?"),
            "allow_blank": True,
            "levels": [{"value": v, "label": t(f"{v}点", f"{v} points")}
                       for v in range(0, 101, 10)],
        }],
    }


def photo_contest_2024() -> dict[str, Any]:
    spots = [
        ("spot-tsukuba-san", "筑波山の朝焼け", "Dawn over Mount Tsukuba",
         "紫色に染まる空と筑波山の二つの峰", "Mount Tsukuba's twin peaks under a purple sky"),
        ("spot-doho-park", "洞峰公園の池", "The pond in Doho Park",
         "木々が映る静かな池", "A quiet pond reflecting trees"),
        ("spot-expo-center", "エキスポセンターのロケット", "The rocket at Expo Center",
         "青空に立つ白いロケット", "A white rocket standing in a blue sky"),
        ("spot-rice-fields", "北条の田園風景", "Rice fields of Hojo",
         "夕日に光る水田", "Paddy fields shining in the evening sun"),
        ("spot-ginkgo", "学園東大通りのイチョウ並木", "Gingko avenue",
         "黄色く色づいたイチョウの並木道", "An avenue of yellow gingko trees"),
    ]
    options = []
    for ident, ja, en, alt_ja, alt_en in spots:
        image = f"images/{ident}.jpg"
        options.append({
            "id": ident,
            "label": t(ja, en),
            "image": image,
            "alt": t(alt_ja, alt_en),
            "image_sha256": hashlib.sha256(f"placeholder:{image}".encode()).hexdigest(),
        })
    return {
        "format": "tohyo-manifest/1",
        "id": "tsukuba-2024-photo-contest",
        "title": t("つくば市の映えスポット", "Tsukuba's most photogenic spot"),
        "period": {"start": "2024-11-01T09:00:00+09:00", "end": "2024-11-15T17:00:00+09:00"},
        "authentication": ["jpki", "oidc"],
        "trustees": MOCK_TRUSTEES,
        "eligibility": {"minimum_age": 15, "election_day": "2024-11-15", "areas": [TSUKUBA]},
        "questions": [{
            "id": "best-photo",
            "kind": "image_choice",
            "title": t("いちばん好きな写真を選んでください", "Choose the photo you like best"),
            "allow_blank": True,
            "min_selections": 1,
            "max_selections": 1,
            "options": options,
        }],
    }


def candidate(i: int, name: str, kana: str, en: str, party: dict[str, str] | None
              ) -> dict[str, Any]:
    return {"id": f"candidate-{i:02d}", "number": i, "name": {"ja": name, "en": en},
            "kana": kana, "party": party}


PARTIES = [
    t("つくば未来の会", "Tsukuba Future Association"),
    t("市民ネットワーク", "Citizens' Network"),
    t("みどりの党", "Green Party"),
    t("くらし改革党", "Livelihood Reform Party"),
    None,
]


def mayoral_2028() -> dict[str, Any]:
    cands = [
        candidate(1, "青木 一郎", "あおき いちろう", "Ichiro Aoki", PARTIES[0]),
        candidate(2, "佐藤 花子", "さとう はなこ", "Hanako Sato", None),
        candidate(3, "ワタナベ ケン", "ワタナベ ケン", "Ken Watanabe", PARTIES[2]),
    ]
    return {
        "format": "tohyo-manifest/1",
        "id": "tsukuba-2028-mayoral-election",
        "title": t("つくば市長選挙", "Tsukuba mayoral election"),
        "period": {"start": "2028-10-16T08:30:00+09:00", "end": "2028-10-21T20:00:00+09:00"},
        "authentication": ["jpki"],
        "trustees": COMMISSION,
        "eligibility": {"minimum_age": 18, "election_day": "2028-10-22", "areas": [TSUKUBA]},
        "questions": [{
            "id": "mayor",
            "kind": "candidates",
            "title": t("つくば市長", "Mayor of Tsukuba"),
            "allow_blank": True,
            "min_selections": 1,
            "max_selections": 1,
            "candidates": cands,
        }],
    }


SURNAMES = [("青木", "あおき", "Aoki"), ("石井", "いしい", "Ishii"), ("上田", "うえだ", "Ueda"),
            ("遠藤", "えんどう", "Endo"), ("大野", "おおの", "Ono"), ("加藤", "かとう", "Kato"),
            ("木村", "きむら", "Kimura"), ("久保", "くぼ", "Kubo"),
            ("小林", "こばやし", "Kobayashi"), ("斎藤", "さいとう", "Saito")]
GIVEN = [("健", "けん", "Ken"), ("美咲", "みさき", "Misaki"), ("大輔", "だいすけ", "Daisuke")]


def council_2028() -> dict[str, Any]:
    cands = []
    for i in range(30):
        s_ja, s_kana, s_en = SURNAMES[i % 10]
        g_ja, g_kana, g_en = GIVEN[i // 10]
        cands.append(candidate(i + 1, f"{s_ja} {g_ja}", f"{s_kana} {g_kana}",
                               f"{g_en} {s_en}", PARTIES[i % len(PARTIES)]))
    return {
        "format": "tohyo-manifest/1",
        "id": "tsukuba-2028-council-election",
        "title": t("つくば市議会議員一般選挙", "Tsukuba city council general election"),
        "period": {"start": "2028-10-16T08:30:00+09:00", "end": "2028-10-21T20:00:00+09:00"},
        "authentication": ["jpki"],
        "trustees": COMMISSION,
        "eligibility": {"minimum_age": 18, "election_day": "2028-10-22", "areas": [TSUKUBA]},
        "questions": [{
            "id": "council",
            "kind": "candidates",
            "title": t("つくば市議会議員", "Member of Tsukuba city council"),
            "text": t("候補者を1人選んでください。", "Choose one candidate."),
            "allow_blank": True,
            "min_selections": 1,
            "max_selections": 1,
            "candidates": cands,
        }],
    }


def main() -> None:
    for name, build in [
        ("tsukuba-2025-survey.json", survey_2025),
        ("tsukuba-2024-mayor-evaluation.json", mayor_evaluation_2024),
        ("tsukuba-2024-photo-contest.json", photo_contest_2024),
        ("mayoral-election.json", mayoral_2028),
        ("council-election.json", council_2028),
    ]:
        doc = build()
        dumps_canonical(doc)  # refuses anything without a canonical form
        text = json.dumps(doc, ensure_ascii=False, indent=2)
        (HERE / name).write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
