"""How a domain declares itself once: its pages with their roles, its demo data, its commands.

Each package's ``domain.py`` holds one :class:`Domain`; ``analytics/domains.py`` lists them in
menu order, and the navigation, the demo builder and the command line read that list. Adding a
domain is a package with a ``domain.py`` and one line there (README: "Adding a domain").
"""
from __future__ import annotations

import argparse
import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # for annotations only: the kernel imports nothing of analytics at run time
    from analytics.store.database import Database

OpenStore = Callable[..., "Database"]  # open_store(target=None, *, read_only=False) -> Database
Command = Callable[[argparse.Namespace, OpenStore], int]  # a command: (args, open_store) -> exit code


@dataclass(frozen=True)
class PageSpec:
    """One page of the dashboard: its script under ``pages/``, its menu entry, who may open it and its address.

    ``url_path`` is the page's address (``/sla-compliance``); left empty, it is the title in lower
    case with hyphens between its words, so that the address reads as the name in the menu.
    """

    path: str
    title: str
    icon: str
    roles: frozenset[str]  # any iterable of roles is kept as a frozenset
    section: str
    url_path: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "roles", frozenset(self.roles))
        if not self.url_path:
            object.__setattr__(self, "url_path", url_slug(self.title))


def url_slug(title: str) -> str:
    """``"SLA compliance"`` -> ``"sla-compliance"``: lower-case ASCII words joined by hyphens."""
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    return "-".join(re.findall(r"[a-z0-9]+", ascii_title.lower()))


@dataclass(frozen=True)
class Domain:
    """What one domain adds to Vigie (every part optional).

    - ``pages``: its pages, in menu order;
    - ``demo``: ``generate_demo(cur, rng, *, companies, now)``, run in the demo's transaction
      after the demo tickets, in the order of ``analytics.domains.DOMAINS``;
    - ``commands``: ``add_commands(subparsers)`` adding its ``python -m analytics`` commands, whose
      functions are :data:`Command`;
    - ``importers``: ``import KIND FILE`` runners, kind -> :data:`Command`;
    - ``on_open``: what the domain derives once a store is open for the app or the command line.
    """

    name: str
    pages: tuple[PageSpec, ...] = ()
    demo: Callable[..., None] | None = None
    commands: Callable[[Any], None] | None = None
    importers: Mapping[str, Command] = field(default_factory=dict)
    on_open: Callable[[Database], None] | None = None
