"""The API domain's declaration: tokens and the figures served over HTTP (its UI is on the Settings page)."""
from analytics.kernel.registry import Domain

DOMAIN = Domain(name="api")
