"""Numbers, dates, names and empty fields as the dashboard and the exports word them.

Only presentation uses these; the domain's own wording (``chinese_date``, ``rate_text``,
``format_number``, the summary sentence) stays in ``metrics``.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from typing import Final

from metrics.contract import ExtensionDecision, TargetKind, TaskStatus
from metrics.model import Indicator, Task
from metrics.scoring.headline import chinese_date
from metrics.scoring.progress import IndicatorProgress
from metrics.scoring.rollup import UNASSIGNED_UNIT
from metrics.values.formatting import format_number
from metrics.values.text import shorten

# A field staff left empty (整改措施 …), in the same words as a missing 牵头单位.
NOT_FILLED: Final = UNASSIGNED_UNIT
NONE: Final = "—"  # a table cell without a value
CATEGORY_CHARS: Final = 12  # a 方面 name without an ordinal is cut to this, "…" included

_ORDINAL = re.compile(r"[（(]([一二三四五六七八九十]+)[)）]")


def lead_unit(task: Task) -> str:
    """The task's 牵头单位, or "（未填写）" as the roll-up by unit groups it."""
    return task.lead_unit or UNASSIGNED_UNIT


def iso_day(day: datetime.date | None, missing: str = NONE) -> str:
    """ "2021-05-31" for tables; ``missing`` ("—") without a date."""
    return day.isoformat() if day is not None else missing


def deadline_text(
    task: Task, missing: str = NONE, day: Callable[[datetime.date], str] = chinese_date
) -> str:
    """整改时限 as typed, and a 申请延期 beside it: "2021年6月30日", "2021年6月30日
    （已同意延期至2021年9月30日）", "2021年6月30日（申请延期至2021年9月30日，待定）";
    ``missing`` without a deadline (an extension is still named). ``day=iso_day`` for
    tables ("2021-06-30（已同意延期至2021-09-30）")."""
    typed = day(task.deadline) if task.deadline is not None else missing
    if task.status is not TaskStatus.EXTENSION_REQUESTED or task.extension_to is None:
        return typed
    wanted = day(task.extension_to)
    decision = task.extension_decision or ExtensionDecision.PENDING
    if decision is ExtensionDecision.GRANTED:
        return f"{typed}（已同意延期至{wanted}）"
    return f"{typed}（申请延期至{wanted}，{_DECISION_WORDS[decision]}）"


def overdue_words(task: Task) -> str:
    """What an overdue task is past: "延期后的整改时限" once an extension is granted."""
    return "延期后的整改时限" if task.extension_granted else "整改时限"


_DECISION_WORDS: Final = {
    ExtensionDecision.GRANTED: "已同意",
    ExtensionDecision.REFUSED: "未同意",
    ExtensionDecision.PENDING: "待定",
}


def percent(share: float | None) -> float | None:
    """A share (0.857) as a percentage with one decimal (85.7) for a progress column."""
    return None if share is None else round(share * 100, 1)


def value_text(ip: IndicatorProgress) -> str:
    """The latest figure as the report words it: "6200余亩", "约60亿元", "第1"; "—" if none."""
    latest = ip.latest
    if latest is None:
        return NONE
    return format_number(latest.value, ip.indicator.unit, latest.qualifier, latest.text)


def target_text(ip: IndicatorProgress) -> str:
    """ "211亿元（2021年12月31日前）", "第1" for a rank; "—" without a target."""
    ind = ip.indicator
    if ind.target is None:
        return NONE
    text = format_number(ind.target, ind.unit)
    if ind.target_date is not None:
        text += f"（{chinese_date(ind.target_date)}前）"
    return text


# What the report calls a reference figure, before it ("目标211亿元", "规划43条", "共11条"),
# and as a noun ("已完成目标的41.5%", "已完成规划的…").
TARGET_WORDS: dict[TargetKind, str] = {
    TargetKind.GOAL: "目标",
    TargetKind.PLAN: "规划",
    TargetKind.SCHEDULE: "计划",
    TargetKind.EXPECTED: "预计",
    TargetKind.TOTAL: "共",
    TargetKind.REQUIRED: "要求",
}
TARGET_NOUNS: dict[TargetKind, str] = {
    TargetKind.GOAL: "目标",
    TargetKind.PLAN: "规划数",
    TargetKind.SCHEDULE: "计划数",
    TargetKind.EXPECTED: "预计数",
    TargetKind.TOTAL: "总数",
    TargetKind.REQUIRED: "要求",
}


def target_word(indicator: Indicator) -> str:
    """ "目标", or what the report calls the figure instead: "规划", "计划", "预计", "共"."""
    return TARGET_WORDS[indicator.target_kind]


def target_phrase(ip: IndicatorProgress, gap: str = "") -> str:
    """ "目标211亿元（2021年12月31日前）", "规划43条（2025年12月31日前）", "共656个"."""
    return f"{target_word(ip.indicator)}{gap}{target_text(ip)}"


def target_cell(ip: IndicatorProgress) -> str:
    """A 目标 column's cell: the figure, with its word when it is not a goal ("规划43条…")."""
    if ip.indicator.target_kind is TargetKind.GOAL:
        return target_text(ip)
    return target_phrase(ip)


def short_category(name: str) -> str:
    """ "（一）学习贯彻……" -> "第一方面"; other names are cut to 12 characters."""
    match = _ORDINAL.match(name.strip())
    if match:
        return f"第{match.group(1)}方面"
    return shorten(name, CATEGORY_CHARS)


_CJK = r"[\u3400-\u9fff\u201c\u201d\u300a\u300b]"
_HALF_WIDTH_COMMA = re.compile(rf"(?<={_CJK}),|,(?={_CJK})")
_HALF_WIDTH_MARKS = {";": "；", ":": "：", "?": "？", "!": "！"}
_PARENTHESES = re.compile(r"\(([^()]*)\)")


def chinese_punctuation(text: str) -> str:
    """Half-width punctuation in Chinese text as a document writes it: "理论学习表面化,
    指导实践有差距" → "理论学习表面化，指导实践有差距", "(一)学习…" → "（一）学习…".
    Punctuation between digits or Latin letters is left alone ("1,141", "S312 (G107)")."""
    text = _HALF_WIDTH_COMMA.sub("，", text)
    for half, full in _HALF_WIDTH_MARKS.items():
        text = re.sub(rf"(?<={_CJK}){re.escape(half)}", full, text)
    return _PARENTHESES.sub(
        lambda m: f"（{m.group(1)}）" if re.search(_CJK, m.group(1)) else m.group(0), text
    )
