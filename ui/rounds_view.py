"""The 填报审核 page: the office opens rounds, follows every unit on the board, chases
the late ones, reviews each submission (accept, or return with a comment per task),
resolves conflicts and publishes the round; leaders see the board."""

from __future__ import annotations

import datetime

import pandas as pd
import streamlit as st

from metrics.contract import ExtensionDecision
from metrics.rounds.board import Board
from metrics.rounds.evidence import EvidenceLimits
from metrics.rounds.model import Round
from metrics.rounds.publish import (
    RoundReview,
    merge_fingerprint,
    publish_round,
    resolve,
    review_round,
)
from metrics.rounds.roles import Principal, Role
from metrics.rounds.service import RoundService
from metrics.rounds.settings import RoundSettings
from metrics.store.versions import BEIJING, StaleVersion, StoreError
from report.literal import md
from report.rounds import chase_xlsx
from ui.data_source import current, of_version, store
from ui.downloads import XLSX_MIME
from ui.report_view import round_header, show_submission
from ui.review import show_changes, show_problems
from ui.round_board import board_section
from ui.rounds_access import round_service

NOTICE_KEY = "rounds_notice"
REVIEW_KEY = "rounds_review"  # (round id and merge fingerprint, the RoundReview)


def render_rounds_page(who: Principal) -> None:
    try:
        _rounds_page(who)
    except StoreError as exc:  # e.g. the current version's data cannot be read
        st.error(md(str(exc)))


def _rounds_page(who: Principal) -> None:
    service = round_service()
    if who.role is Role.OFFICE:
        for problem in RoundSettings.from_env()[1] + EvidenceLimits.from_env()[1]:
            st.error(f"服务器设置有误，请技术人员修正：{md(problem)}")
    notice = st.session_state.pop(NOTICE_KEY, None)
    if notice:
        st.success(md(str(notice)))
    found = service.current_round()
    if who.role is Role.OFFICE:
        open_round_form(service, who, found)
    if found is None:
        st.info("目前没有进行中的填报轮次。")
        return
    round_header(found, service)
    chase_download(board_section(service, found))
    if who.role is not Role.OFFICE:
        return
    review_section(service, who, found)
    publish_section(service, who, found)


def open_round_form(service: RoundService, who: Principal, found: Round | None) -> None:
    title = "开启新的填报轮次" + ("（将结束当前轮次）" if found is not None else "")
    with st.expander(title, expanded=found is None), st.form("rounds_open"):
        name = st.text_input("轮次名称", placeholder="如：2021年6月进展", key="rounds_name")
        today = service.clock().astimezone(BEIJING).date()
        as_of = st.date_input("本轮截至日期", value=today, key="rounds_as_of")
        due = st.date_input(
            "报送截止日期", value=today + datetime.timedelta(days=5), key="rounds_due"
        )
        approval = st.checkbox(
            "报送前须经单位负责人审核",
            value=service.settings.require_approval,
            key="rounds_approval",
        )
        if not st.form_submit_button("开启轮次"):
            return
    assert isinstance(as_of, datetime.date) and isinstance(due, datetime.date)
    try:
        opened = service.open_round(who, name=name, as_of=as_of, due=due, require_approval=approval)
    except StoreError as exc:
        st.error(md(str(exc)))
        return
    st.session_state[NOTICE_KEY] = f"已开启轮次“{opened.name}”。"
    st.rerun()


def chase_download(board: Board) -> None:
    """The 催报 list as a workbook, built when the button is pressed."""
    if board.late:
        st.download_button(
            "下载催报名单（.xlsx）",
            data=lambda: chase_xlsx(board),
            file_name=f"催报名单_{board.round.name}.xlsx",
            mime=XLSX_MIME,
            key="rounds_chase_xlsx",
        )


def review_section(service: RoundService, who: Principal, found: Round) -> None:
    """Each submission with the office, task by task."""
    waiting = service.awaiting_review(who, found.id)
    st.subheader(f"待审核的报送（{len(waiting)}）")
    if not waiting:
        st.caption("没有待审核的报送。")
        return
    labels = [f"{s.unit}（第 {s.revision} 次报送）" for s, _ in waiting]
    chosen = st.selectbox(
        "选择报送", range(len(waiting)), format_func=labels.__getitem__, key="rounds_review_pick"
    )
    submission, undecided = waiting[chosen]
    show_submission(service, who, submission)
    for item in undecided:
        with st.container(border=True):
            st.markdown(f"**任务（{item.task_id}）的审核**")
            comment = st.text_input(
                "意见（退回时必填，单位会看到）",
                key=f"rounds_comment_{submission.id}_{item.task_id}",
            )
            extension = None
            if item.extension_to is not None:
                picked = st.radio(
                    f"延期决定（申请延期至 {item.extension_to.isoformat()}，采纳时生效）",
                    [d.value for d in ExtensionDecision],
                    index=len(ExtensionDecision) - 1,  # 待定
                    horizontal=True,
                    key=f"rounds_extension_{submission.id}_{item.task_id}",
                )
                extension = ExtensionDecision(picked)
            with st.container(horizontal=True):
                accept = st.button(
                    "采纳", key=f"rounds_accept_{submission.id}_{item.task_id}", type="primary"
                )
                back = st.button("退回", key=f"rounds_return_{submission.id}_{item.task_id}")
            if accept or back:
                _decide(service, who, submission.id, item.task_id, accept, comment, extension)


def _decide(
    service: RoundService,
    who: Principal,
    submission_id: int,
    task_id: int,
    accept: bool,
    comment: str,
    extension: ExtensionDecision | None = None,
) -> None:
    try:
        service.decide(
            who,
            submission_id,
            accept=accept,
            task_id=task_id,
            comment=comment,
            extension=extension,
        )
    except StoreError as exc:
        st.error(md(str(exc)))
        return
    verb = "采纳" if accept else "退回"
    st.session_state[NOTICE_KEY] = f"已{verb}任务（{task_id}）。"
    st.rerun()


def publish_section(service: RoundService, who: Principal, found: Round) -> None:
    """Merge what was accepted onto the current version, review it, publish it."""
    st.subheader("合并发布")
    try:
        reviewed = _kept_review(service, found.id)
    except StoreError as exc:
        st.error(md(str(exc)))
        return
    if not reviewed.plan.accepted:
        st.caption("本轮还没有新采纳、未发布的报送。")
        return
    st.markdown(md(reviewed.plan.audit_note()))
    for conflict in reviewed.plan.conflicts:
        _conflict(
            service, who, found, conflict.field, conflict.label, conflict.options, conflict.chosen
        )
    if reviewed.plan.unresolved:
        st.warning("还有单位报送不一致的地方：请先为每一项选定采用哪个单位的报送。")
        return
    _publish_form(service, who, reviewed)


def _kept_review(service: RoundService, round_id: int) -> RoundReview:
    """The merged draft and its review, built again only when a decision, a resolution,
    the current version or the round changed (the merge runs the upload intake)."""
    fingerprint = merge_fingerprint(service, round_id)
    kept = st.session_state.get(REVIEW_KEY)
    if isinstance(kept, tuple) and kept[0] == (round_id, fingerprint):
        reviewed: RoundReview = kept[1]
        return reviewed
    with st.spinner("正在合并并检查……"):
        reviewed = review_round(service, round_id)
    st.session_state[REVIEW_KEY] = ((round_id, fingerprint), reviewed)
    return reviewed


def _conflict(
    service: RoundService,
    who: Principal,
    found: Round,
    field: str,
    label: str,
    options: tuple[tuple[str, str], ...],
    chosen: str | None,
) -> None:
    with st.container(border=True):
        st.markdown(f"**冲突：{md(label)}**" + ("（已选定）" if chosen else ""))
        st.dataframe(
            pd.DataFrame(options, columns=["单位", "报送"]),
            hide_index=True,
            key=f"rounds_conflict_{field}",
        )
        units = [unit for unit, _ in options]
        pick = st.selectbox(
            "采用",
            units,
            index=units.index(chosen) if chosen in units else 0,
            key=f"rounds_conflict_pick_{field}",
        )
        if st.button("确定", key=f"rounds_conflict_ok_{field}"):
            try:
                resolve(service, who, found.id, field, pick)
            except StoreError as exc:
                st.error(md(str(exc)))
                return
            st.rerun()


def _publish_form(service: RoundService, who: Principal, reviewed: RoundReview) -> None:
    review = reviewed.review
    assert review is not None
    if review.problems:
        show_problems(review.problems, key="rounds_problems")
    version = store().version(reviewed.basis_id)
    if review.changes is not None and version is not None:
        show_changes(review.changes, of_version(version), current())
    if not reviewed.publishable:
        st.error("合并后的工作簿有错误，不能发布。")
        return
    with st.form("rounds_publish"):
        note = st.text_input("发布说明", key="rounds_publish_note")
        submitted = st.form_submit_button(f"发布（基于 v{reviewed.basis_id}）", type="primary")
    if not submitted:
        return
    try:
        published = publish_round(service, who, reviewed, note=note)
    except StaleVersion as exc:
        st.error(f"未发布：{md(str(exc))}")
        return
    except StoreError as exc:
        st.error(md(str(exc)))
        return
    st.session_state[NOTICE_KEY] = f"已发布为版本 v{published.id}。"
    st.rerun()
