"""The production recipe end to end: deploy/nginx/zhenggai.conf (HTTPS, websocket
upgrade, sticky sessions by the ``zg_route`` cookie) in front of two dashboard
processes, visited with Chromium.

The configuration is the shipped file with only its placeholders replaced (ports,
certificate, log paths) and one access-log format added that records which process
served each request. Each browser must stay on one process for its whole visit, page
loads and websocket alike, and several browsers must be spread over both processes.
"""

from __future__ import annotations

import os
import re
import shutil
import ssl
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from metrics.publishing import completion_counts
from metrics.store.versions import STORE_ENV, Store
from metrics.workbook.loader import load_workbook
from tests.browser.test_upload import metric
from tests.local_server import free_port
from ui.data_source import WORKBOOK_ENV

if TYPE_CHECKING:
    from tests.conftest import StreamlitApp, StreamlitServerFactory

REPO = Path(__file__).resolve().parents[2]
CONF = REPO / "deploy" / "nginx" / "zhenggai.conf"
NGINX_APT = "apt-get install nginx-light openssl"
VISITORS = 4
NEW_CLIENTS = 40  # requests without a cookie: each may go to either process
ROUTE_LOG = re.compile(r"^(?P<route>\S+) (?P<upstream>\S+) (?P<status>\d+) (?P<uri>\S+)$")


def nginx_binary() -> str:
    found = shutil.which("nginx") or next(
        (p for p in ("/usr/sbin/nginx", "/sbin/nginx") if os.access(p, os.X_OK)), None
    )
    if found is None or shutil.which("openssl") is None:
        pytest.fail(f"this test needs nginx and openssl: `{NGINX_APT}`", pytrace=False)
    return found


def self_signed(folder: Path) -> tuple[Path, Path]:
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [
            *("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"),
            *("-subj", "/CN=127.0.0.1", "-keyout", str(key), "-out", str(cert)),
        ],
        check=True,
        capture_output=True,
    )
    return cert, key


def site_config(folder: Path, https_port: int, http_port: int, apps: list[int]) -> str:
    """zhenggai.conf with its placeholders filled in for this machine."""
    cert, key = self_signed(folder)
    text = CONF.read_text(encoding="utf-8")
    text = text.replace("listen 443 ssl;", f"listen 127.0.0.1:{https_port} ssl;")
    text = text.replace("listen [::]:443 ssl;\n", "")
    text = text.replace("listen 80;", f"listen 127.0.0.1:{http_port};")
    text = text.replace("listen [::]:80;\n", "")
    text = text.replace("/etc/nginx/ssl/zhenggai/fullchain.pem", str(cert))
    text = text.replace("/etc/nginx/ssl/zhenggai/privkey.pem", str(key))
    text = text.replace("/var/log/nginx/zhenggai.error.log", str(folder / "error.log"))
    servers = "".join(f"    server 127.0.0.1:{port} max_fails=0;\n" for port in apps)
    text, count = re.subn(r"(    server 127\.0\.0\.1:\d+ max_fails=0;\n)+", servers, text)
    assert count == 1, "the upstream block changed shape"
    access = f"access_log {folder / 'routes.log'} routes;"
    text, count = re.subn(r"access_log /var/log/nginx/zhenggai\.access\.log;", access, text)
    assert count == 1
    routes = "log_format routes '$cookie_zg_route $upstream_addr $status $uri';\n"
    return routes + text


@pytest.fixture
def nginx_front(
    streamlit_server: StreamlitServerFactory,
    request: pytest.FixtureRequest,
    tmp_path: Path,
) -> Iterator[tuple[str, Path, list[StreamlitApp]]]:
    """Two dashboard processes sharing one store folder, nginx in front; (https URL,
    route log, the apps)."""
    store = tmp_path / "store"
    bundled = REPO / "data" / "indicators.xlsx"
    Store(store).bootstrap(bundled, completion_counts(load_workbook(bundled)))  # v1
    env = {STORE_ENV: str(store), WORKBOOK_ENV: ""}
    apps = []
    for name in ("N1", "N2"):
        app = streamlit_server("dashboard.py", env={**env, "ZHENGGAI_TEST_INSTANCE": name})
        request.addfinalizer(app.stop)
        apps.append(app)
    https_port, http_port = free_port(), free_port()
    (tmp_path / "site.conf").write_text(
        site_config(tmp_path, https_port, http_port, [a.port for a in apps]), encoding="utf-8"
    )
    main = tmp_path / "nginx.conf"
    main.write_text(
        f"pid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/main-error.log;\n"
        "events {}\n"
        f"http {{\n    access_log off;\n    include {tmp_path}/site.conf;\n}}\n",
        encoding="utf-8",
    )
    nginx = nginx_binary()
    command = [nginx, "-p", f"{tmp_path}/", "-c", str(main), "-g", "daemon off;"]
    checked = subprocess.run([*command[:5], "-t"], capture_output=True, text=True, check=False)
    assert checked.returncode == 0, checked.stderr
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 20
    while not (tmp_path / "nginx.pid").exists():
        assert process.poll() is None, process.stdout.read() if process.stdout else ""
        assert time.monotonic() < deadline, "nginx did not start"
        time.sleep(0.1)
    try:
        yield f"https://127.0.0.1:{https_port}", tmp_path / "routes.log", apps
    finally:
        process.terminate()
        process.wait(timeout=20)


def visitor(browser: Browser, contexts: list[BrowserContext]) -> Page:
    context = browser.new_context(
        ignore_https_errors=True,  # the test's self-signed certificate
        viewport={"width": 1280, "height": 800},
        locale="zh-CN",
        timezone_id="Asia/Shanghai",
    )
    contexts.append(context)
    context.set_default_timeout(30_000)
    return context.new_page()


def test_nginx_keeps_each_browser_on_one_process_and_spreads_browsers(
    nginx_front: tuple[str, Path, list[StreamlitApp]],
    browser: Browser,
    screenshot_dir: Path,
) -> None:
    url, routes, apps = nginx_front
    contexts: list[BrowserContext] = []
    try:
        pages = []
        for _ in range(VISITORS):
            page = visitor(browser, contexts)
            page.goto(url)
            expect(metric(page, "85.7%")).to_be_visible(timeout=60_000)
            pages.append(page)
        # An interaction goes over the same websocket (a rerun, not a page load).
        first = pages[0]
        first.get_by_test_id("stSidebarNav").get_by_role("link", name="整改任务").click()
        expect(first.get_by_role("heading", name="整改任务")).to_be_visible(timeout=30_000)
        first.screenshot(path=screenshot_dir / "nginx-front.png")
        cookies = [c.cookies() for c in contexts]
    finally:
        for context in contexts:
            context.close()
    # New visitors (no cookie yet) are spread over the processes.
    unverified = ssl.create_default_context()
    unverified.check_hostname = False
    unverified.verify_mode = ssl.CERT_NONE
    opener = urllib.request.build_opener(
        urllib.request.ProxyHandler({}), urllib.request.HTTPSHandler(context=unverified)
    )
    for _ in range(NEW_CLIENTS):
        with opener.open(f"{url}/_stcore/health", timeout=10) as response:
            assert response.read().strip() == b"ok"
            set_cookies = response.headers.get_all("Set-Cookie") or []
            assert any(c.startswith("zg_route=") for c in set_cookies), set_cookies

    # nginx writes a request's log line after it has sent the response: wait for them.
    deadline = time.monotonic() + 10
    while _cookieless_health(routes) < NEW_CLIENTS:
        assert time.monotonic() < deadline, "nginx did not log every request"
        time.sleep(0.1)
    routes_by_cookie: dict[str, set[str]] = {}
    new_clients: list[str] = []
    stream_upgraded = set()
    for line in routes.read_text(encoding="utf-8").splitlines():
        match = ROUTE_LOG.match(line)
        assert match is not None, line
        if match["route"] == "-":  # a first request, before the browser had the cookie
            if match["uri"] == "/_stcore/health":
                new_clients.append(match["upstream"])
            continue
        routes_by_cookie.setdefault(match["route"], set()).add(match["upstream"])
        if match["uri"] == "/_stcore/stream":
            assert match["status"] == "101", line  # upgraded to a websocket
            stream_upgraded.add(match["route"])

    # Every browser got its cookie (Secure, HttpOnly) and kept to one process.
    given = [next(c for c in jar if c["name"] == "zg_route") for jar in cookies]
    assert all(c["secure"] and c["httpOnly"] for c in given)
    assert {c["value"] for c in given} == set(routes_by_cookie) == stream_upgraded
    assert all(len(upstreams) == 1 for upstreams in routes_by_cookie.values()), routes_by_cookie
    # ... and new visitors were spread over both processes.
    assert len(new_clients) == NEW_CLIENTS
    assert set(new_clients) == {f"127.0.0.1:{app.port}" for app in apps}, new_clients


def _cookieless_health(routes: Path) -> int:
    """Logged health checks that came without a cookie (this test's new clients)."""
    lines = routes.read_text(encoding="utf-8").splitlines()
    return sum(1 for line in lines if line.startswith("- ") and line.endswith(" /_stcore/health"))
