"""The attention list of the overview (需关注清单): open tasks and lagging indicators in one
table, whatever their number; choosing a row opens the issue page of its task. A long
list (a city's, 1,276 items) waits for a tap, so that the overview stays short and its
charts come first: the most urgent items are on its first screen already."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from metrics.scoring.progress import Scored
from report.views import attention_items, attention_table
from ui.issue_links import table_opening_issues
from ui.status import tag

SHOWN_AT_ONCE = 50  # rows; a longer list is behind a toggle


@st.cache_resource(max_entries=16, show_spinner=False)
def attention_of(version: str, _scored: Scored) -> pd.DataFrame:
    """The list of one data version, built once (the page only shows it)."""
    del version  # the cache key
    return attention_table(attention_items(_scored), tag)


def attention_list(table: pd.DataFrame, *, key: str) -> None:
    if table.empty:
        st.success("没有未完成的任务，也没有进度滞后的指标。")
        return
    count = f"共 {len(table)} 条：未完成的任务在前，然后是进度滞后的指标"
    if len(table) > SHOWN_AT_ONCE and not st.toggle(
        f"显示全部 {len(table)} 条", key=f"{key}_shown"
    ):
        st.caption(f"{count}。最紧急的见上方“需要关注”；也可在“整改任务”“指标”页筛选。")
        return
    st.caption(f"{count}。点选一行查看详情。")
    table_opening_issues(
        table,
        key=key,
        column_config={
            "编号": st.column_config.NumberColumn(width="small"),
            "内容": st.column_config.TextColumn(width="large"),
        },
    )
