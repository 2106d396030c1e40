"""The 数据 sheet's fast path (plain rows) and careful path (every cell through its reader)
give the same observations and the same problems."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from metrics.model import Dataset, Observation
from metrics.workbook.loader import LoadResult, load_workbook
from metrics.workbook.observation_rows import ObservationRows
from tests.builders import observation, write_valid

IDS = st.sampled_from(["A", "B", "C", " B ", "Ｂ", "X", "", "  "])
DATES = st.one_of(
    st.dates(datetime.date(2019, 1, 1), datetime.date(2022, 12, 31)),
    st.dates(datetime.date(2200, 12, 25), datetime.date(2201, 1, 5)),
    st.sampled_from(["2021-04-30", "2021年5月31日", "昨天", "", 44300, 44300.5, -1, "=A1", None]),
)
VALUES = st.one_of(
    st.floats(allow_nan=False, allow_infinity=False, min_value=-1e12, max_value=1e12),
    st.integers(-(10**6), 10**6),
    st.sampled_from(["67.7%", "2500余", "9.62万", "三五家", "约60亿元", "", "#N/A", "=1+1", None]),
)
NOTES = st.one_of(st.none(), st.sampled_from(["", " 备注 ", "说明", 3.0]))
ROWS = st.lists(st.tuples(IDS, DATES, VALUES, NOTES), max_size=10)

Row = tuple[str, object, object, object]


def _load(path: Path, *, fast: bool) -> LoadResult:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(ObservationRows, "fast_path", fast)
        return load_workbook(path)


def _comparable(dataset: Dataset | None) -> object:
    """The dataset with each observation's ``text`` left out: for a number cell the fast
    path keeps "" and the careful path str(number); nothing reads ``text`` of a number."""
    if dataset is None:
        return None
    observations = tuple(o._replace(text="") for o in dataset.observations)
    return (dataset.meta, dataset.tasks, dataset.indicators, observations)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(rows=ROWS)
@example(rows=[("A", datetime.date(2021, 1, 31), 52.0, None)] * 2)
@example(rows=[("B", datetime.date(2021, 6, 1), 1.5, " x "), ("X", "2021-04-30", 3.0, None)])
def test_fast_and_careful_paths_agree(tmp_path: Path, rows: list[Row]) -> None:
    path = write_valid(
        tmp_path / "observations.xlsx",
        observations=[observation(i, d, v, 备注=n) for i, d, v, n in rows],
    )
    fast, careful = _load(path, fast=True), _load(path, fast=False)
    assert fast.problems == careful.problems
    assert _comparable(fast.dataset) == _comparable(careful.dataset)
    if fast.dataset is not None and careful.dataset is not None:
        assert [o.row for o in fast.dataset.observations] == [
            o.row for o in careful.dataset.observations
        ]


def test_the_only_difference_is_the_text_of_a_number(tmp_path: Path) -> None:
    path = write_valid(
        tmp_path / "plain.xlsx",
        observations=[observation("A", datetime.date(2021, 1, 31), 52.5)],
    )
    fast, careful = _load(path, fast=True), _load(path, fast=False)
    assert fast.dataset is not None and careful.dataset is not None
    assert fast.dataset.observations == (
        Observation("A", datetime.date(2021, 1, 31), 52.5, None, "", "", 2),
    )
    assert careful.dataset.observations[0].text == "52.5"
