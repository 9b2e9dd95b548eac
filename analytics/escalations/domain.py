"""The escalations domain's declaration: the Escalations page, demo escalations, the ``escalations`` command."""
from analytics.escalations import cli
from analytics.escalations.rules import VIEW_ROLES
from analytics.kernel.registry import Domain, PageSpec


def generate_demo(cur, rng, *, companies, now) -> None:
    """The domain's demo data (imported when a demo is built, not when the command line starts)."""
    from analytics.escalations.demo import generate_demo as generate

    generate(cur, rng, companies=companies, now=now)


DOMAIN = Domain(
    name="escalations",
    pages=(PageSpec("pages/escalations.py", "Escalations", ":material/escalator_warning:", VIEW_ROLES,
                    "Support"),),
    demo=generate_demo,
    commands=cli.add_commands,
)
