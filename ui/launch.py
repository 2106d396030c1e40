"""The ``streamlit run`` command line for a headless dashboard server.

Used by ``make serve`` (``python -m ui.launch``), the browser tests' server fixture
(``tests/conftest.py``) and the benchmarks (``scripts/bench.py``). ``PRODUCTION_FLAGS`` are
the production settings, defined once here and repeated verbatim in the systemd unit
``deploy/systemd/zhenggai@.service``, the Dockerfile and the offline bundle's ``run.sh``
(``tests/test_deploy.py`` checks that they agree). The production server listens on
127.0.0.1 only, unless ``ZHENGGAI_SERVER_ADDRESS`` says otherwise. No streamlit import:
building the command needs none.
"""

from __future__ import annotations

import os
import socket
import sys
import urllib.error
import urllib.request
from collections.abc import Mapping, Sequence

HOST = "127.0.0.1"
DEFAULT_PORT = 8501

# ``streamlit run`` options as (option, value) pairs flattened. They repeat
# .streamlit/config.toml on purpose: a process started from another working directory
# (systemd, the offline bundle) behaves the same in every respect that matters for
# security even if it finds no config file.
# SERVER_FLAGS: every server this project starts (tests, benchmarks, production).
SERVER_FLAGS: tuple[str, ...] = (
    "--server.headless",
    "true",
    "--browser.gatherUsageStats",
    "false",
    "--server.fileWatcherType",
    "none",
)
# PRODUCTION_FLAGS: `make serve`, the systemd unit, the bundle's run.sh and the Dockerfile.
# They carry every security-relevant setting of .streamlit/config.toml
# (tests/test_production_settings.py checks that none is missing), because Streamlit reads
# .streamlit/config.toml from the WORKING directory only: started elsewhere, without these
# flags, it would accept 200 MB uploads, show full tracebacks in the browser and ask
# checkip.amazonaws.com for its address. Left to config.toml: [theme] (looks only),
# global.showWarningOnDirectExecution and logger.level (Streamlit's default).
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
    # No look-up of an "External URL" at start (the servers run on offline networks).
    "--browser.serverAddress",
    "localhost",
    # Evidence files (佐证材料) up to 20 MB; each upload box sets its own smaller limit.
    "--server.maxUploadSize",
    "20",
    "--server.enableXsrfProtection",
    "true",
    "--server.enableCORS",
    "true",
    "--server.enableStaticServing",
    "false",
    # Exceptions: a generic message in the browser, the details in the server's log.
    "--client.showErrorDetails",
    "none",
    "--client.showErrorLinks",
    "false",
    # No client-side CSV export of tables (cells such as "=HYPERLINK(...)" unguarded).
    "--client.disableDataExport",
    "true",
)
# Where the production server listens unless told otherwise: loopback only (nginx in
# front). ``ZHENGGAI_SERVER_ADDRESS`` or a later ``--server.address`` option changes it.
ADDRESS_ENV = "ZHENGGAI_SERVER_ADDRESS"


def streamlit_command(
    script: str | os.PathLike[str], port: int, *extra: str, address: str = HOST
) -> list[str]:
    """``python -m streamlit run SCRIPT`` on ``address``:``port`` (default ``HOST``) with
    ``SERVER_FLAGS`` (headless, without usage statistics or a file watcher); ``extra`` are
    further ``streamlit run`` options such as ``"--server.maxUploadSize", "1"`` (a repeated
    option: the last one counts)."""
    return [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(script),
        "--server.port",
        str(port),
        "--server.address",
        address,
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


def production_command(
    script: str | os.PathLike[str],
    port: int,
    *extra: str,
    environ: Mapping[str, str] | None = None,
) -> list[str]:
    """The production ``streamlit run``: ``PRODUCTION_FLAGS`` on ``$ZHENGGAI_SERVER_ADDRESS``
    (default 127.0.0.1) and ``port``, then ``extra`` options."""
    address = (os.environ if environ is None else environ).get(ADDRESS_ENV, "").strip() or HOST
    return streamlit_command(
        script, port, *PRODUCTION_FLAGS[len(SERVER_FLAGS) :], *extra, address=address
    )


def main(argv: Sequence[str] | None = None) -> None:
    """``python -m ui.launch [SCRIPT [PORT [OPTION ...]]]``: replace this process with the
    production ``streamlit run`` (default ``dashboard.py`` on 127.0.0.1:8501)."""
    args = list(sys.argv[1:] if argv is None else argv)
    script = args[0] if args else "dashboard.py"
    port = int(args[1]) if len(args) > 1 else DEFAULT_PORT
    command = production_command(script, port, *args[2:])
    os.execv(command[0], command)


if __name__ == "__main__":
    main()
