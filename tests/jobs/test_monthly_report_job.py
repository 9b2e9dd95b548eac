"""The monthly report e-mailed on schedule: the period due at explicit ``now`` values (the local hour
across DST changes), a missed run caught up once and never twice, each run audited, and the
message received by a real SMTP server on loopback with its PDF attached and read back."""
from __future__ import annotations

import json
import shutil
import subprocess
from datetime import UTC, datetime

import pytest

from analytics.audit.service import load_audit
from analytics.jobs import monthly_report
from analytics.jobs.runs import load_runs
from analytics.jobs.schedule import Due, monthly_due
from analytics.kernel.roles import Actor
from analytics.notices.delivery import deliver
from analytics.settings.queries import get_setting
from analytics.settings.rules import SettingError
from analytics.settings.service import change_setting

ADMIN = Actor(name="Ada", email="ada@support.example", roles=frozenset({"admin"}))
LEADERS = ["lea@leadership.example", "max@leadership.example"]
PARIS = "Europe/Paris"


def at(*parts) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def schedule(db, *, recipients=LEADERS, day=3, hour=9) -> None:
    change_setting(db, actor=ADMIN, name="reports.monthly_recipients", value=list(recipients))
    change_setting(db, actor=ADMIN, name="reports.monthly_day", value=day)
    change_setting(db, actor=ADMIN, name="reports.monthly_hour", value=hour)


@pytest.mark.parametrize("now, due", [
    # 3 November 09:00 Paris is 08:00 UTC (CET, after the October change): one minute before, the
    # latest instant is 3 October 09:00 Paris = 07:00 UTC (CEST), which reports September.
    (at(2026, 11, 3, 7, 59), Due("2026-09", at(2026, 10, 3, 7, 0))),
    (at(2026, 11, 3, 8, 0), Due("2026-10", at(2026, 11, 3, 8, 0))),
    (at(2026, 11, 30, 23, 0), Due("2026-10", at(2026, 11, 3, 8, 0))),   # 1 December 00:00 Paris: still October
    # spring: 3 March 09:00 CET = 08:00 UTC, 3 April 09:00 CEST = 07:00 UTC
    (at(2026, 4, 3, 6, 59), Due("2026-02", at(2026, 3, 3, 8, 0))),
    (at(2026, 4, 3, 7, 0), Due("2026-03", at(2026, 4, 3, 7, 0))),
    # January's instant reports December of the year before
    (at(2027, 1, 3, 8, 0), Due("2026-12", at(2027, 1, 3, 8, 0))),
])
def test_the_period_due_follows_the_local_day_and_hour_across_dst(now, due):
    assert monthly_due(now, PARIS, day=3, hour=9) == due


def test_on_the_day_of_a_dst_change_the_hour_is_still_the_local_hour():
    # 25 October 2026, clocks go back at 03:00 CEST: 09:00 that day is CET, 08:00 UTC
    assert monthly_due(at(2026, 10, 25, 8, 0), PARIS, day=25, hour=9) == Due("2026-09", at(2026, 10, 25, 8, 0))
    assert monthly_due(at(2026, 10, 25, 7, 59), PARIS, day=25, hour=9).period == "2026-08"
    # 28 March 2027, clocks go forward at 02:00 CET: 09:00 that day is CEST, 07:00 UTC
    assert monthly_due(at(2027, 3, 28, 7, 0), PARIS, day=28, hour=9) == Due("2027-02", at(2027, 3, 28, 7, 0))
    assert monthly_due(at(2027, 3, 28, 6, 59), PARIS, day=28, hour=9) == Due("2027-01", at(2027, 2, 28, 8, 0))
    # the same schedule in Tokyo (no DST): 09:00 JST is 00:00 UTC
    assert monthly_due(at(2026, 3, 28, 8, 0), "Asia/Tokyo", day=28, hour=9) == Due("2026-02", at(2026, 3, 28, 0, 0))


def test_no_recipients_no_run(db):
    assert monthly_report.tick(db, now=at(2026, 11, 3, 8, 0)) is None
    assert load_runs(db) == []


def test_a_missed_run_is_caught_up_once_and_a_second_tick_does_nothing(db):
    schedule(db, day=3, hour=9)
    assert monthly_report.tick(db, now=at(2026, 11, 3, 8, 0)).period == "2026-10"
    assert monthly_report.tick(db, now=at(2026, 11, 3, 8, 0, 30)) is None        # a second tick, same period
    assert monthly_report.tick(db, now=at(2026, 11, 28, 12, 0)) is None          # a restart later that month
    # the server was down over 3 December 09:00: the first tick after it catches up November, once
    assert monthly_report.tick(db, now=at(2026, 12, 5, 10, 0)).period == "2026-11"
    assert monthly_report.tick(db, now=at(2026, 12, 5, 10, 0, 30)) is None
    assert [(r["period"], r["due_at"], r["outcome"]) for r in load_runs(db, job="monthly_report")] == [
        ("2026-10", at(2026, 11, 3, 8, 0), "done"), ("2026-11", at(2026, 12, 3, 8, 0), "done")]
    assert db.rows("SELECT entity_id, subject, recipients, status FROM outbox ORDER BY id") == [
        ("monthly_report:2026-10", "Monthly support report: October 2026", LEADERS, "queued"),
        ("monthly_report:2026-11", "Monthly support report: November 2026", LEADERS, "queued")]
    audit = load_audit(db, action="job.run").sort_values("id")
    assert list(audit["entity_id"]) == ["monthly_report:2026-10", "monthly_report:2026-11"]
    assert [json.loads(a)["outcome"] for a in audit["after"]] == ["done", "done"]
    assert list(audit["actor"].unique()) == ["scheduler"]


def test_a_recipient_that_is_not_one_plain_address_is_refused_in_one_line(db):
    with pytest.raises(SettingError) as refused:
        change_setting(db, actor=ADMIN, name="reports.monthly_recipients",
                       value=["lea@leadership.example", "Lea <lea@leadership.example>"])
    assert str(refused.value) == ("reports.monthly_recipients must be plain e-mail addresses (name@domain); "
                                  "'Lea <lea@leadership.example>' is not")
    with pytest.raises(SettingError):
        change_setting(db, actor=ADMIN, name="reports.monthly_recipients", value=["a@b.example\r\nBcc: x@evil.example"])
    change_setting(db, actor=ADMIN, name="reports.monthly_recipients", value=LEADERS + LEADERS[:1])
    assert get_setting(db, "reports.monthly_recipients") == LEADERS  # a repeated address is kept once


def test_a_report_that_cannot_be_rendered_is_the_periods_failed_run_audited_and_not_retried(db):
    schedule(db)

    def broken(db, month, now):  # weasyprint failing, say: the failure must be recorded, not raised
        raise OSError("no space left on device")

    outcome = monthly_report.tick(db, now=at(2026, 11, 3, 8, 0), render=broken)
    assert (outcome.outcome, outcome.detail) == (
        "failed", "the report could not be rendered: OSError: no space left on device")
    assert monthly_report.tick(db, now=at(2026, 11, 3, 9, 0), render=broken) is None
    assert db.scalar("SELECT count(*) FROM outbox") == 0
    assert [(r["period"], r["outcome"]) for r in load_runs(db)] == [("2026-10", "failed")]
    after = json.loads(load_audit(db, action="job.run")["after"].iloc[0])
    assert (after["outcome"], after["detail"]) == ("failed", outcome.detail)


def test_the_report_goes_to_the_recipients_set_with_its_pdf(db, smtp_server, tmp_path):
    schedule(db, day=3, hour=9)
    monthly_report.tick(db, now=at(2026, 11, 3, 8, 0))
    run = deliver(db, config=smtp_server.config(), now=lambda: at(2026, 11, 3, 8, 1))
    assert (len(run.accepted), run.retrying, run.failed) == (1, [], [])
    [received] = smtp_server.received
    assert received.rcpt_tos == LEADERS
    message = received.message
    assert message["Subject"] == "Monthly support report: October 2026"
    assert message.get_body(("plain",)).get_content().replace("\r\n", "\n") == (
        "Hello,\n\nThe monthly support report for October 2026 is attached (PDF).\n\n"
        "Sent by Vigie on schedule (day 3 at 09:00, Europe/Paris).\n")
    [attachment] = list(message.iter_attachments())
    assert attachment.get_content_type() == "application/pdf"
    assert attachment.get_filename() == "vigie-monthly-report-2026-10.pdf"
    pdf = attachment.get_content()
    assert pdf.startswith(b"%PDF")
    if shutil.which("pdftotext"):
        (tmp_path / "report.pdf").write_bytes(pdf)
        text = subprocess.run(["pdftotext", str(tmp_path / "report.pdf"), "-"], capture_output=True, text=True,
                              check=True).stdout
        assert "Monthly support report\nOctober 2026\n" in text
