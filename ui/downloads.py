"""Files the dashboard hands out."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from briefing.exports import Exported
from metrics.workbook.template import template_bytes
from report.literal import md
from report.safe_cells import safe_csv

TEMPLATE_FILE_NAME = "整改进展看板_空白模板.xlsx"
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@st.cache_data(show_spinner=False)
def _template() -> bytes:
    return template_bytes()


def template_download_button(key: str = "download_template") -> None:
    st.download_button(
        "下载空白模板",
        data=_template(),
        file_name=TEMPLATE_FILE_NAME,
        mime=XLSX_MIME,
        help="与看板读取格式一致的空白工作簿，含填写说明和下拉选项",
        key=key,
    )


def table_download_button(frame: pd.DataFrame, file_name: str, *, key: str) -> None:
    """The table as CSV for Excel, formulas neutralised (replaces the grid's own download,
    which ``client.disableDataExport`` turns off)."""
    st.download_button(
        "下载表格（CSV）",
        data=safe_csv(frame),
        file_name=file_name,
        mime="text/csv",
        key=key,
    )


def offer_remembered(state_key: str, context: tuple[object, ...], *, key: str) -> Exported | None:
    """The download button for the file last made under ``state_key`` (remembered in the
    session as ``(context, Exported)``), only while the choices are still ``context``:
    a file made for other choices is never offered."""
    remembered = st.session_state.get(state_key)
    if remembered is None or remembered[0] != context:
        return None
    exported: Exported = remembered[1]
    st.download_button(
        f"下载 {md(exported.file_name)}",
        data=exported.data,
        file_name=exported.file_name,
        mime=exported.mime,
        key=key,
        type="primary",
    )
    return exported
