"""Shared fixtures: repository paths and a real Streamlit server for browser tests.

``streamlit_server`` is a session-scoped factory::

    def test_dashboard(streamlit_server, repo_root, new_page):
        app = streamlit_server(repo_root / "dashboard.py", env={"SOME_VAR": "1"})
        page = new_page(390, 844, mobile=True)
        page.goto(app.url)
        ...
        assert "Traceback" not in app.log()

Each distinct (script, env, args) combination is started once per test session
and shared by every test that asks for it; all servers are stopped at the end.
Browser fixtures (``browser``, ``new_page``, ``page``) live in
``tests/browser/conftest.py``.
"""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

import pytest

from briefing.images import INSTALL_HINT, Renderer, find_chromium
from metrics.scoring.progress import Scored, score
from metrics.store.postgres_backend import close_pools
from metrics.workbook.loader import load_workbook
from tests.local_server import free_port, health_ok
from tests.postgres import PostgresServer
from ui.launch import streamlit_command

REPO_ROOT = Path(__file__).resolve().parent.parent
BROWSER_TESTS = REPO_ROOT / "tests" / "browser"
SERVER_START_TIMEOUT = 60.0  # seconds until /_stcore/health must answer "ok"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test under tests/browser/ gets the ``browser`` marker."""
    for item in items:
        if item.path.is_relative_to(BROWSER_TESTS):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return REPO_ROOT


@pytest.fixture(scope="session")
def bundled_workbook(repo_root: Path) -> Path:
    """The workbook shipped with the dashboard (data/indicators.xlsx)."""
    return repo_root / "data" / "indicators.xlsx"


@pytest.fixture(scope="session")
def scored(bundled_workbook: Path) -> Scored:
    """The bundled workbook, loaded and scored once per test session."""
    dataset = load_workbook(bundled_workbook).dataset
    assert dataset is not None
    return score(dataset)


@pytest.fixture(scope="session")
def screenshot_dir(repo_root: Path) -> Path:
    """test-output/screenshots/ (git-ignored), created on demand."""
    path = repo_root / "test-output" / "screenshots"
    path.mkdir(parents=True, exist_ok=True)
    return path


# --------------------------------------------------------------------------
# Store backends: the embedded SQLite store and a real PostgreSQL
# --------------------------------------------------------------------------


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """A PostgreSQL server of this test session (fails, never skips, without binaries)."""
    server = PostgresServer.start()
    yield server
    close_pools()
    server.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def store_location(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Path | str]:
    """Where a store lives, once per backend: a fresh folder, or a fresh database's URL
    (whose pooled connections are closed after the test)."""
    if request.param == "sqlite":
        yield tmp_path / "store"
        return
    server: PostgresServer = request.getfixturevalue("postgres_server")
    yield server.new_database()
    close_pools()


# --------------------------------------------------------------------------
# Streamlit server
# --------------------------------------------------------------------------


@dataclass
class StreamlitApp:
    """A running ``streamlit run`` process on 127.0.0.1."""

    script: Path
    port: int
    process: subprocess.Popen[bytes]
    log_path: Path
    _log_file: BinaryIO = field(repr=False)

    @property
    def url(self) -> str:
        """Base URL without trailing slash, e.g. ``http://127.0.0.1:45123``."""
        return f"http://127.0.0.1:{self.port}"

    def log(self) -> str:
        """Everything the server printed so far (stdout and stderr)."""
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def __str__(self) -> str:
        return self.url

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        self._log_file.close()


StreamlitServerFactory = Callable[..., StreamlitApp]


def _start_app(
    script: Path,
    *,
    cwd: Path,
    env: Mapping[str, str],
    args: Sequence[str],
    log_dir: Path,
    timeout: float,
) -> StreamlitApp:
    port = free_port()
    log_path = log_dir / f"streamlit-{script.stem}-{port}.log"
    log_file = log_path.open("wb")
    cmd = streamlit_command(script, port, *args)
    full_env = {**os.environ, "PYTHONUNBUFFERED": "1", **env}
    process = subprocess.Popen(
        cmd,
        cwd=cwd,
        env=full_env,
        stdin=subprocess.DEVNULL,
        stdout=log_file,
        stderr=subprocess.STDOUT,
    )
    app = StreamlitApp(script, port, process, log_path, log_file)
    deadline = time.monotonic() + timeout
    while True:
        if process.poll() is not None:
            app.stop()
            pytest.fail(
                f"streamlit server for {script} exited with code {process.returncode} "
                f"before answering /_stcore/health.\n--- server output ---\n{app.log()}",
                pytrace=False,
            )
        if health_ok(app.url):
            return app
        if time.monotonic() > deadline:
            app.stop()
            pytest.fail(
                f"streamlit server for {script} did not answer {app.url}/_stcore/health "
                f"with 'ok' within {timeout:.0f} s.\n--- server output ---\n{app.log()}",
                pytrace=False,
            )
        time.sleep(0.2)


@pytest.fixture(scope="session")
def streamlit_server(
    repo_root: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[StreamlitServerFactory]:
    """Factory: ``streamlit_server(script, env=None, args=(), timeout=60) -> StreamlitApp``.

    ``script`` is a path (relative paths are taken from the repository root);
    the server runs with cwd = repository root, so ``.streamlit/config.toml``
    applies. ``env`` adds or overrides environment variables; ``args`` are
    extra ``streamlit run`` options such as ``("--server.maxUploadSize", "1")``.
    """
    log_dir = tmp_path_factory.mktemp("streamlit-logs")
    running: dict[tuple[str, tuple[tuple[str, str], ...], tuple[str, ...]], StreamlitApp] = {}

    def start(
        script: str | os.PathLike[str],
        *,
        env: Mapping[str, str] | None = None,
        args: Sequence[str] = (),
        timeout: float = SERVER_START_TIMEOUT,
    ) -> StreamlitApp:
        path = Path(script)
        if not path.is_absolute():
            path = repo_root / path
        if not path.is_file():
            pytest.fail(f"streamlit script not found: {path}", pytrace=False)
        extra_env = dict(env or {})
        key = (str(path.resolve()), tuple(sorted(extra_env.items())), tuple(args))
        app = running.get(key)
        if app is not None and app.process.poll() is None:
            return app
        app = _start_app(
            path, cwd=repo_root, env=extra_env, args=args, log_dir=log_dir, timeout=timeout
        )
        running[key] = app
        return app

    yield start

    for app in running.values():
        app.stop()


@pytest.fixture(scope="session")
def renderer() -> Iterator[Renderer]:
    """One kaleido renderer on the system Chromium for the whole run (fails, never skips,
    without Chromium)."""
    chromium = find_chromium()
    if chromium is None:
        pytest.fail(f"no Chromium for kaleido: {INSTALL_HINT}", pytrace=False)
    with Renderer(chromium) as shared:
        yield shared
