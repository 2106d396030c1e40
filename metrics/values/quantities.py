"""Numbers as staff type them into spreadsheets.

``parse_quantity`` understands "67.7", "67.7%", "9.62万", "1141亿元", "2500余家",
"约60亿元", "下降3.2%", "百分之六十七点七", "九点六二万" and the like, and raises
``QuantityError`` (with a Chinese message) for anything else, ranges included:
"三五家", "两三个", "七八十", "十二三", "一两万", "3-5", "3至5" are not numbers.

Grammar of a text, after NFKC normalisation::

    prefix* [百分之|千分之] [sign] number [余|多] [scale] [余|多] [unit] [左右|以上|...]

A qualifier word (余、多、逾、超过、以上、至少: more than; 约、近、将近、左右、上下、
大约: about; 以下: at most) is kept with its place, so that ``format_number`` shows
the figure the way the report words it: "6200余亩", "10万余人次", "约60亿元",
"60亿元左右". At most one qualifier word may be written.

Plain ``int``/``float`` values and plain ASCII numbers ("67.7", "-3.2%", "1.2e5")
take a fast path that does no Unicode or regex work; an ASCII number followed by a
bare scale word or unit ("9.62万", "1141亿元") takes a second one (one regex).
"""

from __future__ import annotations

import enum
import math
import numbers
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from types import MappingProxyType
from typing import NamedTuple

from metrics.values.units import (
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

MAX_TEXT_LENGTH = 100

PERCENT: Unit = parse_unit("%")
PER_MILLE: Unit = parse_unit("‰")

_EXAMPLES = "如 67.7、67.7%、9.62万、1141亿元"


class Sense(enum.StrEnum):
    """What a qualifier word says about the number it goes with."""

    MORE = "more"  # more than: 余、多、逾、超、超过、以上、至少、不少于、不低于
    ABOUT = "about"  # about: 约、大约、大概、近、将近、接近、左右、上下
    AT_MOST = "at_most"  # at most: 以下


class Place(enum.StrEnum):
    """Where a qualifier word goes when the figure is shown."""

    BEFORE = "before"  # before the number: "约60亿元", "近2倍", "超过100万人次"
    AFTER_NUMBER = "after_number"  # after the number and its scale word: "6200余亩", "10万余人次"
    AFTER_UNIT = "after_unit"  # after the unit: "60亿元左右", "100人以上"


QUALIFIER_WORDS: Mapping[str, Sense] = MappingProxyType(
    {
        **dict.fromkeys(
            ("余", "多", "逾", "超", "超过", "以上", "至少", "不少于", "不低于"), Sense.MORE
        ),
        **dict.fromkeys(("约", "大约", "大概", "近", "将近", "接近", "左右", "上下"), Sense.ABOUT),
        "以下": Sense.AT_MOST,
    }
)


@dataclass(frozen=True, slots=True)
class Qualifier:
    """A qualifier word as written with a figure ("6200余亩": 余 after the number).

    ``scale`` is the scale word the figure was written with ("万" for "十余万" and
    "三十万余"), so that 100000 人次 written "十余万" is shown "10万余人次", not
    "100,000余人次".
    """

    word: str
    place: Place
    scale: str = ""

    def __post_init__(self) -> None:
        if self.word not in QUALIFIER_WORDS:
            raise ValueError(f"not a qualifier word: {self.word!r}")
        if self.scale and self.scale not in _SCALE_POWERS:
            raise ValueError(f"not a scale word: {self.scale!r}")

    @property
    def sense(self) -> Sense:
        return QUALIFIER_WORDS[self.word]


@dataclass(frozen=True, slots=True)
class Quantity:
    """A number read from a cell, with the unit and qualifier written next to it."""

    number: float  # value as written, scale word applied ("9.62万" -> 96200.0)
    unit: Unit | None  # unit written with the number, if any ("1141亿元" -> 亿元)
    qualifier: Qualifier | None  # 余/多/约/近/逾/超过/左右/以上 ... with its place
    text: str  # original text (str(raw) for numbers)
    scaled: bool = False  # a scale word (万, 亿, ...) was written and no unit

    @property
    def approximate(self) -> bool:
        """Written with a qualifier word: not an exact figure."""
        return self.qualifier is not None

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

_QUALIFIER = "qualifier"
_NEUTRAL = "neutral"
_DOWN = "down"
_UP = "up"

_PREFIX_KINDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        _QUALIFIER,
        ("约", "大约", "大概", "近", "将近", "接近", "逾", "超", "超过", "至少"),
    ),
    (_QUALIFIER, ("不少于", "不低于")),
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
_QUALIFIERS_BEFORE_SCALE = ("余", "多")
_QUALIFIER_SUFFIXES = ("左右", "以上", "以下", "上下", "余", "多")
_PERCENT_WORDS: tuple[tuple[str, Unit], ...] = (
    ("百分之", PERCENT),
    ("千分之", PER_MILLE),
)
_RANGE_SEPARATORS = frozenset("至到~〜—–-")
_LIST_SEPARATORS = frozenset("、或;")
_MINUS_SIGNS = str.maketrans({"\u2212": "-", "\u2010": "-", "\u2011": "-"})

# What a bare "approximate" flag means when no word is known: "约" before the number.
ABOUT = Qualifier("约", Place.BEFORE)

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
_CN_ZEROS = frozenset("零〇")
_CN_SMALL_UNITS = {"十": 10, "百": 100, "千": 1000}
_CN_LARGE_UNITS = {"万": 10**4, "亿": 10**8}
_NO_SMALL_UNIT = 10**4
_CN_INTEGER_CHARS = frozenset(_CN_DIGITS) | frozenset(_CN_SMALL_UNITS) | frozenset(_CN_LARGE_UNITS)
# Words that make a number vague: "十几", "二十来个", "几十", "数百", "上千".
_VAGUE_AFTER = ("几", "来")
_VAGUE_BEFORE = re.compile(r"几|[数上][十百千万亿]")

_ARABIC = re.compile(r"(\d{1,3}(?:,\d{3})+|\d+)?(?:\.(\d+))?(?:[eE]([+-]?\d+))?", re.ASCII)
_NUMBER_THEN_WORD = re.compile(r"\s*([+-]?[0-9]+(?:\.[0-9]+)?)\s*([^0-9\s.,+-]+)\s*")
_DIGITS_SPLIT_BY_SPACE = re.compile(r"[\d.,]\s+[\d.,]", re.ASCII)


class _Number(NamedTuple):
    """A written number before conversion to float: ``float(f"{mantissa}e{exponent}")``."""

    mantissa: str  # ASCII decimal digits with an optional ".", no sign
    exponent: int
    scaled: bool  # contained 万 or 亿 (Chinese numerals)
    scale: str = ""  # the Chinese numeral ended with this scale word: "三十万" -> "万"


class _Suffix(NamedTuple):
    unit: Unit | None
    exponent: int
    scaled: bool
    qualifiers: tuple[tuple[str, Place], ...]
    scale: str  # scale word written after the number, bare or as the unit's prefix


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


def format_number(
    value: float, unit: Unit | None, qualifier: Qualifier | bool | None = None
) -> str:
    """Chinese display form of a value in ``unit``, worded the way it was written.

    Rule: at most two decimals, trailing zeros dropped; the integer part is grouped
    with "," from five digits on ("13,050个", "2500家"), except for units carrying a
    scale prefix such as 万 or 亿, whose numbers are never grouped ("1141亿元",
    "9.62万人"); the unit symbol follows without a space; a rank (名次) is shown as
    "第1"; a value that is not finite is shown as "—".

    A qualifier goes where it was written: "约60亿元", "近2倍" (before the number),
    "6200余亩", "3000多家" (after the number), "60亿元左右" (after the unit). When the
    figure was written with a scale word ("十余万") and the unit has none (人次), the
    number keeps that scale word: "10万余人次". ``True`` (a bare "approximate" flag,
    no word known) is shown as "约"; ``False`` and ``None`` mean an exact figure.
    """
    if not math.isfinite(value):
        return "—"
    if isinstance(qualifier, bool):
        qualifier = ABOUT if qualifier else None
    rank = is_rank(unit)
    plain_unit = unit is None or not scale_prefix(unit)
    scale = ""
    if qualifier is not None and qualifier.scale and plain_unit and not rank:
        scale = qualifier.scale
        value = shift_decimal(value, -_SCALE_POWERS[scale])
    number = _digits(value, group=plain_unit and not scale and not rank) + scale
    symbol = "" if unit is None or rank else unit.symbol
    if rank:
        number = f"第{number}"
    if qualifier is None:
        return f"{number}{symbol}"
    if qualifier.place is Place.BEFORE:
        return f"{qualifier.word}{number}{symbol}"
    if qualifier.place is Place.AFTER_NUMBER:
        return f"{number}{qualifier.word}{symbol}"
    return f"{number}{symbol}{qualifier.word}"


def _digits(value: float, *, group: bool) -> str:
    """ "13050" -> "13,050" (``group``), at most two decimals, no trailing zeros."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    sign = ""
    if text.startswith("-"):
        sign, text = "-", text[1:]
    if text == "0":
        sign = ""
    integer, dot, fraction = text.partition(".")
    if group and len(integer) >= 5:
        integer = f"{int(integer):,}"
    return f"{sign}{integer}{dot}{fraction}"


# ---------------------------------------------------------------------------
# Fast paths


def _from_float(value: float, raw: object) -> Quantity:
    if math.isnan(value):
        raise QuantityError(f"未填写数值或数值无效：请填写数字，{_EXAMPLES}")
    if math.isinf(value):
        raise QuantityError("数值超出范围（无穷大）：请填写正常大小的数字")
    return Quantity(value, None, None, str(raw))


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
    return Quantity(value, PERCENT if percent else None, None, raw)


def _number_then_word(raw: str) -> Quantity | None:
    """Fast path for an ASCII number and a bare scale word or unit: "9.62万", "1141亿元"."""
    match = _NUMBER_THEN_WORD.fullmatch(raw)
    if match is None:
        return None
    number, word = match.group(1, 2)
    power = _SCALE_POWERS.get(word)
    if power is not None:
        return Quantity(float(f"{number}e{power}"), None, None, raw, scaled=True)
    unit = lookup_unit(word)
    if unit is None:
        return None
    return Quantity(float(number), unit, None, raw)


# ---------------------------------------------------------------------------
# The general parser


def _parse_text(raw: str) -> Quantity:
    text = unicodedata.normalize("NFKC", raw).translate(_MINUS_SIGNS).strip()
    _check_shape(text, raw)
    text = "".join(text.split())
    words, negative, pos = _read_prefixes(text, 0)
    percent_unit, pos = _read_percent_word(text, pos)
    if text.startswith(("-", "+"), pos):
        negative ^= text[pos] == "-"
        pos += 1
    number, pos = _read_number(text, pos, raw)
    _check_single_value(text[pos:], number, raw)
    suffix = _read_suffix(text[pos:], raw)
    if percent_unit is not None and (suffix.unit is not None or suffix.exponent):
        raise _unrecognised(raw)
    value = float(f"{'-' if negative else ''}{number.mantissa}e{number.exponent + suffix.exponent}")
    if not math.isfinite(value):
        raise QuantityError(f"数值“{_shorten(raw)}”超出范围：请填写正常大小的数字")
    return Quantity(
        number=value,
        unit=percent_unit or suffix.unit,
        qualifier=_qualifier(words + suffix.qualifiers, suffix.scale or number.scale, raw),
        text=raw,
        scaled=suffix.unit is None and percent_unit is None and (number.scaled or suffix.scaled),
    )


def _qualifier(words: tuple[tuple[str, Place], ...], scale: str, raw: str) -> Qualifier | None:
    if not words:
        return None
    if len(words) > 1:
        written = "".join(f"“{word}”" for word, _ in words)
        raise QuantityError(
            f"“{_shorten(raw)}”同时写了{written}：请只保留一个表示约数的词，"
            "如“约60亿元”“6200余亩”或“60亿元左右”"
        )
    word, place = words[0]
    return Qualifier(word, place, scale)


def _check_shape(text: str, raw: str) -> None:
    """Reject empty cells, Excel error values and digits split by spaces."""
    if not text:
        raise QuantityError(f"未填写数值：请填写数字，{_EXAMPLES}")
    if text.startswith("#"):
        raise QuantityError(f"单元格是 Excel 错误值“{text}”：请检查公式，填写计算出的数字")
    if _DIGITS_SPLIT_BY_SPACE.search(text):
        raise QuantityError(f"数字“{text}”中间有空格：请删除空格，如 1141 或 1,141")


def _check_single_value(rest: str, number: _Number, raw: str) -> None:
    """Refuse a range ("3至5", "3-5", "3～5") or a list ("3、4") after the first number."""
    if any(ch in _RANGE_SEPARATORS for ch in rest):
        low = _plain_number_text(float(f"{number.mantissa}e{number.exponent}"))
        scale = next((word for word, _ in SCALE_WORDS if rest.startswith(word)), "")
        raise _range_error(raw, f"{low}{scale}" if not number.scale else _cn_text(number))
    if any(ch in _LIST_SEPARATORS for ch in rest):
        raise QuantityError(f"“{_shorten(raw)}”包含多个数值：请只填写一个数值，{_EXAMPLES}")


def _read_prefixes(text: str, pos: int) -> tuple[tuple[tuple[str, Place], ...], bool, int]:
    """Skip words before the number; return (qualifier words, negative, position)."""
    words: list[tuple[str, Place]] = []
    negative = False
    while pos < len(text) and text[pos] in _PREFIX_FIRST_CHARS:
        for word, kind in _PREFIX_WORDS:
            if text.startswith(word, pos):
                if kind == _QUALIFIER:
                    words.append((word, Place.BEFORE))
                negative ^= kind == _DOWN
                pos += len(word)
                break
        else:
            break
    return tuple(words), negative, pos


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
        if _VAGUE_BEFORE.match(text, pos):
            raise _vague_error(raw, None)
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
    chars = text[pos:end]
    _check_chinese_range(chars, raw)
    integer = _chinese_integer(chars)
    if integer is None:
        raise _unrecognised(raw)
    if text.startswith(_VAGUE_AFTER, end):
        raise _vague_error(raw, _cn_text(_Number(str(integer), 0, True, _trailing_scale(chars))))
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
    scaled = "万" in chars or "亿" in chars
    return _Number(mantissa, 0, scaled, "" if fraction else _trailing_scale(chars)), end


def _trailing_scale(chars: str) -> str:
    return chars[-1] if chars and chars[-1] in _CN_LARGE_UNITS else ""


def _is_range_pair(low: int, high: int) -> bool:
    """Two numerals side by side that people use for a rough range: 一两, 三四, 三五, 七八."""
    return low >= 1 and (high == low + 1 or (low, high) == (3, 5))


def _check_chinese_range(chars: str, raw: str) -> None:
    """Refuse "三五", "两三", "七八十", "十二三", "三四百", "一两万" ...

    Two non-zero digits side by side are a range ("三五家" is three to five), except
    in a number read digit by digit ("二〇二一": it has a 零 or three digits or more).
    """
    if all(ch in _CN_DIGITS for ch in chars) and (
        len(chars) > 2 or not _CN_ZEROS.isdisjoint(chars)
    ):
        return
    for index in range(len(chars) - 1):
        first, second = _CN_DIGITS.get(chars[index]), _CN_DIGITS.get(chars[index + 1])
        if first is None or second is None or not _is_range_pair(first, second):
            continue
        low_chars = chars[: index + 1] + chars[index + 2 :]
        high_chars = chars[:index] + chars[index + 1 :]
        low, high = _chinese_integer(low_chars), _chinese_integer(high_chars)
        if low is None or high is None:
            raise _range_error(raw, None)
        scale = _trailing_scale(chars)
        low_text = _cn_text(_Number(str(low), 0, True, scale))
        high_text = _cn_text(_Number(str(high), 0, True, scale))
        raise _range_error(raw, low_text, high_text)


def _cn_text(number: _Number) -> str:
    """A read number in Arabic digits, keeping its scale word: "三十万" -> "30万"."""
    value = float(f"{number.mantissa}e{number.exponent}")
    if number.scale:
        value = shift_decimal(value, -_SCALE_POWERS[number.scale])
    return _plain_number_text(value) + number.scale


def _plain_number_text(value: float) -> str:
    return _digits(value, group=False)


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
    rest, lead = _strip_leading(rest, _QUALIFIERS_BEFORE_SCALE)
    qualifiers: tuple[tuple[str, Place], ...] = ((lead, Place.AFTER_NUMBER),) if lead else ()
    rest, trailing = _strip_trailing(rest, _QUALIFIER_SUFFIXES)
    if not rest:
        return _Suffix(None, 0, False, qualifiers + _trailing(trailing, False), "")
    if rest in _SCALE_POWERS:  # the common "9.62万"; no unit is spelled like a scale word
        return _Suffix(
            None, _SCALE_POWERS[rest], True, qualifiers + _trailing(trailing, False), rest
        )
    if rest[0].isdigit() or rest[0] in ".,":
        raise _unrecognised(raw)  # "67.7.1", "1,14"
    unit = lookup_unit(rest)
    if unit is not None:
        return _Suffix(unit, 0, False, qualifiers + _trailing(trailing, True), scale_prefix(unit))
    for word, power in SCALE_WORDS:
        if rest.startswith(word):
            after, between = _strip_leading(rest[len(word) :], _QUALIFIERS_BEFORE_SCALE)
            if between:
                qualifiers += ((between, Place.AFTER_NUMBER),)
            unit, exponent = _scaled_unit(word, power, after, raw)
            return _Suffix(
                unit,
                exponent,
                unit is None,
                qualifiers + _trailing(trailing, unit is not None),
                word,
            )
    raise _unknown_unit(rest, raw)


def _trailing(words: tuple[str, ...], after_unit: bool) -> tuple[tuple[str, Place], ...]:
    """Places of the words written at the end: 余/多 follow the number unless a unit came first."""
    return tuple(
        (
            word,
            Place.AFTER_UNIT
            if after_unit or word not in _QUALIFIERS_BEFORE_SCALE
            else Place.AFTER_NUMBER,
        )
        for word in words
    )


def _scaled_unit(word: str, power: int, after: str, raw: str) -> tuple[Unit | None, int]:
    """The unit after a scale word, and the power left: 万 + 元 -> 万元, else 万 × unit."""
    if not after:
        return None, power
    unit = lookup_unit(word + after)
    if unit is not None:
        return unit, 0
    unit = lookup_unit(after)
    if unit is not None:
        return unit, power
    raise _unknown_unit(after, raw)


def _strip_leading(text: str, words: tuple[str, ...]) -> tuple[str, str]:
    for word in words:
        if text.startswith(word):
            return text[len(word) :], word
    return text, ""


def _strip_trailing(text: str, words: tuple[str, ...]) -> tuple[str, tuple[str, ...]]:
    """``text`` without the listed words at its end, and those words in written order."""
    found: list[str] = []
    stripped = True
    while stripped:
        stripped = False
        for word in words:
            if text.endswith(word):
                text, stripped = text[: -len(word)], True
                found.insert(0, word)
                break
    return text, tuple(found)


def _shorten(text: str, limit: int = 30) -> str:
    text = text.strip()
    return text if len(text) <= limit else text[:limit] + "…"


def _unrecognised(raw: str) -> QuantityError:
    return QuantityError(f"无法识别的数值“{_shorten(raw)}”：请填写数字，{_EXAMPLES}")


def _range_error(raw: str, low: str | None, high: str | None = None) -> QuantityError:
    """ "三五家", "3至5": a range is not a number; say how to write it instead."""
    span = f"（{low}到{high}）" if low is not None and high is not None else ""
    return QuantityError(
        f"“{_shorten(raw)}”是一个范围{span}，不是一个确切的数：{_how_to_write(low)}"
    )


def _vague_error(raw: str, low: str | None) -> QuantityError:
    """ "十几", "几十", "数百": not a number either."""
    return QuantityError(f"“{_shorten(raw)}”不是一个确切的数：{_how_to_write(low)}")


def _how_to_write(low: str | None) -> str:
    if low is None:
        return "请写成确切数字，或用“余”写出下限，如“100余”表示100以上"
    return f"请写成确切数字，或写成“{low}余”表示{low}以上"


def _unknown_unit(unit: str, raw: str) -> QuantityError:
    if any(ch.isdigit() for ch in unit):
        return _unrecognised(raw)  # digits after the unit: the number itself is malformed
    return QuantityError(
        f"无法识别的单位“{_shorten(unit)}”："
        "请使用常见单位，如 个、人、万元、亿元、平方米、%，或只填写数字"
    )
