"""需要关注, the top of the overview (``report.first_screen``): red tasks one tap from their
page, the yellow and blue counts one tap from the filtered task list, and for those who
may see them the units late with the latest round (the office and leaders, who see the
board) and the 销号 and extension requests waiting for a decision (the office).

The colours are computed once per data version and rounds facts (``st.cache_resource``),
not on every rerun; the rounds facts and the office's queue are read on every rerun (a
few milliseconds), so a decision shows at once.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence

import streamlit as st

from metrics.rounds.model import Submission, TaskReport
from metrics.rounds.roles import Principal, Role
from metrics.scoring.progress import Scored
from metrics.store.versions import StoreError
from metrics.supervision.model import RoundsFacts, TaskWarning, WarningColour
from metrics.supervision.settings import SupervisionSettings
from report.first_screen import (
    ColourGroup,
    FirstScreen,
    LateUnits,
    Requests,
    colour_groups,
    late_units,
    waiting_requests,
)
from report.literal import html_text, md
from ui.auth import signed_in
from ui.data_source import Loaded
from ui.issue_links import ISSUE_PAGE
from ui.rounds_access import round_service, rounds_available
from ui.status import badge
from ui.supervision import FactsKey, facts_key, version_colours

TASKS_PAGE = "pages/tasks.py"
ROUNDS_PAGE = "pages/rounds.py"
# The tasks page's filter by 督办 colour: /tasks?colour=红 (values: 红, 黄, 蓝).
COLOUR_PARAM = "colour"
# Who sees the round board (填报审核) and so the units late with their report.
BOARD_ROLES = frozenset({Role.OFFICE, Role.LEADER})

_log = logging.getLogger(__name__)


def first_screen(loaded: Loaded, scored: Scored, facts: RoundsFacts | None) -> FirstScreen:
    """What the signed-in reader (or a visitor) sees first, on the data shown, with the
    rounds facts read for this rerun (``ui.supervision.current_facts``)."""
    who = signed_in()
    warnings = version_colours(loaded.version, scored, facts)
    rules = SupervisionSettings.logged_from_env()
    groups, late = _by_version(loaded.version, facts_key(facts), rules, scored, warnings, facts)
    shows_rounds = who is not None and who.role in BOARD_ROLES
    return FirstScreen(
        groups,
        late if shows_rounds else None,
        waiting_requests(scored, _awaiting(who)),
    )


@st.cache_resource(max_entries=16, show_spinner=False)
def _by_version(
    version: str,
    key: FactsKey,
    rules: SupervisionSettings,
    _scored: Scored,
    _warnings: Mapping[int, TaskWarning],
    _facts: RoundsFacts | None,
) -> tuple[tuple[ColourGroup, ...], LateUnits | None]:
    """The colour groups and late units of one data version under one set of rounds
    facts and rules (``key`` stands for ``_facts``, which is not hashed)."""
    del version, key, rules  # the cache key
    latest = _facts.latest if _facts is not None else None
    return colour_groups(_scored, _warnings), late_units(_scored, latest)


def _awaiting(who: Principal | None) -> Sequence[tuple[Submission, tuple[TaskReport, ...]]]:
    """The open round's undecided reports, for the office only (empty otherwise, or when
    the round tables cannot be read: logged)."""
    if who is None or who.role is not Role.OFFICE or not rounds_available():
        return ()
    try:
        service = round_service()
        found = service.current_round()
        return service.awaiting_review(who, found.id) if found is not None else ()
    except (StoreError, OSError) as exc:
        _log.warning("需要关注：无法读取待审核的报送（%s）", exc)
        return ()


# -- rendering -------------------------------------------------------------------------------


def show_first_screen(screen: FirstScreen, *, key: str) -> None:
    """The block, in a container keyed ``key``: a handful of elements whatever the data's size."""
    with st.container(key=key):
        st.html(f"<style>{_wrapping_links(key)}</style>")
        st.subheader("需要关注", anchor=False)
        if screen.calm:
            st.success("没有红色、黄色或蓝色的任务。")
            return
        _red(screen.red)
        counts = [g for g in screen.colours[1:] if g.count]
        if counts:
            row = st.container(horizontal=True, wrap=True, gap="small", key=f"{key}_counts")
            for group in counts:
                row.page_link(
                    TASKS_PAGE,
                    label=group.heading,
                    query_params={COLOUR_PARAM: group.colour.value},
                )
        if screen.late is not None:
            st.markdown(md(screen.late.text))
            st.page_link(ROUNDS_PAGE, label="查看报送情况（填报审核）")
        for requests in screen.requests:
            _requests(requests)


def _wrapping_links(key: str) -> str:
    """Links of the block wrap onto more lines instead of ending in "…" (a title and its
    rule are read in full, on a phone too), and are underlined: a phone has no hover."""
    return (
        f'.st-key-{key} [data-testid="stPageLink-NavLink"] span'
        " { white-space: normal; overflow: visible; overflow-wrap: anywhere; }"
        f' .st-key-{key} [data-testid="stPageLink-NavLink"] p'
        " { text-decoration: underline; text-underline-offset: 0.2em; }"
    )


def _red(group: ColourGroup) -> None:
    if not group.count:
        st.markdown(f"{WarningColour.RED.symbol} 没有红色任务。")
        return
    st.html(
        f'<div class="zg-status-line">{badge(group.colour, group.heading)}　'
        f"{html_text('最紧急的在前')}</div>"
    )
    for item in group.items:
        st.page_link(
            ISSUE_PAGE,
            label=md(f"{group.colour.symbol} {group.colour.label}　{item.title}：{item.note}"),
            query_params={"task": str(item.task_id)},
        )
    st.page_link(TASKS_PAGE, label=group.more, query_params={COLOUR_PARAM: group.colour.value})


def _requests(requests: Requests) -> None:
    lines = [f"**{md(requests.heading)}**"]
    lines += [md(f"{item.title}（{item.note}）") for item in requests.items]
    if requests.count > len(requests.items):
        lines.append(f"……另有 {requests.count - len(requests.items)} 项")
    st.markdown("  \n".join(lines))
    st.page_link(ROUNDS_PAGE, label=f"去审核{requests.kind}（填报审核）")
