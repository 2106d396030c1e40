"""A Streamlit server for a benchmark in a browser: started with the one command line of
``ui/launch.py`` on a free port, waited for until ``/_stcore/health`` answers, stopped on
exit. Shared by ``scripts/bench.py`` (the bundled overview) and ``scripts/bench_city.py``
(the city's store, and a bare page for the floor)."""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from metrics.store.versions import STORE_ENV
from ui.data_source import WORKBOOK_ENV
from ui.launch import free_port, health_ok, streamlit_command

START_TIMEOUT_S = 60.0


@contextmanager
def served(script: Path, store: Path | None = None) -> Iterator[str]:
    """A server of ``script`` (run from its folder), over ``store`` when given (and not a
    workbook file named in the environment); yields its URL."""
    env = dict(os.environ)
    if store is not None:
        env[STORE_ENV] = str(store)
        env.pop(WORKBOOK_ENV, None)
    port = free_port()
    server = subprocess.Popen(
        streamlit_command(script, port),
        cwd=script.parent,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while not health_ok(url):
            if server.poll() is not None:
                raise SystemExit(f"the server of {script.name} stopped (exit {server.returncode})")
            if time.monotonic() > deadline:
                raise SystemExit(f"the server of {script.name} did not start in time")
            time.sleep(0.2)
        yield url
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
