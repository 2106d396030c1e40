"""What a reporting round holds: the round, each unit's draft and submissions, the
office's decisions, evidence records and the round's log."""

from __future__ import annotations

import datetime
import enum
import json
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from types import MappingProxyType

from metrics.contract import ExtensionDecision, TaskStatus


class UnitState(enum.StrEnum):
    """Where a unit's report stands in a round (the board's 状态 column)."""

    NOT_REPORTED = "未填报"
    DRAFT = "草稿"
    AWAITING_HEAD = "待单位负责人审核"
    SUBMITTED = "已报送"
    RETURNED = "已退回"
    ACCEPTED = "已采纳"


class SubmissionState(enum.StrEnum):
    AWAITING_HEAD = "awaiting_head"  # the unit's leader has not approved it yet
    HEAD_RETURNED = "head_returned"  # the unit's leader sent it back to the reporter
    SUBMITTED = "submitted"  # with the office
    SUPERSEDED = "superseded"  # the unit submitted again before it was decided


class DecisionKind(enum.StrEnum):
    ACCEPT = "accept"
    RETURN = "return"
    APPROVE = "approve"  # the unit's leader
    HEAD_RETURN = "head_return"
    # The office's decision on a 申请延期 it accepts: a second row beside the accept.
    GRANT_EXTENSION = "grant_extension"
    REFUSE_EXTENSION = "refuse_extension"

    @property
    def label(self) -> str:
        return {
            "accept": "采纳",
            "return": "退回",
            "approve": "单位负责人审核通过",
            "head_return": "单位负责人退回",
            "grant_extension": "同意延期",
            "refuse_extension": "不同意延期",
        }[self.value]

    @property
    def extension(self) -> ExtensionDecision | None:
        """The 延期决定 this decision records (None: not one on an extension)."""
        return _EXTENSION_DECISIONS.get(self)


_EXTENSION_DECISIONS = {
    DecisionKind.GRANT_EXTENSION: ExtensionDecision.GRANTED,
    DecisionKind.REFUSE_EXTENSION: ExtensionDecision.REFUSED,
}


@dataclass(frozen=True, slots=True)
class Round:
    id: int
    name: str
    as_of: datetime.date  # the date the round reports on
    due: datetime.date  # units report by this day
    basis_version: int  # the version current when it opened
    require_approval: bool  # the unit's leader approves before the office sees it
    opened_by: str
    opened_at: str
    closed_at: str | None = None
    merged_upto: int = 0  # accepted decisions up to this id are published

    @property
    def is_open(self) -> bool:
        return self.closed_at is None


@dataclass(frozen=True, slots=True)
class TaskReport:
    """What a unit reports on one task in one round.

    ``status``: the proposed status (None: unchanged); 正在整改 → 已完成 is a 销号
    request; 申请延期 asks for the new deadline ``extension_to``. ``values``: indicator
    id → the figure as typed ("9.62万", "2500余"). ``evidence``: ids of evidence records."""

    task_id: int
    status: TaskStatus | None = None
    progress: str = ""
    values: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    completed_on: datetime.date | None = None
    evidence: tuple[int, ...] = ()
    extension_to: datetime.date | None = None  # 申请延期至, with 申请延期 only

    @property
    def empty(self) -> bool:
        return (
            self.status is None
            and self.extension_to is None
            and not self.progress.strip()
            and not any(v.strip() for v in self.values.values())
            and not self.evidence
        )

    def with_evidence(self, evidence: tuple[int, ...]) -> TaskReport:
        return replace(self, evidence=evidence)

    def to_json(self) -> dict[str, object]:
        return {
            "task_id": self.task_id,
            "status": self.status.value if self.status is not None else None,
            "progress": self.progress,
            "values": dict(self.values),
            "completed_on": self.completed_on.isoformat() if self.completed_on else None,
            "evidence": list(self.evidence),
            "extension_to": self.extension_to.isoformat() if self.extension_to else None,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, object]) -> TaskReport:
        status = data.get("status")
        completed = data.get("completed_on")
        extension = data.get("extension_to")  # absent in reports saved before it existed
        values = data.get("values") or {}
        evidence = data.get("evidence") or []
        assert isinstance(values, dict) and isinstance(evidence, list)
        return cls(
            int(str(data["task_id"])),
            TaskStatus(str(status)) if status else None,
            str(data.get("progress") or ""),
            MappingProxyType({str(k): str(v) for k, v in values.items()}),
            datetime.date.fromisoformat(str(completed)) if completed else None,
            tuple(int(str(e)) for e in evidence),
            datetime.date.fromisoformat(str(extension)) if extension else None,
        )


def dump_reports(reports: tuple[TaskReport, ...]) -> str:
    return json.dumps([r.to_json() for r in reports], ensure_ascii=False, sort_keys=True)


def load_reports(text: str) -> tuple[TaskReport, ...]:
    return tuple(TaskReport.from_json(item) for item in json.loads(text))


@dataclass(frozen=True, slots=True)
class Draft:
    """A unit's working copy for one task, saved as they type."""

    round_id: int
    unit: str
    report: TaskReport
    revision: int  # for compare-and-swap: a save names the revision it started from
    updated_by: str
    updated_at: str


@dataclass(frozen=True, slots=True)
class Submission:
    """One submission of a unit's report to the office (frozen: what the office decides on)."""

    id: int
    round_id: int
    unit: str
    revision: int  # 1, 2, … per unit and round
    items: tuple[TaskReport, ...]
    submitted_by: str
    submitted_at: str
    channel: str  # "网页" / "单位工作簿" / "命令行"; "（整改办代报）" when on behalf
    state: SubmissionState

    def item(self, task_id: int) -> TaskReport | None:
        return next((i for i in self.items if i.task_id == task_id), None)


@dataclass(frozen=True, slots=True)
class Decision:
    id: int
    submission_id: int
    task_id: int | None  # None: about the whole submission (the unit's leader)
    kind: DecisionKind
    actor: str
    at: str
    comment: str


@dataclass(frozen=True, slots=True)
class Evidence:
    id: int
    round_id: int
    unit: str
    task_id: int
    sha256: str
    name: str
    mime: str
    size: int
    added_by: str
    added_at: str
    removed_at: str | None = None


@dataclass(frozen=True, slots=True)
class LogEntry:
    id: int
    round_id: int
    at: str
    actor: str
    action: str  # Chinese: 开启轮次 / 保存草稿 / 报送 / 采纳 / 退回 / 发布 …
    unit: str
    task_id: int | None
    detail: str


@dataclass(frozen=True, slots=True)
class Accepted:
    """One accepted task report, ready to merge."""

    decision: Decision
    submission: Submission
    report: TaskReport
    # The office's decision on a 申请延期 it accepted (None: not decided, 待定).
    extension: ExtensionDecision | None = None
