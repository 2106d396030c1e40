"""AppTest of the dashboard entry point and the overview page."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from metrics.contract import TaskStatus
from metrics.rounds.model import TaskReport
from metrics.rounds.roles import Role
from metrics.store.accounts import Accounts
from metrics.store.versions import STORE_ENV, Store
from scripts.city_workbook import write_city_workbook
from tests.builders import meta, write_valid
from tests.rounds_data import (
    AS_OF,
    DUE,
    EDU,
    EDU_REPORTER,
    HOUSING,
    HOUSING_REPORTER,
    OFFICE,
    Clock,
    round_store,
    service_for,
)
from tests.screen_text import as_read
from tests.test_first_screen import red_workbook
from ui.auth import REQUIRE_SIGNIN_ENV
from ui.data_source import WORKBOOK_ENV

DASHBOARD = str(Path(__file__).resolve().parent.parent / "dashboard.py")


def run_dashboard(monkeypatch: pytest.MonkeyPatch, workbook: Path) -> AppTest:
    monkeypatch.setenv(WORKBOOK_ENV, str(workbook))
    app = AppTest.from_file(DASHBOARD, default_timeout=30)
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    return app


def metrics_of(app: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in app.metric}


def test_overview_shows_completion_rate(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    app = run_dashboard(monkeypatch, write_valid(tmp_path / "ok.xlsx"))
    figures = metrics_of(app)
    assert figures["整改完成率"] == "66.7%"
    assert figures["已完成（共 3 项）"] == "2 项"
    assert figures["正在整改"] == "1 项"
    assert figures["指标已达标"] == "1 / 2 个"
    assert app.title[0].value == "测试看板"
    assert "数据截至 2021年5月31日" in app.caption[0].value
    assert any("整改率66.7%" in as_read(md.value) for md in app.markdown)


def test_blank_template_can_be_downloaded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    app = run_dashboard(monkeypatch, write_valid(tmp_path / "ok.xlsx"))
    button = app.get("download_button")[0]
    assert button.proto.label == "下载空白模板"
    assert button.proto.url  # the file is served by this server, not fetched from anywhere


def test_overview_of_the_bundled_workbook(
    bundled_workbook: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = run_dashboard(monkeypatch, bundled_workbook)
    figures = metrics_of(app)
    assert figures["整改完成率"] == "85.7%"
    assert figures["已完成（共 35 项）"] == "30 项"
    assert figures["正在整改"] == "5 项"


def test_broken_workbook_shows_problems_not_a_traceback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = run_dashboard(
        monkeypatch, write_valid(tmp_path / "bad.xlsx", meta=meta(截至日期="五月底"))
    )
    assert not app.metric
    assert "数据文件有 1 个错误" in app.error[0].value
    table = app.dataframe[0].value
    assert table.iloc[0]["表"] == "概况" and table.iloc[0]["行"] == 4
    assert "截至日期" in table.iloc[0]["问题"]


def test_missing_workbook_is_reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    app = run_dashboard(monkeypatch, tmp_path / "gone.xlsx")
    assert "无法打开文件" in app.dataframe[0].value.iloc[0]["问题"]


# -- 需要关注, the first screen (issue #20, part 4) ------------------------------------------


def links_of(app: AppTest) -> list[tuple[str, str, str]]:
    """(label, page, query) of every page link on the page."""
    return [
        (link.proto.label, link.proto.page, link.proto.query_string)
        for link in app.get("page_link")
    ]


def test_first_screen_lists_red_tasks_one_tap_from_their_page(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = run_dashboard(monkeypatch, red_workbook(tmp_path / "red.xlsx"))
    links = links_of(app)
    red = [link for link in links if link[0].startswith("● 红色")]
    assert [query for _, _, query in red] == [f"task={n}" for n in (2, 5, 6, 7, 8)]
    assert {page for _, page, _ in red} == {"issue"}
    assert as_read(red[0][0]) == "● 红色　（2）逾期任务2：已超过整改时限（2021年1月31日）"
    # The rest one tap away: the tasks page filtered by colour.
    colour = "colour=" + "%E7%BA%A2"  # 红
    assert ("查看全部 9 项红色任务", "tasks", colour) in links
    assert ("▲ 黄色 1 项", "tasks", "colour=%E9%BB%84") in links
    assert ("■ 蓝色 1 项", "tasks", "colour=%E8%93%9D") in links
    # A dashboard over one file has no rounds: nothing about reports.
    assert not any(page == "rounds" for _, page, _ in links)
    # The first screen comes before the cards and the charts.
    subheaders = [h.value for h in app.subheader]
    assert subheaders[0] == "需要关注" and subheaders[-1] == "需关注清单"


def test_first_screen_is_a_handful_of_elements_and_the_list_one_table(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """However many tasks are open, the page has a few links and one table of all of them
    (the city's 1,276 items were two elements each)."""
    app = run_dashboard(monkeypatch, red_workbook(tmp_path / "red.xlsx"))
    assert len(app.get("page_link")) == 5 + 3
    table = app.dataframe[0].value
    assert len(table) == metrics_count(app, "需关注")
    assert table.iloc[0]["编号"] == 1 and "逾期任务1" in table.iloc[0]["内容"]


def metrics_count(app: AppTest, label: str) -> int:
    return int(metrics_of(app)[label].split()[0])


def test_bundled_overview_has_nothing_coloured(
    bundled_workbook: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = run_dashboard(monkeypatch, bundled_workbook)
    assert "没有红色、黄色或蓝色的任务" in app.success[0].value
    table = app.dataframe[0].value
    assert list(table[table["类别"] == "任务"]["编号"]) == [7, 9, 10, 24, 26]
    assert any("（9）回迁安置进展缓慢" in text for text in table["内容"])


# -- the first screen and the round: by role ---------------------------------------------


PASSWORD = "correct horse battery"
PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"


@pytest.fixture
def round_with_requests(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Store:
    """A round past its due date: 区教育局 reported on time (a 销号 request for task 1),
    区住建局 late (an extension request for task 2); 区财政局 and 区委 never."""
    root = tmp_path / "store"
    monkeypatch.delenv(WORKBOOK_ENV, raising=False)
    monkeypatch.delenv(REQUIRE_SIGNIN_ENV, raising=False)
    monkeypatch.setenv(STORE_ENV, str(root))
    store = round_store(root, tmp_path)
    accounts = Accounts(root)
    accounts.add("张三", PASSWORD)
    accounts.add("王书记", PASSWORD, role=Role.LEADER)
    accounts.add("小赵", PASSWORD, role=Role.UNIT, units=(EDU,))
    clock = Clock(datetime.datetime(2021, 7, 1, 2, 0, tzinfo=datetime.UTC))
    service = service_for(store, clock)
    found = service.open_round(OFFICE, name="2021年6月进展", as_of=AS_OF, due=DUE)
    service.add_evidence(EDU_REPORTER, found.id, EDU, 1, "验收报告.pdf", PDF)
    service.save_draft(EDU_REPORTER, found.id, EDU, TaskReport(1, TaskStatus.DONE, "已完工"))
    service.submit(EDU_REPORTER, found.id, EDU)
    clock.advance(days=10)  # after the due date
    wanted = TaskReport(
        2, TaskStatus.EXTENSION_REQUESTED, "拆迁未完成", extension_to=datetime.date(2021, 12, 31)
    )
    service.save_draft(HOUSING_REPORTER, found.id, HOUSING, wanted)
    service.submit(HOUSING_REPORTER, found.id, HOUSING)
    return store


def overview_as(account: str | None) -> AppTest:
    app = AppTest.from_file(DASHBOARD, default_timeout=60)
    app.run()
    if account is not None:
        app.switch_page("pages/rounds.py")
        app.run()
        app.text_input(key="rounds_sign_in_name").set_value(account)
        app.text_input(key="rounds_sign_in_password").set_value(PASSWORD)
        app.button(key="FormSubmitter:rounds_sign_in_form-登录").click().run()
        app.switch_page("pages/overview.py")
        app.run()
    assert not app.exception, [e.value for e in app.exception]
    return app


def screen_text(app: AppTest) -> str:
    return "\n".join(as_read(m.value) for m in app.markdown)


LATE = "未按时报送“2021年6月进展”（截止2021年7月5日）的单位 3 个：区住建局、区财政局、区委"


@pytest.mark.usefixtures("round_with_requests")
def test_the_office_sees_late_units_and_requests_waiting() -> None:
    app = overview_as("张三")
    text = screen_text(app)
    assert LATE in text
    assert "待审核的销号申请 1 项" in text and "（1）公办教育发展滞后（区教育局）" in text
    assert "待审核的延期申请 1 项" in text
    assert "（2）回迁安置进展缓慢（区住建局申请延期至2021年12月31日）" in text
    rounds = [label for label, page, _ in links_of(app) if page == "rounds"]
    assert rounds == [
        "查看报送情况（填报审核）",
        "去审核销号申请（填报审核）",
        "去审核延期申请（填报审核）",
    ]


@pytest.mark.usefixtures("round_with_requests")
def test_a_leader_sees_late_units_not_the_office_queue() -> None:
    app = overview_as("王书记")
    text = screen_text(app)
    assert LATE in text
    assert "待审核" not in text
    assert [label for label, page, _ in links_of(app) if page == "rounds"] == [
        "查看报送情况（填报审核）"
    ]


@pytest.mark.parametrize("account", [None, "小赵"])
@pytest.mark.usefixtures("round_with_requests")
def test_visitors_and_units_see_no_reports(account: str | None) -> None:
    """Anonymous visitors (and unit accounts) see the colours, never a unit's report that
    was not accepted, nor who is late with it."""
    app = overview_as(account)
    text = screen_text(app)
    assert "未按时报送" not in text and "待审核" not in text and "申请延期至" not in text
    assert not [page for _, page, _ in links_of(app) if page == "rounds"]
    # The colours hold for everyone: task 2's report is late (yellow).
    assert any(label.startswith("▲ 黄色") for label, _, _ in links_of(app))


def test_city_overview_stays_short(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """697 tasks, 1,276 items to look at: five red tasks and two counts on the first
    screen, the whole list one tap away (a toggle, then one table)."""
    app = run_dashboard(monkeypatch, write_city_workbook(tmp_path / "city.xlsx"))
    labels = [label for label, _, _ in links_of(app)]
    assert len(labels) == 5 + 3 and sum(label.startswith("● 红色") for label in labels) == 5
    assert metrics_of(app)["指标已达标"] == "159 / 1882 个"
    assert not app.dataframe
    assert any("共 1276 条" in caption.value for caption in app.caption)
    app.toggle(key="overview_attention_shown").set_value(True).run()
    assert len(app.dataframe[0].value) == 1276
