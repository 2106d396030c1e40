"""One status palette for every page and chart: colour-blind safe, never colour alone.

Colours are from the Okabe–Ito palette (distinguishable with the common colour-vision
deficiencies); every status also has a symbol and its Chinese word, and both are shown
next to the colour wherever a status appears. No plotly or streamlit import here: pages
and chart builders share it.
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
    text_colour: str = "#ffffff"  # readable text on ``colour`` (``WHITE``)

    @property
    def tag(self) -> str:
        """ "✖ 严重滞后"."""
        return f"{self.symbol} {self.label}"


BLUE = "#0072B2"
SKY = "#56B4E9"
GREEN = "#009E73"
ORANGE = "#E69F00"
VERMILLION = "#D55E00"
PURPLE = "#CC79A7"
GREY = "#8C8C8C"
LIGHT_GREY = "#C8C8C8"
INK = "#1d2330"  # text colour of the theme

# Greys and white of text, frames, grids and tables (no status: never a status colour).
WHITE = "#ffffff"
MUTED_INK = "#5b6373"  # secondary text of charts: axis titles, small labels
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
    IndicatorStatus.ON_TRACK: Swatch("正常推进", GREEN, "●"),
    IndicatorStatus.BEHIND: Swatch("进度滞后", ORANGE, "▲", INK),
    IndicatorStatus.FAR_BEHIND: Swatch("严重滞后", VERMILLION, "✖"),
    IndicatorStatus.NOT_ASSESSABLE: Swatch("无法评估", PURPLE, "？", INK),
    IndicatorStatus.NO_TARGET: Swatch("无目标", GREY, "○"),
    IndicatorStatus.NO_DATA: Swatch("无数据", LIGHT_GREY, "…", INK),
}

TASK_COLOUR_SWATCHES: dict[TaskColour, Swatch] = {
    TaskColour.DONE: Swatch("完成", BLUE, "✔"),
    TaskColour.GREEN: Swatch("绿", GREEN, "●"),
    TaskColour.YELLOW: Swatch("黄", ORANGE, "▲", INK),
    TaskColour.RED: Swatch("红", VERMILLION, "✖"),
    TaskColour.GREY: Swatch("灰", GREY, "○"),
}

TASK_STATUS_SWATCHES: dict[TaskStatus, Swatch] = {
    TaskStatus.DONE: Swatch("已完成", BLUE, "✔"),
    TaskStatus.ONGOING: Swatch("长期坚持", SKY, "↻", INK),
    TaskStatus.IN_PROGRESS: Swatch("正在整改", ORANGE, "▲", INK),
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

FONT_FAMILY = (
    '"Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", "PingFang SC", sans-serif'
)
