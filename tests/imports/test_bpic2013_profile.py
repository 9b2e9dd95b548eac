"""The shipped XES profile ``bpic2013-incidents`` (issue 15, item 4): a log in the shape of the public BPI
Challenge 2013 incident log (Volvo IT), written here from its documented attributes, is recognised from
its attributes and imports whole without a mapping: the status joined from the activity and its
lifecycle transition, the impact as the severity, the queue before anyone takes a request as the time to
first response, waiting on the user as time waiting on the customer, Completed as the end."""
from __future__ import annotations

import gzip

from analytics.imports.service import import_file, resolve_profile
from analytics.kernel.roles import system_actor
from tests.factories import paris

# trace -> events (activity, lifecycle transition, time, team, owner, impact, product)
TRACES = {
    "1-364285768": [("Queued", "Awaiting Assignment", "2012-03-30T09:00:00.000+02:00", "V30", "Frederic", "Medium"),
                    ("Accepted", "In Progress", "2012-03-30T09:40:00.000+02:00", "V30", "Frederic", "Medium"),
                    ("Accepted", "Wait - User", "2012-03-30T10:00:00.000+02:00", "V30", "Frederic", "Medium"),
                    ("Accepted", "In Progress", "2012-03-30T14:00:00.000+02:00", "V30", "Frederic", "Medium"),
                    ("Completed", "Resolved", "2012-03-30T15:00:00.000+02:00", "V30", "Frederic", "Medium"),
                    ("Completed", "Closed", "2012-04-02T09:00:00.000+02:00", "V30", "Frederic", "Medium")],
    "1-467153946": [("Accepted", "In Progress", "2012-04-05T10:00:00.000+02:00", "G97", "Siam", "Major"),
                    ("Accepted", "Wait - Customer", "2012-04-05T10:30:00.000+02:00", "G97", "Siam", "Major"),
                    ("Accepted", "In Progress", "2012-04-05T11:30:00.000+02:00", "G97", "Siam", "Major"),
                    ("Completed", "In Call", "2012-04-05T12:00:00.000+02:00", "G97", "Siam", "Major")],
    "1-509008811": [("Queued", "Awaiting Assignment", "2012-04-10T08:00:00.000+02:00", "N15", "Anne", "Low"),
                    ("Completed", "Cancelled", "2012-04-10T09:00:00.000+02:00", "N15", "Anne", "Low")],
    "1-523452122": [("Queued", "Awaiting Assignment", "2012-04-11T08:00:00.000+02:00", "S42", "", "High"),
                    ("Accepted", "Wait - Implementation", "2012-04-11T08:30:00.000+02:00", "S42", "Kim", "High")],
}


def xes_log() -> bytes:
    traces = []
    for case, events in TRACES.items():
        body = "".join(
            f'<event><string key="org:group" value="{g}"/><string key="resource country" value="Sweden"/>'
            f'<string key="org:resource" value="{r}"/><string key="organization involved" value="Org line A2"/>'
            f'<string key="concept:name" value="{a}"/><string key="impact" value="{i}"/>'
            f'<string key="product" value="PROD582"/><string key="lifecycle:transition" value="{t}"/>'
            f'<date key="time:timestamp" value="{when}"/></event>\n'
            for a, t, when, g, r, i in events)
        traces.append(f'<trace><string key="concept:name" value="{case}"/>\n{body}</trace>\n')
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<log xes.version="1.0" xmlns="http://www.xes-standard.org/">\n'
            + "".join(traces) + "</log>\n").encode("utf-8")


def test_a_bpic_2013_log_is_recognised_and_imports_whole(db, tmp_path):
    path = tmp_path / "VINST cases incidents.xes.gz"
    path.write_bytes(gzip.compress(xes_log()))
    profile = resolve_profile(path)
    assert profile.name == "bpic2013-incidents"
    report = import_file(db, path, profile=profile, actor=system_actor("test"))
    assert (report.read, report.rejected, report.tickets, report.warnings) == (14, 0, 4, [])
    rows = db.rows("SELECT t.reference, c.name, t.severity, t.status, t.team, t.assignee, t.platform, t.opened_at, "
                   "t.first_response_at, t.resolved_at, t.closed_at, f.waiting_s FROM tickets t "
                   "JOIN companies c ON c.id = t.company_id LEFT JOIN ticket_source_facts f ON f.ticket_id = t.id "
                   "ORDER BY 1")
    assert rows == [
        # queued 40 minutes, then waiting on the user from 10:00 to 14:00, resolved at 15:00, closed on Monday
        ("1-364285768", "Unknown company", 3, "completed / closed", "V30", "Frederic", "PROD582",
         paris(2012, 3, 30, 9, 0), paris(2012, 3, 30, 9, 40), paris(2012, 3, 30, 15, 0), paris(2012, 4, 2, 9, 0),
         4 * 3600.0),
        # taken at once (its first event is not the queue), waiting on the customer an hour, solved in the call
        ("1-467153946", "Unknown company", 1, "completed / in call", "G97", "Siam", "PROD582",
         paris(2012, 4, 5, 10, 0), paris(2012, 4, 5, 10, 0), paris(2012, 4, 5, 12, 0), paris(2012, 4, 5, 12, 0),
         3600.0),
        # cancelled from the queue: ended then
        ("1-509008811", "Unknown company", 4, "completed / cancelled", "N15", "Anne", "PROD582",
         paris(2012, 4, 10, 8, 0), paris(2012, 4, 10, 9, 0), paris(2012, 4, 10, 9, 0), paris(2012, 4, 10, 9, 0), 0.0),
        # waiting on an implementation is not waiting on the customer: the ticket is open, its clock running
        ("1-523452122", "Unknown company", 2, "accepted / wait - implementation", "S42", "Kim", "PROD582",
         paris(2012, 4, 11, 8, 0), paris(2012, 4, 11, 8, 30), None, None, 0.0)]
