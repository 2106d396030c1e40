"""Exports in a real browser: a leader makes an offline report, a chart image and the
Word report."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from docx import Document
from playwright.sync_api import Page, expect

if TYPE_CHECKING:
    from tests.conftest import StreamlitServerFactory


def test_export_report_and_chart_image(
    streamlit_server: StreamlitServerFactory,
    new_page: Callable[..., Page],
    blocked_requests: list[str],
    screenshot_dir: Path,
    tmp_path: Path,
) -> None:
    app = streamlit_server("dashboard.py")
    page = new_page(1280, 900)
    page.goto(f"{app.url}/export")
    expect(page.get_by_role("heading", name="导出材料")).to_be_visible(timeout=30_000)

    page.get_by_role("button", name="生成离线报告（.html）").click()
    button = page.get_by_role("button", name=re.compile(r"下载 整改进展报告_2021-05-31\.html"))
    expect(button).to_be_visible(timeout=60_000)
    with page.expect_download() as info:
        button.click()
    download = info.value
    assert download.suggested_filename == "整改进展报告_2021-05-31.html"
    report = tmp_path / download.suggested_filename
    download.save_as(report)
    text = report.read_text(encoding="utf-8")
    assert "回迁安置进展缓慢" in text and "<script src" not in text

    # The saved report opens offline with its charts drawn.
    offline = new_page(1100, 900)
    offline.goto(report.as_uri())
    expect(offline.locator(".js-plotly-plot .main-svg").first).to_be_visible(timeout=30_000)

    page.get_by_role("button", name="生成图片").click()
    image_button = page.get_by_role("button", name="下载 整改完成率_2021-05-31.png")
    expect(image_button).to_be_visible(timeout=90_000)
    expect(page.get_by_test_id("stImage")).to_be_visible()
    page.screenshot(path=screenshot_dir / "export.png", full_page=True)

    with page.expect_download() as info:
        image_button.click()
    assert info.value.suggested_filename == "整改完成率_2021-05-31.png"

    # The Word report, with its figures, as the leader saves it.
    page.get_by_role("button", name="生成Word 报告（.docx）").click()
    word_button = page.get_by_role("button", name="下载 整改进展情况通报_2021-05-31.docx")
    expect(word_button).to_be_visible(timeout=90_000)
    with page.expect_download() as info:
        word_button.click()
    assert info.value.suggested_filename == "整改进展情况通报_2021-05-31.docx"
    saved = tmp_path / info.value.suggested_filename
    info.value.save_as(saved)
    document = Document(str(saved))
    assert document.paragraphs[0].text == "中共惠济区委关于巡视整改进展情况的通报"
    assert len(document.inline_shapes) == 3
    assert blocked_requests == []
    assert "Traceback" not in app.log()
