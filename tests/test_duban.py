"""督办单: issued by the office only, numbered per year without gaps or duplicates (also
with two office members at once, on both backends), recorded and read back per task,
and printed as an official document that words the task as the report does."""

from __future__ import annotations

import datetime
import io
import sqlite3
import threading
from pathlib import Path

import psycopg
import pytest
from docx import Document

from briefing.docx_duban import build_duban_docx, duban_text
from metrics.duban.model import DubanItem, Level, most_severe
from metrics.duban.numbering import PREFIX_ENV, code, default_prefix, prefix
from metrics.duban.service import DEFAULT_REQUIREMENTS, DubanError, DubanService
from metrics.rounds.roles import NotPermitted
from metrics.scoring.progress import score
from metrics.store.versions import Store
from metrics.supervision.model import WarningColour
from metrics.workbook.loader import load_workbook
from tests.rounds_data import (
    EDU,
    EDU_REPORTER,
    HOUSING,
    LEADER,
    OFFICE,
    OFFICE2,
    Clock,
    duban_store,
    round_store,
)

ISSUED = datetime.datetime(2021, 7, 1, 2, 0, tzinfo=datetime.UTC)  # 10:00 in Beijing
RESPOND = datetime.date(2021, 7, 10)
RED_2 = DubanItem(2, Level.RED, ("红色：已超过整改时限（2021年6月30日）",))
YELLOW_3 = DubanItem(3, Level.YELLOW, ("黄色：进度滞后指标1个",))


@pytest.fixture
def store(store_location: Path | str, tmp_path: Path) -> Store:
    return round_store(store_location, tmp_path)


def service(store: Store, moment: datetime.datetime = ISSUED) -> DubanService:
    return DubanService(store, clock=Clock(moment))


def test_numbers_and_prefixes() -> None:
    assert default_prefix("中共惠济区委") == "惠整督"
    assert default_prefix("中国共产党郑州市委员会") == "郑整督"
    assert code("惠整督", 2021, 3) == "惠整督〔2021〕3号"
    assert prefix("中共惠济区委", {PREFIX_ENV: " 郑惠督\n"}) == "郑惠督"
    assert prefix("中共惠济区委", {}) == "惠整督"
    assert most_severe([Level.BLUE, Level.RED, Level.YELLOW]) is Level.RED
    assert Level.RED.label == "● 红色督办"


def test_a_level_is_the_warning_colour_it_answers() -> None:
    """Recorded as "红色"; symbol and order are the warning colour's, never a copy."""
    assert [Level.of(c) for c in WarningColour] == list(Level)
    for colour in WarningColour:
        level = Level.of(colour)
        assert level.colour is colour and level.value == colour.label
        assert level.symbol == colour.symbol and level.rank == colour.severity
    assert Level.YELLOW.label == "▲ 黄色督办" and Level.BLUE.label == "■ 蓝色督办"


def test_the_office_issues_and_numbers_run_per_year(store: Store) -> None:
    first = service(store).issue(OFFICE, unit=HOUSING, items=[YELLOW_3, RED_2], respond_by=RESPOND)
    assert first.code == "测整督〔2021〕1号"  # from 报告单位 测试区委
    assert first.level is Level.RED and first.task_ids == (2, 3)
    assert first.requirements == DEFAULT_REQUIREMENTS[Level.RED]
    assert first.issued_by == OFFICE.name and first.version_id == 1
    second = service(store).issue(
        OFFICE2, unit=EDU, items=[YELLOW_3], respond_by=RESPOND, requirements="请于7月10日前报送。"
    )
    assert (second.year, second.number) == (2021, 2)
    next_year = service(store, datetime.datetime(2022, 1, 3, 2, tzinfo=datetime.UTC))
    third = next_year.issue(
        OFFICE, unit=EDU, items=[YELLOW_3], respond_by=datetime.date(2022, 1, 10)
    )
    assert (third.year, third.number) == (2022, 1)
    assert [n.code[-8:] for n in service(store).notices()] == [
        "〔2021〕1号",
        "〔2021〕2号",
        "〔2022〕1号",
    ]
    assert [n.number for n in service(store).history(3)] == [1, 2, 1]
    assert [n.number for n in service(store).history(2)] == [1]


def test_two_office_members_at_once_never_share_a_number(store: Store) -> None:
    numbers: list[int] = []
    errors: list[BaseException] = []

    def issue(who: object) -> None:
        try:
            for _ in range(5):
                notice = service(store).issue(
                    who,  # type: ignore[arg-type]
                    unit=HOUSING,
                    items=[RED_2],
                    respond_by=RESPOND,
                )
                numbers.append(notice.number)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=issue, args=(who,)) for who in (OFFICE, OFFICE2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert sorted(numbers) == list(range(1, 11))


def test_only_the_office_issues_and_bad_requests_are_refused(store: Store) -> None:
    for who in (LEADER, EDU_REPORTER):
        with pytest.raises(NotPermitted, match="只有整改办可以签发督办单"):
            service(store).issue(who, unit=EDU, items=[YELLOW_3], respond_by=RESPOND)
    with pytest.raises(DubanError, match="不是“区教育局”牵头或参与的任务"):
        service(store).issue(OFFICE, unit=EDU, items=[RED_2], respond_by=RESPOND)
    with pytest.raises(DubanError, match="不在当前数据的牵头单位或责任单位中"):
        service(store).issue(OFFICE, unit="区卫健委", items=[RED_2], respond_by=RESPOND)
    with pytest.raises(DubanError, match="应晚于签发日期"):
        service(store).issue(
            OFFICE, unit=HOUSING, items=[RED_2], respond_by=datetime.date(2021, 7, 1)
        )
    with pytest.raises(DubanError, match="没有需要督办的任务"):
        service(store).issue(OFFICE, unit=HOUSING, items=[], respond_by=RESPOND)
    assert service(store).notices() == []  # nothing recorded by a refusal


def test_the_record_cannot_be_changed(store: Store) -> None:
    service(store).issue(OFFICE, unit=HOUSING, items=[RED_2], respond_by=RESPOND)
    refused = (sqlite3.DatabaseError, psycopg.Error)
    with pytest.raises(refused), store.backend.versions.transaction() as db:
        db.execute("DELETE FROM duban_notices")
    assert len(service(store).notices()) == 1


def test_the_document_words_the_task_as_the_report_does(store: Store) -> None:
    notice = service(store).issue(OFFICE, unit=HOUSING, items=[RED_2, YELLOW_3], respond_by=RESPOND)
    version = store.current()
    assert version is not None
    dataset = load_workbook(store.read(version)).dataset
    assert dataset is not None
    scored = score(dataset)
    lines = duban_text(notice, scored)
    assert lines[0] == ("区住建局：", "")
    assert "现对你单位牵头或参与的2项整改任务进行红色督办（●）。" in lines[1][1]
    heads = [head for head, _ in lines]
    assert "（一）（2）回迁安置进展缓慢。" in heads and "（二）（3）安置区配套学校。" in heads
    body = "\n".join(text for _, text in lines)
    assert "督办等级：红色（●），已超过整改时限（2021年6月30日）。" in body
    assert "当前进展：该项任务正在整改。" in body
    assert "请于2021年7月10日前将整改落实情况书面反馈" in body
    for gap in ("未填写", "无法评估", "尚无数据", "序时"):
        assert gap not in body
    document = Document(io.BytesIO(build_duban_docx(notice, scored)))
    texts = [p.text for p in document.paragraphs]
    assert texts[0] == "巡视整改督办单"
    assert texts[1] == notice.code
    assert [t for t in texts if t][-2:] == ["测试区委巡视整改工作领导小组办公室", "2021年7月1日"]


# -- from the command line ----------------------------------------------------------------


@pytest.fixture
def coloured_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Store:
    """``tests.rounds_data.duban_workbook`` in the store the command line opens."""
    from metrics.store.versions import STORE_ENV

    root = tmp_path / "store"
    monkeypatch.setenv(STORE_ENV, str(root))
    monkeypatch.delenv("ZHENGGAI_DATABASE_URL", raising=False)
    return duban_store(root, tmp_path)


def test_the_command_line_issues_for_a_task_and_for_a_unit(
    coloured_store: Store, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from briefing.cli import main

    respond = (datetime.date.today() + datetime.timedelta(days=7)).isoformat()
    out = tmp_path / "督办单.docx"
    common = ["--actor", "张三", "--respond-by", respond, "--out", str(out)]
    assert main(["duban", "--task", "2", *common]) == 0
    printed = capsys.readouterr().out
    year = datetime.date.today().year
    assert f"已签发 测整督〔{year}〕1号（红色督办，区住建局）" in printed
    texts = [p.text for p in Document(str(out)).paragraphs]
    assert texts[1] == f"测整督〔{year}〕1号"
    assert any("督办等级：红色（●），已超过整改时限（2021年4月30日）" in t for t in texts)
    assert main(["duban", "--unit", HOUSING, *common]) == 0
    assert f"测整督〔{year}〕2号（红色督办，区住建局）" in capsys.readouterr().out
    notices = DubanService(coloured_store).notices()
    assert [n.task_ids for n in notices] == [(2,), (2, 3)]
    assert notices[0].issued_by.startswith("张三（命令行，系统用户 ")
    # Refusals: exit 1 with the reason, nothing recorded.
    assert main(["duban", "--task", "1", *common]) == 1
    assert "任务（1）当前没有督办预警" in capsys.readouterr().err
    assert main(["duban", "--unit", EDU, *common]) == 1
    assert "都没有督办预警" in capsys.readouterr().err
    assert main(["duban", "--task", "9", *common]) == 1
    assert "没有任务（9）" in capsys.readouterr().err
    assert len(DubanService(coloured_store).notices()) == 2
    with pytest.raises(SystemExit) as usage:
        main(["duban", "--task", "2", "--actor", "张三", "--respond-by", "明天", "--out", "x"])
    assert usage.value.code == 2


def test_items_by_unit_are_each_units_items(tmp_path: Path) -> None:
    """All units at once (the 填报审核 form) gives what asking unit by unit gives."""
    from metrics.duban.items import NothingToSupervise, items_by_unit, unit_items
    from metrics.rounds.units import all_units
    from metrics.supervision.rules import colours
    from tests.rounds_data import duban_workbook

    dataset = load_workbook(duban_workbook(tmp_path / "coloured.xlsx")).dataset
    assert dataset is not None
    warnings = colours(score(dataset))
    expected = {}
    for unit in all_units(dataset):
        try:
            expected[unit] = unit_items(dataset, warnings, unit)
        except NothingToSupervise:
            continue
    assert items_by_unit(dataset, warnings) == expected
    assert list(expected) == [HOUSING]  # (2) red and (3) blue; 区教育局's (1) has none
    assert [i.task_id for i in expected[HOUSING]] == [2, 3]
