"""Problems found in a workbook: what is wrong, where, and how bad.

An *error* blocks publishing; a *warning* is shown but does not. Every problem
names the sheet, the Excel row number and the column header as staff see them,
and carries a plain Chinese message saying what is wrong and what is expected.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass


class Severity(enum.StrEnum):
    ERROR = "错误"
    WARNING = "警告"


@dataclass(frozen=True, slots=True)
class Problem:
    severity: Severity
    sheet: str  # sheet name as staff see it; "" for the file as a whole
    row: int | None  # Excel row number (1-based), None for the whole sheet/file
    column: str | None  # column header as in the contract, None for the whole row/sheet
    message: str  # Chinese: what is wrong and what is expected

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

    @property
    def location(self) -> str:
        """Where, in words: "工作表“任务”第 5 行“状态”列"."""
        parts: list[str] = []
        if self.sheet:
            parts.append(f"工作表“{self.sheet}”")
        if self.row is not None:
            parts.append(f"第 {self.row} 行")
        if self.column:
            parts.append(f"“{self.column}”列")
        return "".join(parts) or "整个文件"

    def __str__(self) -> str:
        return f"[{self.severity}] {self.location}：{self.message}"

    def to_dict(self) -> dict[str, object]:
        return {
            "severity": "error" if self.is_error else "warning",
            "sheet": self.sheet,
            "row": self.row,
            "column": self.column,
            "message": self.message,
        }


def sort_problems(problems: Iterable[Problem]) -> list[Problem]:
    """Errors first, then warnings; within each, in the order they were found."""
    items = list(problems)
    return [p for p in items if p.is_error] + [p for p in items if not p.is_error]


MAX_LISTED_PROBLEMS = 500


class ProblemLog:
    """Collects problems while one workbook is being loaded (one instance per load).

    At most ``limit`` problems are kept, so a sheet of 100,000 bad rows yields a
    readable report; the rest are counted and summarised in one last entry.
    """

    def __init__(self, limit: int = MAX_LISTED_PROBLEMS) -> None:
        self._items: list[Problem] = []
        self._limit = limit
        self._dropped_errors = 0
        self._dropped_warnings = 0

    def add(self, problem: Problem) -> None:
        if len(self._items) < self._limit:
            self._items.append(problem)
        elif problem.is_error:
            self._dropped_errors += 1
        else:
            self._dropped_warnings += 1

    def error(self, sheet: str, row: int | None, column: str | None, message: str) -> None:
        self.add(Problem(Severity.ERROR, sheet, row, column, message))

    def warning(self, sheet: str, row: int | None, column: str | None, message: str) -> None:
        self.add(Problem(Severity.WARNING, sheet, row, column, message))

    @property
    def has_errors(self) -> bool:
        return self._dropped_errors > 0 or any(p.is_error for p in self._items)

    def result(self) -> tuple[Problem, ...]:
        items = sort_problems(self._items)
        dropped = self._dropped_errors + self._dropped_warnings
        if dropped:
            severity = Severity.ERROR if self._dropped_errors else Severity.WARNING
            items.append(
                Problem(
                    severity,
                    "",
                    None,
                    None,
                    f"另有 {dropped} 个问题未逐条列出（其中错误 {self._dropped_errors} 个，"
                    f"警告 {self._dropped_warnings} 个）：请先修改上面列出的问题后重新检查",
                )
            )
        return tuple(items)
