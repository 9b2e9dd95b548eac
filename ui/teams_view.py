"""The Teams page's column labels: reopenings and first-contact resolution, weekly workload, reassignments, the
teams passing tickets back and forth, at-risk tickets per team."""
from __future__ import annotations

from ui.columns import COUNT, NUMBER, PERCENT, YES_NO, Col

FCR_HELP = ("Resolved, never reopened, and resolved at most sla.fcr_window_minutes after the first response "
            "(or without a separate first response)")
REOPEN = {"tickets": Col("Tickets opened", COUNT),
          "resolved_once": Col("Resolved at least once", COUNT, "Resolved now, or reopened since a resolution"),
          "reopened": Col("Reopened tickets", COUNT, "Tickets with at least one reopening"),
          "reopenings": Col("Reopenings", COUNT),
          "reopen_pct": Col("Reopen rate (%)", PERCENT, "Reopened tickets / tickets resolved at least once"),
          "resolved": Col("Resolved", COUNT, "Resolved now"),
          "first_contact": Col("Resolved at first contact", COUNT, FCR_HELP),
          "fcr_pct": Col("First-contact resolution (%)", PERCENT, "Resolved at first contact / resolved")}
WEEKLY = {"assignee": Col("Assignee"),
          "open_at_end": Col("Open at the end of the week", COUNT,
                             "Opened and not resolved by Monday 00:00; for the week in progress, open now"),
          "handled": Col("Handled (resolved)", COUNT, "Tickets resolved during the week"),
          "so_far": Col("Week in progress", YES_NO, "The week so far, not a full week")}
REASSIGNMENTS = {"tickets": Col("Tickets opened", COUNT),
                 "reassigned": Col("Reassigned tickets", COUNT, "Moved to another team at least once"),
                 "per_ticket": Col("Reassignments per ticket", NUMBER),
                 "most": Col("Most on one ticket", COUNT)}
BACK_AND_FORTH = {"team_a": Col("Team"), "team_b": Col("Other team"),
                  "tickets": Col("Tickets passed both ways", COUNT, "Went from one team to the other and back"),
                  "passes": Col("Passes between them", COUNT, "Reassignments between the two teams on those tickets")}
AT_RISK = {"open": Col("Open tickets", COUNT, "With a response or resolution still running"),
           "at_risk": Col("At risk", COUNT, "An open measure has used sla.at_risk_share of its target or more"),
           "breached": Col("Already breached", COUNT, "An open measure is past its deadline")}
