"""The tables of reporting rounds, kept in the versions database of either backend.

One set of ``CREATE TABLE`` statements runs on SQLite and PostgreSQL (ids are given by
the writer under the write lock, as version numbers are, so no engine-specific
autoincrement is needed); only the append-only triggers of ``round_log`` differ.
``ROUND_TABLES`` (table → columns) drives the PostgreSQL backup and ``migrate``, so an
archive carries every round, submission, decision and evidence record.

``notify_outbox`` is the queue of reminders (``metrics.notify``): one row per message
and recipient, written in the same transaction as the action it tells of, with a unique
``dedup`` key (event and recipient) so that nothing is sent twice. It is carried by
backups and ``migrate`` like the round tables: a restored store neither resends what
was sent nor forgets what was queued (rows older than two days are never sent). It
names e-mail addresses and ``unit:<name>``/``group`` for robots, never a robot's
address (its token) or a password: those stay in the settings.

``duban_notices`` (``metrics.duban``) records every 督办单 issued; like the round log
it is append-only.

Evidence files themselves are stored content-addressed with the published workbooks
(``Files``: ``files/`` beside SQLite, the ``files`` table in PostgreSQL), so backup,
restore and migrate carry them as they carry workbooks.
"""

from __future__ import annotations

from types import MappingProxyType

from metrics.duban.schema import (
    DUBAN_COLUMNS,
    DUBAN_TABLES_SQL,
    POSTGRES_DUBAN_TRIGGERS,
    SQLITE_DUBAN_TRIGGERS,
)

ROUNDS_TABLES_SQL = (
    """
CREATE TABLE IF NOT EXISTS rounds (
    id               BIGINT PRIMARY KEY,
    name             TEXT NOT NULL,
    as_of            TEXT NOT NULL,
    due              TEXT NOT NULL,
    basis_version    BIGINT NOT NULL,
    require_approval INTEGER NOT NULL,
    opened_by        TEXT NOT NULL,
    opened_at        TEXT NOT NULL,
    closed_at        TEXT,
    merged_upto      BIGINT NOT NULL
);
CREATE TABLE IF NOT EXISTS round_drafts (
    round_id    BIGINT NOT NULL REFERENCES rounds(id),
    unit        TEXT NOT NULL,
    task_id     BIGINT NOT NULL,
    content     TEXT NOT NULL,
    revision    BIGINT NOT NULL,
    updated_by  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    PRIMARY KEY (round_id, unit, task_id)
);
CREATE TABLE IF NOT EXISTS round_submissions (
    id           BIGINT PRIMARY KEY,
    round_id     BIGINT NOT NULL REFERENCES rounds(id),
    unit         TEXT NOT NULL,
    revision     BIGINT NOT NULL,
    content      TEXT NOT NULL,
    submitted_by TEXT NOT NULL,
    submitted_at TEXT NOT NULL,
    channel      TEXT NOT NULL,
    state        TEXT NOT NULL,
    UNIQUE (round_id, unit, revision)
);
CREATE INDEX IF NOT EXISTS round_submissions_by_unit ON round_submissions(round_id, unit);
CREATE TABLE IF NOT EXISTS round_decisions (
    id            BIGINT PRIMARY KEY,
    submission_id BIGINT NOT NULL REFERENCES round_submissions(id),
    task_id       BIGINT,
    kind          TEXT NOT NULL,
    actor         TEXT NOT NULL,
    at            TEXT NOT NULL,
    comment       TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS round_decisions_by_submission ON round_decisions(submission_id);
CREATE TABLE IF NOT EXISTS round_evidence (
    id          BIGINT PRIMARY KEY,
    round_id    BIGINT NOT NULL REFERENCES rounds(id),
    unit        TEXT NOT NULL,
    task_id     BIGINT NOT NULL,
    sha256      TEXT NOT NULL,
    name        TEXT NOT NULL,
    mime        TEXT NOT NULL,
    size        BIGINT NOT NULL,
    added_by    TEXT NOT NULL,
    added_at    TEXT NOT NULL,
    removed_at  TEXT
);
CREATE INDEX IF NOT EXISTS round_evidence_by_task ON round_evidence(round_id, unit, task_id);
CREATE TABLE IF NOT EXISTS round_resolutions (
    round_id    BIGINT NOT NULL REFERENCES rounds(id),
    field       TEXT NOT NULL,
    unit        TEXT NOT NULL,
    actor       TEXT NOT NULL,
    at          TEXT NOT NULL,
    PRIMARY KEY (round_id, field)
);
CREATE TABLE IF NOT EXISTS round_log (
    id          BIGINT PRIMARY KEY,
    round_id    BIGINT NOT NULL REFERENCES rounds(id),
    at          TEXT NOT NULL,
    actor       TEXT NOT NULL,
    action      TEXT NOT NULL,
    unit        TEXT NOT NULL,
    task_id     BIGINT,
    detail      TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS round_log_by_round ON round_log(round_id, id);
CREATE TABLE IF NOT EXISTS notify_outbox (
    id          BIGINT PRIMARY KEY,
    dedup       TEXT NOT NULL UNIQUE,
    event       TEXT NOT NULL,
    round_id    BIGINT,
    unit        TEXT NOT NULL,
    subject     TEXT NOT NULL,
    day         TEXT NOT NULL,
    link        TEXT NOT NULL,
    channel     TEXT NOT NULL,
    recipient   TEXT NOT NULL,
    state       TEXT NOT NULL,
    attempts    INTEGER NOT NULL,
    next_at     TEXT NOT NULL,
    lease_until TEXT,
    claim       TEXT,
    created_at  TEXT NOT NULL,
    sent_at     TEXT,
    last_error  TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS notify_outbox_waiting ON notify_outbox(state, next_at);
"""
    + DUBAN_TABLES_SQL
)

SQLITE_ROUNDS_SCHEMA = (
    ROUNDS_TABLES_SQL
    + """
CREATE TRIGGER IF NOT EXISTS round_log_is_append_only_u BEFORE UPDATE ON round_log
BEGIN SELECT RAISE(ABORT, 'round log is append-only'); END;
CREATE TRIGGER IF NOT EXISTS round_log_is_append_only_d BEFORE DELETE ON round_log
BEGIN SELECT RAISE(ABORT, 'round log is append-only'); END;
CREATE TRIGGER IF NOT EXISTS round_decisions_are_kept_u BEFORE UPDATE ON round_decisions
BEGIN SELECT RAISE(ABORT, 'decisions are never changed'); END;
CREATE TRIGGER IF NOT EXISTS round_decisions_are_kept_d BEFORE DELETE ON round_decisions
BEGIN SELECT RAISE(ABORT, 'decisions are never changed'); END;
"""
    + SQLITE_DUBAN_TRIGGERS
)

# Needs zhenggai_refuse() from the main PostgreSQL schema, which runs first.
POSTGRES_ROUNDS_SCHEMA = (
    ROUNDS_TABLES_SQL
    + """
CREATE OR REPLACE TRIGGER round_log_is_append_only BEFORE UPDATE OR DELETE ON round_log
FOR EACH ROW EXECUTE FUNCTION zhenggai_refuse('round log is append-only');
CREATE OR REPLACE TRIGGER round_decisions_are_kept BEFORE UPDATE OR DELETE ON round_decisions
FOR EACH ROW EXECUTE FUNCTION zhenggai_refuse('decisions are never changed');
"""
    + POSTGRES_DUBAN_TRIGGERS
)

# table -> columns, in an order where every reference points backwards.
ROUND_TABLES: MappingProxyType[str, tuple[str, ...]] = MappingProxyType(
    {
        "rounds": (
            "id",
            "name",
            "as_of",
            "due",
            "basis_version",
            "require_approval",
            "opened_by",
            "opened_at",
            "closed_at",
            "merged_upto",
        ),
        "round_drafts": (
            "round_id",
            "unit",
            "task_id",
            "content",
            "revision",
            "updated_by",
            "updated_at",
        ),
        "round_submissions": (
            "id",
            "round_id",
            "unit",
            "revision",
            "content",
            "submitted_by",
            "submitted_at",
            "channel",
            "state",
        ),
        "round_decisions": ("id", "submission_id", "task_id", "kind", "actor", "at", "comment"),
        "round_evidence": (
            "id",
            "round_id",
            "unit",
            "task_id",
            "sha256",
            "name",
            "mime",
            "size",
            "added_by",
            "added_at",
            "removed_at",
        ),
        "round_resolutions": ("round_id", "field", "unit", "actor", "at"),
        "round_log": ("id", "round_id", "at", "actor", "action", "unit", "task_id", "detail"),
        "notify_outbox": (
            "id",
            "dedup",
            "event",
            "round_id",
            "unit",
            "subject",
            "day",
            "link",
            "channel",
            "recipient",
            "state",
            "attempts",
            "next_at",
            "lease_until",
            "claim",
            "created_at",
            "sent_at",
            "last_error",
        ),
        "duban_notices": DUBAN_COLUMNS,
    }
)
