"""The overview on a phone (issue #20, part 4): at 390 × 844 it starts with what needs the
reader, the red tasks above the fold, one tap from their page; nothing scrolls sideways
and no headline card cuts its figure, at 390 and at 1280 px; the same at city scale
(``scripts/city_workbook.py``: 697 tasks, 2,091 indicators). The first screen with red
tasks passes axe-core too (``test_accessibility`` has none coloured)."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import Locator, Page, expect

from scripts.city_workbook import write_city_workbook
from tests.browser.test_accessibility import axe_violations, describe
from tests.test_first_screen import red_workbook
from ui.data_source import WORKBOOK_ENV

if TYPE_CHECKING:
    from tests.conftest import StreamlitServerFactory

PHONE = (390, 844)
LAPTOP = (1280, 900)
LONG = 60_000

# Any element of the page wider than the screen, and the cards whose figure is cut.
OVERFLOW = """() => {
  const root = document.scrollingElement;
  const main = document.querySelector('[data-testid="stMain"]');
  return [root.scrollWidth, window.innerWidth, main.scrollWidth, main.clientWidth];
}"""
CUT_CARDS = """() => [...document.querySelectorAll('[data-testid="stMetric"]')]
  .filter((card) => [...card.querySelectorAll('*')].some(
      (e) => e.scrollWidth > e.clientWidth + 1 && getComputedStyle(e).overflow !== 'visible'))
  .map((card) => card.innerText.replace(/\\s+/g, ' '))"""


@pytest.fixture(scope="module")
def workbooks(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("first-screen")
    return {
        "district": red_workbook(folder / "red.xlsx"),
        "city": write_city_workbook(folder / "city.xlsx"),
    }


def open_overview(
    streamlit_server: StreamlitServerFactory,
    new_page: Callable[..., Page],
    workbook: Path,
    size: tuple[int, int],
) -> Page:
    app = streamlit_server("dashboard.py", env={WORKBOOK_ENV: str(workbook)})
    page = new_page(*size, mobile=size == PHONE)
    page.goto(app.url)
    expect(page.get_by_role("heading", name="需要关注")).to_be_visible(timeout=LONG)
    expect(page.get_by_test_id("stApp")).to_have_attribute(
        "data-test-script-state", "notRunning", timeout=LONG
    )
    expect(page.locator(".zg-chart")).to_have_count(3, timeout=LONG)  # the HTML bars
    return page


def red_links(page: Page) -> Locator:
    block = page.locator(".st-key-first_screen")
    return block.get_by_role("link").filter(has_text=re.compile(r"^● 红色"))


@pytest.mark.parametrize("scale", ["district", "city"])
def test_phone_first_screen_red_tasks_above_the_fold_one_tap_away(
    streamlit_server: StreamlitServerFactory,
    new_page: Callable[..., Page],
    workbooks: dict[str, Path],
    screenshot_dir: Path,
    scale: str,
) -> None:
    page = open_overview(streamlit_server, new_page, workbooks[scale], PHONE)
    page.screenshot(path=screenshot_dir / f"first-screen-{scale}-phone.png")
    root_width, inner_width, main_width, main_client = page.evaluate(OVERFLOW)
    assert root_width <= inner_width, f"the overview scrolls sideways: {root_width} px"
    assert main_width <= main_client, f"the overview scrolls sideways: {main_width} px"
    assert page.evaluate(CUT_CARDS) == []
    # The page title is smaller on a phone (ui.theme): "需要关注" starts in the top 30 %
    # of the screen under a 17-character title too (it took 3 lines at 44 px: 350 px).
    heading = page.get_by_role("heading", name="需要关注").bounding_box()
    assert heading is not None and heading["y"] < 0.3 * PHONE[1], heading
    links = red_links(page)
    expect(links).to_have_count(5)
    for index in range(5):
        box = links.nth(index).bounding_box()
        assert box is not None and box["y"] >= 0 and box["y"] + box["height"] <= PHONE[1], (
            f"red item {index + 1} is below the fold: {box}"
        )
    violations = axe_violations(page)  # the red badge, the wrapped links: WCAG 2.1 AA
    assert violations == [], describe(violations)
    first = links.first.inner_text()
    number = re.search(r"（(\d+)）", first)
    assert number is not None and "已超过整改时限" in first  # the rule, read in full
    links.first.tap()
    expect(page).to_have_url(re.compile(rf"/issue\?task={number.group(1)}$"), timeout=LONG)
    expect(page.get_by_role("heading", name=re.compile(rf"^（{number.group(1)}）"))).to_be_visible(
        timeout=LONG
    )


@pytest.mark.parametrize("scale", ["district", "city"])
def test_laptop_cards_keep_their_figures(
    streamlit_server: StreamlitServerFactory,
    new_page: Callable[..., Page],
    workbooks: dict[str, Path],
    screenshot_dir: Path,
    scale: str,
) -> None:
    page = open_overview(streamlit_server, new_page, workbooks[scale], LAPTOP)
    page.screenshot(path=screenshot_dir / f"first-screen-{scale}-laptop.png")
    root_width, inner_width, main_width, main_client = page.evaluate(OVERFLOW)
    assert root_width <= inner_width and main_width <= main_client
    assert page.evaluate(CUT_CARDS) == []
    if scale == "city":
        expect(page.get_by_test_id("stMetricValue").get_by_text("159 / 1882 个")).to_be_visible()
    # The filtered list is one tap away: the tasks page with ?colour=红.
    block = page.locator(".st-key-first_screen")
    block.get_by_role("link", name=re.compile(r"^查看全部 \d+ 项红色任务")).click()
    expect(page).to_have_url(re.compile(r"/tasks\?colour=%E7%BA%A2$"), timeout=LONG)
