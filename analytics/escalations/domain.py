"""The escalations domain's declaration: the Escalations page, demo escalations, the ``escalations`` command."""
from analytics.escalations import cli, demo
from analytics.escalations.rules import VIEW_ROLES
from analytics.kernel.registry import Domain, PageSpec

DOMAIN = Domain(
    name="escalations",
    pages=(PageSpec("pages/escalations.py", "Escalations", ":material/escalator_warning:", VIEW_ROLES,
                    "Support"),),
    demo=demo.generate_demo,
    commands=cli.add_commands,
)
