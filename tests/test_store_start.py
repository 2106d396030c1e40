"""A dashboard process opening the PostgreSQL store for the first time (a start or a
restart) while another process publishes: it waits for the publish and neither fails.

Each process's first ``PostgresBackend()`` runs the schema script, whose ``CREATE OR
REPLACE TRIGGER`` statements lock audit, then versions; a publish writes versions, then
audit. Before the schema script also took the versions lock, these two deadlocked
(found by the two-server browser test's author; ``psycopg.errors.DeadlockDetected``).
"""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from metrics.publishing import completion_counts
from metrics.store import postgres_backend, versions
from metrics.store.backend import Connection
from metrics.store.postgres_backend import PostgresBackend, close_pools
from metrics.store.versions import open_store
from metrics.workbook.loader import load_workbook
from tests.postgres import PostgresServer, psql_rows

STAFF = "张三"


def wait_for_lock_wait_or_end(url: str, thread: threading.Thread, timeout: float = 10.0) -> None:
    """Until ``thread`` waits for a lock in the database (or has finished)."""
    deadline = time.monotonic() + timeout
    while thread.is_alive() and time.monotonic() < deadline:
        waiting = psql_rows(url, "SELECT count(*) FROM pg_locks WHERE NOT granted")
        if waiting[0][0]:
            return
        time.sleep(0.05)


def test_a_server_starting_while_another_publishes_does_not_deadlock(
    postgres_server: PostgresServer, bundled_workbook: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Server A publishes while server B opens the store for the first time (B's first
    visitor after a start or restart). Made deterministic: B starts between A's
    version row and A's audit entry, inside A's write transaction."""
    url = postgres_server.new_database()
    store = open_store(url)
    counts = completion_counts(load_workbook(bundled_workbook))
    store.bootstrap(bundled_workbook, counts)
    # Another process: it has not opened this database yet.
    monkeypatch.setattr(postgres_backend, "_ready", set())
    errors: list[Exception] = []
    threads: list[threading.Thread] = []
    real_point_at = versions._point_at

    def server_b_starts() -> None:
        try:
            PostgresBackend(url)
        except Exception as exc:  # re-raised in the test's thread
            errors.append(exc)

    def point_at_while_b_starts(db: Connection, version_id: int) -> None:
        real_point_at(db, version_id)
        thread = threading.Thread(target=server_b_starts)
        threads.append(thread)
        thread.start()
        wait_for_lock_wait_or_end(url, thread)

    monkeypatch.setattr(versions, "_point_at", point_at_while_b_starts)
    try:
        published = store.publish(
            bundled_workbook.read_bytes(),
            actor=STAFF,
            file_name=bundled_workbook.name,
            note="",
            counts=counts,
            expected_current=1,
        )
    finally:
        for thread in threads:
            thread.join(timeout=60)
        close_pools()
    if errors:
        raise errors[0]
    assert published.id == 2
    assert psql_rows(url, "SELECT version_id, action FROM audit ORDER BY id") == [
        (1, "初始化"),
        (2, "发布"),
    ]
