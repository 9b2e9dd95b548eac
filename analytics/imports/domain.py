"""The imports domain's declaration: the Import tickets page (admins), ``import tickets`` and ``import inspect``."""
from analytics.imports import cli
from analytics.kernel.registry import Domain, PageSpec
from analytics.kernel.roles import ADMINS

DOMAIN = Domain(
    name="imports",
    pages=(PageSpec("pages/imports.py", "Import tickets", ":material/upload_file:", ADMINS, "Administration"),),
    importers={"tickets": cli.run_tickets, "inspect": cli.run_inspect},
)
