"""The label, kind and help of every column name a page's table carries: one table for the whole dashboard.

A name keeps one meaning wherever it appears (``breached`` is always the breached
measurements); where a table gives a name another meaning, the page passes its own
:class:`Col` for it to ``ui.tables.show_table``. Units are in the label ("Median (h)"),
never in the cells. The kinds are described in ``ui.tables``.
"""
from __future__ import annotations

from dataclasses import dataclass

TEXT, CODE, COUNT, INTEGER, PERCENT, HOURS, MINUTES, DAYS, NUMBER = (
    "text", "code", "count", "integer", "percent", "hours", "minutes", "days", "number")
TIMESTAMP, DATE, MONTH, YES_NO = "timestamp", "date", "month", "yes_no"


@dataclass(frozen=True)
class Col:
    """How one column is shown: its header, the kind of its values, its tooltip, its vocabulary of codes."""

    label: str
    kind: str = TEXT
    help: str | None = None
    codes: str | None = None  # for CODE: a vocabulary of ui.labels
    width: str | None = None


def code(label: str, vocabulary: str, help: str | None = None) -> Col:
    """A column of codes shown as words."""
    return Col(label, CODE, help, vocabulary)


COLUMNS: dict[str, Col] = {
    # tickets and SLA
    "reference": Col("Reference"), "company": Col("Company"), "severity": Col("Severity", INTEGER),
    "measure": code("Measure", "measure"), "state": code("State", "sla_state"),
    "channel": code("Channel", "channel"), "team": Col("Team"), "status": Col("Status"),
    "category": Col("Category"), "platform": Col("Platform"), "title": Col("Title"),
    "opened_at": Col("Opened", TIMESTAMP), "ended_at": Col("Ended", TIMESTAMP),
    "resolved_at": Col("Resolved", TIMESTAMP), "deadline": Col("Deadline", TIMESTAMP),
    "decided_at": Col("Decided", TIMESTAMP), "elapsed_h": Col("Elapsed (h)", HOURS, "Working time on the target's clock"),
    "target_h": Col("Target (h)", HOURS), "used_pct": Col("Target used (%)", PERCENT),
    "left_h": Col("Time left (h)", HOURS, "Negative once the deadline has passed"),
    "source_made_sla": Col("Source's SLA verdict", YES_NO, "What the ticketing system the ticket was imported "
                           "from said: did it meet its SLA?"),
    "target": Col("Target"), "met": Col("Met", COUNT), "breached": Col("Breached", COUNT),
    "pending": Col("Open", COUNT, "Open measurements not yet decided"), "open": Col("Open", COUNT),
    "at_risk": Col("At risk", COUNT), "compliance_pct": Col("Compliance (%)", PERCENT, "Met / (met + breached)"),
    "median": Col("Median"), "p90": Col("90th percentile"),
    "target_value": Col("Target", NUMBER), "target_unit": code("Unit", "target_unit"),
    "calendar_name": Col("Calendar"), "contract": Col("Contract"),
    "starts_on": Col("From", DATE, "The contract applies to the tickets opened from this day on"),
    "until": Col("Until", DATE, "The day the company's next contract starts; a dash: still in force"),
    # intake
    "tickets": Col("Tickets", COUNT), "from_team": Col("From team"), "to_team": Col("To team"),
    "reassignments": Col("Reassignments", COUNT), "by_admin_pct": Col("Raised by an administrator (%)", PERCENT),
    "resolution_code": code("Resolution", "resolution_code"),
    # lockouts
    "lockouts": Col("Lockouts", COUNT), "attack_lockouts": Col("During suspected attacks", COUNT),
    "ordinary_lockouts": Col("Ordinary lockouts", COUNT), "users_locked": Col("Users locked out", COUNT),
    "failures": Col("Failed logins", COUNT), "unlocks": Col("Unlocks", COUNT),
    "regenerations": Col("Password regenerations", COUNT),
    "median_release_h": Col("Median time to unlock (h)", HOURS),
    "p90_release_h": Col("90th percentile time to unlock (h)", HOURS),
    "still_locked": Col("Still locked", COUNT), "outside_zone_pct": Col("Outside the trusted zone (%)", PERCENT),
    "outside_phone_hours": Col("Outside phone hours", COUNT), "user_id": Col("User id"), "name": Col("Name"),
    "last_lockout": Col("Last lockout", TIMESTAMP), "released": Col("Released", COUNT),
    "min_h": Col("Fastest (h)", HOURS), "q1_h": Col("First quartile (h)", HOURS), "median_h": Col("Median (h)", HOURS),
    "q3_h": Col("Third quartile (h)", HOURS), "p90_h": Col("90th percentile (h)", HOURS),
    "max_h": Col("Slowest (h)", HOURS), "mean_h": Col("Mean (h)", HOURS),
    "kind": code("Kind", "attack_kind"), "pattern": Col("Pattern"), "source": Col("Source"), "day": Col("Day", DATE),
    "accounts": Col("Accounts", COUNT), "companies": Col("Companies", COUNT), "detail": Col("Detail"),
    "first_seen": Col("First seen", TIMESTAMP), "last_seen": Col("Last seen", TIMESTAMP),
    "zone": code("Zone", "zone"), "timeout_min": Col("Timeout (min)", MINUTES), "logins": Col("Logins", COUNT),
    "inactivity_logouts": Col("Inactivity logouts", COUNT), "users": Col("Users", COUNT),
    "logout_pct": Col("Logged out for inactivity (%)", PERCENT),
    "median_session_min": Col("Median session (min)", MINUTES),
    "back_within_10_min": Col("Back within 10 min", COUNT), "back_within_10_min_pct": Col("Back within 10 min (%)", PERCENT),
    "week": Col("Week of", DATE), "lockout_tickets": Col("Lockout tickets", COUNT),
    "regeneration_tickets": Col("Password tickets", COUNT), "outside_pct": Col("Outside phone hours (%)", PERCENT),
    "median_release_h_outside": Col("Median time to unlock outside phone hours (h)", HOURS),
    "median_release_h_inside": Col("Median time to unlock within phone hours (h)", HOURS),
    # incidents
    "month": Col("Month", MONTH), "incidents": Col("Incidents", COUNT),
    "security_breaches": Col("Security breaches", COUNT), "notified": Col("Notified", COUNT),
    "notify_median_min": Col("Median time to notify (min)", MINUTES, "From the impact being defined to the first "
                             "customer notification"),
    "notify_decided": Col("Notification outcome known", COUNT, "Notified, or not notified past the mark"),
    "within_target": Col("Notified within target", COUNT), "within_deadline": Col("Notified within deadline", COUNT),
    "within_target_pct": Col("Within target (%)", PERCENT), "within_deadline_pct": Col("Within deadline (%)", PERCENT),
    "resolved": Col("Resolved", COUNT), "resolve_median_h": Col("Median time to resolve (h)", HOURS),
    "mtta_min": Col("MTTA (min)", MINUTES, "Mean time from detection to acknowledgement"),
    "mttr_h": Col("MTTR (h)", HOURS, "Mean time from detection to resolution"),
    "security_breach": Col("Security breach", YES_NO), "customers": Col("Customers"), "platforms": Col("Platforms"),
    "started_at": Col("Started", TIMESTAMP), "minutes_to_notify": Col("Time to notify (min)", MINUTES),
    "notified_late": Col("Notified late", YES_NO), "hours_to_resolve": Col("Time to resolve (h)", HOURS),
    "commander": Col("Commander"),
    # escalations
    "level": Col("Level", INTEGER), "level_name": Col("Level name"), "arrived": Col("Arrived", COUNT),
    "acknowledged": Col("Acknowledged", COUNT), "median_ack_h": Col("Median time to acknowledge (h)", HOURS),
    "p90_ack_h": Col("90th percentile time to acknowledge (h)", HOURS), "late": Col("Acknowledged late", COUNT),
    "raised": Col("Raised", COUNT), "with_ticket": Col("About a ticket", COUNT),
    "coded_sla_breach": Col("Reason: SLA breached", COUNT), "engine_breached": Col("SLA engine: breached", COUNT),
    "coded_not_breached": Col("Coded as breach, not breached", COUNT),
    "breached_not_coded": Col("Breached, not coded as breach", COUNT),
    "coded_pct": Col("Coded as SLA breach (%)", PERCENT), "engine_pct": Col("Breached per SLA engine (%)", PERCENT),
    "raised_at": Col("Raised", TIMESTAMP), "ticket": Col("Ticket"), "reason_code": code("Reason", "reason_code"),
    "breached_at": Col("SLA breached at", TIMESTAMP), "stints": Col("Stays at the level", COUNT),
    "escalated_on": Col("Escalated further", COUNT), "resolved_here": Col("Resolved at this level", COUNT),
    "still_here": Col("Still at this level", COUNT), "escalations": Col("Escalations", COUNT),
    "months": Col("Months with one", COUNT), "sla_breach": Col("Raised for an SLA breach", COUNT),
    "deepest": Col("Deepest level", INTEGER), "deepest_level": Col("Deepest level name"),
    "still_open": Col("Still open", COUNT), "first_raised": Col("First raised", TIMESTAMP),
    "last_raised": Col("Last raised", TIMESTAMP),
    # RCA
    "rca_status": code("RCA status", "rca_status"), "revision_in_progress": code("Revision in progress", "rca_status"),
    "categories": Col("Root-cause categories"), "cause_platforms": Col("Platforms of the causes"),
    "days_to_publish": Col("Days to publish", DAYS), "overdue": Col("Overdue", YES_NO),
    "recurrence": Col("Recurrence", YES_NO), "recurrence_of": Col("Repeats"),
    "previous_reference": Col("Previous incident"), "previous_started_at": Col("Previous started", TIMESTAMP),
    "days_apart": Col("Days apart", DAYS), "owner": Col("Owner"), "description": Col("Description"),
    "due_date": Col("Due", DATE), "days_overdue": Col("Days overdue", COUNT),
    "days_since_resolution": Col("Days since resolution", DAYS), "id": Col("#", INTEGER),
    "requested_by": Col("Requested by"), "requested_at": Col("Requested", TIMESTAMP),
    "delivered_at": Col("Delivered", TIMESTAMP), "delivered_revision": Col("Revision delivered", INTEGER),
    "email_copy": Col("E-mail copy", help="The latest copy e-mailed from Vigie and its delivery"),
    # settings and audit
    "value": Col("Value in force"), "default": Col("Default"), "allowed": Col("Allowed values"),
    "overridden": Col("Changed", YES_NO, "Changed from its default"), "updated_at": Col("Changed at", TIMESTAMP),
    "updated_by": Col("Changed by"), "help": Col("Meaning"), "occurred_at": Col("When", TIMESTAMP),
    "actor": Col("Who"), "action": Col("Action"), "entity": Col("What"), "entity_id": Col("Which"),
    "before": Col("Before"), "after": Col("After"),
}


def shares(names, *, help: str | None = None) -> dict[str, Col]:
    """Columns of percentages named in words (``"contact name"``): each headed by its name and "(%)"."""
    return {name: Col(f"{name[:1].upper()}{name[1:]} (%)", PERCENT, help) for name in names}


# Tables whose names mean something else than in COLUMNS
OPEN_ESCALATIONS = {
    "flag": Col("Flag", help="Unacknowledged for longer than the setting escalation.ack_hours"),
    "age": Col("Age"), "at level": Col("Time at level"), "acknowledged": Col("Acknowledged"),
    "next level": Col("Next level"), "incident": Col("Incident"), "reason code": Col("Reason"),
    "reason": Col("What the customer said"), "raised by": Col("Raised by"),
}
ESCALATION_TIMELINE = {"kind": code("Event", "escalation_event"), "from_level_name": Col("From level"),
                       "level_name": Col("To level"), "actor": Col("By"), "note": Col("Note")}
ESCALATION_CROSS_CHECK = {"engine_breached": Col("SLA engine: breached", YES_NO),
                          "coded_sla_breach": Col("Reason: SLA breached", YES_NO)}
TIME_AT_LEVEL = {"median_h": Col("Median time at the level (h)", HOURS),
                 "p90_h": Col("90th percentile time at the level (h)", HOURS),
                 "mean_h": Col("Mean time at the level (h)", HOURS)}
INCIDENT_STATUS = {"status": code("Status", "incident_status")}
NOTIFICATIONS = {"kind": code("Kind", "notification_kind"), "sent_at": Col("Sent", TIMESTAMP), "sent_by": Col("By"),
                 "recipients": Col("To"), "minutes_after_impact": Col("After the impact was defined (min)", MINUTES),
                 "late": Col("Late", YES_NO), "next_update_due": Col("Next update due", TIMESTAMP),
                 "message": Col("Text")}
OUTBOX_MESSAGES = {"kind": Col("Notice"), "company": Col("Customer"), "recipients": Col("To"), "subject": Col("Subject"),
                   "queued_at": Col("Queued", TIMESTAMP), "delivery": Col("Delivery", help="Accepted by the mail "
                                                                         "server, queued, or failed with its reply")}
INVESTIGATION_STEPS = {"label": Col("Step"), "completed_at": Col("Done", TIMESTAMP), "owner": Col("Owner"),
                       "note": Col("Note")}
INCIDENT_TIMELINE = {"track": code("Track", "track"), "event": Col("Event"), "who": Col("Who"),
                     "detail": Col("Detail")}
ACTION_ITEMS = {"status": code("Status", "action_status"), "overdue": Col("Overdue", YES_NO),
                "item_id": Col("Item", INTEGER), "completed_at": Col("Completed", TIMESTAMP),
                "on_time": Col("Done by the due date", YES_NO)}
SETTINGS = {"name": Col("Setting", help="Its name for `python -m analytics settings set NAME VALUE`"),
            "value": Col("Value in force", width="medium"), "default": Col("Default", width="small"),
            "allowed": Col("Allowed values", width="medium"), "help": Col("Meaning", width="large")}
AUDIT = {"action": code("Action", "audit_action")}
REPORT_CODES = {"measure": code("Measure", "measure"), "status": code("Status", "incident_status"),
                "severity": Col("Severity"), "level": Col("Level"), "rank": Col("Rank")}


def report_columns(names) -> dict[str, Col]:
    """The monthly report's tables (``analytics.reports.tables``: already worded, shared with its PDF): each
    headed by its own name with a capital, its codes (measure, incident status) as words."""
    return {name: REPORT_CODES.get(name) or Col(f"{name[:1].upper()}{name[1:]}") for name in names}

IMPORT_RUNS = {"id": Col("Import", INTEGER), "finished_at": Col("Finished", TIMESTAMP), "file_name": Col("File"),
               "source": Col("Source profile"), "profile_title": Col("Profile"), "actor": Col("By"),
               "rows_read": Col("Rows read", COUNT), "accepted": Col("Accepted", COUNT),
               "rejected": Col("Rejected", COUNT), "inserted": Col("New tickets", COUNT),
               "updated": Col("Updated", COUNT), "unchanged": Col("Unchanged", COUNT),
               "events": Col("Ticket events", COUNT), "seconds": Col("Seconds", NUMBER),
               "file_format": code("Format", "file_format"), "encoding": Col("Encoding"),
               "delimiter": code("Delimiter", "delimiter")}
IMPORT_ROWS = {"line": Col("Line", INTEGER), "reason": Col("Reason"), "raw": Col("Row as read"),
               "opened_at_ts": Col("Opened", TIMESTAMP), "first_response_at_ts": Col("First response", TIMESTAMP),
               "resolved_at_ts": Col("Resolved", TIMESTAMP), "closed_at_ts": Col("Closed", TIMESTAMP),
               "assignee": Col("Assignee"), "reject_reason": Col("Rejected because"),
               "severity": Col("Severity"), "kind": code("Event", "ticket_event"),
               "from_value": Col("From"), "to_value": Col("To"), "note": Col("What happened")}
