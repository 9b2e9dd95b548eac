"""The intake domain's declaration: the Incoming requests page (its demo tickets are the demo's base)."""
from analytics.kernel.registry import Domain, PageSpec
from analytics.kernel.roles import ADMIN, LEADERSHIP, MANAGER

DOMAIN = Domain(
    name="intake",
    pages=(PageSpec("pages/intake.py", "Incoming requests", ":material/inbox:", (MANAGER, LEADERSHIP, ADMIN),
                    "Support"),),
)
