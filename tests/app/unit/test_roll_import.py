"""Voter-roll CSV import (docs/spec/manifest.md §MAN-19)."""

from __future__ import annotations

import hashlib
import hmac
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tohyo.app.domain import (
    DomainError,
    InvalidRoll,
    RollEntry,
    RollProblem,
    import_roll,
    normalise_voter_id,
    roll_amendment,
    voter_key,
)
from tohyo.app.domain import roll as roll_module
from tohyo.record.manifest import Eligibility

KEY = bytes(range(32))
RULES = Eligibility(18, date(2028, 10, 22), ("082201",))
HEADER = "voter_id,name,birth_date,address_code,district\r\n"


def csv(*rows: str, header: str = HEADER, bom: bool = False) -> bytes:
    text = header + "".join(r + "\r\n" for r in rows)
    return ("\ufeff" if bom else "").encode() + text.encode("utf-8")


GOOD = csv(
    "A-0001,筑波 太郎,1980-04-01,082201,1",
    'A-0002,"山田, 花子",2010-10-23,082201,2',  # attains 18 on election day
    "A-0003,若者 一郎,2010-10-24,082201,2",  # 17 on election day
    "A-0004,転出 次郎,1975-05-05,131016,",  # not in Tsukuba
    "A-0005,土浦 三郎,1990-12-31,082201,",
)


def test_import_good_file() -> None:
    result = import_roll(GOOD, eligibility=RULES, roll_key=KEY)
    assert [e.address_code for e in result.entries] == ["082201"] * 3
    assert [e.district for e in result.entries] == ["1", "2", ""]
    assert [(x.row, x.reason) for x in result.excluded] == [(4, "under_age"), (5, "outside_area")]
    assert result.entries[0].voter_key == voter_key(KEY, "A0001")


def test_bom_and_line_endings_do_not_matter() -> None:
    a = import_roll(GOOD, eligibility=RULES, roll_key=KEY)
    b = import_roll(b"\xef\xbb\xbf" + GOOD.replace(b"\r\n", b"\n"), eligibility=RULES, roll_key=KEY)
    assert a == b


def test_entries_hold_no_personal_data() -> None:
    (entry, *_) = import_roll(GOOD, eligibility=RULES, roll_key=KEY).entries
    assert set(RollEntry.__dataclass_fields__) == {"voter_key", "address_code", "district"}
    assert entry.voter_key.find(b"A0001") == -1 and len(entry.voter_key) == 32


def test_voter_key_definition() -> None:
    expected = hmac.new(KEY, b"tohyo/1/roll/voter-id\x00A0001", hashlib.sha256).digest()
    assert voter_key(KEY, "A-0001") == expected
    other = voter_key(bytes(32), "A-0001")
    assert other != expected  # a different election's roll key gives unlinkable pseudonyms


@pytest.mark.parametrize(
    "raw", ["A0001", "a0001", "A-0001", " A 0001 ", "Ａ－０００１", "A\u22120001", "A\u20100001"]
)
def test_voter_id_normalisation(raw: str) -> None:
    assert normalise_voter_id(raw) == "A0001"
    assert voter_key(KEY, raw) == voter_key(KEY, "A0001")


@pytest.mark.parametrize("raw", ["", "  ", "-", "A_0001", "山田", "A" * 33, "A.1"])
def test_bad_voter_ids(raw: str) -> None:
    with pytest.raises(DomainError) as info:
        normalise_voter_id(raw)
    assert info.value.code == "bad_voter_id"


def test_short_roll_key_is_refused() -> None:
    with pytest.raises(ValueError, match="32 bytes"):
        voter_key(bytes(31), "A1")
    with pytest.raises(ValueError, match="32 bytes"):
        import_roll(GOOD, eligibility=RULES, roll_key=bytes(16))


def refused(data: bytes) -> list[tuple[int, str, str]]:
    with pytest.raises(InvalidRoll) as info:
        import_roll(data, eligibility=RULES, roll_key=KEY)
    return [(p.row, p.field, p.reason) for p in info.value.problems]


def test_every_bad_row_is_reported_and_nothing_accepted() -> None:
    data = csv(
        "A-0001,筑波 太郎,1980-04-01,082201,1",  # row 2: fine
        "A-0002,,1980-04-01,082201,1",  # row 3: no name
        "A-0003,名前,1980-02-30,082201,1",  # row 4: impossible date
        "A-0004,名前,80-04-01,082202,1",  # row 5: date form and check digit
        "A_0005,名前,1980-04-01,082201,1-1",  # row 6: voter id and district
        "A-0001,名前,1970-01-01,082201,1",  # row 7: duplicate of row 2
        "A-0008,名前,1980-04-01",  # row 8: too few fields
        "A-0009,名前,1870-04-01,082201,1",  # row 9: implausible birth date
    )
    assert [(r, f) for r, f, _ in refused(data)] == [
        (3, "name"),
        (4, "birth_date"),
        (5, "birth_date"),
        (5, "address_code"),
        (6, "voter_id"),
        (6, "district"),
        (7, "voter_id"),
        (8, ""),
        (9, "birth_date"),
    ]


def test_reasons_never_echo_personal_data() -> None:
    data = csv(
        "SECRET99,秘密 花子,1980-02-30,999999,区画-一", "SECRET99,秘密 花子,1980-01-01,082201,1"
    )
    with pytest.raises(InvalidRoll) as info:
        import_roll(data, eligibility=RULES, roll_key=KEY)
    message = str(info.value)
    for secret in ("SECRET99", "秘密", "1980-02-30", "999999", "区画"):
        assert secret not in message
    assert "row 2, birth_date" in message


def test_duplicates_are_found_after_normalisation() -> None:
    data = csv("A-0001,一,1980-01-01,082201,", "ａ０００１,二,1981-01-01,082201,")
    assert refused(data) == [(3, "voter_id", "duplicates row 2")]


def test_full_width_fields_are_normalised() -> None:
    data = csv("A-0001,一,１９８０－０１－０１,０８２２０１,２")
    (entry,) = import_roll(data, eligibility=RULES, roll_key=KEY).entries
    assert (entry.address_code, entry.district) == ("082201", "2")


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("voter_id,name,birth_date,address_code\r\n", [(1, "district", "column is missing")]),
        (
            "voter_id,name,birth_date,address_code,district,phone\r\n",
            [(1, "phone", "column is not known")],
        ),
        (
            "voter_id,name,birth_date,address_code,district,name\r\n",
            [(1, "name", "column appears twice")],
        ),
        ("", [(1, "", "the header row is missing")]),
    ],
)
def test_header_problems(header: str, expected: list[tuple[int, str, str]]) -> None:
    assert refused(csv(header=header)) == expected


def test_columns_may_come_in_any_order() -> None:
    data = csv(
        "1,082201,A1,一,1980-01-01", header="district,address_code,voter_id,name,birth_date\r\n"
    )
    (entry,) = import_roll(data, eligibility=RULES, roll_key=KEY).entries
    assert entry.voter_key == voter_key(KEY, "A1")


def test_file_level_problems() -> None:
    assert refused(b"") == [(1, "", "the header row is missing")]
    assert refused(csv()) == [(0, "", "the file has no voter rows")]
    shift_jis = HEADER.encode() + "A1,筑波 太郎,1980-01-01,082201,1\r\n".encode("shift_jis")
    ((row, field, reason),) = refused(shift_jis)
    assert (row, field) == (0, "") and "not UTF-8 (line 2)" in reason
    ((row, _, reason),) = refused(csv('A1,"unterminated,1980-01-01,082201,1'))
    assert "malformed CSV" in reason


def test_blank_lines_are_skipped() -> None:
    data = csv("A1,一,1980-01-01,082201,1", "", "A2,二,1980-01-01,082201,1")
    assert len(import_roll(data, eligibility=RULES, roll_key=KEY).entries) == 2


def test_size_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(roll_module, "MAX_ROLL_BYTES", len(GOOD) - 1)
    ((row, _, reason),) = refused(GOOD)
    assert row == 0 and "larger than" in reason


def test_invalid_roll_error() -> None:
    with pytest.raises(ValueError):
        InvalidRoll([])
    error = InvalidRoll(
        [RollProblem(0, "", "x")] + [RollProblem(i, "f", "y") for i in range(2, 14)]
    )
    assert error.code == "invalid_roll"
    assert "file: x" in str(error) and "and 3 more" in str(error)


def test_roll_amendment_counts() -> None:
    a = RollEntry(voter_key(KEY, "A1"), "082201", "1")
    b = RollEntry(voter_key(KEY, "A2"), "082201", "1")
    moved = RollEntry(voter_key(KEY, "A2"), "082201", "2")
    c = RollEntry(voter_key(KEY, "A3"), "082201", "1")
    amendment = roll_amendment([a, b], [a, moved, c], reason="転居と転入")
    assert (amendment.added, amendment.removed) == (2, 1)
    assert amendment.reason == "転居と転入"


_cells = st.sampled_from(
    [
        "A1",
        "A2",
        "",
        "一",
        "1980-01-01",
        "2020-02-29",
        "082201",
        "131016",
        "1",
        '"',
        '"x,y"',
        "\ufeff",
        "0" * 40,
        "-",
        " ",
    ]
)


@settings(max_examples=300)
@given(st.lists(st.lists(_cells, max_size=7), max_size=6), st.booleans())
def test_any_csv_is_accepted_or_reported(rows: list[list[str]], header: bool) -> None:
    text = (HEADER if header else "") + "".join(",".join(r) + "\n" for r in rows)
    try:
        result = import_roll(text.encode(), eligibility=RULES, roll_key=KEY)
    except InvalidRoll as exc:
        assert exc.problems
    else:
        assert len(result.entries) + len(result.excluded) <= len(rows)


@given(st.binary(max_size=200))
def test_any_bytes_are_accepted_or_reported(data: bytes) -> None:
    try:
        import_roll(HEADER.encode() + data, eligibility=RULES, roll_key=KEY)
    except InvalidRoll as exc:
        assert exc.problems
