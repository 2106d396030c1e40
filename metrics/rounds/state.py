"""Where each unit's report stands, derived from submissions and decisions (nothing
here writes): the tasks already accepted, each item's decision, the unit's state."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from metrics.rounds import repository as repo
from metrics.rounds.model import (
    Accepted,
    Decision,
    DecisionKind,
    Draft,
    Submission,
    SubmissionState,
    UnitState,
)
from metrics.store.backend import Connection

ITEM_KINDS = (DecisionKind.ACCEPT, DecisionKind.RETURN)


def item_decisions(db: Connection, submission_id: int) -> dict[int, Decision]:
    """task id → the office's decision on that item of the submission."""
    rows = db.execute(
        "SELECT * FROM round_decisions WHERE submission_id = ? AND task_id IS NOT NULL ORDER BY id",
        (submission_id,),
    ).fetchall()
    found: dict[int, Decision] = {}
    for row in rows:
        decision = repo.decision_of(row)
        if decision.task_id is not None and decision.kind in ITEM_KINDS:
            found[decision.task_id] = decision
    return found


def accepted_tasks(db: Connection, round_id: int, unit: str) -> set[int]:
    """Tasks whose report by ``unit`` the office accepted in this round (locked)."""
    rows = db.execute(
        "SELECT d.task_id FROM round_decisions d JOIN round_submissions s"
        " ON s.id = d.submission_id WHERE s.round_id = ? AND s.unit = ? AND d.kind = ?",
        (round_id, unit, DecisionKind.ACCEPT.value),
    ).fetchall()
    return {int(r["task_id"]) for r in rows}


def accepted_reports(
    submissions: Sequence[Submission], decisions: Sequence[Decision]
) -> list[Accepted]:
    """Every accepted task report of a round, in the order it was accepted, with the
    office's decision on an extension it asked for."""
    by_id = {s.id: s for s in submissions}
    extensions = {
        (d.submission_id, d.task_id): d.kind.extension
        for d in decisions
        if d.kind.extension is not None
    }
    found: list[Accepted] = []
    for decision in decisions:
        if decision.kind is not DecisionKind.ACCEPT or decision.task_id is None:
            continue
        submission = by_id[decision.submission_id]
        report = submission.item(decision.task_id)
        if report is not None:
            extension = extensions.get((decision.submission_id, decision.task_id))
            found.append(Accepted(decision, submission, report, extension))
    return found


def unit_state(
    drafts: Sequence[Draft], submissions: Sequence[Submission], decisions: Sequence[Decision]
) -> UnitState:
    """One unit's state in a round (its own drafts, submissions and their decisions)."""
    live = [s for s in submissions if s.state is not SubmissionState.SUPERSEDED]
    if not live:
        return (
            UnitState.DRAFT if any(not d.report.empty for d in drafts) else UnitState.NOT_REPORTED
        )
    latest = live[-1]
    if latest.state is SubmissionState.AWAITING_HEAD:
        return UnitState.AWAITING_HEAD
    if latest.state is SubmissionState.HEAD_RETURNED:
        return UnitState.RETURNED
    mine = {
        d.task_id: d
        for d in decisions
        if d.submission_id == latest.id and d.task_id is not None and d.kind in ITEM_KINDS
    }
    if any(d.kind is DecisionKind.RETURN for d in mine.values()):
        return UnitState.RETURNED
    if len(mine) == len(latest.items):
        return UnitState.ACCEPTED
    return UnitState.SUBMITTED


@dataclass(frozen=True, slots=True)
class UnitOverview:
    """One unit's round at a glance: its state, submissions and the decisions on them."""

    state: UnitState
    submissions: tuple[Submission, ...]
    decisions: tuple[Decision, ...]  # on this unit's submissions, oldest first

    @property
    def accepted(self) -> dict[int, Decision]:
        """task id → the office's acceptance (the task is locked for the round)."""
        return {
            d.task_id: d
            for d in self.decisions
            if d.kind is DecisionKind.ACCEPT and d.task_id is not None
        }

    @property
    def latest(self) -> Submission | None:
        live = [s for s in self.submissions if s.state is not SubmissionState.SUPERSEDED]
        return live[-1] if live else None

    @property
    def returned(self) -> dict[int | None, Decision]:
        """Returns on the latest submission: task id (None: by the unit's leader) →
        the decision with its comment."""
        latest = self.latest
        if latest is None:
            return {}
        return {
            d.task_id: d
            for d in self.decisions
            if d.submission_id == latest.id
            and d.kind in (DecisionKind.RETURN, DecisionKind.HEAD_RETURN)
        }
