"""One status palette for every page and chart: colour-blind safe, never colour alone.

Colours are from the Okabe–Ito palette (distinguishable with the common colour-vision
deficiencies); every status also has a symbol and its Chinese word, and both are shown
next to the colour wherever a status appears. Text on a status colour (badges, labels
inside bars and squares) and the greys of text on white reach WCAG 2.1 AA's 4.5:1
(``contrast_ratio``; checked in tests/test_palette.py and, on the pages, by axe-core in
tests/browser/test_accessibility.py). No plotly or streamlit import here: pages and
chart builders share it.
"""

from __future__ import annotations

from dataclasses import dataclass

from metrics.contract import TaskStatus
from metrics.scoring.progress import IndicatorStatus, TaskColour


@dataclass(frozen=True, slots=True)
class Swatch:
    label: str  # the Chinese word, e.g. "严重滞后"
    colour: str  # hex colour
    symbol: str  # shown with the label, so colour is never the only cue
    text_colour: str = "#ffffff"  # text on ``colour``, at least 4.5:1 (``WHITE`` or ``INK``)

    @property
    def tag(self) -> str:
        """ "✖ 严重滞后"."""
        return f"{self.symbol} {self.label}"


BLUE = "#0072B2"
SKY = "#56B4E9"
GREEN = "#009E73"
ORANGE = "#E69F00"
# Okabe–Ito's vermillion #D55E00 darkened to 88 %: white text on it reaches 4.83:1
# (3.87:1 before); still vermillion, and further from ORANGE in lightness.
VERMILLION = "#BB5300"
PURPLE = "#CC79A7"
GREY = "#8C8C8C"
LIGHT_GREY = "#C8C8C8"
INK = "#1d2330"  # text colour of the theme

# Greys and white of text, frames, grids and tables (no status: never a status colour).
WHITE = "#ffffff"
MUTED_INK = "#5b6373"  # secondary text: chart axis titles, small labels, page captions
MUTED = "#5b6270"  # secondary text of documents: the deck and the offline report
GRID_COLOUR = "#e6e8ec"  # chart grid lines
AXIS_LINE_COLOUR = "#9aa1ad"  # chart axis lines, hover label borders
RULE = "#d0d5dd"  # table and card borders in the offline report
ROW_BAND = "#f2f4f7"  # every other table row on slides, table headings in the report
TARGET_GREY = "#b9c0cb"  # target bars and axis lines of the deck's charts
HEADER_NAVY = "#1F3864"  # heading rows of the Excel summary
BAND_SHADES = ("#e4e7ec", RULE, TARGET_GREY)  # bullet-chart bands, light to dark

INDICATOR_SWATCHES: dict[IndicatorStatus, Swatch] = {
    IndicatorStatus.MET: Swatch("已达标", BLUE, "✔"),
    IndicatorStatus.ON_TRACK: Swatch("正常推进", GREEN, "●", INK),
    IndicatorStatus.BEHIND: Swatch("进度滞后", ORANGE, "▲", INK),
    IndicatorStatus.FAR_BEHIND: Swatch("严重滞后", VERMILLION, "✖"),
    IndicatorStatus.NOT_ASSESSABLE: Swatch("无法评估", PURPLE, "？", INK),
    IndicatorStatus.NO_TARGET: Swatch("无目标", GREY, "○", INK),
    IndicatorStatus.NO_DATA: Swatch("无数据", LIGHT_GREY, "…", INK),
}

TASK_COLOUR_SWATCHES: dict[TaskColour, Swatch] = {
    TaskColour.DONE: Swatch("完成", BLUE, "✔"),
    TaskColour.GREEN: Swatch("绿", GREEN, "●", INK),
    TaskColour.YELLOW: Swatch("黄", ORANGE, "▲", INK),
    TaskColour.RED: Swatch("红", VERMILLION, "✖"),
    TaskColour.GREY: Swatch("灰", GREY, "○", INK),
}

TASK_STATUS_SWATCHES: dict[TaskStatus, Swatch] = {
    TaskStatus.DONE: Swatch("已完成", BLUE, "✔"),
    TaskStatus.ONGOING: Swatch("长期坚持", SKY, "↻", INK),
    TaskStatus.BASICALLY_DONE: Swatch("基本完成", GREEN, "◑", INK),
    TaskStatus.IN_PROGRESS: Swatch("正在整改", ORANGE, "▲", INK),
    TaskStatus.EXTENSION_REQUESTED: Swatch("申请延期", PURPLE, "⇥", INK),
    TaskStatus.NOT_STARTED: Swatch("未启动", VERMILLION, "○"),
}

# What each task colour means, for the legend.
TASK_COLOUR_MEANINGS: dict[TaskColour, str] = {
    TaskColour.DONE: "已完成或长期坚持",
    TaskColour.GREEN: "有整改时限，进展正常",
    TaskColour.YELLOW: "30 天内到期，或有指标进度滞后",
    TaskColour.RED: "已超时限，或有指标严重滞后",
    TaskColour.GREY: "未填写整改时限",
}

# WCAG 2.1 AA: normal text needs 4.5:1 against its background (large text 3:1).
AA_NORMAL_TEXT = 4.5


def relative_luminance(colour: str) -> float:
    """WCAG 2.x relative luminance of a ``#rrggbb`` colour (0 black … 1 white)."""
    digits = colour.removeprefix("#")
    if len(digits) != 6:
        raise ValueError(f"not a #rrggbb colour: {colour!r}")
    channels = (int(digits[i : i + 2], 16) / 255 for i in (0, 2, 4))
    r, g, b = (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(foreground: str, background: str) -> float:
    """WCAG 2.x contrast ratio of two ``#rrggbb`` colours, 1 to 21 (as axe-core computes it)."""
    lighter, darker = sorted(
        (relative_luminance(foreground), relative_luminance(background)), reverse=True
    )
    return (lighter + 0.05) / (darker + 0.05)


FONT_FAMILY = (
    '"Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", "PingFang SC", sans-serif'
)
