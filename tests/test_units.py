"""Tests for metrics.values.units."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from metrics.values.units import (
    COUNT_UNITS,
    RANK,
    SCALE_WORDS,
    Unit,
    UnitError,
    convert,
    is_rank,
    lookup_unit,
    parse_unit,
    scale_prefix,
    shift_decimal,
    unscaled,
)


@pytest.mark.parametrize(
    ("text", "symbol", "base", "factor"),
    [
        ("%", "%", "%", 1.0),
        ("％", "%", "%", 1.0),
        ("‰", "‰", "%", 0.1),
        ("个百分点", "个百分点", "个百分点", 1.0),
        ("百分点", "个百分点", "个百分点", 1.0),
        ("元", "元", "元", 1.0),
        ("千元", "千元", "元", 1e3),
        ("万元", "万元", "元", 1e4),
        ("百万元", "百万元", "元", 1e6),
        ("亿元", "亿元", "元", 1e8),
        ("万亿元", "万亿元", "元", 1e12),
        ("人", "人", "人", 1.0),
        ("万人", "万人", "人", 1e4),
        ("人次", "人次", "人次", 1.0),
        ("万人次", "万人次", "人次", 1e4),
        ("平方米", "平方米", "平方米", 1.0),
        ("平米", "平方米", "平方米", 1.0),
        ("㎡", "平方米", "平方米", 1.0),
        ("m2", "平方米", "平方米", 1.0),
        ("m²", "平方米", "平方米", 1.0),
        ("M2", "平方米", "平方米", 1.0),
        ("万平方米", "万平方米", "平方米", 1e4),
        ("万㎡", "万平方米", "平方米", 1e4),
        ("万平米", "万平方米", "平方米", 1e4),
        ("平方公里", "平方公里", "平方米", 1e6),
        ("km²", "平方公里", "平方米", 1e6),
        ("公顷", "公顷", "平方米", 1e4),
        ("亩", "亩", "平方米", 10000 / 15),
        ("米", "米", "米", 1.0),
        ("公里", "公里", "米", 1e3),
        ("km", "公里", "米", 1e3),
        ("千米", "公里", "米", 1e3),
        ("微克/立方米", "微克/立方米", "微克/立方米", 1.0),
        ("μg/m³", "微克/立方米", "微克/立方米", 1.0),
        ("µg/m3", "微克/立方米", "微克/立方米", 1.0),  # MICRO SIGN, not Greek mu
        ("ug/m3", "微克/立方米", "微克/立方米", 1.0),
        ("微克每立方米", "微克/立方米", "微克/立方米", 1.0),
        (" 微克 / 立方米 ", "微克/立方米", "微克/立方米", 1.0),
        ("天", "天", "天", 1.0),
        ("日", "天", "天", 1.0),
        ("小时", "小时", "小时", 1.0),
        ("月", "月", "月", 1.0),
        ("个月", "月", "月", 1.0),
        ("年", "年", "年", 1.0),
        ("倍", "倍", "倍", 1.0),
        ("个", "个", "个", 1.0),
        ("所", "所", "所", 1.0),
        ("场次", "场次", "场次", 1.0),
        ("岗位", "岗位", "岗位", 1.0),
        ("万个", "万个", "个", 1e4),
        ("万张", "万张", "张", 1e4),
        ("千家", "千家", "家", 1e3),
        ("十万户", "十万户", "户", 1e5),
        ("千万株", "千万株", "株", 1e7),
        ("亿棵", "亿棵", "棵", 1e8),
        ("万亩", "万亩", "平方米", 1e4 * 10000 / 15),
    ],
)
def test_lookup_known_spellings(text: str, symbol: str, base: str, factor: float) -> None:
    unit = lookup_unit(text)
    assert unit is not None
    assert (unit.symbol, unit.base) == (symbol, base)
    assert math.isclose(unit.factor, factor, rel_tol=1e-12)
    assert parse_unit(text) == unit


@pytest.mark.parametrize("text", ["", "   ", "斤斤", "abc", "个个", "万", "亿", "百个", "%%"])
def test_lookup_unknown_is_none(text: str) -> None:
    assert lookup_unit(text) is None


def test_parse_unit_unknown_message_names_the_unit() -> None:
    with pytest.raises(UnitError, match="无法识别的单位“斤斤”") as info:
        parse_unit(" 斤斤 ")
    assert "请使用常见单位" in str(info.value)


def test_parse_unit_empty_message() -> None:
    with pytest.raises(UnitError, match="未填写单位"):
        parse_unit("")


@pytest.mark.parametrize("count", COUNT_UNITS)
def test_every_count_unit_is_its_own_dimension(count: str) -> None:
    unit = parse_unit(count)
    assert unit == Unit(count, count, 1.0)
    for prefix, power in SCALE_WORDS:
        scaled = parse_unit(prefix + count)
        assert scaled == Unit(prefix + count, count, 10.0**power)


def test_count_units_do_not_convert_into_each_other() -> None:
    with pytest.raises(UnitError, match="不能换算"):
        convert(35, parse_unit("所"), parse_unit("个"))


@pytest.mark.parametrize(
    ("value", "source", "target", "expected"),
    [
        (9.62, "万人", "人", 96200.0),
        (96200, "人", "万人", 9.62),
        (1141, "亿元", "万元", 11410000.0),
        (60, "亿元", "亿元", 60.0),
        (0.3, "亿元", "万元", 3000.0),
        (27.76, "万平方米", "平方米", 277600.0),
        (1, "平方公里", "公顷", 100.0),
        (15, "亩", "平方米", 10000.0),
        (3, "亩", "万亩", 0.0003),
        (1, "公里", "米", 1000.0),
        (5, "‰", "%", 0.5),
        (1, "毫克/立方米", "微克/立方米", 1000.0),
        (2, "日", "天", 2.0),
    ],
)
def test_convert_examples(value: float, source: str, target: str, expected: float) -> None:
    assert convert(value, parse_unit(source), parse_unit(target)) == expected


@pytest.mark.parametrize(
    ("source", "target"),
    [
        ("%", "个百分点"),
        ("元", "人"),
        ("天", "小时"),
        ("月", "年"),
        ("人", "人次"),
        ("米", "平方米"),
    ],
)
def test_convert_incompatible_raises(source: str, target: str) -> None:
    with pytest.raises(UnitError, match=f"单位“{source}”不能换算为“{target}”"):
        convert(1.0, parse_unit(source), parse_unit(target))


@pytest.mark.parametrize(
    ("symbol", "expected"),
    [
        ("万人", "人"),
        ("亿元", "元"),
        ("千元", "元"),
        ("万平方米", "平方米"),
        ("万亩", "亩"),
        ("万张", "张"),
        ("人", "人"),
        ("公里", "公里"),
        ("平方公里", "平方公里"),
        ("%", "%"),
    ],
)
def test_unscaled(symbol: str, expected: str) -> None:
    assert unscaled(parse_unit(symbol)) == parse_unit(expected)


_DIMENSIONS = (
    ("元", "千元", "万元", "百万元", "亿元", "万亿元"),
    ("人", "万人", "十万人"),
    ("平方米", "万平方米", "平方公里", "公顷", "亩", "万亩"),
    ("米", "公里", "万公里"),
    ("%", "‰"),
    ("个", "万个", "亿个"),
)


@st.composite
def _compatible_pair(draw: st.DrawFn) -> tuple[Unit, Unit]:
    symbols = draw(st.sampled_from(_DIMENSIONS))
    return parse_unit(draw(st.sampled_from(symbols))), parse_unit(draw(st.sampled_from(symbols)))


@given(
    pair=_compatible_pair(),
    value=st.floats(min_value=-1e12, max_value=1e12, allow_nan=False, allow_infinity=False),
)
def test_convert_round_trip(pair: tuple[Unit, Unit], value: float) -> None:
    source, target = pair
    back = convert(convert(value, source, target), target, source)
    assert math.isclose(back, value, rel_tol=1e-12, abs_tol=1e-300)


@given(
    value=st.decimals(min_value=-(10**9), max_value=10**9, places=2, allow_nan=False),
    prefix=st.sampled_from(SCALE_WORDS),
    base=st.sampled_from(("元", "人", "个", "张")),
)
def test_convert_prefix_is_exact_decimal_shift(
    value: object, prefix: tuple[str, int], base: str
) -> None:
    number = float(str(value))
    word, power = prefix
    shifted = convert(number, parse_unit(word + base), parse_unit(base))
    assert shifted == float(f"{value}e{power}")


@pytest.mark.parametrize(("word", "power"), SCALE_WORDS)
def test_no_unit_is_spelled_like_a_bare_scale_word(word: str, power: int) -> None:
    # The quantity parser relies on this to read "9.62万" without a unit.
    assert lookup_unit(word) is None
    assert parse_unit(word + "元").factor == 10.0**power


def test_rank_and_case_counts_are_their_own_units() -> None:
    rank = parse_unit("名次")
    assert rank.base == "名次" and parse_unit("位次") == rank
    assert parse_unit("起").base == "起"
    with pytest.raises(UnitError):
        convert(1.0, rank, parse_unit("名"))


@pytest.mark.parametrize(
    ("symbol", "prefix"),
    [
        ("万人", "万"),
        ("亿元", "亿"),
        ("万平方米", "万"),
        ("十万人次", "十万"),
        ("人", ""),
        ("元", ""),
        ("千克", ""),  # a unit of its own, not 千 × 克
        ("公里", ""),
        ("%", ""),
        ("名次", ""),
    ],
)
def test_scale_prefix(symbol: str, prefix: str) -> None:
    unit = parse_unit(symbol)
    assert scale_prefix(unit) == prefix
    assert unit.symbol == prefix + unscaled(unit).symbol


def test_ranks_are_recognised() -> None:
    assert RANK == "名次"
    assert is_rank(parse_unit("名次")) and is_rank(parse_unit("位次"))
    assert not is_rank(parse_unit("名")) and not is_rank(None)


@given(st.integers(min_value=-(10**9), max_value=10**9), st.integers(min_value=-8, max_value=8))
def test_shift_decimal_moves_the_point_exactly(mantissa: int, power: int) -> None:
    assert shift_decimal(float(mantissa), power) == float(f"{mantissa}e{power}")
