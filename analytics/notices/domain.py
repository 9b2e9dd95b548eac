"""The notices domain's declaration: the ``notices`` commands (its UI lives on the Incidents and Settings pages)."""
from analytics.kernel.registry import Domain
from analytics.notices import cli

DOMAIN = Domain(name="notices", commands=cli.add_commands)
