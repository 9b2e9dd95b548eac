"""Every page at 1280 and 1600 px in Debian's Chromium: no KPI label, button or field value (a date, a number,
a search) cut by the layout, no chart's value labels over one another, no table set beside another scrolling
sideways, no horizontal scroll of the page itself, no exception box; a screenshot of each page in
test-artifacts/screenshots/.

The local single-user mode holds every role, so its menu is opened page by page through each address. A
leadership user signed in through a real OpenID Connect flow (a mock provider on loopback) then walks its own
menu, link by link, as that reader does.
"""
from __future__ import annotations

import contextlib
import shutil

import pytest

from analytics.domains import all_pages
from tests.browser_support import ROOT, open_browser, start_dashboard, wait_for_app
from tests.sign_in_support import identity_provider, nav_titles, sign_in, signed_in_dashboard, titles_for

pytestmark = pytest.mark.browser

SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
PAGES = [spec for spec in all_pages() if (ROOT / spec.path).is_file()]
WIDTHS = (1280, 1600)

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
# Field values wider than their field (a date range's end date cut off). Chromium reports an input's scrollWidth
# as its own width whatever its value, so the value's width is measured in the field's font instead.
CUT_VALUES = """() => {
  const cut = [];
  const ctx = document.createElement('canvas').getContext('2d');
  for (const el of document.querySelectorAll('input:not([type=hidden]):not([type=checkbox]):not([type=radio])')) {
    if (!el.offsetParent || !el.value) continue;
    const style = getComputedStyle(el);
    ctx.font = style.font;
    const room = el.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
    if (ctx.measureText(el.value).width > room + 1) cut.push(el.value);
  }
  return cut;
}"""
# Value labels of a chart (bars' and points' texts) drawn over one another: the pairs, with the chart's number.
OVERLAPPING_LABELS = """() => {
  const pairs = [];
  document.querySelectorAll('.js-plotly-plot').forEach((plot, chart) => {
    const boxes = [...plot.querySelectorAll('text.bartext, .textpoint text')]
      .filter(t => t.textContent.trim()).map(t => [t.textContent, t.getBoundingClientRect()])
      .filter(([, box]) => box.width > 0);
    for (let a = 0; a < boxes.length; a++) for (let b = a + 1; b < boxes.length; b++) {
      const [ta, A] = boxes[a], [tb, B] = boxes[b];
      if (A.left < B.right - 1 && B.left < A.right - 1 && A.top < B.bottom - 1 && B.top < A.bottom - 1)
        pairs.push([chart, ta, tb]);
    }
  });
  return pairs;
}"""
# Tables beside another (narrower than 60 % of the page's content) whose columns scroll sideways inside them: the
# first column headers of each. A list of tickets the whole width of the page may scroll; a summary set beside
# another one should show all its columns.
SCROLLING_TABLES = """() => {
  const main = document.querySelector('[data-testid="stMainBlockContainer"]').getBoundingClientRect().width;
  return [...document.querySelectorAll('[data-testid="stDataFrame"]')].filter(f => f.offsetParent)
    .filter(f => f.getBoundingClientRect().width < 0.6 * main)
    .filter(f => { const s = f.querySelector('.dvn-scroller'); return s && s.scrollWidth > s.clientWidth + 1; })
    .map(f => [...f.querySelectorAll('[role=columnheader]')].slice(0, 3).map(h => h.innerText).join(' | '));
}"""
PAGE_SCROLL = "() => [document.documentElement.scrollWidth, window.innerWidth]"


def assert_fits(page, screenshot: str) -> None:
    """The page as drawn: saved, and failed on an exception box, cut text or values, chart labels drawn over one
    another, or a page wider than the window."""
    page.wait_for_timeout(500)  # charts and metrics settle their widths
    page.screenshot(path=str(SCREENSHOTS / f"{screenshot}.png"), full_page=True)
    errors = page.locator('[data-testid="stException"]')
    assert errors.count() == 0, errors.first.inner_text()
    assert page.evaluate(CUT_TEXT) == []
    assert page.evaluate(CUT_VALUES) == []
    assert page.evaluate(OVERLAPPING_LABELS) == []
    assert page.evaluate(SCROLLING_TABLES) == []
    scroll_width, inner_width = page.evaluate(PAGE_SCROLL)
    assert scroll_width <= inner_width


@pytest.fixture(scope="module")
def browser_page():
    """One Chromium for the module (Playwright's sync API runs one at a time in a thread)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with open_browser() as page:
        yield page


@pytest.fixture(scope="module")
def dashboard(browser_page, demo_db_path, tmp_path_factory):
    db_path = tmp_path_factory.mktemp("layout") / "layout.duckdb"
    shutil.copyfile(demo_db_path, db_path)
    with start_dashboard(db_path) as url:
        yield url, browser_page


def test_the_page_list_is_every_page():
    assert {spec.url_path for spec in PAGES} >= {"sla-compliance", "monthly-report", "settings", "audit-log"}


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("spec", PAGES, ids=[spec.url_path for spec in PAGES])
def test_page_fits(dashboard, spec, width):
    url, page = dashboard
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(f"{url}/{spec.url_path}")
    wait_for_app(page, timeout=120_000)
    assert_fits(page, f"{spec.url_path}-{width}")


def sla_page_at_1280(dashboard):
    url, page = dashboard
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{url}/sla-compliance")
    wait_for_app(page, timeout=120_000)
    return page


def test_the_value_check_sees_a_cut_date(dashboard):
    """The field check is not blind: a date field narrowed by hand to 40 px is reported with its value."""
    page = sla_page_at_1280(dashboard)
    assert page.evaluate(CUT_VALUES) == []
    first_date = page.evaluate("""() => {
      const el = document.querySelector('[data-testid="stDateInput"] input');
      el.style.width = '40px'; el.style.minWidth = '0';
      return el.value;
    }""")
    assert page.evaluate(CUT_VALUES) == [first_date]


def test_the_table_check_sees_a_table_that_scrolls_beside_another(dashboard):
    """The table check is not blind: the first table of the SLA page narrowed by hand to 300 px is reported."""
    page = sla_page_at_1280(dashboard)
    assert page.evaluate(SCROLLING_TABLES) == []
    page.evaluate("""() => { const el = document.querySelector('[data-testid="stDataFrame"]')
                                           .closest('[data-testid="stElementContainer"]');
                             el.style.width = '300px'; el.style.maxWidth = '300px'; }""")
    page.wait_for_timeout(500)  # the grid measures its new width
    assert page.evaluate(SCROLLING_TABLES) == ["Severity | Measure | Target"]


def test_a_signed_in_leadership_reader_sees_every_page_of_the_menu_fit(browser_page, demo_db_path, tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("layout-leadership")
    db_path = tmp_path / "leadership.duckdb"
    shutil.copyfile(demo_db_path, db_path)
    context = browser_page.context.browser.new_context(viewport={"width": 1280, "height": 900})  # its own cookies
    page = context.new_page()
    page.set_default_timeout(30_000)
    with identity_provider() as oidc_url, signed_in_dashboard(db_path, oidc_url, tmp_path) as url, \
            contextlib.closing(context):
        sign_in(page, url, "lee")
        assert page.get_by_text("Signed in as lee@example.com · roles: leadership").is_visible()
        titles = nav_titles(page)
        assert titles == titles_for("leadership")
        by_title = {spec.title: spec for spec in PAGES}
        for title in sorted(titles):
            page.get_by_test_id("stSidebarNavLink").filter(has_text=title).first.click()
            wait_for_app(page, timeout=120_000)
            assert page.get_by_role("heading", name=title).first.is_visible()
            assert_fits(page, f"leadership-{by_title[title].url_path}-1280")
