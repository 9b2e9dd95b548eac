"""The audit domain's declaration: the Audit log page (admins)."""
from analytics.kernel.registry import Domain, PageSpec
from analytics.kernel.roles import ADMINS

DOMAIN = Domain(
    name="audit",
    pages=(PageSpec("pages/audit.py", "Audit log", ":material/history:", ADMINS, "Administration"),),
)
