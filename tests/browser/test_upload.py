"""Uploading in a real browser: sign in, upload a workbook, publish, and see it live."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import Page, expect

from metrics.accounts import Accounts
from metrics.store import STORE_ENV
from tests.builders import meta, write_valid

if TYPE_CHECKING:
    from tests.conftest import StreamlitServerFactory

PASSWORD = "correct horse battery"


def test_staff_upload_and_publish(
    streamlit_server: StreamlitServerFactory,
    new_page: Callable[..., Page],
    blocked_requests: list[str],
    screenshot_dir: Path,
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    root = tmp_path_factory.mktemp("upload-store")
    Accounts(root).add("张三", PASSWORD)
    app = streamlit_server("dashboard.py", env={STORE_ENV: str(root)})
    page = new_page(1280, 900)
    page.goto(f"{app.url}/upload")
    expect(page.get_by_text("上传和发布需要工作人员登录")).to_be_visible(timeout=30_000)
    page.get_by_label("账号").fill("张三")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_text("已登录：张三")).to_be_visible(timeout=30_000)

    # A workbook with an error is refused with its place named.
    bad = write_valid(root.parent / "bad.xlsx", meta=meta(报告任务数=9))
    page.locator("input[type=file]").set_input_files(str(bad))
    expect(page.get_by_text("文件有错误，不能发布")).to_be_visible(timeout=60_000)

    good = write_valid(root.parent / "good.xlsx")
    page.locator("input[type=file]").set_input_files(str(good))
    expect(page.get_by_text("发布后的变化")).to_be_visible(timeout=60_000)
    page.get_by_label("发布说明").fill("浏览器测试")
    page.get_by_role("button", name="发布").click()
    expect(page.get_by_text("已发布为版本 v2")).to_be_visible(timeout=30_000)
    page.screenshot(path=screenshot_dir / "upload-published.png", full_page=True)

    # Any page now shows the new version.
    page.goto(app.url)
    expect(page.get_by_test_id("stMetricValue").get_by_text("66.7%", exact=True)).to_be_visible(
        timeout=30_000
    )
    assert blocked_requests == []
    assert "Traceback" not in app.log()
