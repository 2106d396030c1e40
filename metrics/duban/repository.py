"""SQL for ``duban_notices`` on a connection of the versions database (either backend).
Writers call these inside one ``Database.transaction()`` (the write lock)."""

from __future__ import annotations

import datetime
import json
from typing import Any

from metrics.duban.model import DubanItem, DubanNotice, Level
from metrics.store.backend import Connection


def next_number(db: Connection, year: int) -> tuple[int, int]:
    """(the next id, the next number within ``year``)."""
    row = db.execute(
        "SELECT COALESCE(MAX(id), 0) + 1 AS next_id,"
        " COALESCE(MAX(CASE WHEN year = ? THEN number END), 0) + 1 AS next_number"
        " FROM duban_notices",
        (year,),
    ).fetchone()
    return int(row["next_id"]), int(row["next_number"])


def insert(db: Connection, notice: DubanNotice) -> None:
    db.execute(
        "INSERT INTO duban_notices (id, year, number, code, level, unit, items, requirements,"
        " respond_by, issued_by, issued_at, version_id)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            notice.id,
            notice.year,
            notice.number,
            notice.code,
            notice.level.value,
            notice.unit,
            _dump_items(notice.items),
            notice.requirements,
            notice.respond_by.isoformat(),
            notice.issued_by,
            notice.issued_at,
            notice.version_id,
        ),
    )


def all_notices(db: Connection) -> list[DubanNotice]:
    """Oldest first."""
    return [_notice(r) for r in db.execute("SELECT * FROM duban_notices ORDER BY id").fetchall()]


def _dump_items(items: tuple[DubanItem, ...]) -> str:
    return json.dumps(
        [{"task": i.task_id, "level": i.level.value, "reasons": list(i.reasons)} for i in items],
        ensure_ascii=False,
    )


def _notice(row: Any) -> DubanNotice:
    items = tuple(
        DubanItem(int(i["task"]), Level(i["level"]), tuple(str(r) for r in i["reasons"]))
        for i in json.loads(row["items"])
    )
    return DubanNotice(
        id=int(row["id"]),
        year=int(row["year"]),
        number=int(row["number"]),
        code=str(row["code"]),
        level=Level(row["level"]),
        unit=str(row["unit"]),
        items=items,
        requirements=str(row["requirements"]),
        respond_by=datetime.date.fromisoformat(str(row["respond_by"])),
        issued_by=str(row["issued_by"]),
        issued_at=str(row["issued_at"]),
        version_id=int(row["version_id"]),
    )
