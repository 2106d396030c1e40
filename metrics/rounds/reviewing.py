"""The unit leader's approval and the office's review of submissions."""

from __future__ import annotations

from dataclasses import replace

from metrics.contract import ExtensionDecision, TaskStatus
from metrics.model import Dataset
from metrics.notify import hooks as notify
from metrics.rounds import repository as repo
from metrics.rounds.base import (
    RoundBase,
    RoundError,
    StaleRound,
    require_open,
)
from metrics.rounds.model import (
    Decision,
    DecisionKind,
    Submission,
    SubmissionState,
    TaskReport,
)
from metrics.rounds.roles import (
    Principal,
    require_head,
    require_office,
)
from metrics.rounds.state import item_decisions
from metrics.store.backend import Connection
from metrics.store.versions import beijing_time

_EXTENSION_KINDS = {
    ExtensionDecision.GRANTED: DecisionKind.GRANT_EXTENSION,
    ExtensionDecision.REFUSED: DecisionKind.REFUSE_EXTENSION,
}


class ReviewMixin(RoundBase):
    def head_decide(
        self, who: Principal, submission_id: int, *, approve: bool, comment: str = ""
    ) -> Submission:
        """The unit's leader approves the report (it goes to the office) or returns it."""
        now = self.timestamp()
        with self.db.transaction() as db:
            submission = repo.get_submission(db, submission_id)
            if submission is None:
                raise RoundError(f"报送 {submission_id} 不存在")
            require_head(who, submission.unit)
            require_open(db, submission.round_id)
            if submission.state is not SubmissionState.AWAITING_HEAD:
                raise StaleRound("这份报送已不在待审核状态（填报员已重新提交，或已审核）：请刷新")
            if not approve and not comment.strip():
                raise RoundError("退回时请写明原因")
            state = SubmissionState.SUBMITTED if approve else SubmissionState.HEAD_RETURNED
            kind = DecisionKind.APPROVE if approve else DecisionKind.HEAD_RETURN
            repo.set_submission_state(db, submission_id, state)
            repo.insert_decision(
                db,
                Decision(
                    repo.next_id(db, "round_decisions"),
                    submission_id,
                    None,
                    kind,
                    who.name,
                    now,
                    comment.strip(),
                ),
            )
            repo.log(db, submission.round_id, now, who.name, kind.label, submission.unit)
        return replace(submission, state=state)

    # -- the office's review ------------------------------------------------------------------

    def decide(
        self,
        who: Principal,
        submission_id: int,
        *,
        accept: bool,
        task_id: int | None = None,
        comment: str = "",
        extension: ExtensionDecision | None = None,
    ) -> list[Decision]:
        """Accept or return one task of a submission (or every undecided one). The
        submission is the one the office looked at: if the unit resubmitted meanwhile,
        or someone else decided first, nothing is written and ``StaleRound`` says so.

        ``extension``: accepting a 申请延期, the office grants (同意) or refuses (不同意)
        the new date: recorded as a second decision beside the accept, and merged into
        the workbook's 延期决定 on publish (None or 待定: left 待定). Returns the accept
        and return decisions made (an extension's decision is beside its accept)."""
        require_office(who, "采纳或退回报送")
        if not accept and not comment.strip():
            raise RoundError("退回时请写明原因，单位会看到这条意见")
        verdict = _EXTENSION_KINDS.get(extension) if accept and extension else None
        # Read before the write transaction: it must never wait for a second connection.
        dataset = self.dataset()
        now = self.timestamp()
        with self.db.transaction() as db:
            submission = repo.get_submission(db, submission_id)
            if submission is None:
                raise RoundError(f"报送 {submission_id} 不存在")
            require_open(db, submission.round_id)
            if submission.state is SubmissionState.SUPERSEDED:
                newer = repo.submissions(db, submission.round_id, submission.unit)[-1]
                raise StaleRound(
                    f"“{submission.unit}”已于 {beijing_time(newer.submitted_at)}（北京时间）"
                    f"重新报送（第 {newer.revision} 次）：请审核最新报送"
                )
            if submission.state is not SubmissionState.SUBMITTED:
                raise RoundError("这份报送还在等待单位负责人审核，整改办还不能审核")
            decided = item_decisions(db, submission_id)
            wanted = [task_id] if task_id is not None else [i.task_id for i in submission.items]
            made: list[Decision] = []
            for tid in wanted:
                item = submission.item(tid)
                if item is None:
                    raise RoundError(f"这份报送不含任务（{tid}）")
                earlier = decided.get(tid)
                if earlier is not None:
                    if task_id is None:
                        continue  # "all": only the undecided ones
                    raise StaleRound(
                        f"任务（{tid}）已由 {earlier.actor} 于 {beijing_time(earlier.at)}"
                        f"（北京时间）{earlier.kind.label}：未重复处理"
                    )
                if accept:
                    self._check_accept(dataset, item)
                requested = item.extension_to is not None
                if verdict is not None and task_id is not None and not requested:
                    raise RoundError(f"任务（{tid}）没有申请延期：不需要作延期决定")
                decision = Decision(
                    repo.next_id(db, "round_decisions"),
                    submission_id,
                    tid,
                    DecisionKind.ACCEPT if accept else DecisionKind.RETURN,
                    who.name,
                    now,
                    comment.strip(),
                )
                repo.insert_decision(db, decision)
                repo.log(
                    db,
                    submission.round_id,
                    now,
                    who.name,
                    decision.kind.label,
                    submission.unit,
                    tid,
                    comment.strip(),
                )
                made.append(decision)
                if verdict is not None and requested:
                    self._extension_decision(db, submission, item, verdict, who, now)
            if not made:
                raise StaleRound("这份报送的任务都已处理过：请刷新")
            notify.decided(db, submission, made, dataset, self.clock())
        notify.after_commit(self.store, self.clock)
        return made

    def _extension_decision(
        self,
        db: Connection,
        submission: Submission,
        item: TaskReport,
        kind: DecisionKind,
        who: Principal,
        now: str,
    ) -> Decision:
        """The office's 同意/不同意 on an accepted 申请延期 (in the same transaction)."""
        wanted = item.extension_to.isoformat() if item.extension_to else "未填写"
        decision = Decision(
            repo.next_id(db, "round_decisions"),
            submission.id,
            item.task_id,
            kind,
            who.name,
            now,
            f"申请延期至 {wanted}",
        )
        repo.insert_decision(db, decision)
        repo.log(
            db,
            submission.round_id,
            now,
            who.name,
            kind.label,
            submission.unit,
            item.task_id,
            decision.comment,
        )
        return decision

    def _check_accept(self, dataset: Dataset, item: TaskReport) -> None:
        task = dataset.task(item.task_id)
        closing = item.status is TaskStatus.DONE and task is not None and not task.complete
        if closing and len(item.evidence) < self.settings.min_evidence_to_close:
            raise RoundError(
                f"任务（{item.task_id}）的销号申请没有佐证材料：至少需要 "
                f"{self.settings.min_evidence_to_close} 份才能采纳，请退回并请单位补充"
            )
