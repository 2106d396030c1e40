"""Who is signed in: OpenID Connect through ``st.login`` when ``[auth]`` is configured in
``.streamlit/secrets.toml``, otherwise local accounts (``metrics.store.accounts``).

``signed_in()`` is a ``Principal``: a name, a role (整改办, 领导, 单位填报员, 单位负责人)
and units. Local accounts are looked up again on every rerun, so a changed role or a
removed account takes effect at that person's next interaction. With OpenID Connect the
roles come from ``[zhenggai]`` in secrets: ``staff`` (整改办), ``leaders``, and per unit
``[zhenggai.units."区教育局"] reporters = [...]`` / ``heads = [...]``, each entry a
verified e-mail address or a subject id (``sub``).

The name is what the store records as the actor; the store and the round service check
the role themselves, so hiding buttons is never the only protection.

Local sign-in attempts are throttled per (name, client address), per address and
overall (``metrics.store.signin_throttle``). The address is the connection's peer; the
``X-Forwarded-For`` / ``X-Real-IP`` headers count only when that peer is a trusted proxy
(``ZHENGGAI_TRUSTED_PROXIES``, default the same host: ``metrics.store.signin_client``).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping, Sequence

import streamlit as st

from metrics.rounds.roles import Principal, Role
from metrics.store.accounts import open_accounts_from_env
from metrics.store.signin_client import (
    LOCAL_CLIENT,
    TRUSTED_PROXIES_ENV,
    client_key,
    trusted_proxies,
)
from report.literal import md
from ui.theme import apply_page_style

SESSION_KEY = "staff_name"  # the local account signed in to this session
REQUIRE_SIGNIN_ENV = "ZHENGGAI_REQUIRE_SIGNIN"
_LOG = logging.getLogger(__name__)


def oidc_configured() -> bool:
    try:
        return bool(st.secrets.get("auth"))
    except Exception:  # no secrets file at all
        return False


def staff_list() -> list[str]:
    """``[zhenggai] staff = [...]`` in secrets: who, among everyone the organisation's
    sign-on lets in, may upload, publish and roll back (verified e-mail addresses or
    subject ids, the ``sub`` claim)."""
    return _entries(_secrets_section().get("staff"))


def _secrets_section() -> Mapping[str, object]:
    try:
        section = st.secrets.get("zhenggai") or {}
    except Exception:
        return {}
    return section if isinstance(section, Mapping) else {}


def _entries(value: object) -> list[str]:
    if isinstance(value, str) or not isinstance(value, Sequence):
        return []
    return [str(s) for s in value]


def oidc_principal(user: Mapping[str, object], section: Mapping[str, object]) -> Principal | None:
    """The role of a person signed in by OpenID Connect, from ``[zhenggai]``: 整改办
    (``staff``) first, then unit accounts (``units``), then ``leaders``; None when
    they are on no list. Unit entries may name one person for several units."""
    staff = _entries(section.get("staff"))
    name = oidc_staff(user, staff)
    if name is not None:
        return Principal(name, Role.OFFICE)
    units = section.get("units")
    found: dict[Role, set[str]] = {Role.UNIT: set(), Role.UNIT_HEAD: set()}
    everyone: list[str] = []
    if isinstance(units, Mapping):
        for unit, lists in units.items():
            if not isinstance(lists, Mapping):
                continue
            for key, role in (("reporters", Role.UNIT), ("heads", Role.UNIT_HEAD)):
                entries = _entries(lists.get(key))
                everyone += entries
                if staff_identity(user, entries) is not None:
                    found[role].add(str(unit))
    for role in (Role.UNIT, Role.UNIT_HEAD):
        if found[role]:
            label = oidc_staff(user, everyone) or "（未知）"
            return Principal(label, role, frozenset(found[role]))
    leaders = _entries(section.get("leaders"))
    name = oidc_staff(user, leaders)
    return Principal(name, Role.LEADER) if name is not None else None


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


def signed_in() -> Principal | None:
    """The person signed in to this session, with their role (None: nobody)."""
    if oidc_configured():
        return oidc_principal(st.user.to_dict(), _secrets_section())
    name = st.session_state.get(SESSION_KEY)
    if not name:
        return None
    account = open_accounts_from_env().account(str(name))
    if account is None:  # removed meanwhile: the session ends here
        st.session_state.pop(SESSION_KEY, None)
        return None
    return account.principal()


def signed_in_staff() -> str | None:
    """The signed-in 整改办 member's name: only they upload, publish and roll back."""
    who = signed_in()
    return who.name if who is not None and who.role is Role.OFFICE else None


def signin_required() -> bool:
    """``ZHENGGAI_REQUIRE_SIGNIN=1``: nothing is shown to visitors who are not signed in."""
    return os.environ.get(REQUIRE_SIGNIN_ENV, "").strip().lower() in ("1", "true", "yes")


def sign_in_form(key: str, title: str = "工作人员登录") -> None:
    """The sign-in controls (shown where uploading, reporting or reviewing starts)."""
    if oidc_configured():
        if st.user.is_logged_in:
            st.warning(not_staff_message(st.user.to_dict()))
            st.button("退出登录", key=f"{key}_oidc_out", on_click=st.logout)
        else:
            st.button("使用单位账号登录", key=f"{key}_oidc", on_click=st.login)
        return
    with st.form(key=f"{key}_form"):
        st.markdown(f"**{title}**")
        name = st.text_input("账号", key=f"{key}_name")
        password = st.text_input("密码", type="password", key=f"{key}_password")
        submitted = st.form_submit_button("登录")
    if submitted:
        result = open_accounts_from_env().sign_in(name, password, client=client_address())
        if result.ok:
            st.session_state[SESSION_KEY] = result.name
            st.rerun()
        else:
            st.error(result.message)
    st.caption(
        "还没有账号？请技术人员在服务器上运行 `python -m metrics users add 账号名` 创建"
        "（单位账号加 `--role unit --unit 单位名称`，领导加 `--role leader`）。"
    )


def client_address() -> str:
    """Where this session's sign-in attempts come from, for the throttle: the peer of
    the connection, or what a trusted proxy forwarded (see the module docstring)."""
    trusted, invalid = trusted_proxies(os.environ.get(TRUSTED_PROXIES_ENV))
    if invalid:
        _LOG.warning("%s: not an address or network: %s", TRUSTED_PROXIES_ENV, invalid)
    try:
        headers = st.context.headers
        peer = st.context.ip_address  # None for a loopback peer (and without a session)
        forwarded = headers.get_all("x-forwarded-for")
        real_ip = headers.get("x-real-ip")
    except Exception:  # no request context at all (bare script run)
        return LOCAL_CLIENT
    return client_key(peer, forwarded, real_ip, trusted)


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
    who = signed_in()
    if who is None:
        return
    st.caption(f"已登录：{md(who.label)}")
    if oidc_configured():
        st.button("退出登录", key=key, on_click=st.logout)
    elif st.button("退出登录", key=key):
        st.session_state.pop(SESSION_KEY, None)
        st.rerun()


def office_or_sign_in(key: str, doing: str) -> str | None:
    """The signed-in 整改办 member's name; otherwise say why not (another role is told
    that its account cannot ``doing``; nobody signed in gets the sign-in form)."""
    who = signed_in()
    if who is not None and who.role is Role.OFFICE:
        return who.name
    if who is not None:
        st.warning(f"您的账号是{who.role.label}（{md(who.name)}），不能{doing}：只有整改办可以。")
        sign_out_button(f"{key}_out")
        return None
    st.info(f"{doing}需要工作人员登录；查看看板不需要登录。")
    sign_in_form(key)
    return None


def sign_in_page() -> None:
    """All a visitor sees while sign-in is required (``ZHENGGAI_REQUIRE_SIGNIN=1``)."""
    apply_page_style()  # no sidebar here, which sends it on every other page
    st.title("整改进展看板")
    st.info("本看板只对已登录的用户开放：请用您的账号登录。")
    sign_in_form("signin_page", "登录")
