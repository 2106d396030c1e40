"""The history page's parts: the versions, one version's summary and file, and rollback.

A rollback is checked against the version the page showed as current when its form was
displayed (remembered in session state under ``ROLLBACK_BASIS_KEY``), not against
whatever is current in the run in which the button is clicked.

The page is open to visitors: people are named as ``report.history.Names`` says
(display names; login names and system users only for the signed-in office).
"""

from __future__ import annotations

import datetime
import logging

import streamlit as st

from briefing.exports import Exported, export_bulletin
from metrics.periods.reading import basis_in_store, version_figures
from metrics.publishing import WEB, recorded_note
from metrics.scoring.headline import headline
from metrics.scoring.progress import Scored
from metrics.store.versions import StaleVersion, Store, StoreError, Version
from report.history import audit_frame, event_markdown, versions_frame
from report.literal import md
from ui.auth import office_or_sign_in
from ui.data_source import Loaded, of_version, store, view_version
from ui.downloads import XLSX_MIME, offer_remembered
from ui.people import people_names

ROLLBACK_BASIS_KEY = "history_rollback_basis"
BULLETIN_KEY = "history_bulletin"
_LOG = logging.getLogger(__name__)
OVERVIEW_PAGE = "pages/overview.py"


def history_page(loaded: Loaded) -> None:
    """Every version of the store that ``loaded`` (the current data) comes from."""
    if loaded.version_id is None:
        st.info("当前看板直接读取一个文件（ZHENGGAI_WORKBOOK），没有版本历史。")
        return
    the_store = store()
    versions = the_store.versions()
    names = people_names()
    st.caption(f"当前版本：{loaded.version}。版本从不删除；回退会新增一条记录。")
    st.dataframe(
        versions_frame(versions, loaded.version_id, names),
        key="history_versions",
        hide_index=True,
        width="stretch",
    )
    chosen_id = st.selectbox(
        "查看版本",
        [v.id for v in versions],
        format_func=lambda i: f"v{i}",
        key="history_version",
    )
    chosen = next(v for v in versions if v.id == chosen_id)
    _version(the_store, chosen, loaded)
    if chosen.id != loaded.version_id:
        _rollback(the_store, chosen, loaded)
    else:
        st.session_state.pop(ROLLBACK_BASIS_KEY, None)
    with st.expander("操作记录"):
        st.dataframe(
            audit_frame(the_store.audit(), names),
            key="history_audit",
            hide_index=True,
            width="stretch",
        )
    bulletin_section(versions, loaded)


def bulletin_section(versions: list[Version], loaded: Loaded) -> None:
    """生成本期通报: a Word bulletin of what changed between any two versions."""
    st.subheader("生成本期通报")
    if len(versions) < 2:
        st.info("至少有两个版本时才能生成变化通报。")
        return
    ids = [v.id for v in versions]  # newest first
    current = loaded.version_id if loaded.version_id in ids else ids[0]
    position = ids.index(current)
    older = _period_before(loaded, ids) or (
        ids[position + 1] if position + 1 < len(ids) else ids[-1]
    )
    left, right = st.columns(2)
    with left:
        old_id = st.selectbox(
            "上期版本", ids, index=ids.index(older), format_func=_label, key="bulletin_from"
        )
    with right:
        new_id = st.selectbox(
            "本期版本", ids, index=position, format_func=_label, key="bulletin_to"
        )
    if old_id == new_id:
        st.info("请选择两个不同的版本。")
        return
    context = (old_id, new_id)
    if st.button("生成本期通报（.docx）", key="bulletin_make"):
        made = _make_bulletin(versions, old_id, new_id)
        if made is not None:
            st.session_state[BULLETIN_KEY] = (context, made)
    offer_remembered(BULLETIN_KEY, context, key="bulletin_download")


def _period_before(loaded: Loaded, ids: list[int]) -> int | None:
    """上期 of the data shown (``metrics.periods``: by round, else an earlier date), the
    bulletin's default 上期版本; None when there is none or it cannot be read."""
    if loaded.version_id is None or loaded.scored is None:
        return None
    try:
        basis = basis_in_store(store(), loaded.version_id, loaded.scored.meta.as_of, _scored_of)
    except (StoreError, OSError):
        return None
    return basis.version_id if basis is not None and basis.version_id in ids else None


def _scored_of(version: Version) -> Scored | None:
    return of_version(version).scored


def _label(version_id: int) -> str:
    return f"v{version_id}"


def _make_bulletin(versions: list[Version], old_id: int, new_id: int) -> Exported | None:
    by_id = {v.id: v for v in versions}
    old, new = of_version(by_id[old_id]).scored, of_version(by_id[new_id]).scored
    if old is None or new is None:
        broken = old_id if old is None else new_id
        st.error(f"版本 v{broken} 的数据无法读取，不能生成通报：请联系技术人员。")
        return None
    try:
        now = datetime.datetime.now(datetime.UTC)
        the_store = store()
        figures = (
            version_figures(the_store, old_id, old, now),
            version_figures(the_store, new_id, new, now),
        )
        return export_bulletin(
            old,
            new,
            old_label=f"v{old_id}",
            new_label=f"v{new_id}",
            version=f"v{new_id}",
            figures=figures,
        )
    except Exception:  # never a stack trace for leaders; the details go to the log
        _LOG.exception("bulletin v%s -> v%s failed", old_id, new_id)
        st.error("生成通报时出现意外错误，已记录在服务器日志中：请稍后重试，或联系技术人员。")
        return None


def _version(the_store: Store, chosen: Version, loaded: Loaded) -> None:
    """What the dashboard said as of ``chosen``, the way to look at it, and its file."""
    as_of = of_version(chosen)
    if as_of.scored is not None:
        st.markdown(f"**v{chosen.id} 时的看板**：{md(headline(as_of.scored).sentence)}")
        if st.button(f"在看板中查看 v{chosen.id}", key="history_view"):
            view_version(None if chosen.id == loaded.version_id else chosen.id)
            st.switch_page(OVERVIEW_PAGE)
    try:
        original = the_store.read(chosen)
    except (StoreError, OSError):
        st.error(f"版本 v{chosen.id} 的文件缺失或已损坏，无法下载：请联系技术人员")
    else:
        st.download_button(
            f"下载 v{chosen.id} 的原始文件",
            data=original,
            file_name=chosen.file_name,
            mime=XLSX_MIME,
            key="history_download",
        )


def _rollback(the_store: Store, chosen: Version, loaded: Loaded) -> None:
    staff = office_or_sign_in("history_sign_in", "回退到该版本")
    if staff is None:
        return
    # The version this page showed as current when the form was displayed (the run
    # before the click): a rollback is checked against it, not against whatever is
    # current in the run in which the button is clicked.
    shown_current = st.session_state.get(ROLLBACK_BASIS_KEY)
    st.session_state[ROLLBACK_BASIS_KEY] = loaded.version_id
    with st.form("history_rollback"):
        note = st.text_input("回退原因", key="history_note")
        confirm = st.form_submit_button(f"回退到 v{chosen.id}")
    if not confirm:
        return
    expected = shown_current if isinstance(shown_current, int) else loaded.version_id
    try:
        the_store.rollback(
            chosen.id, actor=staff, note=recorded_note(note, WEB), expected_current=expected
        )
    except StaleVersion as exc:
        events = "\n".join(f"- {event_markdown(e)}" for e in exc.meanwhile)
        st.error(
            f"**未回退**：页面显示的当前版本是 v{exc.expected}，在此期间当前版本已变为 "
            f"v{exc.current}：\n\n{events}\n\n上表已更新为最新情况，请确认后再决定是否回退。"
        )
    except StoreError as exc:
        st.error(md(exc))
    else:
        st.session_state.pop(ROLLBACK_BASIS_KEY, None)
        st.success(f"已回退到 v{chosen.id}。")
        st.rerun()
