"""Which reminders an action sends, and to whom.

An ``Event`` is something that happened, once (its ``key``), told to one unit's
recipients (its e-mail addresses and its group robot) and, when ``group`` is set, to
the one work group robot. A round opening tells each unit, and the work group once.
``messages`` turns events into one ``Outgoing`` row per recipient, by the settings.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from metrics.notify.message import EventKind, Notice, link_to
from metrics.notify.outbox import Channel, Outgoing
from metrics.notify.settings import NotifySettings
from metrics.rounds.model import Decision, DecisionKind, Round, Submission
from metrics.store.versions import BEIJING

REPORT_PAGE = "report"
ISSUE_PAGE = "issue"
EVERY_UNIT = "各单位"


@dataclass(frozen=True, slots=True)
class Event:
    key: str
    notice: Notice
    unit: str | None  # whose recipients; None: the work group only
    group: bool = True  # also to the work group's robot
    round_id: int | None = None


def messages(events: Iterable[Event], settings: NotifySettings) -> list[Outgoing]:
    """One row per event and recipient (none when reminders are off)."""
    if not settings.active:
        return []
    found: list[Outgoing] = []
    group = settings.recipients.group
    for event in events:
        if event.unit is not None:
            for address in settings.mail_for(event.unit):
                found.append(
                    Outgoing(event.key, event.notice, Channel.MAIL, address, event.round_id)
                )
            hook = settings.webhook(f"unit:{event.unit}")
            if hook is not None and (group is None or hook.url != group.url):
                recipient = f"unit:{event.unit}"
                found.append(
                    Outgoing(event.key, event.notice, Channel.WEBHOOK, recipient, event.round_id)
                )
        if event.group and group is not None:
            found.append(
                Outgoing(event.key, event.notice, Channel.WEBHOOK, "group", event.round_id)
            )
    return found


def beijing_day(moment: datetime.datetime | str) -> datetime.date:
    if isinstance(moment, str):
        moment = datetime.datetime.fromisoformat(moment)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=datetime.UTC)
    return moment.astimezone(BEIJING).date()


def round_opened(opened: Round, units: Sequence[str], base_url: str) -> list[Event]:
    link = link_to(base_url, REPORT_PAGE)
    events = [
        Event(
            f"opened:{opened.id}:{unit}",
            Notice(EventKind.OPENED, opened.name, unit, opened.due, link),
            unit,
            group=False,
            round_id=opened.id,
        )
        for unit in units
    ]
    events.append(
        Event(
            f"opened:{opened.id}",
            Notice(EventKind.OPENED, opened.name, EVERY_UNIT, opened.due, link),
            None,
            round_id=opened.id,
        )
    )
    return events


def decided(
    submission: Submission,
    decisions: Sequence[Decision],
    titles: Mapping[int, str],
    base_url: str,
) -> list[Event]:
    """The office's accept / return of each task, to the unit that reported it."""
    events = []
    for decision in decisions:
        if decision.task_id is None or decision.kind not in (
            DecisionKind.ACCEPT,
            DecisionKind.RETURN,
        ):
            continue
        returned = decision.kind is DecisionKind.RETURN
        kind = EventKind.RETURNED if returned else EventKind.ACCEPTED
        page = REPORT_PAGE if returned else ISSUE_PAGE
        tid = decision.task_id
        notice = Notice(
            kind,
            titles.get(tid, "") or f"任务（{tid}）",
            submission.unit,
            beijing_day(decision.at),
            link_to(base_url, page, None if returned else tid),
        )
        events.append(
            Event(f"decision:{decision.id}", notice, submission.unit, round_id=submission.round_id)
        )
    return events


def chase(
    opened: Round, owing: Sequence[str], today: datetime.date, settings: NotifySettings
) -> list[Event]:
    """Due soon (within ``due_days``, the due day included) or overdue, to each unit
    that still owes its report; each once per round."""
    left = (opened.due - today).days
    if left < 0:
        kind, key = EventKind.OVERDUE, "overdue"
    elif settings.due_days and left <= settings.due_days:
        kind, key = EventKind.DUE, "due"
    else:
        return []
    link = link_to(settings.base_url, REPORT_PAGE)
    return [
        Event(
            f"{key}:{opened.id}:{unit}",
            Notice(kind, opened.name, unit, opened.due, link),
            unit,
            round_id=opened.id,
        )
        for unit in owing
    ]


def duban(
    duban_id: str, task_id: int, title: str, unit: str, day: datetime.date, base_url: str
) -> Event:
    return Event(
        f"duban:{duban_id}",
        Notice(
            EventKind.DUBAN,
            title or f"任务（{task_id}）",
            unit,
            day,
            link_to(base_url, ISSUE_PAGE, task_id),
        ),
        unit,
    )
