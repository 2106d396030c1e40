"""Golden test: the computed picture of the bundled Huiji District workbook.

The full ``summary --json`` output is pinned in ``tests/golden/bundled_summary.json``.
After an intended change to the data or the maths, regenerate it with
``UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/test_bundled_summary.py`` and review
the diff like any other change.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from metrics.contract import TargetKind
from metrics.scoring.progress import IndicatorStatus, Scored, score
from metrics.scoring.rollup import by_category, by_problem, overall
from metrics.scoring.summary import summarise
from metrics.workbook.loader import load_workbook
from tests.lookups import task_of

GOLDEN = Path(__file__).parent / "golden" / "bundled_summary.json"


@pytest.fixture(scope="module")
def scored(bundled_workbook: Path) -> Scored:
    result = load_workbook(bundled_workbook)
    assert result.problems == (), [str(p) for p in result.problems]
    assert result.dataset is not None
    return score(result.dataset)


def test_summary_matches_the_golden_file(scored: Scored) -> None:
    actual = json.loads(json.dumps(summarise(scored), ensure_ascii=False))
    if os.environ.get("UPDATE_GOLDEN"):
        GOLDEN.write_text(json.dumps(actual, ensure_ascii=False, indent=2) + "\n", "utf-8")
    expected = json.loads(GOLDEN.read_text("utf-8"))
    assert actual == expected


def test_headline_figures_of_the_report(scored: Scored) -> None:
    c = overall(scored).completion
    assert (c.total, c.completed, c.in_progress, c.not_started) == (35, 30, 5, 0)
    assert f"{c.rate:.1%}" == "85.7%"
    open_ids = [tp.task.id for tp in scored.tasks if not tp.complete]
    assert open_ids == [7, 9, 10, 24, 26]
    assert len(by_category(scored)) == 3
    assert len(by_problem(scored)) == 12


def test_key_figures(scored: Scored) -> None:
    by_name = {ip.indicator.name: ip for ip in scored.indicators}
    pm = next(ip for name, ip in by_name.items() if "PM2.5" in name)
    assert (pm.value, pm.indicator.target, pm.status) == (52, 54, IndicatorStatus.MET)
    investment = next(ip for ip in scored.indicators if ip.indicator.target == 211)
    assert investment.value == pytest.approx(87.6)
    assert investment.status is IndicatorStatus.ON_TRACK
    resettlement = [ip for ip in task_of(scored, 9).indicators if ip.value == pytest.approx(67.7)]
    assert len(resettlement) == 1
    assert resettlement[0].indicator.unit_symbol == "%"


def test_report_wording_survives_into_the_workbook(scored: Scored) -> None:
    """The regenerated workbook carries the revisited data choices."""
    share = next(ip for ip in scored.indicators if ip.indicator.id == "T10-10")
    # The report's 40% is kept, as what it is: an expectation for the end of 2021.
    assert (share.indicator.target, share.indicator.target_kind) == (40, TargetKind.EXPECTED)
    assert share.status is IndicatorStatus.NO_DATA and "预计" in share.indicator.note
    problems = {tp.task.id: tp.task.problem for tp in scored.tasks}
    assert problems[11].endswith("没有完全形成齐抓共管的工作格局的问题")
    assert problems[33] == "2.基层党组织建设存在薄弱环节。区委大抓基层的导向不够鲜明的问题"
    statuses = overall(scored).indicator_statuses
    assert (statuses[IndicatorStatus.MET], statuses[IndicatorStatus.NO_DATA]) == (2, 13)
