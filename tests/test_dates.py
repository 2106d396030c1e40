"""Tests for metrics.values.dates."""

from __future__ import annotations

import datetime

import pytest
from hypothesis import assume, example, given
from hypothesis import strategies as st

from metrics.values.dates import (
    MAX_TEXT_LENGTH,
    MAX_YEAR,
    MIN_YEAR,
    DateError,
    parse_date,
    to_excel_serial,
)

MAY_31 = datetime.date(2021, 5, 31)


@pytest.mark.parametrize(
    "raw",
    [
        MAY_31,
        datetime.datetime(2021, 5, 31, 8, 30),
        datetime.datetime(2021, 5, 31, 23, 59, 59),
        44347,
        44347.0,
        44347.99,
        "44347",
        " 44347 ",
        "44347.5",
        "2021-05-31",
        "2021-5-31",
        "2021/5/31",
        "2021/05/31",
        "2021.5.31",
        "2021年5月31日",
        "2021年05月31日",
        "2021年5月31号",
        "2021年5月31",
        " 2021 年 5 月 31 日 ",
        "２０２１年５月３１日",
        "２０２１－０５－３１",
        "20210531",
        "2021-05-31 00:00:00",
        "2021-05-31T08:00:00",
        "2021-05-31T08:00:00.123",
        "2021-05-31T08:00:00+08:00",
        "2021-05-31 8:00",
        "2021/5/31 8:00:00",
    ],
)
def test_accepted(raw: object) -> None:
    assert parse_date(raw) == MAY_31


@pytest.mark.parametrize(
    ("serial", "expected"),
    [
        (1, datetime.date(1900, 1, 1)),
        (59, datetime.date(1900, 2, 28)),
        (61, datetime.date(1900, 3, 1)),
        (44347, MAY_31),
        (73050, datetime.date(2099, 12, 31)),
        (109574, datetime.date(2199, 12, 31)),
    ],
)
def test_excel_1900_serials(serial: int, expected: datetime.date) -> None:
    assert parse_date(serial) == expected
    assert to_excel_serial(expected) == serial


@pytest.mark.parametrize(
    ("serial", "expected"),
    [(0, datetime.date(1904, 1, 1)), (42885, MAY_31), ("42885", MAY_31)],
)
def test_excel_1904_serials(serial: object, expected: datetime.date) -> None:
    assert parse_date(serial, date1904=True) == expected


def test_1904_and_1900_differ_by_1462_days() -> None:
    assert parse_date(44347) == parse_date(44347 - 1462, date1904=True)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2021年5月", MAY_31),
        ("2021年5月份", MAY_31),
        ("2021-05", MAY_31),
        ("2021/5", MAY_31),
        ("202105", MAY_31),
        ("2024年2月", datetime.date(2024, 2, 29)),
        ("2023-02", datetime.date(2023, 2, 28)),
    ],
)
def test_year_month_with_allow_month(raw: str, expected: datetime.date) -> None:
    assert parse_date(raw, allow_month=True) == expected
    with pytest.raises(DateError, match=r"只填写了年月.*请填写完整日期"):
        parse_date(raw)


def test_full_dates_unaffected_by_allow_month() -> None:
    assert parse_date("2021-05-31", allow_month=True) == MAY_31


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("", "未填写日期"),
        ("   ", "未填写日期"),
        (None, "未填写日期"),
        (True, "逻辑值“TRUE”不是日期"),
        (False, "逻辑值“FALSE”不是日期"),
        (float("nan"), "未填写日期或日期无效"),
        (float("inf"), "超出范围"),
        (10**400, "超出范围"),
        ("2021-02-30", "日期“2021-02-30”不存在：2021年2月只有 28 天"),
        ("2021年2月30日", "不存在"),
        ("2021-13-01", "月份应为 1 至 12"),
        ("20211301", "月份应为 1 至 12"),
        ("明天", "无法识别的日期“明天”：请填写日期，如 2021-05-31 或 2021年5月31日"),
        ("2021-05/31", "无法识别的日期"),
        ("2021-05-31 25", "无法识别的日期"),
        (0, "不是有效的日期"),
        (-1, "不是有效的日期"),
        (2958466, "不是有效的日期"),
        ("2958466", "不是有效的日期"),
        (-1, "Excel 日期序号应在 1 至 2958465 之间"),
        (60, "1900年2月29日，该日期不存在"),
        (2958465, "年份 9999 超出范围"),
        ("1899-12-31", "年份 1899 超出范围"),
        ("2201-01-01", "年份 2201 超出范围"),
        (datetime.date(2201, 1, 1), "年份 2201 超出范围"),
        (datetime.datetime(1800, 1, 1), "年份 1800 超出范围"),
        (2021, "看起来是年份"),
        ("2021", "看起来是年份"),
        ("2021年5月", "只填写了年月“2021年5月”"),
        ("2021-05", "只填写了年月"),
        ("x" * (MAX_TEXT_LENGTH + 1), "内容过长"),
        (object(), "无法识别的日期"),
    ],
)
def test_rejected(raw: object, message: str) -> None:
    with pytest.raises(DateError) as info:
        parse_date(raw)
    assert message in str(info.value)


def test_too_long_text_is_not_echoed() -> None:
    raw = "2021-05-31" + " " * MAX_TEXT_LENGTH
    with pytest.raises(DateError) as info:
        parse_date(raw)
    assert raw not in str(info.value)


def test_date_error_is_value_error() -> None:
    assert issubclass(DateError, ValueError)


# ---------------------------------------------------------------------------
# Properties

_DATES = st.dates(datetime.date(MIN_YEAR, 1, 1), datetime.date(MAX_YEAR, 12, 31))


@given(_DATES)
@example(datetime.date(1900, 1, 1))
@example(datetime.date(2200, 12, 31))
@example(datetime.date(2024, 2, 29))
def test_round_trip_text(day: datetime.date) -> None:
    assert parse_date(f"{day:%Y年%m月%d日}") == day
    assert parse_date(f"{day.year}年{day.month}月{day.day}日") == day
    assert parse_date(day.isoformat()) == day
    assert parse_date(f"{day:%Y/%m/%d}") == day
    assert parse_date(f"{day:%Y%m%d}") == day
    assert parse_date(datetime.datetime(day.year, day.month, day.day, 12).isoformat()) == day
    assert parse_date(day) == day


@given(_DATES, st.booleans())
@example(datetime.date(1900, 3, 1), False)
@example(datetime.date(1900, 2, 28), False)
def test_round_trip_excel_serial(day: datetime.date, date1904: bool) -> None:
    assume(not date1904 or day >= datetime.date(1904, 1, 1))
    serial = to_excel_serial(day, date1904=date1904)
    assume(not MIN_YEAR <= serial <= MAX_YEAR)  # such serials are rejected as years
    assert parse_date(serial, date1904=date1904) == day
    assert parse_date(float(serial) + 0.5, date1904=date1904) == day
    assert parse_date(str(serial), date1904=date1904) == day


@given(st.text(max_size=60))
@example("2021-02-29")
@example("0000-00-00")
@example("9999-99-99")
@example("2021年0月1日")
def test_any_text_raises_only_date_error(text: str) -> None:
    try:
        day = parse_date(text)
    except DateError as error:
        assert str(error)
    else:
        assert MIN_YEAR <= day.year <= MAX_YEAR


@given(st.text(alphabet="0123456789-/.年月日号 T:", max_size=25), st.booleans())
def test_date_like_text_raises_only_date_error(text: str, allow_month: bool) -> None:
    try:
        day = parse_date(text, allow_month=allow_month)
    except DateError as error:
        assert str(error)
    else:
        assert MIN_YEAR <= day.year <= MAX_YEAR


@given(st.one_of(st.integers(), st.floats()))
def test_any_number_raises_only_date_error(value: float) -> None:
    try:
        day = parse_date(value)
    except DateError as error:
        assert str(error)
    else:
        assert 1 <= value < 2958466
        assert MIN_YEAR <= day.year <= MAX_YEAR
