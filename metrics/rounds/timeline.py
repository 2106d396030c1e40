"""A task's history across rounds, for its page: each report (round, unit, who, when,
how), its 进展 text and figures, its evidence, and the decisions on it, with comments.

Who sees what: the office and leaders see every submission; a unit's own accounts see
their unit's; everyone else (an anonymous visitor where viewing is open) sees only the
reports the office accepted, as published, and never the evidence files themselves.
"""

from __future__ import annotations

from dataclasses import dataclass

from metrics.rounds import repository as repo
from metrics.rounds.model import Decision, Evidence, Round, Submission, TaskReport
from metrics.rounds.roles import Principal, may_see_unit
from metrics.store.backend import Database


@dataclass(frozen=True, slots=True)
class TimelineEntry:
    round: Round
    submission: Submission
    report: TaskReport
    evidence: tuple[Evidence, ...]
    decisions: tuple[Decision, ...]  # the office's on this task, the unit leader's on the whole

    @property
    def accepted(self) -> bool:
        return any(d.kind.value == "accept" for d in self.decisions)


def task_timeline(db: Database, who: Principal | None, task_id: int) -> list[TimelineEntry]:
    """Oldest first: every report on ``task_id`` that ``who`` may see."""
    entries: list[TimelineEntry] = []
    with db.reading() as conn:
        rounds = list(reversed(repo.all_rounds(conn)))
        for round_ in rounds:
            submissions = repo.submissions(conn, round_.id)
            decisions = repo.decisions(conn, round_.id)
            evidence = {e.id: e for e in repo.evidence(conn, round_.id)}
            for submission in submissions:
                report = submission.item(task_id)
                if report is None:
                    continue
                mine = tuple(
                    d
                    for d in decisions
                    if d.submission_id == submission.id and d.task_id in (None, task_id)
                )
                entry = TimelineEntry(
                    round_,
                    submission,
                    report,
                    tuple(evidence[e] for e in report.evidence if e in evidence),
                    mine,
                )
                if (who is not None and may_see_unit(who, submission.unit)) or entry.accepted:
                    entries.append(entry)
    return entries
