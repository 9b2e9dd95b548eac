"""Every table of every page reads as words (AppTest on the demo data, each role that sees the page).

For each ``st.dataframe`` a page draws, its column configuration (``proto.columns``) must give
every column a human label (not a code such as ``from_team``), and every cell of a read-only
table must be shown as words: no known code (``remote_session``, ``in_progress``, ``sla_breach``),
no None / nan / NaT / <NA>, no raw timestamp with seconds, microseconds or an offset. Editors
(``st.data_editor``: forms to fill) are held to the labels only. The Import page is another
change's (left out here).
"""
from __future__ import annotations

import json
import re
import shutil
from datetime import date, datetime
from pathlib import Path

import pandas as pd
import pytest
from streamlit.proto.Dataframe_pb2 import Dataframe as DataframeProto
from streamlit.testing.v1 import AppTest

from analytics.domains import all_pages, open_store
from analytics.kernel.roles import Actor
from analytics.settings.service import change_setting
from ui import columns as column_table
from ui.columns import Col
from ui.labels import known_codes, plural
from ui.tables import as_csv, table_view

ROOT = Path(__file__).resolve().parent.parent
LEFT_OUT: set[str] = set()  # the Import page with imports to show: tests/imports/test_source_import_page.py
SNAKE = re.compile(r"^[a-z0-9]+(_[a-z0-9]+)+$")
RAW_TIME = re.compile(r"\d{2}:\d{2}:\d{2}|\d{2}:\d{2}(\.\d+)?[+-]\d{2}:?\d{2}$|T\d{2}:\d{2}")
SHOWN_EMPTY = {"None", "nan", "NaN", "NaT", "<NA>", "none", "null"}
PAGES = [(spec, role) for spec in all_pages() if spec.path not in LEFT_OUT and (ROOT / spec.path).is_file()
         for role in sorted(spec.roles)]


@pytest.fixture(scope="module")
def demo_copy(demo_db_path, tmp_path_factory):
    """The demo with one audited change, so that the Audit log has a row to show."""
    path = tmp_path_factory.mktemp("words") / "words.duckdb"
    shutil.copyfile(demo_db_path, path)
    db = open_store(path)
    change_setting(db, actor=Actor(name="setup", roles=frozenset({"admin"})), name="escalation.ack_hours", value=6)
    db.close()
    return path


def open_page(path: str, role: str) -> AppTest:
    at = AppTest.from_file(str(ROOT / path), default_timeout=180)
    at.session_state["vigie_actor"] = Actor(name="Eve", email="eve@example.com", roles=frozenset({role}))
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def table_with(at: AppTest, column: str):
    """The first table that has ``column`` (a table without row selection carries no key in AppTest)."""
    return next(t for t in at.dataframe if column in t.value.columns)


def cell_problem(value) -> str | None:
    """Why a shown cell is not words, or None."""
    if value is None or value is pd.NaT or value is pd.NA:
        return "an empty value shown as None"
    if isinstance(value, float) and value != value:
        return "nan shown"
    if isinstance(value, (datetime, pd.Timestamp)):
        return "a raw timestamp"
    if isinstance(value, date):
        return None
    if isinstance(value, str):
        if value.strip() in SHOWN_EMPTY:
            return f"{value!r} shown"
        if value in known_codes():
            return f"the code {value!r}"
        if re.match(r"^\d{4}-\d{2}-\d{2}", value) and RAW_TIME.search(value):
            return f"the raw timestamp {value!r}"
    return None


def table_problems(at: AppTest) -> list[str]:
    """Every defect of every table of the page's last run."""
    problems = []
    for table in at.dataframe:
        config = json.loads(table.proto.columns) if table.proto.columns else {}
        frame = table.value
        name = "table (" + ", ".join(map(str, frame.columns[:2])) + ")"
        for column in frame.columns:
            label = (config.get(str(column)) or {}).get("label")
            if not label:
                problems.append(f"{name}: column {column!r} has no label")
            elif SNAKE.match(label) or label in known_codes():
                problems.append(f"{name}: column {column!r} is headed by the code {label!r}")
        if table.proto.editing_mode != DataframeProto.EditingMode.READ_ONLY:
            continue
        for column in frame.columns:
            for value in frame[column].tolist():
                problem = cell_problem(value)
                if problem:
                    problems.append(f"{name}: column {column!r}: {problem}")
                    break
    return problems


@pytest.mark.parametrize(("spec", "role"), PAGES, ids=[f"{s.path}-{r}" for s, r in PAGES])
def test_every_table_of_the_page_reads_as_words(demo_copy, monkeypatch, spec, role):
    monkeypatch.setenv("VIGIE_DB", str(demo_copy))
    at = open_page(spec.path, role)
    assert table_problems(at) == []
    if spec.path == "pages/sla.py":  # the tickets behind a figure are drawn once a row is selected
        before = len(at.dataframe)
        at.session_state["sla_table"] = {"selection": {"rows": [0], "columns": []}}
        at.run()
        assert not at.exception and len(at.dataframe) == before + 1
        assert table_problems(at) == []
    if spec.path == "pages/escalations.py":  # its timeline is drawn once an escalation is picked
        at.session_state["escalations_selected"] = table_with(at, "flag").value["reference"].iloc[0]
        at.run()
        assert not at.exception
        assert table_with(at, "from_level_name").value["kind"].iloc[0] == "Raised"
        assert table_problems(at) == []


def test_a_column_without_its_label_fails_the_check(demo_copy, monkeypatch):
    monkeypatch.setenv("VIGIE_DB", str(demo_copy))
    monkeypatch.delitem(column_table.COLUMNS, "from_team")
    at = open_page("pages/intake.py", "manager")
    assert table_problems(at) == ["table (from_team, to_team): column 'from_team' has no label"]


def test_a_code_label_or_a_raw_value_fails_the_check(demo_copy, monkeypatch):
    monkeypatch.setenv("VIGIE_DB", str(demo_copy))
    monkeypatch.setitem(column_table.COLUMNS, "from_team", Col("from_team"))
    monkeypatch.setitem(column_table.COLUMNS, "channel", Col("Channel"))  # the codes left as they are stored
    at = open_page("pages/intake.py", "manager")
    assert table_problems(at) == [
        "table (channel, tickets): column 'channel': the code 'email'",
        "table (from_team, to_team): column 'from_team' is headed by the code 'from_team'"]


def test_the_intake_tables_show_their_labels(demo_copy, monkeypatch):
    monkeypatch.setenv("VIGIE_DB", str(demo_copy))
    at = open_page("pages/intake.py", "manager")
    flows = table_with(at, "from_team")
    labels = {name: c["label"] for name, c in json.loads(flows.proto.columns).items() if name != "_index"}
    assert labels == {"from_team": "From team", "to_team": "To team", "reassignments": "Reassignments"}
    admins = json.loads(table_with(at, "by_admin_pct").proto.columns)
    assert admins["by_admin_pct"]["label"] == "Raised by an administrator (%)"
    assert admins["by_admin_pct"]["type_config"]["format"] == "%.1f%%"
    assert admins["tickets"]["type_config"]["format"] == "%,d"


def test_cells_are_formatted_by_kind_with_a_dash_for_empty():
    frame = pd.DataFrame({
        "opened_at": pd.to_datetime(["2026-11-13 20:08:52.123456+00:00", None], utc=True),
        "channel": ["remote_session", None], "status": ["in progress", ""],
        "rca_status": ["in_review", "none"], "reason_code": ["sla_breach", "other"],
        "tickets": [1234567, None], "compliance_pct": [84.567, 100.0], "due_date": [date(2026, 12, 7), None],
        "security_breach": [True, None]})
    shown, config = table_view(frame, "Europe/Paris")
    assert shown.to_dict("list") == {
        "opened_at": ["2026-11-13 21:08", "—"], "channel": ["Remote session", "—"], "status": ["in progress", "—"],
        "rca_status": ["In review", "No RCA yet"], "reason_code": ["SLA breached", "Other"],
        "tickets": ["1,234,567", "—"], "compliance_pct": [84.567, 100.0], "due_date": ["2026-12-07", "—"],
        "security_breach": ["Yes", "—"]}
    assert config["compliance_pct"]["type_config"]["format"] == "%.1f%%"
    assert config["tickets"]["alignment"] == "right"  # a count with an empty cell is text, right-aligned
    assert as_csv(shown, config).splitlines()[0] == ("Opened,Channel,Status,RCA status,Reason,Tickets,"
                                                      "Compliance (%),Due,Security breach")


def test_timestamps_follow_the_deployment_zone():
    frame = pd.DataFrame({"opened_at": pd.to_datetime(["2026-07-01 10:00:00+00:00"], utc=True)})
    assert table_view(frame, "America/Los_Angeles")[0]["opened_at"].tolist() == ["2026-07-01 03:00"]
    assert table_view(frame, "Asia/Tokyo")[0]["opened_at"].tolist() == ["2026-07-01 19:00"]


def test_plurals():
    assert [plural(n, "suspected attack") for n in (0, 1, 2, 1500)] == [
        "0 suspected attacks", "1 suspected attack", "2 suspected attacks", "1,500 suspected attacks"]


def test_an_empty_month_column_shows_as_an_empty_table():
    # an empty datetime column maps to a datetime column, whose .any() pandas refuses (the Escalations
    # page on a store without tickets crashed on it)
    frame = pd.DataFrame({"month": pd.Series([], dtype="datetime64[us, UTC]"), "incidents": pd.Series([], dtype="int64")})
    shown, config = table_view(frame, "Europe/Paris", None)
    assert len(shown) == 0 and list(shown.columns) == ["month", "incidents"]
    assert config["month"]["label"] == "Month"
    with_gap = pd.DataFrame({"month": pd.to_datetime(["2026-10-01", None], utc=True), "incidents": [3, 1]})
    assert list(table_view(with_gap, "Europe/Paris", None)[0]["month"]) == ["Oct 2026", "—"]  # the dash of every empty cell


def test_a_wide_table_keeps_its_first_column_in_view():
    """From seven columns on (wider than a 1280 px page), the first one is pinned while the others scroll."""
    names = ["company", "lockouts", "attack_lockouts", "ordinary_lockouts", "users_locked", "failures", "unlocks"]
    wide = pd.DataFrame({name: ["Acme"] if name == "company" else [1] for name in names})
    config = table_view(wide, "Europe/Paris")[1]
    assert [name for name, c in config.items() if c["pinned"]] == ["company"]
    narrow = table_view(wide[names[:6]], "Europe/Paris")[1]
    assert [name for name, c in narrow.items() if c["pinned"]] == []
