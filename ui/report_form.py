"""One task's form in a unit's report: status, 本期进展, figures and evidence, saved to
the store as they are typed (each change saves the task: a reload or a dropped
connection loses nothing that was saved; the caption says when it was).

Every save names the revision the form was loaded at: if someone else of the unit saved
meanwhile, the form reloads their version and says so instead of overwriting it.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from types import MappingProxyType

import streamlit as st

from metrics.contract import TaskStatus
from metrics.duban.model import DubanNotice
from metrics.duban.service import DubanService, awaiting_answer, round_opened_day
from metrics.model import Dataset, Indicator, Task
from metrics.rounds.model import Draft, Evidence, Round, TaskReport
from metrics.rounds.roles import Principal
from metrics.rounds.service import RoundError, RoundService, StaleRound
from metrics.store.versions import StoreError, beijing_time
from metrics.values.formatting import format_number
from report.literal import md
from ui.evidence_view import evidence_list

UNCHANGED = "（不变）"
EVIDENCE_TYPES = ["pdf", "jpg", "jpeg", "png", "docx", "xlsx"]


def _key(round_: Round, unit: str, task_id: int, part: str) -> str:
    return f"report_{round_.id}_{unit}_{task_id}_{part}"


def _loaded(round_: Round, unit: str) -> dict[int, tuple[int | None, str]]:
    """task id → the draft's revision its form was loaded at (None: no draft) and the
    已保存 caption; a task not here is loaded from the store when shown. One session
    key for all of the unit's forms: every text box and select box of a page walks all
    of the session's keys (Streamlit), so fewer keys make a long form's rerun faster."""
    key = forms_key(round_, unit)
    found = st.session_state.get(key)
    if not isinstance(found, dict):
        found = {}
        st.session_state[key] = found
    return found


def forms_key(round_: Round, unit: str) -> str:
    """The session key of the unit's forms: removing it reloads every form from the store."""
    return f"report_{round_.id}_{unit}_forms"


def status_options(task: Task) -> list[str]:
    return [UNCHANGED, *(s.value for s in TaskStatus if s is not task.status)]


def status_label(task: Task, option: str) -> str:
    if option == UNCHANGED:
        return f"不变（{task.status}）"
    if option == TaskStatus.DONE.value:
        return "已完成（申请销号，需佐证材料）"
    if option == TaskStatus.EXTENSION_REQUESTED.value:
        return "申请延期（须填写申请延期至）"
    return option


def _asks_extension(task: Task, option: object) -> bool:
    """The form's status (or the unchanged one) is 申请延期."""
    chosen = task.status.value if option == UNCHANGED else option
    return chosen == TaskStatus.EXTENSION_REQUESTED.value


def unit_notices(service: RoundService, unit: str) -> list[DubanNotice]:
    """The 督办 notices to ``unit`` (one read of the notices for all its task forms)."""
    return [n for n in DubanService(service.store).notices() if n.unit == unit]


def load_into_form(round_: Round, unit: str, task: Task, draft: Draft | None) -> None:
    """Put the stored draft into the widgets (first show, or after someone else saved)."""
    report = draft.report if draft is not None else TaskReport(task.id)
    state = st.session_state
    state[_key(round_, unit, task.id, "status")] = (
        report.status.value if report.status is not None else UNCHANGED
    )
    state[_key(round_, unit, task.id, "progress")] = report.progress
    if report.extension_to is not None:
        state[_key(round_, unit, task.id, "extension")] = report.extension_to
    else:  # as None, without one more key
        state.pop(_key(round_, unit, task.id, "extension"), None)
    for indicator_id, text in report.values.items():
        state[_key(round_, unit, task.id, f"value_{indicator_id}")] = text
    _loaded(round_, unit)[task.id] = (
        draft.revision if draft is not None else None,
        f"已保存：{beijing_time(draft.updated_at)}（{draft.updated_by}）" if draft else "",
    )


def _save(
    service: RoundService,
    who: Principal,
    round_: Round,
    unit: str,
    task: Task,
    indicators: tuple[Indicator, ...],
) -> None:
    """The widgets' values saved as the task's draft (an ``on_change`` callback)."""
    state = st.session_state
    status = state.get(_key(round_, unit, task.id, "status"), UNCHANGED)
    values = {
        i.id: str(state.get(_key(round_, unit, task.id, f"value_{i.id}")) or "") for i in indicators
    }
    extension = state.get(_key(round_, unit, task.id, "extension"))
    report = TaskReport(
        task.id,
        None if status == UNCHANGED else TaskStatus(status),
        str(state.get(_key(round_, unit, task.id, "progress")) or ""),
        MappingProxyType({k: v for k, v in values.items() if v.strip()}),
        extension_to=extension
        if isinstance(extension, datetime.date) and _asks_extension(task, status)
        else None,
    )
    error_key = _key(round_, unit, task.id, "error")
    try:
        draft = service.save_draft(
            who,
            round_.id,
            unit,
            report,
            expected_revision=_loaded(round_, unit).get(task.id, (None, ""))[0],
        )
    except StaleRound as exc:
        load_into_form(round_, unit, task, service.drafts(who, round_.id, unit).get(task.id))
        state[error_key] = str(exc)
        return
    except StoreError as exc:
        state[error_key] = str(exc)
        return
    state.pop(error_key, None)
    _loaded(round_, unit)[task.id] = (draft.revision, f"已保存：{beijing_time(draft.updated_at)}")


def task_form(
    service: RoundService,
    who: Principal,
    round_: Round,
    unit: str,
    task: Task,
    draft: Draft | None,
    evidence: list[Evidence],
    returned_comment: str | None,
    *,
    dataset: Dataset,
    notices: Sequence[DubanNotice],
) -> None:
    """The widgets of one task (inside its expander). ``dataset`` (the round's data,
    ``service.dataset()``) and ``notices`` (every 督办 notice, ``unit_notices``) are read
    once per rerun by the caller, not once per task."""
    if task.id not in _loaded(round_, unit):
        load_into_form(round_, unit, task, draft)
    indicators = dataset.indicators_of(task.id)
    args = (service, who, round_, unit, task, indicators)
    if returned_comment:
        st.warning(f"整改办退回意见：{md(returned_comment)}")
    for notice in awaiting_answer(notices, unit, task.id, round_opened_day(round_)):
        st.info(
            md(
                f"督办：{notice.code}（{notice.level.label}），反馈时限 "
                f"{notice.respond_by.isoformat()}。请在“本期进展”中写明落实情况，报送即为反馈。"
            )
        )
    error = st.session_state.get(_key(round_, unit, task.id, "error"))
    if error:
        st.error(md(str(error)))
    options = status_options(task)
    st.selectbox(
        "申报状态",
        options,
        format_func=lambda option: status_label(task, option),
        key=_key(round_, unit, task.id, "status"),
        on_change=_save,
        args=args,
    )
    if _asks_extension(task, st.session_state.get(_key(round_, unit, task.id, "status"))):
        st.date_input(
            "申请延期至",
            value=None,
            key=_key(round_, unit, task.id, "extension"),
            on_change=_save,
            args=args,
            help="申请的新整改时限，应晚于原整改时限；由整改办决定是否同意",
        )
    st.text_area(
        "本期进展",
        key=_key(round_, unit, task.id, "progress"),
        on_change=_save,
        args=args,
        placeholder="本期做了什么、进展到哪一步（离开输入框即自动保存）",
        height=120,
    )
    for indicator in indicators:
        history = dataset.history(indicator.id)
        last = history[-1] if history else None
        before = (
            f"上期 {format_number(last.value, indicator.unit, last.qualifier, last.text)}"
            f"（{last.date.isoformat()}）"
            if last is not None
            else "上期无数据"
        )
        st.text_input(
            md(f"{indicator.name}（{indicator.unit_symbol or '无单位'}）"),
            key=_key(round_, unit, task.id, f"value_{indicator.id}"),
            on_change=_save,
            args=args,
            placeholder=before,
            help=md(f"{before}。可写 9.62万、2500余、约60、67.7% 等，按报告的写法"),
        )
    _evidence(service, who, round_, unit, task, evidence)
    saved = _loaded(round_, unit)[task.id][1]
    if saved:
        st.caption(md(saved))


def _evidence(
    service: RoundService,
    who: Principal,
    round_: Round,
    unit: str,
    task: Task,
    evidence: list[Evidence],
) -> None:
    counter_key = _key(round_, unit, task.id, "upload_round")
    counter = int(st.session_state.get(counter_key, 0))
    uploads = st.file_uploader(
        "佐证材料（PDF、JPEG、PNG、Word、Excel）",
        type=EVIDENCE_TYPES,
        accept_multiple_files=True,
        key=_key(round_, unit, task.id, f"upload_{counter}"),
        help=service.evidence_limits.describe(),
        max_upload_size=max(1, -(-service.evidence_limits.file_bytes // (1024 * 1024))),
    )
    if uploads:
        problems = []
        for upload in uploads:
            try:
                service.add_evidence(who, round_.id, unit, task.id, upload.name, upload.getvalue())
            except RoundError as exc:
                problems.append(str(exc))
        st.session_state[counter_key] = counter + 1  # empties the box
        _refresh_revision(service, who, round_, unit, task.id)
        if problems:
            st.session_state[_key(round_, unit, task.id, "error")] = "；".join(problems)
        st.rerun()

    def remove(record: Evidence) -> None:
        try:
            service.remove_evidence(who, record.id)
        except StoreError as exc:
            st.session_state[_key(round_, unit, task.id, "error")] = str(exc)
        _refresh_revision(service, who, round_, unit, task.id)

    mine = [e for e in evidence if e.task_id == task.id]
    evidence_list(service, who, mine, key=_key(round_, unit, task.id, "evidence"), on_remove=remove)


def _refresh_revision(
    service: RoundService, who: Principal, round_: Round, unit: str, task_id: int
) -> None:
    """Adding or removing evidence saves the draft too: the form continues from there."""
    draft = service.drafts(who, round_.id, unit).get(task_id)
    forms = _loaded(round_, unit)
    forms[task_id] = (draft.revision if draft else None, forms.get(task_id, (None, ""))[1])
