"""What the pages' caches are keyed on: the round tables' fingerprint changes with every
write a page derives anything from (on SQLite and PostgreSQL), never with a read; and a
task's units, read once per process, are what they always were."""

from __future__ import annotations

import dataclasses
import datetime
from pathlib import Path

import pytest

from metrics.model import Dataset
from metrics.rounds import repository as repo
from metrics.rounds.model import TaskReport
from metrics.rounds.publish import publish_round, review_round
from metrics.rounds.service import RoundService
from metrics.rounds.units import (
    all_units,
    split_units,
    tasks_by_unit,
    tasks_of_unit,
    unit_key,
    units_of_task,
)
from metrics.store.versions import Store
from metrics.workbook.loader import load_workbook
from tests.rounds_data import (
    AS_OF,
    DUE,
    EDU,
    EDU_REPORTER,
    HOUSING,
    OFFICE,
    Clock,
    round_store,
    round_workbook,
    service_for,
)

PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"


@pytest.fixture
def service(store_location: Path | str, tmp_path: Path) -> RoundService:
    store: Store = round_store(store_location, tmp_path)
    return service_for(store, Clock(datetime.datetime(2021, 7, 1, 2, 0, tzinfo=datetime.UTC)))


def fingerprint(service: RoundService, round_id: int) -> tuple[int, ...]:
    with service.db.reading() as conn:
        return repo.fingerprint(conn, round_id)


def test_every_write_changes_the_fingerprint_and_no_read_does(service: RoundService) -> None:
    first = service.open_round(OFFICE, name="六月", as_of=AS_OF, due=DUE).id
    seen = [fingerprint(service, first)]

    def changed(round_id: int = first) -> None:
        now = fingerprint(service, round_id)
        assert now not in seen
        seen.append(now)

    service.save_draft(EDU_REPORTER, first, EDU, TaskReport(1, progress="一"))
    changed()
    service.save_draft(EDU_REPORTER, first, EDU, TaskReport(1, progress="二"))  # same row
    changed()
    evidence = service.add_evidence(EDU_REPORTER, first, EDU, 1, "验收报告.pdf", PDF)
    changed()
    service.remove_evidence(EDU_REPORTER, evidence.id)
    changed()
    submission = service.submit(EDU_REPORTER, first, EDU)
    changed()
    # Reads leave it as it was.
    service.awaiting_review(OFFICE, first)
    service.overview(OFFICE, first, EDU)
    review_round(service, first)
    assert fingerprint(service, first) == seen[-1]
    service.decide(OFFICE, submission.id, accept=True, task_id=1)
    changed()
    publish_round(service, OFFICE, review_round(service, first))
    changed()
    service.close_round(OFFICE, first)
    changed()
    second = service.open_round(OFFICE, name="七月", as_of=AS_OF, due=DUE).id
    changed(second)


def dataset(tmp_path: Path) -> Dataset:
    loaded = load_workbook(round_workbook(tmp_path / "round.xlsx"))
    assert loaded.dataset is not None
    return loaded.dataset


def old_units_of_task(lead: str, responsible: str) -> list[str]:
    """How a task's units were read before they were read once per process."""
    return split_units("、".join(split_units(lead) + split_units(responsible)))


@pytest.mark.parametrize(
    ("lead", "responsible"),
    [
        (EDU, ""),
        (HOUSING, f"{EDU}、区财政局"),
        (" 区 住建局 ", "区住建局；区教育局、区教育局/区财政局"),
        ("区教育局", "ＡＢＣ局，ABC局;\n区教育局"),  # full-width letters: the same unit
        ("", ""),
    ],
)
def test_a_tasks_units_are_read_as_before(tmp_path: Path, lead: str, responsible: str) -> None:
    data = dataset(tmp_path)
    task = dataclasses.replace(data.tasks[0], lead_unit=lead, responsible_units=responsible)
    assert units_of_task(task) == old_units_of_task(lead, responsible)
    changed = dataclasses.replace(data, tasks=(task, *data.tasks[1:]))
    every = split_units("、".join("、".join(units_of_task(t)) for t in changed.tasks))
    assert all_units(changed) == every
    index = tasks_by_unit(changed)
    for unit in every:
        assert tasks_of_unit(changed, unit) == index[unit_key(unit)]
        wanted = unit_key(unit)
        assert tasks_of_unit(changed, unit) == [
            t
            for t in changed.tasks
            if wanted in {unit_key(u) for u in old_units_of_task(t.lead_unit, t.responsible_units)}
        ]
