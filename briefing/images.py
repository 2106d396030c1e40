"""Chart images (PNG, SVG, PDF) rendered on the server by kaleido and the system Chromium.

Kaleido 1.x drives a real Chromium. Starting it costs more than a second (most of it
compiling plotly.js in the page), rendering with a running one a tenth of that, so a
``Renderer`` is started once and reused (the dashboard keeps one per process with
``st.cache_resource``; the command line opens one per run, first thing, so that Chromium
starts while the workbook is read). Making a ``Renderer`` never waits for Chromium: the
first render does. Nothing is fetched from the network: plotly.js comes from the
installed plotly package and MathJax is off.

The renderer runs kaleido on an event loop in a thread of its own, with one page. Calls
from any thread are queued for that page, so two sessions exporting at once get their
own images. Kaleido reloads its page after every image (4.8 MB of plotly.js run again,
longer than the image itself); here the page is reloaded after every ``RELOAD_EVERY``
images and after a failure, plotly.js cleaning up after each image in between (kaleido
0.x never reloaded at all). Images are drawn as soon as the page has run its scripts,
which is checked (kaleido can take the blank page's load event for its page's).
"""

from __future__ import annotations

import asyncio
import atexit
import concurrent.futures
import contextlib
import os
import shutil
import threading
from collections.abc import Coroutine, Sequence
from pathlib import Path
from typing import Any, Final, Literal, TypeVar

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
RENDER_SECONDS: Final = 60.0  # one image; also the start of Chromium
RELOAD_EVERY: Final = 50  # images between reloads of the page
# Chromium features a page of charts never needs. Headless Chromium (156 here) preloads the
# address bar's popups as web pages in a renderer process of their own: half a second of
# CPU at every start, a quarter of Chromium's. Names Chromium does not know are ignored.
NOT_NEEDED: Final = ("WebUIOmniboxPopup", "WebUIOmniboxAimPopup", "WebUIOmniboxFullPopup")
CLOSE_SECONDS: Final = 15.0
FAILED: Final = "生成图片失败（{kind}）：请稍后重试；如仍失败，请技术人员检查服务器上的 Chromium。"

T = TypeVar("T")


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
    """Kaleido on the system Chromium; Chromium starts at once, in the background.
    ``render`` and ``render_many`` are thread-safe; ``close`` (or ``with``) stops it."""

    def __init__(self, chromium: Path | None = None) -> None:
        browser = chromium or find_chromium()
        if browser is None:
            raise ImageExportError(INSTALL_HINT)
        self.chromium = browser
        kaleido_class = _kaleido_class()  # imports kaleido here: its errors surface here
        self._closed = False
        self._close_lock = threading.Lock()
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="kaleido", daemon=True)
        self._thread.start()
        self._browser: concurrent.futures.Future[_Browser] = asyncio.run_coroutine_threadsafe(
            _Browser.start(kaleido_class, browser), self._loop
        )
        atexit.register(self.close)

    def render(
        self, figure: go.Figure, fmt: Format, *, width: int, height: int, scale: float = 2
    ) -> bytes:
        """The figure as PNG (at ``scale``× pixels), SVG or PDF."""
        return self.render_many([(figure, width, height)], fmt, scale=scale)[0]

    def render_many(
        self, figures: Sequence[tuple[go.Figure, int, int]], fmt: Format, *, scale: float = 2
    ) -> list[bytes]:
        """Each ``(figure, width, height)`` as PNG (at ``scale``× pixels), SVG or PDF, in
        order: handed to kaleido together, so that one is prepared while another is drawn."""
        if fmt not in FORMATS:
            raise ImageExportError(f"不支持的图片格式“{fmt}”：可选 PNG、SVG、PDF")
        if self._closed:
            raise ImageExportError(FAILED.format(kind="渲染服务已关闭"))
        options = [
            {"format": fmt, "width": width, "height": height, "scale": scale}
            for _, width, height in figures
        ]
        try:
            browser = self._browser.result(timeout=RENDER_SECONDS)
            images = self._call(
                browser.render([figure for figure, _, _ in figures], options),
                RENDER_SECONDS * (len(figures) + 1),
            )
        except Exception as exc:  # kaleido/choreographer raise many kinds
            raise ImageExportError(FAILED.format(kind=type(exc).__name__)) from exc
        for data in images:
            if not isinstance(data, bytes) or not data:
                raise ImageExportError("生成图片失败：浏览器没有返回内容，请稍后重试")
        return images

    def close(self) -> None:
        """Stop Chromium (after it has started, if it is starting) and the thread."""
        with self._close_lock:
            if self._closed:
                return
            self._closed = True
        atexit.unregister(self.close)
        with contextlib.suppress(Exception):  # closing after a failure: nothing to tell
            self._call(_stop(self._browser), CLOSE_SECONDS)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=CLOSE_SECONDS)
        if not self._thread.is_alive():
            self._loop.close()

    def _call(self, coroutine: Coroutine[Any, Any, T], timeout: float) -> T:
        """Run on the renderer's loop; cancelled there when it takes longer than ``timeout``."""
        future = asyncio.run_coroutine_threadsafe(coroutine, self._loop)
        try:
            return future.result(timeout=timeout)
        except concurrent.futures.TimeoutError:
            future.cancel()
            raise

    def __enter__(self) -> Renderer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class _Browser:
    """Kaleido's browser with its page, on the renderer's event loop (every method runs
    there). Renders wait until the page is ready, not for the end of kaleido's start."""

    def __init__(self, kaleido: Any) -> None:
        self.kaleido = kaleido
        self.opening = asyncio.ensure_future(kaleido.open())
        self.loaded: asyncio.Future[None] | None = None

    @classmethod
    async def start(cls, kaleido_class: type[Any], chromium: Path) -> _Browser:
        kaleido = kaleido_class(
            path=str(chromium),
            plotlyjs=str(local_plotly_js()),
            mathjax=False,
            timeout=RENDER_SECONDS,
            n=1,
            browser_cls=_chromium_class(),
        )
        return cls(kaleido)

    async def render(self, figures: list[go.Figure], options: list[dict[str, Any]]) -> list[bytes]:
        await self._until_ready()
        try:
            images = await asyncio.gather(
                *(
                    self.kaleido.calc_fig(figure, opts=opts)
                    for figure, opts in zip(figures, options, strict=True)
                )
            )
        except Exception:
            await self._reload()
            raise
        return [bytes(image) for image in images]

    async def _until_ready(self) -> None:
        """Until the page has plotly.js loaded (or kaleido's start has ended, should a
        later kaleido not call ``populate_targets``); kaleido's start failing raises."""
        ready = asyncio.ensure_future(self.kaleido.page_ready.wait())
        try:
            await asyncio.wait(
                {ready, self.opening}, timeout=RENDER_SECONDS, return_when=asyncio.FIRST_COMPLETED
            )
        finally:
            ready.cancel()
        if self.opening.done():
            self.opening.result()  # raises what stopped the start
        elif not self.kaleido.page_ready.is_set():
            raise TimeoutError("Chromium did not start in time")
        if self.loaded is None or (self.loaded.done() and not _succeeded(self.loaded)):
            self.loaded = asyncio.ensure_future(self._scripts_loaded())
        await asyncio.shield(self.loaded)

    async def _scripts_loaded(self) -> None:
        """Until kaleido's script has run in the page. Kaleido may take the load event of
        the blank page it navigates away from for its own (1 start in 20 on a busy
        machine), and the first image then fails: it is not sent before this says yes.
        Should the page's script context be gone, the page is reloaded."""
        queue = self.kaleido.tabs_ready
        tab = await queue.get()

        async def loaded() -> None:
            while True:
                params: dict[str, Any] = {"expression": "typeof kaleido_scopes"}
                context = getattr(tab, "_current_js_id", None)  # what kaleido will call into
                if context is not None:
                    params["contextId"] = context
                answer = await tab.tab.send_command("Runtime.evaluate", params=params)
                if "error" in answer:
                    await tab.reload()
                elif answer.get("result", {}).get("result", {}).get("value") == "object":
                    return
                await asyncio.sleep(0.02)

        try:
            await asyncio.wait_for(loaded(), RENDER_SECONDS)
        finally:
            queue.put_nowait(tab)

    async def _reload(self) -> None:
        """After a failed image, the page reloaded before the next one (best effort)."""
        queue = self.kaleido.tabs_ready
        try:
            tab = await asyncio.wait_for(queue.get(), RENDER_SECONDS)
        except Exception:  # no page to reload
            return
        try:
            with contextlib.suppress(Exception):  # the next image tells
                await asyncio.wait_for(tab.reload(), RENDER_SECONDS)
        finally:
            queue.put_nowait(tab)

    async def stop(self) -> None:
        with contextlib.suppress(Exception):  # a failed start is cleaned up too
            await self.opening
        await self.kaleido.close()


async def _stop(browser: concurrent.futures.Future[_Browser]) -> None:
    """Close the browser, then cancel whatever kaleido and choreographer left running."""
    try:
        await asyncio.wrap_future(browser)
        await browser.result().stop()
    finally:
        current = asyncio.current_task()
        rest = [task for task in asyncio.all_tasks() if task is not current]
        for task in rest:
            task.cancel()
        await asyncio.gather(*rest, return_exceptions=True)


def _succeeded(future: asyncio.Future[None]) -> bool:
    return not future.cancelled() and future.exception() is None


_KALEIDO_CLASS: list[type[Any]] = []
_CHROMIUM_CLASS: list[type[Any]] = []


def _chromium_class() -> type[Any]:
    """choreographer's ``Chromium`` (how kaleido starts the browser) with ``NOT_NEEDED``
    switched off."""
    if _CHROMIUM_CLASS:
        return _CHROMIUM_CLASS[0]
    from choreographer.browsers import Chromium

    class Lean(Chromium):
        def get_cli(self) -> Sequence[str]:
            return [*super().get_cli(), f"--disable-features={','.join(NOT_NEEDED)}"]

    _CHROMIUM_CLASS.append(Lean)
    return Lean


def _kaleido_class() -> type[Any]:
    """``kaleido.Kaleido`` telling when its page is ready and reloading it only after
    every ``RELOAD_EVERY`` images (made once: importing kaleido takes a tenth of a
    second, so it is imported when the first renderer is made)."""
    if _KALEIDO_CLASS:
        return _KALEIDO_CLASS[0]
    import kaleido

    class Kaleido(kaleido.Kaleido):  # type: ignore[misc]  # kaleido has no types
        def __init__(self, **kwargs: Any) -> None:
            super().__init__(**kwargs)
            self.page_ready = asyncio.Event()
            self.images = 0

        async def populate_targets(self) -> None:
            await super().populate_targets()
            if not self.tabs_ready.empty():
                self.page_ready.set()

        async def _return_kaleido_tab(self, tab: Any) -> None:
            self.images += 1
            if self.images % RELOAD_EVERY == 0:
                await super()._return_kaleido_tab(tab)
            else:
                await self.tabs_ready.put(tab)

    _KALEIDO_CLASS.append(Kaleido)
    return Kaleido
