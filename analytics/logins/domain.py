"""The logins domain's declaration: the Login lockouts page, demo login events, ``import logins``."""
from analytics.kernel.registry import Domain, PageSpec
from analytics.kernel.roles import ALL_ROLES
from analytics.logins import cli, demo

DOMAIN = Domain(
    name="logins",
    pages=(PageSpec("pages/lockouts.py", "Login lockouts", ":material/lock_person:", ALL_ROLES, "Support"),),
    demo=demo.generate_demo,
    importers={"logins": cli.cmd_import_logins},
)
