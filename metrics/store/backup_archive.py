"""Reading a backup archive as the hostile input it may be.

An archive is checked member by member while it streams, before anything is written:

- the manifest comes first, is a regular file no larger than ``manifest_bytes``, and
  lists only names this format knows (the two databases, ``files/<sha256>.xlsx``), each
  with a SHA-256 (a file's must be its own name);
- every further member is a regular file (no links, folders, devices or sparse files),
  appears once, is listed in the manifest, and stays within the size limits as its
  header declares it (so a decompression bomb is refused before its data is read);
  pax and GNU long-name headers are capped too, and so is the inflated stream as a
  whole (total and compression ratio);
- its content matches the manifest's SHA-256 (and, for a file, its name); every listed
  member is present.

``read_archive(path, names, limits)`` does that without writing (pass 1, also giving
the SHA-256 of the archive file itself); ``read_archive(..., into=folder)`` does it again
and writes each member below ``folder`` (pass 2), each file fsynced. The names are
checked against fixed patterns, so nothing is ever written outside ``folder``.

The manifest's checksums detect damage, not tampering: whoever can rewrite an archive
can rewrite its manifest. The SHA-256 of the archive file, printed at backup time and
kept elsewhere, is what shows an archive is the one written.
"""

from __future__ import annotations

import contextlib
import errno
import gzip
import hashlib
import io
import json
import os
import re
import shutil
import stat
import tarfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Final, cast

FORMAT: Final = 1
MANIFEST: Final = "manifest.json"
DATABASES: Final = ("store.sqlite3", "accounts.sqlite3")
FILE_NAME: Final = re.compile(r"^files/([0-9a-f]{64})\.xlsx$")
SHA256: Final = re.compile(r"^[0-9a-f]{64}$")
CHUNK: Final = 1 << 20
KB: Final = 1024
MB: Final = 1024 * KB
GB: Final = 1024 * MB
_BLOCK = tarfile.BLOCKSIZE
_HEADER_TYPES = (
    tarfile.XHDTYPE,
    tarfile.XGLTYPE,
    tarfile.SOLARIS_XHDTYPE,
    tarfile.GNUTYPE_LONGNAME,
    tarfile.GNUTYPE_LONGLINK,
)
_KINDS = {
    tarfile.SYMTYPE: "符号链接",
    tarfile.LNKTYPE: "硬链接",
    tarfile.DIRTYPE: "文件夹",
    tarfile.CHRTYPE: "设备文件",
    tarfile.BLKTYPE: "设备文件",
    tarfile.FIFOTYPE: "管道文件",
    tarfile.CONTTYPE: "连续文件",
    tarfile.GNUTYPE_SPARSE: "稀疏文件",
}


class BackupError(Exception):
    """A backup or restore was refused; ``str(error)`` is a Chinese message."""


@dataclass(frozen=True, slots=True)
class ArchiveLimits:
    """What an archive may hold. A backup checks its own archive against the same
    limits, so every archive ``store backup`` reports as written can be restored."""

    manifest_bytes: int = 32 * MB
    members: int = 200_000
    file_bytes: int = 1 * GB  # each files/<sha256>.xlsx (uploads are far smaller)
    database_bytes: int = 4 * GB  # each database
    total_bytes: int = 64 * GB  # all members together, as unpacked
    header_bytes: int = 64 * KB  # each pax or GNU long-name header
    ratio: float = 200.0  # unpacked : packed, once more than ``ratio_floor`` is unpacked
    ratio_floor: int = 64 * MB

    def member_bytes(self, name: str) -> int:
        return self.database_bytes if name in DATABASES else self.file_bytes


@dataclass(frozen=True, slots=True)
class Manifest:
    versions: int
    databases: tuple[str, ...]
    sha256: dict[str, str]  # member → SHA-256 of its content


@dataclass(frozen=True, slots=True)
class ArchiveCheck:
    """An archive that passed every check: its manifest, the size of each member, and
    the SHA-256 of the archive file as read."""

    manifest: Manifest
    sizes: dict[str, int]
    archive_sha256: str

    @property
    def database_bytes(self) -> int:
        return sum(size for name, size in self.sizes.items() if name in DATABASES)

    @property
    def file_bytes(self) -> int:
        return sum(size for name, size in self.sizes.items() if name not in DATABASES)


def megabytes(size: int) -> str:
    return f"{size / MB:,.1f} MB"


def check_free_space(folder: Path, needed: int, doing: str, outcome: str) -> None:
    """Refuse (``outcome``: "未恢复" …) when the disk of ``folder`` has less than
    ``needed`` bytes free."""
    free = shutil.disk_usage(folder).free
    if free < needed:
        raise BackupError(
            f"磁盘空间不足：{doing}约需 {megabytes(needed)}，“{folder}”所在磁盘只有 "
            f"{megabytes(free)} 可用，{outcome}：请先腾出空间"
        )


def member_kind(name: str) -> str:
    return "数据库" if name in DATABASES else "文件"


def parse_manifest(data: bytes, limits: ArchiveLimits) -> Manifest:
    """The manifest, every field checked (a malformed one is refused in words)."""
    try:
        manifest = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise BackupError("备份清单 manifest.json 不是有效的 JSON，未恢复") from None
    if not isinstance(manifest, dict):
        raise BackupError("备份清单 manifest.json 的内容不是预期的格式，未恢复")
    if manifest.get("format") != FORMAT:
        raise BackupError(
            f"备份文件的格式版本（{str(manifest.get('format'))[:20]}）不受支持，未恢复"
        )
    listed = manifest.get("sha256")
    databases = manifest.get("databases")
    versions = manifest.get("versions")
    if not isinstance(listed, dict) or not isinstance(databases, list):
        raise BackupError("备份清单不完整（缺少校验值或数据库列表），未恢复")
    if not isinstance(versions, int) or isinstance(versions, bool) or versions < 0:
        raise BackupError("备份清单中的版本数无效，未恢复")
    if len(listed) > limits.members:
        raise BackupError(
            f"备份清单列出 {len(listed):,} 个成员，超过上限 {limits.members:,}，未恢复"
        )
    hashes: dict[str, str] = {}
    for name, digest in listed.items():
        named = FILE_NAME.match(name)
        if not (name in DATABASES or named):
            raise BackupError(f"备份清单中有不应出现的成员“{_shown(name)}”，未恢复")
        if not isinstance(digest, str) or not SHA256.match(digest):
            raise BackupError(f"备份清单中“{_shown(name)}”的校验值无效，未恢复")
        if named and named.group(1) != digest:
            raise BackupError(f"备份清单中“{_shown(name)}”的校验值与文件名不符，未恢复")
        hashes[name] = digest
    if (
        not all(isinstance(name, str) and name in hashes for name in databases)
        or len(set(databases)) != len(databases)
        or "store.sqlite3" not in databases
    ):
        raise BackupError("备份清单中的数据库列表无效（应含 store.sqlite3，且都有校验值），未恢复")
    if set(hashes) & set(DATABASES) != set(databases):
        raise BackupError("备份清单中的数据库列表与校验值不符，未恢复")
    return Manifest(versions, tuple(databases), hashes)


def read_archive(path: Path, limits: ArchiveLimits, into: Path | None = None) -> ArchiveCheck:
    """Check every member of the archive at ``path`` (and, with ``into``, write each below
    that folder). Raises ``BackupError`` naming the first problem."""
    try:
        with _opened(path) as raw:
            inflated = _Inflated(gzip.GzipFile(fileobj=raw, mode="rb"), raw, limits)
            with tarfile.open(
                fileobj=cast(IO[bytes], inflated),
                mode="r|",
                tarinfo=_checked_tarinfo(limits),
            ) as archive:
                manifest, sizes = _walk(archive, limits, into)
            while raw.read(CHUNK):  # the rest of the file, for its SHA-256
                pass
            return ArchiveCheck(manifest, sizes, raw.hexdigest())
    except BackupError:
        raise
    except (OSError, EOFError, zlib.error, tarfile.TarError) as exc:
        # Reading failed (a failed write is already a BackupError, from _copy).
        raise BackupError(
            f"无法读取备份文件“{path}”：文件不完整或已损坏（{type(exc).__name__}），未恢复"
        ) from None


def _walk(
    archive: tarfile.TarFile, limits: ArchiveLimits, into: Path | None
) -> tuple[Manifest, dict[str, int]]:
    first = archive.next()
    if first is None or first.name != MANIFEST:
        raise BackupError("备份文件的第一个成员不是清单 manifest.json，未恢复")
    if not _is_regular(first):
        raise BackupError("备份中的清单 manifest.json 不是普通文件，未恢复")
    if first.size > limits.manifest_bytes:
        raise BackupError(
            f"备份清单 manifest.json 过大（{megabytes(first.size)}，上限 "
            f"{megabytes(limits.manifest_bytes)}），未恢复"
        )
    reader = archive.extractfile(first)
    assert reader is not None  # a regular file
    manifest = parse_manifest(reader.read(first.size), limits)
    sizes: dict[str, int] = {}
    total = 0
    while (member := archive.next()) is not None:  # not ``for``: it restarts at the first
        name = member.name
        shown = _shown(name)
        if name in sizes or name == MANIFEST:
            raise BackupError(f"备份中“{shown}”出现了不止一次，未恢复")
        if not _is_regular(member):
            kind = _KINDS.get(member.type, "特殊成员")
            raise BackupError(f"备份中的“{shown}”是{kind}，不是普通文件，未恢复")
        if name not in manifest.sha256:
            raise BackupError(f"备份中有清单未列出的成员“{shown}”，未恢复")
        if len(sizes) >= limits.members:
            raise BackupError(f"备份中的成员超过 {limits.members:,} 个，未恢复")
        cap = limits.member_bytes(name)
        if member.size > cap:
            raise BackupError(
                f"备份中的“{shown}”解压后有 {megabytes(member.size)}，超过{member_kind(name)}"
                f"上限 {megabytes(cap)}（可能是压缩炸弹），未恢复"
            )
        total += member.size
        if total > limits.total_bytes:
            raise BackupError(
                f"备份解压后超过总大小上限 {megabytes(limits.total_bytes)}"
                "（可能是压缩炸弹），未恢复"
            )
        source = archive.extractfile(member)
        assert source is not None  # a regular file
        digest = _copy(source, member.size, None if into is None else into / name)
        if digest != manifest.sha256[name]:
            raise BackupError(f"备份中“{shown}”的校验值不符（与清单不一致，文件已损坏），未恢复")
        sizes[name] = member.size
    if absent := sorted(set(manifest.sha256) - set(sizes)):
        more = f"等 {len(absent)} 个" if len(absent) > 1 else ""
        raise BackupError(f"备份中缺少清单列出的“{absent[0]}”{more}，未恢复")
    return manifest, sizes


def _copy(source: IO[bytes], size: int, target: Path | None) -> str:
    """The SHA-256 of ``size`` bytes of ``source``, written to ``target`` (a new file,
    fsynced) if given."""
    digest = hashlib.sha256()
    if target is None:
        while chunk := source.read(CHUNK):
            digest.update(chunk)
        return digest.hexdigest()
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        out = os.fdopen(os.open(target, flags, 0o600), "wb")
    except OSError as exc:
        raise _unwritable(target, exc) from None
    with out:
        while chunk := source.read(CHUNK):  # a damaged archive: said by read_archive
            digest.update(chunk)
            try:
                out.write(chunk)
            except OSError as exc:
                raise _unwritable(target, exc) from None
        try:
            out.flush()
            os.fsync(out.fileno())
        except OSError as exc:
            raise _unwritable(target, exc) from None
    return digest.hexdigest()


def _unwritable(target: Path, exc: OSError) -> BackupError:
    reason = "磁盘空间不足" if exc.errno == errno.ENOSPC else (exc.strerror or str(exc))
    return BackupError(f"无法写入临时文件“{target}”：{reason}，未恢复（存储未改动）")


def _is_regular(member: tarfile.TarInfo) -> bool:
    return member.type in (tarfile.REGTYPE, tarfile.AREGTYPE) and member.sparse is None


def _shown(name: object) -> str:
    """A member name for a message: printable, and short."""
    text = str(name)
    text = "".join(ch if ch.isprintable() else "?" for ch in text)
    return text if len(text) <= 100 else text[:100] + "…"


def _checked_tarinfo(limits: ArchiveLimits) -> type[tarfile.TarInfo]:
    """A ``TarInfo`` that refuses, before reading them, pax and GNU long-name headers
    larger than ``limits.header_bytes`` (tarfile reads those whole into memory) and GNU
    sparse members (whose maps are read likewise)."""

    class CheckedTarInfo(tarfile.TarInfo):
        def _proc_member(self, tar: tarfile.TarFile) -> tarfile.TarInfo:
            if self.type in _HEADER_TYPES and self.size > limits.header_bytes:
                raise BackupError(
                    f"备份中有过大的扩展头（{megabytes(self.size)}，可能是压缩炸弹），未恢复"
                )
            if self.type == tarfile.GNUTYPE_SPARSE:
                raise BackupError(f"备份中的“{_shown(self.name)}”是稀疏文件，不是普通文件，未恢复")
            processed = tarfile.TarInfo._proc_member(self, tar)  # type: ignore[attr-defined]
            return cast(tarfile.TarInfo, processed)

    return CheckedTarInfo


class _Hashing:
    """The archive file as read: its SHA-256 and how many bytes have been read."""

    def __init__(self, file: IO[bytes]) -> None:
        self.file = file
        self.digest = hashlib.sha256()
        self.count = 0

    def read(self, size: int = -1) -> bytes:
        data = self.file.read(size)
        self.digest.update(data)
        self.count += len(data)
        return data

    def seek(self, offset: int, /) -> int:
        raise io.UnsupportedOperation("the archive is read once, in order")

    def hexdigest(self) -> str:
        return self.digest.hexdigest()


class _Inflated:
    """The decompressed stream, refused once it exceeds what the limits allow in all
    (the members, plus room for headers) or in proportion to what was read."""

    def __init__(self, inflating: gzip.GzipFile, raw: _Hashing, limits: ArchiveLimits) -> None:
        self.inflating = inflating
        self.raw = raw
        self.limits = limits
        self.count = 0
        room = (limits.members + 1) * (2 * _BLOCK + limits.header_bytes)
        self.cap = limits.total_bytes + limits.manifest_bytes + room

    def read(self, size: int = -1) -> bytes:
        data = self.inflating.read(size if size >= 0 else CHUNK)
        self.count += len(data)
        if self.count > self.cap:
            raise BackupError("备份解压后的数据量超过上限（可能是压缩炸弹），未恢复")
        limits = self.limits
        if self.count > limits.ratio_floor and self.count > limits.ratio * max(self.raw.count, 1):
            raise BackupError(
                f"备份的压缩比异常（解压后超过压缩数据的 {limits.ratio:g} 倍，"
                "可能是压缩炸弹），未恢复"
            )
        return data


@contextlib.contextmanager
def _opened(path: Path) -> Iterator[_Hashing]:
    try:
        file = open(path, "rb")  # noqa: SIM115 -- closed below
    except OSError as exc:
        raise BackupError(f"无法打开备份文件“{path}”：{exc.strerror or exc}") from None
    with file:
        if not stat.S_ISREG(os.fstat(file.fileno()).st_mode):
            raise BackupError(f"“{path}”不是普通文件，未恢复")
        yield _Hashing(file)
