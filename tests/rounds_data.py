"""A small workbook with named units, a store holding it, and the people of a round."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest

from metrics.contract import TaskStatus
from metrics.rounds.model import TaskReport
from metrics.rounds.publish import publish_round, review_round
from metrics.rounds.roles import Principal, Role
from metrics.rounds.service import RoundService
from metrics.rounds.settings import RoundSettings
from metrics.store.accounts import Accounts
from metrics.store.backend import DATABASE_URL_ENV
from metrics.store.versions import STORE_ENV, Store, open_store
from tests import builders
from ui.auth import REQUIRE_SIGNIN_ENV
from ui.data_source import WORKBOOK_ENV

EDU = "区教育局"
HOUSING = "区住建局"
PARTY = "区委"

OFFICE = Principal("整改办张三", Role.OFFICE)
OFFICE2 = Principal("整改办李四", Role.OFFICE)
LEADER = Principal("王书记", Role.LEADER)
EDU_REPORTER = Principal("教育局小赵", Role.UNIT, frozenset({EDU}))
EDU_HEAD = Principal("教育局局长", Role.UNIT_HEAD, frozenset({EDU}))
HOUSING_REPORTER = Principal("住建局小钱", Role.UNIT, frozenset({HOUSING}))
PARTY_REPORTER = Principal("区委办小孙", Role.UNIT, frozenset({PARTY}))

AS_OF = datetime.date(2021, 6, 30)
DUE = datetime.date(2021, 7, 5)


def round_workbook(path: Path) -> Path:
    """Four tasks: (1) led by 区教育局; (2) by 区住建局; (3) led by 区住建局 and shared
    with 区教育局; (4) by 区委, already complete. Indicators on (1), (2) and (3)."""
    return builders.write(
        path,
        tasks=[
            builders.task(1, "正在整改", 任务="公办教育发展滞后", 牵头单位=EDU),
            builders.task(2, "正在整改", 任务="回迁安置进展缓慢", 牵头单位=HOUSING),
            builders.task(
                3, "正在整改", 任务="安置区配套学校", 牵头单位=HOUSING, 责任单位=f"{EDU}、区财政局"
            ),
            builders.task(4, "已完成", 任务="理论学习表面化", 牵头单位=PARTY),
        ],
        indicators=[
            builders.indicator("T01-01", 1, 指标名称="新增小学学位", 单位="个"),
            builders.indicator(
                "T02-01",
                2,
                指标名称="回迁率",
                单位="%",
                基期值=0,
                基期日期="2021-02-04",
                目标值=100,
                目标日期="2021-12-31",
            ),
            builders.indicator("T03-01", 3, 指标名称="配套学校开工数", 单位="所"),
        ],
        observations=[
            builders.observation("T01-01", "2021-05-31", 13050),
            builders.observation("T02-01", "2021-05-31", "67.7%"),
        ],
        meta=builders.meta(报告任务数=4, 报告已完成数=1),
    )


def duban_workbook(path: Path) -> Path:
    """As of 2021-05-31: (2) of 区住建局 overdue (red), (3) of 区住建局 due within 20
    days (blue), (1) of 区教育局 without a colour."""
    return builders.write(
        path,
        tasks=[
            builders.task(1, "正在整改", 任务="公办教育发展滞后", 牵头单位=EDU),
            builders.task(
                2, "正在整改", 任务="回迁安置进展缓慢", 牵头单位=HOUSING, 整改时限="2021-04-30"
            ),
            builders.task(
                3, "正在整改", 任务="安置区配套学校", 牵头单位=HOUSING, 整改时限="2021-06-10"
            ),
        ],
        meta=builders.meta(报告任务数=3, 报告已完成数=0),
    )


def duban_store(root: Path, tmp_path: Path) -> Store:
    """A store (folder ``root``) holding ``duban_workbook`` as version 1."""
    store = open_store(root)
    store.bootstrap(duban_workbook(tmp_path / "coloured.xlsx"), {"total": 3, "completed": 0})
    return store


def round_store(where: Path | str, tmp_path: Path) -> Store:
    store = open_store(where)
    workbook = round_workbook(tmp_path / "round.xlsx")
    store.bootstrap(workbook, {"total": 4, "completed": 1})
    return store


class Clock:
    """A settable clock for the service (UTC)."""

    def __init__(self, moment: datetime.datetime) -> None:
        self.moment = moment

    def __call__(self) -> datetime.datetime:
        return self.moment

    def advance(self, **delta: float) -> None:
        self.moment += datetime.timedelta(**delta)


def service_for(store: Store, clock: Clock | None = None, **settings: object) -> RoundService:
    return RoundService(
        store,
        settings=RoundSettings(**settings),  # type: ignore[arg-type]  # test settings by name
        clock=clock or Clock(datetime.datetime(2021, 7, 1, 2, 0, tzinfo=datetime.UTC)),
    )


PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
PASSWORD = "correct horse battery"


def add_people(root: Path) -> None:
    """Accounts with ``PASSWORD``: 张三 (office), 王书记 (leader), 小赵 (区教育局) and
    小钱 (区住建局)."""
    accounts = Accounts(root)
    accounts.add("张三", PASSWORD)
    accounts.add("王书记", PASSWORD, role=Role.LEADER)
    accounts.add("小赵", PASSWORD, role=Role.UNIT, units=(EDU,))
    accounts.add("小钱", PASSWORD, role=Role.UNIT, units=(HOUSING,))


def publish_a_close(store: Store, clock: Clock, *, days_to_decide: float = 0) -> None:
    """A round opened on the current version (2021年6月进展) in which 区教育局 closes
    task (1) on evidence, the office accepting it ``days_to_decide`` days later, and
    publishing; 区住建局, 区财政局 and 区委 do not report."""
    service = service_for(store, clock)
    round_id = service.open_round(OFFICE, name="2021年6月进展", as_of=AS_OF, due=DUE).id
    clock.advance(hours=1)
    service.add_evidence(EDU_REPORTER, round_id, EDU, 1, "验收报告.pdf", PDF)
    service.save_draft(
        EDU_REPORTER, round_id, EDU, TaskReport(1, status=TaskStatus.DONE, progress="已全部投用")
    )
    submission = service.submit(EDU_REPORTER, round_id, EDU)
    clock.advance(days=days_to_decide)
    service.decide(OFFICE, submission.id, accept=True, task_id=1)
    publish_round(service, OFFICE, review_round(service, round_id))


def app_round_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Store:
    """``round_store`` as the dashboard's store (``ZHENGGAI_STORE``, no workbook file, no
    sign-in required), with the accounts of ``add_people``."""
    root = tmp_path / "store"
    for name in (WORKBOOK_ENV, REQUIRE_SIGNIN_ENV, DATABASE_URL_ENV):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv(STORE_ENV, str(root))
    opened = round_store(root, tmp_path)
    add_people(root)
    return opened
