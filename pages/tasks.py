"""整改任务: every task in a sortable, filterable table with its 督办 colour and why;
a row opens its issue page."""

from __future__ import annotations

import streamlit as st

from report.supervision import warning_choices
from report.views import TaskFilter, TaskOrder, supervised_task_table, task_filter_options
from ui.downloads import table_download_button
from ui.issue_links import table_opening_issues
from ui.navigation_guard import require_app_navigation
from ui.page_header import page_title, scored_or_stop
from ui.status import tag
from ui.supervision import colour_from_link, version_warnings
from ui.supervision_legend import office_setting_warnings, rules_expander

require_app_navigation()

loaded, scored = scored_or_stop()
page_title("整改任务", loaded, scored)
office_setting_warnings()
options = task_filter_options(scored)
linked = colour_from_link("tasks_warnings")

with st.expander("筛选", expanded=linked):
    chosen = TaskFilter(
        categories=tuple(st.multiselect("方面", options.categories, key="tasks_categories")),
        problems=tuple(st.multiselect("问题", options.problems, key="tasks_problems")),
        statuses=tuple(st.multiselect("状态", options.statuses, key="tasks_statuses")),
        lead_units=tuple(st.multiselect("牵头单位", options.lead_units, key="tasks_units")),
        colours=tuple(st.multiselect("提示色", options.colours, key="tasks_colours")),
        text=st.text_input("搜索", placeholder="任务名称、措施或编号", key="tasks_search"),
    )
    warning_filter = st.multiselect("督办颜色", warning_choices(), key="tasks_warnings")
    order = st.radio("排序", [o.value for o in TaskOrder], horizontal=True, key="tasks_order")
table = supervised_task_table(
    scored,
    version_warnings(loaded, scored),
    chosen,
    tag,
    warning_filter=warning_filter,
    order=TaskOrder(order),
)
st.caption(f"共 {len(table)} 项任务。点选一行查看详情；点击列名可排序。")
table_opening_issues(
    table,
    key="tasks_table",
    column_config={
        "编号": st.column_config.NumberColumn(width="small"),
        "任务": st.column_config.TextColumn(width="medium"),
        "督办原因": st.column_config.TextColumn(width="medium"),
    },
)
table_download_button(table, f"整改任务_{scored.meta.as_of.isoformat()}.csv", key="tasks_csv")
rules_expander(scored)
