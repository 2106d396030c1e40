"""上期 from a store: which version it is (``metrics.periods.basis``) and its figures,
with the 督办 colours as they stood then (``version_moment``: the rounds facts at the
moment a round opened on it, or when it was published)."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Mapping

from metrics.periods.basis import Basis, EarlierVersion, chain_basis, round_basis
from metrics.periods.figures import Comparison, PeriodFigures, period_figures
from metrics.rounds import repository as repo
from metrics.scoring.progress import Scored
from metrics.store.versions import Store, Version
from metrics.supervision.facts import rounds_facts
from metrics.supervision.model import TaskWarning
from metrics.supervision.rules import colours

# How far back the audit chain is walked for an earlier 数据截至 date.
MAX_CHAIN = 24

Loader = Callable[[Version], Scored | None]


def basis_in_store(
    store: Store, version_id: int, as_of: datetime.date, load: Loader
) -> Basis | None:
    """上期 of version ``version_id`` (as-of date ``as_of``); ``load`` reads a version
    (None when it cannot be read: skipped)."""
    with store.backend.versions.reading() as conn:
        rounds = repo.all_rounds(conn)
    found = round_basis(version_id, rounds)
    if found is not None:
        return found
    chain: list[EarlierVersion] = []
    seen = {version_id}
    cursor = store.previous_of(version_id)
    while cursor is not None and cursor.id not in seen and len(seen) <= MAX_CHAIN:
        seen.add(cursor.id)
        scored = load(cursor)
        if scored is not None:
            chain.append(EarlierVersion(cursor.id, scored.meta.as_of))
            if scored.meta.as_of < as_of:
                break
        cursor = store.previous_of(cursor.id)
    return chain_basis(as_of, chain)


def version_moment(store: Store, version_id: int, now: datetime.datetime) -> datetime.datetime:
    """When version ``version_id`` stood, for its colours: ``now`` while it is current;
    else when the latest round opened on it (上期 by round); else when it was published."""
    current = store.current()
    if current is not None and current.id == version_id:
        return now
    with store.backend.versions.reading() as conn:
        opened_on = [r for r in repo.all_rounds(conn) if r.basis_version == version_id]
    if opened_on:
        return _moment(max(opened_on, key=lambda r: r.id).opened_at)
    version = store.version(version_id)
    return _moment(version.created_at) if version is not None else now


def version_figures(
    store: Store, version_id: int, scored: Scored, now: datetime.datetime
) -> PeriodFigures:
    """A version's figures, its colours with the rounds facts of ``version_moment``."""
    moment = version_moment(store, version_id, now)
    facts = rounds_facts(store.backend.versions, scored.dataset, moment)
    return period_figures(scored, colours(scored, facts))


def figures_then(
    store: Store, basis: Basis, load: Loader, now: datetime.datetime
) -> PeriodFigures | None:
    """上期's figures (None: the version cannot be read)."""
    version = store.version(basis.version_id)
    scored = load(version) if version is not None else None
    if scored is None:
        return None
    return version_figures(store, basis.version_id, scored, now)


def compare_in_store(
    store: Store,
    version_id: int,
    scored: Scored,
    warnings: Mapping[int, TaskWarning],
    load: Loader,
    then: Callable[[Basis], PeriodFigures | None] | None = None,
) -> Comparison | None:
    """The version shown (``scored`` with its current ``warnings``) against 上期; None
    when there is no earlier state or it cannot be read. ``then`` gives 上期's figures
    (the dashboard's is cached per server); by default :func:`figures_then`, now."""
    basis = basis_in_store(store, version_id, scored.meta.as_of, load)
    if basis is None:
        return None
    if then is None:
        before = figures_then(store, basis, load, datetime.datetime.now(datetime.UTC))
    else:
        before = then(basis)
    if before is None:
        return None
    return Comparison(basis, before, period_figures(scored, warnings))


def _moment(iso: str) -> datetime.datetime:
    moment = datetime.datetime.fromisoformat(iso)
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=datetime.UTC)
