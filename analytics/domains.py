"""Every domain of Vigie, in menu order, and what the app and the command line read from them.

Each package declares itself once in its ``domain.py`` (:class:`analytics.kernel.registry.Domain`);
this list is the only place that names them. The navigation shows :func:`pages_for` a user's
roles, :func:`build_demo` runs each domain's demo after the demo tickets, the command line adds
each domain's commands and importers, and :func:`open_store` opens the store with what each
domain derives (the calendars' working intervals).
"""
from __future__ import annotations

import os
from typing import TYPE_CHECKING

from analytics.api.domain import DOMAIN as API
from analytics.audit.domain import DOMAIN as AUDIT
from analytics.escalations.domain import DOMAIN as ESCALATIONS
from analytics.imports.domain import DOMAIN as IMPORTS
from analytics.incidents.domain import DOMAIN as INCIDENTS
from analytics.intake.domain import DOMAIN as INTAKE
from analytics.jobs.domain import DOMAIN as JOBS
from analytics.kernel.registry import Domain, PageSpec
from analytics.logins.domain import DOMAIN as LOGINS
from analytics.notices.domain import DOMAIN as NOTICES
from analytics.rca.domain import DOMAIN as RCA
from analytics.reports.domain import DOMAIN as REPORTS
from analytics.settings.domain import DOMAIN as SETTINGS
from analytics.sla.domain import DOMAIN as SLA
from analytics.store.database import Database

if TYPE_CHECKING:
    from analytics.intake.demo import DemoSummary

# Menu order; demo extensions run in this order too (the RCAs need the incidents before them).
DOMAINS: tuple[Domain, ...] = (SLA, INCIDENTS, RCA, INTAKE, ESCALATIONS, LOGINS, REPORTS, SETTINGS, AUDIT, IMPORTS,
                              NOTICES, JOBS, API)


def all_pages() -> list[PageSpec]:
    """Every page, in menu order."""
    return [page for domain in DOMAINS for page in domain.pages]


def pages_for(roles: frozenset[str] | set[str]) -> list[PageSpec]:
    """The pages a user with these roles may open, in menu order."""
    return [page for page in all_pages() if page.roles & set(roles)]


def open_store(target: str | os.PathLike | None = None, *, read_only: bool = False) -> Database:
    """The store at ``target`` (see ``database_target``), with what every domain derives once it is open."""
    db = Database(target, read_only=read_only)
    if not read_only:
        for domain in DOMAINS:
            if domain.on_open:
                domain.on_open(db)
    return db


def demo_extensions() -> list:
    """The domains' demo generators, in the order they run."""
    return [domain.demo for domain in DOMAINS if domain.demo]


def build_demo(db: Database, **options) -> DemoSummary:
    """Fill an empty store with the demo tickets, then every domain's demo data, in one transaction.

    ``options``: those of :func:`analytics.intake.demo.build_demo` (tickets, seed, now, months,
    companies, progress).
    """
    from analytics.intake import demo as intake_demo  # NumPy and pandas: imported when a demo is built

    return intake_demo.build_demo(db, extensions=demo_extensions(), **options)
