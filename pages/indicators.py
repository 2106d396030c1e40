"""指标: every indicator with its progress toward the target, and where the red is."""

from __future__ import annotations

import streamlit as st

from metrics.scoring.progress import IndicatorStatus
from report.views import IndicatorFilter, indicator_table, task_filter_options
from ui.downloads import table_download_button
from ui.figures import matrix_figure, show
from ui.issue_links import table_opening_issues
from ui.navigation_guard import require_app_navigation
from ui.page_header import page_title, scored_or_stop
from ui.status import tag

require_app_navigation()

loaded, scored = scored_or_stop()
page_title("指标", loaded, scored)
options = task_filter_options(scored)

with st.expander("筛选", expanded=False):
    chosen = IndicatorFilter(
        categories=tuple(st.multiselect("方面", options.categories, key="indicators_categories")),
        problems=tuple(st.multiselect("问题", options.problems, key="indicators_problems")),
        statuses=tuple(
            st.multiselect("状态", [s.value for s in IndicatorStatus], key="indicators_statuses")
        ),
    )
table = indicator_table(scored, chosen, tag)
st.caption(f"共 {len(table)} 个指标。进度为从基期到目标已完成的比例；点选一行查看所属任务。")
table_opening_issues(
    table,
    key="indicators_table",
    column_config={
        "进度": st.column_config.ProgressColumn(
            "进度", min_value=0, max_value=100, format="%.0f%%", width="small"
        ),
        "任务编号": st.column_config.NumberColumn("任务", width="small"),
        "任务": None,
    },
)
table_download_button(table, f"指标_{scored.meta.as_of.isoformat()}.csv", key="indicators_csv")

st.subheader("各任务指标状态")
st.caption("每行一项任务，格中数字为处于该状态的指标个数。")
show(matrix_figure(loaded.version, scored), "indicators_matrix", name="任务状态一览", scored=scored)
