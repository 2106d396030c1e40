"""Statuses as leaders see them: symbol + word + colour, the same on every page and in
every export (never colour alone)."""

from __future__ import annotations

import enum

from metrics.contract import TaskStatus
from metrics.scoring.progress import IndicatorStatus, TaskColour
from metrics.supervision.model import WarningColour
from report.literal import html_text
from report.palette import (
    INDICATOR_SWATCHES,
    TASK_COLOUR_MEANINGS,
    TASK_COLOUR_SWATCHES,
    TASK_STATUS_SWATCHES,
    Swatch,
)
from report.supervision import WARNING_SWATCHES


def swatch(status: enum.Enum) -> Swatch:
    if isinstance(status, IndicatorStatus):
        return INDICATOR_SWATCHES[status]
    if isinstance(status, TaskColour):
        return TASK_COLOUR_SWATCHES[status]
    if isinstance(status, TaskStatus):
        return TASK_STATUS_SWATCHES[status]
    if isinstance(status, WarningColour):
        return WARNING_SWATCHES[status]
    raise TypeError(f"no swatch for {status!r}")


def tag(status: enum.Enum) -> str:
    """ "✖ 严重滞后": the word with its symbol, for tables and plain text."""
    return swatch(status).tag


def badge(status: enum.Enum, text: str | None = None) -> str:
    """An HTML badge in the status colour (symbol and word inside, never colour alone)."""
    s = swatch(status)
    label = html_text(text if text is not None else s.tag)
    return (
        f'<span style="background:{s.colour};color:{s.text_colour};border-radius:0.6em;'
        f'padding:0.05em 0.55em;font-size:0.85em;white-space:nowrap">{label}</span>'
    )


def legend_html() -> str:
    """The status legend for the sidebar."""
    rows = ["<div style='font-size:0.85em;line-height:1.9'>", "<b>指标状态</b><br>"]
    rows += [badge(status) + " " for status in IndicatorStatus]
    rows.append("<br><b>任务提示</b><br>")
    rows += [
        f"{badge(colour)} {html_text(TASK_COLOUR_MEANINGS[colour])}<br>" for colour in TaskColour
    ]
    rows.append("</div>")
    return "".join(rows)
