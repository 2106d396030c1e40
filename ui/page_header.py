"""The line under every page title: as-of date and data version, always visible."""

from __future__ import annotations

import streamlit as st

from metrics.scoring.headline import chinese_date
from metrics.scoring.progress import Scored
from report.literal import md
from ui.data_source import Loaded, shown, view_version
from ui.problems_view import show_load_failure


def scored_or_stop() -> tuple[Loaded, Scored]:
    """The data this session looks at; when it cannot be shown, explain why and stop."""
    loaded = shown()
    if loaded.scored is None:
        historical_notice(loaded)
        show_load_failure(loaded.problems)
        st.stop()
    assert loaded.scored is not None
    return loaded, loaded.scored


def page_title(title: str, loaded: Loaded, scored: Scored) -> None:
    st.title(md(title), anchor=False)
    meta = scored.meta
    st.caption(
        md(f"{meta.organisation}　·　数据截至 {chinese_date(meta.as_of)}　·　版本 {loaded.version}")
    )
    historical_notice(loaded)


def historical_notice(loaded: Loaded) -> None:
    """When this session looks at an older version: say so, and offer the way back."""
    if loaded.current_id is not None:
        st.warning(
            f"正在查看历史版本 v{loaded.version_id}，不是当前数据（当前为 v{loaded.current_id}）。"
        )
        st.button(
            f"回到当前版本 v{loaded.current_id}",
            key="back_to_current",
            on_click=view_version,
            args=(None,),
        )
