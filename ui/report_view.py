"""The 填报 page: a unit reports its progress in the current round, in the browser
(a form per task, ``ui.report_form``) or with its unit workbook; the unit's leader
approves; the office may report on a unit's behalf (the record says so)."""

from __future__ import annotations

import streamlit as st

from metrics.model import Dataset
from metrics.rounds.model import Round, Submission, TaskReport, UnitState, dump_reports
from metrics.rounds.roles import UNIT_ROLES, Principal, Role
from metrics.rounds.service import RoundService
from metrics.rounds.state import UnitOverview
from metrics.rounds.units import all_units
from metrics.scoring.headline import chinese_date
from metrics.store.versions import BEIJING, StoreError, beijing_time
from report.literal import md
from report.rounds import (
    STATE_MARKS,
    extension_decision_text,
    status_change_text,
    submission_heading,
    values_frame,
)
from ui.downloads import XLSX_MIME
from ui.evidence_view import evidence_list
from ui.report_form import forms_key, task_form, unit_notices
from ui.rounds_access import round_service

NOTICE_KEY = "report_notice"


def round_header(round_: Round, service: RoundService) -> None:
    today = service.clock().astimezone(BEIJING).date()
    left = (round_.due - today).days
    when = f"还有 {left} 天" if left > 0 else ("今天截止" if left == 0 else f"已逾期 {-left} 天")
    st.markdown(
        f"**{md(round_.name)}**　截至 {chinese_date(round_.as_of)}　·　"
        f"报送截止 {chinese_date(round_.due)}（{when}）"
    )


def render_report_page(who: Principal) -> None:
    try:
        _report_page(who)
    except StoreError as exc:  # e.g. the current version's data cannot be read
        st.error(md(str(exc)))


def _report_page(who: Principal) -> None:
    service = round_service()
    current = service.current_round()
    if current is None:
        st.info("目前没有进行中的填报轮次。整改办开启轮次后，这里会列出本单位负责的任务。")
        return
    round_header(current, service)
    if who.role is Role.LEADER:
        st.info("领导账号只查看、不填报。各单位报送情况见“填报审核”页。")
        return
    units = sorted(who.units) if who.role in UNIT_ROLES else all_units(service.dataset())
    if not units:
        st.warning("您的账号没有所属单位，请技术人员用 users role 设置。")
        return
    unit = (
        st.selectbox("单位", units, key="report_unit")
        if len(units) > 1 or who.role is Role.OFFICE
        else units[0]
    )
    if who.role is Role.OFFICE:
        st.caption("您以整改办身份代单位填报，记录中会注明“整改办代报”。")
    notice = st.session_state.pop(NOTICE_KEY, None)
    if notice:
        st.success(md(str(notice)))
    overview = service.overview(who, current.id, unit)
    st.markdown(f"**{md(unit)}**：{STATE_MARKS[overview.state]}")
    if who.role is Role.UNIT_HEAD:
        head_review(service, who, current, unit, overview)
        return
    head_comment = overview.returned.get(None)
    if head_comment is not None:
        st.warning(f"单位负责人退回意见：{md(head_comment.comment)}")
    unit_workbook_section(service, who, current, unit)
    drafts = service.drafts(who, current.id, unit)
    evidence = service.evidence_records(who, current.id, unit)
    dataset = service.dataset()
    notices = unit_notices(service, unit)
    accepted = overview.accepted
    returned = overview.returned
    for task in service.unit_tasks(unit):
        if task.id in accepted:
            with st.expander(f"（{task.id}）{md(task.title)}　✔ 已采纳", expanded=False):
                st.caption(
                    f"{accepted[task.id].actor} 已采纳：{md(accepted[task.id].comment or '无意见')}"
                )
                if extension := extension_decision_text(overview.decisions, task.id):
                    st.caption(md(extension))
                draft = drafts.get(task.id)
                if draft is not None:
                    st.markdown(md(draft.report.progress or "（未填写进展）"))
            continue
        comment = returned.get(task.id)
        mark = "　↩ 已退回" if comment is not None else ("　✎ 已填写" if task.id in drafts else "")
        with st.expander(
            f"（{task.id}）{md(task.title)}{mark}",
            expanded=comment is not None,
            key=f"report_box_{current.id}_{unit}_{task.id}",  # stays open as the mark changes
        ):
            task_form(
                service,
                who,
                current,
                unit,
                task,
                drafts.get(task.id),
                evidence,
                comment.comment if comment is not None else None,
                dataset=dataset,
                notices=notices,
            )
    submit_section(service, who, current, unit, overview)


def submit_section(
    service: RoundService, who: Principal, round_: Round, unit: str, overview: UnitOverview
) -> None:
    to_head = round_.require_approval and who.role is not Role.OFFICE
    label = "提交单位负责人审核" if to_head else "报送整改办"
    if overview.state in (UnitState.SUBMITTED, UnitState.AWAITING_HEAD):
        st.caption("已报送。修改后可再次报送，新的报送会替换整改办尚未审核的内容。")
    if st.button(label, key=f"report_submit_{round_.id}_{unit}", type="primary"):
        try:
            submission = service.submit(who, round_.id, unit)
        except StoreError as exc:
            st.error(md(str(exc)))
            return
        where = "单位负责人" if to_head else "整改办"
        st.session_state[NOTICE_KEY] = (
            f"已提交{where}：第 {submission.revision} 次报送，{len(submission.items)} 项任务。"
        )
        st.rerun()


def unit_workbook_section(service: RoundService, who: Principal, round_: Round, unit: str) -> None:
    """The Excel way: download the unit's workbook, upload it filled in."""
    from metrics.rounds.unit_intake import read_unit_workbook
    from metrics.rounds.unit_workbook import unit_workbook_bytes, unit_workbook_name

    with st.expander("用 Excel 填报（下载本单位工作簿，填好后上传）"):
        st.download_button(
            "下载本单位工作簿",
            data=lambda: unit_workbook_bytes(
                service.dataset(), round_, unit, service.drafts(who, round_.id, unit)
            ),
            file_name=unit_workbook_name(unit, round_),
            mime=XLSX_MIME,
            key=f"report_workbook_{round_.id}_{unit}",
            on_click="ignore",
        )
        counter_key = f"report_workbook_round_{round_.id}_{unit}"
        counter = int(st.session_state.get(counter_key, 0))
        upload = st.file_uploader(
            "上传填好的工作簿（.xlsx）：检查无误即报送",
            type=["xlsx"],
            key=f"report_workbook_upload_{round_.id}_{unit}_{counter}",
        )
        if upload is None:
            return
        result = read_unit_workbook(upload.getvalue(), service.dataset(), round_, unit)
        if not result.ok:
            st.error("文件有错误，未报送。请按下列问题修改后重新上传：")
            for problem in result.problems:
                st.markdown(f"- {md(str(problem))}")
            return
        try:
            submission = service.report_all(
                who, round_.id, unit, result.reports, channel="单位工作簿"
            )
        except StoreError as exc:
            st.error(md(str(exc)))
            return
        st.session_state[counter_key] = counter + 1
        st.session_state[NOTICE_KEY] = (
            f"已从工作簿报送：第 {submission.revision} 次报送，{len(submission.items)} 项任务。"
        )
        st.session_state.pop(forms_key(round_, unit), None)  # the forms show what the file said
        st.rerun()


def head_review(
    service: RoundService, who: Principal, round_: Round, unit: str, overview: UnitOverview
) -> None:
    """The unit's leader approves the report before it reaches the office, or returns it."""
    waiting = [s for s in overview.submissions if s.state.value == "awaiting_head"]
    if not waiting:
        st.info("没有等待您审核的报送。")
        return
    submission = waiting[-1]
    show_submission(service, who, submission)
    comment = st.text_input("审核意见（退回时必填）", key=f"head_comment_{submission.id}")
    with st.container(horizontal=True):
        approve = st.button("审核通过，报送整改办", key=f"head_ok_{submission.id}", type="primary")
        back = st.button("退回填报员修改", key=f"head_back_{submission.id}")
    if approve or back:
        try:
            service.head_decide(who, submission.id, approve=approve, comment=comment)
        except StoreError as exc:
            st.error(md(str(exc)))
            return
        st.session_state[NOTICE_KEY] = "已审核通过，报送整改办。" if approve else "已退回填报员。"
        st.rerun()


def show_submission(service: RoundService, who: Principal, submission: Submission) -> None:
    """What a submission says, task by task (for the unit's leader and the office)."""
    sha256, dataset = service.current_data()
    st.caption(md(submission_heading(submission)))
    overview = service.overview(who, submission.round_id, submission.unit)
    for decision in overview.decisions:
        if decision.submission_id == submission.id and decision.task_id is None:
            said = f"：{decision.comment}" if decision.comment else ""
            st.caption(
                md(f"{decision.kind.label} · {decision.actor} · {beijing_time(decision.at)}{said}")
            )
    records = {e.id: e for e in service.evidence_records(who, submission.round_id, submission.unit)}
    for item in submission.items:
        _item(sha256, submission.id, dump_reports((item,)), _dataset=dataset, _item=item)
        evidence_list(
            service,
            who,
            [records[e] for e in item.evidence if e in records],
            key=f"sub_{submission.id}_{item.task_id}",
            show_removed=True,
        )


@st.cache_resource(max_entries=1024, show_spinner=False)
def _item(
    sha256: str, submission_id: int, content: str, *, _dataset: Dataset, _item: TaskReport
) -> None:
    """One item of a submission against the current data (``sha256``: its file), drawn
    once: later reruns replay the recorded elements (``content``, the item as stored,
    keys the cache with the data; the submission's id keys the table)."""
    del sha256, content  # the cache key
    task = _dataset.task(_item.task_id)
    st.markdown(f"**（{_item.task_id}）{md(task.title if task else '')}**")
    st.markdown(f"状态：{md(status_change_text(_dataset, _item))}")
    if _item.progress:
        st.markdown(f"本期进展：{md(_item.progress)}")
    figures = values_frame(_dataset, _item)
    if not figures.empty:
        st.dataframe(figures, hide_index=True, key=f"sub_{submission_id}_{_item.task_id}_v")
