"""The headline cards of the overview (also used to preview an upload)."""

from __future__ import annotations

import streamlit as st

from metrics.headline import Headline


def headline_cards(figures: Headline, attention: int, rate_change: str | None, key: str) -> None:
    """Six cards that wrap: six in a row on a laptop, two per row on a phone."""
    cards = st.container(horizontal=True, wrap=True, gap="small", key=key)
    for label, value, delta in (
        ("整改完成率", figures.rate_text, rate_change),
        (f"已完成（共 {figures.total} 项）", f"{figures.completed} 项", None),
        ("正在整改", f"{figures.in_progress} 项", None),
        ("指标已达标", f"{figures.indicators_met} / {figures.indicators_with_target} 个", None),
        ("超期任务", f"{figures.overdue} 项", None),
        ("需关注", f"{attention} 条", None),
    ):
        cards.metric(label, value, delta, border=True, width=160)
