"""整改任务: every task in a sortable, filterable table; a row opens its issue page."""

from __future__ import annotations

import streamlit as st

from report.views import TaskFilter, task_filter_options, task_table
from ui.downloads import table_download_button
from ui.issue_links import table_opening_issues
from ui.navigation_guard import require_app_navigation
from ui.page_header import page_title, scored_or_stop
from ui.status import tag

require_app_navigation()

loaded, scored = scored_or_stop()
page_title("整改任务", loaded, scored)
options = task_filter_options(scored)

with st.expander("筛选", expanded=False):
    chosen = TaskFilter(
        categories=tuple(st.multiselect("方面", options.categories, key="tasks_categories")),
        problems=tuple(st.multiselect("问题", options.problems, key="tasks_problems")),
        statuses=tuple(st.multiselect("状态", options.statuses, key="tasks_statuses")),
        lead_units=tuple(st.multiselect("牵头单位", options.lead_units, key="tasks_units")),
        colours=tuple(st.multiselect("提示色", options.colours, key="tasks_colours")),
        text=st.text_input("搜索", placeholder="任务名称、措施或编号", key="tasks_search"),
    )
table = task_table(scored, chosen, tag)
st.caption(f"共 {len(table)} 项任务。点选一行查看详情；点击列名可排序。")
table_opening_issues(
    table,
    key="tasks_table",
    column_config={
        "编号": st.column_config.NumberColumn(width="small"),
        "任务": st.column_config.TextColumn(width="medium"),
    },
)
table_download_button(table, f"整改任务_{scored.meta.as_of.isoformat()}.csv", key="tasks_csv")
