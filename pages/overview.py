"""总览: what needs the reader first (需要关注), then how far along we are, what is
behind, and where exactly."""

from __future__ import annotations

import streamlit as st

from metrics.scoring.headline import headline
from report.literal import md
from report.views import summary_paragraph
from ui.attention import attention_list, attention_of
from ui.figures import overview_charts
from ui.first_screen import first_screen, show_first_screen
from ui.headline_cards import overview_cards
from ui.navigation_guard import require_app_navigation
from ui.page_header import page_title, scored_or_stop
from ui.periods import comparison_of
from ui.supervision import current_facts

require_app_navigation()

loaded, scored = scored_or_stop()
figures = headline(scored)
page_title(figures.title, loaded, scored)
facts = current_facts(scored)  # the rounds facts, read once for the whole page
show_first_screen(first_screen(loaded, scored, facts), key="first_screen")

attention = attention_of(loaded.version, scored)
comparison = comparison_of(loaded, scored, facts)
overview_cards(figures, len(attention), comparison, key="overview_cards")

st.markdown(md(summary_paragraph(scored)))

charts = overview_charts(loaded.version, scored)
st.subheader("任务状态")
st.html(charts.breakdown)
st.subheader("分方面完成情况")
st.html(charts.categories)
st.subheader("分问题完成情况")
st.html(charts.problems)
st.caption("这三张图的图片和可编辑幻灯片在“导出材料”页。")

st.subheader("需关注清单")
attention_list(attention, key="overview_attention")
