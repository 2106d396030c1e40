"""The real dashboard in Debian's Chromium: what a leader sees on a laptop and a phone."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from playwright.sync_api import Page, expect

from metrics.workbook.loader import load_workbook

if TYPE_CHECKING:
    from tests.conftest import StreamlitServerFactory


def test_overview_shows_the_completion_rate(
    streamlit_server: StreamlitServerFactory,
    new_page: Callable[..., Page],
    blocked_requests: list[str],
    screenshot_dir: Path,
) -> None:
    app = streamlit_server("dashboard.py")
    page = new_page(1280, 800)
    scripts: list[str] = []
    page.on("request", lambda request: scripts.append(request.url.rsplit("/", 1)[-1]))
    page.goto(app.url)
    expect(page.get_by_test_id("stMetricValue").get_by_text("85.7%", exact=True)).to_be_visible(
        timeout=30_000
    )
    expect(page.get_by_text("整改完成率")).to_be_visible()
    expect(page.get_by_text("已完成（共 35 项）")).to_be_visible()
    expect(page.get_by_text("截至2021年5月31日，35项整改任务已完成30项")).to_be_visible()
    # Only our explicitly registered navigation: our Chinese titles, and no page named
    # after a file in pages/ (which Streamlit's automatic discovery would add).
    nav = page.get_by_test_id("stSidebarNav")
    titles = (
        "总览",
        "整改任务",
        "问题详情",
        "指标",
        "单位评比",
        "导出材料",
        "填报",
        "填报审核",
        "上传数据",
        "历史版本",
    )
    expect(nav.get_by_role("link")).to_have_count(len(titles))
    for title in titles:
        expect(nav.get_by_text(title, exact=True)).to_be_visible()
    # ("upload" and "history" are also the names of their Material icons, drawn as text.)
    for file_name in ("overview", "tasks", "issue", "indicators", "units", "export", "rounds"):
        expect(page.get_by_text(file_name, exact=True)).to_have_count(0)
    # The three charts are drawn as HTML bars (no plotly on the overview), their figures
    # in words: the status legend and each 方面's "10/13 · 76.9%".
    charts = page.locator(".zg-chart")
    expect(charts).to_have_count(3, timeout=30_000)
    expect(charts.nth(0).get_by_text("✔ 已完成 29项（82.9%）")).to_be_visible()
    expect(charts.nth(1).get_by_text("10/13 · 76.9%")).to_be_visible()
    expect(page.locator(".js-plotly-plot")).to_have_count(0)
    expect(page.get_by_test_id("stApp")).to_have_attribute(
        "data-test-script-state", "notRunning", timeout=30_000
    )
    # ... and the browser never fetches plotly.js (4.7 MB) for it.
    assert any(name.startswith("index.") for name in scripts), scripts  # requests are seen
    assert not [name for name in scripts if "Plotly" in name]
    assert page.title() == "整改进展看板"
    page.screenshot(path=screenshot_dir / "overview-desktop.png", full_page=True)
    assert blocked_requests == [], "the page tried to reach the network"
    assert "Traceback" not in app.log()


def test_overview_fits_a_phone(
    streamlit_server: StreamlitServerFactory,
    new_page: Callable[..., Page],
    screenshot_dir: Path,
) -> None:
    app = streamlit_server("dashboard.py")
    page = new_page(390, 844, mobile=True)
    page.goto(app.url)
    expect(page.get_by_test_id("stMetricValue").get_by_text("85.7%", exact=True)).to_be_visible(
        timeout=30_000
    )
    problems = page.locator(".zg-chart").nth(2)
    expect(problems.locator("li")).to_have_count(12, timeout=30_000)
    scroll_width, inner_width = page.evaluate(
        "[document.documentElement.scrollWidth, window.innerWidth]"
    )
    assert scroll_width <= inner_width, "the overview scrolls sideways at 390 px"
    # On a phone each 问题 gets the whole width: its name whole above a bar as wide as
    # the chart; every bar is equally long at 100 %, so their fills compare.
    chart_width = problems.bounding_box()["width"]  # type: ignore[index]
    tracks = problems.locator(".zg-rows .zg-track")
    widths = {round(box["width"]) for box in (t.bounding_box() for t in tracks.all()) if box}
    assert widths == {round(chart_width)}, widths
    name = problems.get_by_text("一·4.落实意识形态工作责任制不够有力", exact=False)
    expect(name).to_contain_text("没有完全形成齐抓共管的工作格局的问题")
    page.screenshot(path=screenshot_dir / "overview-phone.png", full_page=True)


def test_blank_template_downloads_from_the_sidebar(
    streamlit_server: StreamlitServerFactory, page: Page, tmp_path: Path
) -> None:
    app = streamlit_server("dashboard.py")
    page.goto(app.url)
    button = page.get_by_role("button", name="下载空白模板")
    expect(button).to_be_visible(timeout=30_000)
    with page.expect_download() as info:
        button.click()
    download = info.value
    assert download.suggested_filename == "整改进展看板_空白模板.xlsx"
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    result = load_workbook(saved)
    # Every sheet and column of the contract is there; only the data is missing.
    assert [p.message for p in result.errors if "缺少" in p.message] == []
    assert any("没有任何任务" in p.message for p in result.errors)


def test_issue_page_opens_by_link(
    streamlit_server: StreamlitServerFactory,
    new_page: Callable[..., Page],
    blocked_requests: list[str],
    screenshot_dir: Path,
) -> None:
    app = streamlit_server("dashboard.py")
    page = new_page(1280, 900)
    page.goto(f"{app.url}/issue?task=9")
    expect(page.get_by_role("heading", name="（9）回迁安置进展缓慢")).to_be_visible(timeout=30_000)
    expect(page.get_by_text("下一项（10）")).to_be_visible()
    page.get_by_text("下一项（10）").click()
    expect(page.get_by_role("heading", name="（10）公办教育发展滞后")).to_be_visible(timeout=30_000)
    assert page.url.endswith("/issue?task=10")
    page.screenshot(path=screenshot_dir / "issue-10-desktop.png", full_page=True)
    assert blocked_requests == [], "the page tried to reach the network"
    assert "Traceback" not in app.log()


def test_issue_page_fits_a_phone(
    streamlit_server: StreamlitServerFactory,
    new_page: Callable[..., Page],
    screenshot_dir: Path,
) -> None:
    app = streamlit_server("dashboard.py")
    page = new_page(390, 844, mobile=True)
    page.goto(f"{app.url}/issue?task=6")
    expect(page.get_by_role("heading", name="（6）生态环境保护不够有力")).to_be_visible(
        timeout=30_000
    )
    expect(page.locator(".js-plotly-plot .main-svg").first).to_be_visible(timeout=30_000)
    scroll_width, inner_width = page.evaluate(
        "[document.documentElement.scrollWidth, window.innerWidth]"
    )
    assert scroll_width <= inner_width, "the issue page scrolls sideways at 390 px"
    page.screenshot(path=screenshot_dir / "issue-6-phone.png", full_page=True)


def test_a_row_of_the_task_table_opens_its_issue_page(
    streamlit_server: StreamlitServerFactory, page: Page
) -> None:
    app = streamlit_server("dashboard.py")
    page.goto(f"{app.url}/tasks")
    grid = page.get_by_test_id("stDataFrame")
    expect(grid).to_be_visible(timeout=30_000)
    page.wait_for_timeout(500)  # the canvas grid draws after the frame appears
    box = grid.bounding_box()
    assert box is not None
    # Rows are about 35 px high under a header of the same height: click row 9's marker.
    page.mouse.click(box["x"] + 16, box["y"] + 35 * 9 + 17)
    expect(page.get_by_role("heading", name="（9）回迁安置进展缓慢")).to_be_visible(timeout=30_000)
    assert page.url.endswith("/issue?task=9")


def test_a_deep_link_on_a_fresh_server_gets_our_navigation(
    streamlit_server: StreamlitServerFactory,
    new_page: Callable[..., Page],
) -> None:
    """Until st.navigation has run once, Streamlit would serve pages/issue.py on its own
    with automatic file-name navigation; the first visitor must not see that."""
    app = streamlit_server("dashboard.py", env={"ZHENGGAI_TEST_FRESH": "deep-link"})
    page = new_page(1280, 800)
    page.goto(f"{app.url}/issue?task=9")
    expect(page.get_by_role("heading", name="（9）回迁安置进展缓慢")).to_be_visible(timeout=30_000)
    nav = page.get_by_test_id("stSidebarNav")
    expect(nav.get_by_text("问题详情", exact=True)).to_be_visible()
    for file_name in ("overview", "issue", "export"):
        expect(nav.get_by_text(file_name, exact=True)).to_have_count(0)
    expect(page.get_by_test_id("stSidebar").get_by_text("图例")).to_be_visible()  # our sidebar
    assert "task=9" in page.url
