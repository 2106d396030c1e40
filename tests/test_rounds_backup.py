"""Rounds survive backup, restore and migrate on either backend: every round,
submission, decision, evidence record, the evidence files themselves, and accounts
with their roles and units."""

from __future__ import annotations

from pathlib import Path

import pytest

from metrics.contract import TaskStatus
from metrics.rounds.model import TaskReport
from metrics.rounds.roles import Role
from metrics.rounds.timeline import task_timeline
from metrics.store.accounts import Accounts
from metrics.store.backup import BackupSource, SqliteSource, backup, restore
from metrics.store.postgres_backup import PostgresSource
from metrics.store.versions import backend_from, open_store
from tests.postgres import PostgresServer
from tests.rounds_data import (
    AS_OF,
    DUE,
    EDU,
    EDU_REPORTER,
    LEADER,
    OFFICE,
    round_store,
    service_for,
)

PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
BACKENDS = ("sqlite", "postgresql")


def location(kind: str, tmp_path: Path, name: str, request: pytest.FixtureRequest) -> Path | str:
    if kind == "sqlite":
        return tmp_path / name
    server: PostgresServer = request.getfixturevalue("postgres_server")
    return server.new_database()


def source_of(where: Path | str) -> BackupSource:
    return SqliteSource(where) if isinstance(where, Path) else PostgresSource(where)


@pytest.mark.parametrize("target_kind", BACKENDS)
@pytest.mark.parametrize("source_kind", BACKENDS)
def test_a_round_with_evidence_restores_into_either_backend(
    source_kind: str, target_kind: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    live = location(source_kind, tmp_path, "live", request)
    service = service_for(round_store(live, tmp_path))
    Accounts(backend_from(live).accounts).add(
        "小赵", "correct horse battery", role=Role.UNIT, units=(EDU,)
    )
    round_ = service.open_round(OFFICE, name="六月", as_of=AS_OF, due=DUE)
    record = service.add_evidence(EDU_REPORTER, round_.id, EDU, 1, "验收.pdf", PDF)
    service.save_draft(
        EDU_REPORTER, round_.id, EDU, TaskReport(1, status=TaskStatus.DONE, progress="完成")
    )
    submission = service.submit(EDU_REPORTER, round_.id, EDU)
    service.decide(OFFICE, submission.id, accept=True, comment="同意")

    archive = tmp_path / "备份.tar.gz"
    backup(live if isinstance(live, Path) else None, archive, source_of(live))
    target = location(target_kind, tmp_path, "restored", request)
    restore(archive, target if isinstance(target, Path) else None, source_of(target))

    again = service_for(open_store(target))
    assert again.rounds() == service.rounds()
    assert again.submissions(OFFICE, round_.id, EDU) == service.submissions(OFFICE, round_.id, EDU)
    assert task_timeline(again.db, LEADER, 1) == task_timeline(service.db, LEADER, 1)
    found, data = again.evidence(OFFICE, record.id)
    assert (found, data) == (record, PDF)
    account = Accounts(backend_from(target).accounts).account("小赵")
    assert account is not None and (account.role, account.units) == (Role.UNIT, (EDU,))
