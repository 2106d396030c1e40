"""How the parse child hands its ``LoadResult`` to the parent, quickly.

Pickling 100,000 ``Observation`` tuples one by one (each with its own ``date``) costs
more than the parse itself, so the observations travel as columns (dates as ordinals)
and are rebuilt on arrival; everything else (the 进展 entries and 报告段落 too) is pickled as is.
The payload is our own child's answer, never bytes from the upload.

In its rows mode (``ParseChild(limits, sheets=…)``) the child sends the raw rows of the
named sheets instead (``encode_sheets`` / ``decode_sheets``): JSON, every cell a str,
int, float, bool or None, dates and times as ISO strings.
"""

from __future__ import annotations

import datetime
import functools
import json
import math
import pickle
from collections.abc import Sequence
from typing import Any, TypeAlias

from metrics.model import Dataset, Observation
from metrics.workbook.loader import LoadResult, no_gc_pauses
from metrics.workbook.ooxml import CellIssue
from metrics.workbook.reader import RawSheet, RawWorkbook

_FORMAT = "columns-3"


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
            (
                dataset.meta,
                dataset.tasks,
                dataset.indicators,
                columns,
                dataset.progress,
                dataset.paragraphs,
            ),
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
    meta, tasks, indicators, columns, progress, paragraphs = parts
    observations: tuple[Observation, ...] = ()
    if columns:
        ids, ordinals, *rest = columns
        days = {n: datetime.date.fromordinal(n) for n in set(ordinals)}
        dates = map(days.__getitem__, ordinals)
        make = functools.partial(tuple.__new__, Observation)
        observations = tuple(map(make, zip(ids, dates, *rest, strict=True)))
    dataset = Dataset(meta, tasks, indicators, observations, progress, paragraphs)
    return LoadResult(dataset, problems)


# -- rows mode: the raw rows of named sheets, as JSON ------------------------------------

JsonCell: TypeAlias = str | int | float | bool | None
_SHEETS_FORMAT = "sheets-1"


def json_cell(value: object) -> JsonCell:
    """A cell as calamine reads it, JSON-safe: a date (a datetime at midnight too) as
    "2021-06-30", a datetime or time in ISO form, a duration or anything else as text."""
    if value is None or isinstance(value, str | bool | int):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, datetime.datetime):
        midnight = value.time() == datetime.time()
        return value.date().isoformat() if midnight else value.isoformat(sep=" ")
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    return str(value)


def encode_sheets(answer: RawWorkbook | str) -> bytes:
    """The rows of the sheets read (or the Chinese reason the file cannot be read)."""
    if isinstance(answer, str):
        body: dict[str, Any] = {"format": _SHEETS_FORMAT, "error": answer}
    else:
        body = {
            "format": _SHEETS_FORMAT,
            "date1904": answer.date1904,
            "sheets": {
                key: [sheet.name, sheet.hidden, [list(map(json_cell, r)) for r in sheet.rows]]
                for key, sheet in answer.sheets.items()
            },
            "issues": [[i.sheet, i.row, i.column, i.kind, i.detail] for i in answer.cell_issues],
        }
    return json.dumps(body, ensure_ascii=False, allow_nan=False).encode("utf-8")


def decode_sheets(payload: bytes) -> RawWorkbook | str | None:
    """The rows, the Chinese reason the file cannot be read, or None when the payload is
    not an answer (a crash mid-write)."""
    try:
        body = json.loads(payload.decode("utf-8"))
        if body["format"] != _SHEETS_FORMAT:
            return None
        if "error" in body:
            return str(body["error"])
        sheets = {
            str(key): RawSheet(str(name), _rows(rows), bool(hidden))
            for key, (name, hidden, rows) in body["sheets"].items()
        }
        issues = tuple(
            CellIssue(str(sheet), int(row), int(column), kind, str(detail))
            for sheet, row, column, kind, detail in body["issues"]
        )
        return RawWorkbook(sheets, bool(body["date1904"]), issues)
    except (UnicodeDecodeError, ValueError, KeyError, TypeError, AttributeError):
        return None


def _rows(rows: Sequence[Sequence[JsonCell]]) -> tuple[tuple[JsonCell, ...], ...]:
    return tuple(tuple(row) for row in rows)
