"""Evidence (佐证材料) of a unit's report: checked by content, stored content-addressed
with the published workbooks, attached to the draft, served only to those with rights."""

from __future__ import annotations

import hashlib
from dataclasses import replace

from metrics.rounds import repository as repo
from metrics.rounds.base import (
    RoundBase,
    RoundError,
    require_may_see,
    require_open,
)
from metrics.rounds.evidence import EvidenceRefused, check_evidence
from metrics.rounds.model import (
    Draft,
    Evidence,
    TaskReport,
)
from metrics.rounds.roles import (
    Principal,
    require_reporter,
)
from metrics.rounds.state import accepted_tasks


class EvidenceMixin(RoundBase):
    # -- evidence ------------------------------------------------------------------------------

    def add_evidence(
        self, who: Principal, round_id: int, unit: str, task_id: int, name: str, data: bytes
    ) -> Evidence:
        """Check a file by its content, store it content-addressed, attach it to the draft."""
        require_reporter(who, unit)
        self._unit_task(unit, task_id)
        with self.db.reading() as db:
            stored = sum(
                e.size
                for e in repo.evidence(db, round_id, unit)
                if e.task_id == task_id and e.removed_at is None
            )
        try:
            checked = check_evidence(name, data, self.evidence_limits, already_stored=stored)
        except EvidenceRefused as exc:
            raise RoundError(str(exc)) from None
        self.store.backend.files.put(checked.sha256, data)  # before the record refers to it
        now = self.timestamp()
        with self.db.transaction() as db:
            require_open(db, round_id)
            if task_id in accepted_tasks(db, round_id, unit):
                raise RoundError(f"任务（{task_id}）本轮已采纳，不能再添加佐证材料")
            record = Evidence(
                repo.next_id(db, "round_evidence"),
                round_id,
                unit,
                task_id,
                checked.sha256,
                checked.name,
                checked.mime,
                checked.size,
                who.name,
                now,
            )
            repo.insert_evidence(db, record)
            old = repo.get_draft(db, round_id, unit, task_id)
            report = old.report if old is not None else TaskReport(task_id)
            repo.put_draft(
                db,
                Draft(
                    round_id,
                    unit,
                    report.with_evidence((*report.evidence, record.id)),
                    (old.revision if old else 0) + 1,
                    who.name,
                    now,
                ),
            )
            repo.log(db, round_id, now, who.name, "上传佐证材料", unit, task_id, checked.name)
        return record

    def remove_evidence(self, who: Principal, evidence_id: int) -> None:
        now = self.timestamp()
        with self.db.transaction() as db:
            record = repo.get_evidence(db, evidence_id)
            if record is None:
                raise RoundError(f"佐证材料 {evidence_id} 不存在")
            require_reporter(who, record.unit)
            require_open(db, record.round_id)
            if record.task_id in accepted_tasks(db, record.round_id, record.unit):
                raise RoundError(f"任务（{record.task_id}）本轮已采纳，佐证材料不能再删除")
            repo.remove_evidence(db, evidence_id, now)
            old = repo.get_draft(db, record.round_id, record.unit, record.task_id)
            if old is not None:
                kept = tuple(e for e in old.report.evidence if e != evidence_id)
                repo.put_draft(
                    db,
                    replace(
                        old,
                        report=old.report.with_evidence(kept),
                        revision=old.revision + 1,
                        updated_by=who.name,
                        updated_at=now,
                    ),
                )
            repo.log(
                db,
                record.round_id,
                now,
                who.name,
                "删除佐证材料",
                record.unit,
                record.task_id,
                record.name,
            )

    def evidence(self, who: Principal, evidence_id: int) -> tuple[Evidence, bytes]:
        """A file, for someone allowed to see the unit's evidence."""
        with self.db.reading() as db:
            record = repo.get_evidence(db, evidence_id)
        if record is None:
            raise RoundError(f"佐证材料 {evidence_id} 不存在")
        require_may_see(who, record.unit)
        data = self.store.backend.files.get(record.sha256)
        if hashlib.sha256(data).hexdigest() != record.sha256:
            raise RoundError(f"佐证材料“{record.name}”已损坏（校验值不符），请联系技术人员")
        return record, data

    def evidence_records(self, who: Principal, round_id: int, unit: str) -> list[Evidence]:
        require_may_see(who, unit)
        with self.db.reading() as db:
            return repo.evidence(db, round_id, unit)
