"""A real PostgreSQL server for the tests, started in a temporary folder.

``PostgresServer.start()`` runs Debian's ``initdb`` and ``postgres`` (PostgreSQL 15 by
default; ``$PG_BIN`` names another bin folder) on 127.0.0.1 and a free port, trust
authentication for loopback only. Debian's initdb refuses to run as root: as root the
server runs as the unprivileged user ``nobody`` in a folder owned by it. Missing
binaries fail the test session (never a skip), with the apt command to install them.
``new_database()`` gives each test an empty database of its own.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import pwd
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import psycopg

from tests.local_server import free_port

INSTALL_HINT = "apt-get install -y --no-install-recommends postgresql"
START_TIMEOUT = 60.0


def find_bin() -> Path:
    candidates = [os.environ.get("PG_BIN", "")]
    candidates += sorted((str(p) for p in Path("/usr/lib/postgresql").glob("*/bin")), reverse=True)
    for candidate in candidates:
        if candidate and (Path(candidate) / "initdb").is_file():
            return Path(candidate)
    raise RuntimeError(
        "找不到 PostgreSQL 服务器程序（initdb、postgres）：测试需要它们。"
        f"请安装：{INSTALL_HINT}（或用 PG_BIN 指向其 bin 目录）"
    )


def _as_server_user() -> tuple[Callable[[], None] | None, int | None, int | None]:
    """A preexec_fn dropping root to ``nobody`` (and its ids), or nothing when not root."""
    if os.geteuid() != 0:
        return None, None, None
    nobody = pwd.getpwnam("nobody")
    uid, gid = nobody.pw_uid, nobody.pw_gid

    def drop() -> None:
        os.setgroups([])
        os.setgid(gid)
        os.setuid(uid)

    return drop, uid, gid


@dataclass
class PostgresServer:
    folder: Path
    port: int
    process: subprocess.Popen[bytes]
    _names: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    @property
    def admin_url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def url(self, database: str) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    @classmethod
    def start(cls) -> PostgresServer:
        bin_dir = find_bin()
        drop, uid, gid = _as_server_user()
        folder = Path(tempfile.mkdtemp(prefix="zhenggai-pg-"))
        data = folder / "data"
        if uid is not None and gid is not None:
            os.chown(folder, uid, gid)
        env = {**os.environ, "LC_ALL": "C.UTF-8", "LANG": "C.UTF-8"}
        subprocess.run(
            [
                str(bin_dir / "initdb"),
                "-D",
                str(data),
                "-U",
                "postgres",
                "--auth=trust",
                "--encoding=UTF8",
                "--no-instructions",
            ],
            check=True,
            capture_output=True,
            preexec_fn=drop,
            env=env,
            cwd=folder,
        )
        port = free_port()
        log = open(folder / "server.log", "wb")  # noqa: SIM115 -- open while the server runs
        process = subprocess.Popen(
            [
                str(bin_dir / "postgres"),
                "-D",
                str(data),
                "-p",
                str(port),
                "-c",
                "listen_addresses=127.0.0.1",
                "-c",
                f"unix_socket_directories={folder}",
                "-c",
                "fsync=off",
                "-c",
                "max_connections=200",
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            preexec_fn=drop,
            env=env,
            cwd=folder,
        )
        log.close()
        server = cls(folder, port, process)
        server._wait()
        return server

    def _wait(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                break
            try:
                with psycopg.connect(self.admin_url, connect_timeout=2):
                    return
            except psycopg.OperationalError:
                time.sleep(0.1)
        log = (self.folder / "server.log").read_text(errors="replace")
        self.stop()
        raise RuntimeError(f"PostgreSQL did not start:\n{log}")

    def new_database(self) -> str:
        """An empty database of its own; its URL."""
        name = f"t{os.getpid()}_{next(self._names)}"
        with psycopg.connect(self.admin_url, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"'.encode())
        return self.url(name)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()  # "smart" shutdown would wait for pooled clients
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(30)
            if self.process.poll() is None:
                self.process.kill()
                self.process.wait(10)
        shutil.rmtree(self.folder, ignore_errors=True)


def psql_rows(url: str, sql: str, params: Sequence[object] = ()) -> list[tuple[object, ...]]:
    """Rows of one statement on a connection of its own (for checks in tests)."""
    with psycopg.connect(url, autocommit=True) as conn:
        cursor = conn.execute(sql.encode(), tuple(params))
        return list(cursor.fetchall()) if cursor.description else []
