"""The monthly report's summary rules, table-driven on pairs of figures (no database)."""
from __future__ import annotations

import pytest

from analytics.reports.summary import (
    Compliance,
    backlog_sentence,
    breaches_sentence,
    compliance_sentence,
    compliance_sentences,
    escalations_sentence,
    incidents_sentence,
    lockouts_sentence,
    rca_sentence,
    reclassification_sentence,
    volume_sentence,
)


@pytest.mark.parametrize("before, after, expected", [
    # the example: a fall past the threshold, breaches concentrated on one company
    (Compliance(92, 8, 92.0), Compliance(79, 14, 85.0, "Cobalt Logistique", 9),
     "Severity 2 resolution compliance fell from 92.0% to 85.0% (14 breaches, 9 of them for Cobalt Logistique)."),
    # a rise; the worst company holds less than 40% of the breaches: not named
    (Compliance(80, 20, 80.0), Compliance(90, 10, 90.0, "Acme", 3),
     "Severity 2 resolution compliance rose from 80.0% to 90.0% (10 breaches)."),
    # exactly 40% and at least 3 breaches: named
    (Compliance(80, 20, 80.0), Compliance(90, 10, 90.0, "Acme", 4),
     "Severity 2 resolution compliance rose from 80.0% to 90.0% (10 breaches, 4 of them for Acme)."),
    # a single company with all of 2 breaches: under the 3-breach minimum, not named
    (Compliance(10, 0, 100.0), Compliance(4, 2, 66.7, "Acme", 2),
     "Severity 2 resolution compliance fell from 100.0% to 66.7% (2 breaches)."),
    (Compliance(9, 1, 90.0), Compliance(10, 0, 100.0), "Severity 2 resolution compliance rose from 90.0% to 100.0% "
                                                       "(no breach)."),
    (Compliance(9, 1, 90.0), Compliance(8, 1, 88.0, "Acme", 1),
     "Severity 2 resolution compliance fell from 90.0% to 88.0% (1 breach)."),   # exactly 2 points: a change
    (Compliance(9, 1, 90.0), Compliance(89, 11, 88.1), None),                     # 1.9 points: held
    (Compliance(9, 1, 90.0), Compliance(0, 0, None), None),                       # no decision this month
    (Compliance(0, 0, None), Compliance(3, 1, 75.0),
     "Severity 2 resolution compliance was 75.0% (1 breach), with no decision the previous month."),
])
def test_compliance_sentence(before, after, expected):
    assert compliance_sentence(2, "resolution", before, after) == expected


def test_compliance_sentences_order_falls_first_and_count_what_held():
    before = {(1, "response"): Compliance(10, 0, 100.0), (2, "response"): Compliance(9, 1, 90.0),
              (3, "response"): Compliance(90, 10, 90.0), (4, "response"): Compliance(95, 5, 95.0)}
    after = {(1, "response"): Compliance(9, 1, 90.0), (2, "response"): Compliance(19, 1, 95.0),
             (3, "response"): Compliance(75, 25, 75.0), (4, "response"): Compliance(96, 4, 96.0)}
    assert compliance_sentences(before, after) == [
        "Severity 3 response compliance fell from 90.0% to 75.0% (25 breaches).",
        "Severity 1 response compliance fell from 100.0% to 90.0% (1 breach).",
        "Severity 2 response compliance rose from 90.0% to 95.0% (1 breach).",
        "Compliance held within 2 points for the remaining severity and measure.",
    ]
    steady = {key: Compliance(9, 1, 90.0) for key in before}
    assert compliance_sentences(steady, steady) == [
        "SLA compliance held within 2 points of the previous month for every severity and measure."]
    assert compliance_sentences({}, {}) == []


@pytest.mark.parametrize("before, after, expected", [
    ({"phone": 100, "email": 100}, {"phone": 100, "email": 104},
     "Ticket volume was stable: 204 tickets opened (200 the previous month)."),
    ({"phone": 100, "email": 100}, {"phone": 110, "email": 130},
     "Ticket volume rose 20.0% to 240 tickets (from 200); e-mail moved most (+30)."),
    ({"phone": 100, "email": 100, "portal": 50}, {"phone": 60, "email": 95, "portal": 55},
     "Ticket volume fell 16.0% to 210 tickets (from 250); phone moved most (-40)."),
    ({}, {"portal": 1}, "1 ticket was opened, with none the previous month."),
    ({"phone": 10, "email": 10}, {"phone": 15, "email": 15, "voicemail": 0},
     "Ticket volume rose 50.0% to 30 tickets (from 20); phone and e-mail moved most (+5 each)."),
])
def test_volume_sentence(before, after, expected):
    assert volume_sentence(before, after) == expected


@pytest.mark.parametrize("before, after, expected", [
    (118, 66, "The backlog at month end shrank from 118 to 66 open tickets."),
    (5, 1200, "The backlog at month end grew from 5 to 1,200 open tickets."),
    (3, 3, "The backlog at month end was unchanged at 3 open tickets."),
    (0, 1, "The backlog at month end grew from 0 to 1 open ticket."),
])
def test_backlog_sentence(before, after, expected):
    assert backlog_sentence(before, after) == expected


@pytest.mark.parametrize("before, after, company, count, expected", [
    (290, 305, "Sirocco Énergie", 54, "SLA breaches rose from 290 to 305; Sirocco Énergie had the most (54)."),
    (305, 290, "Acme", 20, "SLA breaches fell from 305 to 290; Acme had the most (20)."),
    (7, 7, "Acme", 3, "SLA breaches were unchanged at 7; Acme had the most (3)."),
    (12, 0, None, 0, "No SLA breach this month (12 the previous month)."),
])
def test_breaches_sentence(before, after, company, count, expected):
    assert breaches_sentence(before, after, company, count) == expected


@pytest.mark.parametrize("before, after, raised, email, expected", [
    (8.2, 11.1, 123, 1107, "Agents raised 11.1% of e-mail requests above severity 4 (123 of 1,107), up from 8.2%."),
    (11.1, 8.2, 90, 1100, "Agents raised 8.2% of e-mail requests above severity 4 (90 of 1,100), down from 11.1%."),
    (8.2, 8.9, 89, 1000, "Agents raised 8.9% of e-mail requests above severity 4 (89 of 1,000), about the same "
                         "as the previous month (8.2%)."),
    (None, 50.0, 1, 2, "Agents raised 50.0% of e-mail requests above severity 4 (1 of 2)."),
    (8.2, None, 0, 0, None),
])
def test_reclassification_sentence(before, after, raised, email, expected):
    assert reclassification_sentence(before, after, raised, email) == expected


@pytest.mark.parametrize("before, after, kwargs, expected", [
    (2, 0, dict(security=0, within_deadline=0, decided=0, resolve_median_h=None),
     "No major incidents this month (2 the previous month)."),
    (0, 1, dict(security=0, within_deadline=1, decided=1, resolve_median_h=1.5),
     "1 major incident (0 the previous month): customers were notified within 30 minutes for 1 of 1, "
     "median time to resolve 1.5 h."),
    (1, 3, dict(security=1, within_deadline=2, decided=3, resolve_median_h=None),
     "3 major incidents (1 the previous month), 1 of them a security breach: customers were notified within "
     "30 minutes for 2 of 3."),
    (0, 1, dict(security=1, within_deadline=0, decided=0, resolve_median_h=None),
     "1 major incident (0 the previous month), a security breach."),
])
def test_incidents_sentence(before, after, kwargs, expected):
    assert incidents_sentence(before, after, deadline_minutes=30, **kwargs) == expected


@pytest.mark.parametrize("before, after, level, name, raised, expected", [
    (2, 5, 4, "Director", 12, "5 escalations open at month end (2 a month earlier), the highest at level 4 "
                              "(Director); 12 escalations raised in the month."),
    (1, 0, None, None, 1, "No escalation was open at month end (1 a month earlier); 1 escalation raised in the "
                          "month."),
])
def test_escalations_sentence(before, after, level, name, raised, expected):
    assert escalations_sentence(before, after, highest_level=level, highest_name=name, raised=raised) == expected


@pytest.mark.parametrize("kwargs, expected", [
    (dict(published=0, published_before=0, overdue_rcas=0, requested=0, delivered=0, due=0, closed_on_time=0,
          overdue=0),
     "No RCA was published, requested or due this month."),
    (dict(published=2, published_before=1, overdue_rcas=0, requested=3, delivered=1, due=4, closed_on_time=3,
          overdue=2),
     "2 RCAs published (1 the previous month); customers requested 3 RCAs and 1 was delivered; "
     "3 of 4 action items due closed on time; 2 action items overdue at month end."),
    (dict(published=0, published_before=1, overdue_rcas=4, requested=0, delivered=0, due=2, closed_on_time=1,
          overdue=5),
     "No RCA published (1 the previous month), 4 RCAs overdue at month end; 1 of 2 action items due closed on "
     "time; 5 action items overdue at month end."),
    (dict(published=0, published_before=0, overdue_rcas=1, requested=0, delivered=0, due=0, closed_on_time=0,
          overdue=0),
     "No RCA published (0 the previous month), 1 RCA overdue at month end."),
])
def test_rca_sentence(kwargs, expected):
    assert rca_sentence(**kwargs) == expected


@pytest.mark.parametrize("before, after, kwargs, expected", [
    (269, 287, dict(outside_zone=95, attacks=1, attack_lockouts=0, attack_kinds={"password spray": 1}),
     "Account lockouts rose from 269 to 287 (95 outside the trusted zone); 1 suspected attack "
     "(1 password spray), which locked no account."),
    (30, 12, dict(outside_zone=0, attacks=3, attack_lockouts=7,
                  attack_kinds={"password spray": 1, "failures faster than the delay policy allows": 2}),
     "Account lockouts fell from 30 to 12; 3 suspected attacks (2 failures faster than the delay policy allows, "
     "1 password spray) behind 7 lockouts."),
    (4, 0, dict(outside_zone=0, attacks=0, attack_lockouts=0, attack_kinds={}),
     "No account lockouts this month (4 the previous month); no suspected attack."),
    (5, 5, dict(outside_zone=1, attacks=0, attack_lockouts=0, attack_kinds={}),
     "Account lockouts were unchanged at 5 (1 outside the trusted zone); no suspected attack."),
])
def test_lockouts_sentence(before, after, kwargs, expected):
    assert lockouts_sentence(before, after, **kwargs) == expected
