"""Loopback helpers for tests that start a server: a free port, and Streamlit's health check."""

from __future__ import annotations

import socket
import urllib.error
import urllib.request

# Never send loopback requests through a proxy configured in the environment.
_NO_PROXY_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def health_ok(url: str) -> bool:
    """Whether the Streamlit server at ``url`` answers ``/_stcore/health`` with "ok"."""
    try:
        with _NO_PROXY_OPENER.open(f"{url}/_stcore/health", timeout=2) as resp:
            body: bytes = resp.read()
            return resp.status == 200 and body.strip() == b"ok"
    except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
        return False
