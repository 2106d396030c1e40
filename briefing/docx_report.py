"""The progress report as a Word document in official-document layout (``docx_layout``).

It follows the shape of the report the data comes from:

- the title (概况 标题) and an opening paragraph: who inspected and when, the feedback
  date, how the problems were broken down into tasks (each clause only when the
  workbook says it);
- 一、总体进展: the overall sentence ("截至…，35项整改任务已完成30项，正在整改5项，
  整改率85.7%。"), the indicator summary and the overview charts as numbered figures;
- 二、整改落实情况: (一) 方面 › 1. 问题 › (1) 任务 with its status, lead unit, deadline,
  measures in full and every indicator with its value, target and progress (the task's
  备注 and the indicators' sources are staff's notes on the data: they stay in the other
  exports);
- 三、未完成和滞后事项: a numbered table of open tasks and lagging indicators;
- the signature (报告单位) and the data's date, right-aligned four characters in.

Every sentence is built from the data (``report.wording`` words figures as the report
does: "6200余亩", "第1"); workbook text goes into the document as text runs, never as
markup. Charts are optional: without a renderer (no Chromium) the figures are left out
and the caller says so.
"""

from __future__ import annotations

import datetime
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from docx.document import Document as DocxDocument
from docx.shared import Pt

from briefing.docx_figures import FigureImage
from briefing.docx_layout import (
    CAPTION_STYLE,
    TABLE_TEXT_STYLE,
    TEXT_WIDTH,
    add_field,
    add_title,
    finish,
    new_document,
    style_table,
)
from metrics.scoring.headline import chinese_date, headline
from metrics.scoring.progress import IndicatorProgress, IndicatorStatus, Scored, TaskProgress
from metrics.scoring.rollup import overall
from metrics.scoring.scope import Scope
from report.literal import office_text
from report.views import AttentionItem, attention_items
from report.wording import (
    TARGET_NOUNS,
    chinese_punctuation,
    target_phrase,
    target_text,
    target_word,
    value_text,
)

T = TypeVar("T")
CHINESE_ORDINALS = "一二三四五六七八九十"
_LEADING_ORDINAL = re.compile(
    r"^\s*(?:[（(][一二三四五六七八九十百〇零\d]+[)）]|[一二三四五六七八九十百]+、|\d+[.．、])\s*"
)


@dataclass(frozen=True, slots=True)
class Numbered:
    """A heading's number as the standard writes it at each level."""

    @staticmethod
    def level1(n: int) -> str:
        return f"{chinese_number(n)}、"

    @staticmethod
    def level2(n: int) -> str:
        return f"（{chinese_number(n)}）"

    @staticmethod
    def level3(n: int) -> str:
        return f"{n}."

    @staticmethod
    def level4(n: int) -> str:
        return f"（{n}）"


def chinese_number(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 21 → 二十一 (headings never need more)."""
    if n <= 10:
        return CHINESE_ORDINALS[n - 1]
    tens, ones = divmod(n, 10)
    head = "" if tens == 1 else CHINESE_ORDINALS[tens - 1]
    return f"{head}十{CHINESE_ORDINALS[ones - 1] if ones else ''}"


def without_ordinal(text: str) -> str:
    """ "(一)学习贯彻……" → "学习贯彻……": the document numbers its own headings, so
    a scoped report is numbered without gaps."""
    return _LEADING_ORDINAL.sub("", text, count=1).strip() or text.strip()


def heading_text(text: str) -> str:
    """A 方面 or 问题 as a heading: its own ordinal dropped, Chinese punctuation."""
    return chinese_punctuation(without_ordinal(text))


def build_report_docx(
    scored: Scored,
    scope: Scope,
    *,
    version: str,
    figures: Sequence[FigureImage] = (),
) -> bytes:
    """The report for the scope's tasks; ``figures`` are chart images (``docx_figures``)."""
    scored = scope.apply(scored)
    figures_text = headline(scored)
    meta = scored.meta
    document = new_document(title=meta.title, author=meta.organisation)
    document.core_properties.subject = f"数据截至{chinese_date(meta.as_of)}，数据版本{version}"
    add_title(document, meta.title)
    if not scope.is_everything:
        document.add_paragraph(office_text(f"（范围：{scope.label()}）"), style=CAPTION_STYLE)
    document.add_paragraph(office_text(opening_paragraph(scored)))

    document.add_heading(office_text(f"{Numbered.level1(1)}总体进展"), level=1)
    document.add_paragraph(office_text(figures_text.sentence + figures_summary(scored)))
    _figures(document, figures)

    document.add_heading(office_text(f"{Numbered.level1(2)}整改落实情况"), level=1)
    _tasks(document, scored)

    document.add_heading(office_text(f"{Numbered.level1(3)}未完成和滞后事项"), level=1)
    _attention(document, scored)

    return finish(document, organisation=meta.organisation, day=meta.as_of)


def opening_paragraph(scored: Scored) -> str:
    """Who inspected, when, the feedback date and the breakdown, as far as the data says."""
    meta = scored.meta
    parts: list[str] = []
    inspected = ""
    if meta.inspection_team:
        inspected = meta.inspection_team
        if meta.inspection_start and meta.inspection_end:
            inspected += (
                f"于{chinese_date(meta.inspection_start)}至{chinese_date(meta.inspection_end)}"
            )
        inspected += f"对{meta.organisation}进行了巡视，并于{chinese_date(meta.feedback_date)}"
        inspected += "反馈了巡视意见"
    else:
        inspected = f"{chinese_date(meta.feedback_date)}，巡视组向{meta.organisation}反馈了巡视意见"
    parts.append(inspected)
    categories = _unique(tp.task.category for tp in scored.tasks)
    problems = _unique((tp.task.category, tp.task.problem) for tp in scored.tasks)
    parts.append(
        f"反馈意见涉及{len(categories)}个方面{len(problems)}个问题，"
        f"细化为{len(scored.tasks)}项整改任务"
    )
    return "，".join(parts) + f"。现将截至{chinese_date(meta.as_of)}的整改进展情况报告如下。"


def task_paragraph_text(tp: TaskProgress) -> tuple[str, str]:
    """(the task's heading words, what follows): "（1）理论学习表面化…" is the caller's.

    Prose, as the report writes a task: its measures, then where it stands, in
    sentences; a fact the workbook leaves empty (no lead unit, no deadline) leaves its
    clause out: a report sent up never shows a data gap as text."""
    task = tp.task
    head = f"{chinese_punctuation(task.title)}。"
    body = _sentence(task.measures) if task.measures.strip() else ""
    standing = f"该项任务{task.status}"
    if task.lead_unit.strip():
        standing += f"，由{task.lead_unit.strip()}牵头"
    if task.deadline is not None and not tp.complete:
        standing += f"，整改时限为{chinese_date(task.deadline)}"
        if tp.overdue:
            standing += "，已超过整改时限"
    body += standing + "。"
    # The task's 备注 (how staff read the source, e.g. "按报告总数推断为已完成") and the
    # indicators' sources stay in the dashboard, the offline report and the Excel summary:
    # a document for leaders carries what was done and the figures.
    return head, body


def indicator_text(ip: IndicatorProgress, as_of: datetime.date | None = None) -> str:
    """A figure in a sentence: "回迁率67.7%。", "省市重点项目完成投资87.6亿元，目标211亿元
    （2021年12月31日前），已完成目标的41.5%。". Its date only where it differs from the
    report's as-of date (``as_of``, said once where it is introduced); an indicator
    without data gives its planned figure if it has one, else "" (never "尚无数据").
    Dashboard terms (序时进度, 无法评估) stay out: a figure behind time says so in words."""
    ind = ip.indicator
    if ip.latest is None:
        # A planned or expected figure without data yet: the figure, as the name words it
        # ("“十四五”规划区级道路43条（2025年12月31日前）"), never "尚无数据".
        if ind.target is None:
            return ""
        word = target_word(ind)
        return f"{ind.name}{'' if word in ind.name else word}{target_text(ip)}。"
    text = f"{ind.name}{value_text(ip)}"
    if as_of is None or ip.latest.date != as_of:
        text += f"（{chinese_date(ip.latest.date)}）"
    if ind.target is not None:
        text += f"，{target_phrase(ip)}"
        noun = TARGET_NOUNS[ind.target_kind]
        if ip.status is IndicatorStatus.MET:
            text += f"，已达到{noun}"
        elif ip.progress is not None:
            text += f"，已完成{noun}的{ip.progress * 100:.1f}%"
            if ip.status in (IndicatorStatus.BEHIND, IndicatorStatus.FAR_BEHIND) and (
                ip.expected is not None
            ):
                text += f"，慢于时间进度（按时间应完成{ip.expected * 100:.1f}%）"
    return text + "。"


# -- parts ------------------------------------------------------------------------------


def _figures(document: DocxDocument, figures: Sequence[FigureImage]) -> None:
    for number, figure in enumerate(figures, start=1):
        picture = document.add_paragraph(style=CAPTION_STYLE)
        picture.paragraph_format.keep_with_next = True
        picture.paragraph_format.line_spacing = 1.0
        picture.add_run().add_picture(io.BytesIO(figure.png), width=TEXT_WIDTH)
        caption = document.add_paragraph(style=CAPTION_STYLE)
        caption.add_run("图")
        add_field(caption, "SEQ 图 \\* ARABIC", str(number))
        caption.add_run(office_text(f"　{figure.caption}"))
        if figure.key:  # the whole names behind the chart's short labels
            caption.paragraph_format.keep_with_next = True
            document.add_paragraph(office_text(figure.key), style=CAPTION_STYLE)


def _tasks(document: DocxDocument, scored: Scored) -> None:
    categories = _unique(tp.task.category for tp in scored.tasks)
    for c_number, category in enumerate(categories, start=1):
        document.add_heading(
            office_text(f"{Numbered.level2(c_number)}{heading_text(category)}"), level=2
        )
        in_category = [tp for tp in scored.tasks if tp.task.category == category]
        problems = _unique(tp.task.problem for tp in in_category)
        for p_number, problem in enumerate(problems, start=1):
            document.add_heading(
                office_text(f"{Numbered.level3(p_number)}{heading_text(problem)}"), level=3
            )
            tasks = [tp for tp in in_category if tp.task.problem == problem]
            for tp in tasks:  # the report's own numbering, (1)–(35), as everywhere else
                head, body = task_paragraph_text(tp)
                paragraph = document.add_paragraph()
                paragraph.add_run(office_text(f"{Numbered.level4(tp.task.id)}{head}")).bold = True
                paragraph.add_run(office_text(body))
                sentences = "".join(indicator_text(ip, scored.meta.as_of) for ip in tp.indicators)
                if sentences:
                    figures = document.add_paragraph()
                    figures.add_run(office_text(sentences))


def _attention(document: DocxDocument, scored: Scored) -> None:
    items = attention_items(scored)
    if not items:
        document.add_paragraph("范围内的任务均已完成，量化指标无进度滞后。")
        return
    open_tasks = sum(1 for item in items if item.kind == "任务")
    lagging = len(items) - open_tasks
    document.add_paragraph(
        office_text(f"尚未完成的任务{open_tasks}项，进度滞后的量化指标{lagging}个，逐项列示如下。")
    )
    caption = document.add_paragraph(style=CAPTION_STYLE)
    caption.paragraph_format.keep_with_next = True
    caption.add_run("表")
    add_field(caption, "SEQ 表 \\* ARABIC", "1")
    caption.add_run("　未完成和滞后事项")
    headers = ("序号", "类别", "任务编号", "状态", "情况")
    table = document.add_table(rows=1, cols=len(headers))
    for cell, text in zip(table.rows[0].cells, headers, strict=True):
        cell.paragraphs[0].style = TABLE_TEXT_STYLE
        cell.paragraphs[0].add_run(office_text(text))
    for number, item in enumerate(items, start=1):
        row = table.add_row().cells
        values = (
            str(number),
            item.kind,
            f"（{item.task_id}）",
            _status_word(scored, item),
            _situation(scored, item),
        )
        for cell, text in zip(row, values, strict=True):
            cell.paragraphs[0].style = TABLE_TEXT_STYLE
            cell.paragraphs[0].add_run(office_text(text))
    style_table(table, (Pt(34), Pt(40), Pt(48), Pt(62)))


# Indicator statuses in a document's words (the dashboard's terms stay on the dashboard).
DOCUMENT_STATUS = {
    IndicatorStatus.MET: "已达到目标",
    IndicatorStatus.ON_TRACK: "进度正常",
    IndicatorStatus.BEHIND: "慢于时间进度",
    IndicatorStatus.FAR_BEHIND: "明显慢于时间进度",
}


def figures_summary(scored: Scored) -> str:
    """ "量化指标121个，其中有目标或计划数的17个；已有统计的5个中已达到目标2个、进度正常1个。"
    and the overdue tasks: counts only of what is known, never of gaps."""
    whole = overall(scored)
    statuses = whole.indicator_statuses
    parts = []
    if whole.indicators_total:
        text = (
            f"量化指标{whole.indicators_total}个，其中有目标或计划数的"
            f"{whole.indicators_with_target}个"
        )
        counted = [f"{word}{statuses[s]}个" for s, word in DOCUMENT_STATUS.items() if statuses[s]]
        assessed = sum(statuses[s] for s in DOCUMENT_STATUS)
        if counted:
            text += f"；已有统计并可比较的{assessed}个中" + "、".join(counted)
        parts.append(text + "。")
    if whole.completion.overdue:
        parts.append(f"超过整改时限仍未完成的任务{whole.completion.overdue}项，需重点督办。")
    return "".join(parts)


def _situation(scored: Scored, item: AttentionItem) -> str:
    """The table's 情况 column in a document's words: the task or the figure, and only
    the facts the data has (a missing deadline is left out, not written)."""
    found = scored.task(item.task_id)
    if found is None:
        return item.text
    if item.kind == "任务":
        text = chinese_punctuation(found.task.title)
        if found.task.deadline is not None:
            text += f"，整改时限{chinese_date(found.task.deadline)}"
            if found.overdue:
                text += "，已超过整改时限"
        return text
    sentences = [
        indicator_text(ip, scored.meta.as_of)
        for ip in found.indicators
        if ip.status is item.status and ip.indicator.name in item.text
    ]
    return sentences[0].rstrip("。") if sentences else item.text


def _status_word(scored: Scored, item: AttentionItem) -> str:
    """A task's 状态 (正在整改), an indicator's status (进度滞后): words, not colours."""
    if item.kind == "任务":
        found = scored.task(item.task_id)
        if found is not None:
            return str(found.task.status)
    if isinstance(item.status, IndicatorStatus):
        return DOCUMENT_STATUS.get(item.status, str(item.status.value))
    return str(item.status.value)


def _sentence(text: str) -> str:
    """Workbook text as one sentence of the paragraph: ends with 。 (or its own mark)."""
    text = " ".join(text.split())
    return text if text.endswith(("。", "！", "？", "；", "…", ".", "!", "?")) else text + "。"


def _unique(values: Iterable[T]) -> list[T]:
    seen: list[T] = []
    for value in values:
        if value not in seen:
            seen.append(value)
    return seen
