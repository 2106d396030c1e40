"""AppTest of the export page: scope, documents and chart images for briefings."""

from __future__ import annotations

import io
import re
from pathlib import Path

import openpyxl
import pytest
from streamlit.testing.v1 import AppTest

from briefing.document_kind import DocumentKind
from metrics.store.backend import DATABASE_URL_ENV
from metrics.store.versions import STORE_ENV
from tests.coloured_exports import LATE_REASONS, late_round_store
from tests.screen_text import as_read, slide_text
from tests.test_supervision_ui import SETTING_ENVS
from ui.data_source import WORKBOOK_ENV

DASHBOARD = str(Path(__file__).resolve().parent.parent / "dashboard.py")


@pytest.fixture
def export_page(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    monkeypatch.delenv(WORKBOOK_ENV, raising=False)
    monkeypatch.setenv(STORE_ENV, str(tmp_path / "store"))
    app = AppTest.from_file(DASHBOARD, default_timeout=120)
    app.run()
    app.switch_page("pages/export.py")
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    return app


def download(app: AppTest) -> tuple[str, bytes]:
    """The download button's label as shown (its Markdown escapes undone) and the file."""
    button = app.get("download_button")[0]
    shown = as_read(button.proto.label)
    return shown, app.session_state["export_result"][1].data


def test_the_page_offers_every_export(export_page: AppTest) -> None:
    labels = [b.label for b in export_page.button]
    assert labels == [
        "生成Word 报告（.docx）",
        "生成汇报幻灯片（.pptx）",
        "生成离线报告（.html）",
        "生成Excel 汇总表（.xlsx）",
        "生成图片",
    ]
    assert export_page.title[0].value == "导出材料"


def test_excel_summary_of_one_category(export_page: AppTest) -> None:
    export_page.radio(key="export_scope_kind").set_value("按方面").run()
    export_page.selectbox(key="export_category").select_index(2).run()
    export_page.button(key="export_make_xlsx").click().run()
    assert not export_page.exception and not export_page.error
    label, data = download(export_page)
    assert label.startswith("下载 整改进展汇总_(三)") and label.endswith("_2021-05-31.xlsx")
    assert openpyxl.load_workbook(io.BytesIO(data))["任务"].max_row == 10  # 9 tasks + header


def test_offline_report_of_chosen_tasks(export_page: AppTest) -> None:
    export_page.radio(key="export_scope_kind").set_value("选定任务").run()
    export_page.multiselect(key="export_tasks").set_value([9, 10]).run()
    export_page.button(key="export_make_html").click().run()
    label, data = download(export_page)
    assert label == "下载 整改进展报告_任务9、10_2021-05-31.html"
    page = data.decode("utf-8")
    assert page.count("<section class='issue'") == 2 and "回迁安置进展缓慢" in page


def test_a_chart_image(export_page: AppTest) -> None:
    export_page.selectbox(key="export_chart").set_value("overview_categories").run()
    export_page.radio(key="export_image_format").set_value("png").run()
    export_page.button(key="export_make_image").click().run()
    assert not export_page.exception and not export_page.error
    label, data = download(export_page)
    assert label == "下载 分方面完成情况_2021-05-31.png" and data.startswith(b"\x89PNG")


def test_a_changed_choice_hides_the_old_download(export_page: AppTest) -> None:
    export_page.button(key="export_make_xlsx").click().run()
    assert export_page.get("download_button")
    export_page.radio(key="export_scope_kind").set_value("按方面").run()
    assert not export_page.get("download_button")  # made for another scope


def test_without_chromium_the_page_says_how_to_install(
    export_page: AppTest, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("ZHENGGAI_CHROMIUM", str(tmp_path / "nowhere"))
    export_page.run()
    assert any("apt-get install chromium" in w.value for w in export_page.warning)
    assert not any(b.label == "生成图片" for b in export_page.button)


def test_an_unexpected_failure_is_explained_not_a_traceback(
    export_page: AppTest, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr("ui.export_panel.export_document", broken)
    export_page.button(key="export_make_pptx").click().run()
    assert not export_page.exception
    assert "意外错误" in export_page.error[0].value and "boom" not in export_page.error[0].value
    assert not export_page.get("download_button")


def test_the_briefing_deck(export_page: AppTest) -> None:
    from pptx import Presentation

    export_page.button(key="export_make_pptx").click().run()
    assert not export_page.exception and not export_page.error
    label, data = download(export_page)
    assert label == "下载 整改进展汇报_2021-05-31.pptx"
    deck = Presentation(io.BytesIO(data))
    titles = [s.shapes[1].text_frame.text for s in deck.slides if len(s.shapes) > 1]
    # title, overview, 35 tasks (some with continuation slides), open items, summary
    assert sum(1 for t in titles if re.match(r"（\d+）", t) and not t.endswith("（续）")) == 35
    assert any(t == "（3）区域经济发展质量不高（续）" for t in titles)
    assert len(deck.slides) > 39


def test_the_word_report_with_its_figures(export_page: AppTest) -> None:
    from docx import Document

    export_page.radio(key="export_scope_kind").set_value("选定任务").run()
    export_page.multiselect(key="export_tasks").set_value([9, 10]).run()
    export_page.button(key="export_make_docx").click().run()
    assert not export_page.exception and not export_page.error
    label, data = download(export_page)
    # The bundled title names a 通报: the default kind, in the file name and the title.
    assert label == "下载 整改进展情况通报_任务9、10_2021-05-31.docx"
    document = Document(io.BytesIO(data))
    assert document.paragraphs[0].text.endswith("的通报")
    text = "\n".join(p.text for p in document.paragraphs)
    assert "回迁安置进展缓慢" in text and "公办教育发展滞后" in text
    assert "理论学习表面化" not in text  # task 1 is out of scope
    assert len(document.inline_shapes) >= 1  # figures, drawn by the system Chromium


def test_the_word_report_as_a_report_sent_up(export_page: AppTest) -> None:
    from docx import Document

    export_page.radio(key="export_doc_kind").set_value(DocumentKind.REPORT).run()
    export_page.button(key="export_make_docx").click().run()
    assert not export_page.exception and not export_page.error
    label, data = download(export_page)
    assert label == "下载 整改进展情况报告_2021-05-31.docx"
    text = [p.text for p in Document(io.BytesIO(data)).paragraphs]
    assert text[0] == "中共惠济区委关于巡视整改进展情况的报告"
    assert text[1].endswith("整改进展情况报告如下。")


def test_without_chromium_the_word_report_has_no_figures_and_says_so(
    export_page: AppTest, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from docx import Document

    monkeypatch.setenv("ZHENGGAI_CHROMIUM", str(tmp_path / "nowhere"))
    export_page.run()
    assert any("Word 报告不含图表" in c.value for c in export_page.caption)
    export_page.button(key="export_make_docx").click().run()
    assert not export_page.exception and not export_page.error
    _, data = download(export_page)
    document = Document(io.BytesIO(data))
    assert len(document.inline_shapes) == 0
    assert any("整改率85.7%" in p.text for p in document.paragraphs)


def test_every_document_carries_the_colours_of_the_rounds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The store has a round that 区住建局 reported late (``tests.coloured_exports``): the
    colours come from its facts, as on the pages."""
    from docx import Document
    from pptx import Presentation

    for name in SETTING_ENVS:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.delenv(WORKBOOK_ENV, raising=False)
    monkeypatch.delenv(DATABASE_URL_ENV, raising=False)
    monkeypatch.setenv(STORE_ENV, str(tmp_path / "store"))
    late_round_store(tmp_path / "store", tmp_path)
    app = AppTest.from_file(DASHBOARD, default_timeout=120)
    app.run()
    app.switch_page("pages/export.py")
    app.run()
    app.button(key="export_make_xlsx").click().run()
    assert not app.exception and not app.error
    rows = list(
        openpyxl.load_workbook(io.BytesIO(download(app)[1]))["任务"].iter_rows(values_only=True)
    )
    header = list(rows[0])
    found = {row[0]: (row[header.index("督办")], row[header.index("督办原因")]) for row in rows[1:]}
    assert found == {
        1: (None, None),
        2: ("▲ 黄色", LATE_REASONS[2]),
        3: ("▲ 黄色", LATE_REASONS[3]),
        4: (None, None),
    }
    app.button(key="export_make_pptx").click().run()
    deck = Presentation(io.BytesIO(download(app)[1]))
    assert "督办：● 红色 0 项　▲ 黄色 2 项　■ 蓝色 0 项" in slide_text(deck.slides[1])
    app.button(key="export_make_docx").click().run()
    document = Document(io.BytesIO(download(app)[1]))
    assert any("，黄色督办2项：" in p.text for p in document.paragraphs)
