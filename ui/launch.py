"""The ``streamlit run`` command line for a local, headless dashboard server.

Used by the browser tests' server fixture (``tests/conftest.py``) and the benchmarks
(``scripts/bench.py``). No streamlit import: building the command needs none.
"""

from __future__ import annotations

import os
import sys

HOST = "127.0.0.1"


def streamlit_command(script: str | os.PathLike[str], port: int, *extra: str) -> list[str]:
    """``python -m streamlit run SCRIPT`` on ``HOST``:``port``, headless, without usage
    statistics or a file watcher; ``extra`` are further ``streamlit run`` options such as
    ``"--server.maxUploadSize", "1"``."""
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
        "--server.headless",
        "true",
        "--browser.gatherUsageStats",
        "false",
        "--server.fileWatcherType",
        "none",
        *extra,
    ]
