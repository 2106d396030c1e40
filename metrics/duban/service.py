"""Issuing 督办单 and reading them back.

Issuing is the office's alone (``require_office``: rights are enforced here, where the
record is written, not by hiding a button). The number is taken and the notice recorded
in one transaction under the store's write lock, so two office members issuing at once
get consecutive numbers, never the same one; ``UNIQUE (year, number)`` backs it up.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Sequence
from typing import Final

from metrics.duban import repository as repo
from metrics.duban.model import DubanItem, DubanNotice, Level, most_severe
from metrics.duban.numbering import code, prefix
from metrics.model import Dataset
from metrics.notify.api import queue_duban_issued
from metrics.notify.hooks import after_commit
from metrics.rounds.model import Round
from metrics.rounds.roles import Principal, require_office
from metrics.rounds.units import find_unit, tasks_of_unit
from metrics.store.versions import Store, StoreError
from metrics.workbook.loader import load_workbook

Clock = Callable[[], datetime.datetime]
BEIJING: Final = datetime.timezone(datetime.timedelta(hours=8))
MAX_REQUIREMENTS: Final = 2000

# What a notice asks by default, by level; the office may write its own.
DEFAULT_REQUIREMENTS: Final = {
    Level.RED: "请立即组织力量集中攻坚，于反馈时限前书面报送整改进展、未按期完成的原因、"
    "完成时限和责任人，并附佐证材料。",
    Level.YELLOW: "请分析进度滞后的原因，制定加快推进的措施，"
    "于反馈时限前书面报送整改进展和下一步措施。",
    Level.BLUE: "请抓紧推进，确保在整改时限前完成，于反馈时限前报送整改进展。",
}


class DubanError(StoreError):
    """A refused notice; ``str(error)`` is a Chinese message."""


def utc_now() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC)


class DubanService:
    def __init__(self, store: Store, *, clock: Clock = utc_now) -> None:
        self.store = store
        self.db = store.backend.versions
        self.clock = clock

    def today(self) -> datetime.date:
        """The issuing day, in Beijing time (the document's date)."""
        return self.clock().astimezone(BEIJING).date()

    def issue(
        self,
        who: Principal,
        *,
        unit: str,
        items: Sequence[DubanItem],
        respond_by: datetime.date,
        requirements: str = "",
    ) -> DubanNotice:
        """Record a notice to ``unit`` for ``items`` (tasks it leads or shares, in the
        current version); returns it with its number."""
        require_office(who, "签发督办单")
        if not items:
            raise DubanError("没有需要督办的任务：请选择任务")
        version = self.store.current()
        if version is None:
            raise DubanError("存储中还没有任何版本：请先发布工作簿")
        result = load_workbook(self.store.read(version))
        if result.dataset is None:
            raise DubanError(f"当前版本 v{version.id} 的数据有错误，无法签发督办单")
        dataset = result.dataset
        found = find_unit(dataset, unit)
        if found is None:
            raise DubanError(f"单位“{unit}”不在当前数据的牵头单位或责任单位中")
        theirs = {t.id for t in tasks_of_unit(dataset, found)}
        strangers = [i.task_id for i in items if i.task_id not in theirs]
        if strangers:
            listed = "、".join(f"（{n}）" for n in strangers)
            raise DubanError(f"任务{listed}不是“{found}”牵头或参与的任务：不能向它督办")
        today = self.today()
        if respond_by <= today:
            raise DubanError(
                f"反馈时限 {respond_by.isoformat()} 应晚于签发日期 {today.isoformat()}"
            )
        text = " ".join(requirements.split())
        if len(text) > MAX_REQUIREMENTS:
            raise DubanError(f"督办要求过长（{len(text)} 字）：请控制在 {MAX_REQUIREMENTS} 字以内")
        level = most_severe([i.level for i in items])
        text = text or DEFAULT_REQUIREMENTS[level]
        head = prefix(dataset.meta.organisation)
        at = self.clock().astimezone(datetime.UTC).isoformat(timespec="seconds")
        with self.db.transaction() as db:
            next_id, number = repo.next_number(db, today.year)
            notice = DubanNotice(
                id=next_id,
                year=today.year,
                number=number,
                code=code(head, today.year, number),
                level=level,
                unit=found,
                items=tuple(sorted(items, key=lambda i: i.task_id)),
                requirements=text,
                respond_by=respond_by,
                issued_by=who.name,
                issued_at=at,
                version_id=version.id,
            )
            repo.insert(db, notice)
            for entry in notice.items:  # reminders (off unless configured): never fail this
                queue_duban_issued(
                    db,
                    duban_id=notice.code,
                    task_id=entry.task_id,
                    title=_title(dataset, entry.task_id),
                    unit=found,
                    deadline=respond_by,
                    now=self.clock(),
                )
        after_commit(self.store, self.clock)
        return notice

    def notices(self) -> list[DubanNotice]:
        """Every notice, oldest first."""
        with self.db.reading() as db:
            return repo.all_notices(db)

    def history(self, task_id: int) -> list[DubanNotice]:
        """The notices that covered ``task_id``, oldest first."""
        return [n for n in self.notices() if task_id in n.task_ids]


def _title(dataset: Dataset, task_id: int) -> str:
    task = dataset.task(task_id)
    return task.title if task is not None else f"任务（{task_id}）"


def round_opened_day(round_: Round) -> datetime.date:
    """The day (Beijing time) a round was opened."""
    return datetime.datetime.fromisoformat(round_.opened_at).astimezone(BEIJING).date()


def awaiting_answer(
    notices: Sequence[DubanNotice], unit: str, task_id: int, since: datetime.date
) -> list[DubanNotice]:
    """The notices to ``unit`` on ``task_id`` that a round opened on ``since`` answers:
    the unit's report on the task in that round is its response (their response date is
    not before the round opened)."""
    return [
        n for n in notices if n.unit == unit and task_id in n.task_ids and n.respond_by >= since
    ]


def answered_by(
    notices: Sequence[DubanNotice], unit: str, task_id: int, since: datetime.date, at: str
) -> list[DubanNotice]:
    """Of ``awaiting_answer``, those issued before a report submitted ``at`` (ISO)."""
    return [n for n in awaiting_answer(notices, unit, task_id, since) if n.issued_at <= at]
