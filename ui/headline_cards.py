"""The headline cards of the overview (also used to preview an upload)."""

from __future__ import annotations

import streamlit as st

from metrics.scoring.headline import Headline

MET_HELP = "已有数据的目标中已达到目标值的个数；尚无数据的目标（多为计划数）不计入。"


def headline_cards(figures: Headline, attention: int, rate_change: str | None, key: str) -> None:
    """Six cards that wrap: six in a row on a laptop, two per row on a phone.

    Under the cards, a caption says how many targets have no data yet, so that
    "指标已达标 2 / 5 个" is not read as 2 out of every target.
    """
    cards = st.container(horizontal=True, wrap=True, gap="small", key=key)
    for label, value, delta, help_text in (
        ("整改完成率", figures.rate_text, rate_change, None),
        (f"已完成（共 {figures.total} 项）", f"{figures.completed} 项", None, None),
        ("正在整改", f"{figures.in_progress} 项", None, None),
        ("指标已达标", figures.met_text, None, MET_HELP),
        ("超期任务", f"{figures.overdue} 项", None, None),
        ("需关注", f"{attention} 条", None, None),
    ):
        moved = delta is not None and delta[:1] in "+-"
        cards.metric(
            label,
            value,
            delta,
            help=help_text,
            border=True,
            width=160,
            delta_arrow="auto" if moved else "off",
            delta_color="normal" if moved else "off",
        )
    if figures.without_data_text:
        st.caption(f"指标已达标只计已有数据的目标；{figures.without_data_text}。")
