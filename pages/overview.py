"""总览: the headline figures (full overview comes with the dashboard pages issue)."""

from __future__ import annotations

import streamlit as st

from metrics.headline import headline
from ui.data_source import current
from ui.problems_view import show_load_failure

loaded = current()
if loaded.scored is None:
    show_load_failure(loaded.problems)
    st.stop()

figures = headline(loaded.scored)
st.title(figures.title)
st.caption(f"{figures.organisation}　·　数据截至 {figures.as_of_text}")
col_rate, col_done, col_open = st.columns(3)
col_rate.metric("整改完成率", figures.rate_text)
col_done.metric("已完成", f"{figures.completed} / {figures.total} 项")
col_open.metric("正在整改", f"{figures.in_progress} 项")
st.write(figures.sentence)
