"""Choosing the task on the issue page, kept in step with the URL (?task=9)."""

from __future__ import annotations

import streamlit as st

from metrics.scoring.progress import Scored

PICKER_KEY = "issue_task"


def task_picker(scored: Scored, wanted: int | None) -> int:
    """A select box of all tasks, driven by the URL; returns the chosen task id.

    The URL wins: a link to /issue?task=9 (or the previous/next links on this page)
    sets the box; choosing in the box rewrites the URL, so the address stays shareable.
    """
    titles = {tp.task.id: f"（{tp.task.id}）{tp.task.title}" for tp in scored.tasks}
    ids = list(titles)
    if wanted not in titles:
        if wanted is not None or st.query_params.get("task"):
            st.warning("链接中的任务编号不存在，已显示第一项任务。")
        wanted = ids[0]
    if st.session_state.get(PICKER_KEY) != wanted:
        st.session_state[PICKER_KEY] = wanted
    st.query_params["task"] = str(wanted)
    return int(
        st.selectbox(
            "任务",
            ids,
            format_func=titles.__getitem__,
            key=PICKER_KEY,
            on_change=_follow_picker,
        )
    )


def _follow_picker() -> None:
    st.query_params["task"] = str(st.session_state[PICKER_KEY])
