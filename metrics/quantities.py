"""Numbers as staff type them into spreadsheets.

``parse_quantity`` understands "67.7", "67.7%", "9.62万", "1141亿元", "2500余家",
"约60亿元", "下降3.2%", "百分之六十七点七", "九点六二万" and the like, and raises
``QuantityError`` (with a Chinese message) for anything else.

Grammar of a text, after NFKC normalisation::

    prefix* [百分之|千分之] [sign] number [余|多] [scale] [余|多] [unit] [左右|以上|...]

Plain ``int``/``float`` values and plain ASCII numbers ("67.7", "-3.2%", "1.2e5")
take a fast path that does no Unicode or regex work; an ASCII number followed by a
bare scale word or unit ("9.62万", "1141亿元") takes a second one (one regex).
"""

from __future__ import annotations

import math
import numbers
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from types import MappingProxyType
from typing import NamedTuple

from metrics.units import (
    SCALE_WORDS,
    Unit,
    UnitError,
    convert,
    lookup_unit,
    parse_unit,
    unscaled,
)

MAX_TEXT_LENGTH = 100

PERCENT: Unit = parse_unit("%")
PER_MILLE: Unit = parse_unit("‰")

_EXAMPLES = "如 67.7、67.7%、9.62万、1141亿元"


@dataclass(frozen=True, slots=True)
class Quantity:
    """A number read from a cell, with the unit and qualifiers written next to it."""

    number: float  # value as written, scale word applied ("9.62万" -> 96200.0)
    unit: Unit | None  # unit written with the number, if any ("1141亿元" -> 亿元)
    approximate: bool  # 余/多/约/近/逾/超过/左右/以上 ...
    text: str  # original text (str(raw) for numbers)
    scaled: bool = False  # a scale word (万, 亿, ...) was written and no unit

    def in_unit(self, target: Unit | None) -> float:
        """The value expressed in ``target``, the indicator's unit.

        - no unit and no scale word ("67.7"): already in ``target``, returned as is;
        - a unit ("60亿元"): converted to ``target`` (UnitError if incompatible, or if
          ``target`` is None);
        - a scale word and no unit ("9.62万"): the number counts ``target`` without its
          own scale prefix, so 9.62万 is 9.62 in 万人 and 96200 in 人; in 万亩 it is 9.62
          (9.62万亩), not 96200 平方米 expressed in 万亩.
        """
        if self.unit is not None:
            if target is None:
                raise UnitError(f"该指标没有单位，但填写了单位“{self.unit.symbol}”：请只填写数字")
            return convert(self.number, self.unit, target)
        if not self.scaled or target is None:
            return self.number
        return convert(self.number, unscaled(target), target)


class QuantityError(ValueError):
    """A cell cannot be read as a single number; ``str(error)`` is a Chinese message."""


# ---------------------------------------------------------------------------
# Word tables

_APPROXIMATE = "approximate"
_NEUTRAL = "neutral"
_DOWN = "down"
_UP = "up"

_PREFIX_KINDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        _APPROXIMATE,
        ("约", "大约", "大概", "近", "将近", "接近", "逾", "超", "超过", "至少"),
    ),
    (_APPROXIMATE, ("不少于", "不低于")),
    (_NEUTRAL, ("达", "达到", "共", "共计", "累计", "合计", "总计", "完成", "为")),
    (_NEUTRAL, ("同比", "环比", "比上年", "较上年", "比去年", "较去年")),
    (_DOWN, ("下降", "降低", "减少", "下滑", "回落", "下跌", "负")),
    (_UP, ("增长", "增加", "上升", "提高", "提升", "正")),
)
# (word, kind), longest word first so that "超过" wins over "超".
_PREFIX_WORDS: tuple[tuple[str, str], ...] = tuple(
    sorted(
        ((word, kind) for kind, words in _PREFIX_KINDS for word in words),
        key=lambda pair: -len(pair[0]),
    )
)
_PREFIX_FIRST_CHARS = frozenset(word[0] for word, _ in _PREFIX_WORDS)
_SCALE_POWERS: Mapping[str, int] = MappingProxyType(dict(SCALE_WORDS))
_APPROX_BEFORE_SCALE = ("余", "多")
_APPROX_SUFFIXES = ("左右", "以上", "以下", "上下", "余", "多")
_PERCENT_WORDS: tuple[tuple[str, Unit], ...] = (
    ("百分之", PERCENT),
    ("千分之", PER_MILLE),
)
_SEPARATORS = frozenset("至到~〜—–-、或;")
_MINUS_SIGNS = str.maketrans({"\u2212": "-", "\u2010": "-", "\u2011": "-"})

_CN_DIGITS = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_CN_SMALL_UNITS = {"十": 10, "百": 100, "千": 1000}
_CN_LARGE_UNITS = {"万": 10**4, "亿": 10**8}
_NO_SMALL_UNIT = 10**4
_CN_INTEGER_CHARS = frozenset(_CN_DIGITS) | frozenset(_CN_SMALL_UNITS) | frozenset(_CN_LARGE_UNITS)

_ARABIC = re.compile(r"(\d{1,3}(?:,\d{3})+|\d+)?(?:\.(\d+))?(?:[eE]([+-]?\d+))?", re.ASCII)
_NUMBER_THEN_WORD = re.compile(r"\s*([+-]?[0-9]+(?:\.[0-9]+)?)\s*([^0-9\s.,+-]+)\s*")
_DIGITS_SPLIT_BY_SPACE = re.compile(r"[\d.,]\s+[\d.,]", re.ASCII)


class _Number(NamedTuple):
    """A written number before conversion to float: ``float(f"{mantissa}e{exponent}")``."""

    mantissa: str  # ASCII decimal digits with an optional ".", no sign
    exponent: int
    scaled: bool  # contained 万 or 亿 (Chinese numerals)


class _Suffix(NamedTuple):
    unit: Unit | None
    exponent: int
    scaled: bool
    approximate: bool


# ---------------------------------------------------------------------------
# Public API


def parse_quantity(raw: object) -> Quantity:
    """Read one cell as a number; raises QuantityError (Chinese message) on anything else."""
    if isinstance(raw, float):
        return _from_float(raw, raw)
    if isinstance(raw, str):
        return _from_text(raw)
    if raw is None:
        raise QuantityError(f"未填写数值：请填写数字，{_EXAMPLES}")
    if isinstance(raw, bool):
        raise QuantityError(f"逻辑值“{str(raw).upper()}”不是数值：请填写数字，{_EXAMPLES}")
    if isinstance(raw, (numbers.Real, Decimal)):
        try:
            value = float(raw)
        except (OverflowError, ValueError, TypeError):
            raise QuantityError(
                f"数值“{_shorten(str(raw))}”超出范围：请填写正常大小的数字"
            ) from None
        return _from_float(value, raw)
    raise QuantityError(f"无法识别的数值“{_shorten(str(raw))}”：请填写数字，{_EXAMPLES}")


def format_number(value: float, unit: Unit | None, approximate: bool = False) -> str:
    """Chinese display form of a value in ``unit``.

    Rule: at most two decimals, trailing zeros dropped; the integer part is grouped
    with "," from five digits on ("13,050个", "2500家"), except for units carrying a
    scale prefix such as 万 or 亿, whose numbers are never grouped ("1141亿元",
    "9.62万人"); the unit symbol follows without a space; an approximate value gets
    the prefix "约" ("约2500家"); a value that is not finite is shown as "—".
    """
    if not math.isfinite(value):
        return "—"
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    sign = ""
    if text.startswith("-"):
        sign, text = "-", text[1:]
    if text == "0":
        sign = ""
    integer, dot, fraction = text.partition(".")
    if len(integer) >= 5 and (unit is None or unscaled(unit) is unit):
        integer = f"{int(integer):,}"
    shown = f"{sign}{integer}{dot}{fraction}{unit.symbol if unit else ''}"
    return f"约{shown}" if approximate else shown


# ---------------------------------------------------------------------------
# Fast paths


def _from_float(value: float, raw: object) -> Quantity:
    if math.isnan(value):
        raise QuantityError(f"未填写数值或数值无效：请填写数字，{_EXAMPLES}")
    if math.isinf(value):
        raise QuantityError("数值超出范围（无穷大）：请填写正常大小的数字")
    return Quantity(value, None, False, str(raw))


def _from_text(raw: str) -> Quantity:
    if len(raw) > MAX_TEXT_LENGTH:
        raise QuantityError(
            f"内容过长（共 {len(raw)} 个字符，最多 {MAX_TEXT_LENGTH} 个）："
            f"请只填写一个数值，{_EXAMPLES}"
        )
    quantity = _plain_ascii(raw)
    if quantity is None:
        quantity = _number_then_word(raw)
    return quantity if quantity is not None else _parse_text(raw)


def _plain_ascii(raw: str) -> Quantity | None:
    """Fast path for "67.7", " -3.2 ", "1.2e5" and "67.7%"."""
    if not raw.isascii() or "_" in raw:
        return None
    percent = raw.endswith("%")
    try:
        value = float(raw[:-1] if percent else raw)
    except ValueError:
        return None
    if not math.isfinite(value):
        return None
    return Quantity(value, PERCENT if percent else None, False, raw)


def _number_then_word(raw: str) -> Quantity | None:
    """Fast path for an ASCII number and a bare scale word or unit: "9.62万", "1141亿元"."""
    match = _NUMBER_THEN_WORD.fullmatch(raw)
    if match is None:
        return None
    number, word = match.group(1, 2)
    power = _SCALE_POWERS.get(word)
    if power is not None:
        return Quantity(float(f"{number}e{power}"), None, False, raw, scaled=True)
    unit = lookup_unit(word)
    if unit is None:
        return None
    return Quantity(float(number), unit, False, raw)


# ---------------------------------------------------------------------------
# The general parser


def _parse_text(raw: str) -> Quantity:
    text = unicodedata.normalize("NFKC", raw).translate(_MINUS_SIGNS).strip()
    _check_shape(text, raw)
    text = "".join(text.split())
    approximate, negative, pos = _read_prefixes(text, 0)
    percent_unit, pos = _read_percent_word(text, pos)
    if text.startswith(("-", "+"), pos):
        negative ^= text[pos] == "-"
        pos += 1
    number, pos = _read_number(text, pos, raw)
    suffix = _read_suffix(text[pos:], raw)
    if percent_unit is not None and (suffix.unit is not None or suffix.exponent):
        raise _unrecognised(raw)
    value = float(f"{'-' if negative else ''}{number.mantissa}e{number.exponent + suffix.exponent}")
    if not math.isfinite(value):
        raise QuantityError(f"数值“{_shorten(raw)}”超出范围：请填写正常大小的数字")
    return Quantity(
        number=value,
        unit=percent_unit or suffix.unit,
        approximate=approximate or suffix.approximate,
        text=raw,
        scaled=suffix.unit is None and percent_unit is None and (number.scaled or suffix.scaled),
    )


def _check_shape(text: str, raw: str) -> None:
    """Reject empty cells, Excel error values and digits split by spaces."""
    if not text:
        raise QuantityError(f"未填写数值：请填写数字，{_EXAMPLES}")
    if text.startswith("#"):
        raise QuantityError(f"单元格是 Excel 错误值“{text}”：请检查公式，填写计算出的数字")
    if _DIGITS_SPLIT_BY_SPACE.search(text):
        raise QuantityError(f"数字“{text}”中间有空格：请删除空格，如 1141 或 1,141")


def _read_prefixes(text: str, pos: int) -> tuple[bool, bool, int]:
    """Skip words before the number; return (approximate, negative, position)."""
    approximate = negative = False
    while pos < len(text) and text[pos] in _PREFIX_FIRST_CHARS:
        for word, kind in _PREFIX_WORDS:
            if text.startswith(word, pos):
                approximate |= kind == _APPROXIMATE
                negative ^= kind == _DOWN
                pos += len(word)
                break
        else:
            break
    return approximate, negative, pos


def _read_percent_word(text: str, pos: int) -> tuple[Unit | None, int]:
    for word, unit in _PERCENT_WORDS:
        if text.startswith(word, pos):
            return unit, pos + len(word)
    return None, pos


def _read_number(text: str, pos: int, raw: str) -> tuple[_Number, int]:
    if pos < len(text):
        head = text[pos]
        if head.isascii() and (head.isdigit() or head == "."):
            return _read_arabic(text, pos, raw)
        if head in _CN_INTEGER_CHARS:
            return _read_chinese(text, pos, raw)
    raise _unrecognised(raw)


def _read_arabic(text: str, pos: int, raw: str) -> tuple[_Number, int]:
    match = _ARABIC.match(text, pos)
    if match is None or (match[1] is None and match[2] is None):
        raise _unrecognised(raw)
    integer = (match[1] or "0").replace(",", "")
    mantissa = f"{integer}.{match[2]}" if match[2] else integer
    return _Number(mantissa, int(match[3] or 0), False), match.end()


def _read_chinese(text: str, pos: int, raw: str) -> tuple[_Number, int]:
    end = pos
    while end < len(text) and text[end] in _CN_INTEGER_CHARS:
        end += 1
    integer = _chinese_integer(text[pos:end])
    if integer is None:
        raise _unrecognised(raw)
    scaled = "万" in text[pos:end] or "亿" in text[pos:end]
    fraction = ""
    if text.startswith("点", end):
        stop = end + 1
        while stop < len(text) and text[stop] in _CN_DIGITS:
            stop += 1
        fraction = "".join(str(_CN_DIGITS[ch]) for ch in text[end + 1 : stop])
        if not fraction:
            raise _unrecognised(raw)
        end = stop
    mantissa = f"{integer}.{fraction}" if fraction else str(integer)
    return _Number(mantissa, 0, scaled), end


def _chinese_integer(chars: str) -> int | None:
    """Value of a Chinese integer numeral, or None if malformed.

    "十" = 10, "十五" = 15, "三十" = 30, "一百零五" = 105, "一千零五" = 1005,
    "三万五千" = 35000, "两千五" = 2500 (colloquial), "二〇二一" = 2021 (digit by digit).
    """
    if all(ch in _CN_DIGITS for ch in chars):
        return int("".join(str(_CN_DIGITS[ch]) for ch in chars))
    numeral = _ChineseNumeral()
    for ch in chars:
        if ch in _CN_DIGITS:
            accepted = numeral.add_digit(_CN_DIGITS[ch])
        elif ch in _CN_SMALL_UNITS:
            accepted = numeral.add_small_unit(_CN_SMALL_UNITS[ch])
        else:
            accepted = numeral.add_large_unit(_CN_LARGE_UNITS[ch])
        if not accepted:
            return None
    return numeral.value()


@dataclass(slots=True)
class _ChineseNumeral:
    """Running state while reading a Chinese numeral left to right."""

    total: int = 0  # completed 亿 groups
    wan: int = 0  # completed 万 part of the current 亿 group
    section: int = 0  # part below 万
    digit: int | None = None  # digit waiting for its unit
    digit_after: int = 0  # multiplier of the unit character right before the pending digit
    previous: int = 0  # multiplier of the previous character if it was a unit, else 0
    smallest: int = _NO_SMALL_UNIT  # 十/百/千 must decrease within a section

    def add_digit(self, digit: int) -> bool:
        if self.digit is not None:
            return False  # "三五"
        if digit:  # 零 only separates: "一百零五"
            self.digit, self.digit_after = digit, self.previous
        self.previous = 0
        return True

    def add_small_unit(self, multiplier: int) -> bool:
        if multiplier >= self.smallest:
            return False  # "十百", "百百"
        if self.digit is None and (multiplier != _CN_SMALL_UNITS["十"] or self.section):
            return False  # only 十 may stand alone, and only at the start: "十五"
        self.section += (self.digit or 1) * multiplier
        self.digit, self.previous, self.smallest = None, multiplier, multiplier
        return True

    def add_large_unit(self, multiplier: int) -> bool:
        self.section += self.digit or 0
        if multiplier == _CN_LARGE_UNITS["万"]:
            if self.section == 0 or self.wan:
                return False  # "万" alone, "三万五万"
            self.wan, self.section = self.section * multiplier, 0
        else:
            if self.wan + self.section == 0:
                return False
            self.total = (self.total + self.wan + self.section) * multiplier
            self.wan = self.section = 0
        self.digit, self.previous, self.smallest = None, multiplier, _NO_SMALL_UNIT
        return True

    def value(self) -> int:
        last = 0
        if self.digit is not None:
            # "两千五" = 2500: a last digit right after a unit counts one unit lower.
            last = self.digit * max(self.digit_after // 10, 1)
        return self.total + self.wan + self.section + last


def _read_suffix(rest: str, raw: str) -> _Suffix:
    """Read ``[余|多] [scale] [余|多] [unit] [左右|以上|...]`` after the number."""
    rest, approximate = _strip_leading(rest, _APPROX_BEFORE_SCALE)
    rest, trailing = _strip_trailing(rest, _APPROX_SUFFIXES)
    approximate |= trailing
    if not rest:
        return _Suffix(None, 0, False, approximate)
    if rest in _SCALE_POWERS:  # the common "9.62万"; no unit is spelled like a scale word
        return _Suffix(None, _SCALE_POWERS[rest], True, approximate)
    if any(ch in _SEPARATORS for ch in rest):
        raise QuantityError(
            f"“{_shorten(raw)}”包含多个数值或一个范围：请只填写一个数值，{_EXAMPLES}"
        )
    if rest[0].isdigit() or rest[0] in ".,":
        raise _unrecognised(raw)  # "67.7.1", "1,14"
    unit = lookup_unit(rest)
    if unit is not None:
        return _Suffix(unit, 0, False, approximate)
    for word, power in SCALE_WORDS:
        if rest.startswith(word):
            after, between = _strip_leading(rest[len(word) :], _APPROX_BEFORE_SCALE)
            return _scaled_suffix(word, power, after, approximate or between, raw)
    raise _unknown_unit(rest, raw)


def _scaled_suffix(word: str, power: int, after: str, approximate: bool, raw: str) -> _Suffix:
    """The suffix after a scale word: nothing, or a unit (万 + 元 -> 万元, else 万 × unit)."""
    if not after:
        return _Suffix(None, power, True, approximate)
    unit = lookup_unit(word + after)
    if unit is not None:
        return _Suffix(unit, 0, False, approximate)
    unit = lookup_unit(after)
    if unit is not None:
        return _Suffix(unit, power, False, approximate)
    raise _unknown_unit(after, raw)


def _strip_leading(text: str, words: tuple[str, ...]) -> tuple[str, bool]:
    for word in words:
        if text.startswith(word):
            return text[len(word) :], True
    return text, False


def _strip_trailing(text: str, words: tuple[str, ...]) -> tuple[str, bool]:
    found = False
    stripped = True
    while stripped:
        stripped = False
        for word in words:
            if text.endswith(word):
                text, found, stripped = text[: -len(word)], True, True
                break
    return text, found


def _shorten(text: str, limit: int = 30) -> str:
    text = text.strip()
    return text if len(text) <= limit else text[:limit] + "…"


def _unrecognised(raw: str) -> QuantityError:
    return QuantityError(f"无法识别的数值“{_shorten(raw)}”：请填写数字，{_EXAMPLES}")


def _unknown_unit(unit: str, raw: str) -> QuantityError:
    if any(ch.isdigit() for ch in unit):
        return _unrecognised(raw)  # digits after the unit: the number itself is malformed
    return QuantityError(
        f"无法识别的单位“{_shorten(unit)}”："
        "请使用常见单位，如 个、人、万元、亿元、平方米、%，或只填写数字"
    )
