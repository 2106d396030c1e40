"""Smoke test of the browser fixtures on a throw-away Streamlit script.

Independent of the dashboard itself: it proves that this machine (and CI) can
start a real Streamlit server and drive the system Chromium against it.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import Page, expect

if TYPE_CHECKING:
    from tests.conftest import StreamlitServerFactory

SMOKE_APP = """\
import os

import streamlit as st

st.title("你好")
st.metric("整改完成率", "85.7%")
st.write(os.environ.get("SMOKE_GREETING", "（无）"))
"""


@pytest.fixture
def smoke_script(tmp_path: Path) -> Path:
    path = tmp_path / "smoke_app.py"
    path.write_text(SMOKE_APP, encoding="utf-8")
    return path


def test_metric_renders_on_a_phone(
    streamlit_server: StreamlitServerFactory,
    new_page: Callable[..., Page],
    blocked_requests: list[str],
    screenshot_dir: Path,
    smoke_script: Path,
) -> None:
    app = streamlit_server(smoke_script)
    page = new_page(390, 844, mobile=True)
    page.goto(app.url)

    expect(page.get_by_text("85.7%")).to_be_visible(timeout=30_000)
    expect(page.get_by_role("heading", name="你好")).to_be_visible()
    expect(page.get_by_text("整改完成率")).to_be_visible()

    scroll_width, inner_width = page.evaluate(
        "[document.documentElement.scrollWidth, window.innerWidth]"
    )
    assert scroll_width <= inner_width, "page scrolls sideways on a 390 px wide phone"

    page.screenshot(path=screenshot_dir / "smoke.png", full_page=True)
    assert (screenshot_dir / "smoke.png").stat().st_size > 0

    assert blocked_requests == [], "the page tried to reach the network"
    assert "Traceback" not in app.log()


def test_extra_env_reaches_the_script(
    streamlit_server: StreamlitServerFactory,
    page: Page,
    smoke_script: Path,
) -> None:
    app = streamlit_server(smoke_script, env={"SMOKE_GREETING": "环境变量已传入"})
    assert streamlit_server(smoke_script, env={"SMOKE_GREETING": "环境变量已传入"}) is app
    page.goto(app.url)
    expect(page.get_by_text("环境变量已传入")).to_be_visible(timeout=30_000)


def test_server_that_dies_fails_with_its_output(
    streamlit_server: StreamlitServerFactory, smoke_script: Path
) -> None:
    with pytest.raises(pytest.fail.Exception, match="exited with code") as excinfo:
        streamlit_server(smoke_script, args=("--server.noSuchOption", "1"))
    assert "server output" in str(excinfo.value)
