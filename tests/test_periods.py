"""较上期 (issue #20, part 6): which earlier state 上期 is (by round, an earlier date, the
previous version), its figures with the colours as they stood then, and the words on the
overview and in the bulletin."""

from __future__ import annotations

import datetime
from pathlib import Path
from types import MappingProxyType

import pytest

from metrics.periods.basis import Basis, BasisKind, EarlierVersion, chain_basis, round_basis
from metrics.periods.figures import Comparison, PeriodFigures, period_figures
from metrics.periods.reading import Loader, compare_in_store
from metrics.rounds.model import Round
from metrics.scoring.counting import Counting
from metrics.scoring.progress import Scored, score
from metrics.store.versions import Store, Version
from metrics.supervision.facts import rounds_facts
from metrics.supervision.model import WarningColour
from metrics.supervision.rules import colours
from metrics.workbook.loader import load_workbook
from report.period_change import (
    comparison_sentence,
    count_card_delta,
    rate_card_delta,
)
from tests.rounds_data import EDU, Clock, publish_a_close, round_store

D = datetime.date
MAY = D(2021, 5, 31)
PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"


def round_on(id_: int, basis: int, name: str = "") -> Round:
    return Round(
        id_,
        name or f"第{id_}轮",
        as_of=D(2021, 6, 30),
        due=D(2021, 7, 5),
        basis_version=basis,
        require_approval=False,
        opened_by="张三",
        opened_at=f"2021-07-0{id_}T00:00:00+00:00",
    )


# -- which state is 上期 -----------------------------------------------------------------------


def test_by_round_the_basis_of_the_newest_round_opened_before_the_version() -> None:
    rounds = [round_on(1, 1, "6月"), round_on(2, 3, "7月"), round_on(3, 5, "8月")]
    # v5 was published by round 2 (opened on v3); round 3 opened on v5 itself.
    assert round_basis(5, rounds) == Basis(3, BasisKind.ROUND, "7月", "2021-07-02T00:00:00+00:00")
    # Published twice during round 2: the same 上期 for both.
    assert round_basis(4, rounds) == round_basis(5, rounds)
    assert round_basis(2, rounds) == Basis(1, BasisKind.ROUND, "6月", "2021-07-01T00:00:00+00:00")
    assert round_basis(1, rounds) is None  # the first round opened on it
    assert round_basis(3, []) is None


def test_without_rounds_an_earlier_date_else_the_previous_version() -> None:
    chain = [EarlierVersion(4, D(2021, 6, 30)), EarlierVersion(3, D(2021, 5, 31))]
    # v5 corrects v4 (same date): 上期 is v3, the last state with an earlier date.
    assert chain_basis(D(2021, 6, 30), chain) == Basis(3, BasisKind.PERIOD)
    assert chain_basis(D(2021, 7, 31), chain) == Basis(4, BasisKind.PERIOD)
    # Only corrections before it: the previous version, called 上一版本.
    assert chain_basis(D(2021, 6, 30), chain[:1]) == Basis(4, BasisKind.VERSION)
    assert chain_basis(D(2021, 6, 30), []) is None


# -- the words -------------------------------------------------------------------------------


def figures(
    completed: int,
    red: int,
    yellow: int,
    blue: int = 0,
    *,
    basically_done: int = 0,
    total: int = 35,
    as_of: datetime.date = MAY,
) -> PeriodFigures:
    return PeriodFigures(
        as_of=as_of,
        total=total,
        completed=completed,
        rate=completed / total,
        basically_done=basically_done,
        extension_requested=0,
        unfinished=total - completed,
        colours=MappingProxyType(
            {WarningColour.RED: red, WarningColour.YELLOW: yellow, WarningColour.BLUE: blue}
        ),
    )


def test_the_sentence_names_the_period_and_every_move() -> None:
    change = Comparison(
        Basis(3, BasisKind.ROUND, "2021年6月进展", "2021-07-01T00:00:00+00:00"),
        figures(30, 3, 2),
        figures(31, 1, 2, basically_done=1, as_of=D(2021, 6, 30)),
    )
    assert comparison_sentence(change) == (
        "与上期（“2021年6月进展”开启时，数据截至2021年5月31日）相比："
        "整改完成率由85.7%升至88.6%（+2.9个百分点）；已完成由30项增至31项；"
        "基本完成由0项增至1项；红色督办任务由3项减至1项；黄色督办任务2项，与上期持平。"
    )
    assert rate_card_delta(change) == "+2.9个百分点（较上期）"
    assert count_card_delta(30, 31, change) == "+1 项（较上期）"
    assert count_card_delta(31, 31, change) == "持平（较上期）"


def test_blue_is_said_when_either_side_has_it_and_a_correction_is_not_a_period() -> None:
    change = Comparison(Basis(4, BasisKind.VERSION), figures(30, 0, 0, 2), figures(29, 0, 1))
    sentence = comparison_sentence(change)
    assert sentence.startswith("与上一版本（v4，数据截至日期相同）相比：整改完成率由85.7%降至")
    assert "已完成由30项减至29项" in sentence
    assert "蓝色督办任务由2项减至0项" in sentence
    assert "与上一版本持平" in sentence  # red: 0 and 0
    assert "基本完成" not in sentence and "申请延期" not in sentence
    assert rate_card_delta(change) == "-2.9个百分点（较上一版本）"
    plain = Comparison(Basis(2, BasisKind.PERIOD), figures(30, 0, 0), figures(30, 0, 0))
    assert comparison_sentence(plain).startswith("与上期（数据截至2021年5月31日）相比")
    assert comparison_sentence(plain).endswith("；红色、黄色、蓝色督办任务均为0项，与上期持平。")
    red_only = Comparison(Basis(2, BasisKind.PERIOD), figures(30, 1, 0), figures(30, 0, 0))
    assert "蓝色" not in comparison_sentence(red_only)
    assert rate_card_delta(plain) == "持平（较上期）"


# -- from a store with a round -------------------------------------------------------------------


def scored_of(store: Store) -> Loader:
    def load(version: Version) -> Scored | None:
        data = load_workbook(store.read(version)).dataset
        return score(data, Counting()) if data is not None else None

    return load


@pytest.fixture
def published(store_location: Path | str, tmp_path: Path) -> tuple[Store, Clock]:
    """A round opened on v1 in which 区教育局 closes task (1) on evidence; published as v2
    after the due date, with 区住建局, 区财政局 and 区委 not having reported."""
    store = round_store(store_location, tmp_path)
    clock = Clock(datetime.datetime(2021, 7, 1, 2, 0, tzinfo=datetime.UTC))
    publish_a_close(store, clock, days_to_decide=7)
    return store, clock


def test_a_published_round_is_compared_with_the_state_it_opened_on(
    published: tuple[Store, Clock],
) -> None:
    store, clock = published
    load = scored_of(store)
    current = store.current()
    assert current is not None and current.id == 2
    now = load(current)
    assert now is not None
    warnings = colours(now, rounds_facts(store.backend.versions, now.dataset, clock()))
    change = compare_in_store(store, 2, now, warnings, load)
    assert change is not None
    assert change.basis == Basis(1, BasisKind.ROUND, "2021年6月进展", "2021-07-01T02:00:00+00:00")
    assert (change.before.completed, change.after.completed) == (1, 2)
    # Yellow now: (2) and (3) have units late with the round; when the round opened,
    # nobody was late yet (the facts as they stood then).
    assert change.before.colours[WarningColour.YELLOW] == 0
    assert change.after.colours[WarningColour.YELLOW] == 2
    sentence = comparison_sentence(change)
    assert "整改完成率由25.0%升至50.0%（+25.0个百分点）" in sentence
    assert "黄色督办任务由0项增至2项" in sentence


def test_the_facts_of_an_earlier_moment_leave_out_later_rounds_and_reports(
    published: tuple[Store, Clock],
) -> None:
    store, clock = published
    current = store.current()
    assert current is not None
    dataset = load_workbook(store.read(current)).dataset
    assert dataset is not None
    db = store.backend.versions
    assert rounds_facts(db, dataset, datetime.datetime(2021, 7, 1, tzinfo=datetime.UTC)) == (
        rounds_facts(db, dataset, datetime.datetime(2021, 6, 1, tzinfo=datetime.UTC))
    )
    assert not rounds_facts(db, dataset, datetime.datetime(2021, 7, 1, tzinfo=datetime.UTC)).rounds
    (later,) = rounds_facts(db, dataset, clock()).rounds
    assert EDU not in later.late_units and "区委" in later.late_units


def test_period_figures_count_as_the_office_counts(bundled_workbook: Path) -> None:
    data = load_workbook(bundled_workbook).dataset
    assert data is not None
    bundled = score(data, Counting())
    found = period_figures(bundled, colours(bundled))
    assert (found.completed, found.total, found.unfinished) == (30, 35, 5)
    assert found.rate == pytest.approx(30 / 35)
    assert dict(found.colours) == dict.fromkeys(WarningColour, 0)  # no deadlines: no colour
