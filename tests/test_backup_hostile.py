"""Hostile and damaged archives, restored into either backend (``store_location``): each
is refused with a message naming the problem, or restored whole, never half. After a
refusal the target is still empty and the good archive then restores. A backup whose
store holds a damaged file fails loudly (exit 1) and leaves no archive behind."""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import io
import json
import os
import shutil
import sqlite3
import stat
import tarfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import psycopg
import pytest

from metrics.cli import main
from metrics.contract import TaskStatus
from metrics.rounds.model import TaskReport
from metrics.store.backend import DATABASE_URL_ENV
from metrics.store.backup import BackupError, BackupSource, SqliteSource, backup, restore
from metrics.store.backup_archive import MB
from metrics.store.postgres_backup import PostgresSource
from metrics.store.rounds_schema import ROUND_TABLES
from metrics.store.versions import STORE_ENV, open_store
from tests.postgres import PostgresServer, psql_rows
from tests.rounds_data import AS_OF, DUE, EDU, EDU_REPORTER, OFFICE, round_store, service_for
from tests.stores import PASSWORD, accounts_of, filled_store

Where = Path | str
Members = list[tuple[str, bytes]]
PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"


def source_of(where: Where) -> BackupSource:
    return SqliteSource(Path(where)) if isinstance(where, Path) else PostgresSource(where)


def do_backup(where: Where, out: Path) -> None:
    backup(where if isinstance(where, Path) else None, out, source_of(where))


def do_restore(archive: Path, where: Where) -> None:
    restore(archive, where if isinstance(where, Path) else None, source_of(where))


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@pytest.fixture(scope="module")
def good(tmp_path_factory: pytest.TempPathFactory, bundled_workbook: Path) -> Path:
    """An archive of a store with three versions, a rollback and two accounts."""
    folder = tmp_path_factory.mktemp("good")
    filled_store(folder / "live", bundled_workbook)
    do_backup(folder / "live", folder / "good.tar.gz")
    return folder / "good.tar.gz"


def read_members(archive: Path) -> tuple[dict[str, Any], Members]:
    with tarfile.open(archive) as opened:
        members = []
        for member in opened.getmembers():
            data = opened.extractfile(member)
            assert data is not None
            members.append((member.name, data.read()))
    manifest = json.loads(dict(members).pop("manifest.json"))
    return manifest, [(name, data) for name, data in members if name != "manifest.json"]


def build(
    path: Path,
    members: Sequence[tuple[str | tarfile.TarInfo, bytes]],
    manifest: dict[str, Any] | bytes | None,
) -> Path:
    """An archive: ``manifest`` first (unless None), then ``members`` as given."""
    with tarfile.open(path, "w:gz", compresslevel=1) as archive:
        entries: list[tuple[str | tarfile.TarInfo, bytes]] = []
        if manifest is not None:
            text = manifest if isinstance(manifest, bytes) else json.dumps(manifest).encode()
            entries.append(("manifest.json", text))
        for info, data in [*entries, *members]:
            if isinstance(info, str):
                info = _info(info, len(data))
            archive.addfile(info, io.BytesIO(data) if info.isreg() else None)
    return path


def tampered(good: Path, path: Path, changes: dict[str, bytes | None]) -> Path:
    """``good`` with members replaced (None: removed) and a manifest rewritten to match,
    as whoever can write the archive can do."""
    manifest, members = read_members(good)
    kept = [(name, changes.get(name, data)) for name, data in members]
    present = [(name, data) for name, data in kept if data is not None]
    manifest["sha256"] = {name: sha(data) for name, data in present}
    return build(path, present, manifest)


def edit_sqlite(data: bytes, sql: str) -> bytes:
    with contextlib.closing(sqlite3.connect(":memory:", isolation_level=None)) as db:
        db.deserialize(data[:18] + b"\x01\x01" + data[20:])  # rollback-journal mode
        db.executescript(sql)
        return db.serialize()


def assert_still_empty(where: Where) -> None:
    assert source_of(where).is_empty()
    assert open_store(where).versions() == [] and accounts_of(where).names() == []
    if isinstance(where, Path):
        left = [p.name for p in where.iterdir() if p.name.startswith(".restore-")]
        assert left == [] and not any((where / "files").glob("*"))


def refused(archive: Path, where: Where, *words: str) -> str:
    with pytest.raises(BackupError) as caught:
        do_restore(archive, where)
    message = str(caught.value)
    for word in words:
        assert word in message, message
    assert "未恢复" in message or "不能恢复" in message, message
    assert_still_empty(where)
    return message


def then_the_good_one_restores(good: Path, where: Where) -> None:
    do_restore(good, where)
    store = open_store(where)
    assert sorted(v.id for v in store.versions()) == [1, 2, 3] and store.current() is not None
    assert accounts_of(where).sign_in("张三", PASSWORD).ok


def query(where: Where, sql: str) -> list[tuple[object, ...]]:
    """Rows of ``sql`` on the versions database of either backend."""
    if isinstance(where, str):
        return psql_rows(where, sql)
    with contextlib.closing(sqlite3.connect(where / "store.sqlite3")) as db:
        return list(db.execute(sql).fetchall())


def audit_delete_refused(where: Where) -> None:
    with pytest.raises((sqlite3.DatabaseError, psycopg.Error), match="append-only"):
        query(where, "DELETE FROM audit")


def triggers(where: Where) -> list[tuple[object, ...]]:
    if isinstance(where, Path):
        return query(where, "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' ORDER BY 1")
    sql = "SELECT tgname, pg_get_triggerdef(oid) FROM pg_trigger WHERE NOT tgisinternal ORDER BY 1"
    return query(where, sql)


def fresh_like(where: Where, tmp_path: Path, request: pytest.FixtureRequest) -> Where:
    if isinstance(where, Path):
        return tmp_path / "fresh"
    server: PostgresServer = request.getfixturevalue("postgres_server")
    return server.new_database()


def use_store(monkeypatch: pytest.MonkeyPatch, where: Where) -> None:
    """The command line's store: the folder or the database ``where``."""
    if isinstance(where, Path):
        monkeypatch.setenv(STORE_ENV, str(where))
        monkeypatch.delenv(DATABASE_URL_ENV, raising=False)
    else:
        monkeypatch.setenv(DATABASE_URL_ENV, where)


def test_a_damaged_stored_file_fails_the_backup_loudly(
    store_location: Where,
    bundled_workbook: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    store = filled_store(store_location, bundled_workbook)
    bad = store.versions()[1].sha256  # v2, b"v2"
    if isinstance(store_location, Path):
        (store_location / "files" / f"{bad}.xlsx").write_bytes(b"v?")  # one byte changed
    else:
        psql_rows(store_location, "ALTER TABLE files DISABLE TRIGGER files_are_kept")
        psql_rows(store_location, "UPDATE files SET data = 'v?' WHERE sha256 = %s", (bad,))
    use_store(monkeypatch, store_location)
    backups = tmp_path / "backups"
    backups.mkdir()
    assert main(["store", "backup", str(backups / "b.tar.gz")]) == 1
    said = capsys.readouterr()
    assert "未备份" in said.err and "已损坏" in said.err and f"files/{bad}.xlsx" in said.err
    assert "已备份" not in said.out and "Traceback" not in said.err
    assert list(backups.iterdir()) == []  # no archive, no leftovers


def test_archives_are_private_and_report_their_hash(
    store_location: Where,
    bundled_workbook: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    filled_store(store_location, bundled_workbook)
    use_store(monkeypatch, store_location)
    out = tmp_path / "b.tar.gz"
    old = os.umask(0o022)
    try:
        assert main(["store", "backup", str(out)]) == 0
    finally:
        os.umask(old)
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert sha(out.read_bytes()) in capsys.readouterr().out

    use_store(monkeypatch, tmp_path / "restored")
    assert main(["store", "restore", str(out)]) == 0
    assert sha(out.read_bytes()) in capsys.readouterr().out


NO_OP_TRIGGERS = """
DROP TRIGGER audit_is_append_only_u; DROP TRIGGER audit_is_append_only_d;
DROP TRIGGER versions_are_kept;
CREATE TRIGGER audit_is_append_only_u BEFORE UPDATE ON audit BEGIN SELECT 1; END;
CREATE TRIGGER audit_is_append_only_d BEFORE DELETE ON audit BEGIN SELECT 1; END;
CREATE TRIGGER versions_are_kept BEFORE DELETE ON versions BEGIN SELECT 1; END;
"""
REWRITE_ACTORS = """
DROP TRIGGER audit_is_append_only_u;
CREATE TRIGGER rewrite AFTER INSERT ON audit
BEGIN UPDATE audit SET actor = '王五' WHERE id = NEW.id; END;
CREATE TRIGGER rewrite_versions AFTER INSERT ON versions
BEGIN UPDATE versions SET actor = '王五' WHERE id = NEW.id; END;
"""


@pytest.mark.parametrize("sql", [NO_OP_TRIGGERS, REWRITE_ACTORS], ids=["no-op", "rewrite"])
def test_tampered_triggers_never_reach_the_restored_store(
    sql: str,
    good: Path,
    store_location: Where,
    tmp_path: Path,
    request: pytest.FixtureRequest,
) -> None:
    lying = edit_sqlite(dict(read_members(good)[1])["store.sqlite3"], sql)
    do_restore(tampered(good, tmp_path / "t.tar.gz", {"store.sqlite3": lying}), store_location)
    store = open_store(store_location)
    before = store.audit()
    audit_delete_refused(store_location)
    store.publish(b"v4", actor="张三", file_name="7月.xlsx", note="", counts={}, expected_current=2)
    newest = store.version(4)
    assert store.audit()[0].actor == "张三" and newest is not None and newest.actor == "张三"
    assert store.audit()[1:] == before
    open_store(fresh := fresh_like(store_location, tmp_path, request))
    assert triggers(store_location) == triggers(fresh)  # ours, and only ours


JUNK = b"this is not a database " * 200
BAD_DATABASES: dict[str, tuple[str, str, tuple[str, ...]]] = {
    # case: (member, SQL run on it, or how its bytes are spoiled; words of the refusal)
    "junk": ("accounts.sqlite3", "junk", ("accounts.sqlite3", "不是 SQLite")),
    "truncated": ("accounts.sqlite3", "first 4 KB", ("accounts.sqlite3",)),
    "bad-pages": ("store.sqlite3", "header, then junk", ("store.sqlite3",)),
    "wrong-type": ("accounts.sqlite3", "UPDATE users SET salt = 'text'", ("users", "数据类型")),
    "view": (
        "accounts.sqlite3",
        "ALTER TABLE users RENAME TO u; CREATE VIEW users AS SELECT * FROM u",
        ("users", "不是普通的表"),
    ),
    "dangling": (
        "store.sqlite3",
        "DROP TRIGGER audit_is_append_only_u; UPDATE audit SET version_id = 99",
        ("store.sqlite3", "约束"),
    ),
    "no-column": ("store.sqlite3", "ALTER TABLE audit DROP COLUMN note", ("note",)),
}


def spoiled(how: str, data: bytes) -> bytes:
    if how == "junk":
        return JUNK
    if how == "first 4 KB":
        return data[:4096]
    if how == "header, then junk":
        return b"SQLite format 3\x00" + JUNK
    return edit_sqlite(data, how)


@pytest.mark.parametrize("case", BAD_DATABASES)
def test_a_bad_database_with_a_matching_hash_is_refused_before_anything_is_written(
    case: str, good: Path, store_location: Where, tmp_path: Path
) -> None:
    name, how, words = BAD_DATABASES[case]
    archive = tampered(
        good, tmp_path / "t.tar.gz", {name: spoiled(how, dict(read_members(good)[1])[name])}
    )
    refused(archive, store_location, *words)
    then_the_good_one_restores(good, store_location)


def test_a_database_error_midway_leaves_postgresql_empty(
    good: Path, postgres_server: PostgresServer
) -> None:
    """The server refuses the accounts after the files and versions went in."""
    target = postgres_server.new_database()
    open_store(target)
    psql_rows(target, "ALTER TABLE users ADD CONSTRAINT no_zhang CHECK (name <> '张三')")
    message = refused(good, target, "写入数据库", "no_zhang", "数据库仍是空的")
    assert "\\x" not in message  # the server's detail (the row: a password hash) is left out
    assert psql_rows(target, "SELECT count(*) FROM files") == [(0,)]
    psql_rows(target, "ALTER TABLE users DROP CONSTRAINT no_zhang")
    then_the_good_one_restores(good, target)


@pytest.fixture(scope="module")
def bombs(tmp_path_factory: pytest.TempPathFactory, good: Path) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("bombs")
    manifest, members = read_members(good)
    size = 128 * MB
    zeros = hashlib.sha256()
    for _ in range(size // MB):
        zeros.update(bytes(MB))
    name = f"files/{zeros.hexdigest()}.xlsx"  # listed with its true hash
    listed = {**manifest, "sha256": {**manifest["sha256"], name: zeros.hexdigest()}}
    plain = io.BytesIO()
    with tarfile.open(fileobj=plain, mode="w") as archive:
        for entry, data in [("manifest.json", json.dumps(listed).encode()), *members]:
            archive.addfile(_info(entry, len(data)), io.BytesIO(data))
        start = plain.getvalue()[: archive.offset]  # no end-of-archive blocks
    ratio = folder / "ratio.tar.gz"  # 128 MB of zeros in a few hundred KB
    with gzip.open(ratio, "wb", compresslevel=1) as packed:
        packed.write(start + _info(name, size).tobuf(tarfile.GNU_FORMAT))
        for _ in range(size // MB):
            packed.write(bytes(MB))
        packed.write(bytes(2 * tarfile.BLOCKSIZE))
    # A header that claims 8 GB, followed by 4 KB: refused before anything is read.
    claims = folder / "claims.tar.gz"
    claim = _info(name, 8 * 1024 * MB).tobuf(tarfile.GNU_FORMAT) + bytes(4096)
    claims.write_bytes(gzip.compress(start + claim, compresslevel=1))
    # A pax header of 2 MB (tarfile would read it whole into memory).
    first = _info(*members[0][:1], len(members[0][1]))
    first.pax_headers = {"comment": "x" * (2 * MB)}
    pax = build(folder / "pax.tar.gz", [(first, members[0][1])], manifest)
    return {"ratio": ratio, "claims": claims, "pax": pax}


def _info(name: str, size: int = 0, kind: bytes = tarfile.REGTYPE, to: str = "") -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.size, info.type, info.linkname = size, kind, to
    return info


@pytest.mark.parametrize(
    ("bomb", "words"),
    [("ratio", ("压缩比",)), ("claims", ("超过文件上限",)), ("pax", ("扩展头",))],
)
def test_decompression_bombs_are_refused_before_they_are_written(
    bomb: str,
    words: tuple[str, ...],
    bombs: dict[str, Path],
    good: Path,
    store_location: Where,
) -> None:
    refused(bombs[bomb], store_location, "压缩炸弹", *words)
    if isinstance(store_location, Path):
        written = sum(p.stat().st_size for p in store_location.rglob("*") if p.is_file())
        assert written < 2 * MB
    then_the_good_one_restores(good, store_location)


OUTSIDE = ("../x", "/tmp/zhenggai-hostile-x", "files/../../x", "files/../store.sqlite3")


def hostile(case: str, good: Path, tmp: Path) -> tuple[Path, tuple[str, ...]]:
    """The archive of ``case`` and the words its refusal must contain."""
    manifest, members = read_members(good)
    files = [name for name, _ in members if name.startswith("files/")]
    out = tmp / "hostile.tar.gz"

    def listing(extra: dict[str, str]) -> dict[str, Any]:
        return {**manifest, "sha256": {**manifest["sha256"], **extra}}

    kind, _, bad = case.partition(" ")
    if kind == "traversal":  # listed in the manifest too
        return build(out, [*members, (bad, b"x")], listing({bad: sha(b"x")})), ("不应出现",)
    if kind == "unlisted":
        return build(out, [*members, (bad, b"x")], manifest), ("清单未列出",)
    last = members[-1][0]
    extra = f"files/{sha(b'extra')}.xlsx"
    cases: dict[str, tuple[Sequence[tuple[str | tarfile.TarInfo, bytes]], Any, tuple[str, ...]]] = {
        "symlink": (
            [*members[:-1], (_info(last, 0, tarfile.SYMTYPE, "/etc/passwd"), b"")],
            manifest,
            ("符号链接", last),
        ),
        "hardlink": (
            [(_info("store.sqlite3", 0, tarfile.LNKTYPE, "accounts.sqlite3"), b""), *members[1:]],
            manifest,
            ("硬链接", "store.sqlite3"),
        ),
        "folder": ([(_info("files", 0, tarfile.DIRTYPE), b""), *members], manifest, ("文件夹",)),
        "duplicate": ([*members, members[0]], manifest, ("不止一次", members[0][0])),
        "missing": (members[:-1], manifest, ("缺少", last)),
        "extra": ([*members, (extra, b"extra")], manifest, ("清单未列出", extra)),
        "oversized-manifest": (
            members,
            json.dumps(manifest).encode() + b" " * (40 * MB),
            ("manifest.json", "过大"),
        ),
        "nested-manifest": (members, b"[" * 200_000, ("JSON",)),
        "manifest-not-first": ([*members, ("manifest.json", b"{}")], None, ("第一个",)),
        "hash-not-name": (members, listing({files[0]: sha(b"other")}), ("文件名不符",)),
        "miscounted": (members, {**manifest, "versions": 7}, ("版本数",)),
    }
    if case == "file-gone":  # a version's file, gone from the archive and its manifest
        return tampered(good, out, {files[0]: None}), ("缺少", "版本")
    if case == "truncated":
        out.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
        return out, ("无法读取",)
    entries, listed, words = cases[case]
    return build(out, entries, listed), words


MEMBER_CASES = ("symlink", "hardlink", "folder", "duplicate", "missing", "extra", "file-gone")
MANIFEST_CASES = ("oversized-manifest", "nested-manifest", "manifest-not-first", "hash-not-name")
CASES = [
    *(f"{kind} {bad}" for kind in ("traversal", "unlisted") for bad in OUTSIDE),
    *MEMBER_CASES,
    *MANIFEST_CASES,
    "miscounted",
    "truncated",
]


@pytest.mark.parametrize("case", CASES)
def test_a_hostile_archive_is_refused_whole(
    case: str, good: Path, store_location: Where, tmp_path: Path
) -> None:
    archive, words = hostile(case, good, tmp_path)
    refused(archive, store_location, *words)
    assert not (tmp_path / "x").exists() and not Path("/tmp/zhenggai-hostile-x").exists()
    then_the_good_one_restores(good, store_location)


def test_a_full_round_trip_keeps_everything(
    store_location: Where,
    tmp_path: Path,
    request: pytest.FixtureRequest,
) -> None:
    service = service_for(round_store(store_location, tmp_path))
    accounts_of(store_location).add("张三", PASSWORD)
    round_ = service.open_round(OFFICE, name="六月", as_of=AS_OF, due=DUE)
    record = service.add_evidence(EDU_REPORTER, round_.id, EDU, 1, "验收.pdf", PDF)
    service.save_draft(
        EDU_REPORTER, round_.id, EDU, TaskReport(1, status=TaskStatus.DONE, progress="完成")
    )
    submission = service.submit(EDU_REPORTER, round_.id, EDU)
    service.decide(OFFICE, submission.id, accept=True, comment="同意")
    archive = tmp_path / "b.tar.gz"
    do_backup(store_location, archive)

    target = fresh_like(store_location, tmp_path, request)
    do_restore(archive, target)
    source, again = open_store(store_location), open_store(target)
    assert again.versions() == source.versions() and again.audit() == source.audit()
    for version in source.versions():
        assert again.read(version) == source.read(version)
    for table in ROUND_TABLES:
        rows = f"SELECT {', '.join(ROUND_TABLES[table])} FROM {table} ORDER BY 1"
        assert query(target, rows) == query(store_location, rows), table
    assert service_for(again).evidence(OFFICE, record.id) == (record, PDF)
    assert accounts_of(target).sign_in("张三", PASSWORD).ok
    assert triggers(target) == triggers(store_location)
    audit_delete_refused(target)
    if isinstance(target, Path):
        assert not [p for p in target.iterdir() if p.name.startswith(".restore-")]


def test_too_little_disk_space_is_said_before_anything_is_written(
    good: Path, store_location: Where, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = shutil.disk_usage
    with monkeypatch.context() as patched:
        patched.setattr(shutil, "disk_usage", lambda p: real(p)._replace(free=MB))
        refused(good, store_location, "磁盘空间不足", "MB")
    then_the_good_one_restores(good, store_location)
    monkeypatch.setattr(shutil, "disk_usage", lambda p: real(p)._replace(free=MB))
    with pytest.raises(BackupError, match=r"磁盘空间不足.*未写备份"):
        do_backup(store_location, tmp_path / "b.tar.gz")
    assert not (tmp_path / "b.tar.gz").exists()
