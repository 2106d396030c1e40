"""督办单 on the pages: the task page's 督办记录 (every notice that covered the task, each
downloadable as issued) and, for the office, the form to issue one; the 填报审核 page's
form to issue one notice for all of a unit's coloured tasks.

Rights are the service's (``DubanService.issue`` refuses anyone but the office); the
forms are only offered to the office. Notices are internal: visitors see none."""

from __future__ import annotations

import datetime
import logging

import streamlit as st

from briefing.docx_duban import build_duban_docx
from briefing.exports import DOCUMENT_MIME
from metrics.duban.items import NothingToSupervise, items_by_unit, task_items
from metrics.duban.model import DubanItem, DubanNotice, most_severe
from metrics.duban.service import DEFAULT_REQUIREMENTS, DubanService
from metrics.rounds.roles import Principal, Role, may_see_unit
from metrics.rounds.units import units_of_task
from metrics.scoring.progress import Scored, score
from metrics.store.versions import Store, StoreError
from metrics.workbook.loader import load_workbook
from report.literal import md
from ui.auth import signed_in
from ui.data_source import Loaded, current
from ui.people import people_names
from ui.rounds_access import round_service, rounds_available
from ui.supervision import version_warnings

_log = logging.getLogger(__name__)
RESPOND_DAYS = 7  # the default response time offered


def _service() -> DubanService:
    return DubanService(round_service().store)


def duban_section(loaded: Loaded, scored: Scored, task_id: int | None) -> None:
    """The task page's 督办记录 and, for the office, 签发督办单."""
    who = signed_in()
    if task_id is None or who is None or not rounds_available():
        return
    found = scored.task(task_id)
    if found is None or not any(may_see_unit(who, u) for u in units_of_task(found.task)):
        return
    try:
        notices = _service().history(task_id)
    except StoreError as exc:
        st.error(md(str(exc)))
        return
    if notices or who.role is Role.OFFICE:
        st.subheader("督办记录")
    _history(notices, key=f"duban_task_{task_id}")
    if who.role is not Role.OFFICE:
        return
    unit = found.task.lead_unit.strip()
    try:
        items = task_items(version_warnings(loaded, scored), task_id)
    except NothingToSupervise as exc:
        st.caption(md(str(exc)))
        return
    if not unit:
        st.caption("这项任务没有牵头单位：请在“填报审核”页按单位签发督办单。")
        return
    _issue_form(who, scored, unit, items, key=f"duban_issue_{task_id}")


def unit_duban_panel(who: Principal) -> None:
    """The office's form on 填报审核: one notice for all of a unit's coloured tasks
    (of the current version)."""
    if who.role is not Role.OFFICE:
        return
    loaded = current()
    scored = loaded.scored
    if scored is None:
        return
    warnings = version_warnings(loaded, scored)
    choices = items_by_unit(scored.dataset, warnings)
    st.subheader("督办单")
    if not choices:
        st.caption("当前没有红、黄、蓝色预警的任务，不需要签发督办单。")
        return
    unit = st.selectbox(
        "督办单位",
        list(choices),
        format_func=lambda u: (
            f"{u}（{len(choices[u])}项预警任务，"
            f"{most_severe([i.level for i in choices[u]]).value}）"
        ),
        key="duban_unit_choice",
    )
    if unit is not None:
        _issue_form(who, scored, unit, choices[unit], key="duban_issue_unit")


def _issue_form(
    who: Principal, scored: Scored, unit: str, items: list[DubanItem], *, key: str
) -> None:
    level = most_severe([i.level for i in items])
    service = _service()
    with st.form(key):
        st.markdown(
            md(f"向{unit}签发{level.label}，含任务：")
            + "；".join(md(f"（{i.task_id}）{' '.join(i.reasons)}") for i in items)
        )
        respond_by = st.date_input(
            "反馈时限",
            value=service.today() + datetime.timedelta(days=RESPOND_DAYS),
            min_value=service.today() + datetime.timedelta(days=1),
            key=f"{key}_respond",
        )
        requirements = st.text_area(
            "督办要求", value=DEFAULT_REQUIREMENTS[level], max_chars=2000, key=f"{key}_text"
        )
        issued = st.form_submit_button("签发督办单")
    if issued and isinstance(respond_by, datetime.date):
        try:
            notice = service.issue(
                who, unit=unit, items=items, respond_by=respond_by, requirements=requirements
            )
        except StoreError as exc:
            st.error(md(str(exc)))
            return
        st.success(md(f"已签发 {notice.code}（{notice.level.value}督办），已记录。"))
        _download(notice, key=f"{key}_new")


def _history(notices: list[DubanNotice], *, key: str) -> None:
    names = people_names()
    for number, notice in enumerate(reversed(notices)):
        with st.container(border=True):
            tasks = "、".join(f"（{t}）" for t in notice.task_ids)
            st.markdown(md(f"{notice.code} · {notice.level.label} · {notice.unit} · 任务{tasks}"))
            st.caption(
                md(
                    f"签发：{names.actor(notice.issued_by)}，{notice.issued_at[:10]}；"
                    f"反馈时限：{notice.respond_by.isoformat()}"
                )
            )
            _download(notice, key=f"{key}_{number}")


def _download(notice: DubanNotice, *, key: str) -> None:
    """The notice as issued (built from the version it was issued on), made only when
    the button is pressed: a history of many notices costs nothing per rerun."""
    store = round_service().store

    def document() -> bytes:
        try:
            return _document(store, notice)
        except (StoreError, OSError):
            _log.exception("督办单 %s 无法生成", notice.code)
            raise

    st.download_button(
        f"下载 {notice.code}（.docx）",
        data=document,
        file_name=f"督办单_{notice.code}.docx",
        mime=DOCUMENT_MIME["docx"],
        key=key,
        on_click="ignore",
    )


def _document(store: Store, notice: DubanNotice) -> bytes:
    version = store.version(notice.version_id)
    if version is None:
        raise StoreError(f"版本 v{notice.version_id} 不存在")
    dataset = load_workbook(store.read(version)).dataset
    if dataset is None:
        raise StoreError(f"版本 v{notice.version_id} 的数据有错误")
    return build_duban_docx(notice, score(dataset))
