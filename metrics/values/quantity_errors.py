"""``QuantityError`` and the Chinese messages that say how to write a number instead."""

from __future__ import annotations

from metrics.values.text import shorten

EXAMPLES = "如 67.7、67.7%、9.62万、1141亿元"


class QuantityError(ValueError):
    """A cell cannot be read as a single number; ``str(error)`` is a Chinese message."""


def quoted(text: str) -> str:
    """At most 30 characters of the stripped text, then "…" when cut."""
    return shorten(text.strip(), 31)


def unrecognised(raw: str) -> QuantityError:
    return QuantityError(f"无法识别的数值“{quoted(raw)}”：请填写数字，{EXAMPLES}")


def range_error(raw: str, low: str | None, high: str | None = None) -> QuantityError:
    """ "三五家", "3至5": a range is not a number; say how to write it instead."""
    span = f"（{low}到{high}）" if low is not None and high is not None else ""
    return QuantityError(f"“{quoted(raw)}”是一个范围{span}，不是一个确切的数：{_how_to_write(low)}")


def vague_error(raw: str, low: str | None) -> QuantityError:
    """ "十几", "几十", "数百": not a number either."""
    return QuantityError(f"“{quoted(raw)}”不是一个确切的数：{_how_to_write(low)}")


def _how_to_write(low: str | None) -> str:
    if low is None:
        return "请写成确切数字，或用“余”写出下限，如“100余”表示100以上"
    return f"请写成确切数字，或写成“{low}余”表示{low}以上"


def unknown_unit(unit: str, raw: str) -> QuantityError:
    if any(ch.isdigit() for ch in unit):
        return unrecognised(raw)  # digits after the unit: the number itself is malformed
    return QuantityError(
        f"无法识别的单位“{quoted(unit)}”："
        "请使用常见单位，如 个、人、万元、亿元、平方米、%，或只填写数字"
    )
