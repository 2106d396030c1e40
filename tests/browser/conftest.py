"""Real-browser fixtures: Debian's Chromium driven by Playwright.

We never download a browser (`playwright install` is not used): the tests run
the system Chromium at /usr/bin/chromium (override with $CHROMIUM). If it is
missing the tests FAIL, they are never skipped.

Fixtures:
- ``browser``: one headless Chromium for the whole session.
- ``new_page(width=1280, height=800, *, mobile=False)``: a page in a fresh
  context (zh-CN locale, 30 s default timeout). Requests to any host other than
  127.0.0.1/localhost are aborted and recorded in ``blocked_requests``, so a
  test can assert the page needs no CDN.
- ``page``: ``new_page()`` at the desktop size.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, Route, sync_playwright

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
INSTALL_HINT = "sudo apt-get install chromium fonts-noto-cjk"
DEFAULT_TIMEOUT_MS = 30_000

CHROMIUM_ARGS = [
    "--no-sandbox",  # CI runs as root
    "--disable-gpu",
    "--disable-dev-shm-usage",
    # Offline machines: no background connections to Google services.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
    "--no-proxy-server",
]

LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1", "[::1]"}

NewPage = Callable[..., Page]


def _has_cjk_font() -> bool:
    if shutil.which("fc-list"):
        out = subprocess.run(
            ["fc-list", ":lang=zh", "family"], capture_output=True, text=True, check=False
        ).stdout
        if out.strip():
            return True
    patterns = ("/usr/share/fonts/**/*CJK*", "/usr/local/share/fonts/**/*CJK*")
    return any(glob.glob(p, recursive=True) for p in patterns)


@pytest.fixture(scope="session")
def playwright_instance() -> Iterator[Playwright]:
    with sync_playwright() as pw:
        yield pw


@pytest.fixture(scope="session")
def browser(playwright_instance: Playwright) -> Iterator[Browser]:
    if not Path(CHROMIUM).is_file():
        pytest.fail(
            f"Chromium not found at {CHROMIUM}. Browser tests need Debian's Chromium "
            f"and CJK fonts: `{INSTALL_HINT}` (do not run `playwright install`).",
            pytrace=False,
        )
    if sys.platform.startswith("linux") and not _has_cjk_font():
        pytest.fail(
            f"No Chinese font found; pages would render as boxes. Run `{INSTALL_HINT}`.",
            pytrace=False,
        )
    browser = playwright_instance.chromium.launch(
        executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
    )
    yield browser
    browser.close()


@pytest.fixture
def blocked_requests() -> list[str]:
    """URLs the page tried to load from anywhere but this machine (aborted)."""
    return []


@pytest.fixture
def new_page(browser: Browser, blocked_requests: list[str]) -> Iterator[NewPage]:
    contexts: list[BrowserContext] = []

    def block_external(route: Route) -> None:
        url = route.request.url
        scheme = urlsplit(url).scheme
        host = urlsplit(url).hostname or ""
        if scheme in ("http", "https", "ws", "wss") and host not in LOCAL_HOSTS:
            blocked_requests.append(url)
            route.abort()
        else:
            route.continue_()

    def make(width: int = 1280, height: int = 800, *, mobile: bool = False) -> Page:
        context = browser.new_context(
            viewport={"width": width, "height": height},
            device_scale_factor=2 if mobile else 1,
            is_mobile=mobile,
            has_touch=mobile,
            locale="zh-CN",
            timezone_id="Asia/Shanghai",
        )
        contexts.append(context)
        context.set_default_timeout(DEFAULT_TIMEOUT_MS)
        context.route("**/*", block_external)
        return context.new_page()

    yield make

    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page: NewPage) -> Page:
    return new_page()
