"""The versioned store: publishing, rollback, audit, concurrency and crash safety."""

from __future__ import annotations

import hashlib
import multiprocessing
import sqlite3
from pathlib import Path

import pytest

from metrics.store import NotAllowed, StaleVersion, Store, StoreError

COUNTS = {"total": 35, "completed": 30}


@pytest.fixture
def store(tmp_path: Path, bundled_workbook: Path) -> Store:
    s = Store(tmp_path / "store")
    s.bootstrap(bundled_workbook, COUNTS)
    return s


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
    assert back.id == 1 and store.current().id == 1  # type: ignore[union-attr]
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
    assert store.current().id == 1  # type: ignore[union-attr]


def test_publishing_against_a_stale_version_is_refused(store: Store) -> None:
    store.publish(b"a", actor="甲", file_name="a.xlsx", note="", counts={}, expected_current=1)
    with pytest.raises(StaleVersion, match="重新核对"):
        store.publish(b"b", actor="乙", file_name="b.xlsx", note="", counts={}, expected_current=1)
    assert store.read(store.current()) == b"a"  # type: ignore[arg-type]


def _publish_from_another_process(root: str, payload: bytes, queue: object) -> None:
    try:
        Store(Path(root)).publish(
            payload, actor="并发", file_name="c.xlsx", note="", counts={}, expected_current=1
        )
        queue.put("won")  # type: ignore[attr-defined]
    except StaleVersion:
        queue.put("stale")  # type: ignore[attr-defined]


def test_two_concurrent_publishes_exactly_one_wins(store: Store) -> None:
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    workers = [
        context.Process(target=_publish_from_another_process, args=(str(store.root), p, queue))
        for p in (b"first", b"second")
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)
    outcomes = sorted(queue.get(timeout=10) for _ in workers)
    assert outcomes == ["stale", "won"]
    assert len(store.versions()) == 2


def test_a_crash_before_the_pointer_moves_leaves_the_old_version(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    def crash(*args: object, **kwargs: object) -> None:
        raise RuntimeError("power cut")

    monkeypatch.setattr("metrics.store._log", crash)  # inside the transaction
    with pytest.raises(RuntimeError):
        store.publish(
            b"half", actor="甲", file_name="h.xlsx", note="", counts={}, expected_current=1
        )
    assert store.current().id == 1  # type: ignore[union-attr]
    assert [v.id for v in store.versions()] == [1]


def test_same_content_is_stored_once(store: Store) -> None:
    for expected in (1, 2):
        store.publish(
            b"same", actor="甲", file_name="s.xlsx", note="", counts={}, expected_current=expected
        )
    assert len(list(store.files.glob("*.xlsx"))) == 2  # bundled + "same"
    assert not list(store.files.glob(".incoming-*"))


def test_audit_log_is_append_only(store: Store) -> None:
    with sqlite3.connect(store.db_path) as db, pytest.raises(sqlite3.DatabaseError):
        db.execute("DELETE FROM audit")
    with sqlite3.connect(store.db_path) as db, pytest.raises(sqlite3.DatabaseError):
        db.execute("DELETE FROM versions")


def test_a_damaged_file_is_detected(store: Store) -> None:
    current = store.current()
    assert current is not None
    (store.files / f"{current.sha256}.xlsx").write_bytes(b"tampered")
    with pytest.raises(StoreError, match="校验值不符"):
        store.read(current)


def test_rollback_to_an_unknown_version(store: Store) -> None:
    with pytest.raises(StoreError, match="不存在"):
        store.rollback(99, actor="甲", note="", expected_current=1)


def _publish_and_hang(root: str, ready: object) -> None:
    """Publish, but stop inside the transaction (after the version row is written)."""
    import time

    import metrics.store as store_module

    def hang(*args: object, **kwargs: object) -> None:
        ready.set()  # type: ignore[attr-defined]
        time.sleep(60)

    store_module._log = hang  # type: ignore[assignment]
    Store(Path(root)).publish(
        b"never", actor="甲", file_name="n.xlsx", note="", counts={}, expected_current=1
    )


def test_a_process_killed_mid_publish_leaves_the_old_version(store: Store) -> None:
    context = multiprocessing.get_context("spawn")
    ready = context.Event()
    worker = context.Process(target=_publish_and_hang, args=(str(store.root), ready))
    worker.start()
    assert ready.wait(60), "the publishing process never reached its transaction"
    worker.kill()  # SIGKILL: no cleanup, no rollback by Python
    worker.join(10)
    assert store.current().id == 1  # type: ignore[union-attr]
    assert [v.id for v in store.versions()] == [1]
    # The store is still usable: the next publish works and becomes version 2.
    v2 = store.publish(
        b"after", actor="乙", file_name="a.xlsx", note="", counts={}, expected_current=1
    )
    assert v2.id == 2 and store.current() == v2
