"""The versioned store: publishing, rollback, audit, concurrency and crash safety.

The contract runs on both backends (``store_location``: the embedded SQLite store and a
real PostgreSQL started by the test session); a few tests are about one backend only.
"""

from __future__ import annotations

import contextlib
import hashlib
import multiprocessing
import os
import sqlite3
from multiprocessing.queues import Queue
from multiprocessing.synchronize import Event
from pathlib import Path
from typing import Any

import psycopg
import pytest

from metrics.store.files import write_atomically
from metrics.store.versions import (
    NotAllowed,
    StaleVersion,
    Store,
    StoreError,
    beijing_time,
    open_store,
)
from tests.lookups import current_version
from tests.postgres import psql_rows

COUNTS = {"total": 35, "completed": 30}


@pytest.fixture
def store(store_location: Path | str, bundled_workbook: Path) -> Store:
    s = open_store(store_location)
    s.bootstrap(bundled_workbook, COUNTS)
    return s


def _where(store: Store) -> str:
    """The store's folder or database URL, for another process."""
    url = getattr(store.backend, "url", None)
    return url if isinstance(url, str) else str(store.root)


def _is_postgres(store: Store) -> bool:
    return isinstance(getattr(store.backend, "url", None), str)


def _execute_raw(store: Store, sql: str) -> None:
    """One statement straight on the database, past the store."""
    if _is_postgres(store):
        psql_rows(_where(store), sql)
    else:
        with contextlib.closing(sqlite3.connect(store.db_path)) as db, db:
            db.execute(sql)


def test_bootstrap_makes_the_bundled_workbook_version_1(
    store: Store, bundled_workbook: Path
) -> None:
    before = bundled_workbook.read_bytes()
    current = store.current()
    assert current is not None and current.id == 1
    assert current.sha256 == hashlib.sha256(before).hexdigest()
    assert store.read(current) == before
    assert store.bootstrap(bundled_workbook, COUNTS).id == 1  # idempotent
    assert bundled_workbook.read_bytes() == before  # never overwritten
    assert [e.action for e in store.audit()] == ["初始化"]


def test_publish_and_rollback_are_audited(store: Store) -> None:
    v2 = store.publish(
        b"new workbook",
        actor="张三",
        file_name="5月.xlsx",
        note="5月数据",
        counts=COUNTS,
        expected_current=1,
    )
    assert v2.id == 2 and store.current() == v2
    assert store.read(v2) == b"new workbook"
    back = store.rollback(1, actor="李四", note="数据有误", expected_current=2)
    assert back.id == 1 and current_version(store).id == 1
    log = store.audit()
    assert [(e.action, e.actor, e.version_id, e.previous_id) for e in log] == [
        ("回退", "李四", 1, 2),
        ("发布", "张三", 2, 1),
        ("初始化", "系统", 1, None),
    ]
    assert [v.id for v in store.versions()] == [2, 1]  # nothing deleted


@pytest.mark.parametrize("actor", ["", "   "])
def test_anonymous_changes_are_refused_by_the_store(store: Store, actor: str) -> None:
    with pytest.raises(NotAllowed):
        store.publish(b"x", actor=actor, file_name="x.xlsx", note="", counts={}, expected_current=1)
    with pytest.raises(NotAllowed):
        store.rollback(1, actor=actor, note="", expected_current=1)
    assert current_version(store).id == 1


def test_publishing_against_a_stale_version_is_refused(store: Store) -> None:
    store.publish(b"a", actor="甲", file_name="a.xlsx", note="", counts={}, expected_current=1)
    with pytest.raises(StaleVersion, match="重新核对"):
        store.publish(b"b", actor="乙", file_name="b.xlsx", note="", counts={}, expected_current=1)
    assert store.read(current_version(store)) == b"a"


def _publish_from_another_process(where: str, payload: bytes, queue: Queue[str]) -> None:
    try:
        open_store(where).publish(
            payload, actor="并发", file_name="c.xlsx", note="", counts={}, expected_current=1
        )
        queue.put("won")
    except StaleVersion:
        queue.put("stale")


def test_two_concurrent_publishes_exactly_one_wins(store: Store) -> None:
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    workers = [
        context.Process(target=_publish_from_another_process, args=(_where(store), p, queue))
        for p in (b"first", b"second", b"third", b"fourth")
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)
    outcomes = sorted(queue.get(timeout=10) for _ in workers)
    assert outcomes == ["stale", "stale", "stale", "won"]
    assert len(store.versions()) == 2


def test_a_crash_before_the_pointer_moves_leaves_the_old_version(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    def crash(*args: object, **kwargs: object) -> None:
        raise RuntimeError("power cut")

    monkeypatch.setattr("metrics.store.versions._log", crash)  # inside the transaction
    with pytest.raises(RuntimeError):
        store.publish(
            b"half", actor="甲", file_name="h.xlsx", note="", counts={}, expected_current=1
        )
    assert current_version(store).id == 1
    assert [v.id for v in store.versions()] == [1]


def test_same_content_is_stored_once(store: Store) -> None:
    for expected in (1, 2):
        store.publish(
            b"same", actor="甲", file_name="s.xlsx", note="", counts={}, expected_current=expected
        )
    assert len(store.backend.files.names()) == 2  # bundled + "same"
    if not _is_postgres(store):
        assert not list(store.files.glob(".incoming-*"))


@pytest.mark.parametrize(
    "sql",
    [
        "DELETE FROM audit",
        "UPDATE audit SET actor = '别人'",
        "UPDATE audit SET note = 'x' WHERE id = 1",
        "DELETE FROM versions",
    ],
)
def test_audit_log_is_append_only_in_the_database(store: Store, sql: str) -> None:
    before = store.audit()
    with pytest.raises((sqlite3.DatabaseError, psycopg.DatabaseError), match=r"append-only|never"):
        _execute_raw(store, sql)
    assert store.audit() == before and [v.id for v in store.versions()] == [1]


def test_a_damaged_file_is_detected(store: Store) -> None:
    current = current_version(store)
    if _is_postgres(store):  # stored rows never change, unless an administrator forces it
        _execute_raw(store, "ALTER TABLE files DISABLE TRIGGER files_are_kept")
        _execute_raw(store, "UPDATE files SET data = 'tampered'::bytea")
    else:
        (store.files / f"{current.sha256}.xlsx").write_bytes(b"tampered")
    with pytest.raises(StoreError, match="校验值不符"):
        store.read(current)


def test_rollback_to_an_unknown_version(store: Store) -> None:
    with pytest.raises(StoreError, match="不存在"):
        store.rollback(99, actor="甲", note="", expected_current=1)


def _publish_and_hang(where: str, ready: Event) -> None:
    """Publish, but stop inside the transaction (after the version row is written)."""
    import time

    import metrics.store.versions as store_module

    def hang(*args: object, **kwargs: object) -> None:
        ready.set()
        time.sleep(60)

    store_module._log = hang
    open_store(where).publish(
        b"never", actor="甲", file_name="n.xlsx", note="", counts={}, expected_current=1
    )


def test_a_process_killed_mid_publish_leaves_the_old_version(store: Store) -> None:
    context = multiprocessing.get_context("spawn")
    ready = context.Event()
    worker = context.Process(target=_publish_and_hang, args=(_where(store), ready))
    worker.start()
    assert ready.wait(60), "the publishing process never reached its transaction"
    worker.kill()  # SIGKILL: no cleanup, no rollback by Python
    worker.join(10)
    assert current_version(store).id == 1
    assert [v.id for v in store.versions()] == [1]
    # The store is still usable: the next publish works and becomes version 2.
    v2 = store.publish(
        b"after", actor="乙", file_name="a.xlsx", note="", counts={}, expected_current=1
    )
    assert v2.id == 2 and store.current() == v2


def test_a_refused_publish_says_who_published_what_meanwhile(store: Store) -> None:
    # 张三 and 李四 both review against v1; 李四 publishes first.
    store.publish(
        b"li", actor="李四", file_name="l.xlsx", note="五月数据", counts={}, expected_current=1
    )
    with pytest.raises(StaleVersion) as refused:
        store.publish(
            b"zhang", actor="张三", file_name="z.xlsx", note="", counts={}, expected_current=1
        )
    exc = refused.value
    assert (exc.expected, exc.current) == (1, 2)
    assert [(e.actor, e.action, e.version_id, e.note) for e in exc.meanwhile] == [
        ("李四", "发布", 2, "五月数据")
    ]
    message = str(exc)
    assert "李四" in message and "发布了 v2" in message and "五月数据" in message
    assert "（北京时间）" in message and "重新核对" in message
    assert store.read(current_version(store)) == b"li"  # nothing overwritten
    # Re-reviewed against v2, the same bytes publish as v3 on v2.
    v3 = store.publish(
        b"zhang", actor="张三", file_name="z.xlsx", note="", counts={}, expected_current=2
    )
    assert v3.id == 3 and store.audit()[0].previous_id == 2


def test_a_refused_rollback_says_what_happened_meanwhile(store: Store) -> None:
    store.publish(b"a", actor="甲", file_name="a.xlsx", note="", counts={}, expected_current=1)
    store.publish(b"b", actor="乙", file_name="b.xlsx", note="更正", counts={}, expected_current=2)
    with pytest.raises(StaleVersion) as refused:
        store.rollback(1, actor="丙", note="", expected_current=2)
    assert [(e.actor, e.version_id) for e in refused.value.meanwhile] == [("乙", 3)]
    assert current_version(store).id == 3


def test_since_lists_what_happened_after_a_version_became_current(store: Store) -> None:
    assert store.since(1) == []
    store.publish(b"a", actor="甲", file_name="a.xlsx", note="", counts={}, expected_current=1)
    store.rollback(1, actor="乙", note="有误", expected_current=2)
    assert store.since(1) == []  # v1 is current again, nothing since
    assert [(e.action, e.version_id) for e in store.since(2)] == [("回退", 1)]


def test_beijing_time() -> None:
    assert beijing_time("2026-11-28T15:25:00+00:00") == "2026-11-28 23:25"
    assert beijing_time("not a time") == "not a time"


class _Tracked:
    """Every connection ``sqlite3.connect`` hands out, to check they were all closed."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.opened: list[sqlite3.Connection] = []
        real = sqlite3.connect

        def connect(*args: Any, **kwargs: Any) -> sqlite3.Connection:
            db: sqlite3.Connection = real(*args, **kwargs)
            self.opened.append(db)
            return db

        monkeypatch.setattr(sqlite3, "connect", connect)

    def still_open(self) -> int:
        count = 0
        for db in self.opened:
            try:
                db.execute("SELECT 1")
            except sqlite3.ProgrammingError:  # "Cannot operate on a closed database."
                continue
            count += 1
        return count


def _open_descriptors(path: Path) -> int:
    fds = Path("/proc/self/fd")
    if not fds.is_dir():
        return 0
    count = 0
    for fd in fds.iterdir():
        try:
            if os.readlink(fd).startswith(str(path)):  # the database, its -wal and -shm
                count += 1
        except OSError:
            continue
    return count


def test_every_store_connection_is_closed(
    tmp_path: Path, bundled_workbook: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    tracked = _Tracked(monkeypatch)
    store = Store(tmp_path / "store")
    store.bootstrap(bundled_workbook, COUNTS)
    for n in range(20):
        store.publish(
            b"v%d" % n, actor="甲", file_name="x.xlsx", note="", counts={}, expected_current=n + 1
        )
        store.current()
        store.versions()
        store.version(1)
        store.audit()
        store.since(1)
        store.previous_of(n + 2)
    with pytest.raises(StaleVersion):
        store.publish(
            b"late", actor="乙", file_name="x.xlsx", note="", counts={}, expected_current=1
        )
    with pytest.raises(StaleVersion):
        store.rollback(1, actor="乙", note="", expected_current=1)
    assert len(tracked.opened) > 100
    assert tracked.still_open() == 0
    assert _open_descriptors(store.db_path) == 0


def test_write_atomically_replaces_the_file_and_leaves_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "out.xlsx"
    target.write_bytes(b"old")
    write_atomically(target, b"new")
    assert target.read_bytes() == b"new"
    assert os.stat(target).st_mode & 0o777 == 0o644
    assert [p.name for p in tmp_path.iterdir()] == ["out.xlsx"]
    write_atomically(target, b"private", mode=None, prefix=".incoming-")
    assert os.stat(target).st_mode & 0o777 == 0o600
    with pytest.raises(FileNotFoundError):
        write_atomically(tmp_path / "missing" / "x.xlsx", b"x")
    assert [p.name for p in tmp_path.iterdir()] == ["out.xlsx"]
