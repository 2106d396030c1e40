"""总览: how far along are we, what is behind, and where exactly."""

from __future__ import annotations

import streamlit as st

from metrics.scoring.headline import headline, rate_delta
from report.literal import md
from report.views import attention_items, summary_paragraph
from ui.data_source import previous
from ui.figures import overview_figures, show
from ui.headline_cards import headline_cards
from ui.navigation_guard import require_app_navigation
from ui.page_header import page_title, scored_or_stop
from ui.status import status_line

require_app_navigation()

loaded, scored = scored_or_stop()
figures = headline(scored)
before = previous(loaded)
rate_change = rate_delta(headline(before.scored), figures) if before and before.scored else None
items = attention_items(scored)
page_title(figures.title, loaded, scored)

headline_cards(figures, len(items), rate_change, key="overview_cards")

st.markdown(md(summary_paragraph(scored)))

charts = overview_figures(loaded.version, scored)
st.subheader("任务状态")
show(charts.breakdown, "overview_breakdown", name="整改完成率", scored=scored)
st.subheader("分方面完成情况")
show(charts.categories, "overview_categories", name="分方面完成情况", scored=scored)
st.subheader("分问题完成情况")
show(charts.problems, "overview_problems", name="分问题完成情况", scored=scored)

st.subheader("需关注")
if not items:
    st.success("没有未完成的任务，也没有进度滞后的指标。")
for item in items:
    status_line(item.status, text=item.kind)
    st.page_link(
        "pages/issue.py",
        label=md(item.text),
        query_params={"task": str(item.task_id)},
    )
