"""Benchmark of a reporting round (part of ``make bench``; also runs on its own):
17 units × 35 tasks, three indicators a task, on the embedded store.

Goals (issue #17): the board ≤ 100 ms server time (both the domain's ``build_board`` and
the 填报审核 page's whole rerun, AppTest with warm caches); accepting and merging all 17
units' submissions and reviewing the merged workbook (intake and comparison included)
≤ 2 s; saving one task of a unit's form ≤ 50 ms.
"""

from __future__ import annotations

import datetime
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING

from metrics.contract import TaskStatus
from metrics.publishing import completion_counts
from metrics.rounds.board import build_board
from metrics.rounds.model import TaskReport
from metrics.rounds.publish import review_round
from metrics.rounds.roles import Principal, Role
from metrics.rounds.service import RoundService
from metrics.store.accounts import Accounts
from metrics.store.versions import STORE_ENV, Store
from metrics.workbook.loader import load_workbook
from metrics.workbook.template import workbook_bytes

if TYPE_CHECKING:
    from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parent.parent
UNITS = [f"区第{n}局" for n in range(1, 18)]
TASKS = 35
BOARD_GOAL_MS = 100.0
MERGE_GOAL_MS = 2000.0
SAVE_GOAL_MS = 50.0
PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
OFFICE = Principal("整改办", Role.OFFICE)


def round_workbook() -> bytes:
    """35 tasks led by 17 units in turn, each shared with the next unit; 105 indicators."""
    tasks, indicators, observations = [], [], []
    for task_id in range(1, TASKS + 1):
        lead = UNITS[(task_id - 1) % len(UNITS)]
        shared = UNITS[task_id % len(UNITS)]
        tasks.append(
            {
                "id": task_id,
                "category": f"（{'一二三'[(task_id - 1) % 3]}）方面",
                "problem": f"{(task_id - 1) % 12 + 1}.问题",
                "title": f"整改任务{task_id}",
                "measures": "一是……二是……",
                "lead_unit": lead,
                "responsible_units": shared,
                "status": "正在整改",
            }
        )
        for n in range(1, 4):
            indicator_id = f"T{task_id:02d}-{n:02d}"
            indicators.append(
                {
                    "id": indicator_id,
                    "task_id": task_id,
                    "name": f"指标{indicator_id}",
                    "unit": "个",
                    "direction": "越大越好",
                    "source": "报告原句。",
                }
            )
            observations.append(
                {"indicator_id": indicator_id, "date": datetime.date(2021, 5, 31), "value": 10}
            )
    meta = {
        "title": "基准测试",
        "organisation": "测试区委",
        "as_of": datetime.date(2021, 5, 31),
        "feedback_date": datetime.date(2021, 2, 4),
    }
    return workbook_bytes(tasks=tasks, indicators=indicators, observations=observations, meta=meta)


def median_ms(times: list[float]) -> float:
    return statistics.median(times) * 1000


def timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def run(quick: bool = False) -> bool:
    with tempfile.TemporaryDirectory(prefix="zhenggai-bench-rounds-") as folder:
        root = Path(folder) / "store"
        data = round_workbook()
        path = Path(folder) / "round.xlsx"
        path.write_bytes(data)
        store = Store(root)
        store.bootstrap(path, completion_counts(load_workbook(data)))
        service = RoundService(store)
        round_id = service.open_round(
            OFFICE,
            name="2021年6月进展",
            as_of=datetime.date(2021, 6, 30),
            due=datetime.date(2021, 7, 5),
        ).id
        saves: list[float] = []
        for index, unit in enumerate(UNITS):
            who = Principal(f"填报员{index}", Role.UNIT, frozenset({unit}))
            for task in service.unit_tasks(unit):
                values = {i.id: f"{10 + index}余" for i in service.dataset().indicators_of(task.id)}
                closing = task.id % 5 == 0 and task.lead_unit == unit
                if closing:
                    service.add_evidence(who, round_id, unit, task.id, "验收.pdf", PDF)
                report = TaskReport(
                    task.id,
                    TaskStatus.DONE if closing else None,
                    f"{unit}本期进展：完成了第{task.id}项任务的阶段性工作。" * 3,
                    MappingProxyType(values if task.lead_unit == unit else {}),
                )
                start = time.perf_counter()
                service.save_draft(who, round_id, unit, report)
                saves.append(time.perf_counter() - start)
            service.submit(who, round_id, unit)
        round_ = service.round(round_id)
        repeat = 5 if quick else 20
        board = [
            timed(lambda: build_board(service.db, service.dataset(), round_, service.clock()))
            for _ in range(repeat)
        ]
        page = bench_board_page(root, repeat)

        def merge_and_review() -> None:
            for unit in UNITS:
                live = service.live_submission(OFFICE, round_id, unit)
                assert live is not None
                service.decide(OFFICE, live.id, accept=True)
            reviewed = review_round(service, round_id)
            assert reviewed.publishable, reviewed.review and reviewed.review.problems[:3]

        merge = timed(merge_and_review)
        after = [timed(app.run) for app in [_signed_in_page(root)] for _ in range(repeat)]

    print(f"\nreporting round: {len(UNITS)} units × {TASKS} tasks (embedded store)")
    results = (
        (f"save one task's form (n={len(saves)})", median_ms(saves), SAVE_GOAL_MS),
        ("board (build_board)", median_ms(board), BOARD_GOAL_MS),
        ("board page rerun (AppTest, office)", median_ms(page), BOARD_GOAL_MS),
        ("accept + merge + review all 17", merge * 1000, MERGE_GOAL_MS),
        ("board page rerun, merged draft waiting", median_ms(after), BOARD_GOAL_MS),
    )
    ok = True
    for label, ms, goal in results:
        met = ms <= goal
        ok = ok and met
        print(f"  {label:<44} {ms:8.1f} ms   goal ≤ {goal:.0f} ms … {'met' if met else 'MISSED'}")
    return ok


def bench_board_page(root: Path, repeat: int) -> list[float]:
    """The 填报审核 page's rerun for a signed-in office member (server time)."""
    Accounts(root).add("整改办", "benchmark password")
    app = _signed_in_page(root)
    return [timed(app.run) for _ in range(repeat)]


def _signed_in_page(root: Path) -> AppTest:
    from streamlit.testing.v1 import AppTest

    os.environ[STORE_ENV] = str(root)
    os.environ.pop("ZHENGGAI_WORKBOOK", None)
    app = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120)
    app.run()
    app.switch_page("pages/rounds.py")
    app.run()
    app.text_input(key="rounds_sign_in_name").set_value("整改办")
    app.text_input(key="rounds_sign_in_password").set_value("benchmark password")
    app.button(key="FormSubmitter:rounds_sign_in_form-登录").click().run()
    if app.exception or not app.metric:
        raise SystemExit(f"round page failed: {[e.value for e in app.exception]}")
    app.run()  # warm: the merged draft is built once per session and kept
    return app


if __name__ == "__main__":
    sys.exit(0 if run("--quick" in sys.argv) else 1)
