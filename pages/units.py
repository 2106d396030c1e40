"""单位评比: completion rate by 牵头单位, ranked, with the counts behind each rate."""

from __future__ import annotations

import streamlit as st

from metrics.scoring.rollup import UNASSIGNED_UNIT, by_lead_unit
from report.views import unassigned_unit_note, unit_table
from ui.figures import ranking_figure, show
from ui.navigation_guard import require_app_navigation
from ui.page_header import page_title, scored_or_stop

require_app_navigation()

loaded, scored = scored_or_stop()
page_title("单位评比", loaded, scored)
st.caption("按牵头单位统计整改完成率（已完成与长期坚持计为完成），完成率相同时完成项数多的在前。")
if note := unassigned_unit_note(scored):
    st.info(note)
show(
    ranking_figure(loaded.version, scored),
    "units_ranking",
    name="牵头单位完成率排名",
    scored=scored,
)
st.dataframe(
    unit_table(by_lead_unit(scored)),
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
