"""Reviewing an uploaded workbook before it is published.

A review is a promise: what staff saw on screen is what gets published, on top of the
version they compared against. The version the review was made against (and the
upload's SHA-256) is remembered in session state when the review is first shown, and
publishing passes *that* version to the store as ``expected_current``. Reading the
current version again in the run in which 发布 is clicked would make the check
meaningless: someone else's publish in between would be silently built upon.

If the current version moved meanwhile, the store refuses; the page says who published
(or rolled back) what, when, with which note, and offers "基于最新版本重新核对": the same
uploaded file is compared again with the new current version, no re-upload needed.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

import streamlit as st

from charts.completion import status_breakdown
from metrics.intake.untrusted import load_untrusted
from metrics.problems import Problem
from metrics.publishing import publish_checked
from metrics.scoring.changes import Changes
from metrics.scoring.headline import headline
from metrics.scoring.progress import Scored
from metrics.scoring.rollup import overall
from metrics.scoring.summary import rate_text
from metrics.store.versions import AuditEntry, StaleVersion, StoreError
from metrics.workbook.loader import LoadResult, reported_count_warnings
from report.history import event_markdown
from report.literal import md
from report.safe_cells import safe_csv
from report.upload_review import (
    added_and_removed,
    indicator_changes_frame,
    problems_frame,
    task_changes_frame,
)
from report.views import attention_items, summary_paragraph
from ui.data_source import Loaded, of_version, store
from ui.figures import show
from ui.headline_cards import headline_section


def checked_upload(data: bytes) -> LoadResult:
    """The intake result for these bytes, checked once per session and file content
    (a rerun, e.g. pressing 发布, does not parse the same file again)."""
    digest = sha256(data)
    remembered = st.session_state.get(_CHECKED_KEY)
    if remembered is not None and remembered[0] == digest:
        result: LoadResult = remembered[1]
        return result
    result = load_untrusted(data)
    st.session_state[_CHECKED_KEY] = (digest, result)
    return result


_CHECKED_KEY = "upload_checked"


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# -- what the review is made against -------------------------------------------------------

_BASIS_KEY = "upload_review_basis"  # (sha256 of the upload, version id reviewed against)


def review_basis(digest: str, loaded: Loaded) -> Loaded:
    """The version this upload is being reviewed against: the current version when the
    review was first shown for this file (remembered), not whatever is current now."""
    remembered = st.session_state.get(_BASIS_KEY)
    if (
        isinstance(remembered, tuple)
        and len(remembered) == 2
        and remembered[0] == digest
        and (remembered[1] is None or isinstance(remembered[1], int))
    ):
        basis_id: int | None = remembered[1]
    else:
        basis_id = loaded.version_id
        st.session_state[_BASIS_KEY] = (digest, basis_id)
    if basis_id == loaded.version_id or basis_id is None:
        return loaded
    version = store().version(basis_id)
    if version is None:  # cannot happen (versions are never deleted); start afresh
        st.session_state[_BASIS_KEY] = (digest, loaded.version_id)
        return loaded
    return of_version(version)


def forget_review() -> None:
    """No file in the upload box: the next file starts a new review."""
    st.session_state.pop(_BASIS_KEY, None)


def _review_again(digest: str, version_id: int | None) -> None:
    st.session_state[_BASIS_KEY] = (digest, version_id)


# -- the report --------------------------------------------------------------------------


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


def show_count_warnings(result: LoadResult) -> None:
    """A 概况 count that disagrees with the task table does not block publishing, but
    staff should know the dashboard will show the task table's number, not theirs."""
    for problem in reported_count_warnings(result.problems):
        where = f"“概况”第 {problem.row} 行：" if problem.row else "“概况”："
        st.warning(md(where + problem.message), icon=":material/info:")


def show_changes(changes: Changes, basis: Loaded, current: Loaded) -> None:
    compared = f"v{basis.version_id}" if basis.version_id is not None else "当前数据"
    if basis.version_id != current.version_id:
        st.caption(f"与您开始核对时的版本 {compared} 相比（当前版本已是 v{current.version_id}）")
    else:
        st.caption(f"与当前版本 {compared} 相比")
    st.markdown(f"整改完成率：{rate_text(changes.old_rate)} → **{rate_text(changes.new_rate)}**")
    if changes.empty:
        st.info(f"与 {compared} 相比，任务状态和指标数值都没有变化。")
        return
    if changes.reopened:
        st.warning(
            "以下任务由“完成”改回未完成，请确认："
            + "、".join(f"（{c.task_id}）{md(c.title)}" for c in changes.reopened)
        )
    if changes.tasks:
        st.markdown("**任务状态变化**")
        st.dataframe(
            task_changes_frame(changes),
            hide_index=True,
            width="stretch",
            key="review_task_changes",
        )
    if changes.indicators:
        st.markdown("**指标变化**")
        st.dataframe(
            indicator_changes_frame(changes),
            hide_index=True,
            width="stretch",
            key="review_indicator_changes",
        )
    for title, items in added_and_removed(changes):
        st.markdown(f"**{title}**：" + "；".join(md(item) for item in items))


def show_preview(basis: Loaded, new: Scored) -> None:
    """The overview as it would look once ``new`` is published."""
    headline_section(
        headline(new), len(attention_items(new)), basis.scored, key="upload_preview_cards"
    )
    st.markdown(md(summary_paragraph(new)))
    show(status_breakdown(overall(new)), "upload_preview_breakdown")


# -- publishing ----------------------------------------------------------------------------


def publish_form(
    data: bytes,
    file_name: str,
    *,
    staff: str,
    basis: Loaded,
    result: LoadResult,
    changes: Changes | None,
) -> StaleVersion | None:
    """Note + 发布 button; publishes against ``basis``, the version the review on screen
    was made against. Returns the store's refusal when someone else changed the current
    version meanwhile (nothing is published then)."""
    with st.form("upload_publish"):
        note = st.text_input("发布说明", placeholder="如：更新5月底数据", key="upload_note")
        publish = st.form_submit_button("发布", type="primary")
    if not publish:
        return None
    with st.spinner("正在发布……"):
        try:
            version = publish_checked(
                store(),
                data,
                result,
                changes,
                actor=staff,
                file_name=file_name,
                note=note,
                expected_current=basis.version_id,
            )
        except StaleVersion as exc:
            return exc
        except StoreError as exc:
            st.error(f"未发布：{md(exc)}")
            return None
    # Start over with an empty upload box; the next run (sidebar included) shows the new
    # version, and the message is carried across the rerun.
    st.session_state[_PUBLISHED_KEY] = (
        f"已发布为版本 v{version.id}。所有人刷新或下一次操作时即可看到。"
    )
    st.session_state[_ROUND_KEY] = upload_round() + 1
    forget_review()
    st.rerun()


def show_moved_on(
    digest: str, basis: Loaded, current: Loaded, refused: StaleVersion | None
) -> None:
    """The current version is no longer the one reviewed: who did what meanwhile, and the
    one-click way to review the same file again against the new current version."""
    if refused is not None:
        meanwhile: Sequence[AuditEntry] = refused.meanwhile
        now_current = refused.current
    else:
        meanwhile = store().since(basis.version_id)
        now_current = current.version_id
    lines = "\n".join(f"- {event_markdown(e)}" for e in meanwhile)
    reviewed = f"v{basis.version_id}" if basis.version_id is not None else "当前数据"
    head = (
        f"**未发布**：您核对的是 {reviewed}，在此期间当前版本已变为 v{now_current}："
        if refused is not None
        else f"**请注意**：您核对的是 {reviewed}，在此期间当前版本已变为 v{now_current}，"
        "现在发布会被拒绝："
    )
    tail = (
        "为避免覆盖别人的发布，您的文件没有发布。"
        if refused is not None
        else "上面列出的变化是相对 " + reviewed + " 的。"
    )
    (st.error if refused is not None else st.warning)(
        f"{head}\n\n{lines}\n\n{tail}请点“基于最新版本重新核对”：同一文件将与 v{now_current} "
        "重新比较（无需重新上传），确认变化后再发布。"
    )
    st.button(
        "基于最新版本重新核对",
        key="upload_review_again",
        type="primary",
        on_click=_review_again,
        args=(digest, now_current),
    )


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
