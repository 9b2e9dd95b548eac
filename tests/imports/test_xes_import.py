"""XES event logs (IEEE 1849) read directly, plain and gzipped: traces and events into rows.

The log is written here in the shape of the public BPI Challenge 2013 incident log (Volvo IT):
a trace per incident (its ``concept:name``), events with ``concept:name`` (Accepted, Queued,
Completed), ``lifecycle:transition`` (In Progress, Awaiting Assignment, Resolved, Closed),
``time:timestamp`` (ISO 8601 with offset), ``org:group``, ``org:resource`` and ``impact``, plus
a trace attribute of our own (the customer) and a ``<global>`` block of event defaults.
"""
from __future__ import annotations

import gzip
import subprocess
import sys
import textwrap

import pytest

from analytics.imports.files import peek_header
from analytics.imports.profiles import parse_profile
from analytics.imports.service import import_file
from analytics.kernel.roles import system_actor
from tests.factories import paris

ROOT = __import__("pathlib").Path(__file__).resolve().parents[2]
EVENTS = {
    "1-364285768": ("Acme", [("Accepted", "In Progress", "2012-03-31T16:59:59.000+02:00", "V30", "Frederic", "Medium"),
                             ("Queued", "Awaiting Assignment", "2012-03-31T17:15:00.000+02:00", "V5 3rd", "Frederic",
                              "Medium"),
                             ("Accepted", "In Progress", "2012-04-02T09:00:00.000+02:00", "V5 3rd", "Anne", "Medium"),
                             ("Completed", "Resolved", "2012-04-02T11:30:00.000+02:00", "V5 3rd", "Anne", "Medium"),
                             ("Completed", "Closed", "2012-04-03T08:00:00.000+02:00", "V5 3rd", "Anne", "Medium")]),
    "1-467153946": ("Beta & Co <EU>", [("Accepted", "In Progress", "2012-04-05T10:00:00.000+02:00", "G97", "Siam",
                                        "High"),
                                       ("Queued", "Awaiting Assignment", "2012-04-05T10:30:00.000+02:00", "G97", "Siam",
                                        "High")]),
}
MAPPING = textwrap.dedent("""\
    [fields]
    reference = "case:concept:name"
    company = "case:customer"
    channel = { default = "portal" }
    severity = { column = "impact", map = { "major" = 1, "high" = 2, "medium" = 3, "low" = 4 } }
    status = { join = ["concept:name", "lifecycle:transition"] }
    opened_at = "time:timestamp"
    updated_at = "time:timestamp"
    team = "org:group"
    assignee = "org:resource"
    [events]
    order = ["updated_at"]
    new_statuses = ["Accepted / In Progress"]
    resolved_statuses = ["Completed / Resolved", "Completed / Closed"]
    closed_statuses = ["Completed / Closed"]
    waiting_statuses = ["Queued / Awaiting Assignment"]
    """)


def xes_text() -> str:
    traces = []
    for case, (customer, events) in EVENTS.items():
        body = "".join(
            f'<event><string key="concept:name" value="{a}"/><string key="lifecycle:transition" value="{t}"/>'
            f'<date key="time:timestamp" value="{when}"/><string key="org:group" value="{g}"/>'
            f'<string key="org:resource" value="{r}"/><string key="impact" value="{i}"/></event>\n'
            for a, t, when, g, r, i in events)
        customer = customer.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        traces.append(f'<trace><string key="concept:name" value="{case}"/>'
                      f'<string key="customer" value="{customer}"/>\n{body}</trace>\n')
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            '<log xes.version="1.0" xmlns="http://www.xes-standard.org/">\n'
            '<extension name="Concept" prefix="concept" uri="http://www.xes-standard.org/concept.xesext"/>\n'
            '<global scope="event"><string key="concept:name" value="__INVALID__"/></global>\n'
            + "".join(traces) + "</log>\n")


@pytest.fixture(params=["log.xes", "log.xes.gz", "renamed.dat"])
def xes_file(request, tmp_path):
    path = tmp_path / request.param
    data = xes_text().encode("utf-8")
    path.write_bytes(gzip.compress(data) if request.param.endswith(".gz") else data)
    return path


def test_an_xes_log_imports_with_a_status_joined_from_two_attributes(db, xes_file):
    assert peek_header(xes_file) == ["case:concept:name", "case:customer", "concept:name", "lifecycle:transition",
                                     "time:timestamp", "org:group", "org:resource", "impact"]
    report = import_file(db, xes_file, profile=parse_profile(MAPPING), actor=system_actor("test"))
    assert (report.read, report.rejected, report.tickets, report.warnings) == (7, 0, 2, [])
    rows = db.rows("SELECT t.reference, c.name, t.severity, t.status, t.team, t.assignee, t.opened_at, "
                   "t.first_response_at, t.resolved_at, t.closed_at FROM tickets t "
                   "JOIN companies c ON c.id = t.company_id ORDER BY 1")
    assert rows == [
        ("1-364285768", "Acme", 3, "completed / closed", "V5 3rd", "Anne", paris(2012, 3, 31, 16, 59, 59),
         paris(2012, 3, 31, 17, 15), paris(2012, 4, 2, 11, 30), paris(2012, 4, 3, 8, 0)),
        ("1-467153946", "Beta & Co <EU>", 2, "queued / awaiting assignment", "G97", "Siam",
         paris(2012, 4, 5, 10, 0), paris(2012, 4, 5, 10, 30), None, None)]
    waiting = db.scalar("SELECT f.waiting_s FROM ticket_source_facts f JOIN tickets t ON t.id = f.ticket_id "
                        "WHERE t.reference = '1-364285768'")
    assert waiting == (39 * 60 + 45) * 60                 # queued from 17:15 on the 31st to 09:00 on the 2nd
    assert db.scalar("SELECT file_format FROM import_run_details") == "xes"


def test_inspect_proposes_a_mapping_for_an_xes_log(db, tmp_path):
    path = tmp_path / "log.xes.gz"
    path.write_bytes(gzip.compress(xes_text().encode("utf-8")))
    run = subprocess.run([sys.executable, "-m", "analytics", "import", "inspect", str(path)], cwd=ROOT,
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    profile = parse_profile(run.stdout)
    assert [profile.field(f).column for f in ("reference", "company", "severity", "status", "updated_at", "team")] \
        == ["case:concept:name", "case:customer", "impact", "concept:name", "time:timestamp", "org:group"]
    assert '# or, the activity with its lifecycle transition (then list the statuses below that way): status = ' \
           '{ join = ["concept:name", "lifecycle:transition"] }' in run.stdout
    assert profile.events.order == ("updated_at",) and profile.events.resolved_statuses == ("completed",)
    report = import_file(db, path, profile=profile, actor=system_actor("test"))
    assert (report.read, report.rejected, report.tickets) == (7, 0, 2)
