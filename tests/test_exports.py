"""Exports for briefings: scope, formula neutralising, Excel summary, offline HTML, CLI,
and the 督办 colours in the Excel summary, the offline report and from the CLI."""

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
from metrics.store.backend import DATABASE_URL_ENV
from metrics.store.versions import STORE_ENV
from metrics.supervision.model import TaskWarning, WarningColour
from metrics.workbook.loader import load_workbook
from report.safe_cells import neutralise, safe_csv
from report.status import tag
from tests.builders import observation, task, valid_sheets, write_valid
from tests.coloured_exports import (
    COLOURED,
    LATE_REASONS,
    RED_REASON,
    UNCOLOURED,
    coloured,
    late_round_store,
)
from tests.screen_text import slide_text
from tests.test_supervision_ui import SETTING_ENVS, colour_workbook

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


# -- 督办 colours (tests.coloured_exports) -----------------------------------------------------


def test_excel_summary_gives_each_tasks_colour_and_rule(tmp_path: Path) -> None:
    scored, warnings = coloured(tmp_path)
    data = build_summary_xlsx(scored, EVERYTHING, version="v1", warnings=warnings)
    wb = openpyxl.load_workbook(io.BytesIO(data))
    headers = [cell.value for cell in wb["任务"][1]]
    assert headers[3:8] == ["任务", "状态", "督办", "督办原因", "提示"]  # as the tasks table
    rows = {row["编号"]: row for row in rows_of(wb["任务"])}
    for task_id, (cell, reason) in COLOURED.items():
        assert (rows[task_id]["督办"], rows[task_id]["督办原因"]) == (cell, reason)
    for task_id in UNCOLOURED:
        assert rows[task_id]["督办"] is None and rows[task_id]["督办原因"] is None
    # 提示 as the tasks table words it, symbol and word: never a bare "红" beside "● 红色".
    for tp in scored.tasks:
        assert rows[tp.task.id]["提示"] == tag(tp.colour)
        assert rows[tp.task.id]["提示"] != tp.colour.value
    overview = {row[0].value: row[1].value for row in wb["概况"].iter_rows(min_row=2)}
    assert [overview[k] for k in ("● 红色督办", "▲ 黄色督办", "■ 蓝色督办")] == [1, 1, 1]
    # A scope counts its own tasks only.
    scoped = build_summary_xlsx(scored, Scope(task_ids=(1, 4)), version="v1", warnings=warnings)
    wb = openpyxl.load_workbook(io.BytesIO(scoped))
    overview = {row[0].value: row[1].value for row in wb["概况"].iter_rows(min_row=2)}
    assert [overview[k] for k in ("● 红色督办", "▲ 黄色督办", "■ 蓝色督办")] == [1, 0, 0]
    # Without warnings (not computed), no 督办 column says "none".
    plain = openpyxl.load_workbook(io.BytesIO(build_summary_xlsx(scored, EVERYTHING, version="v1")))
    assert "督办" not in [cell.value for cell in plain["任务"][1]]


def test_excel_summary_keeps_a_formula_like_reason_inert(tmp_path: Path) -> None:
    scored, _ = coloured(tmp_path)
    # A reason names units as the workbook writes them.
    warnings = {1: TaskWarning(1, WarningColour.YELLOW, ("=1+2未按时报送“六月”",))}
    data = build_summary_xlsx(scored, EVERYTHING, version="v1", warnings=warnings)
    tasks = openpyxl.load_workbook(io.BytesIO(data))["任务"]
    reason = tasks.cell(row=2, column=7)
    assert reason.value == "'=1+2未按时报送“六月”" and reason.data_type == "s"


def test_html_report_gives_each_tasks_colour_and_rule(tmp_path: Path) -> None:
    scored, warnings = coloured(tmp_path)
    page = _outside_scripts(build_html(scored, EVERYTHING, version="v1", warnings=warnings))
    for heading in ("● 红色 1 项", "▲ 黄色 1 项", "■ 蓝色 1 项"):
        assert f">{heading}</span>" in page, heading
    table = page[page.index("<h2>督办任务</h2>") : page.index("<h2>需关注</h2>")]
    listed = re.findall(r"<tr><td>(\d+)</td>", table)
    assert listed == ["1", "3", "2"]  # red, yellow, blue
    issues = {
        int(m.group(1)): m.group(0)
        for m in re.finditer(r"<section class='issue' id='task-(\d+)'>.*?</section>", page)
    }
    for task_id, (cell, reason) in COLOURED.items():
        assert f">{cell}</span>" in table and reason in table
        assert re.search(f"督办：<span[^>]*>{cell}</span>", issues[task_id]), task_id
        assert f"督办原因：{reason}" in issues[task_id], task_id
    for task_id in UNCOLOURED:
        assert "督办原因" not in issues[task_id] and "色</span>" not in issues[task_id]
        assert f"#task-{task_id}'" not in table
        assert not re.search(rf"（{task_id}）[^<]*</a>　<span", page)  # none in the contents


def test_html_report_escapes_a_reason_and_says_when_none_is_coloured(tmp_path: Path) -> None:
    scored, _ = coloured(tmp_path)
    warnings = {1: TaskWarning(1, WarningColour.YELLOW, ("<b>甲局</b>未按时报送“六月”",))}
    page = build_html(scored, EVERYTHING, version="v1", warnings=warnings)
    assert "<b>甲局</b>" not in page and "&lt;b&gt;甲局&lt;/b&gt;未按时报送“六月”" in page
    calm = build_html(scored, EVERYTHING, version="v1", warnings={})
    assert "所选范围内没有红色、黄色或蓝色督办的任务" in calm and "● 红色 0 项" in calm
    plain = _outside_scripts(build_html(scored, EVERYTHING, version="v1"))
    assert "督办：" not in plain and "督办任务" not in plain and "● 红色" not in plain


@pytest.fixture
def cli_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The dashboard's store (``ZHENGGAI_STORE``) with a round that 区住建局 reported late;
    the deployment's default rules."""
    for name in SETTING_ENVS:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.delenv(DATABASE_URL_ENV, raising=False)
    root = tmp_path / "store"
    monkeypatch.setenv(STORE_ENV, str(root))
    late_round_store(root, tmp_path)
    return tmp_path / "round.xlsx"  # the store's workbook (tests.rounds_data)


def test_cli_colours_tasks_with_the_rounds_of_the_store(
    cli_store: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from briefing.cli import main

    out = tmp_path / "汇总.xlsx"
    assert main([str(cli_store), "--format", "xlsx", "--out", str(out)]) == 0
    rows = {row["编号"]: row for row in rows_of(openpyxl.load_workbook(out)["任务"])}
    for task_id, reason in LATE_REASONS.items():
        assert (rows[task_id]["督办"], rows[task_id]["督办原因"]) == ("▲ 黄色", reason)
    assert rows[1]["督办"] is None and rows[4]["督办"] is None  # on time; complete
    assert "无法读取" not in capsys.readouterr().err
    # --no-rounds: from deadlines and indicators only, none of which colours a task here.
    assert main([str(cli_store), "--format", "xlsx", "--out", str(out), "--no-rounds"]) == 0
    rows = {row["编号"]: row for row in rows_of(openpyxl.load_workbook(out)["任务"])}
    assert all(row["督办"] is None for row in rows.values()) and "督办" in rows[1]


def test_cli_without_a_store_colours_by_deadline_and_creates_none(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from briefing.cli import main

    for name in SETTING_ENVS:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.delenv(DATABASE_URL_ENV, raising=False)
    nowhere = tmp_path / "no-store"
    monkeypatch.setenv(STORE_ENV, str(nowhere))
    workbook = colour_workbook(tmp_path / "colours.xlsx")
    out = tmp_path / "汇报.pptx"
    assert main([str(workbook), "--format", "pptx", "--out", str(out), "--scope", "任务:1"]) == 0
    assert not nowhere.exists()  # nothing created where no store was
    from pptx import Presentation

    text = "\n".join(slide_text(slide) for slide in Presentation(str(out)).slides)
    assert f"督办：● 红色（{RED_REASON}）" in text
