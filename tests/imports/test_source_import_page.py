"""The Import page: earlier imports with their reports (AppTest), and an administrator importing an
export of each supported system in a real browser (upload, recognised profile, preview, confirm)."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from analytics.domains import open_store
from analytics.imports.service import import_file, resolve_profile
from analytics.kernel.roles import Actor, system_actor
from tests.browser_support import open_browser, start_dashboard, wait_for_app
from tests.imports.source_exports import EXPORTS, write_export

PAGE = str(Path(__file__).resolve().parents[2] / "pages" / "imports.py")
ADMIN = Actor("Ada", "ada@example.test", frozenset({"admin"}))


@pytest.fixture
def imported_db(tmp_path, monkeypatch):
    """A database with two imports: the ServiceNow event log sample, then a Zendesk export with a bad row."""
    path = tmp_path / "imports.duckdb"
    db = open_store(path)
    for name, rows in (("servicenow-events", EXPORTS["servicenow-events"]), ("zendesk", EXPORTS["zendesk"])):
        rows = [list(r) for r in rows]
        if name == "zendesk":
            rows[3][13] = "Carrier pigeon"          # Via: no channel for that
        export = write_export(tmp_path / f"{name}.csv", rows)
        import_file(db, export, profile=resolve_profile(export), actor=system_actor("test"))
    db.close()
    monkeypatch.setenv("VIGIE_DB", str(path))
    return path


def run(actor: Actor) -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=60)
    at.session_state["vigie_actor"] = actor
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def table(at, *columns: str):
    """The dataframe on the page having these columns (non-selectable tables carry no key)."""
    return next(d.value for d in at.dataframe if set(columns) <= set(d.value.columns))


def test_earlier_imports_and_their_reports(imported_db):
    at = run(ADMIN)
    runs = table(at, "rows_read", "source")
    assert list(runs["source"]) == ["zendesk", "servicenow-events"]
    assert list(runs["rows_read"]) == [3, 10] and list(runs["rejected"]) == [1, 0]
    assert list(runs["tickets"]) == [2, 2]
    # the latest import's report: its rejected row, with line and reason
    rejections = table(at, "line", "reason", "raw")
    assert list(rejections["line"]) == [4] and list(rejections["reason"]) == ["unknown channel 'Carrier pigeon'"]
    assert any("1 × unknown channel" in m.value for m in at.markdown)
    # the event log's report shows ServiceNow's made_sla beside Vigie's verdict
    at.selectbox(key="imports_run").set_value(int(runs.iloc[1]["id"])).run()
    assert not at.exception
    assert at.get("plotly_chart")[0].proto.spec  # the verdict comparison figure
    assert any("agree on" in c.value for c in at.caption)


def test_only_administrators_may_import(imported_db):
    at = run(Actor("Mia", "mia@example.test", frozenset({"manager"})))
    assert [e.value for e in at.error] == ["Only an administrator may import tickets."]
    assert not at.tabs


@pytest.mark.browser
def test_an_administrator_imports_an_export_of_each_system(demo_db_path, tmp_path):
    db_path = tmp_path / "browser.duckdb"
    shutil.copy(demo_db_path, db_path)
    files = {name: write_export(tmp_path / f"{name}-export.csv", rows) for name, rows in EXPORTS.items()}
    titles = {"servicenow": "ServiceNow incident list export",
              "servicenow-events": "ServiceNow incident event log (one row per update)",
              "jira-service-management": "Jira Service Management CSV export", "zendesk": "Zendesk ticket export"}
    with start_dashboard(db_path) as url, open_browser() as page:
        page.goto(url + "/imports")
        wait_for_app(page)
        assert page.get_by_role("heading", name="Import tickets").is_visible()
        for name, path in files.items():
            page.locator('input[type="file"]').first.set_input_files(str(path))
            page.get_by_text(f"Recognised from the header: {titles[name]}").wait_for(timeout=60_000)
            wait_for_app(page)
            page.get_by_role("button", name="Preview").click()
            page.get_by_text("Counts in = accepted + rejected").wait_for(timeout=120_000)
            wait_for_app(page)
            rows_read = page.locator('[data-testid="stMetric"]').filter(has_text="Rows read")
            assert rows_read.inner_text().split()[-1] == str(len(EXPORTS[name]) - 1)
            page.get_by_role("button", name=f"Import {path.name}").click()
            page.get_by_text("Imported as import #").wait_for(timeout=120_000)
            wait_for_app(page)
    db = open_store(db_path)
    imported = dict(db.rows("SELECT source, count(*) FROM tickets WHERE source <> 'demo' AND source <> 'vigie' "
                            "GROUP BY 1"))
    runs = db.rows("SELECT source, rows_read, rejected FROM import_runs ORDER BY id")
    db.close()
    assert imported == {"servicenow": 3, "servicenow-events": 2, "jira-service-management": 3, "zendesk": 3}
    assert runs == [("servicenow", 4, 1), ("servicenow-events", 10, 0), ("jira-service-management", 3, 0),
                    ("zendesk", 3, 0)]


def test_an_imports_warnings_stay_with_its_report(imported_db):
    at = run(ADMIN)
    # the latest import (Zendesk) had a third of its rows rejected: the report says so, as it did at import
    assert [w.value for w in at.warning] == ["1 warning: this import went through with them."]
    assert "- 1 of 3 rows (33%) are rejected, more than 5%: check the mapping against the reasons below" in [
        m.value for m in at.markdown]


def test_the_import_pages_tables_read_as_words(imported_db):
    from tests.test_tables_read_as_words import table_problems

    at = run(ADMIN)
    assert table_problems(at) == []
    runs = next(d for d in at.dataframe if "rows_read" in d.value.columns)
    labels = {name: c["label"] for name, c in __import__("json").loads(runs.proto.columns).items() if name != "_index"}
    assert (labels["rows_read"], labels["file_format"], labels["inserted"]) == ("Rows read", "Format", "New tickets")
    assert list(runs.value["file_format"]) == ["CSV", "CSV"] and list(runs.value["delimiter"]) == ["Comma", "Comma"]
