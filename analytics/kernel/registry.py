"""How a domain declares itself once: its pages with their roles, its demo data, its commands.

Each package's ``domain.py`` holds one :class:`Domain`; ``analytics/domains.py`` lists them in
menu order, and the navigation, the demo builder and the command line read that list. Adding a
domain is a package with a ``domain.py`` and one line there (README: "Adding a domain").
"""
from __future__ import annotations

import argparse
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # for annotations only: the kernel imports nothing of analytics at run time
    from analytics.store.database import Database

OpenStore = Callable[..., "Database"]  # open_store(target=None, *, read_only=False) -> Database
Command = Callable[[argparse.Namespace, OpenStore], int]  # a command: (args, open_store) -> exit code


@dataclass(frozen=True)
class PageSpec:
    """One page of the dashboard: its script under ``pages/``, its menu entry and who may open it."""

    path: str
    title: str
    icon: str
    roles: frozenset[str]  # any iterable of roles is kept as a frozenset
    section: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "roles", frozenset(self.roles))


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
