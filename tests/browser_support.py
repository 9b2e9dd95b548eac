"""Real-browser test support: a `streamlit run server.py` server on loopback and Debian's Chromium via Playwright.

Use in a test module::

    from tests.browser_support import start_dashboard, open_browser, wait_for_app

    def test_x(demo_db_path):
        with start_dashboard(demo_db_path) as url, open_browser() as page:
            page.goto(url + "/sla-compliance")
            wait_for_app(page)
"""
from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage"]
APP_IDLE = '[data-testid="stApp"][data-test-script-state="notRunning"]'


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def start_dashboard(db_path, *, env: dict | None = None, timeout: float = 60, args: tuple = (),
                    entry: str = "server.py", output: list | None = None, process: list | None = None,
                    port: int | None = None):
    """Run the README's run command (``python -m ui.serve``: ``streamlit run server.py``, the dashboard and its
    workers) on a free loopback port; yields its base URL. ``entry="dashboard.py"``: the dashboard alone, no
    workers. ``output``: a list that receives the server's whole output (text) once it has stopped; ``process``: a
    list that receives the server's ``Popen`` (to kill it); ``port``: a port chosen beforehand (a redirect URI
    names it), else a free one."""
    port = port or free_port()
    full_env = {**os.environ, "VIGIE_DB": str(db_path), **(env or {})}
    cmd = [sys.executable, "-m", "ui.serve", "--entry", entry, "--server.headless", "true",
           "--server.port", str(port), "--server.address", "127.0.0.1",
           "--browser.gatherUsageStats", "false", *args]
    proc = subprocess.Popen(cmd, cwd=ROOT, env=full_env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    if process is not None:
        process.append(proc)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + timeout
        while True:
            if proc.poll() is not None:
                raise RuntimeError("streamlit exited: " + proc.stdout.read().decode(errors="replace")[-2000:])
            try:
                with urllib.request.urlopen(url + "/_stcore/health", timeout=2) as resp:
                    if resp.status == 200:
                        break
            except OSError:
                pass
            if time.time() > deadline:
                raise RuntimeError("streamlit did not answer on " + url)
            time.sleep(0.3)
        yield url
    finally:
        proc.terminate()
        try:
            rest = proc.communicate(timeout=10)[0]
        except subprocess.TimeoutExpired:
            proc.kill()
            rest = proc.communicate()[0]
        if output is not None:
            output.append(rest.decode(errors="replace"))


@contextlib.contextmanager
def open_browser(**context_options):
    """A Playwright page in headless Debian Chromium (never a downloaded browser)."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: run scripts/install.sh --dev")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True,
                                      **context_options)
        page = context.new_page()
        page.set_default_timeout(30_000)
        try:
            yield page
        finally:
            context.close()
            browser.close()


def wait_for_app(page, timeout: float = 60_000) -> None:
    """Wait until the script run has finished and the app is idle."""
    page.wait_for_selector(APP_IDLE, timeout=timeout)
    page.wait_for_timeout(300)
    page.wait_for_selector(APP_IDLE, timeout=timeout)
