"""``python -m analytics settings list|set|reset``: the settings from the command line.

For operators, and the way back in when the role map shuts everyone out of the Settings page.
Changes go through :mod:`analytics.settings.service` (validated, audited) as the actor
``cli:<operating-system user>``.
"""
from __future__ import annotations

import getpass
import json

from analytics.kernel.registry import OpenStore
from analytics.kernel.roles import system_actor


def _actor():
    return system_actor(f"cli:{getpass.getuser()}")


def cmd_list(args, open_store: OpenStore) -> int:
    from analytics.settings.service import settings_table

    table = settings_table(open_store(args.db))[["name", "value", "default", "overridden"]]
    if args.format == "json":
        print(json.dumps(table.to_dict(orient="records")))
    elif args.format == "csv":
        print(table.to_csv(index=False), end="")
    else:
        print(table.to_string(index=False, justify="left", max_colwidth=60))
    return 0


def cmd_set(args, open_store: OpenStore) -> int:
    from analytics.settings.service import change_setting, display_value, parse_setting_input

    change = change_setting(open_store(args.db), actor=_actor(), name=args.name,
                            value=parse_setting_input(args.name, args.value))
    print(f"{args.name}: {display_value(change.before)} -> {display_value(change.after)}" if change.changed
          else f"{args.name} already is {display_value(change.after)}; nothing changed")
    return 0


def cmd_reset(args, open_store: OpenStore) -> int:
    from analytics.settings.service import display_value, reset_setting

    change = reset_setting(open_store(args.db), actor=_actor(), name=args.name)
    print(f"{args.name}: {display_value(change.before)} -> {display_value(change.after)} (default)" if change.changed
          else f"{args.name} already has its default; nothing changed")
    return 0


def add_commands(sub) -> None:
    """Add ``settings list``, ``settings set NAME VALUE`` and ``settings reset NAME`` to the CLI."""
    settings = sub.add_parser("settings", help="list or change settings (changes are audited)")
    verbs = settings.add_subparsers(dest="settings_verb", required=True)
    listing = verbs.add_parser("list", help="every setting with its value in force and default")
    listing.add_argument("--db")
    listing.add_argument("--format", choices=["table", "csv", "json"], default="table")
    listing.set_defaults(func=cmd_list)
    setter = verbs.add_parser("set", help="set one setting; lists and objects as JSON")
    setter.add_argument("name")
    setter.add_argument("value")
    setter.add_argument("--db")
    setter.set_defaults(func=cmd_set)
    reset = verbs.add_parser("reset", help="back to the default")
    reset.add_argument("name")
    reset.add_argument("--db")
    reset.set_defaults(func=cmd_reset)
