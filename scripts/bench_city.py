"""Benchmark of the dashboard at city scale (part of ``make bench``; also runs on its own).

The city's workbook (``scripts/city_workbook.py``: 697 tasks, 40 units, 2,091 indicators,
20,910 observations) is published into a fresh embedded store with two reporting rounds
(the earlier one closed with returned 销号 requests, the current one past its due date:
most units on time, some late, some not yet; 销号 and extension requests waiting for the
office). The bundled workbook gets a store of its own, without rounds, with the same
accounts.

Measured (and, for scale, bare Streamlit pages of a card and three small charts, plotly
or HTML, in the browser: the floors of a page with charts on the machine):
1. in a fresh browser (Debian's Chromium, a new context each visit, the server's caches
   warm), the city's overview from navigation until its three charts (HTML bars,
   ``charts.bars_html``) are drawn (goal: ≤ 2 s; the bundled overview's is timed by
   ``scripts/bench.py``);
2. for both workbooks, the server time of a rerun of every page (AppTest, warm caches,
   median), signed out, the overview and 填报审核 signed in as the office and as a leader,
   and 填报 signed in as a unit (its form of 27 tasks) (goal: ≤ 100 ms each at city scale).

Run from the repository root: ``python -m scripts.bench_city [--quick] [--no-browser]``.
"""

from __future__ import annotations

import argparse
import datetime
import logging
import os
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING

from metrics.contract import TaskStatus
from metrics.publishing import completion_counts
from metrics.rounds.model import TaskReport
from metrics.rounds.roles import Principal, Role
from metrics.rounds.service import RoundService
from metrics.store.accounts import Accounts
from metrics.store.versions import BEIJING, STORE_ENV, Store
from metrics.workbook.loader import load_workbook
from scripts.city_workbook import DEFAULT_OUT, UNITS, write_city_workbook
from scripts.served import served

if TYPE_CHECKING:
    from streamlit.testing.v1 import AppTest


ROOT = Path(__file__).resolve().parent.parent
BUNDLED = ROOT / "data" / "indicators.xlsx"
CHROMIUM = "/usr/bin/chromium"
FRESH_GOAL_MS = 2000.0
RERUN_GOAL_MS = 100.0
PASSWORD = "benchmark password"
OFFICE = Principal("整改办", Role.OFFICE)
LEADER = "王书记"
REPORTER = f"{UNITS[0]}填报员"  # a unit's account: its form of 27 tasks on 填报
PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
PAGES = (
    ("总览", "pages/overview.py"),
    ("整改任务", "pages/tasks.py"),
    ("问题详情", "pages/issue.py"),
    ("指标", "pages/indicators.py"),
    ("单位评比", "pages/units.py"),
    ("导出材料", "pages/export.py"),
    ("填报", "pages/report.py"),
    ("填报审核", "pages/rounds.py"),
    ("上传数据", "pages/upload.py"),
    ("历史版本", "pages/history.py"),
)
# (account, role, the pages measured signed in as it)
SIGNED_IN = (
    (OFFICE.name, "整改办", (("总览", "pages/overview.py"), ("填报审核", "pages/rounds.py"))),
    (LEADER, "领导", (("总览", "pages/overview.py"), ("填报审核", "pages/rounds.py"))),
    (REPORTER, "单位", (("填报", "pages/report.py"),)),
)
# The 填报审核 page keeps a leader's or the office's board: the sign-in form is there.
SIGN_IN_PAGE, SIGN_IN_FORM = "pages/rounds.py", "rounds_sign_in"
BARE_MODE_LOGGER = "streamlit.runtime.scriptrunner_utils.script_run_context"


class Clock:
    """The round service's clock, set to when each unit reports."""

    def __init__(self) -> None:
        self.moment = datetime.datetime.now(datetime.UTC)

    def __call__(self) -> datetime.datetime:
        return self.moment

    def on(self, day: datetime.date) -> None:
        """Noon of ``day``, Beijing time."""
        self.moment = datetime.datetime.combine(day, datetime.time(12), BEIJING)

    def now(self) -> None:
        self.moment = datetime.datetime.now(datetime.UTC)


def city_store(root: Path, workbook: Path) -> Store:
    """The city's workbook as version 1, two rounds, the accounts of ``add_accounts``."""
    store = Store(root)
    store.bootstrap(workbook, completion_counts(load_workbook(workbook)))
    add_accounts(root)
    clock = Clock()
    service = RoundService(store, clock=clock)
    today = datetime.datetime.now(BEIJING).date()
    earlier = _round(service, clock, "2024年5月进展", datetime.date(2024, 5, 31), today, 40)
    _report(service, clock, earlier, reporting=UNITS[:-4], late=(), closing_every=9)
    for submission, items in service.awaiting_review(OFFICE, earlier.id):
        for item in items:
            if item.status is TaskStatus.DONE:  # the 销号 requests: returned
                service.decide(
                    OFFICE, submission.id, accept=False, task_id=item.task_id, comment="佐证不足"
                )
    service.close_round(OFFICE, earlier.id)
    latest = _round(service, clock, "2024年6月进展", datetime.date(2024, 6, 30), today, 3)
    _report(service, clock, latest, reporting=UNITS[:-7], late=UNITS[-12:-7], closing_every=6)
    return store


def add_accounts(root: Path) -> None:
    """The office, a leader and a unit's reporter, each with ``PASSWORD``."""
    accounts = Accounts(root)
    accounts.add(OFFICE.name, PASSWORD)
    accounts.add(LEADER, PASSWORD, role=Role.LEADER)
    accounts.add(REPORTER, PASSWORD, role=Role.UNIT, units=(UNITS[0],))


@dataclass(frozen=True, slots=True)
class _Opened:
    id: int
    due: datetime.date


def _round(
    service: RoundService,
    clock: Clock,
    name: str,
    as_of: datetime.date,
    today: datetime.date,
    days_past_due: int,
) -> _Opened:
    clock.on(today - datetime.timedelta(days=days_past_due + 10))
    due = today - datetime.timedelta(days=days_past_due)
    opened = service.open_round(OFFICE, name=name, as_of=as_of, due=due)
    return _Opened(opened.id, due)


def _report(
    service: RoundService,
    clock: Clock,
    round_: _Opened,
    *,
    reporting: tuple[str, ...],
    late: tuple[str, ...],
    closing_every: int,
) -> None:
    """Each reporting unit reports on the open tasks it leads (on time, or today when
    ``late``): progress and figures, a 销号 request on every ``closing_every``-th task
    (with evidence), an extension request on every 11th."""
    dataset = service.dataset()
    for unit in reporting:
        if unit in late:
            clock.now()
        else:
            clock.on(round_.due - datetime.timedelta(days=1))
        who = Principal(f"{unit}填报员", Role.UNIT, frozenset({unit}))
        for task in service.unit_tasks(unit):
            if task.lead_unit != unit or task.status.complete:
                continue
            status: TaskStatus | None = None
            extension: datetime.date | None = None
            if task.id % closing_every == 0:
                status = TaskStatus.DONE
                service.add_evidence(who, round_.id, unit, task.id, "验收报告.pdf", PDF)
            elif task.id % 11 == 0 and task.deadline is not None:
                status = TaskStatus.EXTENSION_REQUESTED
                extension = task.deadline + datetime.timedelta(days=183)
            values = {i.id: "12" for i in dataset.indicators_of(task.id) if i.target is not None}
            report = TaskReport(
                task.id,
                status,
                f"{unit}本期进展：第{task.id}项任务已完成阶段性工作，正按计划推进。",
                MappingProxyType(values),
                extension_to=extension,
            )
            service.save_draft(who, round_.id, unit, report)
        service.submit(who, round_.id, unit)


# -- the browser ---------------------------------------------------------------------------

# The overview's three charts are HTML (charts.bars_html): drawn with the page.
CHARTS_DRAWN = "() => document.querySelectorAll('.zg-chart').length >= 3"
PLOTLY_DRAWN = """() => {
  const charts = [...document.querySelectorAll('[data-testid="stPlotlyChart"]')];
  return charts.length >= 3 && charts.every((c) => c.querySelector('.main-svg'));
}"""

# Floors: a bare page of a title, a card and three small charts, drawn either way.
PLOTLY_PAGE = """import plotly.graph_objects as go
import streamlit as st

st.title("基准")
st.metric("整改完成率", "85.7%")
for n in range(3):
    st.plotly_chart(go.Figure(go.Bar(x=[1, 2, 3], y=[3, 1, 2])), key=f"chart{n}")
"""
HTML_PAGE = """import sys

import streamlit as st

sys.path.insert(0, {root!r})
from charts.bars_html import status_bar  # noqa: E402
from metrics.scoring.rollup import Completion  # noqa: E402

st.title("基准")
st.metric("整改完成率", "85.7%")
for n in range(3):
    st.html(status_bar(Completion(35, 30, 29, 1, 5, 0, 0)))
"""
FLOORS = (
    ("three small plotly charts (any plotly page)", PLOTLY_PAGE, PLOTLY_DRAWN),
    ("three HTML bar charts (the overview's kind)", HTML_PAGE.format(root=str(ROOT)), CHARTS_DRAWN),
)


def fresh_overview(
    store: Path | None, repeat: int, script: Path | None = None, drawn: str = CHARTS_DRAWN
) -> list[float]:
    """Milliseconds from navigation until the overview's charts are drawn, each visit in a
    fresh browser context; a first visit warms the server's caches and is not counted.
    ``script``: another page to time the same way (a bare page), until ``drawn``."""
    from playwright.sync_api import sync_playwright

    times: list[float] = []
    with served(script or ROOT / "dashboard.py", store) as url, sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"], headless=True
        )
        for attempt in range(repeat + 1):
            context = browser.new_context(viewport={"width": 1280, "height": 800})
            page = context.new_page()
            start = time.perf_counter()
            page.goto(url)
            page.wait_for_function(drawn, timeout=120_000, polling=50)
            if attempt:
                times.append((time.perf_counter() - start) * 1000)
            context.close()
        browser.close()
    return times


# -- server time per page ------------------------------------------------------------------


def page_app(store: Path, page: str, account: str | None = None) -> AppTest:
    """A session on ``page`` (signed in as ``account`` when given), run twice: warm."""
    from streamlit.testing.v1 import AppTest

    os.environ[STORE_ENV] = str(store)
    os.environ.pop("ZHENGGAI_WORKBOOK", None)
    # AppTest sets its session state outside a script run: "missing ScriptRunContext".
    logging.getLogger(BARE_MODE_LOGGER).setLevel(logging.ERROR)
    app = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=300)
    app.query_params["task"] = "9"
    app.run()
    if account is not None:
        app.switch_page(SIGN_IN_PAGE)
        app.run()
        app.text_input(key=f"{SIGN_IN_FORM}_name").set_value(account)
        app.text_input(key=f"{SIGN_IN_FORM}_password").set_value(PASSWORD)
        app.button(key=f"FormSubmitter:{SIGN_IN_FORM}_form-登录").click().run()
    if page != PAGES[0][1] or account is not None:
        app.switch_page(page)
    app.run()
    if app.exception:
        raise SystemExit(f"{page} failed: {[e.value for e in app.exception]}")
    app.run()
    return app


def rerun_ms(app: AppTest, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        app.run()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def page_times(store: Path, repeat: int) -> list[tuple[str, float]]:
    found = [(title, rerun_ms(page_app(store, path), repeat)) for title, path in PAGES]
    for account, role, pages in SIGNED_IN:
        found += [
            (f"{title}（{role}）", rerun_ms(page_app(store, path, account), repeat))
            for title, path in pages
        ]
    return found


# -- the run -------------------------------------------------------------------------------


def verdict(ms: float, goal: float | None) -> str:
    if goal is None:
        return ""
    return f"goal ≤ {goal:.0f} ms … {'met' if ms <= goal else 'MISSED'}"


def run(quick: bool = False, browser: bool = True) -> bool:
    repeat_browser, repeat_rerun = (2, 5) if quick else (5, 15)
    workbook = DEFAULT_OUT if DEFAULT_OUT.exists() else write_city_workbook(DEFAULT_OUT)
    ok = True
    with tempfile.TemporaryDirectory(prefix="zhenggai-bench-city-") as folder:
        start = time.perf_counter()
        city = Path(folder) / "city"
        city_store(city, workbook)
        bundled = Path(folder) / "bundled"
        Store(bundled).bootstrap(BUNDLED, completion_counts(load_workbook(BUNDLED)))
        add_accounts(bundled)
        built = time.perf_counter() - start
        print(
            f"\ncity scale: {workbook.relative_to(ROOT)} (697 tasks, 40 units, 2,091 indicators,"
            f" 20,910 observations; two rounds, store built in {built:.1f} s)"
        )
        if browser:
            for number, (floor, source, drawn) in enumerate(FLOORS):
                bare = Path(folder) / f"bare{number}" / "bare.py"
                bare.parent.mkdir()
                bare.write_text(source, encoding="utf-8")
                times = fresh_overview(None, repeat_browser, bare, drawn)
                print(
                    f"  floor: a bare page with {floor}, fresh browser"
                    f" {statistics.median(times):8.0f} ms (max {max(times):.0f})"
                )
        for label, store, goals in (("city", city, True), ("bundled", bundled, False)):
            if browser and goals:  # the bundled overview's: scripts/bench.py, on its own server
                times = fresh_overview(store, repeat_browser)
                ms = statistics.median(times)
                ok = ok and ms <= FRESH_GOAL_MS
                print(
                    f"  {label}: overview in a fresh browser, until charts drawn"
                    f"{'':<4} {ms:8.0f} ms (max {max(times):.0f})  {verdict(ms, FRESH_GOAL_MS)}"
                )
            for title, ms in page_times(store, repeat_rerun):
                goal = RERUN_GOAL_MS if goals else None
                ok = ok and (goal is None or ms <= goal)
                name = f"{label}: rerun {title}"
                print(f"  {name:<36} {ms:8.1f} ms   {verdict(ms, goal)}")
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repetitions")
    parser.add_argument("--no-browser", action="store_true", help="skip the Chromium timings")
    args = parser.parse_args()
    return 0 if run(args.quick, not args.no_browser) else 1


if __name__ == "__main__":
    sys.exit(main())
