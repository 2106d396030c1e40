"""The attention list of the overview: each item a status line and a link to its issue."""

from __future__ import annotations

from collections.abc import Sequence

import streamlit as st

from report.literal import md
from report.views import AttentionItem
from ui.issue_links import ISSUE_PAGE
from ui.status import status_line


def attention_list(items: Sequence[AttentionItem]) -> None:
    if not items:
        st.success("没有未完成的任务，也没有进度滞后的指标。")
    for item in items:
        status_line(item.status, text=item.kind)
        st.page_link(ISSUE_PAGE, label=md(item.text), query_params={"task": str(item.task_id)})
