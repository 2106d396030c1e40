"""Chinese numerals: "三十万" = 300000, "一百零五" = 105, "两千五" = 2500, "二〇二一" = 2021,
"九点六二" = 9.62.

Rough ranges ("三五", "两三", "七八十", "十二三") and vague numbers ("十几", "数百") are
refused with a message that says how to write the figure instead.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import NamedTuple

from metrics.values.formatting import plain_number_text
from metrics.values.qualifiers import SCALE_POWERS
from metrics.values.quantity_errors import range_error, unrecognised, vague_error
from metrics.values.units import (
    shift_decimal,
)

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
CN_INTEGER_CHARS = frozenset(_CN_DIGITS) | frozenset(_CN_SMALL_UNITS) | frozenset(_CN_LARGE_UNITS)
# Words that make a number vague: "十几", "二十来个", "几十", "数百", "上千".
_VAGUE_AFTER = ("几", "来")
VAGUE_BEFORE = re.compile(r"几|[数上][十百千万亿]")


class WrittenNumber(NamedTuple):
    """A written number before conversion to float: ``float(f"{mantissa}e{exponent}")``."""

    mantissa: str  # ASCII decimal digits with an optional ".", no sign
    exponent: int
    scaled: bool  # contained 万 or 亿 (Chinese numerals)
    scale: str = ""  # the Chinese numeral ended with this scale word: "三十万" -> "万"


def read_chinese(text: str, pos: int, raw: str) -> tuple[WrittenNumber, int]:
    end = pos
    while end < len(text) and text[end] in CN_INTEGER_CHARS:
        end += 1
    chars = text[pos:end]
    _check_chinese_range(chars, raw)
    integer = _chinese_integer(chars)
    if integer is None:
        raise unrecognised(raw)
    if text.startswith(_VAGUE_AFTER, end):
        raise vague_error(
            raw, numeral_text(WrittenNumber(str(integer), 0, True, _trailing_scale(chars)))
        )
    fraction = ""
    if text.startswith("点", end):
        stop = end + 1
        while stop < len(text) and text[stop] in _CN_DIGITS:
            stop += 1
        fraction = "".join(str(_CN_DIGITS[ch]) for ch in text[end + 1 : stop])
        if not fraction:
            raise unrecognised(raw)
        end = stop
    mantissa = f"{integer}.{fraction}" if fraction else str(integer)
    scaled = "万" in chars or "亿" in chars
    return WrittenNumber(mantissa, 0, scaled, "" if fraction else _trailing_scale(chars)), end


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
            raise range_error(raw, None)
        scale = _trailing_scale(chars)
        low_text = numeral_text(WrittenNumber(str(low), 0, True, scale))
        high_text = numeral_text(WrittenNumber(str(high), 0, True, scale))
        raise range_error(raw, low_text, high_text)


def numeral_text(number: WrittenNumber) -> str:
    """A read number in Arabic digits, keeping its scale word: "三十万" -> "30万"."""
    value = float(f"{number.mantissa}e{number.exponent}")
    if number.scale:
        value = shift_decimal(value, -SCALE_POWERS[number.scale])
    return plain_number_text(value) + number.scale


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
