"""督办三色 on the pages (issue #20, part 1): the 督办 column, its filter and order on the
tasks page, the warning line on the task page, the rules legend, the red and yellow
counts on the round board, and malformed settings shown to the 整改办 only."""

from __future__ import annotations

import datetime
import logging
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from metrics.rounds.roles import Role
from metrics.rounds.service import RoundService
from metrics.scoring import counting as counting_module
from metrics.scoring.progress import score
from metrics.store.accounts import Accounts
from metrics.store.versions import STORE_ENV, Store, open_store
from metrics.supervision import settings as settings_module
from metrics.supervision.model import TaskWarning, WarningColour
from metrics.supervision.settings import BLUE_DAYS_ENV, SupervisionSettings
from metrics.workbook.loader import load_workbook
from report.rounds import RED_COLUMN, YELLOW_COLUMN
from report.safe_cells import safe_csv
from report.supervision import NO_WARNING, rules_legend, warning_choices
from report.views import SUPERVISED_TASK_COLUMNS, TaskOrder, supervised_task_table
from tests.builders import indicator, meta, observation, task, write
from tests.rounds_data import OFFICE
from tests.screen_text import as_read
from tests.test_app_pages import open_page
from ui.auth import REQUIRE_SIGNIN_ENV, SESSION_KEY
from ui.data_source import WORKBOOK_ENV

D = datetime.date
DASHBOARD = str(Path(__file__).resolve().parent.parent / "dashboard.py")
PASSWORD = "correct horse battery"
SETTING_ENVS = (
    BLUE_DAYS_ENV,
    settings_module.RED_ROUNDS_ENV,
    settings_module.YELLOW_BEHIND_ENV,
    settings_module.YELLOW_LATE_ENV,
    settings_module.YELLOW_RETURNED_ENV,
    counting_module.COUNT_ONGOING_ENV,
)

RED = "● 红色"
YELLOW = "▲ 黄色"
BLUE = "■ 蓝色"


@pytest.fixture(autouse=True)
def default_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in SETTING_ENVS:
        monkeypatch.delenv(name, raising=False)


def colour_workbook(path: Path) -> Path:
    """At 2021-05-31: (1) overdue → red; (2) due in 15 days → blue; (3) an indicator far
    behind → yellow; (4) complete and (5) extended by the office to 2021-09-30 → none."""
    return write(
        path,
        tasks=[
            task(1, "正在整改", 任务="逾期任务", 牵头单位="甲局", 整改时限=D(2021, 5, 1)),
            task(2, "正在整改", 任务="临近时限", 牵头单位="乙局", 整改时限=D(2021, 6, 15)),
            task(3, "正在整改", 任务="指标滞后", 牵头单位="乙局", 整改时限=D(2021, 12, 31)),
            task(4, "已完成", 任务="已经完成", 牵头单位="甲局", 完成日期=D(2021, 3, 1)),
            task(
                5,
                "申请延期",
                任务="获准延期",
                牵头单位="丙局",
                整改时限=D(2021, 4, 30),
                申请延期至=D(2021, 9, 30),
                延期决定="同意",
            ),
        ],
        indicators=[
            indicator("L", 3, 基期值=0, 基期日期="2021-01-01", 目标值=100, 目标日期="2021-12-31"),
        ],
        observations=[observation("L", "2021-05-31", 20)],
        meta=meta(报告任务数=5, 报告已完成数=1),
    )


@pytest.fixture
def workbook(tmp_path: Path) -> Path:
    return colour_workbook(tmp_path / "colours.xlsx")


def column(app: AppTest, name: str) -> dict[int, str]:
    table = app.dataframe[0].value
    return dict(zip(table["编号"], table[name], strict=True))


def alerts(app: AppTest) -> str:
    found = [*app.error, *app.warning, *app.info, *app.success]
    return "\n".join(as_read(str(a.value)) for a in found)


def page_text(app: AppTest) -> str:
    return "\n".join(as_read(str(m.value)) for m in [*app.markdown, *app.caption])


# -- the tasks table ---------------------------------------------------------------------------


def test_the_tasks_table_shows_each_colour_with_its_reason(
    monkeypatch: pytest.MonkeyPatch, workbook: Path
) -> None:
    app = open_page(monkeypatch, workbook, "pages/tasks.py")
    assert list(app.dataframe[0].value.columns) == list(SUPERVISED_TASK_COLUMNS)
    assert column(app, "督办") == {1: RED, 2: BLUE, 3: YELLOW, 4: "", 5: ""}
    reasons = column(app, "督办原因")
    assert reasons[1] == "已超过整改时限（2021年5月1日）"
    assert reasons[2] == "距整改时限（2021年6月15日）还有15天"
    assert reasons[3] == "进度滞后指标1个"
    assert reasons[4] == reasons[5] == ""
    assert column(app, "整改时限")[5] == "2021-04-30（已同意延期至2021-09-30）"
    # The legend of the rules, folded under the table.
    assert "督办三色的规则" in [e.label for e in app.expander]
    assert "● 红色：已超过整改时限（申请延期获同意的，按延期后的时限）" in page_text(app)
    assert "■ 蓝色：距整改时限20天以内（含当天）" in page_text(app)


def test_the_tasks_table_filters_and_orders_by_colour(
    monkeypatch: pytest.MonkeyPatch, workbook: Path
) -> None:
    app = open_page(monkeypatch, workbook, "pages/tasks.py")
    assert app.multiselect(key="tasks_warnings").options == [RED, YELLOW, BLUE, NO_WARNING]
    app.multiselect(key="tasks_warnings").set_value([RED, YELLOW]).run()
    assert list(app.dataframe[0].value["编号"]) == [1, 3]
    app.multiselect(key="tasks_warnings").set_value([NO_WARNING]).run()
    assert list(app.dataframe[0].value["编号"]) == [4, 5]
    assert "共 2 项任务" in page_text(app)
    app.multiselect(key="tasks_warnings").set_value([]).run()
    assert list(app.dataframe[0].value["编号"]) == [1, 2, 3, 4, 5]
    app.radio(key="tasks_order").set_value(TaskOrder.SEVERITY.value).run()
    assert list(app.dataframe[0].value["编号"]) == [1, 3, 2, 4, 5]
    # With the other filters: 乙局's tasks, most urgent first.
    app.multiselect(key="tasks_units").set_value(["乙局"]).run()
    assert list(app.dataframe[0].value["编号"]) == [3, 2]


def test_a_link_from_the_first_screen_opens_the_tasks_of_its_colour(
    monkeypatch: pytest.MonkeyPatch, workbook: Path
) -> None:
    app = open_page(monkeypatch, workbook, "pages/tasks.py", colour="红")
    assert app.multiselect(key="tasks_warnings").value == [RED]
    assert list(app.dataframe[0].value["编号"]) == [1]
    app.multiselect(key="tasks_warnings").set_value([]).run()  # the reader may widen it
    assert list(app.dataframe[0].value["编号"]) == [1, 2, 3, 4, 5]
    other = open_page(monkeypatch, workbook, "pages/tasks.py", colour="<b>x</b>")
    assert other.multiselect(key="tasks_warnings").value == []


def test_the_csv_of_the_tasks_table_carries_colours_and_neutralises_reasons(
    workbook: Path,
) -> None:
    dataset = load_workbook(workbook).dataset
    assert dataset is not None
    # A reason names units as the workbook writes them: a formula-like name stays text.
    warnings = {1: TaskWarning(1, WarningColour.YELLOW, ("=1+2未按时报送“六月”",))}
    table = supervised_task_table(score(dataset), warnings, order=TaskOrder.SEVERITY)
    csv = safe_csv(table).decode("utf-8-sig")
    assert "督办,督办原因" in csv
    assert f"{YELLOW},'=1+2未按时报送“六月”" in csv
    assert csv.splitlines()[1].startswith("1,")  # the coloured task first


def test_the_legend_gives_each_colour_its_symbol() -> None:
    lines = rules_legend(SupervisionSettings(blue_days=0, yellow_behind=False))
    assert lines[0].startswith("● 红色：") and lines[1] == "▲ 黄色：" + (
        "责任单位逾期未报送最近一轮进展，或销号申请在最近一轮被退回"
    )
    assert lines[2] == "■ 蓝色：不启用"
    assert lines[3].startswith("已完成、长期坚持的任务不标颜色")
    assert warning_choices() == (RED, YELLOW, BLUE, NO_WARNING)


# -- the task page -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("task_id", "kind", "line"),
    [
        ("1", "error", "督办　● 红色：已超过整改时限（2021年5月1日）"),
        ("2", "info", "督办　■ 蓝色：距整改时限（2021年6月15日）还有15天"),
        ("3", "warning", "督办　▲ 黄色：进度滞后指标1个"),
    ],
)
def test_the_task_page_says_the_colour_in_symbol_and_word(
    monkeypatch: pytest.MonkeyPatch, workbook: Path, task_id: str, kind: str, line: str
) -> None:
    app = open_page(monkeypatch, workbook, "pages/issue.py", task=task_id)
    shown = [as_read(str(a.value)).replace("**", "") for a in getattr(app, kind)]
    assert line in shown, shown


def test_the_task_page_names_a_granted_extension(
    monkeypatch: pytest.MonkeyPatch, workbook: Path
) -> None:
    app = open_page(monkeypatch, workbook, "pages/issue.py", task="5")
    assert "整改时限**：2021年4月30日（已同意延期至2021年9月30日）" in page_text(app)
    assert "督办" not in alerts(app)  # extended to September: no colour
    complete = open_page(monkeypatch, workbook, "pages/issue.py", task="4")
    assert "完成日期**：2021年3月1日" in page_text(complete)
    assert "督办" not in alerts(complete)


# -- the units page ----------------------------------------------------------------------------


def test_the_units_page_shows_the_rules(monkeypatch: pytest.MonkeyPatch, workbook: Path) -> None:
    app = open_page(monkeypatch, workbook, "pages/units.py")
    text = page_text(app)
    assert "督办三色的规则" in text
    for line in rules_legend(SupervisionSettings()):
        assert line in text
    table = app.dataframe[0].value
    counts = {
        u: (r, y) for u, r, y in zip(table["牵头单位"], table[RED], table[YELLOW], strict=True)
    }
    assert counts == {"乙局": (0, 1), "丙局": (0, 0), "甲局": (1, 0)}
    assert list(table["牵头单位"]) == ["丙局", "乙局", "甲局"]  # fewest red, then yellow


def test_the_legend_follows_the_settings(monkeypatch: pytest.MonkeyPatch, workbook: Path) -> None:
    monkeypatch.setenv(BLUE_DAYS_ENV, "30")
    app = open_page(monkeypatch, workbook, "pages/units.py")
    assert "■ 蓝色：距整改时限30天以内（含当天）" in page_text(app)


# -- the store: signed-in roles, the round board ------------------------------------------------


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, workbook: Path) -> Store:
    root = tmp_path / "store"
    monkeypatch.delenv(WORKBOOK_ENV, raising=False)
    monkeypatch.delenv(REQUIRE_SIGNIN_ENV, raising=False)
    monkeypatch.setenv(STORE_ENV, str(root))
    opened = open_store(root)
    opened.bootstrap(workbook, {"total": 5, "completed": 1})
    accounts = Accounts(root)
    accounts.add("张三", PASSWORD)
    accounts.add("王书记", PASSWORD, role=Role.LEADER)
    accounts.add("小赵", PASSWORD, role=Role.UNIT, units=("甲局",))
    return opened


def as_signed_in(page: str, name: str | None) -> AppTest:
    app = AppTest.from_file(DASHBOARD, default_timeout=60)
    if name is not None:
        app.session_state[SESSION_KEY] = name
    app.run()
    app.switch_page(page)
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    return app


@pytest.mark.usefixtures("store")
@pytest.mark.parametrize("page", ["pages/tasks.py", "pages/units.py"])
def test_malformed_settings_are_shown_to_the_office_only(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture, page: str
) -> None:
    monkeypatch.setenv(BLUE_DAYS_ENV, "二十")
    monkeypatch.setenv(counting_module.COUNT_ONGOING_ENV, "maybe")
    monkeypatch.setattr(settings_module, "_LOGGED", set())
    monkeypatch.setattr(counting_module, "_LOGGED", set())
    with caplog.at_level(logging.WARNING):
        office = as_signed_in(page, "张三")
    warned = [as_read(str(w.value)) for w in office.warning]
    assert any(
        w.startswith("服务器设置有误，请技术人员修正：设置 ZHENGGAI_BLUE_DAYS='二十' 无效")
        and "已使用默认值 20" in w
        for w in warned
    ), warned
    assert any("ZHENGGAI_COUNT_ONGOING_AS_DONE='maybe'" in w for w in warned), warned
    logged = caplog.text
    assert "ZHENGGAI_BLUE_DAYS='二十'" in logged and "ZHENGGAI_COUNT_ONGOING_AS_DONE" in logged
    # The defaults are in force meanwhile.
    assert "■ 蓝色：距整改时限20天以内（含当天）" in page_text(office)
    for visitor in (None, "王书记", "小赵"):
        shown = as_signed_in(page, visitor)
        assert not any("ZHENGGAI" in t or "设置" in t for t in alerts(shown).splitlines())


@pytest.mark.usefixtures("store")
def test_good_settings_warn_nobody() -> None:
    app = as_signed_in("pages/tasks.py", "张三")
    assert "服务器设置有误" not in alerts(app)


def test_the_round_board_counts_red_and_yellow_tasks_per_unit(store: Store) -> None:
    # The round's due date has long passed and nobody reported: every unit is late, so
    # each open task without red is yellow (a unit's task reported late).
    RoundService(store).open_round(
        OFFICE, name="2021年6月进展", as_of=D(2021, 6, 30), due=D(2021, 7, 5)
    )
    app = AppTest.from_file(DASHBOARD, default_timeout=60)
    app.run()
    app.switch_page("pages/rounds.py")
    app.run()
    app.text_input(key="rounds_sign_in_name").set_value("王书记")
    app.text_input(key="rounds_sign_in_password").set_value(PASSWORD)
    app.button(key="FormSubmitter:rounds_sign_in_form-登录").click().run()
    assert not app.exception, [e.value for e in app.exception]
    board = app.dataframe[0].value
    assert list(board.columns[:4]) == ["单位", "状态", RED_COLUMN, YELLOW_COLUMN]
    counts = {
        u: (r, y)
        for u, r, y in zip(board["单位"], board[RED_COLUMN], board[YELLOW_COLUMN], strict=True)
    }
    assert counts == {"甲局": (1, 0), "乙局": (0, 2), "丙局": (0, 1)}
    assert "● 红色、▲ 黄色：该单位牵头或参与的任务中督办为红色、黄色的项数" in page_text(app)
    # The tasks page reads the same rounds: (2) is yellow now, for 乙局's late report.
    tasks = as_signed_in("pages/tasks.py", None)
    assert column(tasks, "督办") == {1: RED, 2: YELLOW, 3: YELLOW, 4: "", 5: YELLOW}
    assert "乙局未按时报送“2021年6月进展”（截止2021年7月5日）" in column(tasks, "督办原因")[2]
