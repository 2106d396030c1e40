"""Who is signed in: OpenID Connect through ``st.login`` when ``[auth]`` is configured in
``.streamlit/secrets.toml``, otherwise local staff accounts (``metrics.accounts``).

The name returned here is what the store records as the actor; the store itself
refuses changes without one, so hiding buttons is never the only protection.
"""

from __future__ import annotations

import streamlit as st

from metrics.accounts import Accounts
from metrics.store import default_root

SESSION_KEY = "staff_name"


def oidc_configured() -> bool:
    try:
        return bool(st.secrets.get("auth"))
    except Exception:  # no secrets file at all
        return False


def signed_in_staff() -> str | None:
    if oidc_configured() and getattr(st.user, "is_logged_in", False):
        name = st.user.get("name") or st.user.get("email")
        return str(name) if name else None
    name = st.session_state.get(SESSION_KEY)
    return str(name) if name else None


def sign_in_form(key: str) -> None:
    """The sign-in controls for staff (shown where uploading or rolling back starts)."""
    if oidc_configured():
        st.button("使用单位账号登录", key=f"{key}_oidc", on_click=st.login)
        return
    with st.form(key=f"{key}_form"):
        st.markdown("**工作人员登录**")
        name = st.text_input("账号", key=f"{key}_name")
        password = st.text_input("密码", type="password", key=f"{key}_password")
        submitted = st.form_submit_button("登录")
    if submitted:
        result = Accounts(default_root()).sign_in(name, password)
        if result.ok:
            st.session_state[SESSION_KEY] = result.name
            st.rerun()
        else:
            st.error(result.message)
    st.caption("还没有账号？请技术人员在服务器上运行 `python -m metrics users add 账号名` 创建。")


def sign_out_button(key: str) -> None:
    name = signed_in_staff()
    if name is None:
        return
    st.caption(f"已登录：{name}")
    if oidc_configured() and getattr(st.user, "is_logged_in", False):
        st.button("退出登录", key=key, on_click=st.logout)
    elif st.button("退出登录", key=key):
        st.session_state.pop(SESSION_KEY, None)
        st.rerun()
