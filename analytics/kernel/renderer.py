"""One chart renderer kept warm per process: kaleido 1.x driving a headless Chromium, which also prints documents.

kaleido's one-call functions start a browser per call (2-4 s each), and its sync server
renders one figure at a time. :class:`ChartRenderer` instead opens one ``kaleido.Kaleido``
with several tabs on an event loop of its own thread, the first time it is asked (or
earlier, by :meth:`ChartRenderer.start`, which returns at once so that the browser starts
while the caller assembles its figures), and queues the figures of a document to its tabs
as the caller makes them (:meth:`ChartRenderer.render_each`: the browser draws one while the
next is built). ``mathjax=False`` keeps the browser off the network. A browser that failed or stopped
answering, or that failed to draw a figure, is dropped and started again on the next call.

kaleido reloads a tab after every figure, which parses plotly.js again: about 0.15 s of the 0.2 s
a figure took (the nine charts of the monthly report: 1.6-1.9 s, the same with 2, 3 or 4 tabs, as
the tabs share one renderer process). Here a tab is reloaded after :data:`RELOAD_EVERY` figures
instead, byte for byte the same images in any order; the nine charts take 0.75-0.94 s with one
tab (0.35-0.47 s with two, but each tab costs about 1.5 s to start, which a command line waits for).

The same browser prints an HTML document as a PDF (:meth:`ChartRenderer.print_pdf`, DevTools'
``Page.printToPDF`` in a tab opened for it, scripts off): the document's CSS ``@page`` rules give its
size, margins, running headers and page numbers. The monthly report's eight pages take about 0.45 s,
most of it in the browser's own processes, where weasyprint took 0.8-1.2 s of Python after a 0.6 s import.
"""
from __future__ import annotations

import asyncio
import atexit
import base64
import contextlib
import itertools
import os
import tempfile
import threading
import time
from collections.abc import Iterable
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from pathlib import Path

CHROMIUM = os.environ.get("VIGIE_CHROMIUM", "/usr/bin/chromium")  # Debian's
TABS = 1
TIMEOUT_SECONDS = 60
RELOAD_EVERY = 50  # figures a tab draws between two reloads (a reload bounds what plotly.js may keep)


class RenderError(RuntimeError):
    """The browser could not be started or did not answer in time."""


class ChartRenderer:
    """A warm Chromium for one browser path; thread-safe."""

    def __init__(self, path: str, *, tabs: int = TABS, timeout: float = TIMEOUT_SECONDS):
        self.path, self.tabs, self.timeout = path, tabs, timeout
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._opened: Future | None = None
        self._closing: list[Future] = []  # browsers released, still closing

    def start(self) -> None:
        """Start the browser in the background if it is not running (returns at once)."""
        with self._lock:
            if self._opened is not None:
                return
            if self._loop is None:
                self._loop = asyncio.new_event_loop()
                threading.Thread(target=self._loop.run_forever, daemon=True, name="chart-renderer").start()
            self._opened = asyncio.run_coroutine_threadsafe(self._open(), self._loop)

    async def _open(self):
        browser = warm_kaleido()(n=self.tabs, path=self.path, mathjax=False, timeout=self.timeout)
        await browser.__aenter__()
        return browser

    def _browser(self):
        self.start()
        try:
            return self._opened.result(timeout=self.timeout)
        except FutureTimeout:
            self._reset()
            raise RenderError(f"Chromium did not start within {self.timeout} s") from None
        except Exception as exc:  # noqa: BLE001 - whatever stopped the browser, report it in words
            self._reset()
            raise RenderError(f"Chromium could not be started: {exc}") from exc

    def render(self, figures: list, options: list[dict]) -> list[bytes | Exception]:
        """Each figure as image bytes (its options: format, width, height, scale), drawn concurrently;
        a figure that failed gives its exception in its place."""
        return self.render_each(zip(figures, options, strict=True))

    def render_each(self, pairs: Iterable[tuple[object, dict]]) -> list[bytes | Exception]:
        """As :meth:`render`, for (figure, options) pairs handed to the browser one by one as ``pairs`` makes
        them: the browser draws the first while the caller builds the next."""
        pairs = iter(pairs)
        first = next(pairs, None)
        if first is None:
            return []
        browser = self._browser()
        deadline = time.monotonic() + self.timeout
        futures = [asyncio.run_coroutine_threadsafe(browser.calc_fig(fig, opts=opts), self._loop)
                   for fig, opts in itertools.chain([first], pairs)]
        images: list[bytes | Exception] = []
        for future in futures:
            try:
                images.append(future.result(timeout=max(0.0, deadline - time.monotonic())))
            except FutureTimeout:
                for pending in futures:
                    pending.cancel()
                self._reset()
                raise RenderError(f"Chromium did not render the charts within {self.timeout} s") from None
            except Exception as exc:  # noqa: BLE001 - a figure that failed gives its exception in its place
                images.append(exc)
        if any(isinstance(image, BaseException) for image in images):
            self._reset()  # a tab that failed a figure is not trusted with the next one, reload or not
        return images

    def print_pdf(self, html: str) -> bytes:
        """``html`` printed as PDF bytes by the browser, in a tab of its own opened for it and closed after."""
        browser = self._browser()
        with tempfile.TemporaryDirectory(prefix="vigie-print-") as folder:
            document = Path(folder) / "document.html"
            document.write_text(html, encoding="utf-8")
            printing = asyncio.run_coroutine_threadsafe(_printed(browser, document.as_uri()), self._loop)
            try:
                return printing.result(timeout=self.timeout)
            except FutureTimeout:
                printing.cancel()
                self._reset()
                raise RenderError(f"Chromium did not print the document within {self.timeout} s") from None
            except Exception as exc:  # noqa: BLE001 - whatever stopped the printing, report it in words
                self._reset()
                raise RenderError(f"Chromium could not print the document: {exc}") from exc

    def release(self) -> None:
        """Stop the browser without waiting for it: it closes in the background while the process goes on (a
        command done drawing), the next render starts another, and :meth:`close` at exit waits for it."""
        with self._lock:
            opened, self._opened = self._opened, None
            self._closing = [closing for closing in self._closing if not closing.done()]  # those closed are forgotten
            if opened is not None and opened.done() and not opened.exception():
                self._closing.append(asyncio.run_coroutine_threadsafe(opened.result().close(), self._loop))

    _reset = release  # a browser that failed is let go the same way

    def close(self, timeout: float = 5) -> None:
        """Stop the browser, and wait for the ones released before (at exit). A browser still starting is waited
        for (up to ``timeout``) and then closed: a process ending under it would leave its profile folder."""
        with self._lock:
            opened = self._opened
        if opened is not None and not opened.done():
            with contextlib.suppress(Exception):
                opened.result(timeout=timeout)
        self.release()
        with self._lock:
            closing, self._closing = self._closing, []
        for future in closing:
            with contextlib.suppress(Exception):  # the process is ending; nothing to report to
                future.result(timeout=timeout)


async def _printed(browser, url: str) -> bytes:
    """The page at ``url`` printed as a PDF in a new tab: page size and margins from its CSS, backgrounds printed."""
    tab = await browser.create_tab("")
    try:
        await _command(tab, "Emulation.setScriptExecutionDisabled", value=True)  # a document, never a program
        await _command(tab, "Page.enable")
        loaded = tab.subscribe_once("Page.loadEventFired")
        navigated = await _command(tab, "Page.navigate", url=url)
        if navigated.get("errorText"):
            raise RenderError(f"the document did not open: {navigated['errorText']}")
        await loaded
        printed = await _command(tab, "Page.printToPDF", preferCSSPageSize=True, printBackground=True)
        return base64.b64decode(printed["data"])
    finally:
        with contextlib.suppress(Exception):  # a browser gone already took its tab with it
            await browser.close_tab(tab.target_id)


async def _command(tab, method: str, **params) -> dict:
    answer = await tab.send_command(method, params=params or None)
    if "error" in answer:
        raise RenderError(f"{method} failed: {answer['error'].get('message', answer['error'])}")
    return answer.get("result", {})


def warm_kaleido():
    """``kaleido.Kaleido`` whose tabs are reloaded after :data:`RELOAD_EVERY` figures, not after each one
    (kaleido 1.5's ``_return_kaleido_tab``, pinned in requirements.txt, is the one step replaced)."""
    import kaleido

    class WarmKaleido(kaleido.Kaleido):
        async def _return_kaleido_tab(self, tab) -> None:
            drawn = getattr(tab, "_vigie_drawn", 0) + 1
            if drawn >= RELOAD_EVERY:
                tab._vigie_drawn = 0
                await super()._return_kaleido_tab(tab)  # reloads the page, then puts the tab back
            else:
                tab._vigie_drawn = drawn
                await self.tabs_ready.put(tab)

    return WarmKaleido


_renderers: dict[str, ChartRenderer] = {}
_renderers_lock = threading.Lock()


def renderer(path: str) -> ChartRenderer:
    """The process's renderer for the browser at ``path`` (created on first use, closed at exit)."""
    with _renderers_lock:
        if path not in _renderers:
            _renderers[path] = ChartRenderer(path)
            atexit.register(_renderers[path].close)
        return _renderers[path]


def close_all() -> None:
    """Close every chart browser of the process now, waiting for one still starting (the end of a command: the
    exit handlers that remove temporary folders, its profile's among them, must not run under a live browser)."""
    with _renderers_lock:
        known = list(_renderers.values())
    for each in known:
        each.close()


def start_chart_browser(path: str = CHROMIUM) -> None:
    """Start the process's chart browser at ``path`` in the background when there is one (returns at once)."""
    if os.access(path, os.X_OK):
        renderer(path).start()
