"""问题详情: one task, reachable by a shareable link such as /issue?task=9."""

from __future__ import annotations

import streamlit as st

from report.literal import md
from report.views import facts_table, issue_detail, parse_task_id, target_text, value_text
from ui.figures import indicator_figures, show
from ui.issue_nav import task_picker
from ui.navigation_guard import require_app_navigation
from ui.page_header import page_title, scored_or_stop
from ui.status import status_line

require_app_navigation()

loaded, scored = scored_or_stop()
header = st.container()  # filled once the task is known, so the title stays on top
with st.expander("切换任务", expanded=False):
    task_id = task_picker(scored, parse_task_id(st.query_params.get("task")))
detail = issue_detail(scored, task_id)
assert detail is not None  # task_picker only returns known ids
tp = detail.progress
task = tp.task

with header:
    page_title(f"（{task.id}）{task.title}", loaded, scored)  # page_title escapes
    st.markdown(f"{md(task.category)} › {md(task.problem)} › **{md(task.title)}**")
    status_line(task.status, *(() if task.complete else (tp.colour,)), text=tp.reason)

previous, following = st.columns(2)
if detail.previous_id is not None:
    previous.page_link(
        "pages/issue.py",
        label=f"上一项（{detail.previous_id}）",
        icon=":material/arrow_back:",
        query_params={"task": str(detail.previous_id)},
    )
if detail.next_id is not None:
    following.page_link(
        "pages/issue.py",
        label=f"下一项（{detail.next_id}）",
        icon=":material/arrow_forward:",
        query_params={"task": str(detail.next_id)},
    )

facts = {
    "牵头单位": task.lead_unit,
    "责任单位": task.responsible_units,
    "责任领导": task.responsible_leader,
    "整改时限": task.deadline.isoformat() if task.deadline else "",
    "完成日期": task.completed_on.isoformat() if task.completed_on else "",
    "销号日期": task.closed_on.isoformat() if task.closed_on else "",
}
st.markdown("　".join(f"**{k}**：{md(v) if v else '未填写'}" for k, v in facts.items()))
st.subheader("整改措施")
st.markdown(md(task.measures) if task.measures else "（未填写）")
if task.note:
    st.caption(f"备注：{md(task.note)}")

st.subheader("指标进展")
if not tp.indicators:
    st.info("该任务没有量化指标。")
for ip in detail.charted:
    ind = ip.indicator
    status_line(ip.status, title=ind.name)
    bullet_figure, history_figure = indicator_figures(loaded.version, ind.id, ip)
    show(
        bullet_figure, f"issue_bullet_{ind.id}", name=f"任务{ind.task_id}_{ind.name}", scored=scored
    )
    st.caption(md(f"最新 {value_text(ip)}，目标 {target_text(ip)}。{ip.reason}"))
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
    st.caption(md(f"目标 {target_text(ip)}，尚无数据。{ind.note}"))
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
