"""The computed picture as plain JSON-ready data (``python -m metrics summary``)."""

from __future__ import annotations

import datetime
from collections.abc import Mapping

from metrics.model import ProgressEntry
from metrics.scoring.progress import IndicatorProgress, Scored, TaskProgress
from metrics.scoring.rollup import (
    Completion,
    Group,
    by_category,
    by_lead_unit,
    by_problem,
    overall,
    tally,
)
from metrics.supervision.model import RoundsFacts, TaskWarning
from metrics.supervision.ranking import unit_ranking
from metrics.supervision.rules import active_rules, colour_counts, colours, effective_settings
from metrics.supervision.settings import SupervisionSettings
from metrics.values.formatting import format_number
from metrics.values.qualifiers import Qualifier

JSONValue = None | bool | int | float | str | list["JSONValue"] | dict[str, "JSONValue"]

_DIGITS = 6  # floats are rounded so the output is stable and readable


def summarise(
    scored: Scored,
    facts: RoundsFacts | None = None,
    settings: SupervisionSettings | None = None,
) -> dict[str, JSONValue]:
    """Everything computed; ``facts`` and ``settings`` feed the supervision colours
    (None: no rounds, the deployment's settings)."""
    meta = scored.meta
    whole = overall(scored)
    rules = effective_settings(scored, settings)
    warnings = colours(scored, facts, rules)
    return {
        "meta": {
            "title": meta.title,
            "organisation": meta.organisation,
            "as_of": _day(meta.as_of),
            "feedback_date": _day(meta.feedback_date),
            "reported_total": meta.reported_total,
            "reported_completed": meta.reported_completed,
        },
        "overall": {
            **_completion(whole.completion),
            "indicators": {str(k): v for k, v in whole.indicator_statuses.items()},
            "colours": {str(k): v for k, v in whole.colours.items()},
        },
        "counting": {
            "ongoing_as_done": scored.counting.ongoing_as_done,
            "rule": scored.counting.rule_text,
        },
        "supervision": {
            "settings": {
                "blue_days": rules.blue_days,
                "red_after_yellow_rounds": rules.red_after_yellow_rounds,
                "yellow_behind": rules.yellow_behind,
                "yellow_late_report": rules.yellow_late_report,
                "yellow_returned_close": rules.yellow_returned_close,
            },
            "rules": list(active_rules(rules, scored.counting)),
            "counts": {str(k): v for k, v in colour_counts(warnings).items()},
            "rounds": facts is not None and bool(facts.rounds),
        },
        "categories": [_group(g) for g in by_category(scored)],
        "problems": [_group(g) for g in by_problem(scored)],
        "lead_units": [_group(g) for g in by_lead_unit(scored)],
        "unit_ranking": [
            {
                "rank": r.rank,
                "name": r.group.key,
                "red": r.red,
                "yellow": r.yellow,
                "blue": r.blue,
                "total": r.group.completion.total,
                "completed": r.group.completion.completed,
                "rate": _num(r.group.completion.rate),
                "rate_text": rate_text(r.group.completion.rate),
            }
            for r in unit_ranking(scored, warnings)
        ],
        "tasks": [
            _task(tp, scored.dataset.progress_of(tp.task.id), warnings) for tp in scored.tasks
        ],
        "indicators": [_indicator(ip) for ip in scored.indicators],
    }


def rate_text(rate: float | None) -> str:
    """85.7% style, one decimal; "—" when undefined."""
    return "—" if rate is None else f"{rate * 100:.1f}%"


def _completion(c: Completion) -> dict[str, JSONValue]:
    counts = tally(c)
    return {
        "total": c.total,
        "completed": c.completed,
        "done": c.done,
        "ongoing": c.ongoing,
        "in_progress": c.in_progress,
        "not_started": c.not_started,
        "overdue": c.overdue,
        "rate": _num(c.rate),
        "rate_text": rate_text(c.rate),
        "basically_done": c.basically_done,
        "extension_requested": c.extension_requested,
        "unfinished": c.unfinished,
        "counts": [
            {"status": str(p.status) if p.status else None, "word": p.word, "count": p.count}
            for p in counts.parts
        ],
        "counts_text": counts.text(),
    }


def _group(g: Group) -> dict[str, JSONValue]:
    return {
        "name": g.key,
        **_completion(g.completion),
        "task_ids": list(g.task_ids),
        "indicators": {str(k): v for k, v in g.indicator_statuses.items() if v},
    }


def _task(
    tp: TaskProgress,
    progress: tuple[ProgressEntry, ...],
    warnings: Mapping[int, TaskWarning],
) -> dict[str, JSONValue]:
    t = tp.task
    warning = warnings.get(t.id)
    return {
        "id": t.id,
        "category": t.category,
        "problem": t.problem,
        "title": t.title,
        "status": str(t.status),
        "complete": tp.complete,
        "overdue": tp.overdue,
        "colour": str(tp.colour),
        "colour_reason": tp.reason,
        "lead_unit": t.lead_unit,
        "deadline": _day(t.deadline),
        "days_left": tp.days_left,
        "completed_on": _day(t.completed_on),
        "closed_on": _day(t.closed_on),
        "indicator_ids": [ip.indicator.id for ip in tp.indicators],
        "progress": [_progress(entry) for entry in progress],
        "extension_to": _day(t.extension_to),
        "extension_decision": str(t.extension_decision) if t.extension_decision else None,
        "effective_deadline": _day(t.effective_deadline),
        "warning": None
        if warning is None
        else {
            "colour": str(warning.colour),
            "symbol": warning.colour.symbol,
            "reasons": list(warning.reasons),
            "text": warning.text,
        },
    }


def _progress(entry: ProgressEntry) -> dict[str, JSONValue]:
    """One 进展 entry (oldest first within its task)."""
    return {
        "round": entry.round,
        "date": _day(entry.date),
        "text": entry.text,
        "unit": entry.unit,
        "evidence": entry.evidence,
        "note": entry.note,
    }


def _indicator(ip: IndicatorProgress) -> dict[str, JSONValue]:
    ind = ip.indicator
    latest = ip.latest
    return {
        "id": ind.id,
        "task_id": ind.task_id,
        "name": ind.name,
        "unit": ind.unit_symbol,
        "value": _num(ip.value),
        "value_text": (
            format_number(latest.value, ind.unit, latest.qualifier, latest.text) if latest else None
        ),
        "approximate": latest.approximate if latest else None,
        "qualifier": _qualifier(latest.qualifier) if latest else None,
        "date": _day(latest.date) if latest else None,
        "baseline": _num(ip.baseline),
        "baseline_date": _day(ip.baseline_date),
        "target": _num(ind.target),
        "target_date": _day(ind.target_date),
        "direction": str(ind.direction),
        "progress": _num(ip.progress),
        "expected_progress": _num(ip.expected),
        "status": str(ip.status),
        "reason": ip.reason,
        "trend": str(ip.trend) if ip.trend else None,
        "observations": len(ip.history),
        "source": ind.source,
    }


def _qualifier(qualifier: Qualifier | None) -> JSONValue:
    """ "6200余" -> {"word": "余", "sense": "more", "place": "after_number", "scale": ""}."""
    if qualifier is None:
        return None
    return {
        "word": qualifier.word,
        "sense": str(qualifier.sense),
        "place": str(qualifier.place),
        "scale": qualifier.scale,
    }


def _num(value: float | None) -> float | None:
    return None if value is None else round(value, _DIGITS)


def _day(value: datetime.date | None) -> str | None:
    return value.isoformat() if value is not None else None
