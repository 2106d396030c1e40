"""The one place that says how a column's cells are read: kind → reader.

Each ``Column`` of ``metrics.contract`` declares its ``kind``; the loader reads every
validated cell with ``READERS[kind]``. A reader returns the value or raises ``CellError``
(a Chinese message); the loader adds sheet, row and column. ``MISSING`` words the error
for an empty cell whose value is required, by kind (default: 未填写“<header>”).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Final

from metrics.contract import Direction, SheetSpec, TaskStatus
from metrics.problems import ProblemLog
from metrics.values.cells import (
    CellError,
    read_count,
    read_date,
    read_direction,
    read_extension_decision,
    read_indicator_id,
    read_quantity,
    read_status,
    read_task_id,
    read_text,
)
from metrics.values.quantities import Quantity, parse_quantity
from metrics.values.quantity_errors import QuantityError
from metrics.values.units import Unit, UnitError, parse_unit
from metrics.workbook.table import Record


class _AnyUnit:
    """The unit of a number whose indicator is unknown: any unit is accepted."""

    def __repr__(self) -> str:
        return "ANY_UNIT"


ANY_UNIT: Final = _AnyUnit()


@dataclass(frozen=True, slots=True)
class ReadContext:
    """What a reader may need besides the cell: the workbook's date system, and the unit
    of the row's indicator for a number."""

    date1904: bool = False
    unit: Unit | _AnyUnit | None = None


Reader = Callable[[object, ReadContext], Any]


def _date(value: object, context: ReadContext) -> datetime.date:
    return read_date(value, date1904=context.date1904)


def _number(value: object, context: ReadContext) -> tuple[float, Quantity]:
    """(value in the indicator's unit, the quantity as written)."""
    unit = context.unit
    if isinstance(unit, _AnyUnit):  # the indicator is unknown: check it reads at all
        try:
            quantity = parse_quantity(value)
        except QuantityError as exc:
            raise CellError(str(exc)) from None
        return quantity.number, quantity
    return read_quantity(value, unit)


def _unit(value: object, context: ReadContext) -> Unit:
    try:
        return parse_unit(read_text(value))
    except UnitError as exc:
        raise CellError(str(exc)) from None


def _plain(reader: Callable[[object], Any]) -> Reader:
    return lambda value, context: reader(value)


READERS: Mapping[str, Reader] = MappingProxyType(
    {
        "text": _plain(read_text),
        "indicator_id": _plain(read_indicator_id),
        "unit": _unit,
        "int": _plain(read_count),
        "task_id": _plain(read_task_id),
        "date": _date,
        "number": _number,
        "status": _plain(read_status),
        "direction": _plain(read_direction),
        "decision": _plain(read_extension_decision),
    }
)

_MISSING_TAIL: Mapping[str, str] = MappingProxyType(
    {
        "status": f"：应为 {'、'.join(s.value for s in TaskStatus)} 之一",
        "direction": f"：应为 {'、'.join(d.value for d in Direction)} 之一",
        "number": "：请填写数字，如 67.7、67.7%、9.62万、2500余",
    }
)


def missing_message(kind: str, header: str) -> str:
    """The error for an empty cell that must be filled in."""
    return f"未填写“{header}”{_MISSING_TAIL.get(kind, '')}"


class CellReader:
    """Reads the validated cells of one workbook, logging each problem once.

    A cell already reported as an Excel error or an unsaved formula (``broken``) is not
    read again; an empty cell is an error only where a value is required.
    """

    def __init__(self, log: ProblemLog, broken: set[tuple[str, int, str]], date1904: bool):
        self.log = log
        self.broken = broken
        self.date1904 = date1904
        self._plain = ReadContext(date1904)

    def read(
        self,
        spec: SheetSpec,
        record: Record,
        field: str,
        *,
        required: bool,
        unit: Unit | _AnyUnit | None = None,
    ) -> tuple[bool, Any]:
        """(ok, value): ok is False when an error was logged for this cell."""
        column = spec.column(field)
        if (spec.name, record.row, field) in self.broken:
            return False, None
        value = record.values.get(field)
        if value is None:
            if required:
                message = missing_message(column.kind, column.header)
                self.log.error(spec.name, record.row, column.header, message)
                return False, None
            return True, None
        context = self._plain if unit is None else ReadContext(self.date1904, unit)
        try:
            return True, READERS[column.kind](value, context)
        except CellError as exc:
            self.log.error(spec.name, record.row, column.header, str(exc))
            return False, None

    def read_meta(self, kind: str, value: object) -> Any:
        """A 概况 value by its key's kind; raises CellError."""
        return READERS[kind](value, self._plain)
