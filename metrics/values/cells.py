"""Reading single cell values as ids, text, dates and numbers.

Each reader returns the value or raises ``CellError`` with a Chinese message that
says what was found and what is expected; the loader adds sheet, row and column.
"""

from __future__ import annotations

import datetime
import math
import re
import unicodedata
from typing import TypeVar

from metrics.contract import Direction, ExtensionDecision, TaskStatus
from metrics.values.dates import DateError, parse_date
from metrics.values.quantities import Quantity, parse_quantity
from metrics.values.quantity_errors import QuantityError
from metrics.values.text import shorten
from metrics.values.units import Unit, UnitError

_ID_TEXT = re.compile(r"[(\[]?\s*(\d{1,6})\s*[)\]]?\.?")


class CellError(ValueError):
    """A cell value cannot be read; ``str(error)`` is a Chinese message."""


def _quoted(value: object) -> str:
    """The value as the cell shows it (-1, not -1.0), cut to 30 characters ("…"
    included) for a message."""
    return shorten(read_text(value), 30)


def read_text(value: object) -> str:
    """Any cell as text: numbers without a trailing ".0", dates in ISO form."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time() else str(value)
    return str(value).strip()


def read_task_id(value: object) -> int:
    """A task number: 9, 9.0, "9", " 9 ", "(9)", "（9）", "９", "9."."""
    if isinstance(value, bool):
        raise CellError(f"“{value}”不是任务编号：请填写整数，如 9")
    if isinstance(value, int | float):
        if isinstance(value, float) and (not math.isfinite(value) or not value.is_integer()):
            raise CellError(f"“{_quoted(value)}”不是整数：任务编号应为整数，如 9")
        number = int(value)
    elif isinstance(value, str):
        folded = unicodedata.normalize("NFKC", value).strip()
        match = _ID_TEXT.fullmatch(folded)
        if match is None:
            raise CellError(f"“{_quoted(value)}”不是任务编号：请填写整数，如 9、(9) 或（9）")
        number = int(match.group(1))
    else:
        raise CellError(f"“{_quoted(value)}”不是任务编号：请填写整数，如 9")
    if number < 1:
        raise CellError(f"任务编号 {number} 无效：应为从 1 开始的整数")
    return number


def read_count(value: object) -> int:
    """A whole number of things (0 allowed): 35, 35.0, "35", "３５项"."""
    text = unicodedata.normalize("NFKC", read_text(value)).strip().rstrip("项个")
    # ASCII digits only: "²" or "𐩀" pass str.isdigit() but int() refuses them.
    if text.startswith("-") and text[1:].isascii() and text[1:].isdecimal():
        raise CellError(f"“{_quoted(value)}”是负数：请填写 0 或正整数，如 35")
    if not (text.isascii() and text.isdecimal()) or len(text) > 9:
        raise CellError(f"“{_quoted(value)}”不是整数：请填写整数，如 35")
    return int(text)


def read_indicator_id(value: object) -> str:
    """An indicator id: any non-empty text, compared after NFKC and trimming."""
    return unicodedata.normalize("NFKC", read_text(value)).strip()


def read_status(value: object) -> TaskStatus:
    return _read_choice(value, TaskStatus, "状态")


def read_direction(value: object) -> Direction:
    return _read_choice(value, Direction, "方向")


def read_extension_decision(value: object) -> ExtensionDecision:
    return _read_choice(value, ExtensionDecision, "延期决定")


E = TypeVar("E", TaskStatus, Direction, ExtensionDecision)


def _read_choice(value: object, choices: type[E], what: str) -> E:
    """One of a drop-down's values, ignoring spaces and full-width forms."""
    text = "".join(unicodedata.normalize("NFKC", read_text(value)).split())
    try:
        return choices(text)
    except ValueError:
        allowed = "、".join(choice.value for choice in choices)
        raise CellError(f"无法识别的{what}“{_quoted(value)}”：应为 {allowed} 之一") from None


def read_date(value: object, *, date1904: bool) -> datetime.date:
    try:
        return parse_date(value, date1904=date1904)
    except DateError as exc:
        raise CellError(str(exc)) from None


def read_quantity(value: object, unit: Unit | None) -> tuple[float, Quantity]:
    """A number in ``unit`` (the indicator's), converting "9.62万" or "60亿元" as needed."""
    try:
        quantity = parse_quantity(value)
        return quantity.in_unit(unit), quantity
    except (QuantityError, UnitError) as exc:
        raise CellError(str(exc)) from None
