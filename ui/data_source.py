"""Where the dashboard's data comes from, loaded and scored once per file version.

The workbook path is ``data/indicators.xlsx`` unless ``ZHENGGAI_WORKBOOK`` names
another file. The cache key includes the file's size and modification time, so a
replaced file is picked up on the next interaction without a restart.
"""

from __future__ import annotations

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
    scored: Scored | None  # None when the workbook has errors
    problems: tuple[Problem, ...]


def workbook_path() -> Path:
    return Path(os.environ.get(WORKBOOK_ENV) or BUNDLED_WORKBOOK)


def current() -> Loaded:
    """The current workbook, loaded, validated and scored (cached per file version)."""
    path = workbook_path()
    try:
        stat = path.stat()
        version = (stat.st_size, stat.st_mtime_ns)
    except OSError:
        version = (-1, -1)
    return _load(str(path), version)


@st.cache_resource(show_spinner="正在读取数据……", max_entries=8)
def _load(path: str, version: tuple[int, int]) -> Loaded:
    # ``version`` only keys the cache; the objects returned are immutable and shared.
    result = load_workbook(Path(path))
    scored = score(result.dataset) if result.dataset is not None else None
    return Loaded(Path(path), scored, result.problems)
