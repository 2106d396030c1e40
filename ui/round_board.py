"""The 填报审核 page's board, derived once per data version and state of the round tables.

At city scale (697 tasks, 40 units) the board, the rounds facts and the 督办 colours
beside it took most of the page's rerun. They change only when the data or the round
tables do, so they are kept in ``st.cache_resource`` (shared by every session: the
office and leaders see the same board) under a key that changes with every write a
page derives anything from: the current version, the tables' fingerprint
(``metrics.rounds.repository.fingerprint``: every draft saved, submission, decision,
publish …) and today's date (days overdue, late units). Reading the fingerprint is one
query, so a decision shows on the very next rerun, in every session.
"""

from __future__ import annotations

import datetime

import streamlit as st

from metrics.rounds import repository as repo
from metrics.rounds.board import Board, build_board
from metrics.rounds.model import Round
from metrics.rounds.service import RoundService
from metrics.store.versions import BEIJING
from metrics.supervision.settings import SupervisionSettings
from report.rounds import RED_COLUMN, YELLOW_COLUMN, board_frame, board_warning_frame
from ui.data_source import Loaded, current
from ui.rounds_access import store_key
from ui.supervision import version_warnings


def round_state(service: RoundService, round_id: int) -> tuple[int, ...]:
    """The round tables' fingerprint (``repository.fingerprint``), one query."""
    with service.db.reading() as conn:
        return repo.fingerprint(conn, round_id)


def board_section(service: RoundService, found: Round) -> Board:
    """The units' reporting states and, with the 督办 colours, their red and yellow tasks
    beside; the 催报 list as text. Built and drawn once per key: later reruns replay the
    elements Streamlit recorded (``st.cache_resource`` replays what a cached function
    drew), so neither the board nor its styled table is computed again."""
    loaded = current()
    today = service.clock().astimezone(BEIJING).date()
    # The 督办 colours' rounds facts read the wall clock (``ui.supervision``).
    facts_day = datetime.datetime.now(BEIJING).date()
    return _board_section(
        store_key(),
        loaded.version,
        found.id,
        round_state(service, found.id),
        today,
        facts_day,
        repr(SupervisionSettings.logged_from_env()),
        _service=service,
        _round=found,
        _loaded=loaded,
    )


@st.cache_resource(max_entries=16, show_spinner=False)
def _board_section(
    where: str,
    version: str,
    round_id: int,
    state: tuple[int, ...],
    today: datetime.date,
    facts_day: datetime.date,
    rules: str,
    *,
    _service: RoundService,
    _round: Round,
    _loaded: Loaded,
) -> Board:
    del where, version, round_id, state, today, facts_day, rules  # the cache key
    board = build_board(_service.db, _service.dataset(), _round, _service.clock())
    scored = _loaded.scored
    warnings = version_warnings(_loaded, scored) if scored is not None else None
    frame = board_frame(board) if warnings is None else board_warning_frame(board, warnings)
    st.metric("已报送", f"{board.reported} / {board.total}")
    st.dataframe(
        frame.style.map(_overdue_red, subset=["逾期"]),
        hide_index=True,
        width="stretch",
        key="rounds_board",
    )
    if warnings is not None:
        st.caption(
            f"{RED_COLUMN}、{YELLOW_COLUMN}：该单位牵头或参与的任务中督办为红色、黄色的项数"
            "（规则见“单位评比”页）。"
        )
    st.markdown("**催报名单**")
    st.code(board.chase_text(), language=None, wrap_lines=True)
    return board


def _overdue_red(value: object) -> str:
    return "color: #b00020; font-weight: bold" if value else ""
