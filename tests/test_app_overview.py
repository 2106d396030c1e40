"""AppTest of the dashboard entry point and the overview page."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.builders import meta, write_valid
from tests.screen_text import as_read
from ui.data_source import WORKBOOK_ENV

DASHBOARD = str(Path(__file__).resolve().parent.parent / "dashboard.py")


def run_dashboard(monkeypatch: pytest.MonkeyPatch, workbook: Path) -> AppTest:
    monkeypatch.setenv(WORKBOOK_ENV, str(workbook))
    app = AppTest.from_file(DASHBOARD, default_timeout=30)
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    return app


def metrics_of(app: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in app.metric}


def test_overview_shows_completion_rate(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    app = run_dashboard(monkeypatch, write_valid(tmp_path / "ok.xlsx"))
    figures = metrics_of(app)
    assert figures["整改完成率"] == "66.7%"
    assert figures["已完成（共 3 项）"] == "2 项"
    assert figures["正在整改"] == "1 项"
    assert figures["指标已达标"] == "1 / 2 个"
    assert app.title[0].value == "测试看板"
    assert "数据截至 2021年5月31日" in app.caption[0].value
    assert any("整改率66.7%" in as_read(md.value) for md in app.markdown)


def test_blank_template_can_be_downloaded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    app = run_dashboard(monkeypatch, write_valid(tmp_path / "ok.xlsx"))
    button = app.get("download_button")[0]
    assert button.proto.label == "下载空白模板"
    assert button.proto.url  # the file is served by this server, not fetched from anywhere


def test_overview_of_the_bundled_workbook(
    bundled_workbook: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = run_dashboard(monkeypatch, bundled_workbook)
    figures = metrics_of(app)
    assert figures["整改完成率"] == "85.7%"
    assert figures["已完成（共 35 项）"] == "30 项"
    assert figures["正在整改"] == "5 项"


def test_broken_workbook_shows_problems_not_a_traceback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = run_dashboard(
        monkeypatch, write_valid(tmp_path / "bad.xlsx", meta=meta(截至日期="五月底"))
    )
    assert not app.metric
    assert "数据文件有 1 个错误" in app.error[0].value
    table = app.dataframe[0].value
    assert table.iloc[0]["表"] == "概况" and table.iloc[0]["行"] == 4
    assert "截至日期" in table.iloc[0]["问题"]


def test_missing_workbook_is_reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    app = run_dashboard(monkeypatch, tmp_path / "gone.xlsx")
    assert "无法打开文件" in app.dataframe[0].value.iloc[0]["问题"]
