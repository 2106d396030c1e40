"""The line under every page title: as-of date and data version, always visible."""

from __future__ import annotations

import streamlit as st

from metrics.headline import chinese_date
from metrics.progress import Scored
from ui.data_source import Loaded, current
from ui.problems_view import show_load_failure


def scored_or_stop() -> tuple[Loaded, Scored]:
    """The current data; when it cannot be shown, explain why and stop the page."""
    loaded = current()
    if loaded.scored is None:
        show_load_failure(loaded.problems)
        st.stop()
    assert loaded.scored is not None
    return loaded, loaded.scored


def page_title(title: str, loaded: Loaded, scored: Scored) -> None:
    st.title(title)
    meta = scored.meta
    st.caption(
        f"{meta.organisation}　·　数据截至 {chinese_date(meta.as_of)}　·　版本 {loaded.version}"
    )
