"""Where the dashboard's data comes from, loaded and scored once per file version.

The workbook path is ``data/indicators.xlsx`` unless ``ZHENGGAI_WORKBOOK`` names
another file. The cache key includes the file's size and modification time, so a
replaced file is picked up on the next interaction without a restart; the version
shown to leaders is the first characters of the file's SHA-256.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

import streamlit as st

from metrics.loader import load_workbook
from metrics.problems import Problem
from metrics.progress import Scored, score

BUNDLED_WORKBOOK = Path(__file__).resolve().parent.parent / "data" / "indicators.xlsx"
WORKBOOK_ENV = "ZHENGGAI_WORKBOOK"


@dataclass(frozen=True, slots=True)
class Loaded:
    path: Path
    version: str  # short SHA-256 of the file, "" when unreadable
    scored: Scored | None  # None when the workbook has errors
    problems: tuple[Problem, ...]


def workbook_path() -> Path:
    return Path(os.environ.get(WORKBOOK_ENV) or BUNDLED_WORKBOOK)


def current() -> Loaded:
    """The current workbook, loaded, validated and scored (cached per file version)."""
    path = workbook_path()
    try:
        stat = path.stat()
        stamp = (stat.st_size, stat.st_mtime_ns)
    except OSError:
        stamp = (-1, -1)
    return _load(str(path), stamp)


@st.cache_resource(show_spinner="正在读取数据……", max_entries=8)
def _load(path: str, stamp: tuple[int, int]) -> Loaded:
    # ``stamp`` only keys the cache; the objects returned are immutable and shared.
    try:
        data = Path(path).read_bytes()
    except OSError:
        result = load_workbook(Path(path))  # words the problem
        return Loaded(Path(path), "", None, result.problems)
    result = load_workbook(data)
    scored = score(result.dataset) if result.dataset is not None else None
    return Loaded(Path(path), hashlib.sha256(data).hexdigest()[:8], scored, result.problems)
