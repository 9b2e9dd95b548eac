"""The RCA domain's declaration: the summaries and review pages, demo RCAs (after the incidents), the ``rca`` commands."""
from analytics.kernel.registry import Domain, PageSpec
from analytics.rca import cli, demo
from analytics.rca.rules import ACT_ROLES, VIEW_ROLES

DOMAIN = Domain(
    name="rca",
    pages=(PageSpec("pages/rca.py", "RCA summaries", ":material/troubleshoot:", VIEW_ROLES, "Incidents"),
           PageSpec("pages/rca_review.py", "Post-incident review", ":material/rate_review:", ACT_ROLES,
                    "Incidents")),
    demo=demo.generate_demo,
    commands=cli.add_commands,
)
