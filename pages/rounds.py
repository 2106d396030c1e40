"""填报审核: the office's board of a round (review, 催报, publish); leaders see the board."""

from __future__ import annotations

import streamlit as st

from metrics.rounds.roles import Role
from report.literal import md
from ui.auth import sign_in_form, sign_out_button, signed_in
from ui.duban_view import unit_duban_panel
from ui.navigation_guard import require_app_navigation
from ui.notify_view import render_notify_panel
from ui.rounds_access import rounds_available
from ui.rounds_view import render_rounds_page

require_app_navigation()

st.title("填报审核")
who = signed_in()
if not rounds_available():
    st.info("看板正在只读地显示一个工作簿文件，没有填报轮次。")
elif who is None:
    st.info("整改办在这里开启填报轮次、审核各单位的报送并发布；领导可查看报送情况。请登录。")
    sign_in_form("rounds_sign_in")
elif who.role not in (Role.OFFICE, Role.LEADER):
    st.warning(f"您的账号是{who.role.label}（{md(who.name)}），请在“填报”页报送本单位的进展。")
    sign_out_button("rounds_sign_out")
else:
    sign_out_button("rounds_sign_out")
    render_rounds_page(who)
    unit_duban_panel(who)
    render_notify_panel(who)
