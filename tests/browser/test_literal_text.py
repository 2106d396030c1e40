"""Workbook text full of markup, published and shown on every page: it reads exactly as
typed, no element is made from it, and nothing is fetched from the address it names."""

from __future__ import annotations

import contextlib
import datetime
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import openpyxl
from playwright.sync_api import Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from metrics.contract import TASKS
from metrics.store.versions import Store
from report.literal import WORD_JOINER
from tests.markup import OUTSIDE, markup_workbook

if TYPE_CHECKING:
    from tests.conftest import StreamlitServerFactory

PAGES = ("", "tasks", "issue?task=9", "indicators", "units", "export", "upload", "history")

# Elements that markup would create, found anywhere in the document (SVG included).
_LEAKS = """([outside, tags]) => {
  const made = new Set();
  for (const tag of tags) {
    for (const word of ["粗", "星", "链", "红", "图"]) made.add(tag + word);
  }
  const found = [];
  for (const el of document.querySelectorAll("*")) {
    const own = (el.textContent || "").trim();
    if (made.has(own) && el.children.length === 0 && !["SPAN", "P", "DIV", "TEXT", "TSPAN"]
        .includes(el.tagName.toUpperCase())) {
      found.push(el.tagName + ": " + own);
    }
    if (made.has(own) && ["B", "STRONG", "EM", "A", "DEL"].includes(el.tagName.toUpperCase())) {
      found.push(el.tagName + ": " + own);
    }
    for (const attr of ["src", "href", "xlink:href"]) {
      const value = el.getAttribute(attr) || "";
      if (value.includes(outside) || value.toLowerCase().startsWith("javascript:")) {
        found.push(el.tagName + " " + attr + "=" + value);
      }
    }
    if (el.tagName.toUpperCase() === "TSPAN" && made.has(own)
        && (el.getAttribute("style") || "").includes("bold")) {
      found.push("bold tspan: " + own);
    }
  }
  found.push(...[...document.querySelectorAll(".katex, mjx-container")].map(e => "math"));
  for (const icon of document.querySelectorAll("[data-testid=stIconMaterial]")) {
    if (icon.textContent.trim() === "home") found.push("material icon home");
  }
  return found;
}"""


def _visible_text(page: Page) -> str:
    return page.locator("body").inner_text().replace(WORD_JOINER, "")


def _wait_for_texts(page: Page, texts: list[str]) -> None:
    """Until every one of ``texts`` is visible as typed (a slow machine renders late);
    the assertions that follow say which one is missing if the wait runs out."""
    with contextlib.suppress(PlaywrightTimeoutError):
        page.wait_for_function(
            """(texts) => {
                const shown = document.body.innerText.replaceAll("\u2060", "");
                return texts.every((t) => shown.includes(t));
            }""",
            arg=texts,
            timeout=30_000,
        )


def _svg_text(page: Page) -> str:
    texts: list[str] = page.eval_on_selector_all(
        ".js-plotly-plot .main-svg", "els => els.map(e => e.textContent)"
    )
    return "".join(texts)


def past_deadline(path: Path, *, task_id: int) -> None:
    """Give the task a 整改时限 before the as-of date (2021-05-31)."""
    wb = openpyxl.load_workbook(path)
    ws = wb[TASKS.name]
    headers = [cell.value for cell in ws[1]]
    at, deadline = headers.index("编号"), headers.index("整改时限")
    row = next(r for r in ws.iter_rows(min_row=2) if r[at].value == task_id)
    row[deadline].value = datetime.date(2021, 3, 31)
    wb.save(path)


def test_markup_in_the_workbook_is_shown_as_typed_everywhere(
    streamlit_server: StreamlitServerFactory,
    new_page: Callable[..., Page],
    blocked_requests: list[str],
    bundled_workbook: Path,
    tmp_path: Path,
    screenshot_dir: Path,
) -> None:
    marked = tmp_path / "markup.xlsx"
    typed = markup_workbook(bundled_workbook, marked)
    past_deadline(marked, task_id=9)  # red: the overview's first screen links it by title
    store = Store(tmp_path / "store")
    store.bootstrap(bundled_workbook, {})
    v2 = store.publish(
        marked.read_bytes(),
        actor="测试员",
        file_name="markup.xlsx",
        note="满是标记的工作簿",
        counts={},
        expected_current=1,
    )
    assert v2.id == 2
    app = streamlit_server("dashboard.py", env={"ZHENGGAI_STORE": str(tmp_path / "store")})
    page = new_page(1280, 900)
    tags = sorted(typed)

    for path in PAGES:
        page.goto(f"{app.url}/{path}")
        expect(page.get_by_test_id("stSidebar").get_by_text("数据截至", exact=False)).to_be_visible(
            timeout=30_000
        )
        page.wait_for_timeout(1500)  # let charts draw
        leaks = page.evaluate(_LEAKS, [OUTSIDE, tags])
        assert leaks == [], f"/{path}: elements made from workbook text: {leaks}"
        # The sidebar carries the 概况 title on every page, exactly as typed.
        assert typed["HT"] in _visible_text(page), f"/{path}: the title is not shown as typed"

    page.goto(app.url)
    expect(page.get_by_test_id("stMetricValue").first).to_be_visible(timeout=30_000)
    expect(page.locator(".zg-chart")).to_have_count(3, timeout=30_000)
    page.wait_for_timeout(1500)
    shown = _visible_text(page)
    # Title, organisation, the red task on the first screen; the 方面 and 问题 whole in
    # the HTML bars.
    for field in ("HT", "HO", "TT", "CC", "PP"):
        assert typed[field] in shown, f"overview: {field} not shown as typed"
    page.screenshot(path=screenshot_dir / "markup-overview.png", full_page=True)

    page.goto(f"{app.url}/issue?task=9")
    expect(page.get_by_text("整改措施", exact=True)).to_be_visible(timeout=30_000)
    # The whole page first (every indicator and its 来源 expander), then open them all.
    _wait_for_texts(page, [typed[f] for f in ("TT", "MM", "NN", "II")] + ["相关数据"])
    for expander in page.get_by_test_id("stExpander").get_by_text("来源").all():
        expander.click()
    _wait_for_texts(page, [typed["SS"], typed["IN"]])
    shown = _visible_text(page)
    for field in ("TT", "MM", "NN", "CC", "PP", "UU", "II", "SS", "IN", "HO"):
        assert typed[field] in shown, f"issue page: {field} not shown as typed"
    page.screenshot(path=screenshot_dir / "markup-issue.png", full_page=True)

    page.goto(f"{app.url}/units")
    expect(page.locator(".js-plotly-plot .main-svg").first).to_be_visible(timeout=30_000)
    page.wait_for_timeout(1000)
    assert "<b>UU" in _svg_text(page), "units: the lead unit label is not literal"

    page.goto(f"{app.url}/indicators")
    expect(page.locator(".js-plotly-plot .main-svg").first).to_be_visible(timeout=30_000)
    page.wait_for_timeout(1000)
    assert "<b>TT" in _svg_text(page), "indicators: the task label is not literal"

    assert not [u for u in blocked_requests if OUTSIDE in u], blocked_requests
    assert blocked_requests == [], f"requests to other addresses: {blocked_requests}"
    assert "Traceback" not in app.log()
