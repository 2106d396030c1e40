"""How the parse child hands its ``LoadResult`` to the parent, quickly.

Pickling 100,000 ``Observation`` tuples one by one (each with its own ``date``) costs
more than the parse itself, so the observations travel as columns (dates as ordinals)
and are rebuilt on arrival; everything else is pickled as is. The payload is our own
child's answer, never bytes from the upload.
"""

from __future__ import annotations

import datetime
import functools
import pickle
from typing import Any

from metrics.model import Dataset, Observation
from metrics.workbook.loader import LoadResult, no_gc_pauses

_FORMAT = "columns-1"


def encode_result(result: LoadResult) -> bytes:
    """The result as bytes for the parent: observations as columns."""
    with no_gc_pauses():
        return _encode(result)


def decode_result(payload: bytes) -> LoadResult | None:
    """The child's result, or None when the payload is not one (a crash mid-write)."""
    with no_gc_pauses():
        return _decode(payload)


def _encode(result: LoadResult) -> bytes:
    dataset = result.dataset
    if dataset is None:
        body: tuple[Any, ...] = (None, result.problems)
    else:
        observations = dataset.observations
        columns: tuple[Any, ...] = tuple(zip(*observations, strict=True)) if observations else ()
        if columns:
            columns = (*columns[:1], list(map(datetime.date.toordinal, columns[1])), *columns[2:])
        body = (
            (dataset.meta, dataset.tasks, dataset.indicators, columns),
            result.problems,
        )
    return pickle.dumps((_FORMAT, body), protocol=pickle.HIGHEST_PROTOCOL)


def _decode(payload: bytes) -> LoadResult | None:
    try:
        fmt, (parts, problems) = pickle.loads(payload)  # our own child's answer
    except (pickle.UnpicklingError, EOFError, AttributeError, ValueError, TypeError):
        return None
    if fmt != _FORMAT or not isinstance(problems, tuple):
        return None
    if parts is None:
        return LoadResult(None, problems)
    meta, tasks, indicators, columns = parts
    observations: tuple[Observation, ...] = ()
    if columns:
        ids, ordinals, *rest = columns
        days = {n: datetime.date.fromordinal(n) for n in set(ordinals)}
        dates = map(days.__getitem__, ordinals)
        make = functools.partial(tuple.__new__, Observation)
        observations = tuple(map(make, zip(ids, dates, *rest, strict=True)))
    return LoadResult(Dataset(meta, tasks, indicators, observations), problems)
