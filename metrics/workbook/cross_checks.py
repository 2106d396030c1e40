"""Checks across cells and sheets once the rows are read: a task's dates against its
status and the as-of date, and the counts of 概况 against the task table."""

from __future__ import annotations

from metrics.contract import META, TASKS, TaskStatus
from metrics.model import Meta, Task
from metrics.problems import ProblemLog

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
