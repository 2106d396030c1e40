"""A whole reporting round in a real browser, on SQLite and on PostgreSQL.

区教育局 (A) reports on a phone with a PDF; 区住建局 (B) downloads its unit workbook,
fills it in Excel-style and uploads it; 区委 (C) is late and is on the 催报 list, and its
account cannot see A's report. The office returns A's report with a comment, A fixes
it, the office accepts A's 销号 and B's figure and publishes; a leader sees the new rate,
the task's timeline and, signed in, downloads the evidence.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import openpyxl
import pytest
from playwright.sync_api import Locator, Page, expect

from metrics.rounds.roles import Role
from metrics.rounds.service import RoundService
from metrics.store.accounts import Accounts
from metrics.store.backend import DATABASE_URL_ENV
from metrics.store.versions import STORE_ENV, backend_from
from metrics.workbook.loader import load_workbook
from tests.postgres import PostgresServer
from tests.rounds_data import AS_OF, DUE, EDU, HOUSING, OFFICE, PARTY, round_store

if TYPE_CHECKING:
    from tests.conftest import StreamlitServerFactory

PASSWORD = "correct horse battery"
PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
LONG = 60_000


def sign_in(page: Page, name: str) -> None:
    page.get_by_label("账号").fill(name)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_text(f"已登录：{name}")).to_be_visible(timeout=LONG)


def go(page: Page, title: str) -> None:
    """In-app navigation (a page load would start a new, signed-out session); on a phone
    the sidebar is opened first."""
    opener = page.get_by_role("button", name="Expand sidebar")
    phone = opener.is_visible()
    if phone:
        opener.click()
    page.get_by_test_id("stSidebarNav").get_by_role("link", name=title, exact=True).click()
    if phone and page.get_by_role("button", name="Collapse sidebar").is_visible():
        page.get_by_role("button", name="Collapse sidebar").click()


def task_box(page: Page, title: str) -> Locator:
    return page.get_by_test_id("stExpander").filter(has_text=title)


def open_task(page: Page, title: str) -> Locator:
    box = task_box(page, title)
    box.get_by_text(title).first.click()
    return box


def choose(page: Page, box: Page | Locator, label: str, option: str) -> None:
    """Pick ``option`` in a selectbox (searchable: type it and press Enter)."""
    field = box.get_by_role("combobox", name=label)
    field.scroll_into_view_if_needed()
    field.click()
    field.fill(option)
    page.get_by_role("option", name=option).first.click()
    expect(box.get_by_role("combobox", name=label)).to_have_value(option)


def settled(page: Page, ready: Locator) -> None:
    """Until ``ready`` shows and the script run is over: while a run is under way Streamlit
    still shows the last run's elements that moved (stale), so one text can show twice."""
    expect(ready).to_be_visible(timeout=LONG)
    app_root = page.get_by_test_id("stApp")
    expect(app_root).to_have_attribute("data-test-script-state", "notRunning", timeout=LONG)


def metric(page: Page, text: str) -> Locator:
    return page.get_by_test_id("stMetricValue").get_by_text(text, exact=True)


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_a_whole_round_in_the_browser(
    backend: str,
    streamlit_server: StreamlitServerFactory,
    new_page: Callable[..., Page],
    blocked_requests: list[str],
    screenshot_dir: Path,
    tmp_path: Path,
    request: pytest.FixtureRequest,
) -> None:
    if backend == "sqlite":
        where: Path | str = tmp_path / "store"
        env = {STORE_ENV: str(where)}
    else:
        server: PostgresServer = request.getfixturevalue("postgres_server")
        where = server.new_database()
        env = {DATABASE_URL_ENV: where, STORE_ENV: str(tmp_path / "unused")}
    store = round_store(where, tmp_path)
    accounts = Accounts(backend_from(where).accounts)
    accounts.add("张三", PASSWORD)
    accounts.add("王书记", PASSWORD, role=Role.LEADER)
    accounts.add("小赵", PASSWORD, role=Role.UNIT, units=(EDU,))
    accounts.add("小钱", PASSWORD, role=Role.UNIT, units=(HOUSING,))
    accounts.add("小孙", PASSWORD, role=Role.UNIT, units=(PARTY,))
    service = RoundService(store)
    service.open_round(OFFICE, name="2021年6月进展", as_of=AS_OF, due=DUE)
    app = streamlit_server("dashboard.py", env={**env, "ZHENGGAI_WORKBOOK": ""})

    # -- A reports on a phone: progress, a PDF, the 销号 request -------------------------------
    a = new_page(390, 844, mobile=True)
    a.goto(f"{app.url}/report")
    sign_in(a, "小赵")
    expect(a.get_by_text("区教育局：○ 未填报")).to_be_visible(timeout=LONG)
    box = open_task(a, "（1）公办教育发展滞后")
    box.get_by_label("本期进展").fill("新增小学学位13050个")
    box.get_by_label("本期进展").press("Tab")  # leaving the field saves it
    expect(box.get_by_text("已保存：")).to_be_visible(timeout=LONG)
    pdf = tmp_path / "验收报告.pdf"
    pdf.write_bytes(PDF)
    box.locator("input[type=file]").set_input_files(str(pdf))
    expect(box.get_by_role("button", name="验收报告.pdf（PDF，1 KB）")).to_be_visible(timeout=LONG)
    box = task_box(a, "（1）公办教育发展滞后")
    choose(a, box, "申报状态", "已完成（申请销号，需佐证材料）")
    expect(box.get_by_text("已保存：")).to_be_visible(timeout=LONG)
    a.get_by_role("button", name="报送整改办").click()
    expect(a.get_by_text("已提交整改办：第 1 次报送，1 项任务")).to_be_visible(timeout=LONG)
    assert a.evaluate("document.documentElement.scrollWidth") <= 390  # no sideways scroll
    a.screenshot(path=screenshot_dir / f"round-{backend}-unit-phone.png", full_page=True)

    # -- C's account sees only 区委's tasks, and nothing of A's report ------------------------
    c = new_page(1280, 900)
    c.goto(f"{app.url}/report")
    sign_in(c, "小孙")
    expect(c.get_by_text("区委：○ 未填报")).to_be_visible(timeout=LONG)
    expect(c.get_by_text("公办教育发展滞后")).to_have_count(0)
    go(c, "问题详情")  # task (1), A's task
    expect(c.get_by_role("heading", name="（1）公办教育发展滞后")).to_be_visible(timeout=LONG)
    expect(c.get_by_text("新增小学学位13050个")).to_have_count(0)

    # -- B downloads its unit workbook, fills it in, uploads it --------------------------------
    b = new_page(1280, 900)
    b.goto(f"{app.url}/report")
    sign_in(b, "小钱")
    b.get_by_text("用 Excel 填报").click()
    with b.expect_download() as download:
        b.get_by_role("button", name="下载本单位工作簿").click()
    book = tmp_path / download.value.suggested_filename
    download.value.save_as(book)
    assert book.name == "区住建局-2021年6月进展.xlsx"
    filled = openpyxl.load_workbook(book)
    figures = filled["指标"]
    headers = [cell.value for cell in figures[1]]
    for row in figures.iter_rows(min_row=2):
        if row[headers.index("指标编号")].value == "T02-01":
            row[headers.index("本期数值")].value = "72.5%"
    tasks = filled["任务"]
    headers = [cell.value for cell in tasks[1]]
    for row in tasks.iter_rows(min_row=2):
        if row[headers.index("任务编号")].value == 2:
            row[headers.index("本期进展")].value = "回迁率提高到72.5%"
    filled.save(book)
    task_box(b, "用 Excel 填报").locator("input[type=file]").set_input_files(str(book))
    expect(b.get_by_text("已从工作簿报送：第 1 次报送")).to_be_visible(timeout=LONG)

    # -- The office: board, 催报, return A's report ------------------------------------------
    office = new_page(1280, 1000)
    office.goto(f"{app.url}/rounds")
    sign_in(office, "张三")
    expect(metric(office, "2 / 4")).to_be_visible(timeout=LONG)
    chase = office.get_by_test_id("stCode")
    expect(chase).to_contain_text("区委（未填报，逾期")
    expect(chase).to_contain_text("（4）理论学习表面化")
    expect(chase).not_to_contain_text("区教育局（")
    choose(office, office, "选择报送", "区教育局（第 1 次报送）")
    settled(office, office.get_by_text("状态：正在整改 → 已完成（申请销号）"))
    office.get_by_label("意见（退回时必填，单位会看到）").fill("请写明新增学位的学校名单")
    office.get_by_role("button", name="退回", exact=True).click()
    settled(office, office.get_by_text("已退回任务（1）"))

    # -- A sees the comment, fixes the report, submits again -----------------------------------
    go(a, "填报")
    expect(a.get_by_text("整改办退回意见：请写明新增学位的学校名单")).to_be_visible(timeout=LONG)
    box = task_box(a, "（1）公办教育发展滞后")
    box.get_by_label("本期进展").fill("新增小学学位13050个（惠济一中等11所学校）")
    box.get_by_label("本期进展").press("Tab")
    expect(box.get_by_text("已保存：")).to_be_visible(timeout=LONG)
    a.get_by_role("button", name="报送整改办").click()
    expect(a.get_by_text("已提交整改办：第 2 次报送，1 项任务")).to_be_visible(timeout=LONG)

    # -- The office accepts A's 销号 and B's figure, and publishes -------------------------------
    go(office, "填报审核")
    choose(office, office, "选择报送", "区教育局（第 2 次报送）")
    settled(office, office.get_by_text("新增小学学位13050个（惠济一中等11所学校）").first)
    office.get_by_role("button", name="采纳", exact=True).click()
    settled(office, office.get_by_text("已采纳任务（1）"))
    choose(office, office, "选择报送", "区住建局（第 1 次报送）")
    settled(office, office.get_by_text("72.5%").first)
    office.get_by_role("button", name="采纳", exact=True).click()
    settled(office, office.get_by_text("已采纳任务（2）"))
    expect(office.get_by_text("整改完成率：25.0% → 50.0%")).to_be_visible(timeout=LONG)
    office.get_by_label("发布说明").fill("六月进展")
    office.get_by_role("button", name="发布（基于 v1）").click()
    expect(office.get_by_text("已发布为版本 v2")).to_be_visible(timeout=LONG)
    office.screenshot(path=screenshot_dir / f"round-{backend}-office.png", full_page=True)

    # -- A leader sees the new rate, the timeline, and downloads the evidence -----------------
    leader = new_page(1280, 1000)
    leader.goto(f"{app.url}/rounds")
    sign_in(leader, "王书记")
    go(leader, "总览")
    expect(metric(leader, "50.0%")).to_be_visible(timeout=LONG)
    go(leader, "问题详情")
    expect(leader.get_by_text("填报与审核记录")).to_be_visible(timeout=LONG)
    expect(leader.get_by_text("进展：新增小学学位13050个（惠济一中等11所学校）")).to_be_visible()
    # Not the office: people by display name, or role when none is set (never login names).
    expect(leader.get_by_text("退回 · 整改办").first).to_be_visible()
    with (
        leader.expect_response(
            lambda r: (
                "/media/" in r.url and "attachment" in r.headers.get("content-disposition", "")
            )
        ) as served,
        leader.expect_download() as evidence,
    ):
        leader.get_by_role("button", name="验收报告.pdf（PDF，1 KB）").first.click()
    answer = served.value.headers
    assert answer["content-type"] == "application/pdf"  # the type checked on the way in
    assert answer["content-disposition"].startswith("attachment")  # never rendered
    assert "%E9%AA%8C%E6%94%B6%E6%8A%A5%E5%91%8A.pdf" in answer["content-disposition"]
    saved = tmp_path / "下载的佐证.pdf"
    evidence.value.save_as(saved)
    assert saved.read_bytes() == PDF
    leader.screenshot(path=screenshot_dir / f"round-{backend}-timeline.png", full_page=True)

    published = load_workbook(store.read(store.versions()[0])).dataset
    assert published is not None
    assert [p.text for p in published.progress_of(1)] == [
        "新增小学学位13050个（惠济一中等11所学校）"
    ]
    audit = store.audit()[0]
    assert audit.actor == "张三" and "区教育局第2次报送（任务（1））" in audit.note
    assert blocked_requests == []
    assert "Traceback" not in app.log()


def test_sign_in_required_shows_nothing_until_signed_in(
    streamlit_server: StreamlitServerFactory,
    new_page: Callable[..., Page],
    blocked_requests: list[str],
    tmp_path: Path,
) -> None:
    store = round_store(tmp_path / "store", tmp_path)
    Accounts(store.root).add("王书记", PASSWORD, role=Role.LEADER)
    app = streamlit_server(
        "dashboard.py",
        env={
            STORE_ENV: str(tmp_path / "store"),
            "ZHENGGAI_REQUIRE_SIGNIN": "1",
            "ZHENGGAI_WORKBOOK": "",
        },
    )
    page = new_page(1280, 900)
    page.goto(f"{app.url}/issue?task=2")  # a link shared in a chat
    expect(page.get_by_text("本看板只对已登录的用户开放")).to_be_visible(timeout=LONG)
    expect(page.get_by_test_id("stSidebarNav")).to_have_count(0)
    expect(page.get_by_text("回迁安置进展缓慢")).to_have_count(0)
    expect(page.get_by_text("测试看板")).to_have_count(0)
    page.get_by_label("账号").fill("王书记")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    # The page asked for opens, with the navigation and the sidebar back.
    expect(page.get_by_role("heading", name="（2）回迁安置进展缓慢")).to_be_visible(timeout=LONG)
    expect(page.get_by_test_id("stSidebarNav")).to_be_visible()
    expect(page.get_by_test_id("stSidebar").get_by_text("测试看板")).to_be_visible()
    assert blocked_requests == []
