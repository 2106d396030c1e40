"""The round service of this server process (one per store), and the current round."""

from __future__ import annotations

import os

import streamlit as st

from metrics.rounds.service import RoundService
from metrics.store.backend import DATABASE_URL_ENV
from metrics.store.versions import default_root
from ui.data_source import WORKBOOK_ENV, store


def rounds_available() -> bool:
    """Rounds live in the store; a dashboard showing one file (``ZHENGGAI_WORKBOOK``)
    has none."""
    return not os.environ.get(WORKBOOK_ENV)


def store_key() -> str:
    """Which store the dashboard works on (a folder or a database URL): part of the key
    of everything cached per store."""
    return os.environ.get(DATABASE_URL_ENV) or str(default_root())


def round_service() -> RoundService:
    """The service over the dashboard's store (its current data is cached per version)."""
    return _service(store_key())


@st.cache_resource(show_spinner=False)
def _service(where: str) -> RoundService:
    del where  # keys the cache: one service per store
    return RoundService(store())
