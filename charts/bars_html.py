"""The overview's charts as plain HTML bars: drawn by the browser with the page, no chart
library to load (plotly's 4.7 MB bundle took a fresh browser a second before its first
chart), readable by screen readers, names never cut.

Two builders, both returning an HTML fragment with its own style sheet, for ``st.html``:

- :func:`status_bar`: one bar split by task status (the plotly ``status_breakdown``),
  with a legend that says every count and share in words;
- :func:`completion_list`: a list of groups (方面, 问题), each the whole name, a 0–100 %
  bar and "10/13 · 76.9%" (the plotly ``completion_by_group``).

Every workbook text is escaped here. Colour is never the only signal: the legend and
the figures are text. No plotly import: an import-linter contract keeps it so.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Final

from charts.groups import NARROW_SEGMENT, share_text, status_counts
from metrics.scoring.rollup import Completion, Group
from metrics.scoring.summary import rate_text
from report.literal import html_text
from report.palette import (
    BLUE,
    FONT_FAMILY,
    GRID_COLOUR,
    INK,
    MUTED_INK,
    TASK_STATUS_SWATCHES,
    WHITE,
)
from report.text_width import text_em

VALUE_HEADING: Final = "已完成/任务数"
VALUE_ROOM_EM: Final = 0.5  # beyond the estimated width of the widest "113/227 · 49.8%"

# Selectors of two classes (or a class and an element): they outrank Streamlit's own
# "<generated class> ul { padding-left: 2rem }" and the like.
STYLE: Final = f"""<style>
.zg-chart {{ color: {INK}; font-family: {FONT_FAMILY}; font-size: 0.875rem;
  line-height: 1.35; margin: 0.25rem 0 0.5rem; container-type: inline-size; }}
.zg-stack {{ display: flex; height: 2rem; border-radius: 0.25rem; overflow: hidden; }}
.zg-seg {{ display: flex; align-items: center; justify-content: center; min-width: 2px;
  border-right: 1px solid {WHITE}; white-space: nowrap; overflow: hidden;
  font-size: 0.8125rem; }}
.zg-seg:last-child {{ border-right: none; }}
.zg-chart .zg-legend, .zg-chart .zg-rows {{ list-style: none; margin: 0; padding: 0;
  font-size: inherit; }}
.zg-chart .zg-legend {{ margin-top: 0.4rem; display: flex; flex-wrap: wrap;
  gap: 0.15rem 1.1rem; }}
.zg-chart li {{ margin: 0; padding: 0; font-size: inherit; }}
.zg-legend li {{ white-space: nowrap; }}
.zg-key {{ display: inline-block; width: 0.75em; height: 0.75em; margin-right: 0.3em;
  border-radius: 0.15em; vertical-align: -0.05em; }}
.zg-head, .zg-rows li {{ display: grid; align-items: center; column-gap: 0.75rem;
  grid-template-columns: minmax(0, 1fr) minmax(2.5rem, 1fr) var(--zg-value);
  grid-template-areas: "name bar value"; }}
.zg-head {{ color: {MUTED_INK}; font-size: 0.75rem; padding-bottom: 0.15rem;
  align-items: end; }}
.zg-head .zg-value {{ white-space: normal; }}
.zg-chart .zg-rows li {{ padding: 0.25rem 0; }}
.zg-name {{ grid-area: name; overflow-wrap: anywhere; }}
.zg-track {{ grid-area: bar; height: 0.875rem; background: {GRID_COLOUR};
  border-radius: 0.15rem; overflow: hidden; }}
.zg-fill {{ height: 100%; background: {BLUE}; }}
.zg-value {{ grid-area: value; white-space: nowrap; text-align: right;
  font-variant-numeric: tabular-nums; }}
.zg-head .zg-track {{ background: none; height: auto; overflow: visible; }}
@container (max-width: 32rem) {{
  .zg-head, .zg-rows li {{ grid-template-columns: minmax(0, 1fr) var(--zg-value);
    grid-template-areas: "name value" "bar bar"; row-gap: 0.15rem; }}
  .zg-head .zg-track {{ display: none; }}
  .zg-track {{ height: 0.625rem; }}
}}
</style>"""


def status_bar(c: Completion) -> str:
    """One bar of all tasks split by status, each wide segment labelled "30项"; below it
    a legend, "✔ 已完成 30项（85.7%）", for every status that has a task."""
    present = [(status, n) for status, n in status_counts(c).items() if n]
    segments = []
    legend = []
    for status, count in present:
        swatch = TASK_STATUS_SWATCHES[status]
        label = f"{count}项" if count / c.total >= NARROW_SEGMENT else ""
        segments.append(
            f'<div class="zg-seg" style="flex: {count} 0 0; background: {swatch.colour};'
            f' color: {swatch.text_colour}">{html_text(label)}</div>'
        )
        legend.append(
            f'<li><span class="zg-key" style="background: {swatch.colour}"></span>'
            f"{html_text(swatch.tag)} {count}项（{share_text(count, c.total)}）</li>"
        )
    if not present:
        legend.append("<li>没有任务</li>")
    legend.append(f"<li>共{c.total}项</li>")
    return (
        f'{STYLE}<div class="zg-chart zg-status">'
        f'<div class="zg-stack" aria-hidden="true">{"".join(segments)}</div>'
        f'<ul class="zg-legend">{"".join(legend)}</ul></div>'
    )


def value_text(c: Completion) -> str:
    """ "10/13 · 76.9%": completed of all tasks, and the rate."""
    return f"{c.completed}/{c.total} · {rate_text(c.rate)}"


def completion_list(
    groups: Sequence[Group], *, heading: str, label: Callable[[Group], str] | None = None
) -> str:
    """An item per group, first group on top: its whole name (``label``, default its key),
    a bar of its completion rate on a 0–100 % track, and "10/13 · 76.9%". Wide, the three
    side by side; narrower than 32 rem (a phone), the name and figures above the bar, the
    bar the whole width. Bars of all items are equally long at 100 %."""
    name = label or (lambda g: g.key.strip())
    values = [value_text(g.completion) for g in groups]
    items = []
    for group, value in zip(groups, values, strict=True):
        rate = group.completion.rate
        width = 0.0 if rate is None else round(100 * rate, 1)
        items.append(
            f'<li><span class="zg-name">{html_text(name(group))}</span>'
            f'<span class="zg-track" aria-hidden="true">'
            f'<span class="zg-fill" style="display: block; width: {width}%"></span></span>'
            f'<span class="zg-value">{value}</span></li>'
        )
    if not items:
        items.append('<li><span class="zg-name">没有数据</span></li>')
    value_em = max((text_em(text) for text in values), default=1.0) + VALUE_ROOM_EM
    return (
        f'{STYLE}<div class="zg-chart" style="--zg-value: {math.ceil(value_em * 10) / 10}em">'
        f'<div class="zg-head" aria-hidden="true"><span class="zg-name">{html_text(heading)}</span>'
        '<span class="zg-track">完成率（0–100%）</span>'
        f'<span class="zg-value">{VALUE_HEADING}</span></div>'
        f'<ul class="zg-rows" aria-label="{html_text(heading)}完成情况">{"".join(items)}</ul></div>'
    )
