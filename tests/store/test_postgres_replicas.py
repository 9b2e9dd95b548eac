"""Replicas on one PostgreSQL show each other's writes: page caches follow the data version,
and two real dashboards (``streamlit run``, in Chromium) show what the other declared."""
from __future__ import annotations

import re
import time
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import streamlit as st

from analytics.domains import open_store
from tests.browser_support import open_browser, start_dashboard, wait_for_app
from tests.factories import add_company, add_ticket
from tests.store.pg_support import fresh_database_url
from ui.store import REPLICA_POLL_SECONDS, follow_other_replicas

CALLS = []


@st.cache_data(ttl=60)
def _companies(_db, path: str) -> int:
    CALLS.append(path)
    return _db.scalar("SELECT count(*) FROM companies")


def test_a_write_on_another_replica_clears_this_replicas_page_caches():
    store = fresh_database_url()
    here, there = open_store(store), open_store(store)
    follow_other_replicas(here)
    assert _companies(here, store) == 0 and _companies(here, store) == 0 and len(CALLS) == 1
    add_company(there, "Written elsewhere")
    assert _companies(here, store) == 0  # still cached: nothing polled yet
    time.sleep(REPLICA_POLL_SECONDS + 0.1)
    follow_other_replicas(here)
    assert _companies(here, store) == 1 and len(CALLS) == 2
    time.sleep(REPLICA_POLL_SECONDS + 0.1)
    follow_other_replicas(here)  # nothing changed since: the cache stays
    assert _companies(here, store) == 1 and len(CALLS) == 2
    here.close(), there.close()


def declare(page, url: str, title: str) -> str:
    """Declare an all-customers incident through the form; returns its reference."""
    page.goto(url + "/declare-an-incident")
    wait_for_app(page)
    page.get_by_label("Title").fill(title)
    page.get_by_text("Severity 2", exact=True).click()
    page.locator('[data-testid="stMultiSelect"]').filter(has_text="Impacted platforms").click()
    page.get_by_role("option", name="Messaging").click()
    page.keyboard.press("Escape")
    page.get_by_text("All customers", exact=True).click()
    page.get_by_label("Description").fill("Messages leave the platform with a delay of up to an hour.")
    page.get_by_label("Notification lead").fill("Julie Masson")
    page.get_by_label("Investigation lead").fill("Pierre Gauthier")
    page.get_by_role("button", name="Declare the incident").click()
    wait_for_app(page)
    success = page.locator('[data-testid="stAlertContentSuccess"]').inner_text()
    return re.search(r"INC-\d{4}-\d{4}", success).group(0)


def shown_after_a_second(page, url: str, reference: str) -> bool:
    """Whether the incidents page, loaded a second after the declaration, lists the incident."""
    page.wait_for_timeout(1000)
    page.goto(url + "/incidents")
    wait_for_app(page)
    return page.locator(f".st-key-incidents_open_{reference}").count() == 1


@pytest.mark.browser
def test_what_one_replica_declares_the_other_shows_a_second_later():
    store = fresh_database_url()
    db = open_store(store)
    add_company(db, "Alpha"), add_company(db, "Beta")
    add_ticket(db, "T-1", severity=3, opened=datetime.now(UTC) - timedelta(hours=1), company="Alpha")
    db.close()
    with start_dashboard(store) as first, start_dashboard(store) as second, open_browser() as page_a:
        page_b = page_a.context.browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
        page_b.set_default_timeout(30_000)
        for page, url in ((page_a, first), (page_b, second)):  # warm both replicas' caches
            page.goto(url + "/incidents")
            wait_for_app(page)
        year_before = datetime.now(ZoneInfo("Europe/Paris")).year
        one = declare(page_a, first, "Messaging: delays seen from replica one")
        assert shown_after_a_second(page_b, second, one)
        two = declare(page_b, second, "Messaging: delays seen from replica two")
        assert shown_after_a_second(page_a, first, two)
        # references count within the deployment's year. The dashboards are real processes whose clock no test
        # can freeze: the year is read before and after, so a run across midnight on 31 December still passes
        years = {year_before, datetime.now(ZoneInfo("Europe/Paris")).year}
        assert any({one, two} == {f"INC-{year}-0001", f"INC-{year}-0002"} for year in years), (one, two)
