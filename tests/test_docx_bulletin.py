"""The bulletin (通报) between two versions: exactly the changes the store records, in the
official-document layout; from the command line (``--since vN``) and the history page."""

from __future__ import annotations

import datetime
import io
import re
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest
from docx import Document
from docx.document import Document as DocxDocument
from docx.shared import Mm
from streamlit.testing.v1 import AppTest

from briefing.cli import main as briefing_main
from briefing.exports import export_bulletin
from metrics.intake.untrusted import load_untrusted
from metrics.periods.figures import PeriodFigures, period_figures
from metrics.publishing import publish_checked, review_workbook
from metrics.scoring.changes import compare
from metrics.scoring.progress import Scored, score
from metrics.store.versions import STORE_ENV, Store
from metrics.supervision.rules import colours
from metrics.supervision.settings import SupervisionSettings
from tests.screen_text import as_read
from ui.data_source import WORKBOOK_ENV

DASHBOARD = str(Path(__file__).resolve().parent.parent / "dashboard.py")
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def edited(
    bundled: Path,
    out: Path,
    *,
    tasks: dict[int, dict[str, object]] | None = None,
    values: dict[str, float] | None = None,
    targets: dict[str, float] | None = None,
    completed: int = 30,
) -> bytes:
    """The bundled workbook with some task cells, observation values and targets changed."""
    tasks, values, targets = tasks or {}, values or {}, targets or {}
    wb = openpyxl.load_workbook(bundled)
    sheet = wb["任务"]
    headers = [c.value for c in sheet[1]]
    for row in sheet.iter_rows(min_row=2):
        for column, value in tasks.get(int(str(row[0].value or 0)), {}).items():
            row[headers.index(column)].value = value  # type: ignore[assignment]
    for row in wb["数据"].iter_rows(min_row=2):
        if row[0].value in values:
            row[2].value = values[str(row[0].value)]
    indicator_headers = [c.value for c in wb["指标"][1]]
    for row in wb["指标"].iter_rows(min_row=2):
        if row[0].value in targets:
            row[indicator_headers.index("目标值")].value = targets[str(row[0].value)]
    for row in wb["概况"].iter_rows(min_row=2):
        if row[0].value == "报告已完成数":
            row[1].value = completed
    wb.save(out)
    return out.read_bytes()


def publish(store: Store, data: bytes, name: str) -> None:
    """As the upload page and ``metrics publish`` do: review, then publish with counts."""
    basis = store.current()
    review = review_workbook(store, data, basis_id=basis.id if basis else None)
    assert review.result.ok, [str(p) for p in review.result.errors]
    publish_checked(
        store,
        data,
        review.result,
        review.changes,
        actor="张三",
        file_name=name,
        note="",
        expected_current=basis.id if basis else None,
    )


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory, bundled_workbook: Path) -> Iterator[Store]:
    """v1 bundled; v2 task 9 done and resettlement 72.5%; v3 task 1 reopened, task 24
    overdue (a deadline before the data's date), PM2.5 worse, one target raised."""
    folder = tmp_path_factory.mktemp("bulletin")
    store = Store(folder / "store")
    store.bootstrap(bundled_workbook, {})
    publish(
        store,
        edited(
            bundled_workbook,
            folder / "v2.xlsx",
            tasks={9: {"状态": "已完成"}},
            values={"T09-07": 72.5},
            completed=31,
        ),
        "v2.xlsx",
    )
    publish(
        store,
        edited(
            bundled_workbook,
            folder / "v3.xlsx",
            tasks={
                9: {"状态": "已完成"},
                1: {"状态": "正在整改"},
                24: {"整改时限": datetime.datetime(2021, 5, 1)},
            },
            values={"T09-07": 72.5, "T06-04": 58},
            targets={"T05-04": 220},
            completed=30,
        ),
        "v3.xlsx",
    )
    yield store


def scored_version(store: Store, number: int) -> Scored:
    version = store.version(number)
    assert version is not None
    result = load_untrusted(store.read(version))
    assert result.dataset is not None
    return score(result.dataset)


def sections(document: DocxDocument) -> dict[str, list[str]]:
    """Heading 1 text (without its number) → the paragraphs under it."""
    found: dict[str, list[str]] = {}
    current: list[str] | None = None
    for paragraph in document.paragraphs:
        style = paragraph.style.name if paragraph.style else ""
        if style == "Heading 1":
            current = found.setdefault(paragraph.text.split("、", 1)[1], [])
        elif current is not None and paragraph.text.strip() and style == "Normal":
            current.append(paragraph.text)
    return found


def plain_figures(old: Scored, new: Scored) -> tuple[PeriodFigures, PeriodFigures]:
    """The two periods' figures, colours by the default rules without rounds."""
    rules = SupervisionSettings()
    return (
        period_figures(old, colours(old, None, rules)),
        period_figures(new, colours(new, None, rules)),
    )


def bulletin_of(store: Store, a: int, b: int) -> DocxDocument:
    old, new = scored_version(store, a), scored_version(store, b)
    exported = export_bulletin(
        old,
        new,
        old_label=f"v{a}",
        new_label=f"v{b}",
        version=f"v{b}",
        figures=plain_figures(old, new),
    )
    assert exported.file_name == f"整改进展通报_v{a}至v{b}_2021-05-31.docx"
    return Document(io.BytesIO(exported.data))


@pytest.mark.parametrize(("a", "b"), [(1, 2), (2, 3)])
def test_a_bulletin_lists_exactly_what_the_store_recorded(store: Store, a: int, b: int) -> None:
    document = bulletin_of(store, a, b)
    recorded = store.version(b)
    assert recorded is not None
    counts = recorded.counts
    parts = sections(document)
    completed = parts.get("新完成的任务", [])
    status = parts.get("状态变化的任务", [])
    assert len(completed) + len(status) == counts["status_changes"]
    assert sum("改回未完成" in line for line in status) == counts["reopened"]
    tables = document.tables
    moved = len(tables[0].rows) - 1 if tables else 0
    assert moved == counts["indicator_changes"]
    changes = compare(scored_version(store, a), scored_version(store, b))
    listed = [row.cells[1].text for row in tables[0].rows[1:]] if tables else []
    task_of_indicator = {
        ip.indicator.id: ip.indicator.task_id for ip in scored_version(store, b).indicators
    }
    assert listed == [
        f"（{task_of_indicator[c.indicator_id]}）{c.name}" for c in changes.indicators
    ]
    text = "\n".join(p.text for p in document.paragraphs)
    assert "→" not in text and not re.search(r"v\d|T\d\d-\d\d|\.xlsx", text)  # no codes


def test_the_first_bulletin_reads_as_the_publish_did(store: Store) -> None:
    document = bulletin_of(store, 1, 2)
    text = "\n".join(p.text for p in document.paragraphs)
    assert (
        "整改率由85.7%升至88.6%（+2.9个百分点），已完成任务由30项增至31项。"
        "红色、黄色、蓝色督办任务均为0项，与上期持平。"
    ) in text
    assert "本期指标变化1项：仅监测的指标数值上升1项，逐项列示如下。" in text
    assert sections(document)["新完成的任务"] == [
        "（9）回迁安置进展缓慢（由“正在整改”改为“已完成”）。"
    ]
    (table,) = document.tables
    assert [c.text for c in table.rows[1].cells[:5]] == [
        "1",
        "（9）回迁安置率",
        "上升",  # monitor only: neither better nor worse, but it rose
        "67.7%",
        "72.5%",
    ]


def test_reopened_worse_retargeted_and_newly_overdue(store: Store) -> None:
    document = bulletin_of(store, 2, 3)
    parts = sections(document)
    assert parts["状态变化的任务"] == [
        "（1）理论学习表面化,指导实践有差距：由“已完成”改为“正在整改”"
        "（由完成改回未完成，请核实原因）。"
    ]
    (table,) = document.tables
    rows = {row.cells[1].text: [c.text for c in row.cells] for row in table.rows[1:]}
    text = "\n".join(p.text for p in document.paragraphs)
    assert "本期指标变化2项：变差1项、目标调整1项" in text
    # Task (24) is past its deadline now: red (by the deployment's rules) in the opening.
    assert (
        "已完成任务由31项减至30项。红色督办任务由0项增至1项；黄色督办任务0项，与上期持平。" in text
    )
    pm25 = next(r for name, r in rows.items() if "PM2.5" in name)
    assert pm25[2] == "变差"
    target = next(r for name, r in rows.items() if "省市重点项目完成投资" in name)
    assert target[2:5] == ["目标调整", "211亿元", "220亿元"]
    assert "按时间应完成" in target[6] and "序时" not in target[6]
    overdue = parts["逾期变化"]
    assert overdue == [
        "新增逾期：任务（24）违反中央八项规定精神屡禁不止，整改时限2021年5月1日，状态“正在整改”。"
    ]


def test_bulletin_layout_is_the_official_one(store: Store) -> None:
    document = bulletin_of(store, 1, 3)
    section = document.sections[0]
    assert section.top_margin is not None and section.left_margin is not None
    assert round(section.top_margin.mm) == 37 and round(section.left_margin.mm) == 28
    assert section.page_width is not None and abs(section.page_width - Mm(210)) < Mm(0.1)
    assert document.paragraphs[0].style is not None
    assert document.paragraphs[0].style.name == "Title"
    assert document.paragraphs[1].text.startswith("本期通报截至2021年5月31日的整改进展")


def test_no_change_says_so(store: Store) -> None:
    document = bulletin_of(store, 2, 2)
    text = "\n".join(p.text for p in document.paragraphs)
    assert "整改率88.6%，与上期持平" in text and "均无变化" in text
    assert not document.tables
    # What is still to do is said even when nothing changed.
    assert "截至2021年5月31日，尚未完成的任务4项：（7）防范化解重大风险任务艰巨（正在整改）" in text


def test_a_this_period_older_than_the_last_is_flagged(store: Store) -> None:
    from dataclasses import replace

    from briefing.docx_bulletin import period_warning

    old = scored_version(store, 1)
    new = scored_version(store, 2)
    assert old is not None and new is not None
    assert period_warning(old, new) == ""
    earlier = score(replace(new.dataset, meta=replace(new.meta, as_of=datetime.date(2021, 4, 30))))
    assert period_warning(old, earlier) == (
        "注意：本期数据截至2021年4月30日，早于上期的2021年5月31日：请核对所选的两期数据。"
    )


# -- command line -----------------------------------------------------------------------------


def test_command_line_since(
    store: Store,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv(STORE_ENV, str(store.root))
    monkeypatch.delenv("ZHENGGAI_DATABASE_URL", raising=False)
    current = store.current()
    assert current is not None
    newest = tmp_path / "六月.xlsx"
    newest.write_bytes(store.read(current))
    out = tmp_path / "通报.docx"
    assert briefing_main([str(newest), "--format", "docx", "--since", "v1", "--out", str(out)]) == 0
    document = Document(str(out))
    assert not any("六月.xlsx" in p.text or "v1" in p.text for p in document.paragraphs)
    assert "新完成的任务" in sections(document)
    opening = document.paragraphs[1].text
    assert "已完成任务30项。红色督办任务由0项增至1项；黄色督办任务0项，与上期持平。" in opening

    assert briefing_main([str(newest), "--format", "docx", "--since", "v9", "--out", str(out)]) == 1
    assert "版本 v9 不存在（当前版本为 v3）" in capsys.readouterr().err
    assert briefing_main([str(newest), "--format", "pptx", "--since", "v1", "--out", str(out)]) == 2
    with pytest.raises(SystemExit):
        briefing_main([str(newest), "--format", "docx", "--since", "x", "--out", str(out)])


# -- the history page ---------------------------------------------------------------------------


def test_history_page_makes_the_bulletin_between_any_two_versions(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(WORKBOOK_ENV, raising=False)
    monkeypatch.delenv("ZHENGGAI_DATABASE_URL", raising=False)
    monkeypatch.setenv(STORE_ENV, str(store.root))
    app = AppTest.from_file(DASHBOARD, default_timeout=60)
    app.run()
    app.switch_page("pages/history.py")
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    assert app.selectbox(key="bulletin_from").value == 2  # the one before the current
    assert app.selectbox(key="bulletin_to").value == 3
    app.selectbox(key="bulletin_from").set_value(1).run()
    app.button(key="bulletin_make").click().run()
    assert not app.exception and not app.error
    button = app.get("download_button")[-1]
    assert as_read(button.proto.label) == "下载 整改进展通报_v1至v3_2021-05-31.docx"
    exported = app.session_state["history_bulletin"][1]
    assert exported.mime == DOCX
    document = Document(io.BytesIO(exported.data))
    assert document.paragraphs[1].text.startswith("本期通报截至")
    assert "红色督办任务由0项增至1项" in document.paragraphs[1].text

    app.selectbox(key="bulletin_to").set_value(1).run()
    assert any("两个不同的版本" in i.value for i in app.info)
    assert not any("通报" in as_read(b.proto.label) for b in app.get("download_button"))
