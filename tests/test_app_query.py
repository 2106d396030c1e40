"""Odd ``?task=`` values in the address, on every page: a Chinese message, never an
exception. Also the same odd numbers in ``--scope 任务:…`` (``metrics.scoring.scope``)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from metrics.scoring.progress import Scored
from metrics.scoring.scope import ScopeError, parse_scope
from metrics.store.accounts import Accounts
from metrics.store.versions import STORE_ENV
from report.views import parse_task_id
from ui.data_source import WORKBOOK_ENV

DASHBOARD = Path(__file__).resolve().parent.parent / "dashboard.py"

# "²" and "٣" pass str.isdigit (int("²") raises, int("٣") is 3); the rest are plainly odd.
ODD = ["²", "٣", "1.5", "-1", "9x", "", "9" * 40, "%00", "\x00", "１"]


def dashboard_pages() -> list[str]:
    """``pages/<name>.py`` for every entry of the PAGES list in dashboard.py (read, not
    run, so that a page added there is tested here too)."""
    tree = ast.parse(DASHBOARD.read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "PAGES" for t in node.targets
        ):
            pages = ast.literal_eval(node.value)
            return [f"pages/{entry[0]}.py" for entry in pages]
    raise AssertionError("PAGES not found in dashboard.py")


@pytest.fixture
def store_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "store"
    monkeypatch.delenv(WORKBOOK_ENV, raising=False)
    monkeypatch.setenv(STORE_ENV, str(root))
    Accounts(root).add("张三", "correct horse battery")
    return root


def open_with_task(page: str, task: str) -> AppTest:
    app = AppTest.from_file(str(DASHBOARD), default_timeout=60)
    app.query_params["task"] = task
    if page != "pages/overview.py":
        app.switch_page(page)
    app.run()
    return app


def test_every_page_is_listed() -> None:
    pages = dashboard_pages()
    assert "pages/issue.py" in pages and "pages/report.py" in pages and len(pages) == 10


@pytest.mark.parametrize("page", dashboard_pages())
def test_a_superscript_task_number_on_any_page(store_root: Path, page: str) -> None:
    app = open_with_task(page, "²")
    assert not app.exception, [e.value for e in app.exception]
    assert app.title  # the page itself is shown
    if page == "pages/issue.py":
        assert "链接中的任务编号不存在" in app.warning[0].value


@pytest.mark.parametrize("task", ODD)
def test_odd_task_numbers_on_the_issue_page(store_root: Path, task: str) -> None:
    app = open_with_task("pages/issue.py", task)
    assert not app.exception, [e.value for e in app.exception]
    if task.strip():
        assert "链接中的任务编号不存在，已显示第一项任务。" in [w.value for w in app.warning]
    assert app.selectbox(key="issue_task").value == 1  # the first task is shown


@pytest.mark.parametrize("raw", ODD)
def test_parse_task_id_accepts_only_ascii_digits(raw: str) -> None:
    assert parse_task_id(raw) is None


@pytest.mark.parametrize(("raw", "expected"), [("9", 9), (" 35 ", 35), ("000009", 9)])
def test_parse_task_id_plain_numbers(raw: str, expected: int) -> None:
    assert parse_task_id(raw) == expected


@pytest.mark.parametrize("value", ["²", "٣", "1.5", "-1", "9x", "9" * 40, "１"])
def test_odd_task_numbers_in_a_scope_are_words(scored: Scored, value: str) -> None:
    with pytest.raises(ScopeError) as refused:
        parse_scope(f"任务:{value}", scored)
    assert "任务编号" in str(refused.value)


@pytest.mark.parametrize("value", ["²", "٣"])
def test_odd_category_numbers_in_a_scope_are_words(scored: Scored, value: str) -> None:
    with pytest.raises(ScopeError, match="方面"):
        parse_scope(f"方面:{value}", scored)
