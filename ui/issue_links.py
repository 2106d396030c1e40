"""Tables whose rows open the issue page of their task."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from report.views import task_id_at

ISSUE_PAGE = "pages/issue.py"


def table_opening_issues(table: pd.DataFrame, *, key: str, column_config: dict[str, Any]) -> None:
    """A sortable table; choosing a row switches to /issue?task=<its task number>."""
    event = st.dataframe(
        table,
        key=key,
        hide_index=True,
        width="stretch",
        on_select="rerun",
        selection_mode="single-row",
        column_config=column_config,
    )
    selected = task_id_at(table, event.selection.rows)
    if selected is not None:
        st.switch_page(ISSUE_PAGE, query_params={"task": str(selected)})
