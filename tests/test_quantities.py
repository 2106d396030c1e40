"""Tests for metrics.quantities."""

from __future__ import annotations

import math
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from metrics.quantities import (
    MAX_TEXT_LENGTH,
    Quantity,
    QuantityError,
    format_number,
    parse_quantity,
)
from metrics.units import UnitError, parse_unit

# (raw, number, unit symbol or None, approximate)
ACCEPTED: list[tuple[object, float, str | None, bool]] = [
    (67.7, 67.7, None, False),
    (30, 30.0, None, False),
    ("67.7", 67.7, None, False),
    (" 67.7 ", 67.7, None, False),
    ("67.7%", 67.7, "%", False),
    ("67.7 %", 67.7, "%", False),
    ("６７．７％", 67.7, "%", False),
    ("1,141", 1141.0, None, False),
    ("1，141", 1141.0, None, False),
    ("1,234,567.5", 1234567.5, None, False),
    ("9.62万", 96200.0, None, False),
    ("1141亿元", 1141.0, "亿元", False),
    ("27.76万平方米", 27.76, "万平方米", False),
    ("27.76万㎡", 27.76, "万平方米", False),
    ("52微克/立方米", 52.0, "微克/立方米", False),
    ("52 μg/m³", 52.0, "微克/立方米", False),
    ("2500余", 2500.0, None, True),
    ("2500余家", 2500.0, "家", True),
    ("8000余张", 8000.0, "张", True),
    ("十余万", 100000.0, None, True),
    ("三十万余", 300000.0, None, True),
    ("十多家", 10.0, "家", True),
    ("20余条", 20.0, "条", True),
    ("近2倍", 2.0, "倍", True),
    ("约60亿元", 60.0, "亿元", True),
    ("3000多份", 3000.0, "份", True),
    ("-3.2%", -3.2, "%", False),
    ("−3.2%", -3.2, "%", False),
    ("下降3.2%", -3.2, "%", False),
    ("下降3.2个百分点", -3.2, "个百分点", False),
    ("增长27%", 27.0, "%", False),
    ("同比增长18.5%", 18.5, "%", False),
    ("1.2e5", 120000.0, None, False),
    ("百分之六十七点七", 67.7, "%", False),
    ("九点六二万", 96200.0, None, False),
    ("两千", 2000.0, None, False),
    ("一百零五", 105.0, None, False),
    ("十", 10.0, None, False),
    ("二〇二一", 2021.0, None, False),
    ("十五", 15.0, None, False),
    ("三十", 30.0, None, False),
    ("一千零五", 1005.0, None, False),
    ("三万五千", 35000.0, None, False),
    ("两千五", 2500.0, None, False),
    ("一亿五千万", 150000000.0, None, False),
    ("两万亿元", 2e12, "元", False),
    ("零", 0.0, None, False),
    ("0", 0.0, None, False),
    ("-5", -5.0, None, False),
    ("+5", 5.0, None, False),
    (".5", 0.5, None, False),
    ("达95%", 95.0, "%", False),
    ("累计完成1141亿元", 1141.0, "亿元", False),
    ("共计35所", 35.0, "所", False),
    ("超过100万人次", 100.0, "万人次", True),
    ("逾百分之九十", 90.0, "%", True),
    ("60亿元左右", 60.0, "亿元", True),
    ("2500万余元", 2500.0, "万元", True),
    ("3千万", 3e7, None, False),
    ("3个月", 3.0, "月", False),
    ("5‰", 5.0, "‰", False),
    (Decimal("67.7"), 67.7, None, False),
    (Fraction(1, 4), 0.25, None, False),
]


@pytest.mark.parametrize(("raw", "number", "unit", "approximate"), ACCEPTED)
def test_accepted(raw: object, number: float, unit: str | None, approximate: bool) -> None:
    quantity = parse_quantity(raw)
    assert quantity.number == number
    assert (quantity.unit.symbol if quantity.unit else None) == unit
    assert quantity.approximate is approximate


@pytest.mark.parametrize(
    ("raw", "text"),
    [(67.7, "67.7"), (30, "30"), (" 67.7 ", " 67.7 "), ("9.62万", "9.62万")],
)
def test_text_is_the_original(raw: object, text: str) -> None:
    assert parse_quantity(raw).text == text


@pytest.mark.parametrize(
    ("raw", "scaled"),
    [
        ("67.7", False),
        (67.7, False),
        ("9.62万", True),
        ("十余万", True),
        ("1141亿元", False),
    ],
)
def test_scaled_flag(raw: object, scaled: bool) -> None:
    assert parse_quantity(raw).scaled is scaled


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("", "未填写数值"),
        ("   ", "未填写数值"),
        (None, "未填写数值"),
        (True, "逻辑值“TRUE”不是数值"),
        (False, "逻辑值“FALSE”不是数值"),
        (float("nan"), "未填写数值或数值无效"),
        (float("inf"), "超出范围"),
        (float("-inf"), "超出范围"),
        (10**400, "超出范围"),
        ("1e999", "超出范围"),
        ("abc", "无法识别的数值“abc”：请填写数字，如 67.7、67.7%、9.62万、1141亿元"),
        ("nan", "无法识别的数值“nan”"),
        ("inf", "无法识别的数值“inf”"),
        ("67.7.1", "无法识别的数值“67.7.1”"),
        ("1,14", "无法识别的数值“1,14”"),
        ("5000万元至1亿元", "请只填写一个数值"),
        ("10-20", "请只填写一个数值"),
        ("10~20", "请只填写一个数值"),
        ("3、4", "请只填写一个数值"),
        ("%", "无法识别的数值“%”"),
        ("百分之", "无法识别的数值"),
        ("万", "无法识别的数值"),
        ("12abc", "无法识别的单位“abc”"),
        ("12斤斤", "无法识别的单位“斤斤”"),
        ("12万斤斤", "无法识别的单位“斤斤”"),
        ("#DIV/0!", "Excel 错误值“#DIV/0!”"),
        ("#N/A", "Excel 错误值"),
        ("1 141", "中间有空格"),
        ("٣万", "无法识别的数值"),
        ("五万万", "无法识别的数值"),
        ("12万3", "无法识别的数值"),
        ("十百", "无法识别的数值"),
        ("百分之五十万元", "无法识别的数值"),
        (object(), "无法识别的数值"),
        ([1], "无法识别的数值"),
    ],
)
def test_rejected(raw: object, message: str) -> None:
    with pytest.raises(QuantityError) as info:
        parse_quantity(raw)
    assert message in str(info.value)


def test_too_long_text_is_not_echoed() -> None:
    raw = "1" * (MAX_TEXT_LENGTH + 1)
    with pytest.raises(QuantityError, match="内容过长") as info:
        parse_quantity(raw)
    assert raw not in str(info.value)
    assert str(MAX_TEXT_LENGTH + 1) in str(info.value)


def test_error_types() -> None:
    assert issubclass(QuantityError, ValueError)
    assert issubclass(UnitError, ValueError)


@pytest.mark.parametrize(
    ("raw", "target", "expected"),
    [
        ("67.7", "%", 67.7),
        (67.7, "%", 67.7),
        ("67.7", None, 67.7),
        ("67.7%", "%", 67.7),
        ("9.62万", "万人", 9.62),
        ("9.62万", "人", 96200.0),
        ("9.62万", None, 96200.0),
        ("3万", "万亩", 3.0),
        ("3万", "亩", 30000.0),
        ("60万", "亿元", 0.006),
        ("1141亿元", "亿元", 1141.0),
        ("1141亿元", "万元", 11410000.0),
        ("96200人", "万人", 9.62),
        ("2500余家", "家", 2500.0),
        ("5‰", "%", 0.5),
    ],
)
def test_in_unit(raw: object, target: str | None, expected: float) -> None:
    unit = parse_unit(target) if target else None
    assert parse_quantity(raw).in_unit(unit) == expected


@pytest.mark.parametrize(
    ("raw", "target", "message"),
    [
        ("35所", "个", "单位“所”不能换算为“个”"),
        ("67.7%", "个百分点", "不能换算"),
        ("60亿元", None, "该指标没有单位，但填写了单位“亿元”"),
    ],
)
def test_in_unit_incompatible(raw: object, target: str | None, message: str) -> None:
    unit = parse_unit(target) if target else None
    with pytest.raises(UnitError) as info:
        parse_quantity(raw).in_unit(unit)
    assert message in str(info.value)


@pytest.mark.parametrize(
    ("value", "unit", "approximate", "expected"),
    [
        (13050, "个", False, "13,050个"),
        (2500, "家", False, "2500家"),
        (2500, "家", True, "约2500家"),
        (1141, "亿元", False, "1141亿元"),
        (12345.678, "万元", False, "12345.68万元"),
        (9.62, "万人", False, "9.62万人"),
        (67.7, "%", False, "67.7%"),
        (67.70000000001, "%", False, "67.7%"),
        (52, "微克/立方米", False, "52微克/立方米"),
        (-3.2, "%", False, "-3.2%"),
        (-0.001, "%", False, "0%"),
        (0.005, None, False, "0.01"),
        (1234567.891, None, False, "1,234,567.89"),
        (96200, "人", False, "96,200人"),
        (100.0, None, False, "100"),
        (float("nan"), "%", False, "—"),
        (float("inf"), None, True, "—"),
    ],
)
def test_format_number(value: float, unit: str | None, approximate: bool, expected: str) -> None:
    assert format_number(value, parse_unit(unit) if unit else None, approximate) == expected


# ---------------------------------------------------------------------------
# Properties

_SANE_FLOATS = st.floats(
    min_value=-1e15, max_value=1e15, allow_nan=False, allow_infinity=False
) | st.floats(min_value=-1e-3, max_value=1e-3, allow_nan=False, allow_infinity=False)
_FULL_WIDTH = str.maketrans({chr(code): chr(code + 0xFEE0) for code in range(0x21, 0x7F)})


@given(_SANE_FLOATS)
@example(0.1)
@example(-0.0)
@example(1e-7)
def test_repr_round_trip(value: float) -> None:
    assert parse_quantity(repr(value)).number == value
    assert parse_quantity(value).number == value


@given(_SANE_FLOATS, st.integers(min_value=0, max_value=6))
def test_fixed_point_round_trip(value: float, places: int) -> None:
    text = f"{value:.{places}f}"
    assert parse_quantity(text).number == float(text)


@given(_SANE_FLOATS)
@example(1234567.5)
@example(-1234.25)
def test_thousands_separator_round_trip(value: float) -> None:
    assert parse_quantity(f"{value:,}").number == value
    text = f"{value:,.2f}"
    assert parse_quantity(text).number == float(text.replace(",", ""))


@given(_SANE_FLOATS, st.sampled_from(["", "%", "万", "亿元", "余家", "万平方米"]))
def test_full_width_equals_half_width(value: float, suffix: str) -> None:
    half = f"{value:.2f}{suffix}"
    full = half.translate(_FULL_WIDTH)
    assert full != half
    assert parse_quantity(full) == _with_text(parse_quantity(half), full)


@given(st.decimals(min_value=-(10**9), max_value=10**9, places=3, allow_nan=False))
def test_wan_scale_is_ten_thousand_times(value: Decimal) -> None:
    plain = parse_quantity(str(value))
    scaled = parse_quantity(f"{value}万")
    assert scaled.number == float(value * 10000)
    assert math.isclose(scaled.number, plain.number * 1e4, rel_tol=1e-15, abs_tol=1e-9)
    assert scaled.scaled
    assert not plain.scaled


@given(
    st.decimals(min_value=0, max_value=10**9, places=2, allow_nan=False),
    st.sampled_from(["", "万", "家", "万元", "万人"]),
)
def test_yu_suffix_sets_approximate_and_keeps_value(value: Decimal, unit: str) -> None:
    exact = parse_quantity(f"{value}{unit}")
    rough = parse_quantity(f"{value}余{unit}")
    assert not exact.approximate
    assert rough.approximate
    assert (rough.number, rough.unit, rough.scaled) == (
        exact.number,
        exact.unit,
        exact.scaled,
    )


@given(st.text(max_size=120))
@example("1e400")
@example("百分之")
@example("十十")
@example("亿亿")
def test_any_text_raises_only_quantity_error(text: str) -> None:
    try:
        quantity = parse_quantity(text)
    except QuantityError as error:
        assert str(error)
    else:
        assert math.isfinite(quantity.number)
        assert quantity.text == text


@given(
    st.decimals(min_value=-(10**9), max_value=10**9, places=2, allow_nan=False),
    st.sampled_from(["万", "亿", "千万", "亿元", "万人", "所", "%", "ug/m3", "余", "斤"]),
)
def test_fast_path_agrees_with_general_parser(value: Decimal, word: str) -> None:
    text = f"{value}{word}"
    try:
        fast = parse_quantity(text)
    except QuantityError:
        fast = None
    try:
        general = parse_quantity("共" + text)  # a neutral prefix forces the general parser
    except QuantityError:
        general = None
    assert fast == (None if general is None else _with_text(general, text))
    assert (fast is None) == (word == "斤")


_CELL_ALPHABET = (
    "0123456789.,-+%eE #"
    "万亿千百十余多约近超过左右以上下降增长元人个所家"
    "两零一二三四五六七八九点分之至"
)


@given(st.text(alphabet=_CELL_ALPHABET, max_size=20))
def test_cell_like_text_raises_only_quantity_error(text: str) -> None:
    try:
        quantity = parse_quantity(text)
    except QuantityError as error:
        assert str(error)
    else:
        assert math.isfinite(quantity.number)


def _with_text(quantity: Quantity, text: str) -> Quantity:
    return Quantity(quantity.number, quantity.unit, quantity.approximate, text, quantity.scaled)
