"""``format_number``: the Chinese display form of a value in its unit, worded the way it
was written ("约60亿元", "6200余亩", "十余万人次", "13050个", "第1")."""

from __future__ import annotations

import math
import unicodedata

from metrics.values.qualifiers import ABOUT, SCALE_POWERS, Place, Qualifier
from metrics.values.quantity_errors import QuantityError
from metrics.values.units import (
    Unit,
    UnitError,
    is_rank,
    scale_prefix,
    shift_decimal,
)

# What a figure written as staff or the report wrote it may consist of, besides its
# qualifier word, to be shown as written: digits, a decimal point, Chinese numerals
# (with their scale words).
_ARABIC_CHARS = frozenset("0123456789.")


def format_number(
    value: float,
    unit: Unit | None,
    qualifier: Qualifier | bool | None = None,
    written: str = "",
) -> str:
    """Chinese display form of a value in ``unit``, worded the way it was written.

    ``written`` is the figure as written in the workbook (``Observation.text``). When it
    is a bare figure — numerals, a scale word, one qualifier word, no unit — and means
    ``value`` in ``unit`` without conversion, it is shown as written with the unit
    placed after the number: "十余万" 人次 → "十余万人次", "三十万余" 次 → "三十万余次",
    "6200余" 亩 → "6200余亩", "60左右" 亿元 → "60亿元左右". The report's own words are
    then the dashboard's.

    Otherwise the value is written out: at most two decimals, trailing zeros dropped,
    never a thousands separator (the report writes "13050个", "1141亿元"); the unit
    symbol follows without a space; a rank (名次) is "第1"; a value that is not finite
    is "—". A qualifier goes where it was written: "约60亿元", "近2倍" (before the number),
    "10余万人次" (between the number and its scale word), "6200余亩", "30万余次" (after
    the number and its scale word), "60亿元左右" (after the unit). ``True`` (a bare
    "approximate" flag, no word known) is shown as "约"; ``False`` and ``None`` mean an
    exact figure.
    """
    if not math.isfinite(value):
        return "—"
    if isinstance(qualifier, bool):
        qualifier = ABOUT if qualifier else None
    as_written = _as_written(written, value, unit)
    if as_written is not None:
        return as_written
    rank = is_rank(unit)
    plain_unit = unit is None or not scale_prefix(unit)
    scale = ""
    if qualifier is not None and qualifier.scale and plain_unit and not rank:
        scale = qualifier.scale
        value = shift_decimal(value, -SCALE_POWERS[scale])
    digits = plain_number_text(value)
    symbol = "" if unit is None or rank else unit.symbol
    if rank:
        digits = f"第{digits}"
    if qualifier is None:
        return f"{digits}{scale}{symbol}"
    word = qualifier.word
    if qualifier.place is Place.BEFORE:
        return f"{word}{digits}{scale}{symbol}"
    if qualifier.place is Place.BEFORE_SCALE:
        return f"{digits}{word}{scale}{symbol}"
    if qualifier.place is Place.AFTER_NUMBER:
        return f"{digits}{scale}{word}{symbol}"
    return f"{digits}{scale}{symbol}{word}"


def _as_written(written: str, value: float, unit: Unit | None) -> str | None:
    """The figure as written, with the unit in its place; None when it cannot be shown
    so (a unit or other words written with it, a conversion, a rank, another value)."""
    # Both import this module (plain_number_text): imported here, not at the top.
    from metrics.values.numerals import CN_INTEGER_CHARS
    from metrics.values.quantities import parse_quantity

    text = "".join(unicodedata.normalize("NFKC", written).split())
    if not text:
        return None
    if all(ch in _ARABIC_CHARS for ch in text):
        return None  # plain digits ("52.0" from a number cell): written out as usual
    if is_rank(unit):  # "位列第一": a rank written in Chinese numerals stays so
        numerals = all(ch in _ARABIC_CHARS or ch in CN_INTEGER_CHARS for ch in text)
        return f"第{text}" if numerals and _means(text, value) else None
    try:
        quantity = parse_quantity(text)
        if quantity.unit is not None or not math.isclose(quantity.in_unit(unit), value):
            return None
    except (QuantityError, UnitError):
        return None
    qualifier = quantity.qualifier
    if not math.isclose(quantity.number, value):
        return None  # converted ("9.62万" in 万人): write the value out instead
    word = qualifier.word if qualifier is not None else ""
    after_unit = qualifier is not None and qualifier.place is Place.AFTER_UNIT
    if after_unit:
        text = text.removesuffix(word)
    bare = text.replace(word, "", 1) if word and not after_unit else text
    if not bare or any(ch not in _ARABIC_CHARS and ch not in CN_INTEGER_CHARS for ch in bare):
        return None
    symbol = unit.symbol if unit is not None else ""
    return f"{text}{symbol}{word if after_unit else ''}"


def _means(text: str, value: float) -> bool:
    from metrics.values.quantities import parse_quantity

    try:
        quantity = parse_quantity(text)
    except QuantityError:
        return False
    return quantity.qualifier is None and math.isclose(quantity.number, value)


def plain_number_text(value: float) -> str:
    """ "13050", "67.7", "-3.2": at most two decimals, no trailing zeros, no grouping."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text
