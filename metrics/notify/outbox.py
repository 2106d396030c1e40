"""The queue of reminders (table ``notify_outbox`` of the versions database, either backend).

A row is one message to one recipient: an e-mail address, or a group robot named
``unit:<unit>`` or ``group`` (its address, which carries its token, stays in the
settings). ``dedup`` (the event and the recipient) is unique: an event queued twice is
still sent once. States: ``queued`` → ``sending`` (claimed by one sender, with a lease)
→ ``sent``, or back to ``queued`` with a later ``next_at`` after a failure, or
``failed`` after the last retry (or when older than ``MAX_AGE``).

Rows are queued inside the write transaction of the action they tell of (ids are
``max + 1`` under that lock, as everywhere in the round tables). Claiming is atomic on
both backends: on SQLite in a ``BEGIN IMMEDIATE`` transaction, on PostgreSQL by one
``UPDATE … FOR UPDATE SKIP LOCKED`` statement (never waiting for a publish), so two
senders never take the same row; each finishes only a row it still holds.
"""

from __future__ import annotations

import contextlib
import datetime
import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from metrics.notify.message import EventKind, Notice
from metrics.store.backend import Connection, Database

MAX_AGE = datetime.timedelta(days=2)  # never send a reminder queued longer ago than this
COLUMNS = (
    "id, dedup, event, round_id, unit, subject, day, link, channel, recipient, state, attempts,"
    " next_at, lease_until, claim, created_at, sent_at, last_error"
)


class State(enum.StrEnum):
    QUEUED = "queued"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"

    @property
    def label(self) -> str:
        return {"queued": "待发送", "sending": "发送中", "sent": "已发送", "failed": "发送失败"}[
            self.value
        ]


class Channel(enum.StrEnum):
    MAIL = "mail"
    WEBHOOK = "webhook"


@dataclass(frozen=True, slots=True)
class Outgoing:
    """One message to one recipient, to be queued."""

    key: str  # the event: "opened:3:区教育局", "decision:17", "duban:5" …
    notice: Notice
    channel: Channel
    recipient: str  # an e-mail address, or "unit:<name>" / "group" for a robot
    round_id: int | None = None

    @property
    def dedup(self) -> str:
        return f"{self.key}|{self.channel}:{self.recipient}"


@dataclass(frozen=True, slots=True)
class Row:
    id: int
    dedup: str
    notice: Notice
    round_id: int | None
    channel: Channel
    recipient: str
    state: State
    attempts: int
    next_at: str
    lease_until: str | None
    claim: str | None
    created_at: str
    sent_at: str | None
    last_error: str

    @property
    def recipient_label(self) -> str:
        """The recipient as the office reads it (a robot by whose it is)."""
        if self.channel is Channel.MAIL:
            return self.recipient
        if self.recipient == "group":
            return "群机器人（工作群）"
        return f"群机器人（{self.recipient.removeprefix('unit:')}）"


def iso(moment: datetime.datetime) -> str:
    """As the round tables write time: ISO, UTC, seconds."""
    return moment.astimezone(datetime.UTC).isoformat(timespec="seconds")


def enqueue(db: Connection, messages: Iterable[Outgoing], now: datetime.datetime) -> int:
    """Queue each message not queued before (inside the caller's write transaction);
    the number queued."""
    at = iso(now)
    queued = 0
    for message in messages:
        seen = db.execute("SELECT 1 AS seen FROM notify_outbox WHERE dedup = ?", (message.dedup,))
        if seen.fetchone() is not None:
            continue
        row = db.execute("SELECT COALESCE(MAX(id), 0) + 1 AS next FROM notify_outbox").fetchone()
        n = message.notice
        db.execute(
            f"INSERT INTO notify_outbox ({COLUMNS}) VALUES"
            " (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                int(row["next"]),
                message.dedup,
                n.kind.value,
                message.round_id,
                n.unit,
                n.subject,
                n.day.isoformat(),
                n.link,
                message.channel.value,
                message.recipient,
                State.QUEUED.value,
                0,
                at,
                None,
                None,
                at,
                None,
                "",
            ),
        )
        queued += 1
    return queued


_WAITING = "(state = 'queued' AND next_at <= ?) OR (state = 'sending' AND lease_until <= ?)"


class Outbox:
    """The queue in one store's versions database. On PostgreSQL every change is one
    statement outside the store's write lock (row locks suffice), so sending never
    waits for a publish and a publish never waits for a mail server."""

    def __init__(self, db: Database, *, postgres: bool) -> None:
        self.db = db
        self.postgres = postgres

    def _writing(self) -> contextlib.AbstractContextManager[Connection]:
        return self.db.reading() if self.postgres else self.db.transaction()

    def claim(self, now: datetime.datetime, lease: datetime.timedelta, token: str) -> Row | None:
        """Take the next message that is due (or whose sender's lease ran out) for ``token``."""
        at, until = iso(now), iso(now + lease)
        if self.postgres:
            with self.db.reading() as conn:  # one statement; rows another sender holds are skipped
                found = conn.execute(
                    "UPDATE notify_outbox SET state = 'sending', claim = ?, lease_until = ?"
                    f" WHERE id = (SELECT id FROM notify_outbox WHERE {_WAITING}"
                    " ORDER BY next_at, id LIMIT 1 FOR UPDATE SKIP LOCKED)"
                    f" RETURNING {COLUMNS}",
                    (token, until, at, at),
                ).fetchone()
            return row_of(found) if found is not None else None
        with self.db.transaction() as conn:  # BEGIN IMMEDIATE: one claimer at a time
            found = conn.execute(
                f"SELECT id FROM notify_outbox WHERE {_WAITING} ORDER BY next_at, id LIMIT 1",
                (at, at),
            ).fetchone()
            if found is None:
                return None
            conn.execute(
                "UPDATE notify_outbox SET state = 'sending', claim = ?, lease_until = ?"
                " WHERE id = ?",
                (token, until, found["id"]),
            )
            row = conn.execute(
                f"SELECT {COLUMNS} FROM notify_outbox WHERE id = ?", (found["id"],)
            ).fetchone()
        return row_of(row)

    def finish(
        self,
        row: Row,
        token: str,
        *,
        state: State,
        attempts: int,
        next_at: str,
        sent_at: str | None = None,
        error: str = "",
    ) -> bool:
        """Record the outcome of a claimed row; False when the claim was lost meanwhile."""
        with self._writing() as conn:
            done = conn.execute(
                "UPDATE notify_outbox SET state = ?, attempts = ?, next_at = ?,"
                " lease_until = NULL, claim = NULL, sent_at = ?, last_error = ?"
                " WHERE id = ? AND claim = ? AND state = 'sending'",
                (state.value, attempts, next_at, sent_at, error, row.id, token),
            )
            return done.rowcount == 1

    def expire(self, now: datetime.datetime) -> int:
        """Give up on messages queued more than ``MAX_AGE`` ago (e.g. after a restore)."""
        with self._writing() as conn:
            done = conn.execute(
                "UPDATE notify_outbox SET state = 'failed', lease_until = NULL, claim = NULL,"
                " last_error = ? WHERE created_at < ? AND (state = 'queued'"
                " OR (state = 'sending' AND lease_until <= ?))",
                (f"超过 {MAX_AGE.days} 天未能发送，已不再发送", iso(now - MAX_AGE), iso(now)),
            )
            return done.rowcount

    def retry_failed(self, now: datetime.datetime, row_id: int | None = None) -> int:
        """Queue failed messages again (all, or one) as new ones: attempts from zero."""
        sql = (
            "UPDATE notify_outbox SET state = 'queued', attempts = 0, next_at = ?,"
            " created_at = ? WHERE state = 'failed'"
        )
        params: list[object] = [iso(now), iso(now)]
        if row_id is not None:
            sql += " AND id = ?"
            params.append(row_id)
        with self._writing() as conn:
            return conn.execute(sql, params).rowcount

    def rows(self, states: Sequence[State], limit: int = 200) -> list[Row]:
        """Rows in ``states``, newest first."""
        marks = ", ".join("?" for _ in states)
        with self.db.reading() as conn:
            found = conn.execute(
                f"SELECT {COLUMNS} FROM notify_outbox WHERE state IN ({marks})"
                f" ORDER BY id DESC LIMIT {int(limit)}",
                [s.value for s in states],
            ).fetchall()
        return [row_of(r) for r in found]

    def counts(self) -> dict[State, int]:
        with self.db.reading() as conn:
            found = conn.execute(
                "SELECT state, COUNT(*) AS n FROM notify_outbox GROUP BY state"
            ).fetchall()
        by_state = {str(r["state"]): int(r["n"]) for r in found}
        return {state: by_state.get(state.value, 0) for state in State}


def row_of(row: Any) -> Row:
    return Row(
        int(row["id"]),
        str(row["dedup"]),
        Notice(
            EventKind(str(row["event"])),
            str(row["subject"]),
            str(row["unit"]),
            datetime.date.fromisoformat(str(row["day"])),
            str(row["link"]),
        ),
        int(row["round_id"]) if row["round_id"] is not None else None,
        Channel(str(row["channel"])),
        str(row["recipient"]),
        State(str(row["state"])),
        int(row["attempts"]),
        str(row["next_at"]),
        str(row["lease_until"]) if row["lease_until"] is not None else None,
        str(row["claim"]) if row["claim"] is not None else None,
        str(row["created_at"]),
        str(row["sent_at"]) if row["sent_at"] is not None else None,
        str(row["last_error"]),
    )
