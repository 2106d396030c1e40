"""Accepted reports onto the workbook: what changes, and where two units disagree.

``plan_merge`` turns the accepted task reports of a round into ``WorkbookEdits`` (the
office's workbook is edited in place, ``metrics.workbook.edits``): a proposed status
(a 销号 also sets 完成日期 and 销号日期; a 申请延期 its 申请延期至 and the office's
延期决定, 待定 when it made none), each figure as a new 数据 row at the round's
as-of date, each 本期进展 as a 进展 row with its evidence. Two units reporting a
different status for the same task, or a different figure for the same indicator, is a
``Conflict``: nothing is chosen for the office; it resolves each one explicitly.
"""

from __future__ import annotations

import datetime
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from metrics.contract import ExtensionDecision, TaskStatus
from metrics.model import Dataset
from metrics.rounds.model import Accepted, Round, TaskReport
from metrics.store.versions import BEIJING
from metrics.workbook.edits import NewObservation, NewProgress, TaskEdit, WorkbookEdits


@dataclass(frozen=True, slots=True)
class Conflict:
    field: str  # "status:9" or "value:T09-01": the key a resolution is stored under
    label: str  # "任务（9）的状态"
    options: tuple[tuple[str, str], ...]  # (unit, what it reported)
    chosen: str | None  # the unit the office chose, if it has

    @property
    def resolved(self) -> bool:
        return self.chosen is not None


@dataclass(frozen=True, slots=True)
class MergePlan:
    round: Round
    accepted: tuple[Accepted, ...]  # accepted since the round was last published
    conflicts: tuple[Conflict, ...]
    edits: WorkbookEdits

    @property
    def unresolved(self) -> tuple[Conflict, ...]:
        return tuple(c for c in self.conflicts if not c.resolved)

    @property
    def last_decision(self) -> int:
        return max((a.decision.id for a in self.accepted), default=self.round.merged_upto)

    def audit_note(self) -> str:
        """Which unit submissions are merged: "轮次“2021年6月进展”：区教育局第2次报送
        （任务（10））；区委第1次报送（任务（1）、（2））"."""
        parts: dict[tuple[str, int], list[int]] = {}
        for a in self.accepted:
            parts.setdefault((a.submission.unit, a.submission.revision), []).append(
                a.report.task_id
            )
        listed = "；".join(
            f"{unit}第{revision}次报送（任务" + "、".join(f"（{t}）" for t in tasks) + "）"
            for (unit, revision), tasks in parts.items()
        )
        return f"轮次“{self.round.name}”：{listed}"


def plan_merge(
    dataset: Dataset,
    round_: Round,
    accepted: Sequence[Accepted],
    resolutions: Mapping[str, str],
    evidence_names: Mapping[int, str],
) -> MergePlan:
    statuses: dict[int, dict[str, Accepted]] = {}
    values: dict[str, dict[str, tuple[str, Accepted]]] = {}
    progress: list[NewProgress] = []
    for a in accepted:
        unit, report = a.submission.unit, a.report
        if report.status is not None or report.extension_to is not None:
            statuses.setdefault(report.task_id, {})[unit] = a
        for indicator_id, text in report.values.items():
            values.setdefault(indicator_id, {})[unit] = (text, a)
        if report.progress:
            progress.append(
                NewProgress(
                    report.task_id,
                    round_.name,
                    round_.as_of,
                    report.progress,
                    unit,
                    "、".join(
                        evidence_names.get(e, "") for e in report.evidence if e in evidence_names
                    ),
                )
            )
    conflicts: list[Conflict] = []
    task_edits: list[TaskEdit] = []
    for task_id, by_unit in statuses.items():
        chosen = _choose(
            f"status:{task_id}",
            f"任务（{task_id}）的状态",
            {u: _status_text(a.report) for u, a in by_unit.items()},
            resolutions,
            conflicts,
        )
        if chosen is None:
            continue
        winner = by_unit[chosen]
        task = dataset.task(task_id)
        status = winner.report.status
        if task is not None and winner.report.extension_to is not None:
            task_edits.append(
                TaskEdit(
                    task_id,
                    status if status is not task.status else None,
                    extension_to=winner.report.extension_to,
                    extension_decision=winner.extension or ExtensionDecision.PENDING,
                )
            )
            continue
        if task is None or status is None or status is task.status:
            continue
        if status is TaskStatus.DONE:
            task_edits.append(
                TaskEdit(
                    task_id,
                    status,
                    winner.report.completed_on or round_.as_of,
                    _beijing_day(winner.decision.at),
                )
            )
        else:
            task_edits.append(TaskEdit(task_id, status))
    observations: list[NewObservation] = []
    names = {i.id: i.name for i in dataset.indicators}
    for indicator_id, by_unit_value in values.items():
        chosen = _choose(
            f"value:{indicator_id}",
            f"指标“{names.get(indicator_id, indicator_id)}”（{indicator_id}）的本期数值",
            {u: text for u, (text, _) in by_unit_value.items()},
            resolutions,
            conflicts,
        )
        if chosen is None:
            continue
        text, _ = by_unit_value[chosen]
        observations.append(
            NewObservation(indicator_id, round_.as_of, text, f"{chosen}报送（{round_.name}）")
        )
    edits = WorkbookEdits(
        as_of=round_.as_of if round_.as_of > dataset.meta.as_of else None,
        tasks=tuple(task_edits),
        observations=tuple(observations),
        progress=tuple(progress),
    )
    return MergePlan(round_, tuple(accepted), tuple(conflicts), edits)


def _choose(
    field: str,
    label: str,
    reported: dict[str, str],
    resolutions: Mapping[str, str],
    conflicts: list[Conflict],
) -> str | None:
    """The unit whose value counts: the only one, all agreeing, or the office's choice."""
    if len({_same(v) for v in reported.values()}) == 1:
        return next(iter(reported))
    chosen = resolutions.get(field)
    chosen = chosen if chosen in reported else None
    conflicts.append(Conflict(field, label, tuple(reported.items()), chosen))
    return chosen


def _status_text(report: TaskReport) -> str:
    """ "已完成"; "申请延期（至2021-09-30）" (two units asking for different dates differ)."""
    status = str(report.status) if report.status is not None else "状态不变"
    if report.extension_to is not None:
        return f"{status}（申请延期至{report.extension_to.isoformat()}）"
    return status


def _same(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).split())


def _beijing_day(iso: str) -> datetime.date:
    moment = datetime.datetime.fromisoformat(iso)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=datetime.UTC)
    return moment.astimezone(BEIJING).date()
