"""填报: a unit reports its progress in the current round (also on a phone)."""

from __future__ import annotations

import streamlit as st

from ui.auth import sign_in_form, sign_out_button, signed_in
from ui.navigation_guard import require_app_navigation
from ui.report_view import render_report_page
from ui.rounds_access import rounds_available

require_app_navigation()

st.title("填报")
who = signed_in()
if not rounds_available():
    st.info("看板正在只读地显示一个工作簿文件，没有填报轮次。")
elif who is None:
    st.info("各单位在这里填报本单位负责任务的进展：请用单位账号登录。")
    sign_in_form("report_sign_in", "单位登录")
else:
    sign_out_button("report_sign_out")
    render_report_page(who)
