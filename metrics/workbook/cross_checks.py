"""Checks across cells and sheets once the rows are read: a task's dates against its
status and the as-of date, its extension columns against its status and deadline, the
supervision rules of 概况, and the counts of 概况 against the task table."""

from __future__ import annotations

from collections.abc import Mapping

from metrics.contract import META, META_KEYS, TASKS, TaskStatus
from metrics.model import Meta, Task
from metrics.problems import ProblemLog
from metrics.supervision.settings import META_BOUNDS

USES_TASK_TABLE = "看板以“任务”表为准"


def check_task(log: ProblemLog, task: Task, meta: Meta | None) -> None:
    """Dates and status of one task that contradict each other or the as-of date."""
    name = TASKS.name
    if task.closed_on is not None and task.status is not TaskStatus.DONE:
        log.error(
            name,
            task.row,
            "销号日期",
            f"状态为“{task.status}”的任务不能填写销号日期：只有“已完成”的任务才能销号，"
            "请改状态或清空销号日期",
        )
    if task.completed_on is not None and not task.complete:
        log.warning(
            name,
            task.row,
            "完成日期",
            f"状态为“{task.status}”，却填写了完成日期：请确认状态是否应为“已完成”",
        )
    check_extension(log, task)
    if task.closed_on and task.completed_on and task.closed_on < task.completed_on:
        log.warning(name, task.row, "销号日期", "销号日期早于完成日期：请核对")
    if meta is not None:
        for field, header in (("completed_on", "完成日期"), ("closed_on", "销号日期")):
            day = getattr(task, field)
            if day is not None and day > meta.as_of:
                log.warning(
                    name,
                    task.row,
                    header,
                    f"{header} {day.isoformat()} 晚于概况中的截至日期 "
                    f"{meta.as_of.isoformat()}：请核对日期，或更新截至日期",
                )


def check_extension(log: ProblemLog, task: Task) -> None:
    """申请延期至 and 延期决定 belong to a task whose status is 申请延期; the new date
    should be after 整改时限."""
    name, requested = TASKS.name, TaskStatus.EXTENSION_REQUESTED
    if task.status is not requested:
        for value, header in (
            (task.extension_to, "申请延期至"),
            (task.extension_decision, "延期决定"),
        ):
            if value is not None:
                log.error(
                    name,
                    task.row,
                    header,
                    f"状态为“{task.status}”的任务不能填写{header}：只有“{requested}”的任务才填，"
                    f"请把状态改为“{requested}”，或清空{header}",
                )
        return
    if task.extension_to is None:
        log.warning(
            name,
            task.row,
            "申请延期至",
            "状态为“申请延期”，却没有填写申请延期至：请填写申请的新时限，如 2021-09-30",
        )
    elif task.deadline is not None and task.extension_to <= task.deadline:
        log.warning(
            name,
            task.row,
            "申请延期至",
            f"申请延期至 {task.extension_to.isoformat()} 不晚于整改时限 "
            f"{task.deadline.isoformat()}：请核对日期",
        )


def check_meta_rules(
    log: ProblemLog, parsed: Mapping[str, object], rows: Mapping[str, int]
) -> bool:
    """The supervision rules of 概况 (蓝色预警天数, 连续黄色转红轮数) within their bounds;
    False when one is not (an error)."""
    ok = True
    for key in META_KEYS:
        bounds = META_BOUNDS.get(key.field)
        value = parsed.get(key.field)
        if bounds is None or not isinstance(value, int) or bounds.allows(value):
            continue
        log.error(META.name, rows.get(key.field), "内容", f"“{key.label}”：{bounds.why(value)}")
        ok = False
    return ok


def check_reported_counts(
    log: ProblemLog, meta: Meta, tasks: dict[int, Task], meta_rows: dict[str, int]
) -> None:
    """报告任务数 / 报告已完成数 repeat what the task table says. When they disagree the
    task table wins and the count is only a warning: a status change alone (one more
    task 已完成) must be publishable without also editing 概况."""
    if log.has_errors:
        return  # counts from a partly unreadable sheet would only confuse
    total = len(tasks)
    completed = sum(1 for t in tasks.values() if t.complete)
    checks = (
        ("reported_total", "报告任务数", meta.reported_total, total, "任务共"),
        (
            "reported_completed",
            "报告已完成数",
            meta.reported_completed,
            completed,
            "已完成（含长期坚持）的任务有",
        ),
    )
    for field, label, reported, counted, what in checks:
        if reported is None or reported == counted:
            continue
        log.warning(
            META.name,
            meta_rows.get(field),
            "内容",
            f"概况的“{label}”填的是 {reported}，但工作表“任务”中{what} {counted} 项："
            f"{USES_TASK_TABLE}（按 {counted} 项计算）。请把“{label}”改为 {counted}，"
            "或清空不填",
        )
