"""The monthly report's figures: a hand-built September/October 2026 whose every figure is known,
the same numbers as the other pages' functions on the demo database, and empty sections."""
from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from uuid import uuid4

import pytest

from analytics.domains import open_store
from analytics.escalations import service as escalations
from analytics.escalations.stats import open_escalations
from analytics.incidents import service as incidents
from analytics.kernel.periods import Period
from analytics.kernel.roles import system_actor
from analytics.reports.monthly import ReportMonth, build_report, month_choices
from analytics.reports.sections import open_escalations_at
from analytics.sla.stats import compliance_cli_rows
from tests.factories import add_company, add_event, add_ticket, paris
from tests.logins.factories import add_logins, human_lockout, run_of

OCTOBER = ReportMonth(date(2026, 10, 1))
NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
ACTOR = system_actor("test")


def _incident(db, *, started: datetime, notify_after_min: int, resolve_after_min: int,
              companies: tuple[str, ...]) -> None:
    """A major incident through the incidents service: impact defined 10 min after the start."""
    ids = tuple(add_company(db, name) for name in companies)
    defined = started + timedelta(minutes=10)
    draft = incidents.IncidentDraft(
        title="Messaging: outgoing messages delayed", severity=2, security_breach=False, platforms=("Messaging",),
        company_ids=ids, all_customers=False, started_at=started, detected_at=started + timedelta(minutes=5),
        impact_defined_at=defined, description="Messages leave late.", commander="Claire",
        notification_lead="Julie", investigation_lead="Pierre")
    iid = incidents.declare(db, actor=ACTOR, draft=draft, token=uuid4().hex, now=defined + timedelta(minutes=2)
                            ).incident_id
    at = defined + timedelta(minutes=3)
    incidents.transition(db, actor=ACTOR, incident_id=iid, to_status="investigating", at=at, now=at)
    sent = defined + timedelta(minutes=notify_after_min)
    incidents.notify(db, actor=ACTOR, incident_id=iid, sent_at=sent, sent_by="Julie", company_ids=ids,
                     all_customers=False, message="We are on it.", token=uuid4().hex, now=sent)
    end = started + timedelta(minutes=resolve_after_min)
    incidents.transition(db, actor=ACTOR, incident_id=iid, to_status="resolved", at=end, now=end)


def _escalation(db, *, company: str, raised: datetime, further: datetime | None, resolved: datetime | None) -> None:
    result = escalations.raise_escalation(db, actor=ACTOR, reason="Commitments not kept", reason_code="quality",
                                          raised_by="A customer", owner="Desk", company_id=add_company(db, company),
                                          at=raised)
    if further:
        escalations.escalate_further(db, actor=ACTOR, reference=result.reference, at=further)
    if resolved:
        escalations.resolve(db, actor=ACTOR, reference=result.reference, resolution="Called back", at=resolved)


def seed_two_months(db) -> None:
    """September and October 2026 (Paris time), with the figures the tests below expect."""
    h, m = timedelta(hours=1), timedelta(minutes=1)
    # September: everything met; S3 is still open at the end of the month and resolved (met) on 1 October.
    add_ticket(db, "S1", severity=2, opened=paris(2026, 9, 10, 10), response=paris(2026, 9, 10, 10, 20),
               resolved=paris(2026, 9, 10, 12), company="Acme")
    add_ticket(db, "S2", severity=4, opened=paris(2026, 9, 15, 10), response=paris(2026, 9, 15, 12),
               resolved=paris(2026, 9, 15, 13), channel="email", company="Acme")
    add_ticket(db, "S3", severity=4, opened=paris(2026, 9, 29, 10), response=paris(2026, 9, 29, 11),
               resolved=paris(2026, 10, 1, 15), company="Acme")
    # October: Acme's two severity-2 tickets breach both targets; O6 breaches its resolution while open.
    o1 = paris(2026, 10, 6, 10)
    add_ticket(db, "O1", severity=2, opened=o1, response=o1 + 2 * h, resolved=o1 + 5 * h, company="Acme")
    o2 = paris(2026, 10, 7, 10)
    add_ticket(db, "O2", severity=2, opened=o2, response=o2 + 90 * m, resolved=o2 + 4 * h, company="Acme")
    o3 = paris(2026, 10, 8, 10)
    add_ticket(db, "O3", severity=2, opened=o3, response=o3 + 10 * m, resolved=o3 + h, channel="portal",
               company="Beta")
    o4 = paris(2026, 10, 9, 10)
    raised = add_ticket(db, "O4", severity=3, opened=o4, response=o4 + 30 * m, resolved=o4 + 4 * h,
                        channel="email", company="Beta")
    o5 = paris(2026, 10, 13, 10)
    add_ticket(db, "O5", severity=4, opened=o5, response=o5 + h, resolved=o5 + 2 * h, channel="email",
               company="Gamma")
    o6 = paris(2026, 10, 30, 10)
    add_ticket(db, "O6", severity=3, opened=o6, response=o6 + 30 * m, resolved=paris(2026, 11, 3, 10),
               company="Gamma")
    with db.transaction() as cur:  # O4 arrived by e-mail at severity 4; an agent raised it to 3
        cur.execute("UPDATE tickets SET initial_severity = 4 WHERE id = ?", [raised])
    _incident(db, started=paris(2026, 10, 20, 10), notify_after_min=15, resolve_after_min=90,
              companies=("Beta", "Gamma"))
    _escalation(db, company="Acme", raised=paris(2026, 9, 20, 10), further=None, resolved=paris(2026, 10, 2, 10))
    _escalation(db, company="Acme", raised=paris(2026, 10, 10, 10), further=paris(2026, 10, 11, 10),
                resolved=paris(2026, 11, 5, 10))
    add_logins(db, run_of(paris(2026, 10, 14, 10), "u-1", "Acme", "10.1.2.3",
                          human_lockout() + [(600, "unlock")], actor="Acme admin"))


@pytest.fixture
def two_months(db):
    seed_two_months(db)
    return db


@pytest.mark.parametrize("text, first, end, previous, label", [
    ("2026-10", date(2026, 10, 1), date(2026, 11, 1), date(2026, 9, 1), "October 2026"),
    ("2026-12", date(2026, 12, 1), date(2027, 1, 1), date(2026, 11, 1), "December 2026"),
    ("2027-01", date(2027, 1, 1), date(2027, 2, 1), date(2026, 12, 1), "January 2027"),
    (" 2024-02 ", date(2024, 2, 1), date(2024, 3, 1), date(2024, 1, 1), "February 2024"),
])
def test_report_month(text, first, end, previous, label):
    month = ReportMonth.parse(text)
    assert (month.first, month.end, month.previous.first, month.label) == (first, end, previous, label)


@pytest.mark.parametrize("text", ["2026-13", "2026-00", "26-10", "October", "2026-10-01", ""])
def test_report_month_refuses(text):
    with pytest.raises(ValueError, match="is not a month"):
        ReportMonth.parse(text)


@pytest.mark.parametrize("today, expected", [(date(2026, 11, 23), "2026-10"), (date(2026, 11, 1), "2026-10"),
                                             (date(2027, 1, 31), "2026-12")])
def test_last_complete_month(today, expected):
    assert ReportMonth.last_complete(today).key == expected


def test_sla_figures_per_severity(two_months):
    report = build_report(two_months, OCTOBER, now=NOW)
    table = report.current.sla.table.set_index(["severity", "measure"])
    assert table.loc[(2, "response"), ["met", "breached", "compliance_pct"]].tolist() == [1, 2, 33.3]
    assert table.loc[(2, "resolution"), ["met", "breached", "compliance_pct"]].tolist() == [1, 2, 33.3]
    assert table.loc[(3, "resolution"), ["met", "breached", "compliance_pct"]].tolist() == [1, 1, 50.0]
    assert table.loc[(4, "resolution"), ["met", "breached"]].tolist() == [2, 0]  # S3 decided in October
    assert table.loc[(4, "resolution"), "target"] == "< 3 business days"
    assert report.current.sla.breaches == 5 and report.previous.sla.breaches == 0
    top = report.current.sla.top_companies
    assert top.values.tolist() == [["Acme", 2, 2, 4], ["Gamma", 0, 1, 1]]


def test_ticket_figures(two_months):
    report = build_report(two_months, OCTOBER, now=NOW)
    cur, prev = report.current.tickets, report.previous.tickets
    assert dict(zip(cur.volume["channel"], cur.volume["tickets"])) == {
        "phone": 3, "email": 2, "portal": 1, "voicemail": 0, "remote_session": 0}
    assert (cur.tickets, prev.tickets) == (6, 3)
    assert cur.backlog["open"].tolist() == [0, 0, 1, 0] and prev.backlog["open"].tolist() == [0, 0, 0, 1]
    assert (cur.email, cur.email_raised, cur.reclassification_pct) == (2, 1, 50.0)
    assert (prev.email, prev.email_raised, prev.reclassification_pct) == (1, 0, 0.0)


def test_incident_escalation_lockout_figures(two_months):
    report = build_report(two_months, OCTOBER, now=NOW)
    inc = report.current.incidents
    assert (inc.count, report.previous.incidents.count) == (1, 0)
    assert inc.stats["within_deadline"] == 1 and inc.stats["resolve_median_h"] == 1.5
    assert inc.incidents["minutes_to_notify"].tolist() == [15.0]
    esc, prev_esc = report.current.escalations, report.previous.escalations
    assert esc.open_by_level["open"].tolist() == [0, 1, 0, 0, 0] and esc.raised == 1
    assert prev_esc.open_by_level["open"].tolist() == [1, 0, 0, 0, 0] and prev_esc.raised == 1
    assert report.current.lockouts.lockouts == 1 and report.previous.lockouts.lockouts == 0
    assert report.current.rca.available and report.current.rca.get("rcas_published") == 0


def test_headlines_and_summary(two_months):
    report = build_report(two_months, OCTOBER, now=NOW)
    values = {h.key: (h.value, h.previous) for h in report.headlines}
    assert values["response_pct"] == (66.7, 100.0)     # 4 met / 6 decided; 3 of 3 in September
    assert values["resolution_pct"] == (57.1, 100.0)   # 4 met / 7 decided
    assert values["breaches"] == (5, 0) and values["tickets"] == (6, 3) and values["backlog"] == (1, 1)
    assert values["incidents"] == (1, 0) and values["open_escalations"] == (1, 1)
    assert values["lockouts"] == (1, 0) and values["attacks"] == (0, 0)
    assert report.summary == [
        "Severity 2 response compliance fell from 100.0% to 33.3% (2 breaches).",
        "Severity 2 resolution compliance fell from 100.0% to 33.3% (2 breaches).",
        "Severity 3 response compliance was 100.0% (no breach), with no decision the previous month.",
        "Severity 3 resolution compliance was 50.0% (1 breach), with no decision the previous month.",
        "Compliance held within 2 points for the other 2 severities and measures.",  # severity 4: 100% both
        "SLA breaches rose from 0 to 5; Acme had the most (4).",
        "Ticket volume rose 100.0% to 6 tickets (from 3); phone, e-mail and the portal moved most (+1 each).",
        "The backlog at month end was unchanged at 1 open ticket.",
        "Agents raised 50.0% of e-mail requests above severity 4 (1 of 2), up from 0.0%.",
        "1 major incident (0 the previous month): customers were notified within 30 minutes for 1 of 1, "
        "median time to resolve 1.5 h.",
        "1 escalation open at month end (1 a month earlier), the highest at level 2 (Support supervisor); "
        "1 escalation raised in the month.",
        "No RCA published (0 the previous month), 1 RCA overdue at month end.",  # resolved 20 Oct, due 30 Oct
        "Account lockouts rose from 0 to 1; no suspected attack.",
    ]


def test_reopen_rate_and_first_contact_resolution_headlines(db):
    o, m = paris(2026, 10, 6, 10), timedelta(minutes=1)
    add_ticket(db, "R1", severity=3, opened=o, response=o + 5 * m, resolved=o + 8 * m)  # resolved at first contact
    reopened = add_ticket(db, "R2", severity=3, opened=o, response=o + 30 * m, resolved=o + 180 * m)
    add_event(db, reopened, "reopened", o + 60 * m, from_value="resolved", to_value="open")
    add_ticket(db, "R3", severity=3, opened=o + 60 * m, response=o + 65 * m)  # open: in neither rate
    s = paris(2026, 9, 8, 10)
    add_ticket(db, "S1", severity=3, opened=s, response=s + 5 * m, resolved=s + 10 * m)  # within the 10 minutes
    values = {h.key: (h.value, h.previous, h.detail) for h in build_report(db, OCTOBER, now=NOW).headlines}
    assert values["reopen_pct"][:2] == (50.0, 0.0) and values["fcr_pct"][:2] == (50.0, 100.0)
    assert values["reopen_pct"][2] == "1 of 2 tickets opened in the month and resolved were reopened"


def test_month_choices_run_back_to_the_first_ticket(two_months):
    assert [m.key for m in month_choices(two_months, date(2026, 11, 23))] == ["2026-10", "2026-09"]


def test_empty_database_degrades_section_by_section(db):
    report = build_report(db, OCTOBER, now=NOW)
    assert report.current.sla.breaches == 0 and report.current.sla.top_companies.empty
    assert report.current.tickets.tickets == 0 and report.current.tickets.reclassification_pct is None
    assert "No major incidents this month (0 the previous month)." in report.summary
    assert "No SLA breach this month (0 the previous month)." in report.summary
    assert "No account lockouts this month (0 the previous month); no suspected attack." in report.summary
    assert month_choices(db, date(2026, 11, 23)) == [OCTOBER]


def test_same_figures_as_the_sla_command_and_the_other_pages(demo_db_path):
    """The done criterion: the report's figures for a month are those of the SLA CLI and the domain functions."""
    from analytics.incidents.queries import notify_settings
    from analytics.incidents.stats import figures as incident_figures
    from analytics.logins.rules import load_policy
    from analytics.logins.stats import LoginFilter, overview
    from analytics.rca.stats import rca_month_figures

    db = open_store(demo_db_path)
    try:
        report = build_report(db, OCTOBER, now=NOW)
        period = Period(date(2026, 10, 1), date(2026, 11, 1), db.timezone)
        cli = compliance_cli_rows(db, period, as_of=NOW)  # `python -m analytics sla --from 2026-10-01 --to 2026-11-01`
        ours = report.current.sla.table
        assert ours[["severity", "measure", "met", "breached"]].values.tolist() == \
            cli[["severity", "measure", "met", "breached"]].values.tolist()
        assert ours["compliance_pct"].fillna(-1).tolist() == cli["compliance_pct"].fillna(-1).tolist()
        assert report.current.sla.breaches > 0
        as_of = report.current.as_of
        expected = incident_figures(db, start=period.start, end=period.end, settings=notify_settings(db),
                                    as_of=as_of, by=()).iloc[0]
        assert report.current.incidents.count == int(expected["incidents"])
        rca = rca_month_figures(db, month_start=period.start, month_end=period.end, as_of=as_of)
        assert report.current.rca.figures == rca
        assert report.current.lockouts.lockouts == overview(db, LoginFilter(period), load_policy(db))["lockouts"]
        # open escalations at an instant = the escalations page's list at that instant (the demo's now)
        by_level = open_escalations_at(db, NOW, ["a", "b", "c", "d", "e"]).set_index("level")["open"]
        page = open_escalations(db, now=NOW).groupby("level").size()
        assert by_level[by_level > 0].to_dict() == page.to_dict() and len(page) > 0
    finally:
        db.close()


def test_a_month_in_progress_is_taken_to_date(two_months):
    from analytics.reports.render import render_html

    now = datetime(2026, 10, 7, 9, 0, tzinfo=UTC)  # O2 (7 Oct 10:00 Paris) is open at 11:00 Paris
    report = build_report(two_months, OCTOBER, now=now)
    assert report.current.at_end == report.current.as_of == now and not report.complete
    assert report.previous.month.key == "2026-09"
    assert report.previous.at_end == OCTOBER.period("Europe/Paris").bounds()[0]
    assert report.current.tickets.backlog["open"].tolist() == [0, 1, 0, 0]
    assert report.current.sla.cell(2, "response") == {"met": 0, "breached": 1, "compliance_pct": 0.0}  # O1 only
    assert "The month is still in progress: figures to date." in render_html(report)
    assert build_report(two_months, OCTOBER, now=NOW).complete


def break_incident_queries(db) -> None:
    """Make the incidents section's queries fail for real: a column they read is renamed."""
    with db.transaction() as cur:
        cur.execute("ALTER TABLE incident_notifications RENAME COLUMN sent_at TO sent_on")


def test_a_failing_section_is_left_out_with_its_reason(two_months):
    from analytics.reports.render import render_html

    break_incident_queries(two_months)
    report = build_report(two_months, OCTOBER, now=NOW)
    assert not report.current.incidents.available and "sent_at" in report.problems["incidents"]
    assert list(report.problems) == ["incidents"]
    assert "incidents" not in [h.key for h in report.headlines]
    assert not any("major incident" in line for line in report.summary)
    assert report.current.sla.breaches == 5 and report.current.lockouts.lockouts == 1  # the rest is there
    assert "This section could not be computed: " in render_html(report)


def test_a_breach_decided_before_the_month_end_counts_as_the_sla_command_counts_it(db):
    """Deadline Friday 30 October 18:00 (27 working hours), resolved Monday 2 November: breached in October,
    for the report as for `python -m analytics sla` run at the same instant, while still in the backlog."""
    add_ticket(db, "B1", severity=4, opened=paris(2026, 10, 27, 23, 14), response=paris(2026, 10, 28, 9, 30),
               resolved=paris(2026, 11, 2, 13, 8), channel="email")
    report = build_report(db, OCTOBER, now=NOW)
    assert report.current.sla.cell(4, "resolution") == {"met": 0, "breached": 1, "compliance_pct": 0.0}
    cli = compliance_cli_rows(db, OCTOBER.period(db.timezone), as_of=NOW).set_index(["severity", "measure"])
    assert cli.loc[(4, "resolution"), ["met", "breached"]].tolist() == [0, 1]
    assert report.current.tickets.backlog["open"].tolist() == [0, 0, 0, 1]


def test_a_stored_ticket_of_year_1_neither_crashes_the_month_list_nor_stretches_it(db):
    from datetime import date

    from analytics.reports.monthly import month_choices
    from tests.factories import add_ticket

    add_ticket(db, "ANCIENT", severity=3, opened=datetime(1, 1, 2, 12, tzinfo=UTC))  # stored before imports refused it
    add_ticket(db, "FUTURE", severity=3, opened=datetime(9999, 1, 2, 12, tzinfo=UTC))
    add_ticket(db, "REAL", severity=3, opened=datetime(2026, 3, 10, 12, tzinfo=UTC))
    months = month_choices(db, date(2026, 12, 1))
    assert [m.key for m in months][0] == "2026-11" and [m.key for m in months][-1] == "2026-03"
