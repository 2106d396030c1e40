"""The unit's forms on the 填报 page keep the revision each was loaded at: a colleague's
save meanwhile reloads the form with their text instead of being overwritten, and a
unit workbook uploaded reloads every form with what the file said."""

from __future__ import annotations

import io
from pathlib import Path

import openpyxl
import pytest

from metrics.rounds.model import TaskReport
from metrics.rounds.unit_workbook import unit_workbook_bytes
from tests.rounds_data import EDU, EDU_REPORTER, OFFICE, service_for
from tests.test_rounds_access import unit_on_report_page

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def test_a_colleagues_save_reloads_the_form(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store, round_id, app = unit_on_report_page(tmp_path, monkeypatch)
    service = service_for(store)
    key = f"report_{round_id}_{EDU}_1"
    app.text_area(key=f"{key}_progress").set_value("我的第一稿").run()
    assert service.drafts(OFFICE, round_id, EDU)[1].report.progress == "我的第一稿"
    assert any(c.value.startswith("已保存：") for c in app.caption)
    service.save_draft(EDU_REPORTER, round_id, EDU, TaskReport(1, progress="同事的版本"))
    app.text_area(key=f"{key}_progress").set_value("我的第二稿").run()
    assert any("刚修改了任务（1）" in e.value for e in app.error), [e.value for e in app.error]
    assert app.text_area(key=f"{key}_progress").value == "同事的版本"
    assert service.drafts(OFFICE, round_id, EDU)[1].report.progress == "同事的版本"
    # Continued from the colleague's version, the next save goes through.
    app.text_area(key=f"{key}_progress").set_value("合并后的版本").run()
    assert not app.error
    assert service.drafts(OFFICE, round_id, EDU)[1].report.progress == "合并后的版本"


def test_a_workbook_uploaded_reloads_every_form(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store, round_id, app = unit_on_report_page(tmp_path, monkeypatch)
    service = service_for(store)
    key = f"report_{round_id}_{EDU}_1"
    app.text_area(key=f"{key}_progress").set_value("网页上填的").run()
    drafts = service.drafts(OFFICE, round_id, EDU)
    book = openpyxl.load_workbook(
        io.BytesIO(unit_workbook_bytes(service.dataset(), service.round(round_id), EDU, drafts))
    )
    book["任务"]["I2"] = "工作簿里填的"  # task (1)
    book["任务"]["I3"] = "配套学校已开工"  # task (3)
    buffer = io.BytesIO()
    book.save(buffer)
    app.file_uploader(key=f"report_workbook_upload_{round_id}_{EDU}_0").set_value(
        ("区教育局.xlsx", buffer.getvalue(), XLSX)
    ).run()
    assert not app.exception
    assert "已从工作簿报送" in app.success[0].value, [e.value for e in app.error]
    assert app.text_area(key=f"{key}_progress").value == "工作簿里填的"
    assert app.text_area(key=f"report_{round_id}_{EDU}_3_progress").value == "配套学校已开工"
