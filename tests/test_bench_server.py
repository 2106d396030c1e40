"""The server benchmark's websocket client (``scripts/bench_server.py``): a handful of new
sessions on one real server, each a whole run of the overview page; and the check that
refuses a run that is not the overview. Behaviour only: speed goals live in the benchmark."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from scripts.bench_server import (
    BenchError,
    check_run,
    open_sessions,
    prepare_store,
    production_gc,
    servers,
)

pytestmark = pytest.mark.slow


def test_new_sessions_run_the_overview(tmp_path: Path) -> None:
    store = str(tmp_path / "store")
    prepare_store(store)
    with servers(1, production_gc(), store, tmp_path) as group:
        # open_sessions raises BenchError unless every run finished with the overview page
        done = open_sessions([group[0].port], 6, 3)
    assert len(done) == 6
    assert all(s.messages > 10 and s.bytes > 10_000 for s in done)


def test_a_run_without_the_overview_is_refused() -> None:
    start = ForwardMsg()
    start.new_session.name = "dashboard"
    error = ForwardMsg()
    error.delta.new_element.exception.message = "boom"
    finished = ForwardMsg()
    finished.script_finished = ForwardMsg.FINISHED_SUCCESSFULLY
    messages = [start, error, finished]
    raw = b"".join(m.SerializeToString() for m in messages)
    with pytest.raises(BenchError, match="exception"):
        check_run(0, messages, raw)
