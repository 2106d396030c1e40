"""``format_number``: the Chinese display form of a value in its unit, worded the way it
was written ("约60亿元", "6200余亩", "13,050个", "第1")."""

from __future__ import annotations

import math

from metrics.values.qualifiers import ABOUT, SCALE_POWERS, Place, Qualifier
from metrics.values.units import (
    Unit,
    is_rank,
    scale_prefix,
    shift_decimal,
)


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
        value = shift_decimal(value, -SCALE_POWERS[scale])
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


def plain_number_text(value: float) -> str:
    return _digits(value, group=False)
