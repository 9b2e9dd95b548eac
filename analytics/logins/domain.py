"""The logins domain's declaration: the Login lockouts page, demo login events, ``import logins``."""
from analytics.kernel.registry import Domain, PageSpec
from analytics.kernel.roles import ALL_ROLES
from analytics.logins import cli


def generate_demo(cur, rng, *, companies, now) -> None:
    """The domain's demo data (imported when a demo is built, not when the command line starts)."""
    from analytics.logins.demo import generate_demo as generate

    generate(cur, rng, companies=companies, now=now)


DOMAIN = Domain(
    name="logins",
    pages=(PageSpec("pages/lockouts.py", "Login lockouts", ":material/lock_person:", ALL_ROLES, "Support"),),
    demo=generate_demo,
    importers={"logins": cli.cmd_import_logins},
)
