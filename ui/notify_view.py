"""提醒发送情况: on the 填报审核 page, the office sees reminders waiting to be sent and
those that failed, with the reason (secrets masked), and can queue the failed ones again."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from metrics.notify.outbox import Row, State
from metrics.notify.sender import kick, outbox_of, utc_now
from metrics.notify.settings import ENABLE_ENV, NotifySettings, current, mask
from metrics.rounds.roles import Principal, Role
from metrics.store.versions import StoreError, beijing_time
from report.literal import md
from ui.data_source import store

NOTICE_KEY = "notify_notice"


def render_notify_panel(who: Principal) -> None:
    """Nothing for leaders, nor while reminders are off and were never used."""
    if who.role is not Role.OFFICE:
        return
    settings, problems = current()
    try:
        outbox = outbox_of(store())
        counts = outbox.counts()
        waiting = outbox.rows((State.QUEUED, State.SENDING, State.FAILED), limit=100)
    except StoreError as exc:
        st.error(md(str(exc)))
        return
    if not settings.enabled and not problems and not any(counts.values()):
        return
    st.subheader("提醒发送情况")
    notice = st.session_state.pop(NOTICE_KEY, None)
    if notice:
        st.success(md(str(notice)))
    for problem in problems:
        st.error(f"提醒设置有误，请技术人员修正：{md(problem)}")
    if not settings.enabled:
        st.caption(f"提醒未开启（{ENABLE_ENV}），不会发送：下面是以前的记录。")
    st.caption(
        f"待发送 {counts[State.QUEUED] + counts[State.SENDING]} 条 · "
        f"发送失败 {counts[State.FAILED]} 条 · 已发送 {counts[State.SENT]} 条"
    )
    if not waiting:
        return
    st.dataframe(
        pd.DataFrame([_line(row, settings) for row in waiting]),
        hide_index=True,
        width="stretch",
        key="notify_outbox",
    )
    if counts[State.FAILED] and st.button("重新发送失败的提醒", key="notify_retry"):
        again = outbox.retry_failed(utc_now())
        kick(store())
        st.session_state[NOTICE_KEY] = f"{again} 条失败的提醒已重新加入队列。"
        st.rerun()


def _line(row: Row, settings: NotifySettings) -> dict[str, object]:
    n = row.notice
    when = ""
    if row.state is State.QUEUED and row.attempts:
        when = beijing_time(row.next_at)
    return {
        "时间": beijing_time(row.created_at),
        "提醒": n.kind.label,
        "任务或轮次": n.subject,
        "单位": n.unit,
        "接收方": row.recipient_label,
        "状态": row.state.label,
        "已尝试": row.attempts,
        "下次尝试": when,
        "原因": mask(row.last_error, settings),
    }
