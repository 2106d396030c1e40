"""The rows of 数据 (observations): a fast path for plain rows, the careful path for the rest.

Most of a large workbook is plain rows: a text indicator id, a real date within the
accepted years and a finite number. Those are accepted straight from the cells. Every
other row goes through the general cell readers (``CellReader``) and their messages.
Both paths give the same observations and the same problems (a property test checks).
"""

from __future__ import annotations

import datetime
import itertools
import math
from collections.abc import Sequence

from metrics.contract import OBSERVATIONS
from metrics.model import Indicator, Meta, Observation
from metrics.values.cells import read_indicator_id, read_text
from metrics.values.dates import MAX_YEAR, MIN_YEAR
from metrics.workbook.cell_readers import ANY_UNIT, CellReader
from metrics.workbook.table import Record, Table

# Dates a plain date cell may hold without going through the full date reader.
_MIN_DAY = datetime.date(MIN_YEAR, 1, 1)
_MAX_DAY = datetime.date(MAX_YEAR, 12, 31)


class ObservationRows:
    """Reads the 数据 sheet of one load against the indicators read before it."""

    fast_path = True  # False: every row takes the careful path (the property test does)

    def __init__(
        self,
        cells: CellReader,
        failed_indicators: set[str],
        indicators: dict[str, Indicator],
        meta: Meta | None,
    ) -> None:
        self.cells = cells
        self.log = cells.log
        # Ids of indicators whose rows had errors: no second error for their observations.
        self.failed_indicators = failed_indicators
        self.indicators = indicators
        self.as_of = meta.as_of if meta is not None else datetime.date.max

    def read(self, table: Table, rows: Sequence[Sequence[object]]) -> list[Observation]:
        """Every accepted observation, in sheet order; problems go to the log."""
        col_id, col_date, col_value = (
            table.columns["indicator_id"],
            table.columns["date"],
            table.columns["value"],
        )
        col_note = table.columns.get("note")
        width = max(col_id, col_date, col_value, col_note or 0) + 1
        broken_rows = {row for sheet, row, _ in self.cells.broken if sheet == OBSERVATIONS.name}
        indicators = self.indicators
        plain_ids: dict[str, Indicator | None] = {}
        seen: dict[tuple[str, datetime.date], int] = {}
        as_of = self.as_of
        accepted: list[Observation] = []
        isfinite, date_type, new, append = (
            math.isfinite,
            datetime.date,
            tuple.__new__,
            accepted.append,
        )
        min_day, max_day = _MIN_DAY, _MAX_DAY
        fast = self.fast_path
        start = table.header_row
        for index, cells in enumerate(itertools.islice(rows, start, None), start):
            if fast and len(cells) >= width:
                raw_id, raw_date, raw_value = cells[col_id], cells[col_date], cells[col_value]
                if (
                    type(raw_date) is date_type
                    and type(raw_value) is float
                    and type(raw_id) is str
                    and min_day <= raw_date <= max_day
                    and isfinite(raw_value)
                    and (index + 1) not in broken_rows
                ):
                    if raw_id in plain_ids:
                        indicator = plain_ids[raw_id]
                    else:
                        indicator = indicators.get(read_indicator_id(raw_id))
                        plain_ids[raw_id] = indicator
                    if indicator is not None:
                        note = cells[col_note] if col_note is not None else ""
                        if note != "":
                            note = read_text(note.strip() if type(note) is str else note)
                        ind_id = indicator.id
                        # Observation(...) without its Python __new__: one row, one call.
                        obs: Observation = new(
                            Observation, (ind_id, raw_date, raw_value, None, "", note, index + 1)
                        )
                        key = (ind_id, raw_date)
                        if key in seen or raw_date > as_of:
                            self._accept(obs, seen, accepted)  # words the warning
                        else:
                            seen[key] = index + 1
                            append(obs)
                        continue
            record = table.record_at(rows, index)
            if record is not None:
                obs_or_none = self.careful(record)
                if obs_or_none is not None:
                    self._accept(obs_or_none, seen, accepted)
        return accepted

    def _accept(
        self,
        obs: Observation,
        seen: dict[tuple[str, datetime.date], int],
        accepted: list[Observation],
    ) -> None:
        key = (obs.indicator_id, obs.date)
        if key in seen:
            self.log.warning(
                OBSERVATIONS.name,
                obs.row,
                "日期",
                f"指标“{obs.indicator_id}”在 {obs.date.isoformat()} 已有一条数据"
                f"（第 {seen[key]} 行）：计算时采用靠下的这一行",
            )
        seen[key] = obs.row
        if obs.date > self.as_of:
            self.log.warning(
                OBSERVATIONS.name,
                obs.row,
                "日期",
                f"日期 {obs.date.isoformat()} 晚于概况中的截至日期 {self.as_of.isoformat()}："
                "请核对日期，或更新截至日期",
            )
        accepted.append(obs)

    def careful(self, record: Record) -> Observation | None:
        """One row through the general cell readers (any row may take this path)."""
        spec = OBSERVATIONS
        cell = self.cells.read
        ok, ind_id = cell(spec, record, "indicator_id", required=True)
        indicator = self.indicators.get(ind_id) if ind_id else None
        if ind_id and indicator is None:
            if ind_id not in self.failed_indicators:
                self.log.error(
                    spec.name,
                    record.row,
                    "指标编号",
                    f"指标编号“{ind_id}”在工作表“指标”中不存在：请先在“指标”中添加该指标",
                )
            ok = False
        good, day = cell(spec, record, "date", required=True)
        ok = ok and good
        good, pair = cell(
            spec,
            record,
            "value",
            required=True,
            unit=indicator.unit if indicator is not None else ANY_UNIT,
        )
        if not (ok and good) or indicator is None or day is None or pair is None:
            return None
        value, quantity = pair
        return Observation(
            indicator_id=indicator.id,
            date=day,
            value=value,
            qualifier=quantity.qualifier,
            text=quantity.text,
            note=read_text(record.values.get("note")),
            row=record.row,
        )
