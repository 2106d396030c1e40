"""总览: how far along are we, what is behind, and where exactly."""

from __future__ import annotations

import streamlit as st

from metrics.headline import headline, rate_delta
from metrics.views import attention_items, summary_paragraph
from ui.data_source import previous
from ui.figures import overview_figures, show
from ui.page_header import page_title, scored_or_stop
from ui.status import badge

loaded, scored = scored_or_stop()
figures = headline(scored)
before = previous(loaded)
rate_change = rate_delta(headline(before.scored), figures) if before and before.scored else None
items = attention_items(scored)
page_title(figures.title, loaded, scored)

# Cards wrap: six in a row on a laptop, two per row on a phone.
cards = st.container(horizontal=True, wrap=True, gap="small", key="overview_cards")
for label, value, delta in (
    ("整改完成率", figures.rate_text, rate_change),
    (f"已完成（共 {figures.total} 项）", f"{figures.completed} 项", None),
    ("正在整改", f"{figures.in_progress} 项", None),
    ("指标已达标", f"{figures.indicators_met} / {figures.indicators_with_target} 个", None),
    ("超期任务", f"{figures.overdue} 项", None),
    ("需关注", f"{len(items)} 条", None),
):
    cards.metric(label, value, delta, border=True, width=160)

st.markdown(summary_paragraph(scored))

charts = overview_figures(loaded.version, scored)
st.subheader("任务状态")
show(charts.breakdown, "overview_breakdown")
st.subheader("分方面完成情况")
show(charts.categories, "overview_categories")
st.subheader("分问题完成情况")
show(charts.problems, "overview_problems")

st.subheader("需关注")
if not items:
    st.success("没有未完成的任务，也没有进度滞后的指标。")
for item in items:
    st.markdown(f"{badge(item.status)}　{item.kind}", unsafe_allow_html=True)
    st.page_link(
        "pages/issue.py",
        label=item.text,
        query_params={"task": str(item.task_id)},
    )
