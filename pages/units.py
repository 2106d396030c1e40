"""单位评比: by 牵头单位, ranked by 督办 colours (fewest red, then yellow) and then
completion rate, with the counts behind each rank; the chart shows completion rates."""

from __future__ import annotations

import streamlit as st

from metrics.scoring.rollup import UNASSIGNED_UNIT
from metrics.supervision.ranking import unit_ranking
from report.units import unassigned_unit_note, unit_warning_table
from ui.figures import ranking_figure, show
from ui.navigation_guard import require_app_navigation
from ui.page_header import page_title, scored_or_stop
from ui.supervision import version_warnings
from ui.supervision_legend import office_setting_warnings, rules_box

require_app_navigation()

loaded, scored = scored_or_stop()
page_title("单位评比", loaded, scored)
office_setting_warnings()
completes = "已完成与长期坚持" if scored.counting.ongoing_as_done else "已完成"
st.caption(
    f"按牵头单位排名：红色任务少的在前，其次黄色任务少的在前，再按整改完成率（{completes}计为完成）"
    "从高到低，完成率相同时完成项数多的在前。"
)
if note := unassigned_unit_note(scored):
    st.info(note)
show(
    ranking_figure(loaded.version, scored),
    "units_ranking",
    name="牵头单位完成率排名",
    scored=scored,
)
st.dataframe(
    unit_warning_table(unit_ranking(scored, version_warnings(loaded, scored))),
    key="units_table",
    hide_index=True,
    width="stretch",
    column_config={
        "完成率": st.column_config.ProgressColumn(
            "完成率", min_value=0, max_value=100, format="%.1f%%"
        ),
    },
)
st.caption(f"牵头单位为空的任务归入“{UNASSIGNED_UNIT}”。")
rules_box(scored)
