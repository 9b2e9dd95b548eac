"""The settings domain's declaration: the Settings page (admins) and the ``settings`` commands."""
from analytics.kernel.registry import Domain, PageSpec
from analytics.kernel.roles import ADMINS
from analytics.settings import cli

DOMAIN = Domain(
    name="settings",
    pages=(PageSpec("pages/settings.py", "Settings", ":material/settings:", ADMINS, "Administration"),),
    commands=cli.add_commands,
)
