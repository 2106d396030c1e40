"""Backing up and restoring a store while the dashboard serves.

An archive is one ``.tar.gz`` (mode 0600: it holds password hashes and every workbook)::

    manifest.json       format version, created at, version count, SHA-256 of each member
    store.sqlite3       versions, pointer, audit, round tables (rebuilt from the snapshot)
    accounts.sqlite3    staff accounts and failed sign-ins (likewise)
    files/<sha256>.xlsx every stored file: published workbooks and evidence

A backup succeeds only if a restore would: the databases are snapshotted, then rebuilt
row by row into our own schema (``restore_rows.rebuild``: what a restore does), every
file the rows refer to is present, every stored file's content matches its name (a
damaged file is named and no archive is written: exit status 1 for the timer), every
member is within the restore's limits, and the archive written is read back through
the restore's checks before it takes its name (never overwriting). Publishing writes a
version's file *before* its transaction and files are never deleted, so every version
in the snapshot has its file by then; files of later publishes may be included too.

A restore goes into an EMPTY store only, and writes nothing until the whole archive has
been checked (``backup_archive.read_archive``: sizes, names, types, hashes) and free
space is known to suffice. It then unpacks into a staging folder (for the embedded store
inside the store folder, so renames are atomic), rebuilds the databases from their rows
into a fresh schema, fsyncs, and only then moves everything into place (files, accounts,
versions last); PostgreSQL loads it all in one transaction. A refusal leaves the store
as empty as it was.

The manifest's checksums detect damage, not tampering (whoever can rewrite the archive
can rewrite the manifest): the archive's own SHA-256 is reported at backup and at
restore so the operator can compare it with a copy kept elsewhere.

The store is reached through ``BackupSource``: ``SqliteSource`` is the embedded store,
``postgres_backup.PostgresSource`` a PostgreSQL one. Both write the same members, so an
archive of either backend restores into either.
"""

from __future__ import annotations

import contextlib
import datetime
import errno
import hashlib
import io
import json
import os
import sqlite3
import tarfile
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Protocol, cast

from metrics.store.backup_archive import (
    CHUNK,
    FORMAT,
    MANIFEST,
    MB,
    SHA256,
    ArchiveLimits,
    check_free_space,
    megabytes,
    member_kind,
    read_archive,
)
from metrics.store.backup_archive import BackupError as BackupError
from metrics.store.files import fsync_dir
from metrics.store.restore_rows import STORE_DB, rebuild

_MARGIN = 16 * MB  # headroom for the disk-space checks
_SHOWN = 5  # damaged files named in a message


@dataclass(frozen=True, slots=True)
class BackupSummary:
    path: Path
    versions: int
    files: int
    databases: tuple[str, ...]
    sha256: str = ""  # of the archive file


class BackupSource(Protocol):
    """What a store backend provides for backups and restores: consistent snapshots of
    its databases (as SQLite files, one archive member each), its stored files, and the
    way back in."""

    @property
    def names(self) -> tuple[str, ...]:
        """Archive member names of its databases: ("store.sqlite3", "accounts.sqlite3")."""
        ...

    @property
    def where(self) -> str:
        """The store, for messages: its folder or its database."""
        ...

    @property
    def staging(self) -> Path | None:
        """Where a restore stages its files (None: the system's temporary folder)."""
        ...

    def snapshot(self, folder: Path) -> dict[str, Path]:
        """Write a consistent snapshot of each database into ``folder``; name → file."""
        ...

    def stored_files(self) -> list[str]:
        """The SHA-256 of every stored file (each ``file_path``-able)."""
        ...

    def file_path(self, sha256: str) -> Path:
        """A readable copy of a stored file (the file itself, for the embedded store)."""
        ...

    def is_empty(self) -> bool:
        """No versions, no accounts, no files: a restore may write here."""
        ...

    def load(self, databases: dict[str, Path], files: Path) -> None:
        """Bring rebuilt databases (our schema) and the checked files (``files`` holds
        ``<sha256>.xlsx``, staged in ``staging``) into the empty store, all or nothing."""
        ...


class SqliteSource:
    """The embedded store: ``store.sqlite3``, ``accounts.sqlite3`` and ``files/`` in the
    store folder."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.files = self.root / "files"

    @property
    def names(self) -> tuple[str, ...]:
        return ("store.sqlite3", "accounts.sqlite3")

    @property
    def where(self) -> str:
        return str(self.root)

    @property
    def staging(self) -> Path | None:
        return self.root

    def snapshot(self, folder: Path) -> dict[str, Path]:
        taken: dict[str, Path] = {}
        for name in self.names:
            live = self.root / name
            if not live.exists():
                continue
            out = folder / name
            # Each database is consistent on its own; the two are independent
            # (accounts never refer to versions).
            try:
                with _connection(live) as source, _connection(out) as target:
                    source.backup(target)
            except sqlite3.Error as exc:
                raise BackupError(
                    f"无法读取存储中的 {name}（{type(exc).__name__}：{exc}），未写备份："
                    "请联系技术人员"
                ) from None
            taken[name] = out
        if STORE_DB not in taken:
            raise BackupError(f"存储目录“{self.root}”中没有 store.sqlite3：没有可备份的版本")
        return taken

    def stored_files(self) -> list[str]:
        # Only finished files: a publish in progress writes ``.incoming-*.tmp`` first.
        return sorted(p.stem for p in self.files.glob("*.xlsx") if SHA256.match(p.stem))

    def file_path(self, sha256: str) -> Path:
        return self.files / f"{sha256}.xlsx"

    def is_empty(self) -> bool:
        if self.files.exists() and any(self.files.iterdir()):
            return False
        checks = {"store.sqlite3": "versions", "accounts.sqlite3": "users"}
        for name, table in checks.items():
            path = self.root / name
            if not path.exists():
                continue
            try:
                with _connection(path) as db:
                    (count,) = db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()
            except sqlite3.OperationalError:  # no such table: nothing in it
                continue
            except sqlite3.DatabaseError as exc:
                raise BackupError(
                    f"存储中的“{path}”不是可用的数据库（{exc}）：请移走它，再恢复到空的存储"
                ) from None
            if count:
                return False
        return True

    def load(self, databases: dict[str, Path], files: Path) -> None:
        """Rename the staged files and databases into place: the files first, then the
        accounts, the versions last (the databases never point at a missing file)."""
        fsync_dir(files)
        if self.files.exists():
            self.files.rmdir()  # empty (``is_empty``)
        os.replace(files, self.files)
        for name in ("accounts.sqlite3", "store.sqlite3"):
            target = self.root / name
            for side in ("-wal", "-shm", "-journal"):  # of the empty database replaced
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(f"{target}{side}")
            os.replace(databases[name], target)
        fsync_dir(self.root)


@contextlib.contextmanager
def _connection(path: Path) -> Iterator[sqlite3.Connection]:
    with contextlib.closing(sqlite3.connect(path, timeout=30, isolation_level=None)) as db:
        yield db


def backup(
    root: Path | None,
    out: Path,
    source: BackupSource | None = None,
    *,
    limits: ArchiveLimits | None = None,
) -> BackupSummary:
    """Write one archive of the store (the folder ``root``, or ``source``) to ``out``
    (mode 0600); refused if ``out`` exists or anything in the store is damaged."""
    out = Path(out)
    if out.exists():
        raise BackupError(f"文件“{out}”已存在，不覆盖：请换一个文件名")
    if source is None and root is None:
        raise ValueError("backup needs a folder or a source store")
    store: BackupSource = source or SqliteSource(Path(root or "."))
    limits = limits or ArchiveLimits()
    with tempfile.TemporaryDirectory(prefix=".backup-", dir=out.parent) as scratch:
        folder = Path(scratch)
        (folder / "snapshot").mkdir()
        snapshot = store.snapshot(folder / "snapshot")
        rebuilt = rebuild(snapshot, folder / "rebuilt")  # as a restore will read it
        databases = {name: rebuilt.databases[name] for name in snapshot}
        # After the snapshot: every version's file was stored before its transaction.
        files = store.stored_files()
        if missing := sorted(rebuilt.referenced - set(files)):
            raise BackupError(
                f"有 {len(missing)} 个版本或佐证材料的文件不在存储中（如 {missing[0][:12]}…），"
                "存储已不完整，未写备份：请联系技术人员"
            )
        members = [(name, path) for name, path in databases.items()]
        members += [(f"files/{sha}.xlsx", store.file_path(sha)) for sha in files]
        sizes = _check_sizes(members, limits)
        hashes = {name: _sha256_of(path) for name, path in members}
        if damaged := [f"files/{sha}.xlsx" for sha in files if hashes[f"files/{sha}.xlsx"] != sha]:
            shown = "、".join(damaged[:_SHOWN]) + (
                f" 等 {len(damaged)} 个" if len(damaged) > _SHOWN else ""
            )
            raise BackupError(
                f"存储“{store.where}”中有 {len(damaged)} 个文件的内容与文件名（SHA-256）不符，"
                f"已损坏：{shown}。未写备份：请联系技术人员，用较早的备份中的同名文件修复"
            )
        manifest = json.dumps(
            {
                "format": FORMAT,
                "created_at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
                "versions": len(rebuilt.version_hashes),
                "databases": sorted(databases),
                "sha256": hashes,
            },
            ensure_ascii=False,
            indent=2,
        ).encode("utf-8")
        if len(manifest) > limits.manifest_bytes:
            raise BackupError(f"备份清单超过上限 {megabytes(limits.manifest_bytes)}，未写备份")
        check_free_space(out.parent, sum(sizes) + len(manifest) + _MARGIN, "备份", "未写备份")
        partial = folder / "archive.tar.gz"
        _write_archive(partial, manifest, members, hashes)
        try:
            checked = read_archive(partial, limits)  # what a restore will check
        except BackupError as exc:
            raise BackupError(f"写出的备份未通过恢复前的检查（{exc}），未写备份") from None
        _move_into_place(partial, out)
    return BackupSummary(
        out,
        len(rebuilt.version_hashes),
        len(files),
        tuple(sorted(databases)),
        checked.archive_sha256,
    )


def _check_sizes(members: list[tuple[str, Path]], limits: ArchiveLimits) -> list[int]:
    if len(members) > limits.members:
        raise BackupError(f"存储中的文件超过 {limits.members:,} 个（恢复的上限），未写备份")
    sizes = [path.stat().st_size for _, path in members]
    for (name, _), size in zip(members, sizes, strict=True):
        if size > limits.member_bytes(name):
            raise BackupError(
                f"存储中的“{name}”有 {megabytes(size)}，超过恢复时{member_kind(name)}的上限 "
                f"{megabytes(limits.member_bytes(name))}，未写备份"
            )
    if sum(sizes) > limits.total_bytes:
        raise BackupError(f"存储总量超过恢复的上限 {megabytes(limits.total_bytes)}，未写备份")
    return sizes


def _write_archive(
    partial: Path, manifest: bytes, members: list[tuple[str, Path]], hashes: dict[str, str]
) -> None:
    """The archive, created 0600 (not subject to the umask's leniency), fsynced; each
    member read once more and checked against its hash as it is written."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    with os.fdopen(os.open(partial, flags, 0o600), "wb") as raw:
        os.fchmod(raw.fileno(), 0o600)
        with tarfile.open(fileobj=raw, mode="w:gz") as archive:
            archive.addfile(_member(MANIFEST, len(manifest)), io.BytesIO(manifest))
            for name, path in members:
                changed = BackupError(f"“{name}”在备份过程中被改动，未写备份：请重试")
                with open(path, "rb") as source:
                    reading = _HashingReader(source)
                    size = os.fstat(source.fileno()).st_size
                    try:
                        archive.addfile(_member(name, size), cast(IO[bytes], reading))
                    except OSError as exc:
                        if exc.errno is not None:  # writing failed (disk full …)
                            raise
                        raise changed from None  # shorter now: "unexpected end of data"
                if reading.digest.hexdigest() != hashes[name]:
                    raise changed
        raw.flush()
        os.fsync(raw.fileno())


def _move_into_place(partial: Path, out: Path) -> None:
    """Give the finished archive its name, never replacing a file of that name."""
    try:
        os.link(partial, out)
    except FileExistsError:
        raise BackupError(f"文件“{out}”已存在，不覆盖：请换一个文件名") from None
    except OSError as exc:
        if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EXDEV, errno.EMLINK):
            raise
        if out.exists():  # a file system without hard links
            raise BackupError(f"文件“{out}”已存在，不覆盖：请换一个文件名") from None
        os.replace(partial, out)
    fsync_dir(out.parent)


def _member(name: str, size: int) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.size = size
    info.mode = 0o600
    info.mtime = int(datetime.datetime.now(datetime.UTC).timestamp())
    return info


class _HashingReader:
    def __init__(self, file: IO[bytes]) -> None:
        self.file = file
        self.digest = hashlib.sha256()

    def read(self, size: int = -1) -> bytes:
        data = self.file.read(size)
        self.digest.update(data)
        return data


def restore(
    archive_path: Path,
    root: Path | None = None,
    target: BackupSource | None = None,
    *,
    limits: ArchiveLimits | None = None,
) -> BackupSummary:
    """Bring an archive back into the EMPTY store (the folder ``root``, or ``target``):
    everything checked first, then staged, then moved in at once; never half."""
    if target is None and root is None:
        raise ValueError("restore needs a folder or a target store")
    if root is not None:
        root = Path(root)
        root.mkdir(parents=True, exist_ok=True)
    store: BackupSource = target or SqliteSource(Path(root or "."))
    limits = limits or ArchiveLimits()
    if not store.is_empty():
        raise BackupError(f"存储“{store.where}”不是空的（已有版本、账号或文件），不能恢复到这里")
    checked = read_archive(Path(archive_path), limits)  # pass 1: nothing written
    manifest = checked.manifest
    staging = store.staging or Path(tempfile.gettempdir())
    # The unpacked members, the rebuilt databases, and room for SQLite to work.
    needed = checked.file_bytes + 2 * checked.database_bytes + _MARGIN
    check_free_space(staging, needed, "恢复", "未恢复")
    with tempfile.TemporaryDirectory(prefix=".restore-", dir=staging) as scratch:
        folder = Path(scratch)
        unpacked = folder / "archive"
        again = read_archive(Path(archive_path), limits, into=unpacked)  # pass 2
        if again.archive_sha256 != checked.archive_sha256:
            raise BackupError("备份文件在恢复过程中被改动，未恢复")
        snapshot = {name: unpacked / name for name in manifest.databases}
        rebuilt = rebuild(snapshot, folder / "rebuilt")
        if len(rebuilt.version_hashes) != manifest.versions:
            raise BackupError("备份清单中的版本数与数据库不符，未恢复")
        files = unpacked / "files"
        files.mkdir(exist_ok=True)
        present = {path.stem for path in files.glob("*.xlsx")}
        if missing := sorted(rebuilt.referenced - present):
            raise BackupError(
                f"备份中缺少 {len(missing)} 个版本或佐证材料的文件（如 {missing[0][:12]}…），未恢复"
            )
        store.load(rebuilt.databases, files)
    return BackupSummary(
        Path(store.where),
        len(rebuilt.version_hashes),
        len(present),
        tuple(sorted(manifest.databases)),
        checked.archive_sha256,
    )


def _sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as source:
        while chunk := source.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()
