"""Tests for metrics.values.quantities, numerals, qualifiers and formatting."""

from __future__ import annotations

import math
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from metrics.values.formatting import format_number
from metrics.values.qualifiers import ABOUT, QUALIFIER_WORDS, Place, Qualifier, Sense
from metrics.values.quantities import MAX_TEXT_LENGTH, Quantity, parse_quantity
from metrics.values.quantity_errors import QuantityError
from metrics.values.units import UnitError, parse_unit
from metrics.workbook.loader import load_workbook
from tests.builders import indicator, observation, write_valid

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
    assert (quantity.qualifier is not None) is approximate


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
        ("5000万元至1亿元", "是一个范围，不是一个确切的数"),
        ("10-20", "是一个范围，不是一个确切的数：请写成确切数字，或写成“10余”表示10以上"),
        ("10~20", "是一个范围"),
        ("3、4", "包含多个数值：请只填写一个数值"),
        ("3或4", "包含多个数值"),
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
        (13050, "个", False, "13050个"),
        (3.0, "个", True, "约3个"),  # a bare flag (older callers): "约" before the number
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
        (1234567.891, None, False, "1234567.89"),
        (96200, "人", False, "96200人"),
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
    assert rough.qualifier is not None
    # "5余万": more than five 万, the word before the scale word; "5余家": after the number.
    place = Place.BEFORE_SCALE if unit.startswith("万") else Place.AFTER_NUMBER
    assert (rough.qualifier.word, rough.qualifier.place) == ("余", place)
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
    return Quantity(quantity.number, quantity.unit, quantity.qualifier, text, quantity.scaled)


# ---------------------------------------------------------------------------
# Ranges are not numbers: "三五家" is three to five, never 35

RANGES = [
    "三五家",
    "两三个",
    "七八十",
    "十二三",
    "三四百",
    "三五千",
    "一两万",
    "三五",
    "两三",
    "一二十",
    "五六十万",
    "三千四五百",
    "二十一二",
    "十二三万人",
    "约三五家",
    "三到五",
    "十至二十",
    "1-2",
    "3～5",
    "3~5",
    "3〜5",
    "3—5",
    "3－5",
    "3至5",
    "3到5",
    "3至5家",
    "3家至5家",
    "3000至5000万",
    "3万-5万",
    "3.5-4.5%",
]


@pytest.mark.parametrize("raw", RANGES)
def test_ranges_are_refused(raw: str) -> None:
    with pytest.raises(QuantityError) as info:
        parse_quantity(raw)
    message = str(info.value)
    assert "是一个范围" in message and "不是一个确切的数" in message
    assert "请写成确切数字，或写成“" in message and "余”表示" in message


@pytest.mark.parametrize(
    ("raw", "span", "low"),
    [
        ("三五家", "（3到5）", "3"),
        ("两三个", "（2到3）", "2"),
        ("七八十", "（70到80）", "70"),
        ("十二三", "（12到13）", "12"),
        ("三四百", "（300到400）", "300"),
        ("三五千", "（3000到5000）", "3000"),
        ("一两万", "（1万到2万）", "1万"),
        ("十二三万", "（12万到13万）", "12万"),
        ("三千四五百", "（3400到3500）", "3400"),
        ("3～5", "", "3"),
        ("3至5", "", "3"),
        ("1-2", "", "1"),
        ("3万-5万", "", "3万"),
    ],
)
def test_range_message_says_what_it_is_and_how_to_write_it(raw: str, span: str, low: str) -> None:
    with pytest.raises(QuantityError) as info:
        parse_quantity(raw)
    assert str(info.value) == (
        f"“{raw}”是一个范围{span}，不是一个确切的数：请写成确切数字，或写成“{low}余”表示{low}以上"
    )


@pytest.mark.parametrize(
    ("raw", "low"),
    [("十几", "10"), ("二十来个", "20"), ("几十", "100"), ("数百", "100"), ("上千", "100")],
)
def test_vague_numbers_are_refused(raw: str, low: str) -> None:
    with pytest.raises(QuantityError) as info:
        parse_quantity(raw)
    message = str(info.value)
    assert message.startswith(f"“{raw}”不是一个确切的数：请写成确切数字")
    assert f"“{low}余”表示{low}以上" in message


@pytest.mark.parametrize(
    ("raw", "number", "unit"),
    [
        ("十二", 12.0, None),
        ("二十三", 23.0, None),
        ("三百五十", 350.0, None),
        ("三千五百", 3500.0, None),
        ("一百一十", 110.0, None),
        ("一千零一十", 1010.0, None),
        ("两千五", 2500.0, None),
        ("三万五", 35000.0, None),
        ("三点五六", 3.56, None),
        ("百分之六十七点七", 67.7, "%"),
        ("-3.2%", -3.2, "%"),
        ("下降3.2%", -3.2, "%"),
        ("二〇二一", 2021.0, None),  # digit by digit: has a 零
        ("二〇二三", 2023.0, None),
        ("一九八九", 1989.0, None),  # digit by digit: three digits or more
        ("达到5", 5.0, None),
        ("1e-5", 1e-5, None),
    ],
)
def test_forms_that_look_like_ranges_but_are_numbers(
    raw: str, number: float, unit: str | None
) -> None:
    quantity = parse_quantity(raw)
    assert quantity.number == number
    assert (quantity.unit.symbol if quantity.unit else None) == unit
    assert quantity.qualifier is None


def test_a_range_in_the_workbook_is_a_problem_with_sheet_row_and_column(tmp_path: Path) -> None:
    path = write_valid(
        tmp_path / "ranges.xlsx",
        indicators=[
            indicator("A", 1, 单位="家", 方向="仅监测"),
            indicator("B", 3, 单位="个", 目标值="两三个", 目标日期="2021-12-31"),
        ],
        observations=[
            observation("A", "2021-05-31", "三五家"),
            observation("A", "2021-04-30", "2500余家"),
            observation("B", "2021-05-31", "3～5"),
        ],
    )
    result = load_workbook(path)
    assert not result.ok
    found = {(p.sheet, p.row, p.column): p.message for p in result.errors}
    assert set(found) == {("指标", 3, "目标值"), ("数据", 2, "数值"), ("数据", 4, "数值")}
    assert found[("数据", 2, "数值")] == (
        "“三五家”是一个范围（3到5），不是一个确切的数：请写成确切数字，或写成“3余”表示3以上"
    )
    assert found[("指标", 3, "目标值")].startswith("“两三个”是一个范围（2到3）")
    assert "写成“3余”表示3以上" in found[("数据", 4, "数值")]


# ---------------------------------------------------------------------------
# Qualifiers keep their word and their place


def Q(word: str, place: Place, scale: str = "") -> Qualifier:
    return Qualifier(word, place, scale)


BEFORE, AFTER_NUMBER, AFTER_UNIT = Place.BEFORE, Place.AFTER_NUMBER, Place.AFTER_UNIT


@pytest.mark.parametrize(
    ("raw", "qualifier"),
    [
        ("6200余", Q("余", AFTER_NUMBER)),
        ("2500余家", Q("余", AFTER_NUMBER)),
        ("十余万", Q("余", Place.BEFORE_SCALE, "万")),
        ("三十万余", Q("余", AFTER_NUMBER, "万")),
        ("2500万余元", Q("余", AFTER_NUMBER, "万")),
        ("3000多", Q("多", AFTER_NUMBER)),
        ("十多家", Q("多", AFTER_NUMBER)),
        ("近2", Q("近", BEFORE)),
        ("将近2倍", Q("将近", BEFORE)),
        ("约60亿元", Q("约", BEFORE, "亿")),
        ("大约60", Q("大约", BEFORE)),
        ("逾百分之九十", Q("逾", BEFORE)),
        ("超过100万人次", Q("超过", BEFORE, "万")),
        ("至少3", Q("至少", BEFORE)),
        ("60左右", Q("左右", AFTER_UNIT)),
        ("60亿元左右", Q("左右", AFTER_UNIT, "亿")),
        ("100人以上", Q("以上", AFTER_UNIT)),
        ("100上下", Q("上下", AFTER_UNIT)),
        ("5以下", Q("以下", AFTER_UNIT)),
    ],
)
def test_qualifier_word_and_place(raw: str, qualifier: Qualifier) -> None:
    quantity = parse_quantity(raw)
    assert quantity.qualifier == qualifier
    assert quantity.approximate


@pytest.mark.parametrize(
    ("word", "sense"),
    [
        *((word, Sense.MORE) for word in ("余", "多", "逾", "超过", "以上", "至少")),
        *((word, Sense.ABOUT) for word in ("约", "近", "将近", "左右", "上下", "大约")),
        ("以下", Sense.AT_MOST),
    ],
)
def test_qualifier_senses(word: str, sense: Sense) -> None:
    assert QUALIFIER_WORDS[word] is sense
    assert Qualifier(word, Place.BEFORE).sense is sense


def test_qualifier_is_checked() -> None:
    with pytest.raises(ValueError):
        Qualifier("大于", Place.BEFORE)
    with pytest.raises(ValueError):
        Qualifier("余", Place.AFTER_NUMBER, "斤")
    assert Qualifier("约", Place.BEFORE) == ABOUT


@pytest.mark.parametrize("raw", ["约60左右", "超过100人以上", "近十余万", "约2500余家"])
def test_two_qualifier_words_are_refused(raw: str) -> None:
    with pytest.raises(QuantityError) as info:
        parse_quantity(raw)
    assert "同时写了" in str(info.value) and "请只保留一个表示约数的词" in str(info.value)


@pytest.mark.parametrize(
    ("raw", "unit", "shown"),
    [
        ("6200余", "亩", "6200余亩"),
        ("2500余", "亩", "2500余亩"),
        ("十余万", "人次", "10余万人次"),
        ("三十万余", "次", "30万余次"),
        ("3000多", "家", "3000多家"),
        ("十多", "家", "10多家"),
        ("近2", "倍", "近2倍"),
        ("约60", "亿元", "约60亿元"),
        ("约11.8", "亿元", "约11.8亿元"),
        ("60左右", "亿元", "60亿元左右"),
        ("60亿元左右", "亿元", "60亿元左右"),
        ("超过100万人次", "人次", "超过100万人次"),
        ("超过100万人次", "万人次", "超过100万人次"),
        ("十余万", "万人次", "10余万人次"),
        ("2500万余元", "元", "2500万余元"),
        ("2500万余元", "万元", "2500余万元"),
        ("9700余", "个", "9700余个"),
        ("13050余", "个", "13050余个"),
        ("十余万", None, "10余万"),
        ("67.7", "%", "67.7%"),
        ("9.62万", "人", "96200人"),  # one number style: no thousands separator
    ],
)
def test_figures_are_shown_the_way_the_report_words_them(
    raw: str, unit: str | None, shown: str
) -> None:
    target = parse_unit(unit) if unit else None
    quantity = parse_quantity(raw)
    assert format_number(quantity.in_unit(target), target, quantity.qualifier) == shown


@pytest.mark.parametrize(
    ("raw", "unit", "shown"),
    [
        # The report's own phrases (data/source/report.txt): shown exactly as written.
        ("十余万", "人次", "十余万人次"),  # 观看群众达十余万人次: not "10万余"
        ("三十万余", "次", "三十万余次"),  # 浏览量达三十万余次
        ("6200余", "亩", "6200余亩"),
        ("十多", "家", "十多家"),  # 对辖区十多家单位进行专项检查
        ("近2", "倍", "近2倍"),
        ("约60", "亿元", "约60亿元"),
        ("60左右", "亿元", "60亿元左右"),
        ("约11.8", "亿元", "约11.8亿元"),
        ("2500余", "家", "2500余家"),
        ("3000多", "份", "3000多份"),
        ("20余", "条", "20余条"),
        ("三", "个", "三个"),
        ("13050", "个", "13050个"),
        # Written with a unit, another word or a conversion: the value written out.
        ("9.62万", "万人", "9.62万人"),
        ("1,141", "亿元", "1141亿元"),
        ("增长27", "%", "27%"),
        ("60亿元左右", "亿元", "60亿元左右"),
        ("1", "名次", "第1"),
    ],
)
def test_a_figure_is_shown_as_written(raw: str, unit: str, shown: str) -> None:
    target = parse_unit(unit)
    quantity = parse_quantity(raw)
    value = quantity.in_unit(target)
    assert format_number(value, target, quantity.qualifier, raw) == shown


@pytest.mark.parametrize(
    ("value", "qualifier", "expected"),
    [
        (1, None, "第1"),
        (1.0, False, "第1"),
        (12, None, "第12"),
        (3, Qualifier("约", Place.BEFORE), "约第3"),
    ],
)
def test_ranks_read_as_ranks(
    value: float, qualifier: Qualifier | bool | None, expected: str
) -> None:
    assert format_number(value, parse_unit("名次"), qualifier) == expected
    assert format_number(value, parse_unit("位次"), qualifier) == expected


# ---------------------------------------------------------------------------
# Properties over the whole numeral grammar

_CN = "零一二三四五六七八九"


def _section(number: int, leading: bool) -> str:
    """0 < number < 10000 in Chinese numerals: 零 for a gap, 十五 only at the very start."""
    out: list[str] = []
    gap = False
    for power, unit in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        digit = number // power % 10
        if digit == 0:
            gap = gap or bool(out)
            continue
        if gap:
            out.append("零")
            gap = False
        if unit == "十" and digit == 1 and leading and not out:
            out.append("十")
        else:
            out.append(_CN[digit] + unit)
    return "".join(out)


def _below_yi(number: int, leading: bool) -> str:
    """0 < number < 10**8: "三万五千", "一万零五", "十万"."""
    wan, rest = divmod(number, 10**4)
    text = _section(wan, leading) + "万" if wan else ""
    if rest:
        if wan and rest < 1000:
            text += "零"
        text += _section(rest, leading and not wan)
    return text


def chinese_numeral(number: int) -> str:
    """Reference renderer: 0 <= number < 10**16 in standard Chinese numerals.

    "一亿零一" (101), "一亿零一百万", "一万亿零一", "十亿", "一千零一十".
    """
    if number == 0:
        return "零"
    yi, rest = divmod(number, 10**8)
    text = _below_yi(yi, True) + "亿" if yi else ""
    if rest:
        if yi and rest < 10**7:
            text += "零"
        text += _below_yi(rest, not yi)
    return text


@pytest.mark.parametrize(
    ("number", "text"),
    [
        (0, "零"),
        (10, "十"),
        (15, "十五"),
        (110, "一百一十"),
        (1010, "一千零一十"),
        (10005, "一万零五"),
        (100000, "十万"),
        (1_000_100, "一百万零一百"),
        (100_000_001, "一亿零一"),
        (101_000_000, "一亿零一百万"),
        (110_000_000, "一亿一千万"),
        (1_000_000_000, "十亿"),
        (10**12 + 1, "一万亿零一"),
        (1_001_000_000_000, "一万零一十亿"),
    ],
)
def test_reference_renderer(number: int, text: str) -> None:
    assert chinese_numeral(number) == text


_NUMERALS = st.integers(min_value=0, max_value=2**53)


@st.composite
def spoken(draw: st.DrawFn, number: int) -> str:
    """``number`` in Chinese numerals, with the variants people write: 两 for 二 before
    百/千/万/亿, 〇 for 零."""
    text = chinese_numeral(number)
    chars = list(text)
    for index, ch in enumerate(chars[:-1]):
        if ch == "二" and chars[index + 1] in "百千万亿" and draw(st.booleans()):
            chars[index] = "两"
        elif ch == "零" and draw(st.booleans()):
            chars[index] = "〇"
    return "".join(chars)


@settings(deadline=None)  # a loaded CI machine must not make it flaky
@given(st.data(), _NUMERALS)
@example(None, 10**12 + 1)
@example(None, 2 * 10**8 + 2 * 10**4)
def test_every_chinese_numeral_reads_back(data: st.DataObject | None, number: int) -> None:
    text = chinese_numeral(number) if data is None else data.draw(spoken(number))
    quantity = parse_quantity(text)
    assert quantity.number == float(number), text
    assert quantity.unit is None and quantity.qualifier is None


@settings(deadline=None)  # a loaded CI machine must not make it flaky
@given(_NUMERALS, st.text(alphabet="0123456789", min_size=1, max_size=4))
def test_chinese_decimals_read_back(number: int, fraction: str) -> None:
    text = chinese_numeral(number) + "点" + "".join(_CN[int(d)] for d in fraction)
    assert parse_quantity(text).number == float(f"{number}.{fraction}")


@settings(deadline=None)  # a loaded CI machine must not make it flaky
@given(st.integers(min_value=0, max_value=10**4))
def test_chinese_percentages_read_back(number: int) -> None:
    quantity = parse_quantity("百分之" + chinese_numeral(number))
    assert quantity.number == float(number)
    assert quantity.unit is not None and quantity.unit.symbol == "%"


@settings(deadline=None)  # a loaded CI machine must not make it flaky
@given(
    st.integers(min_value=1, max_value=9999),
    st.sampled_from(["人次", "次", "人", "元"]),
    st.booleans(),
)
def test_yu_wan_reads_back_and_shows_as_wan_yu(number: int, unit: str, yu_first: bool) -> None:
    """ "十余万" (more than ten 万) and "十万余" (a little over ten 万) in 人次: both
    100000, and where 余 sits is kept: "10余万人次", "10万余人次" (or as written)."""
    numeral = chinese_numeral(number)
    text = f"{numeral}余万" if yu_first else f"{numeral}万余"
    target = parse_unit(unit)
    quantity = parse_quantity(text)
    assert quantity.in_unit(target) == number * 10**4
    place = Place.BEFORE_SCALE if yu_first else Place.AFTER_NUMBER
    assert quantity.qualifier == Qualifier("余", place, "万")
    shown = format_number(quantity.in_unit(target), target, quantity.qualifier)
    assert shown == (f"{number}余万{unit}" if yu_first else f"{number}万余{unit}")
    assert format_number(quantity.in_unit(target), target, quantity.qualifier, text) == (
        f"{text}{unit}"
    )


@settings(deadline=None)  # a loaded CI machine must not make it flaky
@given(
    st.integers(min_value=1, max_value=99_999),
    st.sampled_from(["", "家", "个", "亩"]),
    st.sampled_from(["余", "多"]),
)
def test_more_than_shows_its_word_after_the_number(number: int, unit: str, word: str) -> None:
    target = parse_unit(unit or "个")
    quantity = parse_quantity(f"{number}{word}{unit}")
    assert format_number(quantity.in_unit(target), target, quantity.qualifier) == (
        f"{number}{word}{target.symbol}"  # one number style: no thousands separator
    )


@settings(deadline=None)  # a loaded CI machine must not make it flaky
@given(
    st.decimals(min_value=0, max_value=Decimal("9999.99"), places=2, allow_nan=False),
    st.sampled_from(sorted(w for w in QUALIFIER_WORDS if w not in ("余", "多"))),
    st.sampled_from(["亿元", "倍", "%", "万人"]),
)
def test_every_qualifier_word_round_trips(value: Decimal, word: str, unit: str) -> None:
    """Prefix words stay before the number, suffix words after the unit."""
    target = parse_unit(unit)
    number = format_number(float(value), None)
    text = f"{number}{word}" if word in ("左右", "以上", "以下", "上下") else f"{word}{number}"
    quantity = parse_quantity(text)
    assert quantity.number == float(value)
    assert quantity.qualifier is not None and quantity.qualifier.word == word
    shown = format_number(quantity.in_unit(target), target, quantity.qualifier)
    expected = f"{number}{unit}{word}" if word in ("左右", "以上", "以下", "上下") else text + unit
    assert shown == expected


_RANGE_PAIRS = [(a, a + 1) for a in range(1, 9)] + [(3, 5)]


@st.composite
def range_forms(draw: st.DrawFn) -> str:
    """Every way of writing an adjacent-digit range: 三五, 七八十, 十二三, 三四百, 一两万,
    三千四五百, 二十一二万 ..., with or without a measure word, a prefix or 余."""
    low, high = draw(st.sampled_from(_RANGE_PAIRS))
    first = "两" if low == 2 and draw(st.booleans()) else _CN[low]
    second = "两" if high == 2 and draw(st.booleans()) else _CN[high]
    pair = first + second
    shape = draw(st.sampled_from(["bare", "small", "large", "tens", "hundreds", "thousands"]))
    if shape == "bare":
        body = pair
    elif shape == "small":
        body = pair + draw(st.sampled_from("十百千")) + draw(st.sampled_from(["", "万", "亿"]))
    elif shape == "large":
        body = pair + draw(st.sampled_from("万亿"))
    elif shape == "tens":
        tens = draw(st.sampled_from(["", *_CN[2:]]))
        body = f"{tens}十{pair}" + draw(st.sampled_from(["", "万"]))
    elif shape == "hundreds":
        body = f"{_CN[draw(st.integers(1, 9))]}百{pair}十"
    else:
        body = f"{_CN[draw(st.integers(1, 9))]}千{pair}百"
    before = draw(st.sampled_from(["", "约", "共", "达"]))
    after = draw(st.sampled_from(["", "余", "家", "个", "人次", "余家"]))
    return before + body + after


@settings(deadline=None)  # a loaded CI machine must not make it flaky
@given(range_forms())
@example("三五家")
@example("两三个")
@example("一两万")
def test_every_adjacent_digit_range_is_refused(text: str) -> None:
    with pytest.raises(QuantityError) as info:
        parse_quantity(text)
    assert "是一个范围" in str(info.value), text


@settings(deadline=None)  # a loaded CI machine must not make it flaky
@given(
    st.decimals(min_value=0, max_value=10**6, places=1, allow_nan=False),
    st.decimals(min_value=0, max_value=10**6, places=1, allow_nan=False),
    st.sampled_from(["-", "~", "～", "〜", "—", "–", "－", "至", "到"]),
    st.sampled_from(["", "家", "万", "%", "亿元"]),
    st.booleans(),
)
def test_every_written_range_is_refused(
    low: Decimal, high: Decimal, separator: str, unit: str, unit_on_both: bool
) -> None:
    text = f"{low}{unit if unit_on_both else ''}{separator}{high}{unit}"
    with pytest.raises(QuantityError) as info:
        parse_quantity(text)
    assert "是一个范围" in str(info.value), text
