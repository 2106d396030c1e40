"""One self-contained HTML file: the overview and every selected issue with its charts.

plotly.js is embedded from the installed plotly package, so the file opens on a
machine without network access and references no external URL. Printing it from a
browser gives one issue per page (CSS page breaks), charts never split across pages.

Each issue lists every one of its indicators in a table (name, value, date, target,
status, note, source) and its measures and note in full; the bullet and history
charts come after. Given the supervision warnings, the 督办 colours are there too, in
symbol and word (never colour alone): the count of each colour beside the headline
figures, a table of the coloured tasks (most urgent first, with the rules that gave
their colour, as the dashboard's tasks table words them), and on each issue and in the
contents. Every piece of workbook text goes through ``_e``
(``report.literal.html_text``); the charts are the dashboard's own figures (``charts``,
whose text is escaped for plotly there), embedded as plotly JSON.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import plotly.graph_objects as go

from briefing.images import local_plotly_js
from charts.completion import completion_by_group, status_breakdown
from charts.indicator import bullet, history
from metrics.scoring.headline import chinese_date, headline
from metrics.scoring.progress import IndicatorProgress, IndicatorStatus, Scored, TaskProgress
from metrics.scoring.rollup import by_category, overall
from metrics.scoring.scope import Scope
from metrics.supervision.model import TaskWarning
from report.first_screen import colour_groups
from report.headline_cards import headline_cards, met_note
from report.literal import html_text
from report.palette import INK, MUTED, ROW_BAND, RULE
from report.status import badge
from report.supervision import reasons_cell, warning_cell
from report.views import (
    WARNING_COLUMN,
    WARNING_REASONS_COLUMN,
    attention_items,
    coloured_task_table,
    summary_paragraph,
    warnings_of_tasks,
)
from report.wording import NOT_FILLED, deadline_text, iso_day, lead_unit, target_cell, value_text

CHART_CONFIG = {"displayModeBar": False, "responsive": True, "staticPlot": True}

STYLE = f"""
body {{ font-family: "Noto Sans CJK SC", "Microsoft YaHei", "PingFang SC", sans-serif;
       color: {INK}; max-width: 1100px; margin: 0 auto; padding: 24px; line-height: 1.6; }}
h1 {{ font-size: 26px; margin-bottom: 4px; }} h2 {{ font-size: 21px; margin-top: 28px; }}
h3 {{ font-size: 17px; margin: 18px 0 6px; }}
.meta {{ color: {MUTED}; font-size: 14px; }}
.cards {{ display: flex; flex-wrap: wrap; gap: 12px; margin: 16px 0; }}
.card {{ border: 1px solid {RULE}; border-radius: 8px; padding: 10px 16px; min-width: 130px; }}
.card .label {{ font-size: 13px; color: {MUTED}; }} .card .value {{ font-size: 26px; }}
.crumb {{ color: {MUTED}; font-size: 13px; }}
table {{ border-collapse: collapse; width: 100%; font-size: 13px; margin: 8px 0; }}
th, td {{ border: 1px solid {RULE}; padding: 4px 8px; text-align: left; vertical-align: top; }}
th {{ background: {ROW_BAND}; }}
.chart {{ break-inside: avoid; page-break-inside: avoid; margin: 8px 0; }}
section.issue {{ break-before: page; page-break-before: always; }}
.source {{ color: {MUTED}; font-size: 12px; }}
.measures {{ white-space: pre-line; }}
@media print {{ body {{ padding: 0; max-width: none; }} a {{ color: inherit; }} }}
"""


Warnings = Mapping[int, TaskWarning]
COLOURED_TASK_COLUMNS = (
    "编号",
    "任务",
    WARNING_COLUMN,
    WARNING_REASONS_COLUMN,
    "牵头单位",
    "整改时限",
)


def build_html(
    scored: Scored, scope: Scope, *, version: str, warnings: Warnings | None = None
) -> str:
    """Figures, charts and summary describe the scope's tasks only. ``warnings``: the
    supervision colours (computed by the caller); None leaves the 督办 parts out."""
    scored = scope.apply(scored)
    tasks = scored.tasks
    figures = headline(scored)
    meta = scored.meta
    head = (
        "<!DOCTYPE html><html lang='zh-CN'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"<title>{_e(figures.title)}（{_e(scope.label())}）</title>"
        f"<style>{STYLE}</style>"
        f"<script>{_plotly_js()}</script></head><body>"
    )
    parts = [
        head,
        f"<h1>{_e(figures.title)}</h1>",
        f"<p class='meta'>{_e(meta.organisation)}　·　数据截至 {_e(chinese_date(meta.as_of))}"
        f"　·　数据版本 {_e(version)}　·　范围：{_e(scope.label())}</p>",
        _cards(scored),
        _colour_counts(scored, warnings),
        f"<p>{_e(summary_paragraph(scored))}</p>",
        "<h2>任务状态</h2>",
        _chart(status_breakdown(overall(scored))),
        "<h2>分方面完成情况</h2>",
        _chart(completion_by_group(by_category(scored))),
        _coloured_tasks(scored, warnings),
        _attention(scored, {tp.task.id for tp in tasks}),
        "<h2>目录</h2><ol>",
        *(
            f"<li><a href='#task-{tp.task.id}'>（{tp.task.id}）{_e(tp.task.title)}</a>"
            f"{_warning_badge(warnings, tp.task.id, '　')}</li>"
            for tp in tasks
        ),
        "</ol>",
        *(_issue(tp, scored, warnings) for tp in tasks),
        "</body></html>",
    ]
    return "".join(parts)


def _plotly_js() -> str:
    # "</script" cannot appear inside an inline script; plotly.min.js has none today.
    return local_plotly_js().read_text(encoding="utf-8").replace("</script", "<\\/script")


def _e(text: object) -> str:
    """Workbook (or any) text as HTML element content or a quoted attribute value."""
    return html_text(text)


def _cards(scored: Scored) -> str:
    """The headline cards (``report.headline_cards``) and the remark under them."""
    figures = headline(scored)
    body = "".join(
        f"<div class='card'><div class='label'>{_e(card.label)}</div>"
        f"<div class='value'>{_e(card.value)}</div></div>"
        for card in headline_cards(figures)
    )
    note = met_note(figures)
    remark = f"<p class='meta'>{_e(note)}</p>" if note else ""
    return f"<div class='cards'>{body}</div>{remark}"


def _colour_counts(scored: Scored, warnings: Warnings | None) -> str:
    """ "督办：[● 红色 2 项] [▲ 黄色 0 项] [■ 蓝色 1 项]" under the headline cards: badges
    with symbol, word and count, as the overview's first screen heads them."""
    if warnings is None:
        return ""
    groups = colour_groups(scored, warnings_of_tasks(scored, warnings))
    shown = "　".join(badge(group.colour, group.heading) for group in groups)
    return f"<p class='duban'>{_e(WARNING_COLUMN)}：{shown}</p>"


def _coloured_tasks(scored: Scored, warnings: Warnings | None) -> str:
    """The coloured tasks, red first, with the rule(s) that gave each its colour."""
    if warnings is None:
        return ""
    table = coloured_task_table(scored, warnings)
    if table.empty:
        return "<h2>督办任务</h2><p>所选范围内没有红色、黄色或蓝色督办的任务。</p>"
    head = "".join(f"<th>{_e(name)}</th>" for name in COLOURED_TASK_COLUMNS)
    rows = []
    for row in table.itertuples(index=False):
        cells = dict(zip(table.columns, row, strict=True))
        task_id = int(cells["编号"])
        rows.append(
            "<tr>"
            f"<td>{task_id}</td>"
            f"<td><a href='#task-{task_id}'>{_e(cells['任务'])}</a></td>"
            f"<td>{_warning_badge(warnings, task_id)}</td>"
            f"<td>{_e(cells[WARNING_REASONS_COLUMN])}</td>"
            f"<td>{_e(cells['牵头单位'])}</td><td>{_e(cells['整改时限'])}</td>"
            "</tr>"
        )
    return f"<h2>督办任务</h2><table><tr>{head}</tr>{''.join(rows)}</table>"


def _warning_badge(warnings: Warnings | None, task_id: int, before: str = "") -> str:
    """The task's 督办 colour as a badge ("● 红色"), or "" without one."""
    warning = warnings.get(task_id) if warnings is not None else None
    if warning is None:
        return ""
    return before + badge(warning.colour, warning_cell(warning))


def _chart(figure: go.Figure) -> str:
    """The dashboard's own figure, static (headings name it), at its own height."""
    div = figure.to_html(
        full_html=False,
        include_plotlyjs=False,
        include_mathjax=False,
        config=CHART_CONFIG,
        default_height=f"{int(figure.layout.height or 400)}px",
    )
    return f"<div class='chart'>{div}</div>"


def _attention(scored: Scored, task_ids: set[int]) -> str:
    items = [item for item in attention_items(scored) if item.task_id in task_ids]
    if not items:
        return "<h2>需关注</h2><p>没有未完成的任务，也没有进度滞后的指标。</p>"
    rows = "".join(
        f"<li>{badge(item.status)}　{_e(item.kind)}：{_e(item.text)}</li>" for item in items
    )
    return f"<h2>需关注</h2><ul>{rows}</ul>"


def _issue(tp: TaskProgress, scored: Scored, warnings: Warnings | None = None) -> str:
    t = tp.task
    warning = warnings.get(t.id) if warnings is not None else None
    parts = [
        f"<section class='issue' id='task-{t.id}'>",
        f"<p class='crumb'>{_e(t.category)} › {_e(t.problem)}</p>",
        f"<h2>（{t.id}）{_e(t.title)}</h2>",
        f"<p>{badge(t.status)}　{badge(tp.colour)}"
        f"{_warning_badge(warnings, t.id, f'　{WARNING_COLUMN}：')}"
        f"　牵头单位：{_e(lead_unit(t))}"
        f"　整改时限：{_e(deadline_text(t, '未定', iso_day))}</p>",
        f"<p class='meta'>{_e(tp.reason)}</p>",
    ]
    if warning is not None:  # the rule(s) that gave the colour, as the tasks table says them
        reasons = _e(reasons_cell(warning))
        parts.append(f"<p class='meta'>{_e(WARNING_REASONS_COLUMN)}：{reasons}</p>")
    parts.append(f"<h3>整改措施</h3><p class='measures'>{_e(t.measures or NOT_FILLED)}</p>")
    if t.note:
        parts.append(f"<p class='meta measures'>备注：{_e(t.note)}</p>")
    if tp.indicators:
        parts.append(f"<h3>指标（共 {len(tp.indicators)} 项）</h3>" + _indicators(tp.indicators))
    charted = [
        ip
        for ip in tp.indicators
        if ip.status is not IndicatorStatus.NO_TARGET and ip.latest is not None
    ]
    for ip in charted:
        parts.append(f"<h3>{_e(ip.indicator.name)}</h3>")
        parts.append(_chart(bullet(ip)))
        if len(ip.history) >= 2:
            parts.append(_chart(history(ip)))
    parts.append("</section>")
    return "".join(parts)


def _indicators(indicators: Iterable[IndicatorProgress]) -> str:
    """Every indicator of a task, in workbook order, with its figures in full."""
    rows = []
    for ip in indicators:
        day = chinese_date(ip.latest.date) if ip.latest else "—"
        rows.append(
            "<tr>"
            f"<td>{_e(ip.indicator.name)}</td><td>{_e(value_text(ip))}</td><td>{_e(day)}</td>"
            f"<td>{_e(target_cell(ip))}</td><td>{badge(ip.status)}</td>"
            f"<td>{_e(ip.indicator.note)}</td>"
            f"<td class='source'>{_e(ip.indicator.source)}</td>"
            "</tr>"
        )
    head = (
        "<tr><th>指标</th><th>数值</th><th>日期</th><th>目标</th><th>状态</th>"
        "<th>说明</th><th>来源</th></tr>"
    )
    return f"<table>{head}{''.join(rows)}</table>"
