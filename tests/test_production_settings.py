"""The production settings hold wherever the dashboard is started from.

Streamlit reads ``.streamlit/config.toml`` from the working directory only, so the
production command line (``ui.launch.PRODUCTION_FLAGS``) must carry every setting of that
file that matters for security. One test compares the two; the other starts
``python -m ui.launch`` from an empty temporary directory (no config file anywhere, HOME
included) and checks what the server really does: it listens on 127.0.0.1 only, refuses an
upload over 20 MB (413) and one without the XSRF token (403), and over the websocket sends
the viewer toolbar, no CSV export and a generic error message without the exception's
type, text or traceback.
"""

from __future__ import annotations

import contextlib
import http.client
import os
import socket
import subprocess
import sys
import time
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.NewSession_pb2 import Config
from websockets.sync.client import connect
from websockets.typing import Subprotocol

from tests.local_server import free_port, health_ok
from ui.launch import ADDRESS_ENV, PRODUCTION_FLAGS, production_command

REPO_ROOT = Path(__file__).resolve().parent.parent
CONFIG = REPO_ROOT / ".streamlit" / "config.toml"
# Settings of config.toml the production flags need not repeat: looks, and options that
# are Streamlit's default anyway or do not apply to `streamlit run`.
NOT_SECURITY = ("theme.", "global.showWarningOnDirectExecution", "logger.level")
SECRET_DETAIL = "details-only-for-the-server-log-7f3a"
PROBE = f"""\
import streamlit as st

st.file_uploader("佐证材料")
raise RuntimeError("{SECRET_DETAIL}")
"""


def _flatten(table: dict[str, object], prefix: str = "") -> dict[str, object]:
    flat: dict[str, object] = {}
    for key, value in table.items():
        if isinstance(value, dict):
            flat |= _flatten(value, f"{prefix}{key}.")
        else:
            flat[f"{prefix}{key}"] = value
    return flat


def _as_flag(value: object) -> str:
    return str(value).lower() if isinstance(value, bool) else str(value)


def test_production_flags_carry_every_security_setting_of_config_toml() -> None:
    with CONFIG.open("rb") as f:
        settings = _flatten(tomllib.load(f))
    flags = dict(zip(PRODUCTION_FLAGS[::2], PRODUCTION_FLAGS[1::2], strict=True))
    wanted = {
        f"--{name}": _as_flag(value)
        for name, value in settings.items()
        if not name.startswith(NOT_SECURITY)
    }
    assert {name: flags.get(name) for name in wanted} == wanted
    # The ones the issue named, spelled out.
    for name, value in {
        "--server.maxUploadSize": "20",
        "--client.showErrorDetails": "none",
        "--client.disableDataExport": "true",
        "--server.enableXsrfProtection": "true",
        "--server.enableCORS": "true",
        "--browser.gatherUsageStats": "false",
        "--client.toolbarMode": "viewer",
    }.items():
        assert flags[name] == value, name


def test_production_command_listens_on_loopback_unless_told() -> None:
    def address(command: list[str]) -> str:
        at = len(command) - 1 - command[::-1].index("--server.address")  # the last counts
        return command[at + 1]

    assert address(production_command("dashboard.py", 8501, environ={})) == "127.0.0.1"
    told = production_command("dashboard.py", 8501, environ={ADDRESS_ENV: "0.0.0.0"})
    assert address(told) == "0.0.0.0"
    option = production_command("dashboard.py", 8501, "--server.address", "::1", environ={})
    assert address(option) == "::1"


def _listening(port: int) -> set[str]:
    """Local addresses of the TCP sockets listening on ``port`` (IPv4 and IPv6)."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        lines = Path(table).read_text(encoding="ascii").splitlines()[1:]
        for line in lines:
            local, state = line.split()[1], line.split()[3]
            address, _, hex_port = local.partition(":")
            if state == "0A" and int(hex_port, 16) == port:  # 0A: LISTEN
                if len(address) == 8:
                    found.add(socket.inet_ntop(socket.AF_INET, bytes.fromhex(address)[::-1]))
                else:
                    words = [bytes.fromhex(address[i : i + 8])[::-1] for i in range(0, 32, 8)]
                    found.add(socket.inet_ntop(socket.AF_INET6, b"".join(words)))
    return found


@dataclass(frozen=True)
class Server:
    port: int
    process: subprocess.Popen[bytes]
    log: Path


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    """``python -m ui.launch probe.py PORT`` started in an empty directory."""
    work = tmp_path / "elsewhere"
    (work / "home").mkdir(parents=True)
    (work / "probe.py").write_text(PROBE, encoding="utf-8")
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("STREAMLIT_") and key != ADDRESS_ENV
    }
    env |= {"HOME": str(work / "home"), "PYTHONUNBUFFERED": "1"}
    port = free_port()
    log = tmp_path / "server.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "ui.launch", "probe.py", str(port)],
            cwd=work,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 60
        while not health_ok(f"http://127.0.0.1:{port}"):
            assert process.poll() is None, log.read_text("utf-8")
            assert time.monotonic() < deadline, log.read_text("utf-8")
            time.sleep(0.3)
        yield Server(port, process, log)
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextlib.contextmanager
def _session(port: int) -> Iterator[list[ForwardMsg]]:
    """A new session, open while the block runs: the messages of its first script run
    (as the browser asks for it)."""
    request = BackMsg()
    request.rerun_script.query_string = ""
    request.rerun_script.page_script_hash = ""
    messages: list[ForwardMsg] = []
    with connect(
        f"ws://127.0.0.1:{port}/_stcore/stream",
        subprotocols=[Subprotocol("streamlit")],
        open_timeout=30,
        max_size=None,
        proxy=None,
    ) as ws:
        ws.send(request.SerializeToString())
        while not messages or messages[-1].WhichOneof("type") != "script_finished":
            data = ws.recv(timeout=60)
            assert isinstance(data, bytes)
            msg = ForwardMsg()
            msg.ParseFromString(data)
            messages.append(msg)
        yield messages


def _elements(messages: list[ForwardMsg], kind: str) -> list[ForwardMsg]:
    return [
        m
        for m in messages
        if m.WhichOneof("type") == "delta"
        and m.delta.WhichOneof("type") == "new_element"
        and m.delta.new_element.WhichOneof("type") == kind
    ]


def _upload_status(port: int, session_id: str, size: int, *, xsrf: bool) -> int:
    """The status of an upload of ``size`` bytes (announced; the body is never sent: the
    server answers on the header), or 0 if the server waits for the body (the size is
    within its limit)."""
    headers = {"Content-Length": str(size), "Content-Type": "multipart/form-data; boundary=x"}
    if xsrf:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        conn.request("GET", "/_stcore/health")  # sets the XSRF cookie, as in the browser
        response = conn.getresponse()
        response.read()
        cookie = next(
            value.split(";", 1)[0]
            for key, value in response.getheaders()
            if key.lower() == "set-cookie" and value.startswith("_streamlit_xsrf=")
        )
        conn.close()
        headers |= {"Cookie": cookie, "X-Xsrftoken": cookie.split("=", 1)[1]}
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.putrequest("PUT", f"/_stcore/upload_file/{session_id}/probe-file")
        for key, value in headers.items():
            conn.putheader(key, value)
        conn.endheaders()
        return conn.getresponse().status
    except TimeoutError:
        return 0
    finally:
        conn.close()


def test_launch_from_another_directory_keeps_the_production_settings(server: Server) -> None:
    # Listening: 127.0.0.1 only (not 0.0.0.0, not ::), so another loopback address of this
    # machine is refused as any other interface would be.
    assert _listening(server.port) == {"127.0.0.1"}
    with pytest.raises(OSError), socket.create_connection(("127.0.0.2", server.port), timeout=5):
        pass

    with _session(server.port) as messages:
        session = next(m.new_session for m in messages if m.WhichOneof("type") == "new_session")
        # Uploads: over 20 MB refused on the announced size; the XSRF token required.
        session_id = session.initialize.session_id
        assert _upload_status(server.port, session_id, 21 * 1024 * 1024, xsrf=True) == 413
        assert _upload_status(server.port, session_id, 1024, xsrf=False) == 403

    config = session.config
    assert config.toolbar_mode == Config.ToolbarMode.Value("VIEWER")
    assert config.disable_data_export is True
    assert config.gather_usage_stats is False
    assert config.show_error_links == Config.ShowErrorLinks.Value("SHOW_ERROR_LINKS_FALSE")

    (uploader,) = _elements(messages, "file_uploader")
    assert uploader.delta.new_element.file_uploader.max_upload_size_mb == 20

    # client.showErrorDetails "none": a generic message, no type, no text, no traceback.
    (error,) = _elements(messages, "exception")
    shown = error.delta.new_element.exception
    assert SECRET_DETAIL not in shown.message and "RuntimeError" not in shown.message
    assert not shown.stack_trace and shown.type == ""
    # The details are in the server's log, for the operators.
    deadline = time.monotonic() + 10
    while SECRET_DETAIL not in server.log.read_text("utf-8", errors="replace"):
        assert time.monotonic() < deadline, "the error is not in the server log"
        time.sleep(0.2)
