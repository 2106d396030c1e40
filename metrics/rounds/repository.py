"""SQL for the round tables (``metrics.store.rounds_schema``), on a connection of the
versions database of either backend. Writers call these inside one
``Database.transaction()`` (the write lock), so ids are ``max + 1`` without gaps and
every check-then-write is atomic."""

from __future__ import annotations

import datetime
import functools
from typing import Any

from metrics.rounds.model import (
    Decision,
    DecisionKind,
    Draft,
    Evidence,
    LogEntry,
    Round,
    Submission,
    SubmissionState,
    TaskReport,
    dump_reports,
    load_reports,
)
from metrics.store.backend import Connection


def next_id(db: Connection, table: str) -> int:
    row = db.execute(f"SELECT COALESCE(MAX(id), 0) + 1 AS next FROM {table}").fetchone()
    return int(row["next"])


# -- rounds ----------------------------------------------------------------------------------


def insert_round(db: Connection, r: Round) -> None:
    db.execute(
        "INSERT INTO rounds (id, name, as_of, due, basis_version, require_approval, opened_by,"
        " opened_at, closed_at, merged_upto) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            r.id,
            r.name,
            r.as_of.isoformat(),
            r.due.isoformat(),
            r.basis_version,
            int(r.require_approval),
            r.opened_by,
            r.opened_at,
            r.closed_at,
            r.merged_upto,
        ),
    )


def get_round(db: Connection, round_id: int) -> Round | None:
    row = db.execute("SELECT * FROM rounds WHERE id = ?", (round_id,)).fetchone()
    return _round(row) if row else None


def all_rounds(db: Connection) -> list[Round]:
    """Newest first."""
    return [_round(r) for r in db.execute("SELECT * FROM rounds ORDER BY id DESC").fetchall()]


def open_round(db: Connection) -> Round | None:
    row = db.execute(
        "SELECT * FROM rounds WHERE closed_at IS NULL ORDER BY id DESC LIMIT 1"
    ).fetchone()
    return _round(row) if row else None


def close_round(db: Connection, round_id: int, at: str) -> None:
    db.execute("UPDATE rounds SET closed_at = ? WHERE id = ?", (at, round_id))


def set_merged_upto(db: Connection, round_id: int, decision_id: int) -> None:
    db.execute("UPDATE rounds SET merged_upto = ? WHERE id = ?", (decision_id, round_id))


def _round(row: Any) -> Round:
    return Round(
        int(row["id"]),
        str(row["name"]),
        datetime.date.fromisoformat(str(row["as_of"])),
        datetime.date.fromisoformat(str(row["due"])),
        int(row["basis_version"]),
        bool(row["require_approval"]),
        str(row["opened_by"]),
        str(row["opened_at"]),
        str(row["closed_at"]) if row["closed_at"] is not None else None,
        int(row["merged_upto"]),
    )


# -- drafts ----------------------------------------------------------------------------------


def drafts(db: Connection, round_id: int, unit: str | None = None) -> list[Draft]:
    if unit is None:
        rows = db.execute(
            "SELECT * FROM round_drafts WHERE round_id = ? ORDER BY unit, task_id", (round_id,)
        ).fetchall()
    else:
        rows = db.execute(
            "SELECT * FROM round_drafts WHERE round_id = ? AND unit = ? ORDER BY task_id",
            (round_id, unit),
        ).fetchall()
    return [_draft(r) for r in rows]


def get_draft(db: Connection, round_id: int, unit: str, task_id: int) -> Draft | None:
    row = db.execute(
        "SELECT * FROM round_drafts WHERE round_id = ? AND unit = ? AND task_id = ?",
        (round_id, unit, task_id),
    ).fetchone()
    return _draft(row) if row else None


def put_draft(db: Connection, d: Draft) -> None:
    content = dump_reports((d.report,))
    db.execute(
        "INSERT INTO round_drafts (round_id, unit, task_id, content, revision, updated_by,"
        " updated_at) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (round_id, unit, task_id)"
        " DO UPDATE SET content = excluded.content, revision = excluded.revision,"
        " updated_by = excluded.updated_by, updated_at = excluded.updated_at",
        (d.round_id, d.unit, d.report.task_id, content, d.revision, d.updated_by, d.updated_at),
    )


def _draft(row: Any) -> Draft:
    (report,) = load_reports(str(row["content"]))
    return Draft(
        int(row["round_id"]),
        str(row["unit"]),
        report,
        int(row["revision"]),
        str(row["updated_by"]),
        str(row["updated_at"]),
    )


# -- submissions -----------------------------------------------------------------------------


def submissions(db: Connection, round_id: int, unit: str | None = None) -> list[Submission]:
    """Oldest first."""
    if unit is None:
        rows = db.execute(
            "SELECT * FROM round_submissions WHERE round_id = ? ORDER BY id", (round_id,)
        ).fetchall()
    else:
        rows = db.execute(
            "SELECT * FROM round_submissions WHERE round_id = ? AND unit = ? ORDER BY id",
            (round_id, unit),
        ).fetchall()
    return [_submission(r) for r in rows]


def get_submission(db: Connection, submission_id: int) -> Submission | None:
    row = db.execute("SELECT * FROM round_submissions WHERE id = ?", (submission_id,)).fetchone()
    return _submission(row) if row else None


def insert_submission(db: Connection, s: Submission) -> None:
    db.execute(
        "INSERT INTO round_submissions (id, round_id, unit, revision, content, submitted_by,"
        " submitted_at, channel, state) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            s.id,
            s.round_id,
            s.unit,
            s.revision,
            dump_reports(s.items),
            s.submitted_by,
            s.submitted_at,
            s.channel,
            s.state.value,
        ),
    )


def set_submission_state(db: Connection, submission_id: int, state: SubmissionState) -> None:
    db.execute("UPDATE round_submissions SET state = ? WHERE id = ?", (state.value, submission_id))


def _submission(row: Any) -> Submission:
    return Submission(
        int(row["id"]),
        int(row["round_id"]),
        str(row["unit"]),
        int(row["revision"]),
        _submitted_items(str(row["content"])),
        str(row["submitted_by"]),
        str(row["submitted_at"]),
        str(row["channel"]),
        SubmissionState(str(row["state"])),
    )


@functools.lru_cache(maxsize=1024)
def _submitted_items(content: str) -> tuple[TaskReport, ...]:
    """A submission's reports, parsed once per process: its content never changes once
    written (only its state does), and pages read every submission of the latest rounds
    on each rerun (the office's queue, the rounds facts behind the 督办 colours). A
    bounded memo of a pure function of the stored text; the reports are immutable."""
    return load_reports(content)


# -- decisions -------------------------------------------------------------------------------


def decisions(db: Connection, round_id: int) -> list[Decision]:
    """Every decision of a round, oldest first."""
    rows = db.execute(
        "SELECT d.* FROM round_decisions d JOIN round_submissions s ON s.id = d.submission_id"
        " WHERE s.round_id = ? ORDER BY d.id",
        (round_id,),
    ).fetchall()
    return [decision_of(r) for r in rows]


def insert_decision(db: Connection, d: Decision) -> None:
    db.execute(
        "INSERT INTO round_decisions (id, submission_id, task_id, kind, actor, at, comment)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        (d.id, d.submission_id, d.task_id, d.kind.value, d.actor, d.at, d.comment),
    )


def decision_of(row: Any) -> Decision:
    return Decision(
        int(row["id"]),
        int(row["submission_id"]),
        int(row["task_id"]) if row["task_id"] is not None else None,
        DecisionKind(str(row["kind"])),
        str(row["actor"]),
        str(row["at"]),
        str(row["comment"]),
    )


# -- evidence --------------------------------------------------------------------------------


def evidence(
    db: Connection, round_id: int | None = None, unit: str | None = None
) -> list[Evidence]:
    """Evidence records (removed ones too), oldest first; of one round or of all."""
    sql, params = "SELECT * FROM round_evidence", list[object]()
    where: list[str] = []
    if round_id is not None:
        where.append("round_id = ?")
        params.append(round_id)
    if unit is not None:
        where.append("unit = ?")
        params.append(unit)
    if where:
        sql += " WHERE " + " AND ".join(where)
    rows = db.execute(sql + " ORDER BY id", params).fetchall()
    return [_evidence(r) for r in rows]


def get_evidence(db: Connection, evidence_id: int) -> Evidence | None:
    row = db.execute("SELECT * FROM round_evidence WHERE id = ?", (evidence_id,)).fetchone()
    return _evidence(row) if row else None


def insert_evidence(db: Connection, e: Evidence) -> None:
    db.execute(
        "INSERT INTO round_evidence (id, round_id, unit, task_id, sha256, name, mime, size,"
        " added_by, added_at, removed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            e.id,
            e.round_id,
            e.unit,
            e.task_id,
            e.sha256,
            e.name,
            e.mime,
            e.size,
            e.added_by,
            e.added_at,
            e.removed_at,
        ),
    )


def remove_evidence(db: Connection, evidence_id: int, at: str) -> None:
    db.execute("UPDATE round_evidence SET removed_at = ? WHERE id = ?", (at, evidence_id))


def _evidence(row: Any) -> Evidence:
    return Evidence(
        int(row["id"]),
        int(row["round_id"]),
        str(row["unit"]),
        int(row["task_id"]),
        str(row["sha256"]),
        str(row["name"]),
        str(row["mime"]),
        int(row["size"]),
        str(row["added_by"]),
        str(row["added_at"]),
        str(row["removed_at"]) if row["removed_at"] is not None else None,
    )


# -- conflict resolutions and the log --------------------------------------------------------


def resolutions(db: Connection, round_id: int) -> dict[str, str]:
    rows = db.execute(
        "SELECT field, unit FROM round_resolutions WHERE round_id = ?", (round_id,)
    ).fetchall()
    return {str(r["field"]): str(r["unit"]) for r in rows}


def put_resolution(
    db: Connection, round_id: int, field: str, unit: str, actor: str, at: str
) -> None:
    db.execute(
        "INSERT INTO round_resolutions (round_id, field, unit, actor, at) VALUES (?, ?, ?, ?, ?)"
        " ON CONFLICT (round_id, field) DO UPDATE SET unit = excluded.unit,"
        " actor = excluded.actor, at = excluded.at",
        (round_id, field, unit, actor, at),
    )


def log(
    db: Connection,
    round_id: int,
    at: str,
    actor: str,
    action: str,
    unit: str = "",
    task_id: int | None = None,
    detail: str = "",
) -> None:
    db.execute(
        "INSERT INTO round_log (id, round_id, at, actor, action, unit, task_id, detail)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (next_id(db, "round_log"), round_id, at, actor, action, unit, task_id, detail),
    )


def log_entries(db: Connection, round_id: int | None = None) -> list[LogEntry]:
    if round_id is None:
        rows = db.execute("SELECT * FROM round_log ORDER BY id").fetchall()
    else:
        rows = db.execute(
            "SELECT * FROM round_log WHERE round_id = ? ORDER BY id", (round_id,)
        ).fetchall()
    return [
        LogEntry(
            int(r["id"]),
            int(r["round_id"]),
            str(r["at"]),
            str(r["actor"]),
            str(r["action"]),
            str(r["unit"]),
            int(r["task_id"]) if r["task_id"] is not None else None,
            str(r["detail"]),
        )
        for r in rows
    ]


# -- what changed ----------------------------------------------------------------------------


def fingerprint(db: Connection, round_id: int) -> tuple[int, ...]:
    """Changes with every write to the round tables that a page derives anything from,
    in one query over indexes and the small rounds table: rounds opened, closed or merged;
    a submission, decision, evidence file or log entry added (ids only grow; every
    change of a submission's state comes with a new submission or decision, every other
    update with a log entry); a draft of ``round_id`` saved (its revision grows)."""
    row = db.execute(
        "SELECT"
        " (SELECT COUNT(*) FROM rounds) AS rounds,"
        " (SELECT COUNT(closed_at) FROM rounds) AS closed,"
        " (SELECT COALESCE(SUM(merged_upto), 0) FROM rounds) AS merged,"
        " (SELECT COALESCE(MAX(id), 0) FROM round_submissions) AS submissions,"
        " (SELECT COALESCE(MAX(id), 0) FROM round_decisions) AS decisions,"
        " (SELECT COALESCE(MAX(id), 0) FROM round_evidence) AS evidence,"
        " (SELECT COALESCE(MAX(id), 0) FROM round_log) AS log,"
        " (SELECT COUNT(*) FROM round_drafts WHERE round_id = ?) AS drafts,"
        " (SELECT COALESCE(SUM(revision), 0) FROM round_drafts WHERE round_id = ?) AS revisions",
        (round_id, round_id),
    ).fetchone()
    names = ("rounds", "closed", "merged", "submissions", "decisions", "evidence", "log")
    return tuple(int(row[name]) for name in (*names, "drafts", "revisions"))
