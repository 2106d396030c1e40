"""督办三色 as leaders see them: symbol + word + colour (never colour alone), the
same on every page and export. The colours come from the shared palette.

Also the words around them: a task's 督办 cell and reasons, the filter's choices, the
rules in force as a legend, and the red and yellow counts of a unit's tasks.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Final

from metrics.scoring.counting import DEFAULT_COUNTING, Counting
from metrics.supervision.model import TaskWarning, WarningColour
from metrics.supervision.rules import active_rules
from metrics.supervision.settings import SupervisionSettings
from report.palette import BLUE, INK, ORANGE, VERMILLION, Swatch

WARNING_SWATCHES: dict[WarningColour, Swatch] = {
    WarningColour.RED: Swatch(WarningColour.RED.value, VERMILLION, WarningColour.RED.symbol),
    WarningColour.YELLOW: Swatch(
        WarningColour.YELLOW.value, ORANGE, WarningColour.YELLOW.symbol, INK
    ),
    WarningColour.BLUE: Swatch(WarningColour.BLUE.value, BLUE, WarningColour.BLUE.symbol),
}

# The filter's choice for tasks without a colour (complete, or no rule holds).
NO_WARNING: Final = "未标颜色"


def warning_tag(colour: WarningColour) -> str:
    """ "● 红色": symbol and word, as a table cell, a filter choice or a column heading."""
    return f"{colour.symbol} {colour.label}"


def warning_cell(warning: TaskWarning | None) -> str:
    """A task's 督办 cell: "● 红色", or "" without a colour."""
    return warning_tag(warning.colour) if warning is not None else ""


def reasons_cell(warning: TaskWarning | None) -> str:
    """The rule(s) that gave the colour: "已超过整改时限（2021年5月1日）；进度滞后指标1个"."""
    return "；".join(warning.reasons) if warning is not None else ""


def warning_sentence(warning: TaskWarning) -> str:
    """One line for a task's page: "● 红色：已超过整改时限（2021年5月1日）"."""
    return f"{warning.colour.symbol} {warning.text}"


def warning_choices() -> tuple[str, ...]:
    """The 督办 filter's choices: each colour ("● 红色" …), then ``NO_WARNING``."""
    return (*(warning_tag(c) for c in WarningColour), NO_WARNING)


def choice_of_link(value: object) -> str | None:
    """The filter choice a link asks for: ``/tasks?colour=红`` → "● 红色" (None when the
    value names no colour)."""
    word = str(value or "").strip().removesuffix("色")
    found = next((c for c in WarningColour if c.value == word), None)
    return warning_tag(found) if found is not None else None


def warning_matches(warning: TaskWarning | None, chosen: Iterable[str]) -> bool:
    """Whether a task's colour is among ``chosen`` filter choices (none chosen: every task)."""
    wanted = frozenset(chosen)
    if not wanted:
        return True
    return (warning_cell(warning) or NO_WARNING) in wanted


def severity(warning: TaskWarning | None) -> int:
    """0 red, 1 yellow, 2 blue, 3 without a colour: the order of "most urgent first"."""
    return warning.colour.severity if warning is not None else len(WarningColour)


def rules_legend(
    settings: SupervisionSettings, counting: Counting = DEFAULT_COUNTING
) -> tuple[str, ...]:
    """``active_rules`` with each colour's symbol in front ("● 红色：已超过整改时限…"),
    then the line on tasks without a colour as it is."""
    return tuple(_with_symbol(line) for line in active_rules(settings, counting))


def _with_symbol(line: str) -> str:
    for colour in WarningColour:
        if line.startswith(f"{colour.label}："):
            return f"{colour.symbol} {line}"
    return line


def red_yellow(warnings: Mapping[int, TaskWarning], task_ids: Iterable[int]) -> tuple[int, int]:
    """How many of ``task_ids`` are red, and how many yellow."""
    colours = [warnings[t].colour for t in task_ids if t in warnings]
    return colours.count(WarningColour.RED), colours.count(WarningColour.YELLOW)
