"""Files the dashboard hands out."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from metrics.workbook.template import template_bytes
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
