"""The overview's first screen, 需要关注: what needs the reader, most urgent first, short
at any size (issue #20).

Groups, each with its count and at most ``LIMIT`` items, and one way on to the whole list:

- 红色 tasks, longest past their deadline first: symbol + word, title, the rule(s);
- 黄色 and 蓝色 counts;
- units that did not report the latest round by its due date (office and leaders);
- 销号 and extension requests waiting for the office's decision (the office).

Pure: the page (``ui.first_screen``) reads who is signed in and the round tables, and
renders the groups. Workbook text is left raw here: the page escapes it where it shows it.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from metrics.contract import TaskStatus
from metrics.model import Task
from metrics.rounds.model import Submission, TaskReport
from metrics.rounds.units import all_units, unit_key
from metrics.scoring.progress import Scored
from metrics.supervision.model import RoundFacts, TaskWarning, WarningColour

LIMIT = 5  # items shown per group; the rest is one tap away


@dataclass(frozen=True, slots=True)
class Item:
    """One line of a group: a task (``task_id``: one tap to its page) and why it is here."""

    task_id: int
    title: str  # "（9）回迁安置进展缓慢" (workbook text: escape where shown)
    note: str  # "已超过整改时限（2024年3月31日）" / "市教育局" …


@dataclass(frozen=True, slots=True)
class ColourGroup:
    colour: WarningColour
    count: int
    items: tuple[Item, ...]  # the most urgent ``LIMIT`` (red only: yellow and blue are counts)

    @property
    def heading(self) -> str:
        """ "● 红色 45 项"."""
        return f"{self.colour.symbol} {self.colour.label} {self.count} 项"

    @property
    def more(self) -> str:
        """The link to the filtered task list: "查看全部 45 项红色任务"."""
        return f"查看全部 {self.count} 项{self.colour.label}任务"


@dataclass(frozen=True, slots=True)
class LateUnits:
    """Units that had not reported the latest round by its due date."""

    round_name: str
    due: datetime.date
    units: tuple[str, ...]  # all of them, in the data's order

    @property
    def text(self) -> str:
        """ "未按时报送“2024年6月进展”（截止2024年7月5日）的单位 12 个：甲、乙、丙、丁、戊等"."""
        shown = "、".join(self.units[:LIMIT])
        more = "等" if len(self.units) > LIMIT else ""
        return (
            f"未按时报送“{self.round_name}”（截止{_day(self.due)}）的单位 "
            f"{len(self.units)} 个：{shown}{more}"
        )


@dataclass(frozen=True, slots=True)
class Requests:
    """Requests of one kind waiting for the office: 销号 or 延期."""

    kind: str  # "销号申请" / "延期申请"
    count: int
    items: tuple[Item, ...]  # the longest waiting ``LIMIT``, oldest submission first

    @property
    def heading(self) -> str:
        return f"待审核的{self.kind} {self.count} 项"


@dataclass(frozen=True, slots=True)
class FirstScreen:
    colours: tuple[ColourGroup, ...]  # red, yellow, blue (zero counts included)
    late: LateUnits | None = None  # None: not shown to this reader, or nobody is late
    requests: tuple[Requests, ...] = ()  # the office only; empty kinds left out

    @property
    def red(self) -> ColourGroup:
        return self.colours[0]

    @property
    def calm(self) -> bool:
        """Nothing to look at: no colour, nobody late, no request waiting."""
        return not any(g.count for g in self.colours) and self.late is None and not self.requests


def colour_groups(scored: Scored, warnings: Mapping[int, TaskWarning]) -> tuple[ColourGroup, ...]:
    """Red, yellow and blue with their counts; red with its most urgent tasks (the
    longest past the effective deadline first, then by number)."""
    tasks = {tp.task.id: tp.task for tp in scored.tasks}
    found = []
    for colour in WarningColour:
        mine = [w for w in warnings.values() if w.colour is colour]
        items: tuple[Item, ...] = ()
        if colour is WarningColour.RED:
            mine.sort(key=lambda w: (_deadline_order(tasks[w.task_id]), w.task_id))
            items = tuple(
                Item(w.task_id, task_title(tasks[w.task_id]), "；".join(w.reasons))
                for w in mine[:LIMIT]
            )
        found.append(ColourGroup(colour, len(mine), items))
    return tuple(found)


def late_units(scored: Scored, latest: RoundFacts | None) -> LateUnits | None:
    """The latest round's late units in the data's order (None: none, or no round)."""
    if latest is None or not latest.late_units:
        return None
    late = {unit_key(u) for u in latest.late_units}
    ordered = [u for u in all_units(scored.dataset) if unit_key(u) in late]
    known = {unit_key(u) for u in ordered}
    ordered += sorted(u for u in latest.late_units if unit_key(u) not in known)
    return LateUnits(latest.name, latest.due, tuple(ordered))


def waiting_requests(
    scored: Scored, awaiting: Sequence[tuple[Submission, tuple[TaskReport, ...]]]
) -> tuple[Requests, ...]:
    """销号 requests (a task proposed 已完成 that is not) and extension requests among
    the undecided reports of ``awaiting`` (``RoundService.awaiting_review``), oldest
    submission first; kinds without a request are left out."""
    tasks = {tp.task.id: tp.task for tp in scored.tasks}
    closing: list[Item] = []
    extending: list[Item] = []
    for submission, reports in awaiting:
        for report in reports:
            task = tasks.get(report.task_id)
            if task is None:
                continue
            if report.status is TaskStatus.DONE and task.status is not TaskStatus.DONE:
                closing.append(Item(task.id, task_title(task), submission.unit))
            elif report.status is TaskStatus.EXTENSION_REQUESTED:
                wanted = report.extension_to
                to = f"申请延期至{_day(wanted)}" if wanted is not None else "申请延期"
                extending.append(Item(task.id, task_title(task), f"{submission.unit}{to}"))
    return tuple(
        Requests(kind, len(items), tuple(items[:LIMIT]))
        for kind, items in (("销号申请", closing), ("延期申请", extending))
        if items
    )


def task_title(task: Task) -> str:
    return f"（{task.id}）{task.title}"


def _deadline_order(task: Task) -> datetime.date:
    return task.effective_deadline or datetime.date.max


def _day(day: datetime.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"
