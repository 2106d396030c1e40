"""AppTest of 较上期 on the overview: after a round is published, the rate and 已完成
cards change against the state the round opened on, and the sentence under them names
上期 and the colour counts; a dashboard with one version shows no change."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from metrics.store.versions import Store
from tests.rounds_data import Clock, app_round_store, publish_a_close

DASHBOARD = str(Path(__file__).resolve().parent.parent / "dashboard.py")
PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Store:
    return app_round_store(tmp_path, monkeypatch)


def overview() -> AppTest:
    app = AppTest.from_file(DASHBOARD, default_timeout=60)
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    return app


def test_one_version_shows_no_change(store: Store) -> None:
    app = overview()
    rate = next(m for m in app.metric if m.label == "整改完成率")
    assert rate.value == "25.0%" and not rate.delta
    assert not any("相比：" in m.value for m in app.markdown)


def test_after_a_round_the_cards_and_the_sentence_compare_with_the_period_before(
    store: Store,
) -> None:
    publish_a_close(store, Clock(datetime.datetime(2021, 7, 1, 2, 0, tzinfo=datetime.UTC)))

    app = overview()
    cards = {m.label: m for m in app.metric}
    assert cards["整改完成率"].value == "50.0%"
    assert cards["整改完成率"].delta == "+25.0个百分点（较上期）"
    done = cards["已完成（共 4 项）"]
    assert done.value == "2 项" and done.delta == "+1 项（较上期）"
    # As rendered: the markdown escapes of report.literal.md taken off.
    (sentence,) = [m.value.replace("\\", "") for m in app.markdown if "相比：" in m.value]
    assert sentence.startswith("与上期（“2021年6月进展”开启时，数据截至")
    assert "整改完成率由25.0%升至50.0%（+25.0个百分点）；已完成由1项增至2项" in sentence
    # The round's due date has passed in real time: the units that never reported are
    # late, so (2) and (3) are yellow now; when the round opened nobody was late.
    assert "黄色督办任务由0项增至2项" in sentence
