"""Chart images (PNG, SVG, PDF) rendered on the server by kaleido and the system Chromium.

Kaleido 1.x drives a real Chromium. Starting it costs seconds, rendering with a
running one a fraction of a second, so a ``Renderer`` starts kaleido's shared server
once and is reused (the dashboard keeps one per process with ``st.cache_resource``;
the command line opens one per run). Nothing is fetched from the network: plotly.js
comes from the installed plotly package and MathJax is off.

Kaleido's shared server answers one call at a time through one queue, so calls are
serialised here with a lock: two sessions exporting at once get their own images.
"""

from __future__ import annotations

import os
import shutil
import threading
from pathlib import Path
from typing import Final, Literal

import plotly
import plotly.graph_objects as go

Format = Literal["png", "svg", "pdf"]
FORMATS: Final[tuple[Format, ...]] = ("png", "svg", "pdf")
MIME: Final[dict[str, str]] = {
    "png": "image/png",
    "svg": "image/svg+xml",
    "pdf": "application/pdf",
}
CHROMIUM_ENV: Final = "ZHENGGAI_CHROMIUM"
CANDIDATES: Final = (
    "/usr/bin/chromium",
    "/usr/bin/chromium-browser",
    "/usr/bin/google-chrome",
    "/usr/bin/google-chrome-stable",
)
INSTALL_HINT: Final = (
    "服务器上没有找到 Chromium 浏览器，无法在服务器端生成图片。"
    "请技术人员安装：sudo apt-get install chromium fonts-noto-cjk"
    "（或用环境变量 ZHENGGAI_CHROMIUM 指明浏览器位置）。"
    "在此之前，可用图表右上角工具栏的“下载图片”按钮保存 PNG。"
)
RENDER_SECONDS: Final = 60.0


class ImageExportError(RuntimeError):
    """``str(error)`` is a Chinese message for the user."""


def find_chromium() -> Path | None:
    """The browser kaleido should drive: $ZHENGGAI_CHROMIUM, then the usual places."""
    configured = os.environ.get(CHROMIUM_ENV)
    if configured:
        return Path(configured) if Path(configured).is_file() else None
    for candidate in CANDIDATES:
        if Path(candidate).is_file():
            return Path(candidate)
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return Path(found)
    return None


def local_plotly_js() -> Path:
    """plotly.js as shipped inside the plotly package (never a CDN)."""
    return Path(plotly.__file__).parent / "package_data" / "plotly.min.js"


class Renderer:
    """kaleido's shared server on the system Chromium; ``render`` is thread-safe."""

    def __init__(self, chromium: Path | None = None) -> None:
        import kaleido

        browser = chromium or find_chromium()
        if browser is None:
            raise ImageExportError(INSTALL_HINT)
        self.chromium = browser
        self._lock = threading.Lock()
        kaleido.start_sync_server(
            path=str(browser),
            plotlyjs=str(local_plotly_js()),
            mathjax=False,
            timeout=RENDER_SECONDS,
            n=1,
            silence_warnings=True,
        )

    def render(
        self, figure: go.Figure, fmt: Format, *, width: int, height: int, scale: float = 2
    ) -> bytes:
        """The figure as PNG (at ``scale``× pixels), SVG or PDF."""
        import kaleido

        if fmt not in FORMATS:
            raise ImageExportError(f"不支持的图片格式“{fmt}”：可选 PNG、SVG、PDF")
        options = {"format": fmt, "width": width, "height": height, "scale": scale}
        with self._lock:
            try:
                data = kaleido.calc_fig_sync(figure, opts=options)
            except Exception as exc:  # kaleido/choreographer raise many kinds
                raise ImageExportError(
                    f"生成图片失败（{type(exc).__name__}）：请稍后重试；"
                    "如仍失败，请技术人员检查服务器上的 Chromium。"
                ) from exc
        if not isinstance(data, bytes) or not data:
            raise ImageExportError("生成图片失败：浏览器没有返回内容，请稍后重试")
        return data

    def close(self) -> None:
        import kaleido

        with self._lock:
            kaleido.stop_sync_server(silence_warnings=True)

    def __enter__(self) -> Renderer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
