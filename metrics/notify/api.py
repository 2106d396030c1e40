"""Reminders other features send: ``notify_duban_issued`` (the 督办 feature calls it
when a 督办单 is issued)."""

from __future__ import annotations

import datetime
import logging

from metrics.notify import events
from metrics.notify.hooks import after_commit, queue_guarded
from metrics.notify.sender import Clock, utc_now
from metrics.notify.settings import settings_now
from metrics.store.backend import Connection
from metrics.store.versions import Store

_log = logging.getLogger(__name__)


def queue_duban_issued(
    db: Connection,
    *,
    duban_id: str | int,
    task_id: int,
    title: str,
    unit: str,
    deadline: datetime.date,
    now: datetime.datetime,
) -> None:
    """Inside the caller's write transaction (the one that records the 督办单): queue
    the reminder to ``unit`` (never fails the transaction). Call ``after_commit`` after
    it commits to send at once."""
    settings = settings_now()
    if not settings.active:
        return
    event = events.duban(str(duban_id), task_id, title, unit, deadline, settings.base_url)
    queue_guarded(db, lambda: [event], now, "督办单")


def notify_duban_issued(
    store: Store,
    *,
    duban_id: str | int,
    task_id: int,
    title: str,
    unit: str,
    deadline: datetime.date,
    clock: Clock = utc_now,
) -> None:
    """After a 督办单 was recorded: queue its reminder (once per ``duban_id`` and
    recipient, however often this is called) and try to send it in the background.
    Only the task's title, the unit, the deadline and a link to the task are sent.
    Never raises: a failure is logged, the 督办单 stands."""
    if not settings_now().active:
        return
    try:
        with store.backend.versions.transaction() as db:
            queue_duban_issued(
                db,
                duban_id=duban_id,
                task_id=task_id,
                title=title,
                unit=unit,
                deadline=deadline,
                now=clock(),
            )
    except Exception:
        _log.exception("提醒：督办单 %s 的提醒未能加入发送队列", duban_id)
        return
    after_commit(store, clock)
