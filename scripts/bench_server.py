"""Server benchmark: new sessions per second, with a light websocket client (no browser).

Starts ``streamlit run dashboard.py`` (the command line of ``ui.launch``) with
``--runner.postScriptGC true`` and ``false``, as one process and as two processes behind
the same store (one temporary store folder, or ``--postgres URL``), and opens new sessions
the way the browser does: a websocket to ``/_stcore/stream``, one ``BackMsg`` with
``rerun_script``, then ``ForwardMsg`` s until ``script_finished``. Every session must have
run the overview page (new session, its metrics and charts, the text ``整改完成率``, no
exception), or the benchmark stops: a count of error pages would be worthless.

Goals (issue #12): at least 25 new sessions/s per process on this 2-core machine, and two
processes at least 1.7x one. The client runs on the same cores as the servers: its own CPU
time is printed so that the reader can judge. Speed goals live here, never in tests.

``make bench`` runs this as one section of ``scripts/bench.py``; alone::

    .venv/bin/python scripts/bench_server.py [--quick] [--concurrency 8] [--sweep]
"""

from __future__ import annotations

import argparse
import asyncio
import concurrent.futures
import contextlib
import os
import resource
import statistics
import subprocess
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from websockets.asyncio.client import connect
from websockets.typing import Subprotocol

from metrics.publishing import completion_counts
from metrics.store.backend import DATABASE_URL_ENV
from metrics.store.versions import STORE_ENV, open_store
from metrics.workbook.loader import load_workbook
from ui.launch import HOST, PRODUCTION_FLAGS, free_port, health_ok, streamlit_command

ROOT = Path(__file__).resolve().parent.parent
BUNDLED = ROOT / "data" / "indicators.xlsx"
# Variables that would make the servers read something other than the benchmark's store.
OTHER_DATA_ENV = (DATABASE_URL_ENV, STORE_ENV, "ZHENGGAI_WORKBOOK")

SESSIONS_GOAL = 25.0  # new sessions per second, one process
SCALING_GOAL = 1.7  # two processes against one
CHART_CLASS = 'class="zg-chart'
OVERVIEW_TEXT = "整改完成率"  # a chart title of the overview page (pages/overview.py)
MIN_CHARTS = 3  # the overview page's charts: HTML bars (charts.bars_html) in st.html
SESSION_TIMEOUT_S = 60.0
START_TIMEOUT_S = 60.0
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


class BenchError(RuntimeError):
    """A session did not run the overview page, or a server did not start."""


# --- servers -----------------------------------------------------------------------------


def server_healthy(port: int) -> bool:
    return health_ok(f"http://{HOST}:{port}")


def rss_kib(pid: int) -> int:
    """Resident memory of a process (``VmRSS`` in /proc/PID/status), KiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise BenchError(f"no VmRSS for process {pid}")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (/proc/PID/stat), seconds."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS  # utime, stime


def load_average() -> str:
    """The 1-, 5- and 15-minute load averages (/proc/loadavg)."""
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def client_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


@dataclass
class Server:
    port: int
    process: subprocess.Popen[bytes]
    log: Path

    def log_tail(self, lines: int = 30) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])


def prepare_store(where: str) -> None:
    """Make the bundled workbook version 1 before any server starts, as the dashboard
    would on its first session; two servers starting on an empty store would race."""
    store = open_store(where)
    if store.current() is None:
        store.bootstrap(BUNDLED, completion_counts(load_workbook(BUNDLED)))


@contextlib.contextmanager
def servers(count: int, gc: bool, store: str, logs: Path) -> Iterator[list[Server]]:
    """``count`` dashboard servers with ``runner.postScriptGC`` = ``gc``, all on ``store``
    (a folder or a PostgreSQL URL); stopped on exit."""
    env = {k: v for k, v in os.environ.items() if k not in OTHER_DATA_ENV}
    env[DATABASE_URL_ENV if "://" in store else STORE_ENV] = store
    started: list[Server] = []
    try:
        for i in range(count):
            port = free_port()
            log = logs / f"server-{port}-{i}.log"
            with log.open("wb") as out:
                process = subprocess.Popen(
                    streamlit_command(
                        "dashboard.py", port, "--runner.postScriptGC", "true" if gc else "false"
                    ),
                    cwd=ROOT,
                    env=env,
                    stdout=out,
                    stderr=subprocess.STDOUT,
                )
            started.append(Server(port, process, log))
        deadline = time.monotonic() + START_TIMEOUT_S
        for server in started:
            while not server_healthy(server.port):
                if server.process.poll() is not None or time.monotonic() > deadline:
                    raise BenchError(
                        f"server on port {server.port} did not start:\n" + server.log_tail()
                    )
                time.sleep(0.1)
        yield started
    finally:
        for server in started:
            server.process.terminate()
        for server in started:
            try:
                server.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.process.kill()
                server.process.wait()


# --- the client --------------------------------------------------------------------------


def _first_run_request() -> bytes:
    """What the browser sends first on a new connection: run the script for the default
    page (empty query string and page hash, no widget states)."""
    msg = BackMsg()
    msg.rerun_script.query_string = ""
    msg.rerun_script.page_script_hash = ""
    data: bytes = msg.SerializeToString()
    return data


FIRST_RUN = _first_run_request()


@dataclass(frozen=True)
class Session:
    seconds: float
    messages: int
    bytes: int


def check_run(port: int, messages: Sequence[ForwardMsg], raw: bytes) -> None:
    """Raise ``BenchError`` unless ``messages`` are a whole successful run of the overview."""
    kinds = [m.WhichOneof("type") for m in messages]
    new = [
        m.delta.new_element
        for m in messages
        if m.WhichOneof("type") == "delta" and m.delta.WhichOneof("type") == "new_element"
    ]
    elements = [element.WhichOneof("type") for element in new]
    charts = [e for e in new if e.WhichOneof("type") == "html" and CHART_CLASS in e.html.body]
    problems = []
    if not kinds or kinds[0] != "new_session":
        problems.append(f"first message is {kinds[:1]}, not new_session")
    if messages and messages[-1].script_finished != ForwardMsg.FINISHED_SUCCESSFULLY:
        problems.append(f"script_finished status {messages[-1].script_finished}")
    if "page_not_found" in kinds:
        problems.append("page_not_found")
    if "exception" in elements:
        problems.append("an exception element (the script failed)")
    if len(charts) < MIN_CHARTS or "metric" not in elements:
        problems.append(f"not the overview page: elements {sorted({str(e) for e in elements})}")
    if OVERVIEW_TEXT.encode() not in raw:
        problems.append(f"no {OVERVIEW_TEXT!r} in the messages")
    if problems:
        raise BenchError(f"session on port {port} did not run the overview: {'; '.join(problems)}")


async def new_session(port: int) -> Session:
    """One new session: connect, ask for the first run, read until ``script_finished``,
    check that it was the overview page, close."""
    start = time.perf_counter()
    messages: list[ForwardMsg] = []
    chunks: list[bytes] = []
    async with connect(
        f"ws://{HOST}:{port}/_stcore/stream",
        subprotocols=[Subprotocol("streamlit")],  # as the browser; no XSRF token needed
        compression=None,
        max_size=None,
        open_timeout=SESSION_TIMEOUT_S,
    ) as ws:
        await ws.send(FIRST_RUN)
        async with asyncio.timeout(SESSION_TIMEOUT_S):
            async for data in ws:
                if isinstance(data, str):
                    raise BenchError(f"text frame from port {port}: {data[:80]!r}")
                msg = ForwardMsg()
                msg.ParseFromString(data)
                messages.append(msg)
                chunks.append(data)
                if msg.WhichOneof("type") == "script_finished":
                    break
            else:
                raise BenchError(f"port {port} closed the websocket before script_finished")
    raw = b"".join(chunks)
    check_run(port, messages, raw)
    return Session(time.perf_counter() - start, len(messages), len(raw))


async def _load(ports: Sequence[int], sessions: int, concurrency: int) -> list[Session]:
    """``sessions`` new sessions from ``concurrency`` clients at once; session ``i`` goes
    to ``ports[i % len(ports)]`` (round robin)."""
    done: list[Session] = []
    next_index = iter(range(sessions))

    async def client() -> None:
        for i in next_index:
            done.append(await new_session(ports[i % len(ports)]))

    async with asyncio.TaskGroup() as group:
        for _ in range(min(concurrency, sessions)):
            group.create_task(client())
    return done


def open_sessions(ports: Sequence[int], sessions: int, concurrency: int) -> list[Session]:
    """``sessions`` new sessions, ``concurrency`` at a time, round-robin over ``ports``.
    The client's event loop runs in a thread of its own, so a caller that already runs
    one (e.g. a test session with Playwright's sync API) can call this too."""

    def run() -> list[Session]:
        try:
            return asyncio.run(_load(ports, sessions, concurrency))
        except* BenchError as group:
            raise group.exceptions[0] from None

    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(run).result()


# --- measurements ------------------------------------------------------------------------


@dataclass
class Measurement:
    processes: int
    gc: bool
    concurrency: int  # client connections at once, over all processes
    sessions: int
    seconds: float
    client_cpu: float
    server_cpu: float  # summed over the processes
    rss_before: list[int]  # KiB, one per process
    rss_after: list[int]
    load_before: str
    load_after: str
    latencies: list[float] = field(repr=False)

    @property
    def rate(self) -> float:
        return self.sessions / self.seconds

    @property
    def label(self) -> str:
        return f"{self.processes} 进程 · postScriptGC {'on ' if self.gc else 'off'}"


def warm_up(ports: Sequence[int], sessions: int) -> None:
    """The first session of each server loads and scores the workbook and fills the
    caches; a few more settle the process."""
    for port in ports:
        open_sessions([port], 1, 1)
    open_sessions(ports, sessions, len(ports) * 2)


def measure(group: Sequence[Server], gc: bool, sessions: int, concurrency: int) -> Measurement:
    ports = [s.port for s in group]
    pids = [s.process.pid for s in group]
    rss_before = [rss_kib(pid) for pid in pids]
    server_cpu = sum(cpu_seconds(pid) for pid in pids)
    client_cpu = client_cpu_seconds()
    load_before = load_average()
    start = time.perf_counter()
    done = open_sessions(ports, sessions, concurrency)
    seconds = time.perf_counter() - start
    return Measurement(
        processes=len(group),
        gc=gc,
        concurrency=concurrency,
        sessions=len(done),
        seconds=seconds,
        client_cpu=client_cpu_seconds() - client_cpu,
        server_cpu=sum(cpu_seconds(pid) for pid in pids) - server_cpu,
        rss_before=rss_before,
        rss_after=[rss_kib(pid) for pid in pids],
        load_before=load_before,
        load_after=load_average(),
        latencies=[s.seconds for s in done],
    )


def _mib(kib: Sequence[int]) -> str:
    return "/".join(f"{k / 1024:.0f}" for k in kib)


def print_header() -> None:
    print(
        f"  {'':<26} {'sessions/s':>10} {'n':>5} {'C':>3} {'p50 ms':>7} {'p95 ms':>7}"
        f" {'client CPU':>10} {'server CPU':>10} {'ms/session':>10}"
        f" {'RSS MiB before→after':>21}  load 1/5/15"
    )


def print_row(m: Measurement) -> None:
    lat = sorted(m.latencies)
    p95 = lat[min(len(lat) - 1, int(len(lat) * 0.95))] * 1000
    print(
        f"  {m.label:<26} {m.rate:10.1f} {m.sessions:5d} {m.concurrency:3d}"
        f" {statistics.median(lat) * 1000:7.0f} {p95:7.0f}"
        f" {m.client_cpu / m.seconds:10.0%} {m.server_cpu / m.seconds:10.0%}"
        f" {m.server_cpu / m.sessions * 1000:10.0f}"
        f" {_mib(m.rss_before):>10}→{_mib(m.rss_after):<10}  {m.load_before} → {m.load_after}"
    )


def memory_run(
    store: str, logs: Path, gc: bool, sessions: int, concurrency: int, every: int
) -> list[int]:
    """RSS (KiB) of one process after the warm-up and after every ``every`` sessions."""
    with servers(1, gc, store, logs) as group:
        warm_up([group[0].port], 20)
        pid = group[0].process.pid
        samples = [rss_kib(pid)]
        for _ in range(sessions // every):
            open_sessions([group[0].port], every, concurrency)
            samples.append(rss_kib(pid))
        return samples


def run(
    quick: bool = False,
    concurrency: int = 4,
    rounds: int = 1,
    postgres: str | None = None,
    sweep: bool = False,
    memory_sessions: int | None = None,
) -> bool:
    """The whole server benchmark; prints a table and the goals. True if the goals are met.

    ``concurrency`` is the number of client connections at once *per server process*."""
    sessions = 60 if quick else 300
    warm = 10 if quick else 30
    if memory_sessions is None:
        memory_sessions = 0 if quick else 1000
    cpus = os.cpu_count() or 1
    print(
        f"\nserver: new sessions per second (websocket client, no browser; {cpus} CPUs, "
        f"{concurrency} connections per process, {sessions} sessions after {warm} warm-up)"
    )
    if quick:
        print("  (--quick: runs of a few seconds, indicative only; judge the goals on a full run)")
    print(
        "  C: connections at once; client/server CPU: CPU time over wall time (100% = one "
        "core), servers summed; ms/session: server CPU per session; load: /proc/loadavg"
    )
    with tempfile.TemporaryDirectory(prefix="bench-server-") as tmp:
        tmpdir = Path(tmp)
        store = postgres or str(tmpdir / "store")
        prepare_store(store)
        if sweep:
            print("  concurrency sweep, 1 process:")
            print_header()
            for gc in (True, False):
                with servers(1, gc, store, tmpdir) as group:
                    warm_up([group[0].port], warm)
                    for c in (1, 2, 4, 8, 16):
                        print_row(measure(group, gc, sessions, c))
            print("  the comparison:")
        results: list[Measurement] = []
        print_header()
        for _ in range(rounds):
            for processes in (1, 2):
                for gc in (True, False):
                    with servers(processes, gc, store, tmpdir) as group:
                        warm_up([s.port for s in group], warm)
                        m = measure(group, gc, sessions, concurrency * processes)
                    print_row(m)
                    results.append(m)
        memory: dict[bool, list[int]] = {}
        if memory_sessions:
            every = max(1, memory_sessions // 4)
            for gc in (False, True):
                memory[gc] = memory_run(store, tmpdir, gc, memory_sessions, concurrency, every)
    return verdict(results, memory, memory_sessions)


def production_gc() -> bool:
    """``runner.postScriptGC`` as ``ui.launch.PRODUCTION_FLAGS`` set it (Streamlit's default:
    on)."""
    flags = list(PRODUCTION_FLAGS)
    if "--runner.postScriptGC" in flags:
        return flags[flags.index("--runner.postScriptGC") + 1] == "true"
    return True


def best(results: Sequence[Measurement], processes: int, gc: bool) -> Measurement:
    return max(
        (m for m in results if m.processes == processes and m.gc == gc), key=lambda m: m.rate
    )


def verdict(
    results: Sequence[Measurement], memory: dict[bool, list[int]], memory_sessions: int
) -> bool:
    ok = True
    for gc in (True, False):
        if memory.get(gc):
            samples = memory[gc]
            print(
                f"  memory, 1 process, postScriptGC {'on ' if gc else 'off'}, RSS MiB after "
                f"warm-up and every {memory_sessions // (len(samples) - 1)} sessions: "
                f"{' → '.join(f'{s / 1024:.0f}' for s in samples)}"
            )
    print("  (Streamlit keeps up to 128 disconnected sessions for 120 s: RSS grows until then)")
    for gc in (True, False):
        one, two = best(results, 1, gc), best(results, 2, gc)
        met_one = one.rate >= SESSIONS_GOAL
        met_two = two.rate >= SCALING_GOAL * one.rate
        print(
            f"  postScriptGC {'on ' if gc else 'off'}"
            f"{' (production)' if gc == production_gc() else ''}: 1 process {one.rate:.1f}/s "
            f"(goal ≥ {SESSIONS_GOAL:.0f}/s … {'met' if met_one else 'MISSED'}); "
            f"2 processes {two.rate:.1f}/s = {two.rate / one.rate:.2f}x "
            f"(goal ≥ {SCALING_GOAL}x … {'met' if met_two else 'MISSED'})"
        )
        if gc == production_gc():  # the goals are for the setting production runs with
            ok = met_one and met_two
    on, off = best(results, 1, True), best(results, 1, False)
    print(f"  postScriptGC off / on, 1 process: {off.rate / on.rate:.2f}x")
    return ok


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer sessions, no memory run")
    parser.add_argument(
        "--concurrency", type=int, default=4, help="client connections at once per process"
    )
    parser.add_argument("--rounds", type=int, default=1, help="measure each setting N times")
    parser.add_argument("--sweep", action="store_true", help="also try 1, 2, 4, 8, 16 clients")
    parser.add_argument(
        "--memory-sessions", type=int, help="sessions of the memory run (default 1000; 0: none)"
    )
    parser.add_argument("--postgres", metavar="URL", help="a PostgreSQL store instead of SQLite")
    args = parser.parse_args(argv)
    ok = run(
        quick=args.quick,
        concurrency=args.concurrency,
        rounds=args.rounds,
        postgres=args.postgres,
        sweep=args.sweep,
        memory_sessions=args.memory_sessions,
    )
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
