"""Scale-out (#12): two Streamlit processes share one PostgreSQL store.

A version published through one server is what visitors of any other server see at
their next interaction, without a reload and without restarting anything.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import Page, expect

from metrics.store.accounts import open_accounts
from metrics.store.backend import DATABASE_URL_ENV
from metrics.store.postgres_backend import close_pools
from metrics.store.versions import STORE_ENV
from tests.browser.test_upload import PASSWORD, changed_bundled, metric
from tests.postgres import PostgresServer, psql_rows
from ui.data_source import WORKBOOK_ENV

if TYPE_CHECKING:
    from tests.conftest import StreamlitApp, StreamlitServerFactory

STAFF = "张三"
CLI_STAFF = "李四"
# Set on a page's window object: still there after an interaction means no reload.
MARKER = "window.__zhenggaiScaleOutMarker"


def store_env(database_url: str, unused_folder: Path) -> dict[str, str]:
    """The servers' store: the database only. ``ZHENGGAI_WORKBOOK`` is emptied (the app
    treats an empty value as unset), so a value in the test runner's environment cannot
    leak in; ``ZHENGGAI_STORE`` names a folder that must never be created."""
    return {DATABASE_URL_ENV: database_url, WORKBOOK_ENV: "", STORE_ENV: str(unused_folder)}


def start_server(
    streamlit_server: StreamlitServerFactory,
    request: pytest.FixtureRequest,
    env: Mapping[str, str],
    name: str,
) -> StreamlitApp:
    # The factory shares one server per (script, env, args): a label of its own makes
    # this a separate process with the same store settings.
    app = streamlit_server("dashboard.py", env={**env, "ZHENGGAI_TEST_INSTANCE": name})
    # Stopped after this test (stopping again at the session's end is harmless): its
    # pooled connections would otherwise hold up PostgreSQL's shutdown by 30 s.
    request.addfinalizer(app.stop)
    return app


def open_overview(new_page: Callable[..., Page], app: StreamlitApp) -> Page:
    page = new_page(1280, 900)
    page.goto(app.url)
    page.evaluate(f"{MARKER} = 1")
    return page


def interact(page: Page) -> None:
    """What a leader does next: open another page of the app and come back to 总览
    (in-app navigation: each click is a rerun of the script, not a page load)."""
    nav = page.get_by_test_id("stSidebarNav")
    nav.get_by_role("link", name="整改任务").click()
    expect(page.get_by_role("heading", name="整改任务")).to_be_visible(timeout=30_000)
    nav.get_by_role("link", name="总览").click()
    expect(page.get_by_role("heading", name="整改任务")).to_have_count(0, timeout=30_000)


def sidebar_version(page: Page, version: int) -> None:
    sidebar = page.get_by_test_id("stSidebar")
    expect(sidebar.get_by_text(f"版本 v{version} ·")).to_be_visible(timeout=30_000)


def not_reloaded(page: Page) -> None:
    assert page.evaluate(MARKER) == 1, "the page was reloaded"


def test_a_publish_through_one_server_is_what_visitors_of_the_other_see(
    postgres_server: PostgresServer,
    streamlit_server: StreamlitServerFactory,
    request: pytest.FixtureRequest,
    new_page: Callable[..., Page],
    blocked_requests: list[str],
    screenshot_dir: Path,
    tmp_path: Path,
    repo_root: Path,
    bundled_workbook: Path,
) -> None:
    database = postgres_server.new_database()
    unused_folder = tmp_path / "store-must-stay-unused"
    env = store_env(database, unused_folder)

    # Server A starts first; its first visitor bootstraps v1 from the bundled workbook.
    app_a = start_server(streamlit_server, request, env, "A")
    visitor_a = open_overview(new_page, app_a)
    expect(metric(visitor_a, "85.7%")).to_be_visible(timeout=30_000)
    app_b = start_server(streamlit_server, request, env, "B")
    assert app_a.process.pid != app_b.process.pid and app_a.port != app_b.port
    assert psql_rows(database, "SELECT id, actor FROM versions") == [(1, "系统")]

    try:
        open_accounts(database).add(STAFF, PASSWORD)
    finally:
        close_pools()  # this test process needs no connections of its own

    # A leader has the overview open on server B.
    leader_b = open_overview(new_page, app_b)
    expect(metric(leader_b, "85.7%")).to_be_visible(timeout=30_000)
    expect(metric(leader_b, "30 项")).to_be_visible()
    expect(leader_b.get_by_text("已完成（共 35 项）")).to_be_visible()
    sidebar_version(leader_b, 1)

    # Staff signs in on server A (another browser context) and publishes task 9 done.
    staff = new_page(1280, 900)
    staff.goto(f"{app_a.url}/upload")
    expect(staff.get_by_text("上传和发布需要工作人员登录")).to_be_visible(timeout=30_000)
    staff.get_by_label("账号").fill(STAFF)
    staff.get_by_label("密码").fill(PASSWORD)
    staff.get_by_role("button", name="登录").click()
    expect(staff.get_by_text(f"已登录：{STAFF}")).to_be_visible(timeout=30_000)
    changed = changed_bundled(bundled_workbook, tmp_path / "整改进展_更新.xlsx")
    staff.locator("input[type=file]").set_input_files(str(changed))
    expect(staff.get_by_text("整改完成率：85.7% → 88.6%")).to_be_visible(timeout=60_000)
    staff.get_by_label("发布说明").fill("经服务器 A 发布")
    staff.get_by_role("button", name="发布").click()
    expect(staff.get_by_text("已发布为版本 v2")).to_be_visible(timeout=30_000)
    assert psql_rows(database, "SELECT id, actor FROM versions ORDER BY id") == [
        (1, "系统"),
        (2, STAFF),
    ]

    # Untouched, the leader's page on B still shows what it showed: nothing is pushed.
    expect(metric(leader_b, "85.7%")).to_be_visible()
    # At the leader's next interaction on B: v2, without a reload.
    interact(leader_b)
    expect(metric(leader_b, "88.6%")).to_be_visible(timeout=30_000)
    expect(metric(leader_b, "31 项")).to_be_visible()
    expect(leader_b.get_by_text("35项整改任务已完成31项")).to_be_visible()
    expect(metric(leader_b, "85.7%")).to_have_count(0)
    sidebar_version(leader_b, 2)
    not_reloaded(leader_b)
    leader_b.screenshot(path=screenshot_dir / "scale-out-server-b-v2.png", full_page=True)

    # A fresh visitor of B sees v2 straight away.
    fresh_b = new_page(1280, 900)
    fresh_b.goto(app_b.url)
    expect(metric(fresh_b, "88.6%")).to_be_visible(timeout=30_000)
    sidebar_version(fresh_b, 2)

    # B's history page lists v2 as current, published by the staff member on A.
    leader_b.get_by_test_id("stSidebarNav").get_by_role("link", name="历史版本").click()
    expect(leader_b.get_by_text("当前版本：v2 ·")).to_be_visible(timeout=30_000)
    # The grid is drawn on a canvas; its cells are also in the canvas's fallback table
    # (glide-cell-<column>-<row>). Newest first: version, 发布人, 时间, 说明.
    versions_table = leader_b.get_by_test_id("stDataFrame").first
    expect(versions_table.get_by_test_id("glide-cell-0-0")).to_have_text("v2（当前）")
    # (A visitor: the account's role, not its login name; it has no display name.)
    expect(versions_table.get_by_test_id("glide-cell-1-0")).to_have_text("整改办")
    expect(versions_table.get_by_test_id("glide-cell-3-0")).to_have_text("经服务器 A 发布")
    expect(versions_table.get_by_test_id("glide-cell-0-1")).to_have_text("v1")
    not_reloaded(leader_b)

    # The other direction, and a third process: the command line publishes v3 (the
    # bundled workbook again: 85.7%) and A's first visitor sees it at the next interaction.
    interact(visitor_a)
    expect(metric(visitor_a, "88.6%")).to_be_visible(timeout=30_000)
    cli_env = {**os.environ, **env}
    published = subprocess.run(
        [
            sys.executable,
            "-m",
            "metrics",
            "publish",
            str(bundled_workbook),
            "--actor",
            CLI_STAFF,
            "--expect-version",
            "2",
            "--note",
            "命令行发布",
        ],
        capture_output=True,
        text=True,
        env=cli_env,
        cwd=repo_root,
        check=False,
        timeout=120,
    )
    assert published.returncode == 0, published.stderr
    assert "已发布为版本 v3" in published.stdout
    interact(visitor_a)
    expect(metric(visitor_a, "85.7%")).to_be_visible(timeout=30_000)
    expect(metric(visitor_a, "88.6%")).to_have_count(0)
    sidebar_version(visitor_a, 3)
    not_reloaded(visitor_a)
    visitor_a.screenshot(path=screenshot_dir / "scale-out-server-a-v3.png", full_page=True)
    # ... and so does the leader on B.
    leader_b.get_by_test_id("stSidebarNav").get_by_role("link", name="总览").click()
    expect(metric(leader_b, "85.7%")).to_be_visible(timeout=30_000)
    sidebar_version(leader_b, 3)
    not_reloaded(leader_b)

    assert psql_rows(database, "SELECT version_id, actor, action FROM audit ORDER BY id") == [
        (1, "系统", "初始化"),
        (2, STAFF, "发布"),
        (3, CLI_STAFF, "发布"),
    ]
    assert not unused_folder.exists(), "a server used a store folder, not the database"
    assert blocked_requests == []
    for app in (app_a, app_b):
        assert "Traceback" not in app.log(), app.log()
