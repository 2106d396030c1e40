"""Backing up and restoring a store folder while the dashboard serves.

An archive is one ``.tar.gz`` with::

    manifest.json       format version, created at, version count, SHA-256 of each member
    store.sqlite3       versions, pointer, audit (a snapshot by the sqlite3 backup API)
    accounts.sqlite3    staff accounts (likewise)
    files/<sha256>.xlsx every published workbook

Consistency while others publish: the databases are snapshotted first, then the files
are copied. Publishing writes a version's file *before* its transaction and files are
never deleted, so every version in the snapshot has its file on disk by then; the backup
checks this and fails rather than write an archive that disagrees with itself. Files of
publishes after the snapshot may be included too (harmless: content-addressed).

The store is reached through ``BackupSource``: ``SqliteSource`` is the embedded store,
``postgres_backup.PostgresSource`` a PostgreSQL one. Both write the same members, so an
archive of either backend restores into either.
"""

from __future__ import annotations

import contextlib
import datetime
import hashlib
import io
import json
import os
import re
import shutil
import sqlite3
import tarfile
import tempfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from metrics.store.files import fsync_dir

FORMAT = 1
MANIFEST = "manifest.json"
_FILE_NAME = re.compile(r"^files/[0-9a-f]{64}\.xlsx$")
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_CHUNK = 1 << 20


class BackupError(Exception):
    """A backup or restore was refused; ``str(error)`` is a Chinese message."""


@dataclass(frozen=True, slots=True)
class BackupSummary:
    path: Path
    versions: int
    files: int
    databases: tuple[str, ...]


class BackupSource(Protocol):
    """What a store backend provides for backups and restores: consistent snapshots of
    its databases (as files, one archive member each), its stored workbook files, and
    the way back in. ``SqliteSource`` is the embedded store; a server database would
    write its snapshot (e.g. its tables, read in one repeatable-read transaction) as
    members of its own names, and read and write files through its own storage."""

    @property
    def names(self) -> tuple[str, ...]:
        """Archive member names, e.g. ("store.sqlite3", "accounts.sqlite3")."""
        ...

    @property
    def where(self) -> str:
        """The store, for messages: its folder or its database."""
        ...

    def snapshot(self, folder: Path) -> dict[str, Path]:
        """Write a consistent snapshot of each database into ``folder``; name → file."""
        ...

    def version_hashes(self, snapshot: dict[str, Path]) -> list[str]:
        """The SHA-256 of every version in a snapshot (whose files must be present)."""
        ...

    def stored_files(self) -> list[str]:
        """The SHA-256 of every stored workbook file (each ``read_file``-able)."""
        ...

    def file_path(self, sha256: str) -> Path:
        """A readable copy of a stored file (the file itself, for the embedded store)."""
        ...

    def is_empty(self) -> bool:
        """No versions, no accounts, no files: a restore may write here."""
        ...

    def load(self, snapshot: dict[str, Path], files: list[Path]) -> None:
        """Bring the files (``<sha256>.xlsx``), then the snapshot, into the empty store."""
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

    def snapshot(self, folder: Path) -> dict[str, Path]:
        taken: dict[str, Path] = {}
        for name in self.names:
            live = self.root / name
            if not live.exists():
                continue
            out = folder / name
            # Each database is consistent on its own; the two are independent
            # (accounts never refer to versions).
            with _connection(live) as source, _connection(out) as target:
                source.backup(target)
            taken[name] = out
        if "store.sqlite3" not in taken:
            raise BackupError(f"存储目录“{self.root}”中没有 store.sqlite3：没有可备份的版本")
        return taken

    def version_hashes(self, snapshot: dict[str, Path]) -> list[str]:
        return snapshot_version_hashes(snapshot)

    def stored_files(self) -> list[str]:
        # Only finished files: a publish in progress writes ``.incoming-*.tmp`` first.
        return sorted(p.stem for p in self.files.glob("*.xlsx") if _SHA256.match(p.stem))

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
            with _connection(path) as db:
                try:
                    (count,) = db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()
                except sqlite3.OperationalError:  # no such table: nothing in it
                    continue
            if count:
                return False
        return True

    def load(self, snapshot: dict[str, Path], files: list[Path]) -> None:
        self.files.mkdir(parents=True, exist_ok=True)
        for path in files:  # files first: the databases never point at a missing file
            shutil.copyfile(path, self.files / path.name)
        fsync_dir(self.files)
        for name, path in snapshot.items():
            with _connection(path) as source, _connection(self.root / name) as target:
                source.backup(target)
                target.execute("PRAGMA journal_mode=WAL")


def snapshot_version_hashes(snapshot: dict[str, Path]) -> list[str]:
    """The SHA-256 of every version in a snapshot's ``store.sqlite3`` (both backends
    write their snapshot in the embedded store's format)."""
    if "store.sqlite3" not in snapshot:
        raise BackupError("备份中没有 store.sqlite3（版本库），未恢复")
    with _connection(snapshot["store.sqlite3"]) as db:
        return [str(row[0]) for row in db.execute("SELECT sha256 FROM versions ORDER BY id")]


@contextlib.contextmanager
def _connection(path: Path) -> Iterator[sqlite3.Connection]:
    with contextlib.closing(sqlite3.connect(path, timeout=30, isolation_level=None)) as db:
        yield db


def backup(root: Path | None, out: Path, source: BackupSource | None = None) -> BackupSummary:
    """Write one archive of the store (the folder ``root``, or ``source``) to ``out``;
    refused if ``out`` exists."""
    out = Path(out)
    if out.exists():
        raise BackupError(f"文件“{out}”已存在，不覆盖：请换一个文件名")
    if source is None and root is None:
        raise ValueError("backup needs a folder or a source store")
    store: BackupSource = source or SqliteSource(Path(root or "."))
    with tempfile.TemporaryDirectory(prefix=".backup-", dir=out.parent) as scratch:
        folder = Path(scratch)
        snapshot = store.snapshot(folder)
        hashes = store.version_hashes(snapshot)
        # After the snapshot: every version's file was stored before its transaction.
        files = store.stored_files()
        missing = sorted(set(hashes) - set(files))
        if missing:
            raise BackupError(
                f"有 {len(missing)} 个版本的文件不在存储中（如 {missing[0][:12]}…），"
                "存储已不完整，未写备份：请联系技术人员"
            )
        members = list(snapshot.items())
        members += [(f"files/{sha}.xlsx", store.file_path(sha)) for sha in files]
        manifest = {
            "format": FORMAT,
            "created_at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
            "versions": len(hashes),
            "databases": sorted(snapshot),
            "sha256": {name: _sha256_of(path) for name, path in members},
        }
        partial = folder / "archive.tar.gz"
        with tarfile.open(partial, "w:gz") as archive:
            _add_bytes(archive, MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=2))
            for name, path in members:
                archive.add(path, arcname=name, recursive=False)
        with open(partial, "rb") as written:
            os.fsync(written.fileno())
        os.replace(partial, out)
        fsync_dir(out.parent)
    return BackupSummary(out, len(hashes), len(files), tuple(sorted(snapshot)))


def restore(
    archive_path: Path, root: Path | None = None, target: BackupSource | None = None
) -> BackupSummary:
    """Bring an archive back into the EMPTY store (the folder ``root``, or ``target``),
    verifying every hash; nothing is written unless all of it checks out."""
    if target is None and root is None:
        raise ValueError("restore needs a folder or a target store")
    if root is not None:
        root = Path(root)
        root.mkdir(parents=True, exist_ok=True)
    store: BackupSource = target or SqliteSource(Path(root or "."))
    if not store.is_empty():
        raise BackupError(f"存储“{store.where}”不是空的（已有版本、账号或文件），不能恢复到这里")
    with tempfile.TemporaryDirectory(prefix=".restore-", dir=root) as scratch:
        folder = Path(scratch)
        manifest = _extract(archive_path, folder, store.names)
        snapshot = {name: folder / name for name in manifest.databases}
        if not snapshot or set(snapshot) - set(store.names):
            raise BackupError("备份中的数据库与本存储不符，未恢复")
        hashes = store.version_hashes(snapshot)
        if len(hashes) != manifest.versions:
            raise BackupError("备份清单中的版本数与数据库不符，未恢复")
        missing = [h for h in hashes if not (folder / "files" / f"{h}.xlsx").exists()]
        if missing:
            raise BackupError(f"备份中缺少 {len(missing)} 个版本的文件，未恢复")
        files = sorted((folder / "files").glob("*.xlsx"))
        store.load(snapshot, files)
    return BackupSummary(Path(store.where), len(hashes), len(files), tuple(sorted(snapshot)))


@dataclass(frozen=True, slots=True)
class _Manifest:
    versions: int
    databases: tuple[str, ...]


def _extract(archive_path: Path, folder: Path, names: tuple[str, ...]) -> _Manifest:
    """Unpack the expected members only, each checked against the manifest."""
    with _open_archive(archive_path) as archive:
        try:
            manifest_member = archive.extractfile(MANIFEST)
            assert manifest_member is not None
            manifest = json.loads(manifest_member.read().decode("utf-8"))
        except (KeyError, AssertionError, ValueError, tarfile.TarError):
            raise BackupError("备份文件中没有有效的清单 manifest.json，未恢复") from None
        if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
            raise BackupError("备份文件的格式版本不受支持，未恢复")
        expected = manifest.get("sha256")
        if not isinstance(expected, dict):
            raise BackupError("备份清单不完整，未恢复")
        seen: set[str] = set()
        for member in archive:
            name = member.name
            if name == MANIFEST:
                continue
            allowed = name in names or _FILE_NAME.match(name)
            if name not in expected or not member.isfile() or not allowed:
                raise BackupError(f"备份中有不应出现的内容“{name}”，未恢复")
            source = archive.extractfile(member)
            assert source is not None
            target = folder / name
            target.parent.mkdir(parents=True, exist_ok=True)
            digest = hashlib.sha256()
            with source, open(target, "wb") as out:
                while chunk := source.read(_CHUNK):
                    digest.update(chunk)
                    out.write(chunk)
            if digest.hexdigest() != expected[name]:
                raise BackupError(f"备份中“{name}”的校验值不符（文件已损坏），未恢复")
            if name.startswith("files/") and digest.hexdigest() != Path(name).stem:
                raise BackupError(f"备份中“{name}”的内容与文件名不符，未恢复")
            seen.add(name)
        if absent := sorted(set(expected) - seen):
            raise BackupError(f"备份中缺少清单列出的“{absent[0]}”，未恢复")
        databases = manifest.get("databases")
        versions = manifest.get("versions")
        if (
            not isinstance(databases, list)
            or not set(databases) <= seen
            or not isinstance(versions, int)
        ):
            raise BackupError("备份清单不完整，未恢复")
        return _Manifest(versions, tuple(str(name) for name in databases))


@contextlib.contextmanager
def _open_archive(path: Path) -> Iterator[tarfile.TarFile]:
    """The archive for reading; a damaged one is refused in words."""
    try:
        with tarfile.open(path, "r:gz") as archive:
            yield archive
    except (OSError, EOFError, zlib.error, tarfile.TarError) as exc:
        raise BackupError(f"无法读取备份文件“{path}”（{type(exc).__name__}），未恢复") from None


def _sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as source:
        while chunk := source.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _add_bytes(archive: tarfile.TarFile, name: str, text: str) -> None:
    data = text.encode("utf-8")
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = int(datetime.datetime.now(datetime.UTC).timestamp())
    info.mode = 0o644
    archive.addfile(info, io.BytesIO(data))
