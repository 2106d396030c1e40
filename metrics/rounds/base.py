"""The base of ``RoundService``: the store, settings, clock, the current data, and the
helpers every operation shares. The operations are split by concern: ``service``
(rounds, drafts, submitting), ``reviewing`` (the unit leader's and the office's
decisions), ``evidence_files`` (evidence)."""

from __future__ import annotations

import datetime
from collections.abc import Callable

from metrics.model import Dataset, Task
from metrics.rounds import repository as repo
from metrics.rounds.evidence import EvidenceLimits
from metrics.rounds.model import (
    DecisionKind,
    Round,
)
from metrics.rounds.roles import (
    NotPermitted,
    Principal,
    may_see_unit,
)
from metrics.rounds.settings import RoundSettings
from metrics.rounds.units import find_unit, tasks_of_unit
from metrics.store.backend import Connection
from metrics.store.versions import Store, StoreError
from metrics.workbook.loader import load_workbook

Clock = Callable[[], datetime.datetime]


class RoundError(StoreError):
    """A refused round operation; ``str(error)`` is a Chinese message."""


class StaleRound(RoundError):
    """What the caller saw has changed meanwhile (someone decided or resubmitted)."""


def utc_now() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC)


class RoundBase:
    def __init__(
        self,
        store: Store,
        *,
        settings: RoundSettings | None = None,
        evidence_limits: EvidenceLimits | None = None,
        clock: Clock = utc_now,
    ) -> None:
        self.store = store
        self.db = store.backend.versions
        self.settings = settings or RoundSettings.from_env()[0]
        self.evidence_limits = evidence_limits or EvidenceLimits.from_env()[0]
        self.clock = clock
        self._datasets: dict[str, Dataset] = {}

    # -- the data the round works on ----------------------------------------------------------

    def dataset(self) -> Dataset:
        """The current version's data (cached per file)."""
        return self.current_data()[1]

    def current_data(self) -> tuple[str, Dataset]:
        """The current version's file (its SHA-256) and data (cached per file)."""
        version = self.store.current()
        if version is None:
            raise RoundError("存储中还没有任何版本：请先发布工作簿")
        cached = self._datasets.get(version.sha256)
        if cached is None:
            result = load_workbook(self.store.read(version))
            if result.dataset is None:
                raise RoundError(f"当前版本 v{version.id} 的数据有错误，无法填报")
            cached = result.dataset
            self._datasets = {version.sha256: cached}
        return version.sha256, cached

    def unit_name(self, name: str) -> str:
        """The unit as the data writes it; a clear error when it is not in the data."""
        found = find_unit(self.dataset(), name)
        if found is None:
            raise RoundError(f"单位“{name}”不在当前数据的牵头单位或责任单位中")
        return found

    def unit_tasks(self, unit: str) -> list[Task]:
        return tasks_of_unit(self.dataset(), unit)

    def _unit_task(self, unit: str, task_id: int) -> Task:
        task = next((t for t in self.unit_tasks(unit) if t.id == task_id), None)
        if task is None:
            raise NotPermitted(f"任务（{task_id}）不是“{unit}”牵头或参与的任务：不能填报")
        return task

    # -- internals ----------------------------------------------------------------------------

    def timestamp(self) -> str:
        """Now, as the round tables record it (ISO, UTC, from the service's clock)."""
        return self.clock().astimezone(datetime.UTC).isoformat(timespec="seconds")


def require_open(db: Connection, round_id: int) -> Round:
    found = repo.get_round(db, round_id)
    if found is None:
        raise RoundError(f"轮次 {round_id} 不存在")
    if not found.is_open:
        raise RoundError(f"轮次“{found.name}”已结束，不能再填报或审核")
    return found


def has_unmerged(db: Connection, r: Round) -> bool:
    return any(
        d.kind is DecisionKind.ACCEPT and d.id > r.merged_upto for d in repo.decisions(db, r.id)
    )


def require_may_see(who: Principal, unit: str) -> None:
    if not may_see_unit(who, unit):
        raise NotPermitted(f"{who.label}不能查看“{unit}”的填报内容和佐证材料")
