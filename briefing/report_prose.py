"""The Word report's sentences: what the district writes, built from the data.

The document (``docx_report``) is laid out from these; keeping the words here, apart
from python-docx, lets tests read the report as text. Rules the office asked for:

- a figure is worded as its source words it (``report.wording.value_text``: "十余万人次",
  "6200余亩") and a figure the task's 整改措施 already state in the report's own words is
  not repeated as a database name ("累计回迁群众9.62万人" stays in the measures);
- a data gap is never text: an empty 牵头单位 or 整改时限 leaves its clause out, an
  indicator without data gives its planned figure or nothing;
- dashboard terms (序时进度, 无法评估) stay on the dashboard: "慢于时间进度" instead;
- the document type (报告 or 通报) is the user's choice, and title and body agree;
- a 督办 colour is named in words where the report turns to supervision, part 三
  ("红色督办1项", "（…，已超过整改时限，红色督办）"), as the 督办单 names its level; the
  account of each task in part 二 states the facts the colour comes from (status, lead
  unit, deadline, overdue), not the office's label for them. The rules that gave a
  colour are in 表1 (``docx_report``) beside the task.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TypeVar

from briefing.document_kind import DocumentKind
from briefing.numbering import CHINESE_ORDINALS, Numbered
from metrics.contract import Direction, ReportPart, TaskStatus
from metrics.model import Meta, ProgressEntry, ReportParagraph
from metrics.scoring.headline import chinese_date
from metrics.scoring.progress import IndicatorProgress, IndicatorStatus, Scored, TaskProgress
from metrics.scoring.rollup import overall
from metrics.supervision.model import TaskWarning, WarningColour
from metrics.supervision.rules import colour_counts
from metrics.values.formatting import format_number
from report.supervision import severity
from report.views import attention_items, warnings_of_tasks
from report.wording import (
    TARGET_NOUNS,
    chinese_punctuation,
    deadline_text,
    overdue_words,
    target_phrase,
    target_text,
    target_word,
    value_text,
)

T = TypeVar("T")

# Indicator statuses in a document's words (the dashboard's terms stay on the dashboard).
DOCUMENT_STATUS = {
    IndicatorStatus.MET: "已达到目标",
    IndicatorStatus.ON_TRACK: "进度正常",
    IndicatorStatus.BEHIND: "慢于时间进度",
    IndicatorStatus.FAR_BEHIND: "明显慢于时间进度",
}
LAGGING = (IndicatorStatus.BEHIND, IndicatorStatus.FAR_BEHIND)
_SENTENCE_END = ("。", "！", "？", "；", "…", ".", "!", "?")
_OWN_TYPE = re.compile(r"(的)?(报告|通报)$")
_LEADING_ORDINAL = re.compile(
    r"^\s*(?:[（(][一二三四五六七八九十百〇零\d]+[)）]|[一二三四五六七八九十百]+、|\d+[.．、])\s*"
)


def document_title(meta: Meta, kind: DocumentKind) -> str:
    """The title as the chosen kind: "中共惠济区委关于巡视整改进展情况的通报" becomes
    "……的报告" when a 报告 is asked for; a title that names no kind (a dashboard's
    name) gives "中共惠济区委关于巡视整改进展情况的报告"."""
    title = chinese_punctuation(" ".join(meta.title.split()))
    if _OWN_TYPE.search(title):
        return _OWN_TYPE.sub(lambda m: f"{m.group(1) or ''}{kind.value}", title)
    return f"{meta.organisation}关于巡视整改进展情况的{kind.value}"


def without_ordinal(text: str) -> str:
    """ "(一)学习贯彻……" → "学习贯彻……": the document numbers its own headings, so
    a scoped report is numbered without gaps."""
    return _LEADING_ORDINAL.sub("", text, count=1).strip() or text.strip()


def heading_text(text: str) -> str:
    """A 方面, 问题 or 小标题 as a heading: its own ordinal and final stop dropped,
    Chinese punctuation."""
    return chinese_punctuation(without_ordinal(text)).rstrip("。．. ")


def opening_paragraph(scored: Scored, kind: DocumentKind) -> str:
    """Who inspected, when, the feedback date and the breakdown, as far as the data says;
    the as-of date introduced once ("现将截至2021年5月31日的整改进展情况通报如下。")."""
    meta = scored.meta
    parts: list[str] = []
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
    categories = unique(tp.task.category for tp in scored.tasks)
    problems = unique((tp.task.category, tp.task.problem) for tp in scored.tasks)
    parts.append(
        f"反馈意见涉及{len(categories)}个方面{len(problems)}个问题，"
        f"细化为{len(scored.tasks)}项整改任务"
    )
    return (
        "，".join(parts) + f"。现将截至{chinese_date(meta.as_of)}的整改进展情况{kind.value}如下。"
    )


def figures_summary(scored: Scored) -> str:
    """ "量化指标121个，其中有目标或计划数的18个；已有统计并可比较的3个中已达到目标2个、
    进度正常1个。" and the overdue tasks: counts only of what is known, never of gaps."""
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


# -- a task --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TaskText:
    """One task as the report writes it: "（9）回迁安置进展缓慢。" (``head``, bold),
    the measures and where it stands (``body``), the latest accepted progress
    (``progress``) and the figures the measures do not already state (``figures``)."""

    head: str
    body: str
    progress: str = ""
    figures: str = ""


def task_text(tp: TaskProgress, scored: Scored) -> TaskText:
    task = tp.task
    head = f"（{task.id}）{chinese_punctuation(task.title).rstrip('。')}。"
    body = sentence(chinese_punctuation(task.measures)) if task.measures.strip() else ""
    standing = (
        "该项任务已申请延期"
        if task.status is TaskStatus.EXTENSION_REQUESTED
        else f"该项任务{task.status}"
    )
    if task.lead_unit.strip():
        standing += f"，由{task.lead_unit.strip()}牵头"
    if (task.deadline is not None or task.extension_to is not None) and not tp.complete:
        standing += f"，整改时限为{deadline_text(task, '未定')}"
        if tp.overdue:
            standing += f"，已超过{overdue_words(task)}"
    body += standing + "。"
    # The task's 备注 (how staff read the source) and the indicators' sources stay in
    # the dashboard, the offline report and the Excel summary: a document for leaders
    # carries what was done and the figures.
    entries = scored.dataset.progress_of(task.id)
    progress = progress_text(entries[-1]) if entries else ""
    already = task.measures + progress
    sentences: list[str] = []
    for ip in tp.indicators:
        if ip.status in LAGGING:
            sentences.append(indicator_text(ip, scored.meta.as_of))
        elif not _worded_in(ip, already):
            # The source's own sentence when the figure is the source's ("其中有3家企业
            # 2020年营业收入超亿元，占比10%。"), else the figure under its name.
            own = ip.indicator.source.strip()
            if own and _worded_in(ip, own):
                sentences.append(sentence(chinese_punctuation(" ".join(own.split()))))
            else:
                sentences.append(indicator_text(ip, scored.meta.as_of))
    figures = "".join(unique(s for s in sentences if s))
    return TaskText(head, body, progress, figures)


def progress_text(entry: ProgressEntry) -> str:
    """The latest accepted progress of a task: "截至2021年6月30日，一是……。"."""
    text = sentence(chinese_punctuation(" ".join(entry.text.split())))
    if text.startswith(("截至", "截止", "目前")):
        return text
    return f"截至{chinese_date(entry.date)}，{text}"


def _worded_in(ip: IndicatorProgress, text: str) -> bool:
    """The figure already stands in ``text`` as the source words it ("9.62万人" in
    "累计回迁群众9.62万人"): the task's measures say it better than its database name."""
    if ip.latest is not None:
        return value_text(ip) in text
    ind = ip.indicator
    if ind.target is None:
        return False
    forms = [format_number(ind.target, ind.unit)]
    if float(ind.target).is_integer() and 1 <= ind.target <= 10:
        # "每半年至少研究一次": small counts are often written in Chinese numerals.
        forms.append(CHINESE_ORDINALS[int(ind.target) - 1] + (ind.unit.symbol if ind.unit else ""))
    return any(form in text for form in forms)


def indicator_text(ip: IndicatorProgress, as_of: datetime.date | None = None) -> str:
    """A figure in a sentence: "回迁安置率为67.7%。", "省市重点项目完成投资为87.6亿元，
    目标211亿元（2021年12月31日前），已完成目标的41.5%。". Its date only where it differs
    from the report's as-of date (``as_of``, said once where it is introduced); an
    indicator without data gives its planned figure if it has one, else "" (never
    "尚无数据"). A figure behind time says so in words, not in dashboard terms."""
    ind = ip.indicator
    if ip.latest is None:
        if ind.target is None:
            return ""
        word = target_word(ind)
        return f"{ind.name}{'' if word in ind.name else word}{target_text(ip)}。"
    text = ind.name + _copula(value_text(ip))
    if as_of is None or ip.latest.date != as_of:
        text += f"（{chinese_date(ip.latest.date)}）"
    if ind.target is not None:
        text += f"，{target_phrase(ip)}"
        noun = TARGET_NOUNS[ind.target_kind]
        if ind.direction is Direction.LOWER_IS_BETTER and ip.latest.value != ind.target:
            gap = abs(ip.latest.value - ind.target)
            lower = ip.latest.value < ind.target
            text += f"，较{noun}{'低' if lower else '高'}{format_number(gap, ind.unit)}"
        if ip.status is IndicatorStatus.MET:
            text += f"，已达到{noun}"
        elif ip.progress is not None and ind.direction is not Direction.LOWER_IS_BETTER:
            text += f"，已完成{noun}的{ip.progress * 100:.1f}%"
        if ip.status in LAGGING and ip.expected is not None:
            text += f"，慢于时间进度（按时间应完成{ip.expected * 100:.1f}%）"
    return text + "。"


def _copula(figure: str) -> str:
    """ "为67.7%", "约为60亿元", "第1" (a rank follows its name directly)."""
    if figure.startswith("第"):
        return figure
    if figure.startswith("约"):
        return f"约为{figure[1:]}"
    return f"为{figure}"


# -- parts 一 and 三 --------------------------------------------------------------------


def paragraphs_of(scored: Scored, part: ReportPart) -> tuple[ReportParagraph, ...]:
    return tuple(p for p in scored.dataset.paragraphs if p.part is part)


def paragraph_text(paragraph: ReportParagraph) -> str:
    return sentence(chinese_punctuation(" ".join(paragraph.text.split())))


@dataclass(frozen=True, slots=True)
class Item:
    """A numbered item of a part: "（一）推进尚未完成的整改任务。" and its text."""

    heading: str
    text: str


# Up to this many open tasks and lagging figures are listed in the prose of part 三;
# more go into a table (表1) the prose refers to.
LISTED_IN_PROSE = 10


def needs_table(scored: Scored) -> bool:
    """Too many open items to read in a sentence: part 三 adds the table 表1."""
    return len(attention_items(scored)) > LISTED_IN_PROSE


def next_steps(scored: Scored, warnings: Mapping[int, TaskWarning] | None = None) -> list[Item]:
    """Part 三 drafted from the data, for staff to edit: the open tasks (overdue first)
    and the figures behind time, each with what the data says about it; listed in the
    sentence, or counted with a reference to 表1 when there are many. With ``warnings``
    (the supervision colours), the open tasks of each colour are counted, the listed
    ones name theirs, and they are listed red first, then yellow and blue."""
    items: list[Item] = []
    table = needs_table(scored)
    open_tasks = [tp for tp in scored.tasks if not tp.complete]
    found = warnings_of_tasks(scored, warnings or {})
    if open_tasks:
        overdue = [tp for tp in open_tasks if tp.overdue]
        text = f"尚有{len(open_tasks)}项整改任务未完成"
        if overdue:
            text += f"，其中{len(overdue)}项已超过整改时限"
        text += colour_counts_text(found)
        if table:
            text += "（见表1）"
        else:
            listed = sorted(
                open_tasks,
                key=lambda tp: (severity(found.get(tp.task.id)), not tp.overdue, tp.task.id),
            )
            text += "：" + "；".join(_open_task(tp, found.get(tp.task.id)) for tp in listed)
        items.append(Item("推进尚未完成的整改任务", text + "。"))
    lagging = [ip for ip in scored.indicators if ip.status in LAGGING]
    if lagging:
        text = f"{len(lagging)}个量化指标慢于时间进度"
        if table:
            text += "（见表1）。"
        else:
            text += "：" + "".join(indicator_text(ip, scored.meta.as_of) for ip in lagging)
        items.append(Item("加快进度滞后的指标", text))
    return items


def colour_counts_text(warnings: Mapping[int, TaskWarning]) -> str:
    """ "，红色督办1项、蓝色督办2项": the colours some task has, in words (a document is
    read in black and white: the word is the signal); "" when no task has one."""
    counts = colour_counts(dict(warnings))
    named = [f"{colour.label}督办{counts[colour]}项" for colour in WarningColour if counts[colour]]
    return "，" + "、".join(named) if named else ""


def _open_task(tp: TaskProgress, warning: TaskWarning | None = None) -> str:
    task = tp.task
    text = f"（{task.id}）{chinese_punctuation(task.title).rstrip('。')}"
    facts = []
    if task.lead_unit.strip():
        facts.append(f"{task.lead_unit.strip()}牵头")
    if task.deadline is not None:
        facts.append(f"整改时限{deadline_text(task)}")
        if tp.overdue:
            facts.append(f"已超过{overdue_words(task)}")
    if warning is not None:
        facts.append(f"{warning.colour.label}督办{_because(warning)}")
    return text + (f"（{'，'.join(facts)}）" if facts else "")


def _because(warning: TaskWarning) -> str:
    """ "，因进度滞后指标1个、区住建局未按时报送……": the rules behind the colour that the
    line does not already say (the deadline is said beside it: blue, and red for being
    past it, need no more words)."""
    if warning.colour is WarningColour.BLUE:
        return ""
    said = [r for r in warning.reasons if not r.startswith("已超过")]
    return f"，因{'、'.join(said)}" if said else ""


def closing_lines(scored: Scored, kind: DocumentKind) -> list[str]:
    """The workbook's 结束语 rows (contact lines keep their own ending), or "特此报告。"
    / "特此通报。"."""
    own = [
        chinese_punctuation(" ".join(p.text.split()))
        for p in paragraphs_of(scored, ReportPart.CLOSING)
    ]
    return own or [f"特此{kind.value}。"]


# -- text helpers ----------------------------------------------------------------------


def sentence(text: str) -> str:
    """Workbook text as one sentence of a paragraph: ends with 。 (or its own mark)."""
    text = " ".join(text.split())
    return text if text.endswith(_SENTENCE_END) else text + "。"


def unique(values: Iterable[T]) -> list[T]:
    seen: list[T] = []
    for value in values:
        if value not in seen:
            seen.append(value)
    return seen


def numbered(items: Sequence[Item], start: int = 1) -> list[tuple[str, str]]:
    """(bold head "（一）推进……。", text) for each item, numbered from ``start``."""
    return [
        (f"{Numbered.level2(n)}{heading_text(item.heading)}。", item.text)
        for n, item in enumerate(items, start=start)
    ]
