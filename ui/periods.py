"""较上期 for the overview: the data shown against 上期 (``metrics.periods``), from the
dashboard's store. 上期's figures are computed once per server and earlier state (its
colours need a full scoring), the data shown's with its cached colours."""

from __future__ import annotations

import datetime
import logging
import os

import streamlit as st

from metrics.periods.basis import Basis
from metrics.periods.figures import Comparison, PeriodFigures
from metrics.periods.reading import compare_in_store, figures_then
from metrics.scoring.progress import Scored
from metrics.store.backend import DATABASE_URL_ENV
from metrics.store.versions import StoreError, Version, default_root
from metrics.supervision.model import RoundsFacts
from ui.data_source import Loaded, of_version, store
from ui.supervision import version_colours

_log = logging.getLogger(__name__)


def comparison_of(loaded: Loaded, scored: Scored, facts: RoundsFacts | None) -> Comparison | None:
    """The version shown (its colours with ``facts``, the rounds facts read for this
    rerun) against 上期; None for a plain file, without an earlier state, or when the
    store cannot be read (logged)."""
    if loaded.version_id is None:
        return None
    warnings = version_colours(loaded.version, scored, facts)
    try:
        return compare_in_store(
            store(), loaded.version_id, scored, warnings, _scored_of, then=_cached_then
        )
    except (StoreError, OSError) as exc:
        _log.warning("较上期：无法读取上期数据（%s）", exc)
        return None


def _cached_then(basis: Basis) -> PeriodFigures | None:
    version = store().version(basis.version_id)
    return None if version is None else _figures_then(_where(), basis, version.sha256)


@st.cache_resource(max_entries=16, show_spinner=False)
def _figures_then(where: str, basis: Basis, sha256: str) -> PeriodFigures | None:
    del where, sha256  # with ``basis``, the cache key: the store and the earlier file
    return figures_then(store(), basis, _scored_of, datetime.datetime.now(datetime.UTC))


def _scored_of(version: Version) -> Scored | None:
    return of_version(version).scored


def _where() -> str:
    return os.environ.get(DATABASE_URL_ENV) or str(default_root())
