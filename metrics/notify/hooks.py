"""The calls the round service makes (``metrics.rounds``): queue the reminders of an
action inside its write transaction, and try to send them right after it commits.

Queuing can never fail the action: it runs in a SAVEPOINT, and any error rolls back
to it and is logged (the action commits without its reminders). With reminders off
(the default) each call returns at once and nothing is read or written.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Callable, Sequence

from metrics.model import Dataset
from metrics.notify import events
from metrics.notify.outbox import enqueue
from metrics.notify.sender import Clock, kick
from metrics.notify.settings import settings_now
from metrics.rounds.model import Decision, Round, Submission
from metrics.rounds.units import all_units
from metrics.store.backend import Connection
from metrics.store.versions import Store

_log = logging.getLogger(__name__)


def units_to_tell(dataset: Callable[[], Dataset]) -> tuple[str, ...]:
    """Every unit of the current data when reminders are on (read BEFORE a write
    transaction: it must not read through a second connection); else none."""
    if not settings_now().active:
        return ()
    try:
        return tuple(all_units(dataset()))
    except Exception:
        _log.exception("提醒：无法读取当前数据中的单位，本次不发送轮次开启提醒")
        return ()


def round_opened(
    db: Connection, opened: Round, units: Sequence[str], now: datetime.datetime
) -> None:
    settings = settings_now()
    if not settings.active or not units:
        return
    queue_guarded(
        db, lambda: events.round_opened(opened, units, settings.base_url), now, "开启轮次"
    )


def decided(
    db: Connection,
    submission: Submission,
    made: Sequence[Decision],
    dataset: Dataset,
    now: datetime.datetime,
) -> None:
    settings = settings_now()
    if not settings.active or not made:
        return

    def build() -> list[events.Event]:
        titles = {d.task_id: _title(dataset, d.task_id) for d in made if d.task_id is not None}
        return events.decided(submission, made, titles, settings.base_url)

    queue_guarded(db, build, now, "审核")


def after_commit(store: Store, clock: Clock) -> None:
    """Try to send right away, in the background (never raises, never waits)."""
    try:
        kick(store, clock)
    except Exception:
        _log.exception("提醒：无法启动后台发送，稍后由定时任务发送")


def _title(dataset: Dataset, task_id: int) -> str:
    task = dataset.task(task_id)
    return task.title if task is not None else ""


def queue_guarded(
    db: Connection, build: Callable[[], list[events.Event]], now: datetime.datetime, what: str
) -> None:
    settings = settings_now()
    try:
        db.execute("SAVEPOINT zhenggai_notify")
    except Exception:
        _log.exception("提醒：%s的提醒未能加入发送队列", what)
        return
    try:
        queued = enqueue(db, events.messages(build(), settings), now)
        db.execute("RELEASE SAVEPOINT zhenggai_notify")
    except Exception:
        _log.exception("提醒：%s的提醒未能加入发送队列（%s本身已完成）", what, what)
        try:
            db.execute("ROLLBACK TO SAVEPOINT zhenggai_notify")
            db.execute("RELEASE SAVEPOINT zhenggai_notify")
        except Exception:
            _log.exception("提醒：撤销未完成的发送队列写入失败")
        return
    if queued:
        _log.info("提醒：%s，%s 条提醒加入发送队列", what, queued)
