"""A round's draft (the current version with every accepted report merged), reviewed
and published through the same path as an uploaded workbook: the merged file goes
through the upload intake, is compared with the version it was built on (the pinned
basis), and is published only if that version is still current (compare-and-swap);
the audit names every unit submission merged, and the round records what it merged
in the same transaction as the new version.
"""

from __future__ import annotations

from dataclasses import dataclass

from metrics.publishing import Review, publish_checked, review_workbook
from metrics.rounds import repository as repo
from metrics.rounds.merge import MergePlan, plan_merge
from metrics.rounds.model import Round
from metrics.rounds.roles import Principal, require_office
from metrics.rounds.service import RoundError, RoundService, StaleRound
from metrics.rounds.state import accepted_reports
from metrics.store.backend import Connection
from metrics.store.versions import Version
from metrics.workbook.edits import EditError, apply_edits
from metrics.workbook.loader import load_workbook


@dataclass(frozen=True, slots=True)
class RoundReview:
    """What publishing the round would do, against ``basis_id`` (the version it was built on)."""

    plan: MergePlan
    basis_id: int
    data: bytes | None  # the merged workbook; None while conflicts are unresolved
    review: Review | None  # its intake and the changes against the basis

    @property
    def publishable(self) -> bool:
        return (
            self.data is not None
            and self.review is not None
            and self.review.result.ok
            and bool(self.plan.accepted)
            and not self.plan.unresolved
        )


def review_round(service: RoundService, round_id: int) -> RoundReview:
    """Merge every report accepted since the round was last published onto the current
    version, and check and compare the result as an upload would be."""
    store = service.store
    current = store.current()
    if current is None:
        raise RoundError("存储中还没有任何版本")
    base = store.read(current)
    loaded = load_workbook(base)
    if loaded.dataset is None:
        raise RoundError(f"当前版本 v{current.id} 的数据有错误，无法合并")
    with service.db.reading() as db:
        found = repo.get_round(db, round_id)
        if found is None:
            raise RoundError(f"轮次 {round_id} 不存在")
        submissions = repo.submissions(db, round_id)
        decisions = [d for d in repo.decisions(db, round_id) if d.id > found.merged_upto]
        resolutions = repo.resolutions(db, round_id)
        names = {e.id: e.name for e in repo.evidence(db, round_id)}
    accepted = accepted_reports(submissions, decisions)
    plan = plan_merge(loaded.dataset, found, accepted, resolutions, names)
    if plan.unresolved or not accepted:
        return RoundReview(plan, current.id, None, None)
    try:
        data = apply_edits(base, plan.edits)
    except EditError as exc:
        raise RoundError(f"合并失败：{exc}") from None
    return RoundReview(plan, current.id, data, review_workbook(store, data, basis_id=current.id))


def merge_fingerprint(service: RoundService, round_id: int) -> tuple[object, ...]:
    """Changes whenever ``review_round`` would give another result: the current version,
    what the round merged, the decisions and the conflict resolutions (cheap to read, so
    a page can keep a review and rebuild it only when this changes)."""
    current = service.store.current()
    with service.db.reading() as db:
        found = repo.get_round(db, round_id)
        decisions = repo.decisions(db, round_id)
        resolutions = repo.resolutions(db, round_id)
    return (
        current.id if current else None,
        found.merged_upto if found else None,
        max((d.id for d in decisions), default=0),
        tuple(sorted(resolutions.items())),
    )


def resolve(service: RoundService, who: Principal, round_id: int, field: str, unit: str) -> None:
    """The office chooses whose report counts where two units disagree."""
    require_office(who, "处理合并冲突")
    now = service.timestamp()
    with service.db.transaction() as db:
        found = repo.get_round(db, round_id)
        if found is None or not found.is_open:
            raise RoundError("轮次不存在或已结束")
        repo.put_resolution(db, round_id, field, unit, who.name, now)
        repo.log(db, round_id, now, who.name, "处理冲突", unit, detail=field)


def publish_round(
    service: RoundService, who: Principal, reviewed: RoundReview, *, note: str = ""
) -> Version:
    """Publish the reviewed draft; ``StaleVersion`` when another version became current
    since the review, ``StaleRound`` when the round was published meanwhile."""
    require_office(who, "发布本轮结果")
    if not reviewed.plan.accepted:
        raise RoundError("本轮没有新采纳的报送：没有可发布的内容")
    if reviewed.plan.unresolved:
        labels = "、".join(c.label for c in reviewed.plan.unresolved)
        raise RoundError(f"还有合并冲突未处理：{labels}")
    if not reviewed.publishable or reviewed.data is None or reviewed.review is None:
        raise RoundError("合并后的工作簿有错误，不能发布：请查看问题列表")
    round_: Round = reviewed.plan.round
    plan = reviewed.plan
    now = service.timestamp()

    def record(db: Connection, version_id: int) -> None:
        latest = repo.get_round(db, round_.id)
        if latest is None or latest.merged_upto != round_.merged_upto:
            raise StaleRound("本轮刚刚已由他人发布：请重新核对")
        repo.set_merged_upto(db, round_.id, plan.last_decision)
        repo.log(db, round_.id, now, who.name, "发布", detail=f"v{version_id}")

    full_note = plan.audit_note() + (f"。{note.strip()}" if note.strip() else "")
    return publish_checked(
        service.store,
        reviewed.data,
        reviewed.review.result,
        reviewed.review.changes,
        actor=who.name,
        file_name=f"{round_.name}.xlsx",
        note=full_note,
        expected_current=reviewed.basis_id,
        within=record,
        channel=who.channel,
    )
