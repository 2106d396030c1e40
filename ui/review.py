"""Reviewing an uploaded workbook before it is published."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

import pandas as pd
import streamlit as st

from charts.completion import status_breakdown
from metrics.changes import Changes
from metrics.headline import headline, rate_delta
from metrics.intake import load_untrusted
from metrics.loader import LoadResult
from metrics.problems import Problem
from metrics.progress import Scored
from metrics.rollup import overall
from metrics.safe_cells import safe_csv
from metrics.store import StaleVersion, StoreError
from metrics.summary import rate_text
from metrics.views import attention_items, summary_paragraph
from ui.data_source import Loaded, counts_of, store
from ui.figures import show
from ui.headline_cards import headline_cards


def checked_upload(data: bytes) -> LoadResult:
    """The intake result for these bytes, checked once per session and file content
    (a rerun, e.g. pressing 发布, does not parse the same file again)."""
    digest = hashlib.sha256(data).hexdigest()
    remembered = st.session_state.get(_CHECKED_KEY)
    if remembered is not None and remembered[0] == digest:
        result: LoadResult = remembered[1]
        return result
    result = load_untrusted(data)
    st.session_state[_CHECKED_KEY] = (digest, result)
    return result


_CHECKED_KEY = "upload_checked"


def problems_frame(problems: Sequence[Problem]) -> pd.DataFrame:
    """The validation report (errors first): 级别, 表, 行, 列, 问题."""
    return pd.DataFrame(
        [
            {
                "级别": str(p.severity),
                "表": p.sheet or "—",
                "行": p.row,
                "列": p.column or "—",
                "问题": p.message,
            }
            for p in problems
        ],
        columns=["级别", "表", "行", "列", "问题"],
    )


def show_problems(problems: Sequence[Problem], key: str) -> None:
    frame = problems_frame(problems)
    st.dataframe(frame, key=key, hide_index=True, width="stretch")
    st.download_button(
        "下载检查报告（CSV）",
        data=safe_csv(frame),
        file_name="检查报告.csv",
        mime="text/csv",
        key=f"{key}_download",
    )


def show_changes(changes: Changes) -> None:
    st.markdown(f"整改完成率：{rate_text(changes.old_rate)} → **{rate_text(changes.new_rate)}**")
    if changes.empty:
        st.info("与当前版本相比，任务状态和指标数值都没有变化。")
        return
    if changes.reopened:
        st.warning(
            "以下任务由“完成”改回未完成，请确认："
            + "、".join(f"（{c.task_id}）{c.title}" for c in changes.reopened)
        )
    if changes.tasks:
        st.markdown("**任务状态变化**")
        st.dataframe(
            pd.DataFrame(
                [
                    {
                        "任务": f"（{c.task_id}）{c.title}",
                        "原状态": c.old_status,
                        "新状态": c.new_status,
                        "改回未完成": "是" if c.reopened else "",
                    }
                    for c in changes.tasks
                ]
            ),
            hide_index=True,
            width="stretch",
            key="review_task_changes",
        )
    if changes.indicators:
        st.markdown("**指标变化**")
        st.dataframe(
            pd.DataFrame(
                [
                    {
                        "指标": f"{c.indicator_id} {c.name}",
                        "项目": c.what,
                        "原值": c.old,
                        "新值": c.new,
                        "变化": c.verdict,
                    }
                    for c in changes.indicators
                ]
            ),
            hide_index=True,
            width="stretch",
            key="review_indicator_changes",
        )
    for title, items in (
        ("新增任务", changes.tasks_added),
        ("删除任务", changes.tasks_removed),
        ("新增指标", changes.indicators_added),
        ("删除指标", changes.indicators_removed),
    ):
        if items:
            st.markdown(f"**{title}**：" + "；".join(items))


def show_preview(loaded: Loaded, new: Scored) -> None:
    """The overview as it would look once ``new`` is published."""
    figures = headline(new)
    before = headline(loaded.scored) if loaded.scored is not None else None
    delta = rate_delta(before, figures) if before is not None else None
    headline_cards(figures, len(attention_items(new)), delta, key="upload_preview_cards")
    st.markdown(summary_paragraph(new))
    show(status_breakdown(overall(new)), "upload_preview_breakdown")


def publish_form(
    data: bytes,
    file_name: str,
    *,
    staff: str,
    loaded: Loaded,
    result: LoadResult,
    changes: Changes | None,
) -> None:
    """Note + 发布 button; publishes against the version the review was made on."""
    with st.form("upload_publish"):
        note = st.text_input("发布说明", placeholder="如：更新5月底数据", key="upload_note")
        publish = st.form_submit_button("发布", type="primary")
    if not publish:
        return
    counts = counts_of(result) | (changes.counts() if changes is not None else {})
    with st.spinner("正在发布……"):
        try:
            version = store().publish(
                data,
                actor=staff,
                file_name=file_name,
                note=note.strip(),
                counts=counts,
                expected_current=loaded.version_id,
            )
        except StaleVersion as exc:
            st.error(str(exc))
            return
        except StoreError as exc:
            st.error(f"未发布：{exc}")
            return
    # Start over with an empty upload box; the next run (sidebar included) shows the new
    # version, and the message is carried across the rerun.
    st.session_state[_PUBLISHED_KEY] = (
        f"已发布为版本 v{version.id}。所有人刷新或下一次操作时即可看到。"
    )
    st.session_state[_ROUND_KEY] = upload_round() + 1
    st.rerun()


_PUBLISHED_KEY = "upload_published_message"
_ROUND_KEY = "upload_round"


def upload_round() -> int:
    """Part of the upload box's key: a new round after each publish empties the box."""
    value = st.session_state.get(_ROUND_KEY, 0)
    return value if isinstance(value, int) else 0


def show_published_message() -> None:
    message = st.session_state.pop(_PUBLISHED_KEY, None)
    if isinstance(message, str):
        st.success(message)
