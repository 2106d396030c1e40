"""Who is signed in: OpenID Connect through ``st.login`` when ``[auth]`` is configured in
``.streamlit/secrets.toml``, otherwise local staff accounts (``metrics.store.accounts``).

The name returned here is what the store records as the actor; the store itself
refuses changes without one, so hiding buttons is never the only protection.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import streamlit as st

from metrics.store.accounts import open_accounts_from_env
from report.literal import md

SESSION_KEY = "staff_name"


def oidc_configured() -> bool:
    try:
        return bool(st.secrets.get("auth"))
    except Exception:  # no secrets file at all
        return False


def staff_list() -> list[str]:
    """``[zhenggai] staff = [...]`` in secrets: who, among everyone the organisation's
    sign-on lets in, may upload, publish and roll back (verified e-mail addresses or
    subject ids, the ``sub`` claim)."""
    try:
        section = st.secrets.get("zhenggai") or {}
        staff = section.get("staff") or []
    except Exception:
        return []
    if isinstance(staff, str) or not isinstance(staff, Sequence):
        return []
    return [str(s) for s in staff]


def staff_identity(user: Mapping[str, object], staff: Sequence[str]) -> str | None:
    """Which staff-list entry this signed-in person is, if any: the matching rule.

    Only claims the identity provider vouches for count: the e-mail address when
    ``email_verified`` is true (compared without case), or the subject id ``sub``
    (compared exactly). A display name (``name``) or ``preferred_username`` can be
    chosen or changed by the user at many providers, so it never grants rights."""
    if not user.get("is_logged_in"):
        return None
    entries = [s.strip() for s in staff if isinstance(s, str) and s.strip()]
    email = user.get("email")
    if _verified(user.get("email_verified")) and isinstance(email, str) and email.strip():
        wanted = email.strip().casefold()
        for entry in entries:
            if entry.casefold() == wanted:
                return entry
    sub = user.get("sub")
    if isinstance(sub, str) and sub.strip() and sub.strip() in entries:
        return sub.strip()
    return None


def _verified(flag: object) -> bool:
    """``email_verified`` is a JSON boolean; some providers send the string "true"."""
    return flag is True or (isinstance(flag, str) and flag.strip().lower() == "true")


def oidc_staff(user: Mapping[str, object], staff: Sequence[str]) -> str | None:
    """The actor name for a person signed in by OpenID Connect, if they are staff
    (``staff_identity``); recorded as "姓名（邮箱）" or "姓名（sub）"."""
    matched = staff_identity(user, staff)
    if matched is None:
        return None
    name = user.get("name")
    label = name.strip() if isinstance(name, str) and name.strip() else ""
    email = user.get("email")
    verified = _verified(user.get("email_verified")) and isinstance(email, str) and email.strip()
    # Who it really is, in brackets: the verified e-mail, else the subject id matched.
    key = email.strip() if verified and isinstance(email, str) else matched
    return f"{label}（{key}）" if label and label != key else key


def signed_in_staff() -> str | None:
    if oidc_configured():
        return oidc_staff(st.user.to_dict(), staff_list())
    name = st.session_state.get(SESSION_KEY)
    return str(name) if name else None


def sign_in_form(key: str) -> None:
    """The sign-in controls for staff (shown where uploading or rolling back starts)."""
    if oidc_configured():
        if st.user.is_logged_in:
            st.warning(not_staff_message(st.user.to_dict()))
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
        result = open_accounts_from_env().sign_in(name, password)
        if result.ok:
            st.session_state[SESSION_KEY] = result.name
            st.rerun()
        else:
            st.error(result.message)
    st.caption("还没有账号？请技术人员在服务器上运行 `python -m metrics users add 账号名` 创建。")


def not_staff_message(user: Mapping[str, object]) -> str:
    """Why a person signed in by the organisation's sign-on may not upload (Markdown)."""
    email, sub = user.get("email"), user.get("sub")
    who = email or user.get("name") or sub or "（未知）"
    message = (
        f"您已用单位账号登录（{md(who)}），但不在工作人员名单中，不能上传、发布或回退。"
        "如需权限，请技术人员把您的邮箱或账号标识加入 secrets.toml 的 [zhenggai] staff 名单"
    )
    if email and not _verified(user.get("email_verified")):
        message += "（认证服务器未确认您的邮箱，只能按账号标识登记）"
    if sub:
        message += f"。您的账号标识（sub）：{md(sub)}"
    return message + "。"


def sign_out_button(key: str) -> None:
    name = signed_in_staff()
    if name is None:
        return
    st.caption(f"已登录：{md(name)}")
    if oidc_configured():
        st.button("退出登录", key=key, on_click=st.logout)
    elif st.button("退出登录", key=key):
        st.session_state.pop(SESSION_KEY, None)
        st.rerun()
