"""The 督办单 as a Word document, on the report's official page (``docx_layout``).

Title, the notice's number centred under it (as a 发文字号), the unit addressed, the
level in symbol and word, then per task: the task and its problem as the report words
them, the original deadline (only when the data has one), why it is supervised (the
rule in words), where it stands (status, latest accepted progress, figures behind time);
then what is asked, by when the unit must answer, and the issuing office and date.
Workbook text goes in as text runs, never as markup.
"""

from __future__ import annotations

import datetime
import os
from typing import Final

from briefing.docx_layout import add_title, finish, new_document
from briefing.numbering import Numbered
from briefing.report_prose import LAGGING, heading_text, indicator_text, progress_text
from metrics.duban.model import DubanItem, DubanNotice
from metrics.scoring.headline import chinese_date
from metrics.scoring.progress import Scored
from report.literal import office_text
from report.wording import chinese_punctuation

ISSUER_ENV: Final = "ZHENGGAI_DUBAN_ISSUER"
TITLE: Final = "巡视整改督办单"


def issuer(organisation: str) -> str:
    """Who signs: ``ZHENGGAI_DUBAN_ISSUER``, or the organisation's rectification office."""
    named = " ".join(os.environ.get(ISSUER_ENV, "").split())
    return named or f"{organisation}巡视整改工作领导小组办公室"


def duban_text(notice: DubanNotice, scored: Scored) -> list[tuple[str, str]]:
    """The notice's paragraphs as (bold head, text), in order; tests read them."""
    lines: list[tuple[str, str]] = [(f"{notice.unit}：", "")]
    count = len(notice.items)
    lines.append(
        (
            "",
            f"根据巡视整改工作安排，现对你单位牵头或参与的{count}项整改任务进行"
            f"{notice.level.value}督办（{notice.level.symbol}）。",
        )
    )
    for n, item in enumerate(notice.items, start=1):
        tp = scored.task(item.task_id)
        if tp is None:  # not in this version's data: named by number only
            lines.append((f"{Numbered.level2(n)}任务（{item.task_id}）。", ""))
            continue
        task = tp.task
        head = f"{Numbered.level2(n)}（{task.id}）{chinese_punctuation(task.title).rstrip('。')}。"
        facts = [f"所属问题：{heading_text(task.category)}，{heading_text(task.problem)}。"]
        if task.deadline is not None:
            late = "，已超过整改时限" if tp.overdue else ""
            facts.append(f"原定整改时限：{chinese_date(task.deadline)}{late}。")
        if item.reasons:
            facts.append(f"督办等级：{item.level.value}（{item.level.symbol}），{_reasons(item)}。")
        standing = f"当前进展：该项任务{task.status}。"
        entries = scored.dataset.progress_of(task.id)
        if entries:
            standing += progress_text(entries[-1])
        standing += "".join(
            indicator_text(ip, scored.meta.as_of) for ip in tp.indicators if ip.status in LAGGING
        )
        facts.append(standing)
        lines.append((head, "".join(facts)))
    lines.append(("督办要求：", notice.requirements))
    lines.append(
        (
            "反馈时限：",
            f"请于{chinese_date(notice.respond_by)}前将整改落实情况书面反馈，"
            "并在下一轮填报中一并报送。",
        )
    )
    return lines


def _reasons(item: DubanItem) -> str:
    """The rules behind the item's level, without the colour word they are recorded with
    ("红色：已超过整改时限（…）" → "已超过整改时限（…）"): the level is said before them."""
    prefix = f"{item.level.value}："
    return "；".join(r.removeprefix(prefix) for r in item.reasons)


def build_duban_docx(notice: DubanNotice, scored: Scored) -> bytes:
    organisation = scored.meta.organisation
    document = new_document(title=f"{TITLE} {notice.code}", author=organisation)
    document.core_properties.subject = f"{notice.level.value}督办 · {notice.unit}"
    add_title(document, TITLE)
    number = document.add_paragraph(style="Caption")
    number.add_run(office_text(notice.code))
    for head, text in duban_text(notice, scored):
        paragraph = document.add_paragraph()
        if head.endswith("：") and not text:  # the unit addressed: flush left
            paragraph.paragraph_format.first_line_indent = 0
        if head:
            paragraph.add_run(office_text(head)).bold = not head.endswith("：") or bool(text)
        if text:
            paragraph.add_run(office_text(text))
    return finish(document, organisation=issuer(organisation), day=_issued_day(notice))


def _issued_day(notice: DubanNotice) -> datetime.date:
    at = datetime.datetime.fromisoformat(notice.issued_at)
    return at.astimezone(datetime.timezone(datetime.timedelta(hours=8))).date()
