"""较上期 for the overview: the data shown against 上期 (``metrics.periods``), from the
dashboard's store. 上期's figures are computed once per server and earlier state (its
colours need a full scoring), the data shown's with its cached colours."""

from __future__ import annotations

import datetime
import logging
import os

import streamlit as st

from metrics.periods.basis import Basis
from metrics.periods.figures import Comparison, PeriodFigures, period_figures
from metrics.periods.reading import basis_in_store, figures_then
from metrics.scoring.progress import Scored
from metrics.store.backend import DATABASE_URL_ENV
from metrics.store.versions import StoreError, Version, default_root
from ui.data_source import Loaded, of_version, store
from ui.supervision import current_facts, version_colours

_log = logging.getLogger(__name__)


def comparison_of(loaded: Loaded, scored: Scored) -> Comparison | None:
    """The version shown against 上期; None for a plain file, without an earlier
    state, or when the store cannot be read (logged)."""
    if loaded.version_id is None:
        return None
    the_store = store()
    try:
        basis = basis_in_store(the_store, loaded.version_id, scored.meta.as_of, _scored_of)
        then = the_store.version(basis.version_id) if basis is not None else None
        if basis is None or then is None:
            return None
        before = _figures_then(_where(), basis, then.sha256)
    except (StoreError, OSError) as exc:
        _log.warning("较上期：无法读取上期数据（%s）", exc)
        return None
    if before is None:
        return None
    warnings = version_colours(loaded.version, scored, current_facts(scored))
    return Comparison(basis, before, period_figures(scored, warnings))


@st.cache_resource(max_entries=16, show_spinner=False)
def _figures_then(where: str, basis: Basis, sha256: str) -> PeriodFigures | None:
    del where, sha256  # with ``basis``, the cache key: the store and the earlier file
    return figures_then(store(), basis, _scored_of, datetime.datetime.now(datetime.UTC))


def _scored_of(version: Version) -> Scored | None:
    return of_version(version).scored


def _where() -> str:
    return os.environ.get(DATABASE_URL_ENV) or str(default_root())
