"""The limits an upload is checked against: ``IntakeLimits``, set by ``ZHENGGAI_*``.

``IntakeLimits.from_env()`` reads ZHENGGAI_MAX_UPLOAD_MB, ZHENGGAI_MAX_ENTRIES,
ZHENGGAI_MAX_TOTAL_MB, ZHENGGAI_MAX_RATIO, ZHENGGAI_MAX_ROWS, ZHENGGAI_MAX_COLUMNS,
ZHENGGAI_MAX_SHEETS, ZHENGGAI_PARSE_SECONDS and ZHENGGAI_PARSE_MEMORY_MB; a malformed
setting keeps its default and is logged once per process.
"""

from __future__ import annotations

import logging
import math
import os
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Final

from metrics.values.text import shorten
from metrics.workbook.loader import MAX_CELL_CHARS

MB: Final = 1024 * 1024
ENV_PREFIX: Final = "ZHENGGAI_"


@dataclass(frozen=True, slots=True)
class IntakeLimits:
    max_upload_bytes: int = 10 * MB
    max_entries: int = 1000
    max_total_uncompressed: int = 100 * MB
    max_ratio: float = 100.0  # per entry, uncompressed : compressed
    max_rows: int = 200_000  # per worksheet, as claimed by its dimension
    max_columns: int = 200
    max_sheets: int = 100
    parse_seconds: float = 60.0
    parse_memory_bytes: int = 1536 * MB

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> IntakeLimits:
        """Defaults, overridden by ZHENGGAI_MAX_UPLOAD_MB, ZHENGGAI_MAX_ENTRIES,
        ZHENGGAI_MAX_TOTAL_MB, ZHENGGAI_MAX_RATIO, ZHENGGAI_MAX_ROWS,
        ZHENGGAI_MAX_COLUMNS, ZHENGGAI_MAX_SHEETS, ZHENGGAI_PARSE_SECONDS,
        ZHENGGAI_PARSE_MEMORY_MB.

        A malformed setting never raises: its default is used, and the problem is
        logged once per process (see ``checked_from_env`` for the messages)."""
        limits, problems = cls.checked_from_env(environ)
        for problem in problems:
            if problem not in _LOGGED:
                _LOGGED.add(problem)
                _log.warning("%s", problem)
        return limits

    @classmethod
    def checked_from_env(
        cls, environ: Mapping[str, str] | None = None
    ) -> tuple[IntakeLimits, tuple[str, ...]]:
        """The limits, and a Chinese message for each malformed setting (which then keeps
        its default): not a number, not above 0, not whole where a count is meant,
        infinite, or beyond a sane maximum."""
        env = os.environ if environ is None else environ
        defaults = cls()
        changes: dict[str, float | int] = {}
        problems: list[str] = []
        for setting in _SETTINGS:
            raw = env.get(setting.variable, "").strip()
            if not raw:
                continue
            value, why = setting.read(raw)
            if value is None:
                default = setting.shown(getattr(defaults, setting.field))
                problems.append(
                    f"设置 {setting.variable}={_shorten(raw)} 无效（{why}），"
                    f"已使用默认值 {default}{setting.unit}"
                )
            else:
                changes[setting.field] = value
        return replace(defaults, **changes), tuple(problems)  # type: ignore[arg-type]

    def describe(self) -> str:
        """The limits in one sentence for staff, e.g. shown next to the upload box."""
        return (
            f"仅接受 .xlsx；文件不超过 {self.max_upload_bytes / MB:g} MB，"
            f"工作表不超过 {self.max_sheets:,} 个，每个工作表不超过 {self.max_rows:,} 行、"
            f"{self.max_columns:,} 列，单元格不超过 {MAX_CELL_CHARS:,} 个字符。"
        )


@dataclass(frozen=True, slots=True)
class _Setting:
    """One ``ZHENGGAI_*`` limit: how it is written (number and unit) and what is sane."""

    suffix: str
    field: str
    scale: int  # MB settings are stored in bytes
    whole: bool  # a count (entries, rows …): a whole number
    maximum: float  # in the setting's own unit
    unit: str = ""

    @property
    def variable(self) -> str:
        return ENV_PREFIX + self.suffix

    def read(self, raw: str) -> tuple[float | int | None, str]:
        """(value in the field's unit, "") or (None, why it is refused)."""
        try:
            number = float(raw)
        except ValueError:
            return None, "不是数字"
        if math.isnan(number):
            return None, "不是数字"
        if number <= 0:
            return None, "应大于 0"
        if number > self.maximum:  # infinity included
            return None, f"应不超过 {self.maximum:,.0f}{self.unit}"
        if self.whole and not number.is_integer():
            return None, "应为整数"
        if self.field in ("max_ratio", "parse_seconds"):
            return number, ""
        value = int(number * self.scale)
        return (value, "") if value >= 1 else (None, "应大于 0")

    def shown(self, default: float) -> str:
        return f"{default / self.scale:,g}"


_SETTINGS: Final = (
    _Setting("MAX_UPLOAD_MB", "max_upload_bytes", MB, False, 1024 * 1024, " MB"),
    _Setting("MAX_ENTRIES", "max_entries", 1, True, 10_000_000),
    _Setting("MAX_TOTAL_MB", "max_total_uncompressed", MB, False, 1024 * 1024, " MB"),
    _Setting("MAX_RATIO", "max_ratio", 1, False, 1e9),
    _Setting("MAX_ROWS", "max_rows", 1, True, 1_048_576, " 行"),
    _Setting("MAX_COLUMNS", "max_columns", 1, True, 16_384, " 列"),
    _Setting("MAX_SHEETS", "max_sheets", 1, True, 1_000_000, " 个"),
    _Setting("PARSE_SECONDS", "parse_seconds", 1, False, 86_400, " 秒"),
    _Setting("PARSE_MEMORY_MB", "parse_memory_bytes", MB, False, 1024 * 1024, " MB"),
)

_log = logging.getLogger(__name__)
_LOGGED: set[str] = set()  # each malformed setting is logged once per process


def _shorten(raw: str) -> str:
    """A setting's value, quoted, unprintable characters as "?", cut after 40 characters."""
    text = "".join(ch if ch.isprintable() else "?" for ch in raw)
    return f"“{shorten(text, 42, ellipsis='……')}”"
