"""The dashboard reads the current version of the store and follows new versions."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from metrics.store.backend import DATABASE_URL_ENV
from metrics.store.versions import STORE_ENV, open_store
from tests.builders import write_valid
from tests.lookups import current_version
from ui.data_source import WORKBOOK_ENV

DASHBOARD = str(Path(__file__).resolve().parent.parent / "dashboard.py")


def test_first_start_publishes_the_bundled_workbook_as_version_1(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    bundled_workbook: Path,
    store_location: Path | str,
) -> None:
    """On both backends: the folder of ZHENGGAI_STORE, or ZHENGGAI_DATABASE_URL."""
    monkeypatch.delenv(WORKBOOK_ENV, raising=False)
    if isinstance(store_location, str):
        monkeypatch.setenv(DATABASE_URL_ENV, store_location)
        monkeypatch.setenv(STORE_ENV, str(tmp_path / "unused"))
    else:
        monkeypatch.delenv(DATABASE_URL_ENV, raising=False)
        monkeypatch.setenv(STORE_ENV, str(store_location))
    app = AppTest.from_file(DASHBOARD, default_timeout=60)
    app.run()
    assert not app.exception
    first = next(m for m in app.metric if m.label == "整改完成率")
    assert first.value == "85.7%" and not first.delta  # no previous version yet
    assert any("版本 v1 · " in c.value for c in app.caption)
    store = open_store(store_location)
    assert store.read(current_version(store)) == bundled_workbook.read_bytes()

    # Someone publishes version 2: the next interaction shows it, no restart.
    new = write_valid(tmp_path / "new.xlsx").read_bytes()
    store.publish(
        new, actor="张三", file_name="new.xlsx", note="测试", counts={}, expected_current=1
    )
    app.run()
    rate = next(m for m in app.metric if m.label == "整改完成率")
    assert rate.value == "66.7%"
    assert rate.delta == "-19.0个百分点（较上一版本）"  # 85.7% -> 66.7%
    assert any("版本 v2 · " in c.value for c in app.caption)
    assert isinstance(store_location, Path) or not (tmp_path / "unused").exists()
