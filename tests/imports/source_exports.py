"""Small exports written from each vendor's documented columns, for the source-import tests.

- ServiceNow list export: the Incident table's field names as header, display values
  ("1 - Critical", "Phone"), dates "yyyy-MM-dd HH:mm:ss".
- ServiceNow event log: one row per update (sys_mod_count, sys_updated_at), "?" for
  missing values, day-first dates without seconds (the UCI event-log form).
- Jira Service Management "Export CSV (all fields)": display names as header, repeated
  columns for multi-valued fields (Component/s, Labels, Comment), dates "dd/MMM/yy h:mm a".
- Zendesk ticket export: its documented columns with the ticket metrics in minutes.
"""
from __future__ import annotations

import csv
from pathlib import Path

SERVICENOW_LIST = [
    ["number", "opened_at", "short_description", "caller_id", "priority", "state", "category",
     "assignment_group", "assigned_to", "sys_updated_on", "sys_updated_by", "company", "contact_type",
     "resolved_at", "closed_at", "close_code", "made_sla", "reassignment_count", "reopen_count", "cmdb_ci",
     "impact", "urgency"],
    ["INC0010001", "2024-03-04 09:15:00", "Cannot send EDI documents", "Ann Admin", "1 - Critical", "Resolved",
     "Network", "Network Support", "Bob Agent", "2024-03-04 10:50:00", "bob", "Acme Corp", "Phone",
     "2024-03-04 10:45:00", "", "Solved (Permanently)", "true", "1", "0", "EDI gateway", "1 - High", "1 - High"],
    ["INC0010002", "2024-03-04 11:00:00", "Invoice transaction stuck", "Carl User", "3 - Moderate", "Closed",
     "Software", "Service Desk", "Dana Agent", "2024-03-08 09:00:00", "dana", "Beta SA", "Email",
     "2024-03-05 16:00:00", "2024-03-08 09:00:00", "Solved (Workaround)", "false", "0", "1", "", "2 - Medium",
     "2 - Medium"],
    ["INC0010003", "2024-03-05 08:30:00", "Login locked", "Eve User", "4 - Low", "In Progress", "Access",
     "Service Desk", "", "2024-03-05 08:40:00", "eve", "Acme Corp", "Self-service", "", "", "", "", "0", "0", "",
     "3 - Low", "3 - Low"],
    ["INC0010004", "2024-03-05 09:00:00", "Printer on fire", "Fay User", "9 - Unknown", "New", "Hardware",
     "Service Desk", "", "2024-03-05 09:00:00", "fay", "Beta SA", "Walk-in", "", "", "", "", "0", "0", "", "", ""],
]

SERVICENOW_EVENTS_HEADER = [
    "number", "incident_state", "active", "reassignment_count", "reopen_count", "sys_mod_count", "made_sla",
    "caller_id", "opened_by", "opened_at", "sys_created_by", "sys_created_at", "sys_updated_by", "sys_updated_at",
    "contact_type", "location", "category", "subcategory", "u_symptom", "cmdb_ci", "impact", "urgency", "priority",
    "assignment_group", "assigned_to", "knowledge", "u_priority_confirmation", "notify", "problem_id", "rfc",
    "vendor", "caused_by", "closed_code", "resolved_by", "resolved_at", "closed_at"]


def servicenow_event(number, state, mod, updated, *, priority="3 - Moderate", group="Group 1", made_sla="true",
                     opened="3/6/2024 09:00", resolved="?", closed="?", contact="Phone", reopen="0", reassign="0"):
    """One update row of the event log, the other columns as the published log fills them."""
    values = {"number": number, "incident_state": state, "active": "true", "reassignment_count": reassign,
              "reopen_count": reopen, "sys_mod_count": str(mod), "made_sla": made_sla, "caller_id": "Caller 1",
              "opened_by": "Opened by 1", "opened_at": opened, "sys_created_by": "Created by 1",
              "sys_created_at": opened, "sys_updated_by": "Updated by 1", "sys_updated_at": updated,
              "contact_type": contact, "location": "Location 1", "category": "Category 1",
              "subcategory": "Subcategory 1", "u_symptom": "Symptom 1", "cmdb_ci": "?", "impact": "2 - Medium",
              "urgency": "2 - Medium", "priority": priority, "assignment_group": group, "assigned_to": "?",
              "knowledge": "false", "u_priority_confirmation": "false", "notify": "Do Not Notify",
              "problem_id": "?", "rfc": "?", "vendor": "?", "caused_by": "?", "closed_code": "code 1",
              "resolved_by": "?", "resolved_at": resolved, "closed_at": closed}
    return [values[c] for c in SERVICENOW_EVENTS_HEADER]


# INC1: New -> Active (reassigned) -> Awaiting User Info 2 h -> Active -> Resolved -> Closed,
#       its priority lowered from 2 - High to 3 - Moderate on the way.
# INC2: Resolved then reopened (Active) then resolved again; the log ends before closing.
SERVICENOW_EVENTS = [SERVICENOW_EVENTS_HEADER,
    servicenow_event("INC1", "New", 0, "3/6/2024 09:05", priority="2 - High"),
    servicenow_event("INC1", "Active", 1, "3/6/2024 09:20", priority="2 - High", group="Group 2", reassign="1"),
    servicenow_event("INC1", "Awaiting User Info", 2, "3/6/2024 10:00", group="Group 2", reassign="1"),
    servicenow_event("INC1", "Active", 3, "3/6/2024 12:00", group="Group 2", reassign="1"),
    servicenow_event("INC1", "Resolved", 4, "3/6/2024 13:00", group="Group 2", reassign="1",
                     resolved="3/6/2024 13:00"),
    servicenow_event("INC1", "Closed", 5, "8/6/2024 13:00", group="Group 2", reassign="1",
                     resolved="3/6/2024 13:00", closed="8/6/2024 13:00"),
    servicenow_event("INC2", "New", 0, "4/6/2024 10:00", opened="4/6/2024 10:00", contact="Email"),
    servicenow_event("INC2", "Resolved", 1, "4/6/2024 11:00", opened="4/6/2024 10:00", contact="Email",
                     resolved="4/6/2024 11:00", made_sla="true"),
    servicenow_event("INC2", "Active", 2, "4/6/2024 15:00", opened="4/6/2024 10:00", contact="Email", reopen="1",
                     resolved="4/6/2024 11:00", made_sla="false"),
    servicenow_event("INC2", "Resolved", 3, "5/6/2024 09:30", opened="4/6/2024 10:00", contact="Email",
                     reopen="1", resolved="5/6/2024 09:30", made_sla="false"),
]

JSM = [
    ["Summary", "Issue key", "Issue id", "Issue Type", "Status", "Project key", "Project name", "Priority",
     "Resolution", "Assignee", "Reporter", "Creator", "Created", "Updated", "Resolved", "Component/s",
     "Component/s", "Labels", "Labels", "Description", "Custom field (Organizations)",
     "Custom field (Request Type)", "Custom field (Request participants)", "Comment", "Comment"],
    ["VPN drops every hour", "ITSM-101", "10101", "[System] Incident", "Resolved", "ITSM", "IT Support", "Highest",
     "Done", "Gil Agent", "Hana Customer", "Hana Customer", "04/Mar/24 9:15 AM", "04/Mar/24 11:00 AM",
     "04/Mar/24 10:45 AM", "VPN", "Network", "vpn", "", "The VPN drops,\nevery hour.", "Acme Corp",
     "Report an incident", "", "04/Mar/24 9:30 AM;gil;Looking", ""],
    ["Access to the billing module", "ITSM-102", "10102", "[System] Service request", "Waiting for customer",
     "ITSM", "IT Support", "Medium", "", "Ivo Agent", "Jon Customer", "Jon Customer", "04/Mar/24 2:00 PM",
     "05/Mar/24 9:00 AM", "", "Billing", "", "", "", "Please grant access", "Beta SA", "Get access", "", "", ""],
    ["Password reset", "ITSM-103", "10103", "[System] Service request", "Closed", "ITSM", "IT Support", "Low",
     "Done", "Ivo Agent", "Kim Customer", "Kim Customer", "05/Mar/24 8:00 AM", "06/Mar/24 8:00 AM",
     "05/Mar/24 8:30 AM", "", "", "", "", "", "", "Reset a password", "", "", ""],
]

ZENDESK_HEADER = [
    "Id", "Requester", "Requester id", "Requester external id", "Requester email", "Requester domain", "Submitter",
    "Assignee", "Group", "Subject", "Tags", "Status", "Priority", "Via", "Ticket type", "Created at", "Updated at",
    "Assigned at", "Organization", "Due date", "Initially assigned at", "Solved at", "Resolution time",
    "Satisfaction Score", "Group stations", "Assignee stations", "Reopens", "Replies",
    "First reply time in minutes", "First reply time in minutes within business hours",
    "First resolution time in minutes", "First resolution time in minutes within business hours",
    "Full resolution time in minutes", "Full resolution time in minutes within business hours",
    "Agent wait time in minutes", "Agent wait time in minutes within business hours",
    "Requester wait time in minutes", "Requester wait time in minutes within business hours",
    "On hold time in minutes", "On hold time in minutes within business hours"]


def zendesk_row(ticket_id, *, status, priority, via, created, solved="", first_reply="", wait="", reopens="0",
                organization="Acme Corp", email="lea@acme.example", group="Support"):
    values = dict.fromkeys(ZENDESK_HEADER, "")
    values.update({"Id": str(ticket_id), "Requester": "Lea Customer", "Requester id": "501", "Requester email": email,
                   "Requester domain": "acme.example", "Submitter": "Lea Customer", "Assignee": "Max Agent",
                   "Group": group, "Subject": f"Ticket {ticket_id}", "Tags": "edi", "Status": status,
                   "Priority": priority, "Via": via, "Ticket type": "incident", "Created at": created,
                   "Updated at": created, "Organization": organization, "Solved at": solved,
                   "Group stations": "1", "Assignee stations": "1", "Reopens": reopens, "Replies": "1",
                   "First reply time in minutes": first_reply, "Requester wait time in minutes": wait})
    return [values[c] for c in ZENDESK_HEADER]


ZENDESK = [ZENDESK_HEADER,
           zendesk_row(2001, status="Solved", priority="Urgent", via="Phone call (incoming)",
                       created="2024-03-04 09:00:00 +0100", solved="2024-03-04 10:30:00 +0100", first_reply="12",
                       wait="30"),
           zendesk_row(2002, status="Pending", priority="", via="Mail", created="2024-03-04 12:00:00 +0100",
                       first_reply="95", wait="240", reopens="1"),
           zendesk_row(2003, status="Closed", priority="Normal", via="Web Form", created="2024-03-05 08:00:00",
                       solved="2024-03-05 17:00:00", first_reply="", organization=""),
           ]

EXPORTS = {"servicenow": SERVICENOW_LIST, "servicenow-events": SERVICENOW_EVENTS,
           "jira-service-management": JSM, "zendesk": ZENDESK}


def write_export(path: Path, rows: list[list[str]], *, encoding: str = "utf-8", delimiter: str = ",",
                 newline: str = "\r\n") -> Path:
    """Write rows as CSV the way the vendors do (quoted when needed, CRLF line ends)."""
    with open(path, "w", encoding=encoding, newline="") as handle:
        csv.writer(handle, delimiter=delimiter, lineterminator=newline).writerows(rows)
    return path
