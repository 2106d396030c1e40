"""基本完成 and 申请延期 (issue #20, part 6): the workbook columns and their checks, the
effective deadline, counting as offices count (the deployment setting), the counts
beside the rate, and a unit's 申请延期 through a round into the workbook."""

from __future__ import annotations

import datetime
import json
import subprocess
import sys
from pathlib import Path

import pytest

from metrics.contract import ExtensionDecision, TaskStatus
from metrics.model import Meta, Task
from metrics.rounds.model import TaskReport
from metrics.rounds.publish import publish_round, review_round
from metrics.rounds.service import RoundError, RoundService
from metrics.scoring.counting import COUNT_ONGOING_ENV, Counting
from metrics.scoring.headline import headline
from metrics.scoring.progress import TaskColour, score, score_task
from metrics.scoring.rollup import Completion, overall, tally
from metrics.scoring.summary import summarise
from metrics.store.versions import Store, open_store
from metrics.workbook.edits import TaskEdit, WorkbookEdits, apply_edits
from metrics.workbook.loader import LoadResult, load_workbook
from report.palette import TASK_STATUS_SWATCHES
from report.rounds import proposal_text
from report.wording import deadline_text
from tests import builders
from tests.rounds_data import EDU, EDU_REPORTER, OFFICE, Clock, service_for

D = datetime.date
AS_OF = D(2021, 5, 31)
DEADLINE = D(2021, 6, 30)


def load(tmp_path: Path, *tasks: builders.Row) -> LoadResult:
    rows = [builders.task(1, "已完成"), *tasks]
    path = builders.write_valid(
        tmp_path / "x.xlsx",
        tasks=rows,
        indicators=[builders.indicator("A", 1)],
        observations=[],
        meta=builders.meta(报告任务数=builders.DROP, 报告已完成数=builders.DROP),
    )
    return load_workbook(path)


def messages(result: LoadResult) -> list[tuple[str, str, int | None, str | None, str]]:
    return [
        (p.severity.value, p.sheet, p.row, p.column, p.message)
        for p in result.problems
        if p.sheet == "任务"
    ]


# -- the workbook ------------------------------------------------------------------------------


def test_new_statuses_and_extension_columns_load(tmp_path: Path) -> None:
    result = load(
        tmp_path,
        builders.task(2, "基本完成", 整改时限=DEADLINE),
        builders.task(3, "申请延期", 整改时限=DEADLINE, 申请延期至="2021-09-30", 延期决定="同意"),
        builders.task(4, "申请延期", 整改时限=DEADLINE, 申请延期至="2021-08-31"),
    )
    assert result.dataset is not None, result.problems
    assert not messages(result)
    by_id = {t.id: t for t in result.dataset.tasks}
    assert by_id[2].status is TaskStatus.BASICALLY_DONE
    granted, pending = by_id[3], by_id[4]
    assert granted.extension_granted and granted.effective_deadline == D(2021, 9, 30)
    assert granted.deadline == DEADLINE  # kept as typed
    assert pending.extension_decision is None and not pending.extension_granted
    assert pending.effective_deadline == DEADLINE


def test_extension_columns_only_with_the_extension_status(tmp_path: Path) -> None:
    result = load(
        tmp_path,
        builders.task(2, "正在整改", 申请延期至="2021-09-30"),
        builders.task(3, "基本完成", 延期决定="同意"),
    )
    assert result.dataset is None
    assert [m[:4] for m in messages(result)] == [
        ("错误", "任务", 3, "申请延期至"),
        ("错误", "任务", 4, "延期决定"),
    ]
    assert "只有“申请延期”的任务才填" in messages(result)[0][4]


def test_an_extension_not_after_the_deadline_is_a_warning(tmp_path: Path) -> None:
    result = load(
        tmp_path,
        builders.task(2, "申请延期", 整改时限=DEADLINE, 申请延期至=DEADLINE),
        builders.task(3, "申请延期", 整改时限=DEADLINE),
    )
    assert result.dataset is not None
    found = messages(result)
    assert [m[:4] for m in found] == [
        ("警告", "任务", 3, "申请延期至"),
        ("警告", "任务", 4, "申请延期至"),
    ]
    assert "不晚于整改时限 2021-06-30" in found[0][4]
    assert "没有填写申请延期至" in found[1][4]


def test_an_unknown_decision_is_an_error(tmp_path: Path) -> None:
    result = load(tmp_path, builders.task(2, "申请延期", 申请延期至="2021-09-30", 延期决定="批准"))
    (found,) = messages(result)
    assert found[:4] == ("错误", "任务", 3, "延期决定")
    assert "同意、不同意、待定" in found[4]


def test_a_workbook_without_the_new_columns_loads(tmp_path: Path) -> None:
    headers = [h for h in builders.TASK_HEADERS if h not in ("申请延期至", "延期决定")]
    path = builders.write_valid(tmp_path / "old.xlsx", task_headers=headers)
    assert load_workbook(path).ok


def test_supervision_keys_of_meta_are_bounded(tmp_path: Path) -> None:
    good = builders.write_valid(tmp_path / "g.xlsx", meta=builders.meta(蓝色预警天数=10))
    loaded = load_workbook(good).dataset
    assert loaded is not None and loaded.meta.blue_days == 10
    bad = load_workbook(
        builders.write_valid(tmp_path / "b.xlsx", meta=builders.meta(连续黄色转红轮数=1))
    )
    (error,) = bad.errors
    assert (error.sheet, error.column) == ("概况", "内容")
    assert "连续黄色转红轮数" in error.message and "2 到 12" in error.message


# -- deadline and counting -----------------------------------------------------------------------


def extended(
    decision: ExtensionDecision | None, status: TaskStatus = TaskStatus.EXTENSION_REQUESTED
) -> Task:
    return Task(
        1,
        "c",
        "p",
        "t",
        status,
        deadline=D(2021, 5, 1),
        extension_to=D(2021, 6, 30),
        extension_decision=decision,
    )


def test_a_granted_extension_moves_the_deadline_for_overdue() -> None:
    refused = score_task(extended(ExtensionDecision.REFUSED), (), AS_OF)
    assert refused.overdue and refused.days_left == -30
    assert refused.reason == "已超过整改时限 30 天"
    granted = score_task(extended(ExtensionDecision.GRANTED), (), AS_OF)
    assert not granted.overdue and granted.days_left == 30
    assert granted.colour is TaskColour.YELLOW  # within 30 days of the new deadline
    assert granted.reason == "距延期后的整改时限还有 30 天"
    assert deadline_text(extended(ExtensionDecision.GRANTED)) == (
        "2021年5月1日（已同意延期至2021年6月30日）"
    )
    assert deadline_text(extended(None)) == "2021年5月1日（申请延期至2021年6月30日，待定）"


@pytest.mark.parametrize(
    ("raw", "ongoing", "problems"),
    [("", True, 0), ("1", True, 0), ("0", False, 0), ("false", False, 0), ("maybe", True, 1)],
)
def test_the_counting_setting(raw: str, ongoing: bool, problems: int) -> None:
    counting, found = Counting.from_env({COUNT_ONGOING_ENV: raw})
    assert counting.ongoing_as_done is ongoing and len(found) == problems
    if found:
        assert COUNT_ONGOING_ENV in found[0] and "已使用默认值 1" in found[0]


def test_new_statuses_are_not_complete_and_ongoing_follows_the_setting() -> None:
    assert not TaskStatus.BASICALLY_DONE.complete and not TaskStatus.EXTENSION_REQUESTED.complete
    assert Counting().counts(TaskStatus.ONGOING)
    assert not Counting(ongoing_as_done=False).counts(TaskStatus.ONGOING)
    ongoing = Task(1, "c", "p", "t", TaskStatus.ONGOING, deadline=D(2021, 5, 1))
    strict = score_task(ongoing, (), AS_OF, Counting(ongoing_as_done=False))
    assert not strict.complete and strict.overdue


def test_the_bundled_rate_is_unchanged_by_default_and_strict_when_set(
    monkeypatch: pytest.MonkeyPatch, bundled_workbook: Path
) -> None:
    dataset = load_workbook(bundled_workbook).dataset
    assert dataset is not None
    monkeypatch.delenv(COUNT_ONGOING_ENV, raising=False)
    default = overall(score(dataset)).completion
    assert (default.completed, default.total) == (30, 35)
    monkeypatch.setenv(COUNT_ONGOING_ENV, "0")
    strict = score(dataset)
    assert strict.counting == Counting(False)
    assert overall(strict).completion.completed == 29
    assert tally(overall(strict).completion).text() == (
        "已完成29项，长期坚持1项，正在整改5项，完成率82.9%"
    )


def test_the_counts_beside_the_rate_leave_out_empty_statuses() -> None:
    c = Completion(697, 688, 688, 0, 5, 0, 0, basically_done=4, extension_requested=0)
    counts = tally(c)
    assert [(p.word, p.count) for p in counts.parts] == [
        ("已完成", 688),
        ("基本完成", 4),
        ("正在整改", 5),
    ]
    assert counts.text(measure="个") == "已完成688个，基本完成4个，正在整改5个，完成率98.7%"
    assert c.unfinished == 9


def test_headline_and_summary_name_the_new_statuses(tmp_path: Path) -> None:
    result = load(
        tmp_path,
        builders.task(2, "基本完成"),
        builders.task(3, "申请延期", 申请延期至="2021-09-30"),
        builders.task(4, "正在整改"),
    )
    assert result.dataset is not None
    scored = score(result.dataset, Counting())
    assert headline(scored).sentence == (
        "截至2021年5月31日，4项整改任务已完成1项，基本完成1项，申请延期1项，正在整改1项，"
        "整改率25.0%。"
    )
    data = json.loads(json.dumps(summarise(scored), ensure_ascii=False))
    whole = data["overall"]
    assert (whole["basically_done"], whole["extension_requested"], whole["unfinished"]) == (1, 1, 3)
    assert whole["counts_text"] == "已完成1项，基本完成1项，申请延期1项，正在整改1项，完成率25.0%"
    assert whole["counts"][0] == {"status": None, "word": "已完成", "count": 1}
    assert data["counting"] == {"ongoing_as_done": True, "rule": "完成 = 已完成 + 长期坚持"}
    task3 = data["tasks"][2]
    assert task3["extension_to"] == "2021-09-30" and task3["extension_decision"] is None
    assert task3["effective_deadline"] is None


def test_every_status_has_a_symbol_and_word() -> None:
    for status in TaskStatus:
        swatch = TASK_STATUS_SWATCHES[status]
        assert swatch.label == status.value and swatch.symbol


# -- edits, and a unit's 申请延期 through a round ----------------------------------------


def test_edits_write_the_extension_and_clear_it_when_the_status_moves_on(tmp_path: Path) -> None:
    headers = [h for h in builders.TASK_HEADERS if h not in ("申请延期至", "延期决定")]
    base = builders.write_valid(tmp_path / "old.xlsx", task_headers=headers).read_bytes()
    asked = apply_edits(
        base,
        WorkbookEdits(
            tasks=(
                TaskEdit(
                    3,
                    TaskStatus.EXTENSION_REQUESTED,
                    extension_to=D(2021, 9, 30),
                    extension_decision=ExtensionDecision.GRANTED,
                ),
            )
        ),
    )
    task = _task(asked, 3)
    assert task.extension_to == D(2021, 9, 30) and task.extension_granted
    done = apply_edits(asked, WorkbookEdits(tasks=(TaskEdit(3, TaskStatus.DONE, AS_OF, AS_OF),)))
    task = _task(done, 3)
    assert task.status is TaskStatus.DONE and task.extension_to is None
    assert task.extension_decision is None


def _task(data: bytes, task_id: int) -> Task:
    dataset = load_workbook(data).dataset
    assert dataset is not None
    found = dataset.task(task_id)
    assert found is not None
    return found


@pytest.fixture
def service(tmp_path: Path) -> RoundService:
    store: Store = open_store(tmp_path / "store")
    workbook = builders.write(
        tmp_path / "round.xlsx",
        tasks=[
            builders.task(1, "正在整改", 牵头单位=EDU, 整改时限=D(2021, 6, 30)),
            builders.task(2, "正在整改", 牵头单位=EDU),
        ],
        indicators=[builders.indicator("A", 1)],
        observations=[],
        meta=builders.meta(报告任务数=2, 报告已完成数=0),
    )
    store.bootstrap(workbook, {"total": 2, "completed": 0})
    return service_for(store, Clock(datetime.datetime(2021, 7, 1, 2, 0, tzinfo=datetime.UTC)))


def test_a_unit_requests_an_extension_and_the_office_grants_it(service: RoundService) -> None:
    round_id = service.open_round(
        OFFICE, name="2021年6月进展", as_of=D(2021, 6, 30), due=D(2021, 7, 5)
    ).id
    asking = TaskReport(1, status=TaskStatus.EXTENSION_REQUESTED, progress="拆迁受阻")
    service.save_draft(EDU_REPORTER, round_id, EDU, asking)  # a draft may wait for the date
    with pytest.raises(RoundError, match="请先填写申请延期至"):
        service.submit(EDU_REPORTER, round_id, EDU)
    with pytest.raises(RoundError, match="不晚于整改时限"):
        service.save_draft(
            EDU_REPORTER,
            round_id,
            EDU,
            TaskReport(1, TaskStatus.EXTENSION_REQUESTED, extension_to=D(2021, 6, 1)),
        )
    with pytest.raises(RoundError, match="不是“申请延期”"):
        service.save_draft(EDU_REPORTER, round_id, EDU, TaskReport(2, extension_to=D(2021, 9, 30)))
    wanted = TaskReport(1, TaskStatus.EXTENSION_REQUESTED, "拆迁受阻", extension_to=D(2021, 9, 30))
    service.save_draft(EDU_REPORTER, round_id, EDU, wanted)
    submission = service.submit(EDU_REPORTER, round_id, EDU)
    item = submission.item(1)
    assert item is not None and item.extension_to == D(2021, 9, 30)
    assert proposal_text(item) == "申请延期（至2021-09-30）"
    made = service.decide(
        OFFICE, submission.id, accept=True, task_id=1, extension=ExtensionDecision.GRANTED
    )
    assert [d.kind.value for d in made] == ["accept"]
    reviewed = review_round(service, round_id)
    (accepted,) = reviewed.plan.accepted
    assert accepted.extension is ExtensionDecision.GRANTED
    assert reviewed.publishable, reviewed.review and reviewed.review.problems
    version = publish_round(service, OFFICE, reviewed)
    task = _task(service.store.read(version), 1)
    assert task.status is TaskStatus.EXTENSION_REQUESTED
    assert task.extension_to == D(2021, 9, 30) and task.extension_granted
    assert task.deadline == D(2021, 6, 30)


def test_an_extension_decision_needs_an_extension_request(service: RoundService) -> None:
    round_id = service.open_round(
        OFFICE, name="2021年6月进展", as_of=D(2021, 6, 30), due=D(2021, 7, 5)
    ).id
    service.save_draft(EDU_REPORTER, round_id, EDU, TaskReport(2, progress="推进中"))
    submission = service.submit(EDU_REPORTER, round_id, EDU)
    with pytest.raises(RoundError, match="没有申请延期"):
        service.decide(
            OFFICE, submission.id, accept=True, task_id=2, extension=ExtensionDecision.GRANTED
        )


def test_meta_keeps_its_defaults() -> None:
    meta = Meta("t", "o", AS_OF, AS_OF)
    assert meta.blue_days is None and meta.red_after_yellow_rounds is None


def test_summary_cli_carries_the_new_keys(bundled_workbook: Path) -> None:
    out = subprocess.run(
        [sys.executable, "-m", "metrics", "summary", str(bundled_workbook), "--json"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    data = json.loads(out)
    assert data["overall"]["counts_text"] == "已完成30项，正在整改5项，完成率85.7%"
    assert {"counting", "supervision", "unit_ranking"} <= data.keys()
    assert all("warning" in t and "effective_deadline" in t for t in data["tasks"])
