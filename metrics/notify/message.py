"""What a reminder says: ``Notice`` holds the only things a message may carry — the
task title (or the round's name), the unit, a date and a link — and nothing else.

Every message (mail or group robot) is rendered from a ``Notice`` alone, so figures,
progress text, the office's comments and evidence names can never reach one: they are
not fields of it. Text from the workbook (titles, unit names) is cleaned here: control
characters and line breaks become spaces, and it is cut to a bounded length.
"""

from __future__ import annotations

import datetime
import enum
import unicodedata
from dataclasses import dataclass

PREFIX = "【整改提醒】"
MAX_SUBJECT = 80  # characters of a task title or round name
MAX_UNIT = 40
MAX_LINK = 300


class EventKind(enum.StrEnum):
    OPENED = "opened"  # a round opened: every unit in it
    DUE = "due"  # the round's due date is near: units that still owe a report
    OVERDUE = "overdue"  # past the due date: units that still owe a report
    RETURNED = "returned"  # the office returned a task's report
    ACCEPTED = "accepted"  # the office accepted a task's report
    DUBAN = "duban"  # a 督办单 was issued
    TEST = "test"  # `python -m metrics notify test`

    @property
    def heading(self) -> str:
        return _WORDS[self][0]

    @property
    def subject_label(self) -> str:
        return _WORDS[self][1]

    @property
    def date_label(self) -> str:
        return _WORDS[self][2]

    @property
    def label(self) -> str:
        """A short name for lists (the office's panel, ``notify status``)."""
        return _WORDS[self][3]


_WORDS = {
    EventKind.OPENED: ("填报轮次已开启，请按时报送", "轮次", "报送截止", "轮次开启"),
    EventKind.DUE: ("报送截止日期临近，请及时报送", "轮次", "报送截止", "即将截止"),
    EventKind.OVERDUE: ("已超过报送截止日期，请尽快报送", "轮次", "报送截止", "逾期未报"),
    EventKind.RETURNED: ("整改办退回了报送，请修改后重新报送", "任务", "退回日期", "退回"),
    EventKind.ACCEPTED: ("整改办已采纳报送", "任务", "采纳日期", "采纳"),
    EventKind.DUBAN: ("整改办发出督办单，请按时办理", "任务", "办理时限", "督办单"),
    EventKind.TEST: ("提醒设置测试，收到即说明设置正确", "事项", "日期", "测试"),
}


def clean(text: str, limit: int) -> str:
    """One line of plain text: control characters (line breaks too) as spaces, runs of
    spaces as one, cut to ``limit`` characters (an ellipsis marks the cut)."""
    spaced = "".join(" " if unicodedata.category(ch)[0] == "C" else ch for ch in text)
    single = " ".join(spaced.split())
    return single if len(single) <= limit else single[: limit - 1] + "…"


def clean_link(link: str) -> str:
    """An http(s) address without spaces or control characters, else nothing."""
    link = link.strip()
    ok = (
        link.startswith(("https://", "http://"))
        and len(link) <= MAX_LINK
        and not any(ch.isspace() or unicodedata.category(ch)[0] == "C" for ch in link)
    )
    return link if ok else ""


@dataclass(frozen=True, slots=True)
class Notice:
    """Everything a reminder may say. Do not add fields: ``tests/test_notify.py`` checks
    that these five are all there is."""

    kind: EventKind
    subject: str  # the task title, or the round's name
    unit: str
    day: datetime.date
    link: str  # an http(s) address of the dashboard, or ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "subject", clean(self.subject, MAX_SUBJECT))
        object.__setattr__(self, "unit", clean(self.unit, MAX_UNIT))
        object.__setattr__(self, "link", clean_link(self.link))


def day_text(day: datetime.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def text(notice: Notice) -> str:
    """The message body (mail and group robots alike)."""
    kind = notice.kind
    lines = [
        f"{PREFIX}{kind.heading}",
        f"{kind.subject_label}：{notice.subject}",
        f"单位：{notice.unit}",
        f"{kind.date_label}：{day_text(notice.day)}",
    ]
    if notice.link:
        lines.append(f"链接：{notice.link}")
    return "\n".join(lines)


def mail_subject(notice: Notice) -> str:
    return clean(f"{PREFIX}{notice.kind.label}：{notice.subject}（{notice.unit}）", 120)


def link_to(base_url: str, page: str, task_id: int | None = None) -> str:
    """``https://zg.example/issue?task=9`` (nothing without a base address)."""
    if not base_url:
        return ""
    query = f"?task={task_id}" if task_id is not None else ""
    return f"{base_url}/{page}{query}"
