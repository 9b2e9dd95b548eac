"""User and imported text is shown as typed: never Markdown, HTML, an icon or a link, in pages and exports.

Before, an incident title ``![i](http://host/px.png)`` made the browser of everyone who opened the
Incidents page fetch that address, ``**x**`` turned bold, and the customer Markdown export carried
``<script>`` as typed. The browser test counts every request the pages make to a host other than
the dashboard, and reads the text back from the rendered page.
"""
from __future__ import annotations

import csv
import re
import shutil
from datetime import UTC, datetime, timedelta

import pandas as pd
import pytest

from analytics.domains import open_store
from analytics.escalations.charts import acknowledgement_figure
from analytics.imports.columns import CANONICAL_COLUMNS
from analytics.imports.service import import_tickets
from analytics.incidents.rules import IncidentDraft
from analytics.incidents.service import declare
from analytics.kernel.roles import Actor
from analytics.kernel.text import chart_text, markdown_literal, markdown_paragraphs
from analytics.rca.document import RcaDocument
from analytics.rca.export import to_html, to_markdown
from analytics.settings.service import change_setting
from tests.browser_support import open_browser, start_dashboard, wait_for_app
from tests.factories import add_company, as_shown
from ui.text import literal, paragraphs

BEACON = "198.51.100.9"  # TEST-NET-2: nothing answers there; a request to it is the failure
HOSTILE = [
    "**bold** _it_ ~~gone~~",
    f"[click](http://{BEACON}/link)",
    f"![i](http://{BEACON}/pixel.png)",
    f"<img src=http://{BEACON}/tag.png><script>alert(1)</script>",
    "<a href=\"javascript:alert(1)\">x</a>",
    ":red[red] :material/home: :smile: $x^2$",
    "# heading", "- item", "1. first", "> quote", "| a | b |", "`code`",
    "-> <- -- >= &amp; \\*",
    f"http://{BEACON}/bare www.example.com",
    "'; DROP TABLE tickets; --",
    "admin\u202eexe.txt",
    "x" * 2000,
]
UNESCAPED_SYNTAX = re.compile(r"(?<!\\)(\]\(|<img|<script|<a |\*\*)")  # a link, an image, HTML, bold
UNESCAPED_MARKUP = re.compile(r"(?<!\\)(\]\(|<img|<script|<a )")
ADMIN = Actor(name="Ada Admin", email="ada@example.com", roles=frozenset({"admin", "supervisor", "manager"}))


def _unescaped_commonmark(markdown: str) -> str:
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", markdown)


@pytest.mark.parametrize("text", HOSTILE, ids=range(len(HOSTILE)))
def test_escaped_text_reads_back_as_typed(text):
    assert as_shown(literal(text)) == text
    assert as_shown(paragraphs(f"{text}\n\n{text}")) == f"{text}\n\n{text}"
    assert _unescaped_commonmark(markdown_literal(text)) == text
    assert UNESCAPED_SYNTAX.search(markdown_literal(text)) is None


def test_paragraphs_keep_their_breaks_and_never_become_code_or_lists():
    assert markdown_paragraphs("one\ntwo\n\n    indented\n- dash") == "one  \ntwo\n\n\u00a0\u00a0\u00a0\u00a0indented  \n\\- dash"
    assert markdown_paragraphs("nul\x00byte") == "nulbyte"
    assert markdown_paragraphs("  ", empty="—") == "—"


def test_chart_labels_show_tags_as_typed():
    frame = pd.DataFrame({"level": [1, 2], "level_name": [HOSTILE[4], "<b>Lead</b>"], "median_ack_h": [1.0, 2.0],
                          "p90_ack_h": [2.0, 3.0], "acknowledged": [1, 1], "arrived": [1, 1], "late": [0, 0]})
    figure = acknowledgement_figure(frame, ack_hours=4)
    labels = list(figure.data[0].x)
    assert labels == ['1. &lt;a href="javascript:alert(1)"&gt;x&lt;/a&gt;', "2. &lt;b&gt;Lead&lt;/b&gt;"]
    assert chart_text("R&D <br> team") == "R&amp;D &lt;br&gt; team"


def hostile_document(audience: str) -> RcaDocument:
    at = datetime(2026, 11, 3, 9, 0, tzinfo=UTC)
    return RcaDocument(
        audience=audience, reference="INC-2026-0001", title="<script>alert(1)</script> **x**", severity=2,
        platforms=("API", HOSTILE[1]), revision=1, status="published", published_at=at, started_at=at,
        resolved_at=at + timedelta(hours=1), timezone="Europe/Paris",
        overview=f"See [here](javascript:alert(1)) and ![p](http://{BEACON}/p.png)\n\n# not a heading",
        customers_affected=3, impact_minutes=60, tickets=4,
        timeline=pd.DataFrame({"occurred_at": [at], "event": ["| broken | table |"], "who": [HOSTILE[3]],
                               "internal_note": [HOSTILE[0]]}),
        root_causes=({"category": "capacity", "platform": "API", "description": HOSTILE[3]},),
        contributing_factors=HOSTILE[4], measures_taken=HOSTILE[5],
        actions=({"description": HOSTILE[2], "due_date": None, "status": "open", "owner": HOSTILE[1]},),
        internal={"participants": [HOSTILE[2]], "went_well": HOSTILE[3]} if audience == "internal" else {})


@pytest.mark.parametrize("audience", ["customer", "internal"])
def test_rca_exports_escape_what_was_typed(audience):
    doc = hostile_document(audience)
    markdown = to_markdown(doc)
    assert UNESCAPED_MARKUP.search(markdown) is None  # the document's own bold labels aside
    assert "\n# not" not in markdown
    assert r"\<script\>alert(1)\</script\> \*\*x\*\*" in markdown
    assert r"\| broken \| table \|" in markdown
    page = to_html(doc)
    body = page[page.index("<body>"):]
    assert "<script" not in body and "<img src=http" not in body and "<a " not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body


@pytest.mark.browser
def test_pages_show_hostile_text_literally_and_fetch_nothing(demo_db_path, tmp_path):
    path = tmp_path / "hostile.duckdb"
    shutil.copy(demo_db_path, path)
    db = open_store(path)
    title = "Title " + HOSTILE[2] + " " + HOSTILE[0] + " " + HOSTILE[5]
    company = "Co " + HOSTILE[3] + " " + HOSTILE[1]
    company_id = add_company(db, company)
    imported = "Imported " + HOSTILE[2] + " " + HOSTILE[4]  # a company name as an export carries it
    export = tmp_path / "hostile.csv"
    with open(export, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(CANONICAL_COLUMNS)
        values = {c: "" for c in CANONICAL_COLUMNS}
        values.update(reference="HOST-1", company=imported, channel="phone", severity="2", status="open",
                      opened_at=datetime.now(UTC).isoformat(), team=HOSTILE[0], description=HOSTILE[3])
        writer.writerow([values[c] for c in CANONICAL_COLUMNS])
    assert import_tickets(db, export, actor=ADMIN).inserted == 1
    second_id = db.scalar("SELECT id FROM companies WHERE name = ?", [imported])
    change_setting(db, actor=ADMIN, name="escalation.chain",
                   value=["Desk " + HOSTILE[2], "Lead " + HOSTILE[4], "Manager", "Director", "VP"])
    now = datetime.now(UTC)
    result = declare(db, actor=ADMIN, token="hostile-1", now=now, draft=IncidentDraft(
        title=title, severity=2, security_breach=False, platforms=("Customer portal",), company_ids=(company_id, second_id),
        all_customers=False, started_at=now - timedelta(minutes=30), detected_at=now - timedelta(minutes=25),
        impact_defined_at=now - timedelta(minutes=20), description="Desc " + HOSTILE[6] + "\n" + HOSTILE[1],
        commander="Cmd " + HOSTILE[2], notification_lead="Lead " + HOSTILE[3], investigation_lead="Inv " + HOSTILE[5]))
    db.close()

    outside: list[str] = []
    with start_dashboard(path) as url, open_browser() as page:
        page.on("request", lambda r: outside.append(r.url) if not r.url.startswith((url, "data:", "blob:")) else None)
        texts = {}
        for route in ("incidents", "escalations", "audit-log", "monthly-report", "sla-compliance"):
            page.goto(f"{url}/{route}")
            wait_for_app(page)
            page.wait_for_timeout(500)
            main = page.locator('[data-testid="stMain"]')
            texts[route] = " ".join(as_shown(main.inner_text()).split())
            assert main.locator(f"img[src*='{BEACON}'], a[href*='{BEACON}'], a[href^='javascript']").count() == 0
            assert main.locator("strong:text-is('bold'), h1:text-is('heading')").count() == 0
            assert main.locator(".js-plotly-plot a, .js-plotly-plot image").count() == 0  # Plotly draws <a> tags
        page.goto(f"{url}/incidents")
        wait_for_app(page)
        page.get_by_role("tab", name="Incident detail").click()
        wait_for_app(page)
        detail = " ".join(as_shown(page.locator('[data-testid="stMain"]').inner_text()).split())
    assert [u for u in outside if BEACON in u] == []
    assert {u.split("/")[2] for u in outside} <= {"fonts.gstatic.com"}  # Streamlit's own icons, nothing else
    assert " ".join(title.split()) in texts["incidents"]
    for shown in (title, "Cmd " + HOSTILE[2], "Lead " + HOSTILE[3], "Inv " + HOSTILE[5], company, imported):
        assert " ".join(shown.split()) in detail, shown
    assert "Desk " + HOSTILE[2] in texts["escalations"]
    assert result.reference in texts["incidents"]
