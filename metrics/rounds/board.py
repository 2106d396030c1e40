"""The round's board: one row per unit, the count at the top, and the 催报 list.

Read-only and cheap (four queries and the current data, which the service caches), so
the page can rebuild it on every rerun.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import TypeVar

from metrics.model import Dataset, Task
from metrics.rounds import repository as repo
from metrics.rounds.model import (
    Decision,
    DecisionKind,
    Draft,
    LogEntry,
    Round,
    Submission,
    SubmissionState,
    UnitState,
)
from metrics.rounds.state import unit_state
from metrics.rounds.units import all_units, tasks_by_unit, unit_key
from metrics.store.backend import Database
from metrics.store.versions import BEIJING

_Row = TypeVar("_Row", Draft, Submission, LogEntry)

# States in which the unit's report has reached the office.
WITH_OFFICE = frozenset({UnitState.SUBMITTED, UnitState.RETURNED, UnitState.ACCEPTED})
# States in which the unit still owes the office a report.
OWING = frozenset(
    {UnitState.NOT_REPORTED, UnitState.DRAFT, UnitState.AWAITING_HEAD, UnitState.RETURNED}
)


@dataclass(frozen=True, slots=True)
class Activity:
    at: str  # ISO, UTC
    actor: str
    action: str  # 保存草稿 / 报送 / 采纳 …


@dataclass(frozen=True, slots=True)
class BoardRow:
    unit: str
    state: UnitState
    tasks: tuple[Task, ...]  # the tasks it leads or shares
    last: Activity | None  # its latest activity in the round (a draft saved, too)
    revision: int  # submissions so far
    days_overdue: int  # 0 when not overdue or already with the office
    reported: int = 0  # of ``tasks``, how many a live submission covers or were accepted


@dataclass(frozen=True, slots=True)
class Board:
    round: Round
    rows: tuple[BoardRow, ...]
    today: datetime.date

    @property
    def reported(self) -> int:
        """Units whose report reached the office (the 已报送 12 / 17 at the top)."""
        return sum(1 for r in self.rows if r.state in WITH_OFFICE)

    @property
    def total(self) -> int:
        return len(self.rows)

    @property
    def late(self) -> tuple[BoardRow, ...]:
        """The 催报 list: units that owe a report after the due date, most overdue first."""
        rows = [r for r in self.rows if r.days_overdue > 0]
        return tuple(sorted(rows, key=lambda r: (-r.days_overdue, r.unit)))

    def chase_text(self) -> str:
        """The 催报 list as text to paste into a chat or a notice."""
        r = self.round
        if not self.late:
            return f"“{r.name}”（报送截止 {_day(r.due)}）：没有逾期未报送的单位。"
        lines = [f"以下单位尚未完成“{r.name}”的报送（截止 {_day(r.due)}），请于收到后尽快报送："]
        for number, row in enumerate(self.late, start=1):
            tasks = "；".join(f"（{t.id}）{t.title}" for t in row.tasks)
            lines.append(
                f"{number}. {row.unit}（{row.state}，逾期 {row.days_overdue} 天）：{tasks}"
            )
        return "\n".join(lines)


def build_board(db: Database, dataset: Dataset, round_: Round, now: datetime.datetime) -> Board:
    today = now.astimezone(BEIJING).date()
    with db.reading() as conn:
        drafts = repo.drafts(conn, round_.id)
        submissions = repo.submissions(conn, round_.id)
        decisions = repo.decisions(conn, round_.id)
        log = repo.log_entries(conn, round_.id)
    tasks = tasks_by_unit(dataset)
    drafts_of = _by_unit(drafts)
    submissions_of = _by_unit(submissions)
    log_of = _by_unit(log)
    decisions_of: dict[int, list[Decision]] = {}
    for decision in decisions:
        decisions_of.setdefault(decision.submission_id, []).append(decision)
    rows = []
    for unit in all_units(dataset):
        mine = submissions_of.get(unit, [])
        theirs = [d for s in mine for d in decisions_of.get(s.id, [])]
        unit_drafts = drafts_of.get(unit, [])
        state = unit_state(unit_drafts, mine, sorted(theirs, key=lambda d: d.id))
        overdue = (today - round_.due).days if state in OWING else 0
        rows.append(
            BoardRow(
                unit,
                state,
                tuple(tasks.get(unit_key(unit), ())),
                _last(log_of.get(unit, []), unit_drafts),
                len(mine),
                max(overdue, 0),
                _covered(mine, theirs),
            )
        )
    return Board(round_, tuple(rows), today)


def _by_unit(rows: list[_Row]) -> dict[str, list[_Row]]:
    """The rows of each unit, in their order."""
    found: dict[str, list[_Row]] = {}
    for row in rows:
        found.setdefault(row.unit, []).append(row)
    return found


def _last(log: list[LogEntry], drafts: list[Draft]) -> Activity | None:
    found = [Activity(e.at, e.actor, e.action) for e in log]
    found += [Activity(d.updated_at, d.updated_by, "保存草稿") for d in drafts]
    return max(found, key=lambda a: a.at) if found else None


def _covered(submissions: list[Submission], decisions: list[Decision]) -> int:
    """Tasks in a live submission, or accepted earlier in the round."""
    live = {
        i.task_id for s in submissions if s.state is not SubmissionState.SUPERSEDED for i in s.items
    }
    ids = {s.id for s in submissions}
    accepted = {
        d.task_id
        for d in decisions
        if d.submission_id in ids and d.kind is DecisionKind.ACCEPT and d.task_id is not None
    }
    return len(live | accepted)


def _day(day: datetime.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"
