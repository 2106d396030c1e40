"""The export page's parts: choose a scope, make documents, render chart images.

Every document carries the 督办 colours the pages show, passed to the export: those of
``ui.supervision.version_warnings`` (with the store's rounds facts when it has rounds,
computed once per data version and rounds facts)."""

from __future__ import annotations

import logging

import streamlit as st

from briefing.chart_catalog import chart_catalog
from briefing.document_kind import DocumentKind
from briefing.exports import (
    DOCUMENT_FORMATS,
    IMAGE_FORMATS,
    Exported,
    ExportError,
    export_document,
    render_chart,
)
from briefing.images import INSTALL_HINT, ImageExportError, Renderer, find_chromium
from metrics.scoring.progress import Scored
from metrics.scoring.scope import EVERYTHING, Scope, categories
from report.literal import md
from report.wording import short_category
from ui.data_source import Loaded
from ui.downloads import offer_remembered
from ui.supervision import version_warnings

DOCUMENT_LABELS = {
    "docx": (
        "Word 报告（.docx）",
        "公文格式（GB/T 9704）：仿宋三号正文、黑体/楷体标题、页码，可直接编辑；含图表",
    ),
    "pptx": ("汇报幻灯片（.pptx）", "可在 PowerPoint、WPS 中直接编辑，图表为原生图表"),
    "html": (
        "离线报告（.html）",
        "单个文件，无需联网即可打开；浏览器中“打印”可另存为 PDF，每个问题一页",
    ),
    "xlsx": ("Excel 汇总表（.xlsx）", "任务和指标的计算结果，可筛选、排序"),
}
_RESULT_KEY = "export_result"
_LOG = logging.getLogger(__name__)
UNEXPECTED = "生成时出现意外错误，已记录在服务器日志中：请稍后重试，或联系技术人员。"


@st.cache_resource(show_spinner="正在启动图片渲染服务……")
def shared_renderer() -> Renderer:
    """One kaleido server on the system Chromium for the whole process."""
    return Renderer()


def scope_picker(scored: Scored) -> Scope:
    kind = st.radio(
        "范围",
        ["全部任务", "按方面", "选定任务"],
        horizontal=True,
        key="export_scope_kind",
    )
    if kind == "按方面":
        names = categories(scored)
        chosen = st.selectbox("方面", names, format_func=short_category, key="export_category")
        return Scope(category=chosen) if chosen else EVERYTHING
    if kind == "选定任务":
        titles = {tp.task.id: tp.task.title for tp in scored.tasks}
        ids = st.multiselect(
            "任务",
            list(titles),
            format_func=lambda i: f"（{i}）{titles[i]}",
            key="export_tasks",
        )
        if not ids:
            st.info("请至少选择一项任务；未选择时导出全部任务。")
        return Scope(task_ids=tuple(ids)) if ids else EVERYTHING
    return EVERYTHING


def document_kind_picker(scored: Scored) -> DocumentKind:
    """报告 (sent up) or 通报: the Word report's title, opening and closing agree with it."""
    kinds = list(DocumentKind)
    default = kinds.index(DocumentKind.of_title(scored.meta.title))
    return st.radio(
        "Word 报告的文种",
        kinds,
        index=default,
        format_func=lambda kind: f"{kind.value}（标题、开头和结尾都按{kind.value}写）",
        horizontal=True,
        key="export_doc_kind",
        help="第三部分“下一步工作”中的条目据未完成任务和滞后指标起草，请核改后再报送。",
    )


def document_exports(loaded: Loaded, scored: Scored, scope: Scope) -> None:
    kind = document_kind_picker(scored)
    columns = st.columns(len(DOCUMENT_FORMATS))
    for column, fmt in zip(columns, DOCUMENT_FORMATS, strict=True):
        label, help_text = DOCUMENT_LABELS[fmt]
        with column:
            if st.button(f"生成{label}", key=f"export_make_{fmt}", help=help_text):
                _make_document(fmt, loaded, scored, scope, kind)
    if find_chromium() is None:
        st.caption(f"本机未安装 Chromium：Word 报告不含图表，其余内容完整。{md(INSTALL_HINT)}")
    _offer_result(("document", loaded.version, scope, kind))


def _make_document(
    fmt: str, loaded: Loaded, scored: Scored, scope: Scope, kind: DocumentKind
) -> None:
    with st.status(f"正在生成{DOCUMENT_LABELS[fmt][0]}……", expanded=False) as progress:
        try:
            renderer = shared_renderer() if fmt == "docx" and find_chromium() else None
            exported = export_document(
                fmt,
                scored,
                scope,
                version=loaded.version,
                renderer=renderer,
                kind=kind,
                warnings=version_warnings(loaded, scored),
            )
        except ExportError as exc:
            progress.update(label="生成失败", state="error")
            st.error(md(str(exc)))
            return
        except Exception:  # never a stack trace for leaders; the details go to the log
            _LOG.exception("export %s failed", fmt)
            progress.update(label="生成失败", state="error")
            st.error(UNEXPECTED)
            return
        progress.update(label=f"已生成：{md(exported.file_name)}", state="complete")
    st.session_state[_RESULT_KEY] = (("document", loaded.version, scope, kind), exported)


def chart_exports(loaded: Loaded, scored: Scored) -> None:
    charts = chart_catalog(scored)
    titles = {c.key: c.title for c in charts}
    key = st.selectbox("图表", list(titles), format_func=lambda k: titles[k], key="export_chart")
    fmt = st.radio(
        "格式",
        IMAGE_FORMATS,
        format_func=lambda f: {"png": "PNG（2 倍清晰度）", "svg": "SVG（矢量）", "pdf": "PDF"}[f],
        horizontal=True,
        key="export_image_format",
    )
    if find_chromium() is None:
        st.warning(INSTALL_HINT)
        return
    if st.button("生成图片", key="export_make_image"):
        chart = next(c for c in charts if c.key == key)
        with st.status("正在生成图片……", expanded=False) as progress:
            try:
                exported = render_chart(shared_renderer(), chart, scored, fmt)
            except (ExportError, ImageExportError) as exc:
                progress.update(label="生成失败", state="error")
                st.error(md(str(exc)))
                return
            except Exception:
                _LOG.exception("chart image %s failed", key)
                progress.update(label="生成失败", state="error")
                st.error(UNEXPECTED)
                return
            progress.update(label=f"已生成：{md(exported.file_name)}", state="complete")
        st.session_state[_RESULT_KEY] = (("image", loaded.version, key, fmt), exported)
    result = _offer_result(("image", loaded.version, key, fmt))
    if result is not None and result.mime == "image/png":
        st.image(result.data, caption=md(result.file_name))


def _offer_result(context: tuple[object, ...]) -> Exported | None:
    """The download button for the last export made with these same choices."""
    return offer_remembered(_RESULT_KEY, context, key=f"export_download_{context[0]}")
