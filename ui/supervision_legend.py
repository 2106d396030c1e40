"""督办三色 around a page's tables: the rules in force, in words with each colour's
symbol; and, for the 整改办 only, the deployment settings that could not be read
(visitors see nothing technical; the settings are logged either way)."""

from __future__ import annotations

import streamlit as st

from metrics.rounds.roles import Role
from metrics.scoring.counting import Counting
from metrics.scoring.progress import Scored
from metrics.supervision.rules import effective_settings
from metrics.supervision.settings import SupervisionSettings
from report.literal import md
from report.supervision import rules_legend
from ui.auth import signed_in

LEGEND_TITLE = "督办三色的规则"


def rules_lines(scored: Scored) -> None:
    """The rules that colour ``scored`` (deployment settings under the 概况 keys)."""
    for line in rules_legend(effective_settings(scored), scored.counting):
        st.markdown(md(line))


def rules_box(scored: Scored) -> None:
    """The rules, shown (a bordered box with its title)."""
    with st.container(border=True):
        st.markdown(f"**{LEGEND_TITLE}**")
        rules_lines(scored)


def rules_expander(scored: Scored) -> None:
    """The rules, folded away under their title."""
    with st.expander(LEGEND_TITLE, expanded=False):
        rules_lines(scored)


def setting_problems() -> tuple[str, ...]:
    """A Chinese line for each malformed counting or supervision setting (each logged
    once per process); the defaults are in force meanwhile."""
    counting = Counting.from_env()[1]
    supervision = SupervisionSettings.from_env()[1]
    if counting or supervision:
        Counting.logged_from_env()
        SupervisionSettings.logged_from_env()
    return counting + supervision


def office_setting_warnings() -> None:
    """A warning per malformed setting, for a signed-in 整改办 member only, so that
    they have the technicians fix it."""
    problems = setting_problems()
    if not problems:
        return
    who = signed_in()
    if who is None or who.role is not Role.OFFICE:
        return
    for problem in problems:
        st.warning(f"服务器设置有误，请技术人员修正：{md(problem)}")
