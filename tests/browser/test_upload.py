"""Uploading in a real browser: sign in, upload a workbook, publish, and see it live."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import openpyxl
import pytest
from playwright.sync_api import Locator, Page, expect

from metrics.store.accounts import Accounts
from metrics.store.versions import STORE_ENV, Store
from tests.builders import meta, write_valid

if TYPE_CHECKING:
    from tests.conftest import StreamlitServerFactory

PASSWORD = "correct horse battery"


def changed_bundled(bundled: Path, out: Path) -> Path:
    """The bundled workbook as staff would update it: task 9 done (31 of 35),
    resettlement 72.5%."""
    wb = openpyxl.load_workbook(bundled)
    tasks = wb["任务"]
    status_column = [c.value for c in tasks[1]].index("状态") + 1
    for row in tasks.iter_rows(min_row=2):
        if row[0].value == 9:
            tasks.cell(row=row[0].row, column=status_column, value="已完成")
    for row in wb["数据"].iter_rows(min_row=2):
        if row[0].value == "T09-07":
            row[2].value = 72.5
    for row in wb["概况"].iter_rows(min_row=2):
        if row[0].value == "报告已完成数":
            row[1].value = 31
    wb.save(out)
    return out


def metric(page: Page, text: str) -> Locator:
    return page.get_by_test_id("stMetricValue").get_by_text(text, exact=True)


def test_staff_upload_and_publish(
    streamlit_server: StreamlitServerFactory,
    new_page: Callable[..., Page],
    blocked_requests: list[str],
    screenshot_dir: Path,
    tmp_path_factory: pytest.TempPathFactory,
    repo_root: Path,
    bundled_workbook: Path,
) -> None:
    root = tmp_path_factory.mktemp("upload-store")
    env = {**os.environ, STORE_ENV: str(root)}
    env.pop("ZHENGGAI_WORKBOOK", None)
    created = subprocess.run(
        [sys.executable, "-m", "metrics", "users", "add", "张三"],
        input=PASSWORD + "\n",
        capture_output=True,
        text=True,
        env=env,
        cwd=repo_root,
        check=False,
    )
    assert created.returncode == 0, created.stderr
    app = streamlit_server("dashboard.py", env={STORE_ENV: str(root)})

    # A leader has the overview open before anything is published.
    leader = new_page(1280, 900)
    leader.goto(app.url)
    expect(metric(leader, "85.7%")).to_be_visible(timeout=30_000)

    page = new_page(1280, 900)
    page.goto(f"{app.url}/upload")
    expect(page.get_by_text("上传和发布需要工作人员登录")).to_be_visible(timeout=30_000)
    page.get_by_label("账号").fill("张三")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_text("已登录：张三")).to_be_visible(timeout=30_000)
    expect(page.get_by_text("文件不超过 10 MB")).to_be_visible()

    # A workbook with an error is refused with its place named.
    bad = write_valid(root.parent / "bad.xlsx", meta=meta(截至日期="五月底"))
    page.locator("input[type=file]").set_input_files(str(bad))
    expect(page.get_by_text("文件有错误，不能发布")).to_be_visible(timeout=60_000)

    # The bundled data with task 9 finished: the diff and the preview show it.
    good = changed_bundled(bundled_workbook, root.parent / "整改进展_更新.xlsx")
    page.locator("input[type=file]").set_input_files(str(good))
    expect(page.get_by_text("发布后的变化")).to_be_visible(timeout=60_000)
    expect(page.get_by_text("整改完成率：85.7% → 88.6%")).to_be_visible()
    expect(page.get_by_text("任务状态变化")).to_be_visible()
    expect(page.get_by_text("指标变化", exact=True)).to_be_visible()
    expect(metric(page, "88.6%")).to_be_visible()  # the preview cards
    page.get_by_label("发布说明").fill("浏览器测试")
    page.get_by_role("button", name="发布").click()
    expect(page.get_by_text("已发布为版本 v2")).to_be_visible(timeout=30_000)
    page.screenshot(path=screenshot_dir / "upload-published.png", full_page=True)

    # The leader's open session shows the new version on its next interaction.
    nav = leader.get_by_test_id("stSidebarNav")
    nav.get_by_role("link", name="整改任务").click()
    expect(leader.get_by_role("heading", name="整改任务")).to_be_visible(timeout=30_000)
    nav.get_by_role("link", name="总览").click()
    expect(metric(leader, "88.6%")).to_be_visible(timeout=30_000)
    expect(metric(leader, "85.7%")).to_have_count(0)

    # History: look at the dashboard as of v1, marked as old, then come back.
    page.goto(f"{app.url}/history")
    expect(page.get_by_text("当前版本：v2")).to_be_visible(timeout=30_000)
    page.get_by_label("查看版本").click()
    page.get_by_role("option", name="v1").click()
    page.get_by_role("button", name="在看板中查看 v1").click()
    expect(page.get_by_text("正在查看历史版本 v1")).to_be_visible(timeout=30_000)
    expect(metric(page, "85.7%")).to_be_visible()
    expect(page.get_by_test_id("stSidebar").get_by_text("（历史版本）")).to_be_visible()
    page.screenshot(path=screenshot_dir / "history-view-v1.png")
    page.get_by_role("button", name="回到当前版本 v2").click()
    expect(metric(page, "88.6%")).to_be_visible(timeout=30_000)
    expect(page.get_by_text("正在查看历史版本")).to_have_count(0)
    assert blocked_requests == []
    assert "Traceback" not in app.log()


def with_done(bundled: Path, out: Path, task_ids: set[int]) -> Path:
    """The bundled workbook with these tasks marked 已完成 (概况 left as it was)."""
    wb = openpyxl.load_workbook(bundled)
    tasks = wb["任务"]
    status_column = [c.value for c in tasks[1]].index("状态") + 1
    for row in tasks.iter_rows(min_row=2):
        if row[0].value in task_ids:
            tasks.cell(row=row[0].row, column=status_column, value="已完成")
    wb.save(out)
    return out


def signed_in_upload_page(new_page: Callable[..., Page], url: str, name: str) -> Page:
    page = new_page(1280, 900)
    page.goto(f"{url}/upload")
    expect(page.get_by_text("上传和发布需要工作人员登录")).to_be_visible(timeout=30_000)
    page.get_by_label("账号").fill(name)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_text(f"已登录：{name}")).to_be_visible(timeout=30_000)
    return page


def test_two_staff_reviewing_at_once_never_overwrite_each_other(
    streamlit_server: StreamlitServerFactory,
    new_page: Callable[..., Page],
    blocked_requests: list[str],
    screenshot_dir: Path,
    tmp_path_factory: pytest.TempPathFactory,
    bundled_workbook: Path,
) -> None:
    root = tmp_path_factory.mktemp("race-store")
    accounts = Accounts(root)
    accounts.add("张三", PASSWORD)
    accounts.add("李四", PASSWORD)
    app = streamlit_server("dashboard.py", env={STORE_ENV: str(root)})
    # 张三 finishes task 9 (31 of 35, 88.6%); 李四 tasks 10 and 24 (32 of 35, 91.4%).
    zhang_file = with_done(bundled_workbook, root.parent / "张三.xlsx", {9})
    li_file = with_done(bundled_workbook, root.parent / "李四.xlsx", {10, 24})

    zhang = signed_in_upload_page(new_page, app.url, "张三")
    li = signed_in_upload_page(new_page, app.url, "李四")
    zhang.locator("input[type=file]").set_input_files(str(zhang_file))
    li.locator("input[type=file]").set_input_files(str(li_file))
    expect(zhang.get_by_text("整改完成率：85.7% → 88.6%")).to_be_visible(timeout=60_000)
    expect(li.get_by_text("整改完成率：85.7% → 91.4%")).to_be_visible(timeout=60_000)
    # 概况 still says 30 completed: a warning, prominently, that does not block publishing.
    expect(li.get_by_text("看板以“任务”表为准").first).to_be_visible()

    zhang.get_by_label("发布说明").fill("任务9完成")
    zhang.get_by_role("button", name="发布").click()
    expect(zhang.get_by_text("已发布为版本 v2")).to_be_visible(timeout=30_000)

    li.wait_for_timeout(3_000)  # 李四 clicks 发布 three seconds later
    li.get_by_label("发布说明").fill("任务10、24完成")
    li.get_by_role("button", name="发布", exact=True).click()
    refusal = li.get_by_test_id("stAlert").filter(has_text="未发布")
    expect(refusal).to_be_visible(timeout=30_000)
    expect(refusal).to_contain_text("您核对的是 v1")
    expect(refusal).to_contain_text("张三")
    expect(refusal).to_contain_text("（北京时间）发布了 v2")
    expect(refusal).to_contain_text("任务9完成")
    li.screenshot(path=screenshot_dir / "upload-refused-stale.png", full_page=True)
    store = Store(root)
    assert [v.id for v in store.versions()] == [2, 1]

    # Everyone else sees 张三's data.
    visitor = new_page(1280, 900)
    visitor.goto(app.url)
    expect(metric(visitor, "88.6%")).to_be_visible(timeout=30_000)
    expect(metric(visitor, "91.4%")).to_have_count(0)

    # 李四 reviews the same file again against v2: task 9 would go back to 正在整改.
    li.get_by_role("button", name="基于最新版本重新核对").click()
    expect(li.get_by_text("与当前版本 v2 相比")).to_be_visible(timeout=30_000)
    expect(li.get_by_text("整改完成率：88.6% → 91.4%")).to_be_visible()
    expect(li.get_by_text("由“完成”改回未完成")).to_be_visible()
    expect(refusal).to_have_count(0)
    li.get_by_label("发布说明").fill("任务10、24完成")
    li.get_by_role("button", name="发布", exact=True).click()
    expect(li.get_by_text("已发布为版本 v3")).to_be_visible(timeout=30_000)
    latest = store.audit()[0]
    assert (latest.actor, latest.version_id, latest.previous_id) == ("李四", 3, 2)
    assert blocked_requests == []
    assert "Traceback" not in app.log()
