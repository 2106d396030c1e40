"""The facts of reporting rounds the yellow and red rules read, from the round tables:
per round, the units that had not reported by the due date, and the tasks whose 销号
request was returned. ``round_facts`` is pure; ``rounds_facts`` reads the tables."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence

from metrics.contract import TaskStatus
from metrics.model import Dataset
from metrics.rounds import repository as repo
from metrics.rounds.model import Decision, DecisionKind, Round, Submission
from metrics.rounds.units import all_units, unit_key
from metrics.store.backend import Database
from metrics.store.versions import BEIJING
from metrics.supervision.model import RoundFacts, RoundsFacts
from metrics.supervision.settings import RED_ROUNDS_BOUNDS

# Enough rounds for the longest "yellow N rounds in a row" a setting allows.
MAX_ROUNDS_READ = RED_ROUNDS_BOUNDS.high


def round_facts(
    round_: Round,
    units: Iterable[str],
    submissions: Sequence[Submission],
    decisions: Sequence[Decision],
    today: datetime.date,
) -> RoundFacts:
    """One round's facts on ``today`` (Beijing date). A unit is late once the due date
    has passed when none of its submissions is dated (Beijing time) on or before it: a
    report sent late leaves the round late. A 销号 request is returned when the latest
    office decision on it (any unit's) is 退回."""
    late: frozenset[str] = frozenset()
    if today > round_.due:
        on_time = {
            unit_key(s.unit) for s in submissions if _beijing_day(s.submitted_at) <= round_.due
        }
        late = frozenset(u for u in units if unit_key(u) not in on_time)
    by_id = {s.id: s for s in submissions}
    latest: dict[int, DecisionKind] = {}
    for decision in sorted(decisions, key=lambda d: d.id):
        if decision.task_id is None or decision.kind not in (
            DecisionKind.ACCEPT,
            DecisionKind.RETURN,
        ):
            continue
        submission = by_id.get(decision.submission_id)
        item = submission.item(decision.task_id) if submission is not None else None
        if item is not None and item.status is TaskStatus.DONE:
            latest[decision.task_id] = decision.kind
    returned = frozenset(t for t, kind in latest.items() if kind is DecisionKind.RETURN)
    return RoundFacts(round_.name, round_.as_of, round_.due, late, returned)


def rounds_facts(
    db: Database, dataset: Dataset, now: datetime.datetime, *, last: int = MAX_ROUNDS_READ
) -> RoundsFacts:
    """The latest ``last`` rounds' facts as they stood at ``now``, oldest first, for the
    units of ``dataset``: rounds opened by then, submissions and decisions made by then
    (``now`` in the past: the facts of an earlier state, e.g. 上期)."""
    today = now.astimezone(BEIJING).date()
    units = all_units(dataset)
    found: list[RoundFacts] = []
    with db.reading() as conn:
        opened = [r for r in repo.all_rounds(conn) if _moment(r.opened_at) <= now]
        for r in reversed(opened[:last]):
            submissions = [
                s for s in repo.submissions(conn, r.id) if _moment(s.submitted_at) <= now
            ]
            decisions = [d for d in repo.decisions(conn, r.id) if _moment(d.at) <= now]
            found.append(round_facts(r, units, submissions, decisions, today))
    return RoundsFacts(tuple(found))


def _moment(iso: str) -> datetime.datetime:
    """An ISO timestamp of the round tables (UTC when it names no zone)."""
    moment = datetime.datetime.fromisoformat(iso)
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=datetime.UTC)


def _beijing_day(iso: str) -> datetime.date:
    return _moment(iso).astimezone(BEIJING).date()
