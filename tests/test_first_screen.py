"""The overview's first screen, 需要关注 (issue #20, part 4): what it lists, in which
order, how short it stays; the headline cards' widths; the city-scale workbook."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest

from metrics.contract import TaskStatus
from metrics.rounds.model import Submission, SubmissionState, TaskReport
from metrics.scoring.headline import headline
from metrics.scoring.progress import Scored, score
from metrics.supervision.model import RoundFacts, WarningColour
from metrics.supervision.rules import colours
from metrics.workbook.loader import load_workbook
from report.first_screen import LIMIT, colour_groups, late_units, waiting_requests
from report.headline_cards import CARD_WIDTH, Card, card_width, headline_cards
from report.views import ATTENTION_COLUMNS, attention_items, attention_table
from scripts.city_workbook import city_rows, write_city_workbook
from tests import builders

D = datetime.date
AS_OF = D(2021, 5, 31)
# Tasks past their deadline (red), the most overdue first: 2 (January), then 5 … 11, then 1.
OVERDUE = {2: "2021-01-31", 5: "2021-02-28", 6: "2021-02-28", 7: "2021-03-15", 8: "2021-03-20"}
OVERDUE |= {9: "2021-04-01", 10: "2021-04-10", 11: "2021-04-20", 1: "2021-05-01"}


def red_workbook(path: Path) -> Path:
    """Nine red tasks (past their deadline), one yellow (an indicator far behind), one
    blue (due in ten days), one complete; 区住建局 leads all, 区教育局 task 3."""
    tasks = [
        builders.task(
            task_id, "正在整改", 任务=f"逾期任务{task_id}", 整改时限=deadline, 牵头单位="区住建局"
        )
        for task_id, deadline in OVERDUE.items()
    ]
    tasks += [
        builders.task(3, "正在整改", 任务="滞后任务", 整改时限="2021-12-31", 牵头单位="区教育局"),
        builders.task(4, "基本完成", 任务="临期任务", 整改时限="2021-06-10"),
        builders.task(12, "已完成", 任务="完成任务", 整改时限="2021-03-31"),
    ]
    return builders.write(
        path,
        tasks=sorted(tasks, key=lambda row: int(str(row["编号"]))),
        indicators=[
            builders.indicator(
                "T03-01",
                3,
                基期值=0,
                基期日期="2021-01-01",
                目标值=100,
                目标日期="2021-12-31",
            )
        ],
        observations=[builders.observation("T03-01", "2021-05-31", 10)],
        meta=builders.meta(截至日期=AS_OF, 报告任务数=builders.DROP, 报告已完成数=builders.DROP),
    )


@pytest.fixture
def red(tmp_path: Path) -> Scored:
    dataset = load_workbook(red_workbook(tmp_path / "red.xlsx")).dataset
    assert dataset is not None
    return score(dataset)


def test_red_first_most_overdue_first_at_most_five(red: Scored) -> None:
    groups = colour_groups(red, colours(red))
    assert [(g.colour, g.count) for g in groups] == [
        (WarningColour.RED, 9),
        (WarningColour.YELLOW, 1),
        (WarningColour.BLUE, 1),
    ]
    shown = groups[0].items
    assert len(shown) == LIMIT == 5
    assert [i.task_id for i in shown] == [2, 5, 6, 7, 8]
    assert shown[0].title == "（2）逾期任务2"
    assert shown[0].note == "已超过整改时限（2021年1月31日）"
    assert groups[0].heading == "● 红色 9 项"
    assert groups[0].more == "查看全部 9 项红色任务"
    assert groups[1].heading == "▲ 黄色 1 项" and groups[1].items == ()


def test_late_units_in_the_data_order(red: Scored) -> None:
    latest = RoundFacts(
        "2021年6月进展",
        D(2021, 6, 30),
        D(2021, 7, 5),
        late_units=frozenset({"区教育局", "区住建局"}),
    )
    late = late_units(red, latest)
    assert late is not None
    assert late.units == ("区住建局", "区教育局")  # 区住建局 leads task 1, the first
    assert (
        late.text == "未按时报送“2021年6月进展”（截止2021年7月5日）的单位 2 个：区住建局、区教育局"
    )
    assert late_units(red, None) is None
    assert late_units(red, RoundFacts("r", D(2021, 6, 30), D(2021, 7, 5))) is None


def test_many_late_units_are_cut_short(red: Scored) -> None:
    names = frozenset(f"单位{n:02d}" for n in range(9))
    late = late_units(red, RoundFacts("r", D(2021, 6, 30), D(2021, 7, 5), late_units=names))
    assert late is not None and len(late.units) == 9
    assert late.text.endswith("：单位00、单位01、单位02、单位03、单位04等")


def _submission(id_: int, unit: str) -> Submission:
    return Submission(
        id_,
        1,
        unit,
        1,
        (),
        "someone",
        "2021-07-01T02:00:00+00:00",
        "网页",
        SubmissionState.SUBMITTED,
    )


def test_waiting_requests_by_kind_oldest_first(red: Scored) -> None:
    awaiting = [
        (
            _submission(1, "区住建局"),
            (
                TaskReport(1, TaskStatus.DONE),
                TaskReport(2, TaskStatus.EXTENSION_REQUESTED, extension_to=D(2021, 9, 30)),
                TaskReport(5, progress="只报进展"),
                TaskReport(12, TaskStatus.DONE),  # already complete: no 销号 request
            ),
        ),
        (_submission(2, "区教育局"), (TaskReport(3, TaskStatus.DONE),)),
    ]
    closing, extending = waiting_requests(red, awaiting)
    assert closing.heading == "待审核的销号申请 2 项"
    assert [(i.task_id, i.note) for i in closing.items] == [(1, "区住建局"), (3, "区教育局")]
    assert extending.heading == "待审核的延期申请 1 项"
    assert extending.items[0].note == "区住建局申请延期至2021年9月30日"
    assert waiting_requests(red, []) == ()


def test_attention_table_is_one_row_an_item(red: Scored) -> None:
    items = attention_items(red)
    table = attention_table(items)
    assert list(table.columns) == list(ATTENTION_COLUMNS)
    assert len(table) == len(items)
    # Every row names the task it opens: an indicator's row its task's number.
    assert list(table["编号"]) == [item.task_id for item in items]
    assert set(table[table["类别"] == "指标"]["编号"]) == {3}


@pytest.mark.parametrize(
    ("value", "wider"),
    [
        ("85.7%", False),
        ("30 项", False),
        ("1276 条", False),
        ("2 / 5 个", False),
        ("159 / 1882 个", True),
        ("12345 / 67890 个", True),
    ],
)
def test_a_card_is_wider_only_when_its_figure_needs_it(value: str, wider: bool) -> None:
    width = card_width(Card("指标已达标", value))
    assert (width > CARD_WIDTH) is wider
    # Source Sans at 36 px: "159 / 1882 个" measured 195 px in Chromium; 1 rem padding.
    if value == "159 / 1882 个":
        assert 195 + 32 <= width <= 260


def test_the_completion_change_widens_its_card() -> None:
    """The change is drawn at 14 px on one line: "+2.9个百分点（较上一版本）" needs more than
    the 126 px inside a narrow card."""
    assert card_width(Card("整改完成率", "85.7%", "+2.9个百分点（较上一版本）")) > CARD_WIDTH


# -- the city-scale workbook ---------------------------------------------------------------


def test_city_workbook_has_the_reported_size_and_every_colour(tmp_path: Path) -> None:
    rows = city_rows()
    assert len(rows["tasks"]) == 697
    assert len({r["category"] for r in rows["tasks"]}) == 3
    assert len({r["problem"] for r in rows["tasks"]}) == 40
    assert len({r["lead_unit"] for r in rows["tasks"]}) == 40
    assert len(rows["indicators"]) == 2091 and len(rows["observations"]) == 20910
    statuses = {r["status"] for r in rows["tasks"]}
    assert {"已完成", "基本完成", "申请延期", "正在整改", "长期坚持", "未启动"} <= statuses
    path = write_city_workbook(tmp_path / "city.xlsx")
    assert path.read_bytes() == write_city_workbook(tmp_path / "again.xlsx").read_bytes()
    result = load_workbook(path)
    assert result.dataset is not None and not result.problems
    scored = score(result.dataset)
    groups = colour_groups(scored, colours(scored))
    assert all(g.count for g in groups), [(g.colour, g.count) for g in groups]
    cards = headline_cards(headline(scored), len(attention_items(scored)))
    met = next(c for c in cards if c.label == "指标已达标")
    assert card_width(met) > CARD_WIDTH  # "159 / 1882 个" is cut at 160 px
