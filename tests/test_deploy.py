"""The production recipe in deploy/: systemd unit, nginx, Dockerfile, compose, make serve.

The systemd unit, the Dockerfile and the bundle's run.sh repeat ``ui.launch.PRODUCTION_FLAGS``
verbatim; these tests check that they agree. nginx configurations are checked with
``nginx -t`` (Debian package ``nginx-light``) against a self-signed certificate made with
``openssl``; without nginx or openssl the test FAILS, it is never skipped.
"""

from __future__ import annotations

import http.client
import http.server
import json
import os
import re
import shlex
import shutil
import ssl
import subprocess
import sys
import threading
import time
import urllib.parse
from pathlib import Path

import pytest

from tests.local_server import free_port, health_ok
from ui.launch import PRODUCTION_FLAGS

REPO_ROOT = Path(__file__).resolve().parent.parent
DEPLOY = REPO_ROOT / "deploy"
UNIT = DEPLOY / "systemd" / "zhenggai@.service"
NGINX_APT = "sudo apt-get install nginx-light openssl"


def _options(tokens: list[str]) -> dict[str, str]:
    """``--name value`` pairs of a command line (after the script argument)."""
    options = [t for t in tokens if t.startswith("--")]
    return {t: tokens[tokens.index(t) + 1] for t in options}


def _unit_settings(path: Path) -> dict[str, list[str]]:
    """``Key=value`` lines of a systemd unit (continuation lines joined), all values kept."""
    text = re.sub(r"\\\n\s*", " ", path.read_text(encoding="utf-8"))
    settings: dict[str, list[str]] = {}
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith(("#", ";", "[")):
            continue
        key, _, value = line.partition("=")
        settings.setdefault(key.strip(), []).append(value.strip())
    return settings


def test_production_flags_are_option_value_pairs() -> None:
    names = PRODUCTION_FLAGS[::2]
    assert all(name.startswith("--") for name in names)
    assert not any(value.startswith("--") for value in PRODUCTION_FLAGS[1::2])
    assert len(set(names)) == len(names)
    assert dict(zip(names, PRODUCTION_FLAGS[1::2], strict=True)) == {
        "--server.headless": "true",
        "--browser.gatherUsageStats": "false",
        "--server.fileWatcherType": "none",
        "--server.runOnSave": "false",
        "--client.toolbarMode": "viewer",
        "--runner.postScriptGC": "false",  # measured: scripts/bench_server.py
        # .streamlit/config.toml's security settings (tests/test_production_settings.py)
        "--browser.serverAddress": "localhost",
        "--server.maxUploadSize": "20",
        "--server.enableXsrfProtection": "true",
        "--server.enableCORS": "true",
        "--server.enableStaticServing": "false",
        "--client.showErrorDetails": "none",
        "--client.showErrorLinks": "false",
        "--client.disableDataExport": "true",
    }
    assert "--server.address" not in names  # 127.0.0.1 unless told (ui.launch.ADDRESS_ENV)


def test_systemd_unit_runs_production_flags_on_its_port() -> None:
    settings = _unit_settings(UNIT)
    (exec_start,) = settings["ExecStart"]
    tokens = shlex.split(exec_start)
    assert tokens[1:5] == ["-m", "streamlit", "run", "/opt/zhenggai/dashboard.py"]
    expected = dict(zip(PRODUCTION_FLAGS[::2], PRODUCTION_FLAGS[1::2], strict=True))
    expected |= {"--server.address": "127.0.0.1", "--server.port": "%i"}
    assert _options(tokens[5:]) == expected


def test_systemd_unit_is_unprivileged_and_hardened() -> None:
    settings = {key: values[-1] for key, values in _unit_settings(UNIT).items()}
    assert settings["User"] == "zhenggai"
    assert settings["EnvironmentFile"] == "/etc/zhenggai/zhenggai.env"
    assert settings["Restart"] in {"on-failure", "always"}
    assert settings["NoNewPrivileges"] == "true"
    assert settings["ProtectSystem"] == "strict"
    assert settings["PrivateTmp"] == "true"
    writable = settings["ReadWritePaths"].split()
    env = dict(
        line.split("=", 1)
        for line in (DEPLOY / "systemd" / "zhenggai.env").read_text(encoding="utf-8").splitlines()
        if line and not line.startswith("#")
    )
    # The store must be writable under ProtectSystem=strict.
    assert any(env["ZHENGGAI_STORE"].startswith(path) for path in writable)
    assert "ZHENGGAI_DATABASE_URL" in (DEPLOY / "systemd" / "zhenggai.env").read_text("utf-8")


def test_dockerfile_runs_production_flags() -> None:
    text = (DEPLOY / "Dockerfile").read_text(encoding="utf-8")
    assert re.search(r"^FROM python:3\.11-slim$", text, re.MULTILINE)
    assert "chromium" in text and "fonts-noto-cjk" in text
    assert re.search(r"^USER zhenggai$", text, re.MULTILINE)
    cmd = re.search(r"^CMD (\[.*?\])$", text, re.MULTILINE | re.DOTALL)
    assert cmd is not None
    tokens = json.loads(cmd.group(1).replace("\\\n", ""))
    assert tokens[:4] == ["python", "-m", "streamlit", "run"]
    expected = dict(zip(PRODUCTION_FLAGS[::2], PRODUCTION_FLAGS[1::2], strict=True))
    expected |= {"--server.address": "0.0.0.0", "--server.port": "8501"}
    assert _options(tokens[5:]) == expected
    for copied in re.findall(r"^COPY (\S+) ", text, re.MULTILINE):
        assert (REPO_ROOT / copied).exists(), copied


def _yaml_outline(text: str) -> dict[str, object]:
    """The mapping keys of a block-style YAML document as nested dicts (``key: value``
    scalars as strings; list items ignored). Enough to check compose.yaml's structure
    without PyYAML, which the project does not depend on."""
    root: dict[str, object] = {}
    stack: list[tuple[int, dict[str, object]]] = [(-1, root)]
    for raw in text.splitlines():
        assert "\t" not in raw, f"tab in YAML: {raw!r}"
        line = raw.split(" #")[0].rstrip() if not raw.lstrip().startswith("#") else ""
        if not line.strip() or line.lstrip().startswith("- "):
            continue
        indent = len(line) - len(line.lstrip())
        match = re.fullmatch(r"\s*([\w.-]+):(?:\s+(.*))?", line)
        assert match, f"not a YAML mapping line: {raw!r}"
        while stack[-1][0] >= indent:
            stack.pop()
        parent = stack[-1][1]
        key, value = match.group(1), match.group(2)
        assert key not in parent, f"duplicate key {key!r}"
        if value is None:
            child: dict[str, object] = {}
            parent[key] = child
            stack.append((indent, child))
        else:
            parent[key] = value.strip().strip("\"'")
    return root


def _mapping(value: object) -> dict[str, object]:
    assert isinstance(value, dict), value
    return value


def test_compose_file_has_two_apps_postgres_and_nginx() -> None:
    text = (DEPLOY / "compose.yaml").read_text(encoding="utf-8")
    outline = _yaml_outline(text)
    services = _mapping(outline["services"])
    assert set(services) == {"app1", "app2", "db", "nginx"}
    app1, app2 = _mapping(services["app1"]), _mapping(services["app2"])
    build = _mapping(app1["build"])
    dockerfile = DEPLOY / str(build["context"]) / str(build["dockerfile"])
    assert dockerfile.resolve() == DEPLOY / "Dockerfile"
    assert app1["image"] == app2["image"]
    # The password is not in the file: the URL has none, libpq takes PGPASSWORD, and both
    # it and PostgreSQL's come from the env file given to docker compose.
    from_env_file = re.compile(r"\$\{ZHENGGAI_DB_PASSWORD:\?[^}]+\}")
    for app in (app1, app2):
        environment = _mapping(app["environment"])
        url = environment["ZHENGGAI_DATABASE_URL"]
        assert url == "postgresql://zhenggai@db:5432/zhenggai"
        assert from_env_file.fullmatch(str(environment["PGPASSWORD"]))
        assert "ports" not in app  # reached through nginx only
        # Sign-in throttling sees the real client: nginx's network is trusted, no other.
        assert environment["ZHENGGAI_TRUSTED_PROXIES"] == "172.28.0.0/24"
    assert "- subnet: 172.28.0.0/24" in text.split("\nnetworks:", 1)[1]
    db = _mapping(services["db"])
    assert db["image"] == "postgres:15"
    assert from_env_file.fullmatch(str(_mapping(db["environment"])["POSTGRES_PASSWORD"]))
    literal = re.search(r"^\s*\w*PASSWORD\w*:\s+(?!\$\{)\S", text, re.MULTILINE)
    assert literal is None, "a password in compose.yaml"
    assert not re.search(r"postgresql://[^@\s]*:[^@\s]*@", text), "a password in a URL"
    # nginx is published on the loopback interface only.
    published = re.findall(r'^\s*- "([^"]+)"$', text.split("  nginx:", 1)[1], re.MULTILINE)
    assert published == ["127.0.0.1:8080:80"]
    assert set(_mapping(outline["volumes"])) == {"store", "pgdata"}
    assert "./nginx/compose.conf:/etc/nginx/conf.d/default.conf:ro" in text
    conf = (DEPLOY / "nginx" / "compose.conf").read_text(encoding="utf-8")
    assert "server app1:8501" in conf and "server app2:8501" in conf


@pytest.mark.parametrize("name", ["zhenggai.conf", "compose.conf"])
def test_nginx_config_proxies_websocket_with_sticky_sessions(name: str) -> None:
    text = (DEPLOY / "nginx" / name).read_text(encoding="utf-8")
    assert re.search(r"^\s*hash \$zg_route consistent;", text, re.MULTILINE)
    stream = re.search(r"location /_stcore/stream \{(.*?)\n    \}", text, re.DOTALL)
    assert stream is not None
    assert "proxy_set_header Upgrade           $http_upgrade;" in stream.group(1)
    assert "proxy_set_header Connection        $zg_connection_upgrade;" in stream.group(1)
    read_timeout = re.search(r"proxy_read_timeout\s+(\d+)s;", stream.group(1))
    assert read_timeout is not None and int(read_timeout.group(1)) >= 3600
    body = re.search(r"client_max_body_size (\d+)m;", text)
    assert body is not None and 20 < int(body.group(1)) <= 30  # the 20 MB upload limit


@pytest.mark.parametrize("name", ["zhenggai.conf", "compose.conf"])
def test_nginx_config_forbids_framing_and_hides_its_version(name: str) -> None:
    text = (DEPLOY / "nginx" / name).read_text(encoding="utf-8")
    servers = re.split(r"^server \{", text, flags=re.MULTILINE)[1:]
    assert servers and all("\n    server_tokens off;" in server for server in servers)
    assert "add_header Content-Security-Policy \"frame-ancestors 'self'\" always;" in text
    assert "add_header X-Frame-Options SAMEORIGIN always;" in text
    # add_header is inherited by a location only if the location adds none of its own.
    assert not re.search(r"location [^{]*\{[^}]*add_header", text)


def _self_signed(directory: Path) -> tuple[Path, Path]:
    cert, key = directory / "cert.pem", directory / "key.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=kanban.example.gov.cn",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
    )
    return cert, key


@pytest.mark.parametrize("name", ["zhenggai.conf", "compose.conf"])
def test_nginx_accepts_config(name: str, tmp_path: Path) -> None:
    nginx = shutil.which("nginx") or next(
        (p for p in ("/usr/sbin/nginx", "/sbin/nginx") if os.access(p, os.X_OK)), None
    )
    if nginx is None or shutil.which("openssl") is None:
        pytest.fail(f"nginx -t needs nginx and openssl: `{NGINX_APT}`")
    cert, key = _self_signed(tmp_path)
    text = (DEPLOY / "nginx" / name).read_text(encoding="utf-8")
    # The placeholders an operator replaces: certificate paths, log paths; in compose the
    # app containers' names, which do not resolve here.
    text = text.replace("/etc/nginx/ssl/zhenggai/fullchain.pem", str(cert))
    text = text.replace("/etc/nginx/ssl/zhenggai/privkey.pem", str(key))
    text = text.replace("/var/log/nginx/", f"{tmp_path}/")
    text = re.sub(r"server app(\d):8501", r"server 127.0.0.\1:8501", text)
    (tmp_path / "site.conf").write_text(text, encoding="utf-8")
    main = tmp_path / "nginx.conf"
    main.write_text(
        f"pid {tmp_path}/nginx.pid;\n"
        f"error_log {tmp_path}/error.log;\n"
        "events {}\n"
        "http {\n"
        f"    access_log {tmp_path}/access.log;\n"
        f"    include {tmp_path}/site.conf;\n"
        "}\n",
        encoding="utf-8",
    )
    result = subprocess.run(
        [nginx, "-t", "-p", f"{tmp_path}/", "-c", str(main), "-g", "daemon off;"],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 0, result.stderr
    assert "syntax is ok" in result.stderr
    assert "[warn]" not in result.stderr, result.stderr


def _nginx() -> str:
    nginx = shutil.which("nginx") or next(
        (p for p in ("/usr/sbin/nginx", "/sbin/nginx") if os.access(p, os.X_OK)), None
    )
    if nginx is None or shutil.which("openssl") is None:
        pytest.fail(f"nginx -t needs nginx and openssl: `{NGINX_APT}`")
    return nginx


class _Upstream(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, format: str, *args: object) -> None:
        pass


def _headers(url: str) -> tuple[int, dict[str, str]]:
    parts = urllib.parse.urlsplit(url)
    conn: http.client.HTTPConnection
    if parts.scheme == "https":
        context = ssl.create_default_context()
        context.check_hostname, context.verify_mode = False, ssl.CERT_NONE
        conn = http.client.HTTPSConnection(parts.netloc, timeout=10, context=context)
    else:
        conn = http.client.HTTPConnection(parts.netloc, timeout=10)
    try:
        conn.request("GET", parts.path or "/")
        response = conn.getresponse()
        response.read()
        return response.status, {key.lower(): value for key, value in response.getheaders()}
    finally:
        conn.close()


@pytest.mark.parametrize("name", ["zhenggai.conf", "compose.conf"])
def test_nginx_serves_security_headers_without_its_version(name: str, tmp_path: Path) -> None:
    """nginx run with the configuration in front of a stand-in app: every answer says the
    page may be framed by its own site only, and none names nginx's version."""
    upstream = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Upstream)
    threading.Thread(target=upstream.serve_forever, daemon=True).start()
    https_port, http_port = free_port(), free_port()
    cert, key = _self_signed(tmp_path)
    text = (DEPLOY / "nginx" / name).read_text(encoding="utf-8")
    text = text.replace("listen 443 ssl;", f"listen 127.0.0.1:{https_port} ssl;")
    text = text.replace("listen [::]:443 ssl;\n", "").replace("listen [::]:80;\n", "")
    text = text.replace("listen 80;", f"listen 127.0.0.1:{http_port};")
    text = text.replace("/etc/nginx/ssl/zhenggai/fullchain.pem", str(cert))
    text = text.replace("/etc/nginx/ssl/zhenggai/privkey.pem", str(key))
    text = text.replace("/var/log/nginx/", f"{tmp_path}/")
    app = f"server 127.0.0.1:{upstream.server_address[1]} max_fails=0;"
    text = re.sub(r"server (127\.0\.0\.1|app\d):85\d\d max_fails=0;", app, text)
    (tmp_path / "site.conf").write_text(text, encoding="utf-8")
    main = tmp_path / "nginx.conf"
    main.write_text(
        f"pid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log;\nevents {{}}\n"
        f"http {{\n    access_log off;\n    include {tmp_path}/site.conf;\n}}\n",
        encoding="utf-8",
    )
    command = [_nginx(), "-p", f"{tmp_path}/", "-c", str(main), "-g", "daemon off;"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 20
        while not (tmp_path / "nginx.pid").exists():
            assert process.poll() is None, process.stdout.read() if process.stdout else ""
            assert time.monotonic() < deadline, "nginx did not start"
            time.sleep(0.1)
        https = name == "zhenggai.conf"  # compose.conf: plain HTTP (a trial)
        site = f"https://127.0.0.1:{https_port}/" if https else f"http://127.0.0.1:{http_port}/"
        status, headers = _headers(site)
        assert status == 200
        assert headers["content-security-policy"] == "frame-ancestors 'self'"
        assert headers["x-frame-options"] == "SAMEORIGIN"
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["server"] == "nginx"  # server_tokens off: no version
        if https:  # its HTTP server only redirects, without a version either
            status, headers = _headers(f"http://127.0.0.1:{http_port}/")
            assert status == 301 and headers["server"] == "nginx"
    finally:
        process.terminate()
        process.wait(timeout=20)
        upstream.shutdown()
        upstream.server_close()


def test_make_serve_command_starts_a_production_server(tmp_path: Path) -> None:
    makefile = (REPO_ROOT / "Makefile").read_text(encoding="utf-8")
    assert "\t$(BIN)/python -m ui.launch dashboard.py 8501\n" in makefile
    port = free_port()
    env = {**os.environ, "ZHENGGAI_STORE": str(tmp_path / "store")}
    log = (tmp_path / "serve.log").open("wb")
    proc = subprocess.Popen(
        [sys.executable, "-m", "ui.launch", "dashboard.py", str(port)],
        cwd=REPO_ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 60
        while not health_ok(f"http://127.0.0.1:{port}"):
            assert proc.poll() is None, (tmp_path / "serve.log").read_text("utf-8")
            assert time.monotonic() < deadline, (tmp_path / "serve.log").read_text("utf-8")
            time.sleep(0.5)
        cmdline = Path(f"/proc/{proc.pid}/cmdline").read_bytes().split(b"\0")
        args = [a.decode() for a in cmdline if a]
        assert args[-len(PRODUCTION_FLAGS) :] == list(PRODUCTION_FLAGS)
        assert args[args.index("--server.address") + 1] == "127.0.0.1"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


def test_backup_timer_command_writes_a_restorable_archive(
    tmp_path: Path, bundled_workbook: Path
) -> None:
    """The ExecStart of deploy/systemd/zhenggai-backup.service, run as systemd would
    (``%%`` unescaped, the bundle's python replaced by this one), backs up the store."""
    from metrics.store.backup import restore
    from metrics.store.versions import Store

    service = _unit_settings(DEPLOY / "systemd" / "zhenggai-backup.service")
    assert service["Type"] == ["oneshot"] and service["User"] == ["zhenggai"]
    assert service["EnvironmentFile"] == ["/etc/zhenggai/zhenggai.env"]
    timer = _unit_settings(DEPLOY / "systemd" / "zhenggai-backup.timer")
    assert timer["OnCalendar"] and timer["Persistent"] == ["true"]
    assert timer["WantedBy"] == ["timers.target"]

    (exec_start,) = service["ExecStart"]
    backups = tmp_path / "backups"
    backups.mkdir()
    command = (
        exec_start.replace("%%", "%")
        .replace("/opt/zhenggai/.venv/bin/python", sys.executable)
        .replace("/var/backups/zhenggai", str(backups))
    )
    assert "/var/backups/zhenggai" in service["ReadWritePaths"][0]
    store = Store(tmp_path / "store")
    store.bootstrap(bundled_workbook, {})
    env = {**os.environ, "ZHENGGAI_STORE": str(store.root)}
    env.pop("ZHENGGAI_DATABASE_URL", None)
    for _ in range(2):  # two runs, two archives (never overwritten: one per second)
        done = subprocess.run(
            shlex.split(command), cwd=REPO_ROOT, env=env, capture_output=True, text=True
        )
        assert done.returncode == 0, done.stderr
        assert "已备份" in done.stdout
        time.sleep(1.1)
    archives = sorted(backups.glob("zhenggai-*.tar.gz"))
    assert len(archives) == 2
    assert re.fullmatch(r"zhenggai-\d{8}-\d{6}\.tar\.gz", archives[0].name)
    assert restore(archives[-1], tmp_path / "restored").versions == 1
