"""Every page at 1280 px in Debian's Chromium: no KPI label or button cut by the layout, no horizontal
scroll of the page itself, no exception box; a screenshot of each page in test-artifacts/screenshots/.

The local single-user mode holds every role, so the admin's menu (which includes every page of the
leadership role) is opened page by page through its address.
"""
from __future__ import annotations

import shutil

import pytest

from analytics.domains import all_pages
from tests.browser_support import ROOT, open_browser, start_dashboard, wait_for_app

pytestmark = pytest.mark.browser

SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
PAGES = [spec for spec in all_pages() if (ROOT / spec.path).is_file()]

# Elements whose text the layout cuts: wider content than box (scrollWidth > clientWidth), or an
# ellipsis that is actually cutting text. Returns the cut texts, one per element.
CUT_TEXT = """() => {
  const cut = [];
  const selector = '[data-testid="stMetricLabel"], button, [data-testid="stMetricLabel"] *, button *';
  for (const el of document.querySelectorAll(selector)) {
    if (!el.offsetParent || !el.innerText.trim()) continue;
    const style = getComputedStyle(el);
    const clipped = el.scrollWidth > el.clientWidth + 1 && style.overflowX !== 'visible';
    const ellipsis = style.textOverflow === 'ellipsis' && el.scrollWidth > el.clientWidth;
    if (clipped || ellipsis) cut.push(el.innerText.trim().split('\\n')[0]);
  }
  return [...new Set(cut)];
}"""
PAGE_SCROLL = "() => [document.documentElement.scrollWidth, window.innerWidth]"


@pytest.fixture(scope="module")
def dashboard(demo_db_path, tmp_path_factory):
    db_path = tmp_path_factory.mktemp("layout") / "layout.duckdb"
    shutil.copyfile(demo_db_path, db_path)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with start_dashboard(db_path) as url, open_browser() as page:
        page.set_viewport_size({"width": 1280, "height": 900})
        yield url, page


def test_the_page_list_is_every_page():
    assert {spec.url_path for spec in PAGES} >= {"sla-compliance", "monthly-report", "settings", "audit-log"}


@pytest.mark.parametrize("spec", PAGES, ids=[spec.url_path for spec in PAGES])
def test_page_fits_at_1280(dashboard, spec):
    url, page = dashboard
    page.goto(f"{url}/{spec.url_path}")
    wait_for_app(page, timeout=120_000)
    page.wait_for_timeout(500)  # charts and metrics settle their widths
    page.screenshot(path=str(SCREENSHOTS / f"{spec.url_path}.png"), full_page=True)
    assert page.locator('[data-testid="stException"]').count() == 0, page.locator(
        '[data-testid="stException"]').first.inner_text()
    assert page.evaluate(CUT_TEXT) == []
    scroll_width, inner_width = page.evaluate(PAGE_SCROLL)
    assert scroll_width <= inner_width
