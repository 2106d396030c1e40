"""Units of measurement written by staff, and conversion between them.

Every unit belongs to a dimension named by its *base* unit ("亿元" -> "元",
"公顷" -> "平方米"). Two units convert into each other only when their bases
are equal, so "35所" can never silently become "35个".

Count units and a few others accept a scale prefix (千, 万, 十万, 百万, 千万,
亿, 万亿): "万张" is 1e4 张, "万亩" is 1e4 亩. The table of every spelling is
built once at import from the short definitions below and is read-only.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from types import MappingProxyType


@dataclass(frozen=True, slots=True)
class Unit:
    """A unit: ``1 <symbol> == factor <base>``."""

    symbol: str  # canonical spelling as displayed, e.g. "亿元", "万平方米", "%"
    base: str  # canonical base unit of the dimension, e.g. "元", "平方米"
    factor: float  # 1 symbol == factor base, e.g. 亿元 -> 1e8


class UnitError(ValueError):
    """A unit is unknown or cannot be converted; ``str(error)`` is a Chinese message."""


# Scale words with their power of ten, longest first so that "千万" wins over "千".
# Shared with the quantity parser, where they may follow a number ("9.62万").
SCALE_WORDS: tuple[tuple[str, int], ...] = (
    ("万亿", 12),
    ("十万", 5),
    ("百万", 6),
    ("千万", 7),
    ("千", 3),
    ("万", 4),
    ("亿", 8),
)

# Counted things: each is its own dimension.
COUNT_UNITS: tuple[str, ...] = (
    "个",
    "所",
    "项",
    "家",
    "次",
    "名",
    "篇",
    "条",
    "张",
    "份",
    "本",
    "期",
    "场",
    "场次",
    "件",
    "户",
    "套",
    "座",
    "处",
    "批",
    "村",
    "辆",
    "棵",
    "株",
    "台",
    "岗位",
    "起",
    "宗",
)


# The unit of a rank: 1 名次 is "第1", the first place.
RANK = "名次"


@dataclass(frozen=True, slots=True)
class _Definition:
    symbol: str
    base: str
    factor: float = 1.0
    aliases: tuple[str, ...] = ()  # spellings after normalisation (NFKC, no spaces, lower case)
    scalable: bool = False  # accepts a scale prefix from SCALE_WORDS


_DEFINITIONS: tuple[_Definition, ...] = (
    _Definition("元", "元", scalable=True),
    _Definition("人", "人", scalable=True),
    _Definition("人次", "人次", scalable=True),
    _Definition("平方米", "平方米", aliases=("平米", "m2"), scalable=True),
    _Definition("平方公里", "平方米", 1e6, aliases=("平方千米", "km2")),
    _Definition("公顷", "平方米", 1e4, aliases=("ha",), scalable=True),
    _Definition("亩", "平方米", 10000 / 15, scalable=True),
    _Definition("米", "米", aliases=("m",), scalable=True),
    _Definition("公里", "米", 1e3, aliases=("千米", "km"), scalable=True),
    _Definition("千克", "千克", aliases=("公斤", "kg")),
    _Definition("吨", "千克", 1e3, aliases=("t",), scalable=True),
    _Definition("%", "%"),
    _Definition("‰", "%", 0.1),
    _Definition("个百分点", "个百分点", aliases=("百分点",)),
    _Definition(
        "微克/立方米",
        "微克/立方米",
        aliases=("μg/m3", "ug/m3", "微克每立方米", "μg/立方米", "ug/立方米"),
    ),
    _Definition("毫克/立方米", "微克/立方米", 1e3, aliases=("mg/m3", "毫克每立方米")),
    _Definition("天", "天", aliases=("日",)),
    _Definition("小时", "小时"),
    _Definition("月", "月", aliases=("个月",)),
    _Definition("年", "年"),
    _Definition("倍", "倍"),
    # A rank ("居全市第1"): its own dimension, never scaled; shown as "第1" (see is_rank).
    _Definition(RANK, RANK, aliases=("位次",)),
    *(_Definition(count, count, scalable=True) for count in COUNT_UNITS),
)


def _entries() -> Iterator[tuple[str, Unit]]:
    """Every spelling with its unit: plain spellings first, then prefixed ones."""
    for item in _DEFINITIONS:
        unit = Unit(item.symbol, item.base, item.factor)
        for spelling in (item.symbol, *item.aliases):
            yield spelling, unit
    for item in _DEFINITIONS:
        if not item.scalable:
            continue
        for prefix, power in SCALE_WORDS:
            unit = Unit(prefix + item.symbol, item.base, 10.0**power * item.factor)
            for spelling in (item.symbol, *item.aliases):
                yield prefix + spelling, unit


def _build_table() -> Mapping[str, Unit]:
    table: dict[str, Unit] = {}
    for spelling, unit in _entries():
        # An explicit spelling ("千米" = 公里) wins over a generated one (千 + 米).
        table.setdefault(spelling, unit)
    return MappingProxyType(table)


_UNITS: Mapping[str, Unit] = _build_table()

# Scaled symbol ("万人") -> the same unit without its scale prefix ("人").
_UNSCALED: Mapping[str, Unit] = MappingProxyType(
    {
        prefix + item.symbol: Unit(item.symbol, item.base, item.factor)
        for item in _DEFINITIONS
        if item.scalable
        for prefix, _ in SCALE_WORDS
        if _UNITS[prefix + item.symbol].symbol == prefix + item.symbol
    }
)

_EXAMPLES = "个、人、万人、万元、亿元、平方米、%、微克/立方米"


def normalise_unit_text(text: str) -> str:
    """NFKC, no whitespace, lower case: "㎡" -> "m2", " UG/M³ " -> "ug/m3"."""
    folded = unicodedata.normalize("NFKC", text)
    return "".join(folded.split()).lower()


def lookup_unit(text: str) -> Unit | None:
    """The unit spelled ``text``, or None if unknown (and for "")."""
    unit = _UNITS.get(text)
    if unit is not None:
        return unit
    return _UNITS.get(normalise_unit_text(text))


def parse_unit(text: str) -> Unit:
    """The unit spelled ``text``; raises UnitError with a Chinese message if unknown."""
    unit = lookup_unit(text)
    if unit is not None:
        return unit
    shown = text.strip()
    if not shown:
        raise UnitError(f"未填写单位：请填写单位，如 {_EXAMPLES}")
    raise UnitError(f"无法识别的单位“{shown}”：请使用常见单位，如 {_EXAMPLES}")


def unscaled(unit: Unit) -> Unit:
    """The unit without its scale prefix: 万人 -> 人, 亿元 -> 元, 万亩 -> 亩; others unchanged."""
    return _UNSCALED.get(unit.symbol, unit)


def scale_prefix(unit: Unit) -> str:
    """The scale word a unit starts with: 万人 -> "万", 亿元 -> "亿", 人 -> ""."""
    plain = _UNSCALED.get(unit.symbol)
    return "" if plain is None else unit.symbol[: len(unit.symbol) - len(plain.symbol)]


def is_rank(unit: Unit | None) -> bool:
    """A rank (名次, 位次): the number is a place, shown as "第1", never "1名次"."""
    return unit is not None and unit.base == RANK


def convert(value: float, source: Unit, target: Unit) -> float:
    """``value`` in ``source`` expressed in ``target``; UnitError if the dimensions differ."""
    if source.base != target.base:
        raise UnitError(
            f"单位“{source.symbol}”不能换算为“{target.symbol}”：两者不是同一类量，"
            f"请按指标的单位（{target.symbol}）填写"
        )
    if source.factor == target.factor:
        return value
    ratio = source.factor / target.factor
    power = round(math.log10(ratio))
    if math.isclose(ratio, 10.0**power, rel_tol=1e-12):
        # Scale prefixes differ by a power of ten: shift the decimal point exactly.
        return shift_decimal(value, power)
    return value * ratio


def shift_decimal(value: float, power: int) -> float:
    """``value * 10**power`` rounded as a person would: 9.62 * 1e4 == 96200.0 exactly."""
    if not math.isfinite(value):
        return value * 10.0**power
    mantissa, _, exponent = repr(value).partition("e")
    return float(f"{mantissa}e{int(exponent or 0) + power}")
