"""Exports for briefings: scope, formula neutralising, Excel summary, offline HTML, CLI."""

from __future__ import annotations

import io
import re
import subprocess
import sys
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from openpyxl import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from briefing.excel_summary import build_summary_xlsx
from briefing.exports import export_document
from briefing.html_report import build_html
from briefing.names import export_name, safe_stem
from metrics.scoring.progress import Scored, score
from metrics.scoring.scope import EVERYTHING, Scope, ScopeError, parse_scope
from metrics.workbook.loader import load_workbook
from report.safe_cells import neutralise, safe_csv
from tests.builders import observation, task, valid_sheets, write_valid

ROOT = Path(__file__).resolve().parent.parent
HOSTILE_TITLE = '=HYPERLINK("http://x","y")'


def scored_of(path: Path) -> Scored:
    result = load_workbook(path)
    assert result.dataset is not None, result.problems
    return score(result.dataset)


@pytest.fixture
def hostile(tmp_path: Path) -> Scored:
    """A workbook whose first task is titled like a formula and with a value of -5."""
    observations = list(valid_sheets()["observations"])
    observations[-1] = observation("C", "2021-05-31", -5)  # a fall of 5 percentage points

    def as_text(wb: Workbook) -> None:  # staff typed it: text, not a formula, in the source
        for coordinate, text in (("D2", HOSTILE_TITLE), ("F2", "@SUM(A1)")):
            cell = wb["任务"][coordinate]
            cell.value, cell.data_type = text, "s"

    path = write_valid(tmp_path / "h.xlsx", observations=observations, tweak=as_text)
    scored = scored_of(path)
    assert scored.tasks[0].task.title == HOSTILE_TITLE
    return scored


# -- scope -----------------------------------------------------------------------------------


def test_scope_everything_by_default(scored: Scored) -> None:
    assert parse_scope("all", scored) is EVERYTHING
    assert len(EVERYTHING.select(scored)) == 35 and EVERYTHING.label() == "全部任务"


def test_scope_of_a_category_by_number_or_name(scored: Scored) -> None:
    second = parse_scope("方面:2", scored)
    assert second.category is not None and second.category.startswith("(二)")
    assert {tp.task.category for tp in second.select(scored)} == {second.category}
    assert parse_scope("category=全面从严治党", scored) == second
    cut = second.apply(scored)
    assert len(cut.tasks) == 13 and cut.dataset is scored.dataset


def test_scope_of_chosen_tasks(scored: Scored) -> None:
    chosen = parse_scope("任务:9，1 、9", scored)
    assert chosen.task_ids == (9, 1)
    assert [tp.task.id for tp in chosen.select(scored)] == [1, 9]  # workbook order
    assert chosen.label() == "任务9、1"


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("方面:7", "没有第 7 个方面"),
        ("方面:不存在", "没有名称包含"),
        ("任务:99", "没有编号为 99 的任务"),
        ("任务:x", "不是数字"),
        ("任务:", "至少写一个"),
        ("everything", "无法识别"),
    ],
)
def test_bad_scopes_are_explained(scored: Scored, text: str, words: str) -> None:
    with pytest.raises(ScopeError, match=words):
        parse_scope(text, scored)


# -- neutralising formulas ---------------------------------------------------------------------


@pytest.mark.parametrize("text", ["=1+1", "+1", "-1+1", "@SUM(A1)", "\tx", "\rx", "\nx"])
def test_formula_like_text_is_neutralised(text: str) -> None:
    assert neutralise(text) == "'" + text


@pytest.mark.parametrize("value", [-5, 8.9, 0, "整改", "5-3", "", None])
def test_other_values_are_left_alone(value: object) -> None:
    assert neutralise(value) == value


def test_safe_csv_keeps_numbers_and_guards_text() -> None:
    frame = pd.DataFrame({"任务": [HOSTILE_TITLE, "正常"], "数值": [-5, 8.9]})
    text = safe_csv(frame).decode("utf-8-sig")
    assert text.splitlines() == ["任务,数值", '"\'=HYPERLINK(""http://x"",""y"")",-5.0', "正常,8.9"]


# -- Excel summary ----------------------------------------------------------------------------


def rows_of(ws: Worksheet) -> list[dict[str, object]]:
    """A sheet's rows keyed by the heading row."""
    rows = list(ws.iter_rows(values_only=True))
    header = [str(name) for name in rows[0]]
    return [dict(zip(header, row, strict=True)) for row in rows[1:]]


def test_excel_summary_is_inert_and_keeps_numbers(hostile: Scored) -> None:
    data = build_summary_xlsx(hostile, EVERYTHING, version="v9")
    wb = openpyxl.load_workbook(io.BytesIO(data))
    tasks = wb["任务"]
    title = tasks["D2"]
    assert title.value == "'" + HOSTILE_TITLE and title.data_type == "s"
    assert rows_of(tasks)[0]["牵头单位"] == "'@SUM(A1)"
    # No cell anywhere is a formula.
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (ws.title, cell.coordinate, cell.value)
    indicators = rows_of(wb["指标"])
    values = {row["指标编号"]: row["最新值"] for row in indicators}
    assert values["C"] == -5 and isinstance(values["C"], int | float)
    assert values["B"] == pytest.approx(87.6)
    shown = {row["指标编号"]: row["数值（文字）"] for row in indicators}
    assert shown["C"] == "'-5%"  # the value as shown elsewhere, as inert text


def test_excel_summary_of_the_bundled_data(scored: Scored) -> None:
    wb = openpyxl.load_workbook(io.BytesIO(build_summary_xlsx(scored, EVERYTHING, version="v1")))
    assert wb.sheetnames == ["概况", "任务", "指标"]
    assert wb["任务"].max_row == 36 and wb["指标"].max_row == 122
    overview = {row[0].value: row[1].value for row in wb["概况"].iter_rows(min_row=2)}
    assert overview["整改完成率"] == pytest.approx(30 / 35)
    assert wb["概况"]["B9"].number_format == "0.0%" or any(
        row[1].number_format == "0.0%" for row in wb["概况"].iter_rows(min_row=2)
    )
    summary = overview["摘要"]
    assert isinstance(summary, str) and "整改率85.7%" in summary
    progress = [row["完成进度"] for row in rows_of(wb["指标"]) if row["完成进度"] is not None]
    assert all(isinstance(p, int | float) and 0 <= p <= 1 for p in progress) and progress
    headers = [cell.value for cell in wb["指标"][1]]
    for heading in ("完成进度", "序时进度"):
        column = wb["指标"].iter_cols(min_col=headers.index(heading) + 1, min_row=2)
        assert all(cell.number_format == "0.0%" for cell in next(column))


def test_excel_summary_of_a_scope(scored: Scored) -> None:
    data = build_summary_xlsx(scored, Scope(task_ids=(9, 10)), version="v1")
    wb = openpyxl.load_workbook(io.BytesIO(data))
    assert [row[0].value for row in wb["任务"].iter_rows(min_row=2)] == [9, 10]
    overview = {row[0].value: row[1].value for row in wb["概况"].iter_rows(min_row=2)}
    assert overview["范围"] == "任务9、10" and overview["整改完成率"] == 0


# -- offline HTML report ----------------------------------------------------------------------


def _outside_scripts(page: str) -> str:
    return re.sub(r"<script>.*?</script>", "", page, flags=re.S)


def test_html_report_is_self_contained_and_complete(scored: Scored) -> None:
    page = build_html(scored, EVERYTHING, version="v1 · abcd1234")
    assert "Plotly.newPlot" in page and page.count("<script src") == 0
    rest = _outside_scripts(page)
    assert not re.search(r"https?://", rest), re.findall(r"https?://\S{0,40}", rest)[:3]
    links = re.findall(r"""(?:src|href)\s*=\s*["']?([^"'\s>]*)""", rest)
    assert links and all(link.startswith("#") for link in links)  # in-page links only
    for tp in scored.tasks:
        assert tp.task.title in page
    assert page.count("<section class='issue'") == 35
    assert "break-before: page" in page and "整改率85.7%" in page
    # Targets met among targets with data; those still without data said apart.
    assert "<div class='value'>2 / 5 个</div>" in page
    assert "另有13个目标尚无数据（其中10个为目标日期未到的计划数）" in page


def test_html_report_of_one_category(scored: Scored) -> None:
    scope = parse_scope("方面:3", scored)
    page = build_html(scored, scope, version="v1")
    assert page.count("<section class='issue'") == 9
    assert "9项整改任务已完成9项" in page  # the summary describes the scope


def test_html_escapes_workbook_text(tmp_path: Path) -> None:
    sheets = valid_sheets()
    tasks = list(sheets["tasks"])
    tasks[0] = task(1, "已完成", 任务="<script>alert(1)</script>")
    evil = scored_of(write_valid(tmp_path / "e.xlsx", tasks=tasks))
    page = build_html(evil, EVERYTHING, version="v1")
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)" in page


# -- names ------------------------------------------------------------------------------------


def test_file_names_say_what_and_when(scored: Scored) -> None:
    assert export_name("整改完成率", scored.meta.as_of, "png") == "整改完成率_2021-05-31.png"
    assert safe_stem('a/b\\c:d*e?"f<g>h|i j') == "a_b_c_d_e_f_g_h_i_j"
    assert safe_stem("///") == "导出"
    exported = export_document("xlsx", scored, parse_scope("方面:1", scored), version="v1")
    assert exported.file_name.startswith("整改进展汇总_(一)") and exported.file_name.endswith(
        "_2021-05-31.xlsx"
    )


# -- command line -----------------------------------------------------------------------------


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "briefing", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
        timeout=180,
    )


def test_cli_writes_an_excel_summary_and_a_report(tmp_path: Path, bundled_workbook: Path) -> None:
    out = tmp_path / "sub" / "汇总.xlsx"
    done = run_cli(
        str(bundled_workbook), "--format", "xlsx", "--out", str(out), "--scope", "方面:2"
    )
    assert done.returncode == 0, done.stderr
    assert "已生成" in done.stdout
    assert openpyxl.load_workbook(out)["任务"].max_row == 14
    html_out = tmp_path / "r.html"
    done = run_cli(str(bundled_workbook), "--format", "html", "--out", str(html_out))
    assert done.returncode == 0 and "回迁安置进展缓慢" in html_out.read_text(encoding="utf-8")


def test_cli_explains_bad_input(tmp_path: Path, bundled_workbook: Path) -> None:
    done = run_cli(
        str(bundled_workbook), "--format", "xlsx", "--out", "x.xlsx", "--scope", "任务:99"
    )
    assert done.returncode == 1 and "没有编号为 99 的任务" in done.stderr
    bad = tmp_path / "bad.xlsx"
    bad.write_text("编号,任务\n1,甲\n", encoding="utf-8")
    done = run_cli(str(bad), "--format", "pptx", "--out", str(tmp_path / "x.pptx"))
    assert done.returncode == 1 and "CSV" in done.stderr and "Traceback" not in done.stderr
    done = run_cli(str(tmp_path / "missing.xlsx"), "--format", "html", "--out", "x.html")
    assert done.returncode == 1 and "无法打开文件" in done.stderr
    assert not (tmp_path / "x.pptx").exists()


def test_cli_writes_a_deck_for_chosen_tasks(tmp_path: Path, bundled_workbook: Path) -> None:
    from pptx import Presentation

    out = tmp_path / "汇报.pptx"
    done = run_cli(
        str(bundled_workbook), "--format", "pptx", "--out", str(out), "--scope", "任务:9"
    )
    assert done.returncode == 0, done.stderr
    # title, overview, task 9 and its continuation slide, open items, summary
    assert len(Presentation(str(out)).slides) == 6
