"""What a whole-workbook upload would do to the rounds: warnings for its review.

An office that still uploads whole workbooks must not lose, unnoticed, the progress
units reported and the office accepted in a round: the review says which accepted and
published 进展 entries and figures the new file no longer has, which accepted reports
are still waiting to be published (they are merged when the round is published, onto
whatever version is current then), and which accounts' units the new file renames or
drops (those accounts could no longer report).
"""

from __future__ import annotations

from collections.abc import Iterable

from metrics.model import Dataset
from metrics.rounds import repository as repo
from metrics.rounds.state import accepted_reports
from metrics.rounds.units import find_unit
from metrics.store.accounts import Account
from metrics.store.backend import Database


def upload_warnings(db: Database, new: Dataset, accounts: Iterable[Account]) -> list[str]:
    """Chinese warnings about rounds and accounts for publishing ``new``."""
    warnings: list[str] = []
    progress = {(p.task_id, p.round, p.unit) for p in new.progress}
    figures = {(o.indicator_id, o.date) for o in new.observations}
    with db.reading() as conn:
        rounds = repo.all_rounds(conn)
        for round_ in reversed(rounds):
            decisions = repo.decisions(conn, round_.id)
            accepted = accepted_reports(repo.submissions(conn, round_.id), decisions)
            missing: list[str] = []
            waiting = 0
            for item in accepted:
                if item.decision.id > round_.merged_upto:
                    waiting += 1
                    continue
                unit, report = item.submission.unit, item.report
                if report.progress and (report.task_id, round_.name, unit) not in progress:
                    missing.append(f"任务（{report.task_id}）{unit}的进展")
                for indicator_id in report.values:
                    if (indicator_id, round_.as_of) not in figures:
                        missing.append(f"指标 {indicator_id} 在 {round_.as_of.isoformat()} 的数值")
            if missing:
                warnings.append(
                    f"新文件缺少轮次“{round_.name}”已采纳并发布的内容："
                    + "；".join(dict.fromkeys(missing))
                    + "。发布后这些内容将从当前数据中消失（历史版本中仍保留）：请先下载当前数据，"
                    "在其基础上修改"
                )
            if waiting and round_.is_open:
                warnings.append(
                    f"轮次“{round_.name}”有 {waiting} 项已采纳、尚未发布的报送："
                    "它们不在这个文件里，会在发布本轮时合并到届时的当前版本上，不会丢失"
                )
    for account in accounts:
        for unit in account.units:
            if find_unit(new, unit) is None:
                warnings.append(
                    f"账号“{account.name}”所属的单位“{unit}”在新文件的牵头单位和责任单位中不存在"
                    "（改名或删除了？）：发布后该账号无法填报，请用 users role 修改其单位"
                )
    return warnings
