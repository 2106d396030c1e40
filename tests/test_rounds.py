"""Reporting rounds at the domain level, on both backends: every right, every state
change, the merge and publish, and the concurrent cases."""

from __future__ import annotations

import datetime
import threading
from pathlib import Path

import pytest

from metrics.contract import TaskStatus
from metrics.rounds.board import build_board
from metrics.rounds.model import SubmissionState, TaskReport, UnitState
from metrics.rounds.publish import publish_round, resolve, review_round
from metrics.rounds.roles import NotPermitted
from metrics.rounds.service import RoundError, RoundService, StaleRound
from metrics.rounds.timeline import task_timeline
from metrics.store.versions import StaleVersion, Store
from metrics.workbook.loader import load_workbook
from tests.rounds_data import (
    AS_OF,
    DUE,
    EDU,
    EDU_HEAD,
    EDU_REPORTER,
    HOUSING,
    HOUSING_REPORTER,
    LEADER,
    OFFICE,
    OFFICE2,
    PARTY,
    PARTY_REPORTER,
    Clock,
    round_store,
    service_for,
)

PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"


@pytest.fixture
def store(store_location: Path | str, tmp_path: Path) -> Store:
    return round_store(store_location, tmp_path)


@pytest.fixture
def clock() -> Clock:
    return Clock(datetime.datetime(2021, 7, 1, 2, 0, tzinfo=datetime.UTC))


@pytest.fixture
def service(store: Store, clock: Clock) -> RoundService:
    return service_for(store, clock)


def opened(service: RoundService, **kwargs: object) -> int:
    round_ = service.open_round(OFFICE, name="2021年6月进展", as_of=AS_OF, due=DUE, **kwargs)  # type: ignore[arg-type]  # optional flags by name
    return round_.id


# -- who may do what -------------------------------------------------------------------------


def test_only_the_office_opens_a_round(service: RoundService) -> None:
    for who in (LEADER, EDU_REPORTER, EDU_HEAD):
        with pytest.raises(NotPermitted, match="只有整改办"):
            service.open_round(who, name="六月", as_of=AS_OF, due=DUE)
    assert service.rounds() == []
    round_id = opened(service)
    found = service.round(round_id)
    assert (found.name, found.as_of, found.due, found.basis_version) == (
        "2021年6月进展",
        AS_OF,
        DUE,
        1,
    )


def test_a_unit_reports_only_on_its_own_tasks(service: RoundService) -> None:
    round_id = opened(service)
    # 区教育局 leads (1) and shares (3); (2) is 区住建局's alone.
    service.save_draft(EDU_REPORTER, round_id, EDU, TaskReport(1, progress="新增学位"))
    service.save_draft(EDU_REPORTER, round_id, EDU, TaskReport(3, progress="开工2所"))
    with pytest.raises(NotPermitted, match="不是“区教育局”牵头或参与的任务"):
        service.save_draft(EDU_REPORTER, round_id, EDU, TaskReport(2, progress="越权"))
    # … and never for another unit, whatever task it names.
    with pytest.raises(NotPermitted, match="不能替“区住建局”填报"):
        service.save_draft(EDU_REPORTER, round_id, HOUSING, TaskReport(2, progress="越权"))
    with pytest.raises(NotPermitted):
        service.add_evidence(EDU_REPORTER, round_id, HOUSING, 2, "a.pdf", PDF)
    with pytest.raises(NotPermitted):
        service.submit(EDU_REPORTER, round_id, HOUSING)
    # Leaders and unit heads do not report.
    with pytest.raises(NotPermitted):
        service.save_draft(LEADER, round_id, EDU, TaskReport(1, progress="x"))
    with pytest.raises(NotPermitted):
        service.save_draft(EDU_HEAD, round_id, EDU, TaskReport(1, progress="x"))
    assert set(service.drafts(OFFICE, round_id, HOUSING)) == set()
    assert set(service.drafts(OFFICE, round_id, EDU)) == {1, 3}


def test_an_indicator_of_another_task_is_refused(service: RoundService) -> None:
    round_id = opened(service)
    with pytest.raises(NotPermitted, match="不属于任务（1）"):
        service.save_draft(EDU_REPORTER, round_id, EDU, TaskReport(1, values={"T02-01": "70%"}))


def test_figures_are_read_as_staff_type_them(service: RoundService) -> None:
    round_id = opened(service)
    draft = service.save_draft(
        EDU_REPORTER, round_id, EDU, TaskReport(1, values={"T01-01": " 1.5万 "})
    )
    assert dict(draft.report.values) == {"T01-01": "1.5万"}
    service.save_draft(
        HOUSING_REPORTER, round_id, HOUSING, TaskReport(2, values={"T02-01": "70余"})
    )
    with pytest.raises(RoundError, match="任务（1）指标“新增小学学位”的本期数值") as caught:
        service.save_draft(EDU_REPORTER, round_id, EDU, TaskReport(1, values={"T01-01": "三五个"}))
    assert "三五" in str(caught.value)


def test_a_save_names_the_revision_it_started_from(service: RoundService) -> None:
    round_id = opened(service)
    first = service.save_draft(EDU_REPORTER, round_id, EDU, TaskReport(1, progress="甲"))
    second_device = service.save_draft(
        EDU_REPORTER, round_id, EDU, TaskReport(1, progress="乙"), expected_revision=first.revision
    )
    with pytest.raises(StaleRound, match="刚修改了任务（1）"):
        service.save_draft(
            EDU_REPORTER,
            round_id,
            EDU,
            TaskReport(1, progress="丙"),
            expected_revision=first.revision,
        )
    assert service.drafts(EDU_REPORTER, round_id, EDU)[1].report.progress == "乙"
    assert second_device.revision == first.revision + 1


def test_drafts_and_evidence_are_not_for_other_units(service: RoundService) -> None:
    round_id = opened(service)
    record = service.add_evidence(EDU_REPORTER, round_id, EDU, 1, "验收报告.pdf", PDF)
    with pytest.raises(NotPermitted):
        service.drafts(PARTY_REPORTER, round_id, EDU)
    with pytest.raises(NotPermitted):
        service.evidence(PARTY_REPORTER, record.id)
    with pytest.raises(NotPermitted):
        service.evidence_records(HOUSING_REPORTER, round_id, EDU)
    for who in (OFFICE, LEADER, EDU_REPORTER, EDU_HEAD):
        found, data = service.evidence(who, record.id)
        assert (found.name, found.mime, data) == ("验收报告.pdf", "application/pdf", PDF)


def test_hostile_evidence_is_refused_and_nothing_is_stored(service: RoundService) -> None:
    round_id = opened(service)
    before = service.store.backend.files.names()
    for name, data in (
        ("说明.pdf", b"<html><script>alert(1)</script></html>"),
        ("空.pdf", b""),
        ("../../etc/passwd", b"\x7fELF\x02\x01\x01" + b"\0" * 100),
    ):
        with pytest.raises(RoundError):
            service.add_evidence(EDU_REPORTER, round_id, EDU, 1, name, data)
    assert service.store.backend.files.names() == before
    assert service.evidence_records(OFFICE, round_id, EDU) == []


# -- submitting, approving, reviewing --------------------------------------------------------


def test_closing_a_task_needs_evidence(service: RoundService) -> None:
    round_id = opened(service)
    service.save_draft(
        EDU_REPORTER, round_id, EDU, TaskReport(1, status=TaskStatus.DONE, progress="已完成")
    )
    with pytest.raises(RoundError, match=r"申请销号.*至少需要 1 份佐证材料"):
        service.submit(EDU_REPORTER, round_id, EDU)
    service.add_evidence(EDU_REPORTER, round_id, EDU, 1, "验收.pdf", PDF)
    submission = service.submit(EDU_REPORTER, round_id, EDU)
    assert submission.state is SubmissionState.SUBMITTED
    assert submission.items[0].status is TaskStatus.DONE
    assert len(submission.items[0].evidence) == 1


def test_nothing_to_submit(service: RoundService) -> None:
    round_id = opened(service)
    with pytest.raises(RoundError, match="没有可报送的内容"):
        service.submit(EDU_REPORTER, round_id, EDU)


def test_the_unit_leader_approves_before_the_office_sees_it(service: RoundService) -> None:
    round_id = opened(service, require_approval=True)
    service.save_draft(EDU_REPORTER, round_id, EDU, TaskReport(1, progress="进展"))
    submission = service.submit(EDU_REPORTER, round_id, EDU)
    assert submission.state is SubmissionState.AWAITING_HEAD
    with pytest.raises(RoundError, match="等待单位负责人审核"):
        service.decide(OFFICE, submission.id, accept=True)
    with pytest.raises(NotPermitted, match="只有该单位负责人"):
        service.head_decide(EDU_REPORTER, submission.id, approve=True)
    with pytest.raises(NotPermitted):
        service.head_decide(OFFICE, submission.id, approve=True)
    returned = service.head_decide(EDU_HEAD, submission.id, approve=False, comment="补充数字")
    assert returned.state is SubmissionState.HEAD_RETURNED
    again = service.submit(EDU_REPORTER, round_id, EDU)
    approved = service.head_decide(EDU_HEAD, again.id, approve=True, comment="同意")
    assert approved.state is SubmissionState.SUBMITTED
    assert service.decide(OFFICE, again.id, accept=True)[0].task_id == 1


def test_office_returns_with_a_comment_and_the_unit_resubmits(service: RoundService) -> None:
    round_id = opened(service)
    service.save_draft(EDU_REPORTER, round_id, EDU, TaskReport(1, progress="初稿"))
    first = service.submit(EDU_REPORTER, round_id, EDU)
    for who in (LEADER, EDU_REPORTER, EDU_HEAD):
        with pytest.raises(NotPermitted):
            service.decide(who, first.id, accept=True)
    with pytest.raises(RoundError, match="写明原因"):
        service.decide(OFFICE, first.id, accept=False, task_id=1)
    service.decide(OFFICE, first.id, accept=False, task_id=1, comment="请写明新增学位数")
    board = service_board(service, round_id)
    assert board[EDU] is UnitState.RETURNED
    service.save_draft(EDU_REPORTER, round_id, EDU, TaskReport(1, progress="新增学位13050个"))
    second = service.submit(EDU_REPORTER, round_id, EDU)
    assert second.revision == 2
    service.decide(OFFICE, second.id, accept=True)
    assert service_board(service, round_id)[EDU] is UnitState.ACCEPTED
    # An accepted task is locked for the rest of the round.
    with pytest.raises(RoundError, match="本轮已采纳"):
        service.save_draft(EDU_REPORTER, round_id, EDU, TaskReport(1, progress="再改"))
    with pytest.raises(RoundError, match="本轮已采纳"):
        service.add_evidence(EDU_REPORTER, round_id, EDU, 1, "b.pdf", PDF)


def test_the_office_decides_on_what_it_saw(service: RoundService) -> None:
    round_id = opened(service)
    service.save_draft(EDU_REPORTER, round_id, EDU, TaskReport(1, progress="第一稿"))
    seen = service.submit(EDU_REPORTER, round_id, EDU)
    # The unit edits and resubmits while the office reviews the first submission.
    service.save_draft(EDU_REPORTER, round_id, EDU, TaskReport(1, progress="第二稿"))
    newer = service.submit(EDU_REPORTER, round_id, EDU)
    with pytest.raises(StaleRound, match="重新报送（第 2 次）"):
        service.decide(OFFICE, seen.id, accept=True)
    # Two office members on the same submission: the second is told who decided.
    service.decide(OFFICE, newer.id, accept=True, task_id=1)
    with pytest.raises(StaleRound, match=r"已由 整改办张三 于 .*采纳"):
        service.decide(OFFICE2, newer.id, accept=False, task_id=1, comment="不同意")


def test_two_office_members_accepting_at_once(service: RoundService) -> None:
    round_id = opened(service)
    service.save_draft(EDU_REPORTER, round_id, EDU, TaskReport(1, progress="进展"))
    submission = service.submit(EDU_REPORTER, round_id, EDU)
    barrier = threading.Barrier(4)
    outcomes: list[str] = []

    def decide(who_index: int) -> None:
        who = (OFFICE, OFFICE2)[who_index % 2]
        barrier.wait()
        try:
            service.decide(who, submission.id, accept=True, task_id=1)
            outcomes.append("ok")
        except StaleRound:
            outcomes.append("stale")

    threads = [threading.Thread(target=decide, args=(i,)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["ok", "stale", "stale", "stale"]


# -- the board -------------------------------------------------------------------------------


def service_board(service: RoundService, round_id: int) -> dict[str, UnitState]:
    board = build_board(service.db, service.dataset(), service.round(round_id), service.clock())
    return {row.unit: row.state for row in board.rows}


def test_the_board_counts_units_and_chases_the_late_ones(
    service: RoundService, clock: Clock
) -> None:
    round_id = opened(service, require_approval=True)
    service.save_draft(EDU_REPORTER, round_id, EDU, TaskReport(1, progress="进展"))
    service.submit(EDU_REPORTER, round_id, EDU)  # waits for its leader
    service.save_draft(HOUSING_REPORTER, round_id, HOUSING, TaskReport(2, progress="草稿"))
    clock.advance(days=7)  # 2021-07-08 in Beijing: three days after the due date
    board = build_board(service.db, service.dataset(), service.round(round_id), clock())
    states = {row.unit: row.state for row in board.rows}
    assert states == {
        EDU: UnitState.AWAITING_HEAD,
        HOUSING: UnitState.DRAFT,
        "区财政局": UnitState.NOT_REPORTED,
        PARTY: UnitState.NOT_REPORTED,
    }
    assert (board.reported, board.total) == (0, 4)
    assert [(r.unit, r.days_overdue) for r in board.late] == [
        ("区住建局", 3),
        ("区委", 3),
        ("区教育局", 3),
        ("区财政局", 3),
    ]
    text = board.chase_text()
    assert "以下单位尚未完成“2021年6月进展”的报送（截止 2021年7月5日）" in text
    assert "区住建局（草稿，逾期 3 天）：（2）回迁安置进展缓慢；（3）安置区配套学校" in text
    last = {row.unit: row.last for row in board.rows}
    housing_last = last[HOUSING]
    assert housing_last is not None and housing_last.action == "保存草稿"
    assert housing_last.actor == HOUSING_REPORTER.name
    assert last["区财政局"] is None
    edu_last = last[EDU]
    assert edu_last is not None and edu_last.action == "提交单位负责人审核"


# -- merge and publish -----------------------------------------------------------------------


def report_and_accept(service: RoundService, round_id: int) -> None:
    service.add_evidence(EDU_REPORTER, round_id, EDU, 1, "验收报告.pdf", PDF)
    service.save_draft(
        EDU_REPORTER,
        round_id,
        EDU,
        TaskReport(
            1, status=TaskStatus.DONE, progress="新增学位已全部投用", values={"T01-01": "1.5万"}
        ),
    )
    edu = service.submit(EDU_REPORTER, round_id, EDU)
    service.save_draft(
        HOUSING_REPORTER,
        round_id,
        HOUSING,
        TaskReport(2, progress="回迁率继续提高", values={"T02-01": "70.2%"}),
    )
    housing = service.submit(HOUSING_REPORTER, round_id, HOUSING)
    service.decide(OFFICE, edu.id, accept=True, comment="材料齐全，同意销号")
    service.decide(OFFICE, housing.id, accept=True)


def test_publishing_a_round_merges_every_accepted_report(service: RoundService) -> None:
    round_id = opened(service)
    report_and_accept(service, round_id)
    reviewed = review_round(service, round_id)
    assert reviewed.publishable, reviewed.review and reviewed.review.problems
    assert reviewed.review is not None and reviewed.review.changes is not None
    with pytest.raises(NotPermitted):
        publish_round(service, LEADER, reviewed)
    version = publish_round(service, OFFICE, reviewed, note="六月")
    assert version.id == 2
    audit = service.store.audit()[0]
    assert audit.actor == OFFICE.name
    assert (
        "轮次“2021年6月进展”：区教育局第1次报送（任务（1））；区住建局第1次报送（任务（2））"
        in audit.note
    )
    data = load_workbook(service.store.read(version)).dataset
    assert data is not None
    task = data.task(1)
    assert task is not None and task.status is TaskStatus.DONE
    assert task.completed_on == AS_OF and task.closed_on == datetime.date(2021, 7, 1)
    assert data.meta.as_of == AS_OF
    figures = {(o.indicator_id, o.date): o for o in data.observations}
    assert figures["T01-01", AS_OF].value == 15000
    assert figures["T01-01", AS_OF].note == "区教育局报送（2021年6月进展）"
    assert figures["T02-01", AS_OF].value == pytest.approx(70.2)
    progress = {(p.task_id, p.unit): p for p in data.progress}
    assert progress[1, EDU].text == "新增学位已全部投用"
    assert progress[1, EDU].evidence == "验收报告.pdf"
    assert progress[1, EDU].round == "2021年6月进展"
    # Nothing new to publish afterwards; the round remembers what it merged.
    again = review_round(service, round_id)
    assert not again.plan.accepted and not again.publishable
    with pytest.raises(RoundError, match="没有新采纳的报送"):
        publish_round(service, OFFICE, again)


def test_a_publish_is_pinned_to_the_version_it_reviewed(service: RoundService) -> None:
    round_id = opened(service)
    report_and_accept(service, round_id)
    first = review_round(service, round_id)
    second = review_round(service, round_id)
    publish_round(service, OFFICE, first)
    with pytest.raises(StaleVersion):
        publish_round(service, OFFICE2, second)
    assert len(service.store.versions()) == 2
    assert service.round(round_id).merged_upto > 0


def test_two_units_disagreeing_is_a_conflict_the_office_resolves(service: RoundService) -> None:
    round_id = opened(service)
    # (3) is led by 区住建局 and shared with 区教育局: they report different figures.
    service.save_draft(HOUSING_REPORTER, round_id, HOUSING, TaskReport(3, values={"T03-01": "2"}))
    service.save_draft(EDU_REPORTER, round_id, EDU, TaskReport(3, values={"T03-01": "3"}))
    for who, unit in ((HOUSING_REPORTER, HOUSING), (EDU_REPORTER, EDU)):
        submission = service.submit(who, round_id, unit)
        service.decide(OFFICE, submission.id, accept=True)
    reviewed = review_round(service, round_id)
    assert not reviewed.publishable
    (conflict,) = reviewed.plan.unresolved
    assert conflict.label == "指标“配套学校开工数”（T03-01）的本期数值"
    assert dict(conflict.options) == {HOUSING: "2", EDU: "3"}
    with pytest.raises(RoundError, match="合并冲突未处理"):
        publish_round(service, OFFICE, reviewed)
    with pytest.raises(NotPermitted):
        resolve(service, EDU_REPORTER, round_id, conflict.field, EDU)
    resolve(service, OFFICE, round_id, conflict.field, HOUSING)
    resolved = review_round(service, round_id)
    assert resolved.publishable
    version = publish_round(service, OFFICE, resolved)
    data = load_workbook(service.store.read(version)).dataset
    assert data is not None
    assert [o.value for o in data.observations if o.indicator_id == "T03-01"] == [2]


def test_a_new_round_waits_for_accepted_work_to_be_published(service: RoundService) -> None:
    round_id = opened(service)
    report_and_accept(service, round_id)
    with pytest.raises(RoundError, match="已采纳但未发布"):
        service.open_round(
            OFFICE, name="7月", as_of=datetime.date(2021, 7, 31), due=datetime.date(2021, 8, 5)
        )
    publish_round(service, OFFICE, review_round(service, round_id))
    july = service.open_round(
        OFFICE, name="7月", as_of=datetime.date(2021, 7, 31), due=datetime.date(2021, 8, 5)
    )
    assert not service.round(round_id).is_open and july.basis_version == 2
    with pytest.raises(RoundError, match="已结束"):
        service.save_draft(EDU_REPORTER, round_id, EDU, TaskReport(3, progress="迟到"))


def test_the_timeline_shows_each_report_to_whom_it_may(service: RoundService) -> None:
    round_id = opened(service)
    service.save_draft(EDU_REPORTER, round_id, EDU, TaskReport(1, progress="初稿"))
    first = service.submit(EDU_REPORTER, round_id, EDU)
    service.decide(OFFICE, first.id, accept=False, task_id=1, comment="请补充数字")
    service.save_draft(EDU_REPORTER, round_id, EDU, TaskReport(1, progress="新增学位13050个"))
    second = service.submit(EDU_REPORTER, round_id, EDU)
    service.decide(OFFICE, second.id, accept=True, comment="同意")
    entries = task_timeline(service.db, LEADER, 1)
    assert [(e.report.progress, [d.comment for d in e.decisions]) for e in entries] == [
        ("初稿", ["请补充数字"]),
        ("新增学位13050个", ["同意"]),
    ]
    # An anonymous visitor and another unit see only what the office accepted.
    for who in (None, HOUSING_REPORTER):
        assert [e.report.progress for e in task_timeline(service.db, who, 1)] == ["新增学位13050个"]


def test_an_upload_review_warns_of_round_work_it_would_drop(
    service: RoundService, tmp_path: Path
) -> None:
    from metrics.rounds.roles import Role
    from metrics.rounds.upload_checks import upload_warnings
    from metrics.store.accounts import Account
    from tests.rounds_data import round_workbook

    round_id = opened(service)
    report_and_accept(service, round_id)
    accounts = [Account("小赵", Role.UNIT, (EDU,)), Account("老周", Role.UNIT, ("区卫健委",))]
    old = load_workbook(round_workbook(tmp_path / "old.xlsx")).dataset
    assert old is not None
    # Before the round is published, the accepted work is waiting, not lost.
    before = upload_warnings(service.db, old, accounts)
    assert "轮次“2021年6月进展”有 2 项已采纳、尚未发布的报送" in before[0]
    assert "账号“老周”所属的单位“区卫健委”在新文件的牵头单位和责任单位中不存在" in before[1]
    assert len(before) == 2
    version = publish_round(service, OFFICE, review_round(service, round_id))
    # An upload of the old file would drop what the round published; the published one not.
    (dropped, _) = upload_warnings(service.db, old, accounts)
    assert dropped.startswith("新文件缺少轮次“2021年6月进展”已采纳并发布的内容：")
    assert "任务（1）区教育局的进展" in dropped and "指标 T02-01 在 2021-06-30 的数值" in dropped
    published = load_workbook(service.store.read(version)).dataset
    assert published is not None
    assert upload_warnings(service.db, published, accounts[:1]) == []
