"""督办三色 for a page: the warnings of the data shown, with the rounds facts of the
dashboard's store when it has rounds (a dashboard showing one file has none: blue, red
and yellow then come from deadlines and indicators only)."""

from __future__ import annotations

import datetime
import logging
from collections.abc import Mapping
from types import MappingProxyType

import streamlit as st

from metrics.scoring.progress import Scored
from metrics.store.versions import StoreError
from metrics.supervision.facts import rounds_facts
from metrics.supervision.model import RoundsFacts, TaskWarning
from metrics.supervision.rules import colours
from metrics.supervision.settings import SupervisionSettings
from report.supervision import choice_of_link
from ui.data_source import Loaded
from ui.rounds_access import round_service, rounds_available

_log = logging.getLogger(__name__)


def current_facts(scored: Scored) -> RoundsFacts | None:
    """The rounds facts now (None without rounds, or when the store cannot be read:
    logged, and the page still shows the colours from deadlines and indicators)."""
    if not rounds_available():
        return None
    try:
        service = round_service()
        return rounds_facts(service.db, scored.dataset, datetime.datetime.now(datetime.UTC))
    except (StoreError, OSError) as exc:
        _log.warning("督办颜色：无法读取填报轮次（%s），只按时限和指标计算", exc)
        return None


def warnings_of(scored: Scored) -> dict[int, TaskWarning]:
    """task id → its supervision warning (open tasks with a colour only), computed now
    (an export's; a page uses ``version_warnings``)."""
    return colours(scored, current_facts(scored))


def version_warnings(loaded: Loaded, scored: Scored) -> Mapping[int, TaskWarning]:
    """The warnings of the data shown (``loaded``), computed once per data version and
    rounds facts: the pages' colours, the same on every page of one rerun."""
    return version_colours(loaded.version, scored, current_facts(scored))


FactsKey = tuple[tuple[object, ...], ...]


def facts_key(facts: RoundsFacts | None) -> FactsKey:
    """What ``facts`` holds, hashable: part of a cache key."""
    if facts is None:
        return ()
    return tuple(
        (r.name, r.as_of, r.due, tuple(sorted(r.late_units)), tuple(sorted(r.returned_closes)))
        for r in facts.rounds
    )


def version_colours(
    version: str, scored: Scored, facts: RoundsFacts | None
) -> Mapping[int, TaskWarning]:
    """``colours(scored, facts)`` computed once per data version (``version``: its label),
    rounds facts and deployment rules, not on every rerun (hundreds of tasks at city scale)."""
    settings = SupervisionSettings.logged_from_env()
    return _colours_of(version, facts_key(facts), settings, scored, facts)


@st.cache_resource(max_entries=16, show_spinner=False)
def _colours_of(
    version: str,
    key: FactsKey,
    settings: SupervisionSettings,
    _scored: Scored,
    _facts: RoundsFacts | None,
) -> Mapping[int, TaskWarning]:
    del version, key  # the cache key (``_scored`` and ``_facts`` are not hashed)
    return MappingProxyType(colours(_scored, _facts, settings))


def colour_from_link(key: str) -> bool:
    """Preselect the 督办颜色 filter (widget ``key``) from a link such as
    ``/tasks?colour=红`` (the overview's first screen), once per session and link;
    True when the link chose a colour (the filters are then shown open)."""
    choice = choice_of_link(st.query_params.get("colour"))
    if choice is None:
        return False
    marker = f"{key}_from_link"
    if st.session_state.get(marker) != choice:
        st.session_state[key] = [choice]
        st.session_state[marker] = choice
    return True
