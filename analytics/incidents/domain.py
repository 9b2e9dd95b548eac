"""The incidents domain's declaration: its two pages, its demo incidents, the ``incidents`` command."""
from analytics.incidents import cli, demo
from analytics.incidents.rules import ACT_ROLES, VIEW_ROLES
from analytics.kernel.registry import Domain, PageSpec

DOMAIN = Domain(
    name="incidents",
    pages=(PageSpec("pages/incidents.py", "Incidents", ":material/emergency:", VIEW_ROLES, "Incidents"),
           PageSpec("pages/incident_declare.py", "Declare an incident", ":material/campaign:", ACT_ROLES,
                    "Incidents")),
    demo=demo.generate_demo,
    commands=cli.add_commands,
)
