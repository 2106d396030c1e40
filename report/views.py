"""Display-ready tables and lists for the dashboard pages (pure: pandas, no streamlit).

Pages stay thin: they read their widgets, call one function here, and render what
comes back. Column names are the Chinese headings leaders see. Status words can be
decorated by the caller (``tag``), so the palette's symbols stay out of the domain.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

import pandas as pd

from metrics.contract import TaskStatus
from metrics.model import Task
from metrics.scoring.headline import chinese_date, headline
from metrics.scoring.progress import (
    IndicatorProgress,
    IndicatorStatus,
    Scored,
    TaskColour,
    TaskProgress,
)
from metrics.scoring.rollup import Group, by_category, overall
from metrics.scoring.summary import rate_text
from metrics.supervision.model import TaskWarning, WarningColour
from report.first_screen import colour_groups
from report.supervision import (
    reasons_cell,
    severity,
    warning_cell,
    warning_matches,
    warning_tag,
)
from report.wording import (
    deadline_text,
    iso_day,
    lead_unit,
    percent,
    short_category,
    target_cell,
    target_phrase,
    value_text,
)

Tag = Callable[[enum.Enum], str]


def plain(status: enum.Enum) -> str:
    return str(status.value)


# -- tasks ---------------------------------------------------------------------------------

_COLOUR_ORDER = {
    TaskColour.RED: 0,
    TaskColour.YELLOW: 1,
    TaskColour.GREEN: 2,
    TaskColour.GREY: 3,
    TaskColour.DONE: 4,
}


@dataclass(frozen=True, slots=True)
class TaskFilter:
    categories: tuple[str, ...] = ()
    problems: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    lead_units: tuple[str, ...] = ()
    colours: tuple[str, ...] = ()
    text: str = ""


@dataclass(frozen=True, slots=True)
class TaskFilterOptions:
    categories: tuple[str, ...]
    problems: tuple[str, ...]
    statuses: tuple[str, ...]
    lead_units: tuple[str, ...]
    colours: tuple[str, ...]


def task_filter_options(scored: Scored) -> TaskFilterOptions:
    tasks = [tp.task for tp in scored.tasks]
    return TaskFilterOptions(
        categories=_unique(t.category for t in tasks),
        problems=_unique(t.problem for t in tasks),
        statuses=tuple(s.value for s in TaskStatus),
        lead_units=_unique(lead_unit(t) for t in tasks),
        colours=tuple(c.value for c in TaskColour),
    )


def _task_row(tp: TaskProgress, tag: Tag) -> dict[str, object]:
    t = tp.task
    return {
        "编号": t.id,
        "任务": t.title,
        "状态": tag(t.status),
        "提示": tag(tp.colour),
        "方面": t.category,
        "问题": t.problem,
        "牵头单位": lead_unit(t),
        "整改时限": deadline_text(t, day=iso_day),
        "指标数": len(tp.indicators),
        "说明": tp.reason,
    }


# -- tasks with their 督办 colours --------------------------------------------------------------


class TaskOrder(enum.StrEnum):
    """The rows' order in the tasks table (the grid's headers sort by any column too)."""

    WORKBOOK = "按编号（工作簿顺序）"
    SEVERITY = "按督办颜色（红、黄、蓝在前）"


WARNING_COLUMN = "督办"  # "● 红色": symbol and word (``report.supervision.warning_cell``)
WARNING_REASONS_COLUMN = "督办原因"  # the rule(s) in words, joined with "；"

SUPERVISED_TASK_COLUMNS = (
    "编号",
    "任务",
    "状态",
    WARNING_COLUMN,
    WARNING_REASONS_COLUMN,
    "提示",
    "方面",
    "问题",
    "牵头单位",
    "整改时限",
    "指标数",
    "说明",
)


def supervised_task_table(
    scored: Scored,
    warnings: Mapping[int, TaskWarning],
    task_filter: TaskFilter = TaskFilter(),
    tag: Tag = plain,
    *,
    warning_filter: Sequence[str] = (),
    order: TaskOrder = TaskOrder.WORKBOOK,
) -> pd.DataFrame:
    """One row per task matching the filter, with each task's 督办 colour ("● 红色",
    symbol and word) and the rule(s) that gave it; ``warning_filter``: choices of
    ``report.supervision.warning_choices`` (none: every task); ``order`` WORKBOOK keeps
    workbook order, SEVERITY puts red first, then yellow, blue and uncoloured tasks,
    each in workbook order."""
    chosen = [
        tp
        for tp in scored.tasks
        if _task_matches(tp, task_filter)
        and warning_matches(warnings.get(tp.task.id), warning_filter)
    ]
    if order is TaskOrder.SEVERITY:
        chosen.sort(key=lambda tp: severity(warnings.get(tp.task.id)))  # stable: workbook order
    rows = []
    for tp in chosen:
        warning = warnings.get(tp.task.id)
        row = _task_row(tp, tag)
        row[WARNING_COLUMN] = warning_cell(warning)
        row[WARNING_REASONS_COLUMN] = reasons_cell(warning)
        rows.append(row)
    return pd.DataFrame(rows, columns=list(SUPERVISED_TASK_COLUMNS))


# -- 督办 colours in the exports ----------------------------------------------------------------

COLOURED = tuple(warning_tag(colour) for colour in WarningColour)  # every colour, no "未标颜色"


def warnings_of_tasks(
    scored: Scored, warnings: Mapping[int, TaskWarning]
) -> dict[int, TaskWarning]:
    """The warnings of ``scored``'s own tasks (a scope's), in workbook order: an export
    counts and lists only what it covers."""
    return {tp.task.id: warnings[tp.task.id] for tp in scored.tasks if tp.task.id in warnings}


def warning_counts(scored: Scored, warnings: Mapping[int, TaskWarning]) -> tuple[str, ...]:
    """Red, yellow and blue over ``scored``'s tasks, zeros included, as the overview's
    first screen heads them: ("● 红色 2 项", "▲ 黄色 0 项", "■ 蓝色 1 项")."""
    return tuple(
        group.heading for group in colour_groups(scored, warnings_of_tasks(scored, warnings))
    )


def warning_summary(scored: Scored, warnings: Mapping[int, TaskWarning]) -> str:
    """ "督办：● 红色 2 项　▲ 黄色 0 项　■ 蓝色 1 项", one line beside the figures."""
    return f"{WARNING_COLUMN}：" + "　".join(warning_counts(scored, warnings))


def coloured_task_table(scored: Scored, warnings: Mapping[int, TaskWarning]) -> pd.DataFrame:
    """The tasks table's rows (``supervised_task_table``) of the coloured tasks only,
    red first, then yellow and blue, each in workbook order."""
    return supervised_task_table(
        scored, warnings, warning_filter=COLOURED, order=TaskOrder.SEVERITY
    )


def _task_matches(tp: TaskProgress, f: TaskFilter) -> bool:
    t = tp.task
    if f.categories and t.category not in f.categories:
        return False
    if f.problems and t.problem not in f.problems:
        return False
    if f.statuses and t.status.value not in f.statuses:
        return False
    if f.lead_units and lead_unit(t) not in f.lead_units:
        return False
    if f.colours and tp.colour.value not in f.colours:
        return False
    needle = f.text.strip().casefold()
    if needle:
        haystack = " ".join(
            (str(t.id), t.title, t.measures, t.category, t.problem, t.lead_unit, t.note)
        ).casefold()
        return all(word in haystack for word in needle.split())
    return True


# -- indicators ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class IndicatorFilter:
    categories: tuple[str, ...] = ()
    problems: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()


INDICATOR_COLUMNS = (
    "指标编号",
    "任务编号",
    "任务",
    "指标",
    "最新值",
    "日期",
    "目标",
    "进度",
    "状态",
    "说明",
)


def indicator_table(
    scored: Scored, indicator_filter: IndicatorFilter = IndicatorFilter(), tag: Tag = plain
) -> pd.DataFrame:
    """One row per indicator matching the filter; 进度 is 0–100 or empty."""
    f = indicator_filter
    rows = []
    for tp in scored.tasks:
        t = tp.task
        if f.categories and t.category not in f.categories:
            continue
        if f.problems and t.problem not in f.problems:
            continue
        for ip in tp.indicators:
            if f.statuses and ip.status.value not in f.statuses:
                continue
            rows.append(_indicator_row(tp, ip, tag))
    return pd.DataFrame(rows, columns=list(INDICATOR_COLUMNS))


def _indicator_row(tp: TaskProgress, ip: IndicatorProgress, tag: Tag) -> dict[str, object]:
    ind = ip.indicator
    return {
        "指标编号": ind.id,
        "任务编号": tp.task.id,
        "任务": tp.task.title,
        "指标": ind.name,
        "最新值": value_text(ip),
        "日期": iso_day(ip.latest.date if ip.latest else None),
        "目标": target_cell(ip),
        "进度": percent(ip.progress),
        "状态": tag(ip.status),
        "说明": ip.reason,
    }


# -- attention list and summary -------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AttentionItem:
    task_id: int
    kind: str  # "任务" or "指标"
    status: enum.Enum  # TaskColour for tasks, IndicatorStatus for indicators
    text: str  # what to look at, in words


LAGGING = (IndicatorStatus.FAR_BEHIND, IndicatorStatus.BEHIND)


def attention_items(scored: Scored) -> list[AttentionItem]:
    """Open tasks (red first), then lagging indicators (far behind first)."""
    items: list[AttentionItem] = []
    open_tasks = sorted(
        (tp for tp in scored.tasks if not tp.complete),
        key=lambda tp: (_COLOUR_ORDER[tp.colour], tp.task.id),
    )
    for tp in open_tasks:
        t = tp.task
        items.append(
            AttentionItem(t.id, "任务", tp.colour, f"（{t.id}）{t.title}：{t.status}，{tp.reason}")
        )
    for status in LAGGING:
        for ip in scored.indicators:
            if ip.status is status:
                ind = ip.indicator
                items.append(
                    AttentionItem(
                        ind.task_id,
                        "指标",
                        status,
                        f"{ind.name}：{value_text(ip)}，{target_phrase(ip, ' ')}，{ip.reason}",
                    )
                )
    return items


ATTENTION_COLUMNS = ("提示", "内容", "编号", "类别")


def attention_table(items: Sequence[AttentionItem], tag: Tag = plain) -> pd.DataFrame:
    """The attention list as one table (the overview's 需关注清单), in the list's order:
    编号 is the task's (an indicator's task), so that choosing a row opens its page."""
    rows = [
        {"提示": tag(item.status), "内容": item.text, "编号": item.task_id, "类别": item.kind}
        for item in items
    ]
    return pd.DataFrame(rows, columns=list(ATTENTION_COLUMNS))


def summary_paragraph(scored: Scored) -> str:
    """A paragraph in the report's own style, generated from the figures."""
    parts = [headline(scored).sentence]
    categories = by_category(scored)
    if len(categories) > 1:
        detail = "；".join(_group_phrase(g) for g in categories)
        parts.append(f"分方面看，{detail}。")
    parts.append(indicator_summary(scored))
    return "".join(parts)


def indicator_summary(scored: Scored) -> str:
    """ "量化指标N个，其中设定目标的17个；已有数据的5个中已达标2个…；另有…。" and the
    overdue tasks; "" without indicators or overdue tasks."""
    figures = headline(scored)
    whole = overall(scored)
    statuses = whole.indicator_statuses
    parts = []
    if whole.indicators_total:
        text = f"量化指标{whole.indicators_total}个，其中设定目标的{whole.indicators_with_target}个"
        counted = [
            f"{status.value}{statuses[status]}个"
            for status in IndicatorStatus
            if status not in (IndicatorStatus.NO_TARGET, IndicatorStatus.NO_DATA)
            and statuses[status]
        ]
        if counted:
            text += f"；已有数据的{figures.indicators_with_data}个中" + "、".join(counted)
        if figures.without_data_text:
            text += "；" + figures.without_data_text
        parts.append(text + "。")
    if whole.completion.overdue:
        parts.append(f"超过整改时限仍未完成的任务{whole.completion.overdue}项，需重点督办。")
    return "".join(parts)


def _group_phrase(g: Group) -> str:
    c = g.completion
    return f"{short_category(g.key)}{c.total}项任务完成{c.completed}项（{rate_text(c.rate)}）"


# -- one issue -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class IssueDetail:
    progress: TaskProgress
    previous_id: int | None
    next_id: int | None
    charted: tuple[IndicatorProgress, ...]  # with a target and a value: bullet charts
    awaiting: tuple[IndicatorProgress, ...]  # with a target but no value yet
    facts: tuple[IndicatorProgress, ...]  # without a target: a facts table


def issue_detail(scored: Scored, task_id: int) -> IssueDetail | None:
    """Everything the issue page shows for one task; None for an unknown id."""
    ids = [tp.task.id for tp in scored.tasks]
    if task_id not in ids:
        return None
    position = ids.index(task_id)
    tp = scored.tasks[position]
    with_target = [ip for ip in tp.indicators if ip.status is not IndicatorStatus.NO_TARGET]
    return IssueDetail(
        progress=tp,
        previous_id=ids[position - 1] if position > 0 else None,
        next_id=ids[position + 1] if position + 1 < len(ids) else None,
        charted=tuple(ip for ip in with_target if ip.latest is not None),
        awaiting=tuple(ip for ip in with_target if ip.latest is None),
        facts=tuple(ip for ip in tp.indicators if ip.status is IndicatorStatus.NO_TARGET),
    )


def task_facts_in_words(task: Task) -> list[tuple[str, str]]:
    """Who and when of a task, as (heading, text; "" when not filled in), dates in
    words, for a task's page: 整改时限 "2021年6月30日
    （已同意延期至2021年9月30日）" (an extension requested or decided is named)."""
    return [
        ("牵头单位", task.lead_unit),
        ("责任单位", task.responsible_units),
        ("责任领导", task.responsible_leader),
        ("整改时限", deadline_text(task, "")),
        ("完成日期", chinese_date(task.completed_on) if task.completed_on else ""),
        ("销号日期", chinese_date(task.closed_on) if task.closed_on else ""),
    ]


FACT_COLUMNS = ("指标", "数值", "日期", "说明", "来源")


def facts_table(indicators: Sequence[IndicatorProgress]) -> pd.DataFrame:
    """Indicators without targets: what the report says, with its source sentence."""
    rows = [
        {
            "指标": ip.indicator.name,
            "数值": value_text(ip),
            "日期": iso_day(ip.latest.date if ip.latest else None),
            "说明": ip.indicator.note or (ip.latest.note if ip.latest else ""),
            "来源": ip.indicator.source,
        }
        for ip in indicators
    ]
    return pd.DataFrame(rows, columns=list(FACT_COLUMNS))


def parse_task_id(raw: object) -> int | None:
    """A task id from a URL query parameter ("9"), or None for anything else: only ASCII
    digits count ("²" and "٣" pass ``str.isdigit`` but are no task number), and at most
    six of them."""
    text = str(raw).strip() if raw is not None else ""
    if not (text.isascii() and text.isdecimal()) or len(text) > 6:
        return None
    return int(text)


def _unique(values: Iterable[str]) -> tuple[str, ...]:
    """Distinct values in first-seen order."""
    return tuple(dict.fromkeys(values))


def task_id_at(table: pd.DataFrame, rows: Sequence[int]) -> int | None:
    """The 编号 of the first selected row of a task or indicator table, if any."""
    column = "编号" if "编号" in table.columns else "任务编号"
    if not rows or rows[0] >= len(table):
        return None
    return int(table.iloc[rows[0]][column])
