"""Chart builders are pure: domain data in, figure out. These tests read the figure data."""

from __future__ import annotations

import datetime

import plotly.graph_objects as go
import pytest

from charts.completion import completion_by_group, status_breakdown, unit_ranking
from charts.groups import problem_label
from charts.indicator import bullet, history
from charts.matrix import task_status_matrix
from metrics.contract import Direction, TaskStatus
from metrics.model import Indicator, Meta, Observation
from metrics.scoring.progress import IndicatorProgress, IndicatorStatus, Scored, score_indicator
from metrics.scoring.rollup import by_category, by_lead_unit, by_problem, overall
from metrics.values.units import parse_unit
from report.palette import FONT_FAMILY, INDICATOR_SWATCHES, TASK_STATUS_SWATCHES


def indicator(scored: Scored, indicator_id: str) -> IndicatorProgress:
    return next(ip for ip in scored.indicators if ip.indicator.id == indicator_id)


def shape_xs(fig: go.Figure, kind: str = "line") -> list[float]:
    return [s.x0 for s in fig.layout.shapes if s.type == kind]


def test_status_breakdown_counts_and_colours(scored: Scored) -> None:
    fig = status_breakdown(overall(scored))
    segments = {trace.name: (trace.x[0], trace.marker.color) for trace in fig.data}
    assert segments == {
        TASK_STATUS_SWATCHES[TaskStatus.DONE].tag: (
            29,
            TASK_STATUS_SWATCHES[TaskStatus.DONE].colour,
        ),
        TASK_STATUS_SWATCHES[TaskStatus.ONGOING].tag: (
            1,
            TASK_STATUS_SWATCHES[TaskStatus.ONGOING].colour,
        ),
        TASK_STATUS_SWATCHES[TaskStatus.IN_PROGRESS].tag: (
            5,
            TASK_STATUS_SWATCHES[TaskStatus.IN_PROGRESS].colour,
        ),
    }
    assert [trace.text[0] for trace in fig.data] == ["29项", "1项", "5项"]


def test_completion_by_category(scored: Scored) -> None:
    groups = by_category(scored)
    (bar,) = completion_by_group(groups).data
    assert list(bar.x) == pytest.approx([100 * 10 / 13, 100 * 11 / 13, 100.0])
    assert list(bar.text) == ["10/13 · 76.9%", "11/13 · 84.6%", "9/9 · 100.0%"]
    assert list(bar.customdata) == [g.key for g in groups]  # full names on hover


def test_problem_labels_keep_equal_numbers_apart(scored: Scored) -> None:
    labels = [problem_label(g) for g in by_problem(scored)]
    assert len(labels) == 12 and len(set(labels)) == 12
    assert labels[0].startswith("一·1.") and labels[-1].startswith("三·3.")
    (bar,) = completion_by_group(by_problem(scored), label=problem_label).data
    assert list(bar.y) == labels
    assert bar.textposition[2] == "outside" and bar.text[2] == "0/2 · 0.0%"  # 0 % still shows


def test_unit_ranking_numbers_the_ranked_units(scored: Scored) -> None:
    groups = by_lead_unit(scored)
    (bar,) = unit_ranking(groups).data
    assert bar.y[0].startswith("1. ")
    assert list(bar.x) == sorted(bar.x, reverse=True)
    # Equal rates share a rank: five units at 100 % are all "1.", the next is "6.".
    assert [label.split(".")[0] for label in bar.y] == ["1", "1", "1", "1", "1", "6"]


def test_bullet_lower_is_better_met(scored: Scored) -> None:
    pm = indicator(scored, "T06-04")
    assert (pm.value, pm.indicator.target, pm.status) == (52, 54, IndicatorStatus.MET)
    fig = bullet(pm)
    (bar,) = fig.data
    assert bar.base[0] + bar.x[0] == pytest.approx(52)
    assert bar.marker.color == INDICATOR_SWATCHES[IndicatorStatus.MET].colour
    assert 54 in shape_xs(fig)  # the target marker
    assert fig.layout.xaxis.title.text == "微克/立方米"
    assert any(a.text == "目标 54微克/立方米" for a in fig.layout.annotations)


def test_bullet_expected_marker_for_the_investment(scored: Scored) -> None:
    money = indicator(scored, "T05-04")
    fig = bullet(money)
    assert money.expected is not None
    lines = shape_xs(fig)
    assert 211 in lines
    assert any(x == pytest.approx(money.expected * 211) for x in lines)
    assert fig.data[0].marker.color == INDICATOR_SWATCHES[money.status].colour
    bands = [s for s in fig.layout.shapes if s.type == "rect"]
    assert len(bands) == 3


def test_bullet_needs_a_target_and_a_value(scored: Scored) -> None:
    with pytest.raises(ValueError, match="target"):
        bullet(indicator(scored, "T09-01"))  # 仅监测: no target
    planned = next(ip for ip in scored.indicators if ip.status is IndicatorStatus.NO_DATA)
    with pytest.raises(ValueError):
        bullet(planned)


def test_history_line_with_target() -> None:
    meta = Meta("t", "o", datetime.date(2021, 5, 31), datetime.date(2021, 2, 4))
    ind = Indicator(
        "X",
        1,
        "学位",
        parse_unit("个"),
        Direction.HIGHER_IS_BETTER,
        target=100.0,
        target_date=datetime.date(2021, 12, 31),
    )
    obs = (
        Observation("X", datetime.date(2021, 3, 31), 20.0),
        Observation("X", datetime.date(2021, 5, 31), 45.0, approximate=True),
    )
    fig = history(score_indicator(ind, obs, meta))
    (line,) = fig.data
    assert list(line.y) == [20.0, 45.0]
    assert list(line.marker.color)[1] == "#ffffff"  # approximate: hollow marker
    assert [s.y0 for s in fig.layout.shapes] == [100.0]
    with pytest.raises(ValueError):
        history(score_indicator(ind, obs[:1], meta))


def test_task_status_matrix(scored: Scored) -> None:
    fig = task_status_matrix(scored)
    assert len(fig.layout.yaxis.categoryarray) == 35
    cells = {
        (trace.name, y): int(text)
        for trace in fig.data
        for y, text in zip(trace.y, trace.text, strict=True)
    }
    met = INDICATOR_SWATCHES[IndicatorStatus.MET]
    assert cells[(met.tag, "（6）生态环境保护不够有力")] == 2
    for trace in fig.data:
        status = next(s for s, sw in INDICATOR_SWATCHES.items() if sw.tag == trace.name)
        assert trace.marker.color == INDICATOR_SWATCHES[status].colour
    assert sum(cells.values()) == 121


def test_every_figure_uses_the_chinese_font_and_nothing_external(scored: Scored) -> None:
    figures = [
        status_breakdown(overall(scored)),
        completion_by_group(by_category(scored)),
        bullet(indicator(scored, "T05-04")),
        task_status_matrix(scored),
    ]
    for fig in figures:
        assert fig.layout.font.family == FONT_FAMILY
        text = fig.to_json()
        assert "mapbox" not in text and "mathjax" not in text.lower()
        assert "https://" not in text and "http://" not in text
