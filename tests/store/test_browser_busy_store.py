"""The dashboard started while another process holds the DuckDB file: a notice, a retry, no page list.

Before, it showed DuckDB's raw ``Conflicting lock`` traceback with paths, and its sidebar listed
every page file (Settings, Audit log and Import included) to whoever opened it.
"""
from __future__ import annotations

import shutil
import subprocess
import sys
import time

import pytest

from tests.browser_support import open_browser, start_dashboard, wait_for_app

pytestmark = pytest.mark.browser
HOLD = "import duckdb, sys, time; con = duckdb.connect(sys.argv[1]); print('held', flush=True); time.sleep(600)"


def test_a_busy_store_shows_who_holds_it_then_opens_by_itself(demo_db_path, tmp_path):
    path = tmp_path / "busy.duckdb"
    shutil.copy(demo_db_path, path)
    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(path)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        with start_dashboard(path) as url, open_browser() as page:
            page.goto(url + "/settings")
            wait_for_app(page)
            page.get_by_role("heading", name="Vigie is waiting for its database").wait_for()
            notice = page.locator('[data-testid="stAlertContentWarning"]').inner_text()
            assert f"is in use by process {holder.pid} (python -c import duckdb" in notice
            assert "stop that process" in notice
            assert page.locator('[data-testid="stException"]').count() == 0
            assert page.locator('[data-testid="stSidebarNav"] a').count() == 0
            assert "Conflicting lock" not in page.content()
            holder.kill()
            holder.wait()
            started = time.monotonic()
            page.get_by_role("heading", name="SLA compliance").wait_for(timeout=30_000)
            assert time.monotonic() - started < 30
            links = page.locator('[data-testid="stSidebarNav"] a').all_inner_texts()
            assert "SLA compliance" in " ".join(links)
    finally:
        holder.kill()
