"""Chart builders, read through the figure data (no browser): values, colours, labels."""

from __future__ import annotations

import datetime
import json

import plotly.graph_objects as go
import pytest

from charts.completion import (
    LABEL_CHARS,
    PHONE_CHART_WIDTH,
    completion_by_group,
    status_breakdown,
    unit_ranking,
)
from charts.groups import problem_label
from charts.indicator import bullet, history
from charts.matrix import task_status_matrix
from charts.style import PLOTLY_CONFIG, base_layout
from metrics.contract import Direction, TaskStatus
from metrics.model import Indicator, Meta, Observation
from metrics.scoring.progress import IndicatorProgress, IndicatorStatus, Scored, score_indicator
from metrics.scoring.rollup import (
    Completion,
    Group,
    Overall,
    by_category,
    by_lead_unit,
    by_problem,
    overall,
)
from metrics.values.text import shorten
from metrics.values.units import parse_unit
from report.palette import (
    BAND_SHADES,
    BLUE,
    FONT_FAMILY,
    INDICATOR_SWATCHES,
    INK,
    TASK_STATUS_SWATCHES,
)
from report.text_width import text_em

META = Meta("测试", "测试区委", datetime.date(2021, 5, 31), datetime.date(2021, 2, 4))


def indicator(scored: Scored, indicator_id: str) -> IndicatorProgress:
    return next(ip for ip in scored.indicators if ip.indicator.id == indicator_id)


def made(
    observations: list[tuple[datetime.date, float, bool]],
    *,
    direction: Direction = Direction.HIGHER_IS_BETTER,
    unit: str = "个",
    baseline: float | None = None,
    target: float | None = 100.0,
    target_date: datetime.date | None = datetime.date(2021, 12, 31),
) -> IndicatorProgress:
    ind = Indicator(
        "X01",
        1,
        "新增学位",
        parse_unit(unit),
        direction,
        baseline=baseline,
        target=target,
        target_date=target_date,
    )
    history_ = tuple(Observation("X01", d, v, approximate=a) for d, v, a in observations)
    return score_indicator(ind, history_, META)


def lines(fig: go.Figure) -> list[go.layout.Shape]:
    return [s for s in fig.layout.shapes if s.type == "line"]


def bands(fig: go.Figure) -> list[tuple[float, float, str]]:
    """(x0, x1, colour) of the bullet chart's background bands, left to right."""
    rects = [s for s in fig.layout.shapes if s.type == "rect"]
    return sorted((s.x0, s.x1, s.fillcolor) for s in rects)


def annotation_texts(fig: go.Figure) -> list[str]:
    return [a.text for a in fig.layout.annotations]


# -- style ---------------------------------------------------------------------------------


def test_base_layout_fits_a_phone() -> None:
    fig = base_layout(go.Figure(go.Bar(x=[1], y=["a"])), title="标题", height=200)
    layout = fig.layout
    assert layout.font.family == FONT_FAMILY and layout.font.color == INK
    assert layout.paper_bgcolor == layout.plot_bgcolor == "#ffffff"
    assert layout.separators == ".,"
    assert layout.margin.l <= 12 and layout.margin.r <= 12
    assert layout.legend.orientation == "h" and layout.legend.yanchor == "top"
    assert layout.hoverlabel.font.family == FONT_FAMILY
    assert layout.title.text == "标题" and layout.height == 200
    assert layout.xaxis.fixedrange and layout.yaxis.fixedrange  # a finger scrolls the page
    assert base_layout(go.Figure()).layout.title.text is None


def test_plotly_config_is_offline_and_plain() -> None:
    assert PLOTLY_CONFIG["displaylogo"] is False and PLOTLY_CONFIG["responsive"] is True
    removed = set(PLOTLY_CONFIG["modeBarButtonsToRemove"])
    assert {"lasso2d", "select2d", "autoScale2d", "zoom2d", "pan2d"} <= removed
    assert PLOTLY_CONFIG["toImageButtonOptions"]["format"] == "png"
    assert PLOTLY_CONFIG["toImageButtonOptions"]["scale"] == 2
    assert PLOTLY_CONFIG["typesetMath"] is False
    text = json.dumps(PLOTLY_CONFIG)
    assert "http" not in text and "mapbox" not in text.lower()
    # Chart Studio options were removed in plotly.js 4: passing them only warns.
    assert not {"showLink", "linkText", "sendData", "mapboxAccessToken"} & set(PLOTLY_CONFIG)


def test_shorten_keeps_the_number_and_marks_the_cut() -> None:
    assert shorten("1.理论指导实践有差距", LABEL_CHARS) == "1.理论指导实践有差距"
    cut = shorten("（一）学习贯彻习近平新时代中国特色社会主义思想不够深入", LABEL_CHARS)
    assert cut.startswith("（一）学习") and cut.endswith("…") and len(cut) == 14


# -- completion ----------------------------------------------------------------------------


def test_status_breakdown_segments(scored: Scored) -> None:
    fig = status_breakdown(overall(scored))
    done, ongoing, in_progress = (
        TASK_STATUS_SWATCHES[s]
        for s in (TaskStatus.DONE, TaskStatus.ONGOING, TaskStatus.IN_PROGRESS)
    )
    assert [t.name for t in fig.data] == [
        TASK_STATUS_SWATCHES[TaskStatus.DONE].tag,
        TASK_STATUS_SWATCHES[TaskStatus.ONGOING].tag,
        TASK_STATUS_SWATCHES[TaskStatus.IN_PROGRESS].tag,
    ]  # 未启动 has no task: no segment, no legend entry
    assert [t.x[0] for t in fig.data] == [29, 1, 5]  # 30 complete = 29 已完成 + 1 长期坚持
    assert [t.marker.color for t in fig.data] == [
        TASK_STATUS_SWATCHES[s].colour
        for s in (TaskStatus.DONE, TaskStatus.ONGOING, TaskStatus.IN_PROGRESS)
    ]
    assert [t.text[0] for t in fig.data] == ["29项", "1项", "5项"]
    assert fig.layout.barmode == "stack" and list(fig.layout.xaxis.range) == [0, 35]
    assert fig.layout.showlegend and fig.layout.legend.orientation == "h"
    # "1项" does not fit its sliver of the bar: it is written just above instead.
    assert fig.data[1].textposition == "none" and "1项" in annotation_texts(fig)
    assert fig.data[0].textposition == "inside"
    assert 120 <= fig.layout.height <= 160
    assert {done.label, ongoing.label, in_progress.label} == {"已完成", "长期坚持", "正在整改"}


def test_status_breakdown_shows_not_started_in_its_colour() -> None:
    whole = Overall(Completion(10, 4, 4, 0, 3, 3, 0), {}, {})
    fig = status_breakdown(whole)
    not_started = TASK_STATUS_SWATCHES[TaskStatus.NOT_STARTED]
    assert [t.x[0] for t in fig.data] == [4, 3, 3]
    assert fig.data[-1].name == not_started.tag
    assert fig.data[-1].marker.color == not_started.colour
    assert not fig.layout.annotations  # every segment holds its own label


def test_completion_by_group_values_and_labels(scored: Scored) -> None:
    groups = by_category(scored)
    fig = completion_by_group(groups, title="分方面")
    (bar,) = fig.data
    assert bar.orientation == "h" and bar.marker.color == BLUE
    assert list(bar.x) == pytest.approx([100 * (g.completion.rate or 0) for g in groups])
    assert list(bar.text) == ["10/13 · 76.9%", "11/13 · 84.6%", "9/9 · 100.0%"]
    assert list(bar.y) == [shorten(g.key, LABEL_CHARS) for g in groups]
    assert all(len(label) <= 14 and label[0] == "(" for label in bar.y)
    assert all(g.key in hover for g, hover in zip(groups, bar.hovertext, strict=True))
    assert fig.layout.yaxis.autorange == "reversed"  # the first group on top
    assert list(fig.layout.xaxis.range) == [0, 100]
    assert fig.layout.xaxis.title.text == "完成率（%）"
    assert fig.layout.title.text == "分方面"


def test_completion_by_group_height_grows_with_the_bars(scored: Scored) -> None:
    three = completion_by_group(by_category(scored)).layout.height
    twelve = completion_by_group(by_problem(scored)).layout.height
    assert twelve - three == pytest.approx(9 * 28, abs=9 * 4)


def test_completion_by_group_keeps_equal_labels_apart(scored: Scored) -> None:
    groups = by_problem(scored)[:3]
    (bar,) = completion_by_group(groups, label=lambda g: "同名").data
    assert len(set(bar.y)) == 3  # three bars, not one
    assert [y.strip("\u200b") for y in bar.y] == ["同名"] * 3


def test_completion_text_inside_long_bars_beside_short_ones(scored: Scored) -> None:
    (bar,) = completion_by_group(by_problem(scored)).data
    for x, position in zip(bar.x, bar.textposition, strict=True):
        assert position == ("inside" if x >= 55 else "outside")


def test_unit_ranking(scored: Scored) -> None:
    groups = by_lead_unit(scored)
    (bar,) = unit_ranking(groups).data
    assert bar.y[0] == "1. 区委"
    assert bar.y[-1] == "6. （未填写）"
    assert list(bar.x) == pytest.approx([100 * (g.completion.rate or 0) for g in groups])


# -- bullet --------------------------------------------------------------------------------


def test_bullet_pm25_lower_is_better(scored: Scored) -> None:
    pm = indicator(scored, "T06-04")
    assert pm.indicator.direction is Direction.LOWER_IS_BETTER and pm.baseline is None
    fig = bullet(pm)
    (bar,) = fig.data
    assert bar.x[0] == 52 and bar.base[0] == 0
    assert bar.marker.color == INDICATOR_SWATCHES[IndicatorStatus.MET].colour
    assert bar.text[0] == "52微克/立方米"
    assert [s.x0 for s in lines(fig)] == [54]  # the target; no 序时 marker once met
    assert [(s.x0, s.x1) for s in lines(fig)] == [(54, 54)]
    assert "目标 54微克/立方米" in annotation_texts(fig)
    # Low values are the good side: light up to the target, dark past it.
    (good, poor) = bands(fig)
    assert good[:2] == (0, 54) and good[2] == BAND_SHADES[0]
    assert poor[0] == 54 and poor[2] == BAND_SHADES[-1]
    low, high = fig.layout.xaxis.range
    assert low == 0 and high == pytest.approx(54 * 1.1)
    assert fig.layout.xaxis.title.text == "微克/立方米"
    assert not fig.layout.showlegend
    hover = bar.hovertext[0]
    assert "2020年12月31日" in hover and "✔ 已达标" in hover and pm.reason in hover


def test_bullet_investment_expected_marker(scored: Scored) -> None:
    money = indicator(scored, "T05-04")
    assert money.expected is not None
    assert money.expected == pytest.approx(0.41, abs=0.01)
    fig = bullet(money)
    (bar,) = fig.data
    assert bar.x[0] == pytest.approx(87.6) and bar.text[0] == "87.6亿元"
    assert bar.marker.color == INDICATOR_SWATCHES[IndicatorStatus.ON_TRACK].colour
    target, expected = lines(fig)
    assert target.x0 == 211 and target.line.width > expected.line.width
    assert expected.x0 == pytest.approx(0 + money.expected * 211)
    assert expected.line.dash in ("dot", "dash")
    assert "序时" in annotation_texts(fig) and "目标 211亿元" in annotation_texts(fig)
    # Higher is better: dark far below the target, light from 95 % of the way.
    shades = bands(fig)
    assert [c for _, _, c in shades] == [BAND_SHADES[2], BAND_SHADES[1], BAND_SHADES[0]]
    assert shades[0][1] == pytest.approx(0.6 * 211)
    assert shades[1][1] == pytest.approx(0.95 * 211)
    assert fig.layout.xaxis.range[1] == pytest.approx(211 * 1.1)
    assert fig.layout.xaxis.title.text == "亿元"
    assert 110 <= fig.layout.height <= 130


def test_bullet_lower_is_better_with_baseline() -> None:
    ip = made(
        [(datetime.date(2021, 5, 31), 62.0, False)],
        direction=Direction.LOWER_IS_BETTER,
        unit="件",
        baseline=80.0,
        target=20.0,
    )
    assert ip.expected is not None and ip.status is IndicatorStatus.BEHIND
    fig = bullet(ip)
    assert fig.data[0].marker.color == INDICATOR_SWATCHES[IndicatorStatus.BEHIND].colour
    shades = bands(fig)
    assert [c for _, _, c in shades] == [BAND_SHADES[0], BAND_SHADES[1], BAND_SHADES[2]]
    assert shades[0][1] == pytest.approx(80 - 0.95 * 60)  # light up to 95 % of the way
    _, expected = lines(fig)
    assert 20 < expected.x0 < 80
    assert expected.x0 == pytest.approx(80 - ip.expected * 60)
    assert fig.layout.xaxis.range[0] == 0  # the axis still reads left to right in value


def test_bullet_approximate_value_and_short_bar() -> None:
    ip = made([(datetime.date(2021, 5, 31), 3.0, True)], target=1000.0)
    (bar,) = bullet(ip).data
    assert bar.text[0] == "约3个"
    assert bar.textposition == "outside"  # no room inside a 0.3 % bar


def test_bullet_needs_target_and_value(scored: Scored) -> None:
    with pytest.raises(ValueError):
        bullet(indicator(scored, "T09-01"))  # 仅监测, no target
    with pytest.raises(ValueError):
        bullet(indicator(scored, "T09-08"))  # a target but no figure yet
    with pytest.raises(ValueError):
        bullet(made([(datetime.date(2021, 5, 31), 3.0, False)], target=None))


def test_every_charted_indicator_draws(scored: Scored) -> None:
    charted = [ip for ip in scored.indicators if ip.indicator.target and ip.latest]
    assert len(charted) == 5
    for ip in charted:
        fig = bullet(ip)
        assert fig.data[0].marker.color == INDICATOR_SWATCHES[ip.status].colour
        low, high = fig.layout.xaxis.range
        for shape in fig.layout.shapes:
            assert low <= shape.x0 <= high and low <= shape.x1 <= high


# -- history -------------------------------------------------------------------------------


def test_history_line_target_and_hollow_approximate_markers() -> None:
    ip = made(
        [
            (datetime.date(2021, 3, 31), 20.0, False),
            (datetime.date(2021, 4, 30), 31.0, True),
            (datetime.date(2021, 5, 31), 45.0, False),
        ],
        target=13050.0,
    )
    fig = history(ip)
    (line,) = fig.data
    assert list(line.x) == ["2021-03-31", "2021-04-30", "2021-05-31"]
    assert list(line.y) == [20.0, 31.0, 45.0]
    colour = INDICATOR_SWATCHES[ip.status].colour
    assert list(line.marker.color) == [colour, "#ffffff", colour]
    assert line.marker.line.color == colour
    assert list(line.text) == ["20个", "约31个", "45个"]
    assert list(line.customdata) == ["2021年3月31日", "2021年4月30日", "2021年5月31日"]
    (target,) = fig.layout.shapes
    assert target.y0 == target.y1 == 13050.0 and target.line.dash == "dash"
    texts = annotation_texts(fig)
    assert "目标 13050个（2021年12月31日前）" in texts
    assert "单位：个" in texts
    assert fig.layout.xaxis.type == "date"
    assert any(stop.value == "%Y年%-m月" for stop in fig.layout.xaxis.tickformatstops)
    assert fig.layout.yaxis.exponentformat == "none"  # the digits, never "13k"


def test_history_without_target_has_no_target_line() -> None:
    ip = made(
        [(datetime.date(2021, 3, 31), 2.0, False), (datetime.date(2021, 5, 31), 5.0, False)],
        target=None,
    )
    fig = history(ip)
    assert not fig.layout.shapes
    assert annotation_texts(fig) == ["单位：个"]


def test_history_needs_two_observations() -> None:
    with pytest.raises(ValueError):
        history(made([(datetime.date(2021, 5, 31), 2.0, False)]))
    with pytest.raises(ValueError):
        history(made([]))


# -- matrix --------------------------------------------------------------------------------


def test_task_status_matrix(scored: Scored) -> None:
    fig = task_status_matrix(scored)
    rows = list(fig.layout.yaxis.categoryarray)
    assert len(rows) == 35
    assert rows[8] == "（9）回迁安置进展缓慢"
    for row, tp in zip(rows, scored.tasks, strict=True):
        assert row.startswith(f"（{tp.task.id}）")
    assert list(fig.layout.xaxis.categoryarray) == [
        INDICATOR_SWATCHES[s].label for s in IndicatorStatus
    ]
    assert fig.layout.xaxis.side == "top"
    assert all(t.type == "scatter" for t in fig.data)  # exact colours, no colour bar
    cells: dict[tuple[IndicatorStatus, str], int] = {}
    for status, trace in zip(IndicatorStatus, fig.data, strict=True):
        swatch = INDICATOR_SWATCHES[status]
        assert trace.name == swatch.tag and trace.marker.color == swatch.colour
        assert set(trace.x) <= {swatch.label}
        cells.update({(status, y): int(n) for y, n in zip(trace.y, trace.text, strict=True)})
    assert sum(cells.values()) == len(scored.indicators)
    assert cells[(IndicatorStatus.NOT_ASSESSABLE, "（9）回迁安置进展缓慢")] == 1
    assert cells[(IndicatorStatus.NO_DATA, "（10）公办教育发展滞后")] == 7
    # A task without indicators is an empty row: listed, but in no cell.
    empty = next(row for row, tp in zip(rows, scored.tasks, strict=True) if not tp.indicators)
    assert empty in rows and all(row != empty for _, row in cells)
    assert fig.layout.height >= 35 * 20


# -- every figure --------------------------------------------------------------------------


def all_figures(scored: Scored) -> list[go.Figure]:
    ip = made([(datetime.date(2021, 3, 31), 20.0, False), (datetime.date(2021, 5, 31), 45.0, True)])
    return [
        status_breakdown(overall(scored)),
        completion_by_group(by_category(scored), title="分方面完成率"),
        completion_by_group(by_problem(scored)),
        unit_ranking(by_lead_unit(scored)),
        bullet(indicator(scored, "T05-04")),
        bullet(indicator(scored, "T06-04")),
        history(ip),
        task_status_matrix(scored),
    ]


def test_every_figure_shares_the_look_and_loads_nothing(scored: Scored) -> None:
    for fig in all_figures(scored):
        layout = fig.layout
        assert layout.font.family == FONT_FAMILY and layout.font.color == INK
        assert layout.paper_bgcolor == "#ffffff" and layout.separators == ".,"
        if layout.yaxis.automargin is False:  # margins reserved for the labels up front
            assert layout.margin.l + layout.margin.r <= PHONE_CHART_WIDTH - 150  # plot ≥ 150 px
        else:
            assert layout.margin.l <= 12 and layout.margin.r <= 12
        assert layout.dragmode is False
        text = fig.to_json()
        assert "http" not in text  # no URL at all: no CDN, tiles or fonts
        assert "mapbox" not in text and "mathjax" not in text.lower()
        assert all(trace.type in ("bar", "scatter") for trace in fig.data)  # no colour bar


def test_completion_bars_reserve_room_for_their_labels_on_a_phone(scored: Scored) -> None:
    """No automargin (plotly would draw the chart twice): the left margin holds every
    label, and on a 390 px phone every "a/b · r%" beside a short bar ends inside the
    chart."""
    city = [  # a city's 方面: rates near the middle, long counts beside the bars
        Group(
            f"（{n}）落实新时代党的组织路线方针政策",
            Completion(
                total=total,
                completed=done,
                done=done,
                ongoing=0,
                in_progress=total - done,
                not_started=0,
                overdue=0,
            ),
            (),
            {},
        )
        for n, (done, total) in zip("一二三", ((113, 227), (103, 227), (122, 243)), strict=True)
    ]
    cases = ((by_problem(scored), problem_label), (by_category(scored), None), (city, None))
    for groups, label in cases:
        fig = completion_by_group(groups, label=label)
        layout = fig.layout
        assert layout.yaxis.automargin is False and layout.xaxis.automargin is False
        bar = fig.data[0]
        labels = [label(g) if label else shorten(g.key.strip(), LABEL_CHARS) for g in groups]
        widest = max(text_em(text, cjk_font=True) for text in labels) * 12
        assert layout.margin.l >= 10 + widest
        plot = PHONE_CHART_WIDTH - layout.margin.l - layout.margin.r
        for rate, text, where in zip(bar.x, bar.text, bar.textposition, strict=True):
            if where == "outside":
                end = rate / 100 * plot + 4 + text_em(text, cjk_font=True) * 12
                assert end <= plot + layout.margin.r, (text, end, plot)
    wide = completion_by_group(by_category(scored), label=lambda g: "（一）" + "长" * 13 + "…")
    assert wide.layout.margin.l >= 10 + 17 * 12  # "…" drawn one em wide in a CJK font
