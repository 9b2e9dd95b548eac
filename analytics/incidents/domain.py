"""The incidents domain's declaration: its two pages, its demo incidents, the ``incidents`` command."""
from analytics.incidents import cli
from analytics.incidents.rules import ACT_ROLES, VIEW_ROLES
from analytics.kernel.registry import Domain, PageSpec


def generate_demo(cur, rng, *, companies, now) -> None:
    """The domain's demo data (imported when a demo is built, not when the command line starts)."""
    from analytics.incidents.demo import generate_demo as generate

    generate(cur, rng, companies=companies, now=now)


DOMAIN = Domain(
    name="incidents",
    pages=(PageSpec("pages/incidents.py", "Incidents", ":material/emergency:", VIEW_ROLES, "Incidents"),
           PageSpec("pages/incident_declare.py", "Declare an incident", ":material/campaign:", ACT_ROLES,
                    "Incidents")),
    demo=generate_demo,
    commands=cli.add_commands,
)
