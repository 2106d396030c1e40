"""Every change to a reporting round, with its rights checked here, where data is written.

``RoundService(store)`` works on the versions database of the store's backend (SQLite or
PostgreSQL), one write transaction per operation (the backend's write lock), so that
every check and the write it guards are atomic: two office members deciding on the same
submission, or a unit resubmitting while the office reviews, never lose anyone's work
silently — the later one gets ``StaleRound`` saying who did what. Nothing inside a write
transaction reads through a second connection (the PostgreSQL pool is small).

The data a round works on (tasks, units, indicators) is the store's current version.
This module holds rounds, drafts and submitting; ``reviewing`` and ``evidence_files``
the rest (mixins over ``base.RoundBase``).
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import replace
from types import MappingProxyType

from metrics.contract import TaskStatus
from metrics.model import Task
from metrics.notify import hooks as notify
from metrics.rounds import repository as repo
from metrics.rounds.base import (
    RoundError,
    StaleRound,
    has_unmerged,
    require_may_see,
    require_open,
)
from metrics.rounds.evidence_files import EvidenceMixin
from metrics.rounds.model import (
    Draft,
    Round,
    Submission,
    SubmissionState,
    TaskReport,
)
from metrics.rounds.reviewing import ReviewMixin
from metrics.rounds.roles import (
    NotPermitted,
    Principal,
    Role,
    require_office,
    require_reporter,
)
from metrics.rounds.settings import MAX_PROGRESS_CHARS
from metrics.rounds.state import UnitOverview, accepted_tasks, unit_state
from metrics.store.versions import beijing_time
from metrics.values.cells import CellError, read_quantity

__all__ = ("RoundError", "RoundService", "StaleRound", "utc_now")
from metrics.rounds.base import utc_now


class RoundService(ReviewMixin, EvidenceMixin):
    # -- rounds --------------------------------------------------------------------------------

    def open_round(
        self,
        who: Principal,
        *,
        name: str,
        as_of: datetime.date,
        due: datetime.date,
        require_approval: bool | None = None,
    ) -> Round:
        require_office(who, "开启填报轮次")
        name = " ".join(name.split())
        if not name or len(name) > 60:
            raise RoundError("轮次名称不能为空，最长 60 个字符，如“2021年6月进展”")
        if due < as_of:
            raise RoundError(f"报送截止日期 {due} 早于截至日期 {as_of}：请核对")
        current = self.store.current()
        if current is None:
            raise RoundError("存储中还没有任何版本：请先发布工作簿")
        now = self.timestamp()
        approval = self.settings.require_approval if require_approval is None else require_approval
        units = notify.units_to_tell(self.dataset)  # reminders on: read before the transaction
        with self.db.transaction() as db:
            previous = repo.open_round(db)
            if previous is not None:
                if has_unmerged(db, previous):
                    raise RoundError(
                        f"轮次“{previous.name}”还有已采纳但未发布的报送：请先发布，再开启新轮次"
                    )
                repo.close_round(db, previous.id, now)
                repo.log(db, previous.id, now, who.name, "结束轮次", detail=f"开启“{name}”")
            if any(r.name == name for r in repo.all_rounds(db)):
                raise RoundError(f"已有名为“{name}”的轮次：请换一个名称")
            opened = Round(
                repo.next_id(db, "rounds"),
                name,
                as_of,
                due,
                current.id,
                approval,
                who.name,
                now,
            )
            repo.insert_round(db, opened)
            repo.log(db, opened.id, now, who.name, "开启轮次", detail=f"截止 {due.isoformat()}")
            notify.round_opened(db, opened, units, self.clock())
        notify.after_commit(self.store, self.clock)
        return opened

    def current_round(self) -> Round | None:
        with self.db.reading() as db:
            return repo.open_round(db)

    def round(self, round_id: int) -> Round:
        with self.db.reading() as db:
            found = repo.get_round(db, round_id)
        if found is None:
            raise RoundError(f"轮次 {round_id} 不存在")
        return found

    def rounds(self) -> list[Round]:
        with self.db.reading() as db:
            return repo.all_rounds(db)

    def close_round(self, who: Principal, round_id: int) -> None:
        require_office(who, "结束填报轮次")
        with self.db.transaction() as db:
            found = require_open(db, round_id)
            if has_unmerged(db, found):
                raise RoundError("本轮还有已采纳但未发布的报送：请先发布")
            now = self.timestamp()
            repo.close_round(db, round_id, now)
            repo.log(db, round_id, now, who.name, "结束轮次")

    # -- a unit's draft -----------------------------------------------------------------------

    def drafts(self, who: Principal, round_id: int, unit: str) -> dict[int, Draft]:
        require_may_see(who, unit)
        with self.db.reading() as db:
            return {d.report.task_id: d for d in repo.drafts(db, round_id, unit)}

    def save_draft(
        self,
        who: Principal,
        round_id: int,
        unit: str,
        report: TaskReport,
        *,
        expected_revision: int | None = None,
    ) -> Draft:
        """Save one task's report as typed. ``expected_revision``: the revision the form
        was loaded at (None: whatever is there); another save since → ``StaleRound``."""
        require_reporter(who, unit)
        task = self._unit_task(unit, report.task_id)
        report = self._checked(task, report)
        now = self.timestamp()
        with self.db.transaction() as db:
            require_open(db, round_id)
            if report.task_id in accepted_tasks(db, round_id, unit):
                raise RoundError(f"任务（{task.id}）本轮已采纳，不能再修改")
            old = repo.get_draft(db, round_id, unit, report.task_id)
            stale = old is not None and old.revision != expected_revision
            if expected_revision is not None and old is not None and stale:
                raise StaleRound(
                    f"{old.updated_by} 于 {beijing_time(old.updated_at)}（北京时间）"
                    f"刚修改了任务（{task.id}）的填报：已载入最新内容，请核对后再保存"
                )
            evidence = old.report.evidence if old is not None else ()
            draft = Draft(
                round_id,
                unit,
                report.with_evidence(evidence),
                (old.revision if old else 0) + 1,
                who.name,
                now,
            )
            repo.put_draft(db, draft)
        return draft

    def submissions(self, who: Principal, round_id: int, unit: str) -> list[Submission]:
        """The unit's submissions in the round, oldest first."""
        require_may_see(who, unit)
        with self.db.reading() as db:
            return repo.submissions(db, round_id, unit)

    def overview(self, who: Principal, round_id: int, unit: str) -> UnitOverview:
        require_may_see(who, unit)
        with self.db.reading() as db:
            drafts = repo.drafts(db, round_id, unit)
            submissions = repo.submissions(db, round_id, unit)
            ids = {s.id for s in submissions}
            decisions = [d for d in repo.decisions(db, round_id) if d.submission_id in ids]
        return UnitOverview(
            unit_state(drafts, submissions, decisions), tuple(submissions), tuple(decisions)
        )

    def awaiting_review(
        self, who: Principal, round_id: int
    ) -> list[tuple[Submission, tuple[TaskReport, ...]]]:
        """Every submission with the office that still has undecided tasks, with those
        tasks, in the order submitted (two queries, whatever the number of units)."""
        require_office(who, "审核报送")
        with self.db.reading() as db:
            submissions = repo.submissions(db, round_id)
            decisions = repo.decisions(db, round_id)
        decided = {(d.submission_id, d.task_id) for d in decisions if d.task_id is not None}
        waiting = []
        for submission in submissions:
            if submission.state is not SubmissionState.SUBMITTED:
                continue
            undecided = tuple(
                i for i in submission.items if (submission.id, i.task_id) not in decided
            )
            if undecided:
                waiting.append((submission, undecided))
        return waiting

    def live_submission(self, who: Principal, round_id: int, unit: str) -> Submission | None:
        """The unit's latest submission that is with the office or its leader, if any."""
        live = [
            s
            for s in self.submissions(who, round_id, unit)
            if s.state in (SubmissionState.SUBMITTED, SubmissionState.AWAITING_HEAD)
        ]
        return live[-1] if live else None

    def _checked(self, task: Task, report: TaskReport) -> TaskReport:
        if task.status is TaskStatus.DONE and report.status not in (None, TaskStatus.DONE):
            raise RoundError(
                f"任务（{task.id}）已销号（已完成）：单位不能改回“{report.status}”，如需重新整改"
                "请联系整改办"
            )
        self._check_extension(task, report)
        progress = report.progress.strip()
        if len(progress) > MAX_PROGRESS_CHARS:
            raise RoundError(
                f"任务（{task.id}）的本期进展有 {len(progress)} 个字，最多 {MAX_PROGRESS_CHARS} 个"
            )
        indicators = {i.id: i for i in self.dataset().indicators_of(task.id)}
        values: dict[str, str] = {}
        for indicator_id, text in report.values.items():
            indicator = indicators.get(indicator_id)
            if indicator is None:
                raise NotPermitted(f"指标 {indicator_id} 不属于任务（{task.id}）：不能填报")
            cleaned = text.strip()
            if not cleaned:
                continue
            try:
                read_quantity(cleaned, indicator.unit)
            except CellError as exc:
                raise RoundError(
                    f"任务（{task.id}）指标“{indicator.name}”的本期数值：{exc}"
                ) from None
            values[indicator_id] = cleaned
        status = None if report.status == task.status else report.status
        return replace(report, status=status, progress=progress, values=MappingProxyType(values))

    @staticmethod
    def _check_extension(task: Task, report: TaskReport) -> None:
        """The date asked for goes with 申请延期 only, and is after 整改时限."""
        asking = (report.status or task.status) is TaskStatus.EXTENSION_REQUESTED
        wanted = report.extension_to
        if wanted is None:  # a draft may not have it yet: ``submit`` requires it
            return
        if not asking:
            raise RoundError(
                f"任务（{task.id}）的申报状态不是“申请延期”，不用填申请延期至：请清空，"
                "或把申报状态改为“申请延期”"
            )
        if task.deadline is not None and wanted <= task.deadline:
            raise RoundError(
                f"任务（{task.id}）申请延期至 {wanted.isoformat()}，不晚于整改时限 "
                f"{task.deadline.isoformat()}：请填写晚于整改时限的日期"
            )

    def report_all(
        self,
        who: Principal,
        round_id: int,
        unit: str,
        reports: tuple[TaskReport, ...],
        *,
        channel: str,
    ) -> Submission:
        """Save several tasks' reports (a unit workbook) and submit them: every report is
        checked before anything is saved, so a refused file leaves the drafts unchanged."""
        require_reporter(who, unit)
        checked = tuple(self._checked(self._unit_task(unit, r.task_id), r) for r in reports)
        for report in checked:
            self.save_draft(who, round_id, unit, report)
        return self.submit(who, round_id, unit, channel=channel)

    # -- submitting ---------------------------------------------------------------------------

    def submit(self, who: Principal, round_id: int, unit: str, *, channel: str = "") -> Submission:
        """Send the unit's drafts (tasks not yet accepted) to the office, or to the unit's
        leader first when the round asks for it (not when the office reports on behalf)."""
        require_reporter(who, unit)
        tasks = {t.id: t for t in self.unit_tasks(unit)}
        now = self.timestamp()
        with self.db.transaction() as db:
            found = require_open(db, round_id)
            locked = accepted_tasks(db, round_id, unit)
            items = tuple(
                d.report
                for d in repo.drafts(db, round_id, unit)
                if not d.report.empty
                and d.report.task_id not in locked
                and d.report.task_id in tasks
            )
            if not items:
                raise RoundError(f"“{unit}”本轮没有可报送的内容：请先填写进展、数值或状态")
            self._check_closing_evidence(items, tasks)
            undated = [
                i.task_id
                for i in items
                if i.status is TaskStatus.EXTENSION_REQUESTED and i.extension_to is None
            ]
            if undated:
                listed = "、".join(f"（{t}）" for t in undated)
                raise RoundError(f"任务{listed}申请延期：请先填写申请延期至（新的整改时限）")
            previous = repo.submissions(db, round_id, unit)
            for old in previous:
                if old.state in (SubmissionState.SUBMITTED, SubmissionState.AWAITING_HEAD):
                    repo.set_submission_state(db, old.id, SubmissionState.SUPERSEDED)
            on_behalf = who.role is Role.OFFICE
            approval = found.require_approval and not on_behalf
            label = channel or who.channel
            submission = Submission(
                repo.next_id(db, "round_submissions"),
                round_id,
                unit,
                len(previous) + 1,
                items,
                who.name,
                now,
                f"{label}（整改办代报）" if on_behalf else label,
                SubmissionState.AWAITING_HEAD if approval else SubmissionState.SUBMITTED,
            )
            repo.insert_submission(db, submission)
            repo.log(
                db,
                round_id,
                now,
                who.name,
                "报送" if not approval else "提交单位负责人审核",
                unit,
                detail=f"第 {submission.revision} 次，任务 "
                + "、".join(f"（{i.task_id}）" for i in items)
                + f"，{submission.channel}",
            )
        return submission

    def _check_closing_evidence(
        self, items: tuple[TaskReport, ...], tasks: Mapping[int, Task]
    ) -> None:
        minimum = self.settings.min_evidence_to_close
        short = [
            i.task_id
            for i in items
            if i.status is TaskStatus.DONE
            and tasks[i.task_id].status is not TaskStatus.DONE
            and len(i.evidence) < minimum
        ]
        if short:
            listed = "、".join(f"（{t}）" for t in short)
            raise RoundError(
                f"任务{listed}申请销号（改为已完成），至少需要 {minimum} 份佐证材料：请先上传"
            )
