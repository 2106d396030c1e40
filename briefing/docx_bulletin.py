"""The periodic bulletin (通报): what changed between two versions, in the same layout.

Sections appear only when there is something to say, numbered without gaps:
整改率 then and now; newly completed tasks; tasks reopened and other status changes;
a table of every indicator that moved (before, after, better or worse, target, progress
against target and time elapsed); tasks newly overdue (and no longer overdue); tasks and
indicators added or removed. Everything comes from ``metrics.scoring.bulletin``, i.e. from
``changes.compare``, the comparison the store records with each publish.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from docx.document import Document as DocxDocument
from docx.shared import Pt
from docx.table import _Cell

from briefing.docx_layout import (
    CAPTION_STYLE,
    TABLE_TEXT_STYLE,
    add_field,
    add_title,
    finish,
    new_document,
    style_table,
)
from briefing.numbering import Numbered
from briefing.report_prose import DOCUMENT_STATUS
from metrics.periods.figures import PeriodFigures
from metrics.scoring.bulletin import Bulletin, IndicatorMove, bulletin
from metrics.scoring.changes import TaskChange
from metrics.scoring.headline import Headline, chinese_date
from metrics.scoring.progress import IndicatorProgress, Scored
from report.literal import office_text
from report.period_change import rate_clause, status_and_colour_clauses
from report.wording import NONE, deadline_text, target_cell

BULLETIN_TITLE = "巡视整改进展情况通报"
# A change of value: better or worse by the indicator's direction; "数值变化" for a
# monitor-only indicator (no direction).
VERDICT_WORDS = {"改善": "改善", "变差": "变差"}


def build_bulletin_docx(
    old: Scored,
    new: Scored,
    *,
    old_label: str,
    new_label: str,
    version: str,
    figures: tuple[PeriodFigures, PeriodFigures],
) -> bytes:
    """The bulletin from ``old`` (e.g. "v2") to ``new`` (e.g. "v3"); ``figures``: the
    two periods' counts and 督办 colour counts (``metrics.periods.reading.version_figures``:
    the colours as they stood then, with the rounds facts of that moment)."""
    content = bulletin(old, new)
    meta = new.meta
    title = f"{meta.organisation}{BULLETIN_TITLE}"
    document = new_document(title=title, author=meta.organisation)
    document.core_properties.subject = office_text(f"{old_label} → {new_label}，数据版本{version}")
    add_title(document, title)
    warning = period_warning(old, new)
    if warning:
        document.add_paragraph(office_text(warning), style=CAPTION_STYLE)
    document.add_paragraph(office_text(opening(content, old, new, figures)))
    sections = _sections(content)
    if not sections:
        document.add_paragraph("两期之间任务状态、指标数值和目标均无变化，无逾期变化。")
    if any(not tp.complete for tp in new.tasks):
        sections.append(("尚未完成的任务", lambda d: _open_tasks(d, new)))
    for number, (heading, write) in enumerate(sections, start=1):
        document.add_heading(office_text(f"{Numbered.level1(number)}{heading}"), level=1)
        write(document)
    return finish(document, organisation=meta.organisation, day=meta.as_of)


def opening(
    content: Bulletin, old: Scored, new: Scored, figures: tuple[PeriodFigures, PeriodFigures]
) -> str:
    """ "本期通报截至2021年6月30日的整改进展，与截至2021年5月31日的上期相比。整改率由…
    红色督办任务由3项减至1项；黄色督办任务……。" (dates, never version labels or file names)."""
    before, after = content.before, content.after
    then, now = chinese_date(old.meta.as_of), chinese_date(new.meta.as_of)
    if then == now:
        text = f"本期通报截至{now}的整改进展，与同一截至日期的上期数据相比。"
    else:
        text = f"本期通报截至{now}的整改进展，与截至{then}的上期相比。"
    moves = status_and_colour_clauses(*figures, "上期")
    return f"{text}{rate_sentence(before, after)}{moves}。"


def period_warning(old: Scored, new: Scored) -> str:
    """A note when the "本期" data is older than the "上期" data (versions chosen the
    wrong way round, or an old file published later)."""
    if new.meta.as_of >= old.meta.as_of:
        return ""
    return (
        f"注意：本期数据截至{chinese_date(new.meta.as_of)}，早于上期的"
        f"{chinese_date(old.meta.as_of)}：请核对所选的两期数据。"
    )


def rate_sentence(before: Headline, after: Headline) -> str:
    """ "整改率由85.7%升至88.6%（+2.9个百分点），已完成任务由30项增至31项。"."""
    rate = rate_clause(before.rate, after.rate, "上期", word="整改率")
    if before.rate is None or after.rate is None:
        return f"{rate}。"
    if before.completed == after.completed:
        done = f"已完成任务{after.completed}项"
    else:
        verb = "增至" if after.completed > before.completed else "减至"
        done = f"已完成任务由{before.completed}项{verb}{after.completed}项"
    total = (
        "" if before.total == after.total else f"，任务总数由{before.total}项变为{after.total}项"
    )
    return f"{rate}，{done}{total}。"


Writer = Callable[[DocxDocument], None]


def _sections(content: Bulletin) -> list[tuple[str, Writer]]:
    found: list[tuple[str, Writer]] = []
    changes = content.changes
    if content.completed:
        found.append(
            ("新完成的任务", lambda d: _task_list(d, content.completed, with_status=False))
        )
    status = content.reopened + content.other_status
    if status:
        found.append(("状态变化的任务", lambda d: _task_list(d, status, with_status=True)))
    if content.moves:
        found.append(("指标变化", lambda d: _moves(d, content.moves)))
    if content.newly_overdue or content.no_longer_overdue:
        found.append(("逾期变化", lambda d: _overdue(d, content)))
    if (
        changes.tasks_added
        or changes.tasks_removed
        or changes.indicators_added
        or (changes.indicators_removed)
    ):
        found.append(("新增和删除", lambda d: _added_removed(d, content)))
    return found


def _open_tasks(document: DocxDocument, new: Scored) -> None:
    """Every task still open in the new data, with its status (also when nothing about it
    changed: the bulletin says what is still to do)."""
    waiting = [tp for tp in new.tasks if not tp.complete]
    items = "；".join(f"（{tp.task.id}）{tp.task.title}（{tp.task.status}）" for tp in waiting)
    document.add_paragraph(
        office_text(
            f"截至{chinese_date(new.meta.as_of)}，尚未完成的任务{len(waiting)}项：{items}。"
        )
    )


def _task_list(document: DocxDocument, changes: Sequence[TaskChange], *, with_status: bool) -> None:
    for change in changes:  # numbered as the report numbers its tasks: (1)–(35)
        text = f"（{change.task_id}）{change.title}"
        if with_status:
            text += f"：由“{change.old_status}”改为“{change.new_status}”"
            if change.reopened:
                text += "（由完成改回未完成，请核实原因）"
        else:
            text += f"（由“{change.old_status}”改为“{change.new_status}”）"
        document.add_paragraph(office_text(text + "。"))


def _moves(document: DocxDocument, moves: Sequence[IndicatorMove]) -> None:
    document.add_paragraph(office_text(moves_sentence(moves)))
    caption = document.add_paragraph(style=CAPTION_STYLE)
    caption.paragraph_format.keep_with_next = True
    caption.add_run("表")
    add_field(caption, "SEQ 表 \\* ARABIC", "1")
    caption.add_run("　指标变化")
    headers = ("序号", "指标", "变化", "上期", "本期", "目标", "本期进度")
    table = document.add_table(rows=1, cols=len(headers))
    _row(table.rows[0].cells, headers)
    for number, move in enumerate(moves, start=1):
        change = move.change
        what = (
            "目标调整"
            if change.what == "目标"
            else VERDICT_WORDS.get(change.verdict) or monitor_move(move) or "数值变化"
        )
        _row(
            table.add_row().cells,
            (
                str(number),
                f"（{move.after.indicator.task_id}）{change.name}",
                what,
                change.old,
                change.new,
                target_cell(move.after),
                progress_text(move.before, move.after),
            ),
        )
    style_table(table, (Pt(36), Pt(104), Pt(62), Pt(52), Pt(52), Pt(62)))


def moves_sentence(moves: Sequence[IndicatorMove]) -> str:
    """ "本期指标变化3项：改善1项、变差1项、其他1项（仅监测指标的数值或目标调整），…"."""
    better = sum(1 for m in moves if m.change.verdict == "改善")
    worse = sum(1 for m in moves if m.change.verdict == "变差")
    retargeted = sum(1 for m in moves if m.change.what == "目标")
    rising = sum(1 for m in moves if monitor_move(m) == "上升")
    falling = sum(1 for m in moves if monitor_move(m) == "下降")
    other = len(moves) - better - worse - retargeted - rising - falling
    parts = [f"改善{better}项"] if better else []
    parts += [f"变差{worse}项"] if worse else []
    parts += [f"仅监测的指标数值上升{rising}项"] if rising else []
    parts += [f"仅监测的指标数值下降{falling}项"] if falling else []
    parts += [f"目标调整{retargeted}项"] if retargeted else []
    parts += [f"数值变化{other}项"] if other else []
    return f"本期指标变化{len(moves)}项：{'、'.join(parts)}，逐项列示如下。"


def monitor_move(move: IndicatorMove) -> str:
    """ "上升" / "下降" for a value change of a monitor-only indicator (no direction:
    neither better nor worse), else ""."""
    change = move.change
    if change.what == "目标" or change.verdict in VERDICT_WORDS:
        return ""
    old, new = move.before.latest, move.after.latest
    if old is None or new is None or old.value == new.value:
        return ""
    return "上升" if new.value > old.value else "下降"


def progress_text(before: IndicatorProgress, after: IndicatorProgress) -> str:
    """ "41.5%（按时间应完成58.3%），慢于时间进度；上期…" against target, now and before;
    "—" without a target or a figure (a document never shows the dashboard's terms)."""
    if after.indicator.target is None:
        return NONE

    def one(ip: IndicatorProgress) -> str:
        if ip.progress is None:
            return NONE
        text = f"{ip.progress * 100:.1f}%"
        if ip.expected is not None:
            text += f"（按时间应完成{ip.expected * 100:.1f}%）"
        word = DOCUMENT_STATUS.get(ip.status)
        return f"{text}，{word}" if word else text

    now, then = one(after), one(before)
    return now if now == then else f"{now}；上期{then}"


def _overdue(document: DocxDocument, content: Bulletin) -> None:
    for tp in content.newly_overdue:
        deadline = deadline_text(tp.task)
        document.add_paragraph(
            office_text(
                f"新增逾期：任务（{tp.task.id}）{tp.task.title}，整改时限{deadline}，"
                f"状态“{tp.task.status}”。"
            )
        )
    for tp in content.no_longer_overdue:
        document.add_paragraph(
            office_text(f"不再逾期：任务（{tp.task.id}）{tp.task.title}，状态“{tp.task.status}”。")
        )


def _added_removed(document: DocxDocument, content: Bulletin) -> None:
    changes = content.changes
    for label, items in (
        ("新增任务", changes.tasks_added),
        ("删除任务", changes.tasks_removed),
        ("新增指标", changes.indicators_added),
        ("删除指标", changes.indicators_removed),
    ):
        if items:
            document.add_paragraph(office_text(f"{label}{len(items)}项：{'；'.join(items)}。"))


def _row(cells: Sequence[_Cell], values: Sequence[str]) -> None:
    for cell, text in zip(cells, values, strict=True):
        paragraph = cell.paragraphs[0]
        paragraph.style = TABLE_TEXT_STYLE
        paragraph.add_run(office_text(text))
