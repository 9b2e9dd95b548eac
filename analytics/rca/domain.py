"""The RCA domain's declaration: the summaries and review pages, demo RCAs (after the incidents), the ``rca`` commands."""
from analytics.kernel.registry import Domain, PageSpec
from analytics.rca import cli
from analytics.rca.rules import ACT_ROLES, VIEW_ROLES


def generate_demo(cur, rng, *, companies, now) -> None:
    """The domain's demo data (imported when a demo is built, not when the command line starts)."""
    from analytics.rca.demo import generate_demo as generate

    generate(cur, rng, companies=companies, now=now)


DOMAIN = Domain(
    name="rca",
    pages=(PageSpec("pages/rca.py", "RCA summaries", ":material/troubleshoot:", VIEW_ROLES, "Incidents"),
           PageSpec("pages/rca_review.py", "Post-incident review", ":material/rate_review:", ACT_ROLES,
                    "Incidents")),
    demo=generate_demo,
    commands=cli.add_commands,
)
