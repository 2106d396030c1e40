"""Tables and words of reporting rounds, shared by the pages and the downloads: the
board, the 催报 list as .xlsx, a submission's items against the current data, and the
timeline of a task. Workbook text stays text (``safe_cells`` for spreadsheets; the
pages show these frames with ``st.dataframe``, which never renders markup)."""

from __future__ import annotations

import io
from collections.abc import Iterable, Mapping

import openpyxl
import pandas as pd
from openpyxl.styles import Alignment, Font, PatternFill

from metrics.contract import TaskStatus
from metrics.model import Dataset
from metrics.rounds.board import Board
from metrics.rounds.model import Decision, Evidence, Submission, TaskReport, UnitState
from metrics.store.versions import beijing_time
from metrics.supervision.model import TaskWarning, WarningColour
from metrics.values.formatting import format_number
from report.history import Names
from report.safe_cells import neutralise
from report.supervision import red_yellow, warning_tag
from report.wording import NONE

# The state of a unit in symbol and word (colour is never the only signal).
STATE_MARKS: dict[UnitState, str] = {
    UnitState.NOT_REPORTED: "○ 未填报",
    UnitState.DRAFT: "✎ 草稿",
    UnitState.AWAITING_HEAD: "◔ 待单位负责人审核",
    UnitState.SUBMITTED: "● 已报送",
    UnitState.RETURNED: "↩ 已退回",
    UnitState.ACCEPTED: "✔ 已采纳",
}


def board_frame(board: Board) -> pd.DataFrame:
    """One row per unit: 单位, 状态, 负责任务, 已报任务 (2/5), 报送次数, 最近活动, 逾期."""
    rows = []
    for row in board.rows:
        last = row.last
        rows.append(
            {
                "单位": row.unit,
                "状态": STATE_MARKS[row.state],
                "负责任务": "、".join(f"（{t.id}）" for t in row.tasks),
                "已报任务": f"{row.reported}/{len(row.tasks)}",
                "报送次数": row.revision,
                "最近活动": (
                    f"{beijing_time(last.at)} {last.actor} {last.action}" if last else NONE
                ),
                "逾期": f"逾期 {row.days_overdue} 天" if row.days_overdue else "",
            }
        )
    columns = ["单位", "状态", "负责任务", "已报任务", "报送次数", "最近活动", "逾期"]
    return pd.DataFrame(rows, columns=columns)


RED_COLUMN = warning_tag(WarningColour.RED)  # "● 红色"
YELLOW_COLUMN = warning_tag(WarningColour.YELLOW)  # "▲ 黄色"


def board_warning_frame(board: Board, warnings: Mapping[int, TaskWarning]) -> pd.DataFrame:
    """``board_frame`` with, beside each unit's state, how many of its tasks (led or
    shared) are 督办 red and how many yellow (headings in symbol and word)."""
    frame = board_frame(board)
    counts = [red_yellow(warnings, (t.id for t in row.tasks)) for row in board.rows]
    frame.insert(2, RED_COLUMN, [red for red, _ in counts])
    frame.insert(3, YELLOW_COLUMN, [yellow for _, yellow in counts])
    return frame


def chase_xlsx(board: Board) -> bytes:
    """The 催报 list as a workbook: one row per late unit and task."""
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "催报名单"
    r = board.round
    sheet.append([f"“{r.name}”逾期未报送单位（报送截止 {r.due.isoformat()}）"])
    sheet.append(["单位", "状态", "逾期天数", "任务编号", "任务"])
    for cell in sheet[2]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDDDDD")
    for row in board.late:
        for task in row.tasks:
            sheet.append(
                [
                    neutralise(row.unit),
                    str(row.state),
                    row.days_overdue,
                    task.id,
                    neutralise(task.title),
                ]
            )
    for letter, width in zip("ABCDE", (18, 16, 10, 10, 40), strict=True):
        sheet.column_dimensions[letter].width = width
    for line in sheet.iter_rows(min_row=3):
        line[4].alignment = Alignment(wrap_text=True, vertical="top")
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def status_change_text(dataset: Dataset, report: TaskReport) -> str:
    """ "正在整改 → 已完成（申请销号）", or "不变（正在整改）"."""
    task = dataset.task(report.task_id)
    now = str(task.status) if task is not None else NONE
    if report.status is None:
        return f"不变（{now}）{_extension(report)}"
    return f"{now} → {proposal_text(report)}"


def proposal_text(report: TaskReport) -> str:
    """What a report asked for, without reference to today's data: "已完成（申请销号）",
    "申请延期（至2021-09-30）"."""
    if report.status is None:
        return "不变" + _extension(report)
    if report.status is TaskStatus.DONE:
        return f"{report.status}（申请销号）"
    return f"{report.status}{_extension(report)}"


def _extension(report: TaskReport) -> str:
    """ "（至2021-09-30）" when the report asks for a new deadline."""
    return f"（至{report.extension_to.isoformat()}）" if report.extension_to else ""


def extension_decision_text(decisions: Iterable[Decision], task_id: int) -> str:
    """The office's latest 延期决定 on the task: "整改办张三 同意延期：申请延期至
    2021-09-30"; "" when it made none."""
    made = [d for d in decisions if d.task_id == task_id and d.kind.extension is not None]
    if not made:
        return ""
    last = max(made, key=lambda d: d.id)
    said = f"：{last.comment}" if last.comment else ""
    return f"{last.actor} {last.kind.label}{said}"


def values_frame(dataset: Dataset, report: TaskReport, *, before: bool = True) -> pd.DataFrame:
    """The figures a report gives: 指标, 单位, 上期 (the latest in ``dataset``; left out
    with ``before=False``, as in a timeline where the data has moved on), 本期 (as typed)."""
    rows = []
    for indicator in dataset.indicators_of(report.task_id):
        typed = report.values.get(indicator.id)
        if typed is None:
            continue
        history = dataset.history(indicator.id)
        last = history[-1] if history else None
        previous = NONE
        if last is not None:
            figure = format_number(last.value, indicator.unit, last.qualifier, last.text)
            previous = f"{figure}（{last.date.isoformat()}）"
        rows.append(
            {
                "指标": indicator.name,
                "单位": indicator.unit_symbol,
                "上期": previous,
                "本期（报送）": typed,
            }
        )
    columns = (
        ["指标", "单位", "上期", "本期（报送）"] if before else ["指标", "单位", "本期（报送）"]
    )
    return pd.DataFrame(rows, columns=columns)


def evidence_label(record: Evidence) -> str:
    """ "验收报告.pdf（PDF，1.2 MB）"."""
    kind = record.mime.split("/")[-1].upper()
    if "wordprocessingml" in record.mime:
        kind = "Word"
    elif "spreadsheetml" in record.mime:
        kind = "Excel"
    return f"{record.name}（{kind}，{_size(record.size)}）"


def _size(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / 1024 / 1024:.1f} MB"
    return f"{-(-size // 1024)} KB"  # rounded up: a small file is "1 KB", never "0 KB"


def submission_heading(submission: Submission, names: Names | None = None) -> str:
    """ "第 2 次报送 · 小赵 · 2021-07-01 10:00（网页）"; ``names`` say how visitors see
    the person (a display name, never a login name)."""
    who = (names or Names(reveal=True)).actor(submission.submitted_by)
    return (
        f"第 {submission.revision} 次报送 · {who} · "
        f"{beijing_time(submission.submitted_at)}（{submission.channel}）"
    )
