"""Showing workbook problems to people, in Chinese."""

from __future__ import annotations

from collections.abc import Sequence

import streamlit as st

from metrics.problems import Problem
from report.upload_review import problems_frame


def show_load_failure(problems: Sequence[Problem]) -> None:
    errors = [p for p in problems if p.is_error]
    st.error(
        f"数据文件有 {len(errors)} 个错误，暂时无法显示看板。"
        "请数据维护人员按下列提示修改后重新发布。"
    )
    st.dataframe(
        problems_frame(problems, severity=False),
        hide_index=True,
        width="stretch",
        key="load_problems",
    )
