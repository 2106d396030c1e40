"""Who is signed in: OpenID Connect through ``st.login`` when ``[auth]`` is configured in
``.streamlit/secrets.toml``, otherwise local staff accounts (``metrics.accounts``).

The name returned here is what the store records as the actor; the store itself
refuses changes without one, so hiding buttons is never the only protection.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import streamlit as st

from metrics.accounts import Accounts
from metrics.store import default_root

SESSION_KEY = "staff_name"


def oidc_configured() -> bool:
    try:
        return bool(st.secrets.get("auth"))
    except Exception:  # no secrets file at all
        return False


def staff_list() -> list[str]:
    """``[zhenggai] staff = [...]`` in secrets: who, among everyone the organisation's
    sign-on lets in, may upload, publish and roll back (e-mail addresses or names)."""
    try:
        section = st.secrets.get("zhenggai") or {}
        staff = section.get("staff") or []
    except Exception:
        return []
    return [str(s) for s in staff] if isinstance(staff, Sequence) else []


def oidc_staff(user: Mapping[str, object], staff: Sequence[str]) -> str | None:
    """The actor name for a person signed in by OpenID Connect, if they are staff.

    Being signed in is not enough: the organisation's sign-on admits leaders too, so
    only e-mails or names on the staff list count (compared without case)."""
    if not user.get("is_logged_in"):
        return None
    wanted = {s.strip().casefold() for s in staff if s.strip()}
    for claim in ("email", "preferred_username", "name"):
        value = user.get(claim)
        if isinstance(value, str) and value.strip().casefold() in wanted:
            name = user.get("name") or value
            email = user.get("email")
            return f"{name}（{email}）" if email and email != name else str(name)
    return None


def signed_in_staff() -> str | None:
    if oidc_configured():
        return oidc_staff(st.user.to_dict(), staff_list())
    name = st.session_state.get(SESSION_KEY)
    return str(name) if name else None


def sign_in_form(key: str) -> None:
    """The sign-in controls for staff (shown where uploading or rolling back starts)."""
    if oidc_configured():
        if st.user.is_logged_in:
            who = st.user.get("email") or st.user.get("name") or "（未知）"
            st.warning(
                f"您已用单位账号登录（{who}），但不在工作人员名单中，不能上传、发布或回退。"
                "如需权限，请技术人员把您的邮箱加入 secrets.toml 的 [zhenggai] staff 名单。"
            )
            st.button("退出登录", key=f"{key}_oidc_out", on_click=st.logout)
        else:
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
    if oidc_configured():
        st.button("退出登录", key=key, on_click=st.logout)
    elif st.button("退出登录", key=key):
        st.session_state.pop(SESSION_KEY, None)
        st.rerun()
