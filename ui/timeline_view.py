"""A task's progress over time on its page: the published 进展 entries of the shown
version, and the rounds' record (each report, who sent it for which unit, the evidence
and the office's decision with its comment), as far as the reader may see it."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from metrics.duban.service import DubanService, answered_by, round_opened_day
from metrics.model import Dataset
from metrics.rounds.timeline import task_timeline
from metrics.scoring.headline import chinese_date
from metrics.store.versions import StoreError, beijing_time
from report.literal import md
from report.rounds import proposal_text, submission_heading, values_frame
from ui.auth import signed_in
from ui.evidence_view import evidence_list
from ui.people import people_names
from ui.rounds_access import round_service, rounds_available


def progress_section(dataset: Dataset, task_id: int) -> None:
    entries = dataset.progress_of(task_id)
    if entries:
        st.subheader("整改进展")
        frame = pd.DataFrame(
            [
                {
                    "轮次": e.round,
                    "截至": chinese_date(e.date),
                    "报送单位": e.unit,
                    "进展情况": e.text,
                    "佐证材料": e.evidence,
                }
                for e in entries
            ]
        )
        st.dataframe(frame, hide_index=True, width="stretch", key=f"issue_progress_{task_id}")
    if rounds_available():
        try:
            _rounds_record(task_id)
        except StoreError as exc:
            st.error(md(str(exc)))


def _rounds_record(task_id: int) -> None:
    service = round_service()
    who = signed_in()
    entries = task_timeline(service.db, who, task_id)
    if not entries:
        return
    st.subheader("填报与审核记录")
    if who is None:
        st.caption("只列出整改办已采纳的报送；登录后按权限可查看全部报送和佐证材料。")
    dataset = service.dataset()
    names = people_names()
    notices = DubanService(service.store).notices()
    for number, entry in enumerate(entries):
        with st.container(border=True):
            st.markdown(f"**{md(entry.round.name)}** · {md(entry.submission.unit)}")
            st.caption(md(submission_heading(entry.submission, names)))
            answered = answered_by(
                notices,
                entry.submission.unit,
                task_id,
                round_opened_day(entry.round),
                entry.submission.submitted_at,
            )
            if answered:
                codes = "、".join(n.code for n in answered)
                st.caption(md(f"含对督办单 {codes} 的反馈"))
            st.markdown(f"申报状态：{md(proposal_text(entry.report))}")
            if entry.report.progress:
                st.markdown(f"进展：{md(entry.report.progress)}")
            figures = values_frame(dataset, entry.report, before=False)
            if not figures.empty:
                st.dataframe(figures, hide_index=True, key=f"issue_tl_{task_id}_{number}_v")
            evidence_list(
                service, who, entry.evidence, key=f"issue_tl_{task_id}_{number}", show_removed=True
            )
            for decision in entry.decisions:
                comment = f"：{decision.comment}" if decision.comment else ""
                st.markdown(
                    md(
                        f"{decision.kind.label} · {names.actor(decision.actor)} · "
                        f"{beijing_time(decision.at)}{comment}"
                    )
                )
