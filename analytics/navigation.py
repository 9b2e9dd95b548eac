"""The dashboard's pages and the roles that may open each (pure data).

``dashboard.py`` builds ``st.navigation`` from this table, showing a user only
the pages of their roles. Write actions are checked again in the services.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PageSpec:
    path: str          # script under pages/
    title: str
    icon: str
    roles: frozenset[str]
    section: str


ALL_ROLES = frozenset({"manager", "supervisor", "leadership", "admin"})

PAGES: tuple[PageSpec, ...] = (
    PageSpec("pages/sla.py", "SLA compliance", ":material/timer:", ALL_ROLES, "Support"),
    PageSpec("pages/incidents.py", "Incidents", ":material/emergency:", ALL_ROLES, "Incidents"),
    PageSpec("pages/incident_declare.py", "Declare an incident", ":material/campaign:",
             frozenset({"supervisor", "admin"}), "Incidents"),
    PageSpec("pages/rca.py", "RCA summaries", ":material/troubleshoot:",
             frozenset({"manager", "supervisor", "leadership", "admin"}), "Incidents"),
    PageSpec("pages/rca_review.py", "Post-incident review", ":material/rate_review:",
             frozenset({"supervisor", "admin"}), "Incidents"),
    PageSpec("pages/intake.py", "Incoming requests", ":material/inbox:",
             frozenset({"manager", "leadership", "admin"}), "Support"),
    PageSpec("pages/escalations.py", "Escalations", ":material/escalator_warning:",
             frozenset({"manager", "supervisor", "leadership", "admin"}), "Support"),
    PageSpec("pages/lockouts.py", "Login lockouts", ":material/lock_person:", ALL_ROLES, "Support"),
    PageSpec("pages/monthly_report.py", "Monthly report", ":material/summarize:",
             frozenset({"leadership", "manager", "admin"}), "Leadership"),
    PageSpec("pages/settings.py", "Settings", ":material/settings:", frozenset({"admin"}), "Administration"),
    PageSpec("pages/audit.py", "Audit log", ":material/history:", frozenset({"admin"}), "Administration"),
    PageSpec("pages/imports.py", "Import tickets", ":material/upload_file:", frozenset({"admin"}), "Administration"),
)


def pages_for(roles: frozenset[str] | set[str]) -> list[PageSpec]:
    """The pages a user with these roles may open, in menu order."""
    return [p for p in PAGES if p.roles & set(roles)]
