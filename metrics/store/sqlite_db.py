"""SQLite connections for the embedded stores (versions, accounts): closed after use,
and write transactions that take the lock at their first statement."""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator


@contextlib.contextmanager
def immediate(db: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """One ``BEGIN IMMEDIATE`` transaction on ``db`` (autocommit mode): committed on
    success, rolled back on any exception. Readers are never blocked (WAL), and two
    writers queue instead of both reading stale state."""
    db.execute("BEGIN IMMEDIATE")
    try:
        yield db
    except BaseException:
        db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")
