"""The issue page's body: one task, its facts, measures and every indicator."""

from __future__ import annotations

import streamlit as st

from metrics.scoring.progress import Scored
from metrics.supervision.model import TaskWarning, WarningColour
from report.literal import md
from report.supervision import warning_sentence
from report.views import IssueDetail, facts_table, issue_detail, task_facts_in_words
from report.wording import NOT_FILLED, target_phrase, value_text
from ui.data_source import Loaded
from ui.figures import indicator_figures, show
from ui.issue_links import ISSUE_PAGE
from ui.issue_nav import task_picker
from ui.page_header import page_title
from ui.status import status_line
from ui.supervision import version_warnings
from ui.timeline_view import progress_section

# How loud each colour's line is; its text carries the symbol and word (never colour alone).
_ALERTS = {
    WarningColour.RED: st.error,
    WarningColour.YELLOW: st.warning,
    WarningColour.BLUE: st.info,
}


def issue_page(loaded: Loaded, scored: Scored, wanted: int | None) -> None:
    """The task ``wanted`` (from the URL; the first task when unknown), with a picker."""
    header = st.container()  # filled once the task is known, so the title stays on top
    with st.expander("切换任务", expanded=False):
        task_id = task_picker(scored, wanted)
    detail = issue_detail(scored, task_id)
    assert detail is not None  # task_picker only returns known ids
    with header:
        _header(loaded, scored, detail)
    _neighbours(detail)
    _task_text(detail)
    _indicators(loaded, scored, detail)
    progress_section(scored.dataset, task_id)


def _header(loaded: Loaded, scored: Scored, detail: IssueDetail) -> None:
    tp = detail.progress
    task = tp.task
    page_title(f"（{task.id}）{task.title}", loaded, scored)  # page_title escapes
    st.markdown(f"{md(task.category)} › {md(task.problem)} › **{md(task.title)}**")
    status_line(task.status, *(() if task.complete else (tp.colour,)), text=tp.reason)
    warning_line(version_warnings(loaded, scored).get(task.id))


def warning_line(warning: TaskWarning | None) -> None:
    """The task's 督办 colour and the rule(s) behind it: "● 红色：已超过整改时限（…）"."""
    if warning is not None:
        _ALERTS[warning.colour](f"**督办**　{md(warning_sentence(warning))}")


def _neighbours(detail: IssueDetail) -> None:
    previous, following = st.columns(2)
    if detail.previous_id is not None:
        previous.page_link(
            ISSUE_PAGE,
            label=f"上一项（{detail.previous_id}）",
            icon=":material/arrow_back:",
            query_params={"task": str(detail.previous_id)},
        )
    if detail.next_id is not None:
        following.page_link(
            ISSUE_PAGE,
            label=f"下一项（{detail.next_id}）",
            icon=":material/arrow_forward:",
            query_params={"task": str(detail.next_id)},
        )


def _task_text(detail: IssueDetail) -> None:
    task = detail.progress.task
    facts = task_facts_in_words(task)
    st.markdown("　".join(f"**{k}**：{md(v) if v else '未填写'}" for k, v in facts))
    st.subheader("整改措施")
    st.markdown(md(task.measures) if task.measures else NOT_FILLED)
    if task.note:
        st.caption(f"备注：{md(task.note)}")


def _indicators(loaded: Loaded, scored: Scored, detail: IssueDetail) -> None:
    st.subheader("指标进展")
    if not detail.progress.indicators:
        st.info("该任务没有量化指标。")
    for ip in detail.charted:
        ind = ip.indicator
        status_line(ip.status, title=ind.name)
        bullet_figure, history_figure = indicator_figures(loaded.version, ind.id, ip)
        show(
            bullet_figure,
            f"issue_bullet_{ind.id}",
            name=f"任务{ind.task_id}_{ind.name}",
            scored=scored,
        )
        st.caption(md(f"最新 {value_text(ip)}，{target_phrase(ip, ' ')}。{ip.reason}"))
        if history_figure is not None:
            show(
                history_figure,
                f"issue_history_{ind.id}",
                name=f"任务{ind.task_id}_{ind.name}_历史",
                scored=scored,
            )
        with st.expander("来源"):
            st.markdown(f"> {md(ind.source)}")
            if ind.note:
                st.caption(md(ind.note))
    for ip in detail.awaiting:
        ind = ip.indicator
        status_line(ip.status, title=ind.name)
        st.caption(md(f"{target_phrase(ip, ' ')}，尚无数据。{ind.note}"))
        with st.expander("来源"):
            st.markdown(f"> {md(ind.source)}")
    if detail.facts:
        st.subheader("相关数据")
        st.dataframe(
            facts_table(detail.facts),
            key="issue_facts",
            hide_index=True,
            width="stretch",
            column_config={"来源": st.column_config.TextColumn(width="large")},
        )
