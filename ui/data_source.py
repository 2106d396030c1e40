"""Where the dashboard's data comes from, loaded and scored once per version.

Normally the data is the *current version* of the versioned store (``metrics.store.versions``;
folder ``ZHENGGAI_STORE``, default ``store/``): on first start the bundled
``data/indicators.xlsx`` becomes version 1 (the file itself is never written). Every
rerun asks the store which version is current, so a version published by anyone is
shown on each session's next interaction, without a restart.

A leader may look at the dashboard *as of an older version* (from the history page):
``shown()`` is then that version for this session only, and the sidebar says so and
offers the way back. Uploading and rolling back always work against ``current()``.

``ZHENGGAI_WORKBOOK`` names a workbook to show instead, read-only (used by tests and
for a quick look at a file); the version label is then the file's short SHA-256.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, replace
from pathlib import Path

import streamlit as st

from metrics.problems import Problem, Severity
from metrics.publishing import completion_counts
from metrics.scoring.progress import Scored, score
from metrics.store.backend import DATABASE_URL_ENV
from metrics.store.versions import Store, StoreError, Version, default_root, open_store
from metrics.workbook.loader import LoadResult, load_workbook

BUNDLED_WORKBOOK = Path(__file__).resolve().parent.parent / "data" / "indicators.xlsx"
WORKBOOK_ENV = "ZHENGGAI_WORKBOOK"
VIEW_KEY = "view_version"  # session state: the version id this session looks at, if old


@dataclass(frozen=True, slots=True)
class Loaded:
    path: Path
    version: str  # shown to leaders: "v2 · 1a2b3c4d", or the short SHA-256 of a file
    scored: Scored | None  # None when the workbook has errors
    problems: tuple[Problem, ...]
    version_id: int | None = None  # the store's version number; None for a plain file
    current_id: int | None = None  # when looking at an older version: the current one


def counts_of(result: LoadResult) -> dict[str, int]:
    return completion_counts(result)


def store() -> Store:
    """The store (opened once per database or folder and server: ``ZHENGGAI_DATABASE_URL``
    if set, else ``ZHENGGAI_STORE``); version 1 is the bundled workbook."""
    return _open_store(os.environ.get(DATABASE_URL_ENV) or str(default_root()))


@st.cache_resource(show_spinner=False)
def _open_store(where: str) -> Store:
    opened = open_store(where)
    if opened.current() is None:
        opened.bootstrap(BUNDLED_WORKBOOK, counts_of(load_workbook(BUNDLED_WORKBOOK)))
    return opened


def current() -> Loaded:
    """The data to show now (cached per version)."""
    override = os.environ.get(WORKBOOK_ENV)
    if override:
        return _from_file(Path(override))
    the_store = store()
    version = the_store.current()
    assert version is not None  # bootstrapped in store()
    return of_version(version)


def shown() -> Loaded:
    """What this session's dashboard pages show: the current data, or an older version
    chosen on the history page (``current_id`` is then set)."""
    loaded = current()
    wanted = st.session_state.get(VIEW_KEY)
    if not isinstance(wanted, int) or loaded.version_id in (None, wanted):
        return loaded
    version = store().version(wanted)
    if version is None:
        return loaded
    return replace(of_version(version), current_id=loaded.version_id)


def view_version(version_id: int | None) -> None:
    """Look at ``version_id`` on every page of this session (None: back to current)."""
    if version_id is None:
        st.session_state.pop(VIEW_KEY, None)
    else:
        st.session_state[VIEW_KEY] = version_id


def of_version(version: Version) -> Loaded:
    """The dashboard as of any stored version."""
    return _load_version(version.id, version.sha256, store().file_stamp(version.sha256))


def _stamp(path: Path) -> tuple[int, int]:
    """Size and modification time: part of a cache key, so that a file that goes
    missing, is damaged or is restored is read again instead of served from cache."""
    try:
        stat = path.stat()
    except OSError:
        return (-1, -1)
    return (stat.st_size, stat.st_mtime_ns)


@st.cache_resource(show_spinner="正在读取数据……", max_entries=16)
def _load_version(version_id: int, sha256: str, stamp: tuple[int, int]) -> Loaded:
    # Keyed by content: the same (id, sha256) in another store folder is the same data.
    the_store = store()
    version = the_store.version(version_id)
    assert version is not None and version.sha256 == sha256
    label = f"v{version_id} · {sha256[:8]}"
    path = the_store.file_path(sha256)
    try:
        data = the_store.read(version)
    except (StoreError, OSError) as exc:  # a stored file went missing or was altered
        message = str(exc) if isinstance(exc, StoreError) else f"版本 {version_id} 的文件无法读取"
        problem = Problem(Severity.ERROR, "", None, None, message)
        return Loaded(path, label, None, (problem,), version_id)
    result = load_workbook(data)
    scored = score(result.dataset) if result.dataset is not None else None
    return Loaded(path, label, scored, result.problems, version_id)


def _from_file(path: Path) -> Loaded:
    return _load_file(str(path), _stamp(path))


@st.cache_resource(show_spinner="正在读取数据……", max_entries=8)
def _load_file(path: str, stamp: tuple[int, int]) -> Loaded:
    # ``stamp`` only keys the cache; the objects returned are immutable and shared.
    try:
        data = Path(path).read_bytes()
    except OSError:
        result = load_workbook(Path(path))  # words the problem
        return Loaded(Path(path), "", None, result.problems)
    result = load_workbook(data)
    scored = score(result.dataset) if result.dataset is not None else None
    return Loaded(Path(path), hashlib.sha256(data).hexdigest()[:8], scored, result.problems)


def previous(loaded: Loaded) -> Loaded | None:
    """The version that was current before this one (by the audit log), if any."""
    if loaded.version_id is None:
        return None
    before = store().previous_of(loaded.version_id)
    return of_version(before) if before is not None else None
