"""导出材料: slides, an offline report, an Excel summary and chart images for meetings."""

from __future__ import annotations

import streamlit as st

from ui.export_panel import chart_exports, document_exports, scope_picker
from ui.navigation_guard import require_app_navigation
from ui.page_header import page_title, scored_or_stop

require_app_navigation()

loaded, scored = scored_or_stop()
page_title("导出材料", loaded, scored)
st.caption("生成的文件使用当前查看的数据版本；文件名含数据截至日期。")

st.subheader("汇报材料")
scope = scope_picker(scored)
document_exports(loaded, scored, scope)

st.subheader("图表图片")
st.caption(
    "问题详情、指标、单位评比页的图表，也可以在图表右上角的工具栏中点“下载图片”直接保存 PNG；"
    "总览的三张条形图在这里导出。"
)
chart_exports(loaded, scored)
