"""The reports domain's declaration: the Monthly report page and the ``report monthly`` command."""
from analytics.kernel.registry import Domain, PageSpec
from analytics.kernel.roles import ADMIN, LEADERSHIP, MANAGER
from analytics.reports import cli

DOMAIN = Domain(
    name="reports",
    pages=(PageSpec("pages/monthly_report.py", "Monthly report", ":material/summarize:",
                    (LEADERSHIP, MANAGER, ADMIN), "Leadership"),),
    commands=cli.add_commands,
)
