"""``python -m metrics``: exit codes, Chinese output, JSON shape, no tracebacks."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from metrics.cli import main
from metrics.workbook.loader import load_workbook
from tests.builders import meta, write_valid


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_check_publishable_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "check", str(write_valid(tmp_path / "ok.xlsx")))
    assert code == 0
    assert "可以发布" in out


def test_check_lists_problems_and_fails(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write_valid(tmp_path / "bad.xlsx", meta=meta(截至日期="五月底"))
    code, out, _ = run(capsys, "check", str(path))
    assert code == 1
    assert "工作表“概况”第 4 行“内容”列" in out and "不能发布" in out


def test_check_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write_valid(tmp_path / "bad.xlsx", meta=meta(截至日期="五月底"))
    code, out, _ = run(capsys, "check", str(path), "--json")
    data = json.loads(out)
    assert code == 1 and data["publishable"] is False and data["errors"] == 1
    assert data["problems"][0] == {
        "severity": "error",
        "sheet": "概况",
        "row": 4,
        "column": "内容",
        "message": data["problems"][0]["message"],
    }


def test_check_garbage_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "fake.xlsx"
    path.write_bytes(b"<html>not excel</html>")
    code, out, err = run(capsys, "check", str(path))
    assert code == 1
    assert ".xlsx" in out and "Traceback" not in out + err


def test_summary_json_shape(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "summary", str(write_valid(tmp_path / "ok.xlsx")), "--json")
    assert code == 0
    data = json.loads(out)
    overall = data["overall"]
    assert {k: overall[k] for k in ("total", "completed", "in_progress")} == {
        "total": 3,
        "completed": 2,
        "in_progress": 1,
    }
    assert overall["rate"] == pytest.approx(2 / 3, abs=1e-6)
    task = data["tasks"][2]
    assert {k: task[k] for k in ("id", "title", "status", "complete", "overdue", "colour")} == {
        "id": 3,
        "title": "任务3",
        "status": "正在整改",
        "complete": False,
        "overdue": False,
        "colour": "黄",
    }
    pm = data["indicators"][0]
    assert {k: pm[k] for k in ("id", "task_id", "unit", "value", "target", "direction")} == {
        "id": "A",
        "task_id": 1,
        "unit": "微克/立方米",
        "value": 52.0,
        "target": 54.0,
        "direction": "越小越好",
    }
    assert pm["status"] == "已达标" and pm["date"] == "2020-12-31"
    for key in ("baseline", "progress", "expected_progress"):
        assert key in pm


def test_summary_text(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "summary", str(write_valid(tmp_path / "ok.xlsx")))
    assert code == 0
    assert "截至2021年5月31日，3项整改任务已完成2项，正在整改1项，整改率66.7%。" in out


def test_summary_refuses_a_file_with_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_valid(tmp_path / "bad.xlsx", meta=meta(截至日期="五月底"))
    code, out, err = run(capsys, "summary", str(path), "--json")
    assert code == 1 and out == ""
    assert "截至日期" in err and "五月底" in err


def test_template_round_trip(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out_file = tmp_path / "模板.xlsx"
    code, _, _ = run(capsys, "template", str(out_file))
    assert code == 0 and out_file.exists()
    # The blank template is a valid contract with no tasks: the loader says exactly that.
    result = load_workbook(out_file)
    messages = [p.message for p in result.errors]
    assert any("没有任何任务" in m for m in messages), messages
    assert not any("缺少" in m for m in messages), messages
    code, _, err = run(capsys, "template", str(out_file))
    assert code == 1 and "--force" in err


def test_usage_error_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stop:
        main(["frobnicate"])
    assert stop.value.code == 2


def test_module_entry_point_runs_in_a_subprocess(tmp_path: Path) -> None:
    path = write_valid(tmp_path / "ok.xlsx")
    done = subprocess.run(
        [sys.executable, "-m", "metrics", "check", str(path)],
        capture_output=True,
        text=True,
        encoding="utf-8",
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "可以发布" in done.stdout
