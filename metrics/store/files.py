"""Writing a file so that readers see the old bytes or the new ones, never a mix."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path


def write_atomically(
    path: str | os.PathLike[str],
    data: bytes,
    *,
    mode: int | None = 0o644,
    prefix: str | None = None,
) -> None:
    """Write ``data`` to ``path`` atomically and durably.

    A temporary file in the same folder (named ``prefix`` + random + ``.tmp``, by default
    ``.<name>.``) is written, flushed and fsynced, given ``mode`` (None keeps the private
    0600 of a new temporary file), moved over ``path`` with ``os.replace``, and the folder
    is fsynced so the rename survives a crash. The temporary file never outlives a failure.
    """
    target = Path(path)
    handle, temporary = tempfile.mkstemp(
        dir=target.parent,
        prefix=prefix if prefix is not None else f".{target.name}.",
        suffix=".tmp",
    )
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        if mode is not None:
            os.chmod(temporary, mode)
        os.replace(temporary, target)
        fsync_dir(target.parent)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)


def fsync_dir(path: Path) -> None:
    """Make a rename in ``path`` durable (best effort: not every system allows it)."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
