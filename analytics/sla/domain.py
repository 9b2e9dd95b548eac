"""The SLA domain's declaration: the SLA compliance, Backlog and Teams pages, the ``sla`` and ``ledger`` commands, and at opening
the calendar intervals and the ledger kept current on every write."""
from analytics.kernel.registry import Domain, PageSpec
from analytics.kernel.roles import ADMIN, ALL_ROLES, LEADERSHIP, MANAGER, SUPERVISOR
from analytics.sla import cli
from analytics.store.database import Database

BACKLOG_ROLES = frozenset({MANAGER, SUPERVISOR, LEADERSHIP, ADMIN})
TEAMS_ROLES = BACKLOG_ROLES


def on_open(db: Database) -> None:
    """Derive the calendars' working intervals of a new store, then attach the ledger to its writes."""
    from analytics.sla import rebuild  # imported when a store opens, not when the command line starts
    from analytics.sla.calendars import ensure_intervals

    ensure_intervals(db)
    rebuild.attach(db)


DOMAIN = Domain(
    name="sla",
    pages=(PageSpec("pages/sla.py", "SLA compliance", ":material/timer:", ALL_ROLES, "Support"),
           PageSpec("pages/backlog.py", "Backlog", ":material/inbox:", BACKLOG_ROLES, "Support"),
           PageSpec("pages/teams.py", "Teams", ":material/groups:", TEAMS_ROLES, "Support")),
    commands=cli.add_commands,
    on_open=on_open,
)
