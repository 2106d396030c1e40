"""The overview's HTML bars (charts.bars_html): what a reader and a screen reader get."""

from __future__ import annotations

import dataclasses
import re
from html.parser import HTMLParser

from charts.bars_html import completion_list, status_bar, value_text
from charts.groups import problem_ordinal
from metrics.scoring.progress import Scored
from metrics.scoring.rollup import Completion, Group, by_category, by_problem, overall
from report.palette import TASK_STATUS_SWATCHES
from report.text_width import text_em

HOSTILE = '<img src="x" onerror=alert(1)>（一）&amp;'


class Items(HTMLParser):
    """The text of every <li>, the width of every bar fill, every segment's text, and
    whether any element outside the style sheet came from the text itself."""

    def __init__(self) -> None:
        super().__init__()
        self.items: list[str] = []
        self.fills: list[str] = []
        self.segments: list[str] = []
        self.tags: list[str] = []
        self._in: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        found = dict(attrs)
        classes = (found.get("class") or "").split()
        if tag == "li":
            self.items.append("")
            self._in = "li"
        if "zg-fill" in classes:
            width = re.search(r"width: ([\d.]+)%", found.get("style") or "")
            self.fills.append(width.group(1) if width else "?")
        if "zg-seg" in classes:
            self.segments.append("")
            self._in = "seg"

    def handle_endtag(self, tag: str) -> None:
        if tag in ("li", "div"):
            self._in = None

    def handle_data(self, data: str) -> None:
        if self._in == "li":
            self.items[-1] += data
        elif self._in == "seg":
            self.segments[-1] += data


def parsed(fragment: str) -> Items:
    body = fragment.split("</style>", 1)[1]  # the style sheet first, then the chart
    items = Items()
    items.feed(body)
    return items


def completion(total: int, completed: int, in_progress: int = 0) -> Completion:
    return Completion(
        total, completed, completed, 0, in_progress, total - completed - in_progress, 0
    )


def test_status_bar_says_every_status_in_words(scored: Scored) -> None:
    bar = parsed(status_bar(overall(scored).completion))
    assert bar.items == [
        "✔ 已完成 29项（82.9%）",
        "↻ 长期坚持 1项（2.9%）",
        "▲ 正在整改 5项（14.3%）",
        "共35项",
    ]
    # Wide segments carry their count; the 2.9 % one is too narrow and stays empty.
    assert bar.segments == ["29项", "", "5项"]


def test_status_bar_colours_are_the_status_colours(scored: Scored) -> None:
    html = status_bar(overall(scored).completion)
    for status in ("DONE", "IN_PROGRESS"):
        swatch = next(s for k, s in TASK_STATUS_SWATCHES.items() if k.name == status)
        assert f"background: {swatch.colour}; color: {swatch.text_colour}" in html


def test_status_bar_without_tasks() -> None:
    assert parsed(status_bar(completion(0, 0))).items == ["没有任务", "共0项"]


def test_completion_list_names_whole_in_order_with_figures(scored: Scored) -> None:
    problems = by_problem(scored)
    chart = parsed(completion_list(problems, heading="问题", label=problem_ordinal))
    assert len(chart.items) == len(problems) == 12
    for item, group in zip(chart.items, problems, strict=True):
        assert item == problem_ordinal(group) + value_text(group.completion)
    long_name = next(g for g in problems if len(g.key) > 40)  # never cut with "…"
    assert any(long_name.key.strip() in item for item in chart.items)
    categories = parsed(completion_list(by_category(scored), heading="方面"))
    values = ("10/13 · 76.9%", "11/13 · 84.6%", "9/9 · 100.0%")
    ends = [item.endswith(value) for item, value in zip(categories.items, values, strict=True)]
    assert ends == [True] * 3
    assert categories.fills == ["76.9", "84.6", "100.0"]


def test_completion_list_bars_start_empty_and_never_pass_full() -> None:
    groups = [
        Group("无任务", completion(0, 0), (), {}),
        Group("未完成", completion(5, 0, 5), (), {}),
        Group("全部完成", completion(4, 4), (), {}),
    ]
    chart = parsed(completion_list(groups, heading="问题"))
    assert chart.items == ["无任务0/0 · —", "未完成0/5 · 0.0%", "全部完成4/4 · 100.0%"]
    assert chart.fills == ["0.0", "0.0", "100.0"]
    assert parsed(completion_list([], heading="问题")).items == ["没有数据"]


def test_completion_list_value_column_holds_the_widest_figure() -> None:
    groups = [
        Group("甲", completion(227, 113), (), {}),
        Group("乙", completion(3, 1), (), {}),
    ]
    html = completion_list(groups, heading="问题")
    width = float(re.search(r"--zg-value: ([\d.]+)em", html).group(1))  # type: ignore[union-attr]
    assert width >= text_em("113/227 · 49.8%")


def test_workbook_text_is_escaped(scored: Scored) -> None:
    group = dataclasses.replace(by_problem(scored)[0], key=HOSTILE)
    html = completion_list([group], heading=HOSTILE)
    chart = parsed(html)
    assert "img" not in chart.tags
    assert HOSTILE in chart.items[0]  # shown as typed, entity included
    assert 'aria-label="&lt;img src=&quot;x&quot;' in html
