"""The SQL builders, table-driven and without a database: input -> SQL fragment and parameters.

In the style of datasette's ``tests/test_filters.py``: every dynamic name goes through
``analytics.kernel.sql.identifier`` and every value is a bound parameter, so a hostile value
changes parameters, never the text of a query.
"""
from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from analytics.incidents.stats import grouping_sql
from analytics.kernel.sql import assignments, identifier
from analytics.logins.days import local_day_sql
from analytics.logins.rules import LockoutPolicy
from analytics.logins.stats import event_filter, zone_sql
from analytics.sla.breakdowns import breakdown_columns
from analytics.sla.engine import measures_sql
from analytics.sla.filters import TicketFilter

HOSTILE = ["id; DROP TABLE tickets", "t.severity) OR (1=1", '"quoted"', "1abc", "", "a.b.c", "severity--"]


@pytest.mark.parametrize("name, allowed, expected", [
    ("severity", ("severity", "team"), "severity"),
    ("e.ip_num", ("ip_num", "e.ip_num"), "e.ip_num"),
    ("_private", ("_private",), "_private"),
])
def test_identifier_returns_an_allowed_plain_name(name, allowed, expected):
    assert identifier(name, allowed) == expected


@pytest.mark.parametrize("name", ["title", "Severity", "team "])
def test_identifier_refuses_a_name_outside_the_allow_list_and_says_which_are_allowed(name):
    with pytest.raises(ValueError, match=r"not an allowed name here \(allowed: severity, team\)"):
        identifier(name, ("severity", "team"))


@pytest.mark.parametrize("name", HOSTILE)
def test_identifier_refuses_what_is_not_a_plain_identifier_even_when_listed(name):
    with pytest.raises(ValueError, match=re.escape(f"{name!r} is not a plain SQL identifier") + "$"):
        identifier(name, (name,))


def test_assignments_of_an_update():
    assert assignments({"status": 1, "closed_at": 2}, ("status", "closed_at")) == "status = ?, closed_at = ?"
    with pytest.raises(ValueError, match=re.escape(""""status = 'x' --" is not an allowed name here (allowed: status)""")):
        assignments({"status = 'x' --": 1}, ("status",))


@pytest.mark.parametrize("flt, alias, sql, params", [
    (TicketFilter(), "t", "true", {}),
    (TicketFilter(severities=(1, 2)), "t", "list_contains($severities, t.severity)", {"severities": [1, 2]}),
    (TicketFilter(company_ids=(7,), teams=("Network",)), "tickets",
     "list_contains($company_ids, tickets.company_id) AND list_contains($teams, tickets.team)",
     {"company_ids": [7], "teams": ["Network"]}),
    (TicketFilter(channels=("email",), ticket_ids=(3,)), "t",
     "list_contains($channels, t.channel) AND list_contains($ticket_ids, t.id)", {"channels": ["email"], "ticket_ids": [3]}),
    (TicketFilter(teams=("x') OR true --",)), "t", "list_contains($teams, t.team)", {"teams": ["x') OR true --"]}),
])
def test_ticket_filter(flt, alias, sql, params):
    assert flt.sql(alias) == (sql, params)


@pytest.mark.parametrize("alias", ["x", *HOSTILE[:3]])
def test_ticket_filter_refuses_an_unknown_alias(alias):
    with pytest.raises(ValueError, match=re.escape(f"{alias!r} is not an allowed name here (allowed: d, l, t, tickets)")):
        TicketFilter().sql(alias)


@pytest.mark.parametrize("alias, sql", [
    ("", "occurred_at >= $from AND occurred_at < $to AND ($all_companies OR list_contains($companies, company_id))"),
    ("e", "e.occurred_at >= $from AND e.occurred_at < $to "
          "AND ($all_companies OR list_contains($companies, e.company_id))"),
])
def test_login_event_filter(alias, sql):
    assert event_filter(alias) == sql


@pytest.mark.parametrize("zone, column, sql, params", [
    ((), "ip_num", "false", {}),
    (("10.0.0.0/8",), "e.ip_num", "(e.ip_num BETWEEN CAST($zone_lo_0 AS UHUGEINT) AND CAST($zone_hi_0 AS UHUGEINT))",
     {"zone_lo_0": str(0xFFFF0A000000), "zone_hi_0": str(0xFFFF0AFFFFFF)}),
    (("192.0.2.1/32", "2001:db8::/126"), "ip_num",
     "(ip_num BETWEEN CAST($zone_lo_0 AS UHUGEINT) AND CAST($zone_hi_0 AS UHUGEINT) OR "
     "ip_num BETWEEN CAST($zone_lo_1 AS UHUGEINT) AND CAST($zone_hi_1 AS UHUGEINT))",
     {"zone_lo_0": str(0xFFFFC0000201), "zone_hi_0": str(0xFFFFC0000201),
      "zone_lo_1": str(0x20010DB8 << 96), "zone_hi_1": str((0x20010DB8 << 96) + 3)}),
])
def test_trusted_zone_test(zone, column, sql, params):
    assert zone_sql(LockoutPolicy(trusted_zone=zone), column) == (sql, params)


@pytest.mark.parametrize("column", ["n", *HOSTILE])
def test_trusted_zone_refuses_an_unknown_column(column):
    with pytest.raises(ValueError, match=re.escape(
            f"{column!r} is not an allowed name here (allowed: e.ip_num, ip_num, s.ip_num)")):
        zone_sql(LockoutPolicy(), column)


UTC_JANUARY = (datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 2, 1, tzinfo=UTC))
PARIS_MARCH = (datetime(2026, 3, 1, tzinfo=UTC), datetime(2026, 4, 1, tzinfo=UTC))
DAY = "86400000000"


@pytest.mark.parametrize("column, tz, window, sql, params", [
    ("occurred_at", "UTC", UTC_JANUARY,
     f"(DATE '1970-01-01' + CAST((epoch_us(occurred_at) + $day_o0) // {DAY} AS INTEGER))", {"day_o0": 0}),
    ("e.occurred_at", "Europe/Paris", PARIS_MARCH,
     "(DATE '1970-01-01' + CAST((epoch_us(e.occurred_at) + CASE WHEN epoch_us(e.occurred_at) < $day_t0 "
     f"THEN $day_o0 ELSE $day_o1 END) // {DAY} AS INTEGER))",
     {"day_o0": 3_600_000_000, "day_t0": 1_774_746_000_000_000, "day_o1": 7_200_000_000}),  # 29 March 01:00 UTC
])
def test_local_day(column, tz, window, sql, params):
    assert local_day_sql(column, tz, *window) == (sql, params)


@pytest.mark.parametrize("by, select, group_by", [
    ((), "", ""),
    (("severity",), "severity, ", "GROUP BY severity ORDER BY severity"),
    (("month", "severity"), "month, severity, ", "GROUP BY month, severity ORDER BY month, severity"),
])
def test_incident_figures_grouping(by, select, group_by):
    assert grouping_sql(by) == (select, group_by)


@pytest.mark.parametrize("by", [("title",), ("month", "severity; DROP TABLE incidents")])
def test_incident_figures_refuse_an_unknown_grouping(by):
    with pytest.raises(ValueError, match=re.escape(f"{by[-1]!r} is not an allowed name here (allowed: month, severity)")):
        grouping_sql(by)


@pytest.mark.parametrize("by, columns", [(None, ""), ("severity", ""), ("company", "company_id,"),
                                        ("contract", "contract_id,"), ("channel", "channel,"), ("team", "team,")])
def test_sla_breakdown_columns(by, columns):
    assert breakdown_columns(by) == columns


@pytest.mark.parametrize("by", ["assignee", "team; DROP TABLE tickets"])
def test_sla_breakdown_refuses_an_unknown_column(by):
    with pytest.raises(ValueError, match=re.escape(
            f"{by!r} is not an allowed name here (allowed: channel, company, contract, severity, team)")):
        breakdown_columns(by)


@pytest.mark.parametrize("flt, prune, pauses, params, period_bound, pause_clock", [
    (TicketFilter(), False, (), {}, False, False),
    (TicketFilter(teams=("Network",)), True, ("Awaiting customer",),
     {"teams": ["Network"], "pause_statuses": ["Awaiting customer"]}, True, True),
])
def test_sla_measures_query(flt, prune, pauses, params, period_bound, pause_clock):
    sql, got = measures_sql(flt, prune=prune, pauses=pauses)
    assert got == params
    assert ("$from" in sql) is period_bound          # only a query for a period prunes by it
    assert ("pause_spans" in sql) is pause_clock     # pauses only when statuses are set
    assert "Awaiting" not in sql and "Network" not in sql  # values are parameters, never text
