"""The ``streamlit run`` command line for a headless dashboard server.

Used by ``make serve`` (``python -m ui.launch``), the browser tests' server fixture
(``tests/conftest.py``) and the benchmarks (``scripts/bench.py``). ``PRODUCTION_FLAGS`` are
the production settings, defined once here and repeated verbatim in the systemd unit
``deploy/systemd/zhenggai@.service`` and the offline bundle's ``run.sh`` (``tests/test_deploy.py``
checks that they agree). No streamlit import: building the command needs none.
"""

from __future__ import annotations

import os
import socket
import sys
import urllib.error
import urllib.request
from collections.abc import Sequence

HOST = "127.0.0.1"
DEFAULT_PORT = 8501

# ``streamlit run`` options as (option, value) pairs flattened. They repeat
# .streamlit/config.toml on purpose: a process started from another working directory
# (systemd, the offline bundle) behaves the same even if it finds no config file.
# SERVER_FLAGS: every server this project starts (tests, benchmarks, production).
SERVER_FLAGS: tuple[str, ...] = (
    "--server.headless",
    "true",
    "--browser.gatherUsageStats",
    "false",
    "--server.fileWatcherType",
    "none",
)
# PRODUCTION_FLAGS: `make serve`, the systemd unit and the bundle's run.sh.
# runner.postScriptGC off: Streamlit's forced full garbage collection after every script
# run cost about 100 ms of CPU per new session; without it one process serves about 4x
# the new sessions per second (31/s against 8/s on a 2-core machine) with memory flat
# over 1,000 sessions (`make bench`, scripts/bench_server.py). Python's own automatic
# collection still runs.
PRODUCTION_FLAGS: tuple[str, ...] = (
    *SERVER_FLAGS,
    "--server.runOnSave",
    "false",
    "--client.toolbarMode",
    "viewer",
    "--runner.postScriptGC",
    "false",
)


def streamlit_command(script: str | os.PathLike[str], port: int, *extra: str) -> list[str]:
    """``python -m streamlit run SCRIPT`` on ``HOST``:``port`` with ``SERVER_FLAGS``
    (headless, without usage statistics or a file watcher); ``extra`` are further
    ``streamlit run`` options such as ``"--server.maxUploadSize", "1"``."""
    return [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(script),
        "--server.port",
        str(port),
        "--server.address",
        HOST,
        *SERVER_FLAGS,
        *extra,
    ]


def free_port() -> int:
    """A TCP port on ``HOST`` that nothing listens on right now (tests and benchmarks)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        port: int = sock.getsockname()[1]
        return port


# Never send loopback requests through a proxy configured in the environment.
_NO_PROXY_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def health_ok(url: str) -> bool:
    """Whether the Streamlit server at ``url`` answers ``/_stcore/health`` with "ok"."""
    try:
        with _NO_PROXY_OPENER.open(f"{url}/_stcore/health", timeout=2) as resp:
            body: bytes = resp.read()
            return resp.status == 200 and body.strip() == b"ok"
    except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
        return False


def main(argv: Sequence[str] | None = None) -> None:
    """``python -m ui.launch [SCRIPT [PORT [OPTION ...]]]``: replace this process with the
    production ``streamlit run`` (default ``dashboard.py`` on 127.0.0.1:8501)."""
    args = list(sys.argv[1:] if argv is None else argv)
    script = args[0] if args else "dashboard.py"
    port = int(args[1]) if len(args) > 1 else DEFAULT_PORT
    command = streamlit_command(script, port, *PRODUCTION_FLAGS[len(SERVER_FLAGS) :], *args[2:])
    os.execv(command[0], command)


if __name__ == "__main__":
    main()
