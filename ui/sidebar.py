"""The sidebar every page shares: title, as-of date, version, legend, template."""

from __future__ import annotations

import streamlit as st

from metrics.scoring.headline import chinese_date
from report.literal import md
from ui.data_source import Loaded
from ui.downloads import template_download_button
from ui.status import legend_html
from ui.theme import apply_page_style


def render_sidebar(loaded: Loaded) -> None:
    apply_page_style()  # every page but the sign-in-only one renders the sidebar
    with st.sidebar:
        if loaded.scored is not None:
            meta = loaded.scored.meta
            st.markdown(f"**{md(meta.title)}**")
            old = "（历史版本）" if loaded.current_id is not None else ""
            st.caption(md(f"数据截至 {chinese_date(meta.as_of)}　·　版本 {loaded.version}{old}"))
        with st.expander("图例", expanded=False):
            st.html(legend_html())
        template_download_button()
