"""The ``duban_notices`` table: one row per notice issued, never changed or deleted.

It lives in the versions database with the round tables (``metrics.store.rounds_schema``
appends it, so backups and ``migrate`` carry it). ``UNIQUE (year, number)`` holds the
numbering even against a writer that bypasses the service."""

from __future__ import annotations

DUBAN_TABLES_SQL = """
CREATE TABLE IF NOT EXISTS duban_notices (
    id           BIGINT PRIMARY KEY,
    year         BIGINT NOT NULL,
    number       BIGINT NOT NULL,
    code         TEXT NOT NULL,
    level        TEXT NOT NULL,
    unit         TEXT NOT NULL,
    items        TEXT NOT NULL,
    requirements TEXT NOT NULL,
    respond_by   TEXT NOT NULL,
    issued_by    TEXT NOT NULL,
    issued_at    TEXT NOT NULL,
    version_id   BIGINT NOT NULL,
    UNIQUE (year, number)
);
"""

SQLITE_DUBAN_TRIGGERS = """
CREATE TRIGGER IF NOT EXISTS duban_notices_are_kept_u BEFORE UPDATE ON duban_notices
BEGIN SELECT RAISE(ABORT, 'supervision notices are never changed'); END;
CREATE TRIGGER IF NOT EXISTS duban_notices_are_kept_d BEFORE DELETE ON duban_notices
BEGIN SELECT RAISE(ABORT, 'supervision notices are never changed'); END;
"""

POSTGRES_DUBAN_TRIGGERS = """
CREATE OR REPLACE TRIGGER duban_notices_are_kept BEFORE UPDATE OR DELETE ON duban_notices
FOR EACH ROW EXECUTE FUNCTION zhenggai_refuse('supervision notices are never changed');
"""

DUBAN_COLUMNS: tuple[str, ...] = (
    "id",
    "year",
    "number",
    "code",
    "level",
    "unit",
    "items",
    "requirements",
    "respond_by",
    "issued_by",
    "issued_at",
    "version_id",
)
