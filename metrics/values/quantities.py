"""Numbers as staff type them into spreadsheets.

``parse_quantity`` understands "67.7", "67.7%", "9.62万", "1141亿元", "2500余家",
"约60亿元", "下降3.2%", "百分之六十七点七", "九点六二万" and the like, and raises
``QuantityError`` (with a Chinese message) for anything else, ranges included:
"三五家", "两三个", "七八十", "十二三", "一两万", "3-5", "3至5" are not numbers.

Grammar of a text, after NFKC normalisation::

    prefix* [百分之|千分之] [sign] number [余|多] [scale] [余|多] [unit] [左右|以上|...]

A qualifier word (余、多、逾、超过、以上、至少: more than; 约、近、将近、左右、上下、
大约: about; 以下: at most) is kept with its place, so that ``format_number`` shows
the figure the way the report words it: "6200余亩", "十余万人次", "约60亿元",
"60亿元左右". At most one qualifier word may be written.

Plain ``int``/``float`` values and plain ASCII numbers ("67.7", "-3.2%", "1.2e5")
take a fast path that does no Unicode or regex work; an ASCII number followed by a
bare scale word or unit ("9.62万", "1141亿元") takes a second one (one regex).
"""

from __future__ import annotations

import math
import numbers
import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from typing import NamedTuple

from metrics.values.formatting import plain_number_text
from metrics.values.numerals import (
    CN_INTEGER_CHARS,
    VAGUE_BEFORE,
    WrittenNumber,
    numeral_text,
    read_chinese,
)
from metrics.values.qualifiers import SCALE_POWERS, Place, Qualifier
from metrics.values.quantity_errors import (
    EXAMPLES,
    QuantityError,
    quoted,
    range_error,
    unknown_unit,
    unrecognised,
    vague_error,
)
from metrics.values.units import (
    SCALE_WORDS,
    Unit,
    UnitError,
    convert,
    lookup_unit,
    parse_unit,
    scale_prefix,
    unscaled,
)

MAX_TEXT_LENGTH = 100

PERCENT: Unit = parse_unit("%")
PER_MILLE: Unit = parse_unit("‰")


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

_QUALIFIERS_BEFORE_SCALE = ("余", "多")
_QUALIFIER_SUFFIXES = ("左右", "以上", "以下", "上下", "余", "多")
_PERCENT_WORDS: tuple[tuple[str, Unit], ...] = (
    ("百分之", PERCENT),
    ("千分之", PER_MILLE),
)
_RANGE_SEPARATORS = frozenset("至到~〜—–-")
_LIST_SEPARATORS = frozenset("、或;")
_MINUS_SIGNS = str.maketrans({"\u2212": "-", "\u2010": "-", "\u2011": "-"})

_ARABIC = re.compile(r"(\d{1,3}(?:,\d{3})+|\d+)?(?:\.(\d+))?(?:[eE]([+-]?\d+))?", re.ASCII)
_NUMBER_THEN_WORD = re.compile(r"\s*([+-]?[0-9]+(?:\.[0-9]+)?)\s*([^0-9\s.,+-]+)\s*")
_DIGITS_SPLIT_BY_SPACE = re.compile(r"[\d.,]\s+[\d.,]", re.ASCII)


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
        raise QuantityError(f"未填写数值：请填写数字，{EXAMPLES}")
    if isinstance(raw, bool):
        raise QuantityError(f"逻辑值“{str(raw).upper()}”不是数值：请填写数字，{EXAMPLES}")
    if isinstance(raw, (numbers.Real, Decimal)):
        try:
            value = float(raw)
        except (OverflowError, ValueError, TypeError):
            raise QuantityError(f"数值“{quoted(str(raw))}”超出范围：请填写正常大小的数字") from None
        return _from_float(value, raw)
    raise QuantityError(f"无法识别的数值“{quoted(str(raw))}”：请填写数字，{EXAMPLES}")


# ---------------------------------------------------------------------------
# Fast paths


def _from_float(value: float, raw: object) -> Quantity:
    if math.isnan(value):
        raise QuantityError(f"未填写数值或数值无效：请填写数字，{EXAMPLES}")
    if math.isinf(value):
        raise QuantityError("数值超出范围（无穷大）：请填写正常大小的数字")
    return Quantity(value, None, None, str(raw))


def _from_text(raw: str) -> Quantity:
    if len(raw) > MAX_TEXT_LENGTH:
        raise QuantityError(
            f"内容过长（共 {len(raw)} 个字符，最多 {MAX_TEXT_LENGTH} 个）："
            f"请只填写一个数值，{EXAMPLES}"
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
    power = SCALE_POWERS.get(word)
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
        raise unrecognised(raw)
    value = float(f"{'-' if negative else ''}{number.mantissa}e{number.exponent + suffix.exponent}")
    if not math.isfinite(value):
        raise QuantityError(f"数值“{quoted(raw)}”超出范围：请填写正常大小的数字")
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
            f"“{quoted(raw)}”同时写了{written}：请只保留一个表示约数的词，"
            "如“约60亿元”“6200余亩”或“60亿元左右”"
        )
    word, place = words[0]
    return Qualifier(word, place, scale)


def _check_shape(text: str, raw: str) -> None:
    """Reject empty cells, Excel error values and digits split by spaces."""
    if not text:
        raise QuantityError(f"未填写数值：请填写数字，{EXAMPLES}")
    if text.startswith("#"):
        raise QuantityError(f"单元格是 Excel 错误值“{text}”：请检查公式，填写计算出的数字")
    if _DIGITS_SPLIT_BY_SPACE.search(text):
        raise QuantityError(f"数字“{text}”中间有空格：请删除空格，如 1141 或 1,141")


def _check_single_value(rest: str, number: WrittenNumber, raw: str) -> None:
    """Refuse a range ("3至5", "3-5", "3～5") or a list ("3、4") after the first number."""
    if any(ch in _RANGE_SEPARATORS for ch in rest):
        low = plain_number_text(float(f"{number.mantissa}e{number.exponent}"))
        scale = next((word for word, _ in SCALE_WORDS if rest.startswith(word)), "")
        raise range_error(raw, f"{low}{scale}" if not number.scale else numeral_text(number))
    if any(ch in _LIST_SEPARATORS for ch in rest):
        raise QuantityError(f"“{quoted(raw)}”包含多个数值：请只填写一个数值，{EXAMPLES}")


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


def _read_number(text: str, pos: int, raw: str) -> tuple[WrittenNumber, int]:
    if pos < len(text):
        head = text[pos]
        if head.isascii() and (head.isdigit() or head == "."):
            return _read_arabic(text, pos, raw)
        if head in CN_INTEGER_CHARS:
            return read_chinese(text, pos, raw)
        if VAGUE_BEFORE.match(text, pos):
            raise vague_error(raw, None)
    raise unrecognised(raw)


def _read_arabic(text: str, pos: int, raw: str) -> tuple[WrittenNumber, int]:
    match = _ARABIC.match(text, pos)
    if match is None or (match[1] is None and match[2] is None):
        raise unrecognised(raw)
    integer = (match[1] or "0").replace(",", "")
    mantissa = f"{integer}.{match[2]}" if match[2] else integer
    return WrittenNumber(mantissa, int(match[3] or 0), False), match.end()


def _read_suffix(rest: str, raw: str) -> _Suffix:
    """Read ``[余|多] [scale] [余|多] [unit] [左右|以上|...]`` after the number."""
    rest, lead = _strip_leading(rest, _QUALIFIERS_BEFORE_SCALE)
    rest, trailing = _strip_trailing(rest, _QUALIFIER_SUFFIXES)
    # "十余万": the word sits between the number and its scale word (more than ten 万).
    before_scale = bool(lead) and any(rest.startswith(word) for word, _ in SCALE_WORDS)
    place = Place.BEFORE_SCALE if before_scale else Place.AFTER_NUMBER
    qualifiers: tuple[tuple[str, Place], ...] = ((lead, place),) if lead else ()
    if not rest:
        return _Suffix(None, 0, False, qualifiers + _trailing(trailing, False), "")
    if rest in SCALE_POWERS:  # the common "9.62万"; no unit is spelled like a scale word
        return _Suffix(
            None, SCALE_POWERS[rest], True, qualifiers + _trailing(trailing, False), rest
        )
    if rest[0].isdigit() or rest[0] in ".,":
        raise unrecognised(raw)  # "67.7.1", "1,14"
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
    raise unknown_unit(rest, raw)


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
    raise unknown_unit(after, raw)


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
