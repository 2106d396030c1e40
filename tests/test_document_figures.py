"""Every number in the Word report and the bulletin comes from the workbook, worded as
the workbook (the report) words it: the qualifier (余, 多, 约, 近 …) and where it sits
("十余万", never "10万余"); the rest are the data's own arithmetic (counts, rates,
shares). No sentence shows a data gap, a dashboard term, an id or a file name."""

from __future__ import annotations

import dataclasses
import datetime
import io
import re
from collections.abc import Iterable

import pytest
from docx import Document

from briefing.docx_bulletin import build_bulletin_docx
from briefing.docx_report import build_report_docx
from metrics.model import Dataset, Observation
from metrics.scoring.headline import headline
from metrics.scoring.progress import Scored, score
from metrics.scoring.rollup import overall
from metrics.scoring.scope import EVERYTHING
from metrics.values.quantities import parse_quantity
from report.wording import target_text, value_text
from tests.test_docx_bulletin import plain_figures

QUALIFIED = re.compile(
    r"(?:约|近|超过|逾)?(?:\d+(?:\.\d+)?|[〇一二三四五六七八九十百千]+)(?:余|多)?[万亿]?(?:余|多)?(?:左右)?"
)
QUALIFIER_WORDS = ("约", "近", "超过", "逾", "余", "多", "左右")
NUMBER = re.compile(r"\d+(?:\.\d+)?")
DATE = re.compile(r"\d{4}年\d{1,2}月(?:\d{1,2}日)?|\d{1,2}月\d{1,2}日|\d{4}年|\d{1,2}月")
FORBIDDEN = ("未填写", "无法评估", "尚无数据", "无数据", "序时", "无目标", "（未填写）")
RAW_ID = re.compile(r"T\d\d-\d\d")
FILE_NAME = re.compile(r"[\w.-]+\.(?:xlsx|xls|docx|csv)\b|\bv\d+\b")


def document_text(data: bytes) -> str:
    document = Document(io.BytesIO(data))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        parts.extend(cell.text for row in table.rows for cell in row.cells)
    return "\n".join(parts)


def workbook_words(*datasets: Dataset) -> str:
    """Every text the workbooks hold, and every figure as the dashboard words it."""
    parts: list[str] = []
    for dataset in datasets:
        parts.extend(str(v) for v in dataclasses.astuple(dataset.meta) if v is not None)
        for task in dataset.tasks:
            # Notes are staff's notes on the data, never in a document: left out.
            parts += [task.category, task.problem, task.title, task.measures]
            parts += [task.lead_unit, task.responsible_units]
        for ind in dataset.indicators:
            parts += [ind.name, ind.source]
        parts += [o.text for o in dataset.observations]
        parts += [e.text for e in dataset.progress]
        parts += [p.text for p in dataset.paragraphs]
        for ip in score(dataset).indicators:
            parts += [value_text(ip), target_text(ip)]
    return "\n".join(parts)


def arithmetic(*scoreds: Scored) -> set[str]:
    """The numbers the data's own arithmetic gives: counts, rates, shares, numbering."""
    numbers: set[str] = {str(n) for n in range(0, 100)}  # counts, 图/表 and task numbers
    for scored in scoreds:
        figures = headline(scored)
        numbers |= {f"{figures.rate * 100:.1f}"} if figures.rate is not None else set()
        whole = overall(scored)
        numbers |= {str(whole.indicators_total), str(whole.indicators_with_target)}
        for ip in scored.indicators:
            for share in (ip.progress, ip.expected):
                if share is not None:
                    numbers.add(f"{share * 100:.1f}")
            if ip.latest is not None and ip.indicator.target is not None:
                gap = abs(ip.latest.value - ip.indicator.target)
                numbers.add(f"{gap:g}")
    return numbers


def numbers_of(text: str) -> set[str]:
    return set(NUMBER.findall(DATE.sub(" ", text)))


def qualified_tokens(text: str) -> Iterable[str]:
    for match in QUALIFIED.finditer(text):
        token = match.group(0)
        if any(word in token for word in QUALIFIER_WORDS) and re.search(
            r"[\d〇一二三四五六七八九十]", token
        ):
            yield token


def check(text: str, words: str, computed: set[str]) -> None:
    for gap in FORBIDDEN:
        assert gap not in text, gap
    assert not RAW_ID.search(text), RAW_ID.findall(text)
    assert not FILE_NAME.search(text), FILE_NAME.findall(text)
    assert not re.search(r"\d,\d{3}", text)  # one number style: no thousands separators
    for token in qualified_tokens(text):
        # "十余万" stands in the workbook as "十余万"; "10万余" would not.
        assert token in words, token
    known = numbers_of(words) | computed
    unknown = numbers_of(text) - known
    assert not unknown, sorted(unknown)


def test_every_number_in_the_report_is_the_workbooks(scored: Scored) -> None:
    text = document_text(build_report_docx(scored, EVERYTHING, version="v1"))
    words = workbook_words(scored.dataset)
    check(text, words, arithmetic(scored))
    for phrase in (
        "十余万人次",
        "三十万余次",
        "6200余亩",
        "约60亿元",
        "近2倍",
        "3000多家",
        "十多家",
    ):
        assert phrase in text, phrase


def test_the_check_catches_a_qualifier_moved_or_a_number_made_up(scored: Scored) -> None:
    words = workbook_words(scored.dataset)
    computed = arithmetic(scored)
    with pytest.raises(AssertionError, match="10万余"):
        check("观看群众达10万余人次。", words, computed)
    with pytest.raises(AssertionError, match="4321"):
        check("新增学位4321个。", words, computed)
    with pytest.raises(AssertionError, match="T09-07"):
        check("指标T09-07。", words, computed)
    with pytest.raises(AssertionError):
        check("新增小学学位13,050个。", words, computed)


def changed(dataset: Dataset) -> Dataset:
    """A next period: task 9 done, new figures typed with qualifiers in other places."""
    day = dataset.meta.as_of + datetime.timedelta(days=30)
    typed = {
        "T08-03": "二十余万",
        "T12-02": "二十多",
        "T09-07": "72.5",
        "T06-02": "约6500",
        "T05-04": "120",  # against its target: progress and time in words
    }
    rows = []
    for n, (indicator_id, raw) in enumerate(typed.items()):
        quantity = parse_quantity(raw)
        rows.append(
            Observation(
                indicator_id, day, quantity.number, quantity.qualifier, quantity.text, row=900 + n
            )
        )
    tasks = tuple(
        dataclasses.replace(t, status=type(t.status)("已完成")) if t.id == 9 else t
        for t in dataset.tasks
    )
    meta = dataclasses.replace(dataset.meta, as_of=day)
    return dataclasses.replace(
        dataset, meta=meta, tasks=tasks, observations=(*dataset.observations, *rows)
    )


def test_every_number_in_the_bulletin_is_the_workbooks(scored: Scored) -> None:
    new = score(changed(scored.dataset))
    data = build_bulletin_docx(
        scored,
        new,
        old_label="v1",
        new_label="v2",
        version="v2",
        figures=plain_figures(scored, new),
    )
    text = document_text(data)
    words = workbook_words(scored.dataset, new.dataset)
    computed = arithmetic(scored, new)
    # The bulletin's own arithmetic: the change in the rate, in percentage points.
    old_rate, new_rate = headline(scored).rate, headline(new).rate
    assert old_rate is not None and new_rate is not None
    computed.add(f"{(new_rate - old_rate) * 100:.1f}")
    check(text, words, computed)
    for phrase in ("二十余万人次", "二十多家", "约6500亩", "72.5%", "按时间应完成"):
        assert phrase in text, phrase
