"""The SLA domain's declaration: the SLA compliance page, the ``sla`` command, the calendar intervals at opening."""
from analytics.kernel.registry import Domain, PageSpec
from analytics.kernel.roles import ALL_ROLES
from analytics.sla import cli
from analytics.sla.calendars import ensure_intervals

DOMAIN = Domain(
    name="sla",
    pages=(PageSpec("pages/sla.py", "SLA compliance", ":material/timer:", ALL_ROLES, "Support"),),
    commands=cli.add_commands,
    on_open=ensure_intervals,
)
