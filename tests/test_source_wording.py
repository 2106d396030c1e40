"""Every figure of the bundled data is shown exactly as the report words it: the
qualifier word and where it sits (十余万 is not 10万余), Chinese numerals where the
report writes them (三个观景节点, 位列第一), no thousands separator (13050个).

The exports show ``value_text`` for every indicator (``tests/test_export_completeness.py``,
``tests/test_docx_report.py``), so holding ``value_text`` to the report's own sentences
holds the dashboard and every export to them."""

from __future__ import annotations

from pathlib import Path

import pytest

from metrics.scoring.progress import Scored
from report.wording import value_text

# The forms the report uses, each with the sentence it is taken from.
REPORT_PHRASES = (
    ("十余万人次", "观看群众达十余万人次"),
    ("三十万余次", "浏览量达三十万余次"),
    ("6200余亩", "累计退出渔业养殖面积6200余亩"),
    ("十多家", "对辖区十多家单位进行专项检查"),
    ("近2倍", "是2019年入库数量近2倍"),
    ("约60亿元", "总签约额约60亿元"),
    ("约11.8亿元", "一般公共预算收入完成约11.8亿元"),
    ("2500余家", "向全区2500余家餐饮单位"),
    ("9700余个", "累计提供招聘岗位9700余个"),
    ("13050个", "新增小学学位13050个"),
    ("第1", "增速居全市第1"),
    ("第一", "位列第一"),
    ("三个", "三个观景节点"),
)


def shown_figures(scored: Scored) -> dict[str, tuple[str, str]]:
    """indicator id → (the figure shown, its source sentence)."""
    return {
        ip.indicator.id: (value_text(ip), ip.indicator.source)
        for tp in scored.tasks
        for ip in tp.indicators
        if ip.latest is not None
    }


def test_every_figure_shown_stands_in_its_source_sentence(scored: Scored) -> None:
    figures = shown_figures(scored)
    assert len(figures) > 100
    wrong = {k: v for k, v in figures.items() if v[0] not in v[1]}
    assert wrong == {}


@pytest.mark.parametrize(("phrase", "sentence"), REPORT_PHRASES)
def test_the_reports_own_phrases_are_shown(
    phrase: str, sentence: str, scored: Scored, repo_root: Path
) -> None:
    report = (repo_root / "data" / "source" / "report.txt").read_text("utf-8")
    assert sentence in report and phrase in sentence
    assert phrase in [shown for shown, _ in shown_figures(scored).values()]
