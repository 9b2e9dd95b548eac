"""``python -m analytics notices deliver|status``: run one delivery of the outbox, or say where it stands.

``deliver`` sends the due messages (at most ``notices.rate_limit_per_run``) through the provider
of ``[smtp]`` in ``.streamlit/secrets.toml`` (or ``VIGIE_SMTP_*``) and prints one line: exit 0
when every message tried was accepted, 1 when some wait for a retry or failed, 2 with one line
on stderr when no provider is configured or its configuration is unusable (nothing is sent).
``status`` prints the messages per state and the provider in force (exit 0). ``settle ID --as
accepted|queued|failed`` settles a message a killed run left ``sending``, as the operator found it in
the server's log (exit 0; 2 with one line when the message is not ``sending``).
"""
from __future__ import annotations

import sys

from analytics.kernel.registry import OpenStore
from analytics.kernel.times import utc_now

NO_PROVIDER = ("no SMTP provider configured ([smtp] in .streamlit/secrets.toml, or VIGIE_SMTP_HOST): "
               "nothing was sent")


def cmd_deliver(args, open_store: OpenStore) -> int:
    """One delivery run."""
    from analytics.notices.delivery import deliver
    from analytics.notices.smtp import NotConfigured, load_config

    try:
        config = load_config()
    except NotConfigured as exc:
        print(f"error: {exc} Nothing was sent.", file=sys.stderr)
        return 2
    if config is None:
        print(f"error: {NO_PROVIDER}", file=sys.stderr)
        return 2
    run = deliver(open_store(args.db), config=config)
    print(f"notices deliver via {config.describe()}: {run.line()}")
    return 1 if run.retrying or run.failed else 0


def cmd_status(args, open_store: OpenStore) -> int:
    """The outbox per state and the provider."""
    from analytics.notices.queries import outbox_summary
    from analytics.notices.smtp import NotConfigured, load_config

    try:
        config = load_config()
        provider = config.describe() if config else "none configured (nothing is sent)"
    except NotConfigured as exc:
        provider = f"unusable: {exc}"
    s = outbox_summary(open_store(args.db), now=utc_now())  # migrates a store older than the outbox
    print(f"outbox: {s['queued']} queued ({s['due']} due now), {s['sending']} being sent or interrupted, "
          f"{s['accepted']} accepted, {s['failed']} failed; provider: {provider}")
    return 0


def cmd_settle(args, open_store: OpenStore) -> int:
    """Settle one message left sending."""
    import getpass

    from analytics.notices.delivery import settle

    print(settle(open_store(args.db), message_id=args.message_id, outcome=args.outcome,
                 operator=f"operator:{getpass.getuser()}", note=args.note or ""))
    return 0


def add_commands(sub) -> None:
    """Add ``notices deliver`` and ``notices status`` to the command line."""
    notices = sub.add_parser("notices", help="e-mail notices: deliver the outbox, or its status")
    verbs = notices.add_subparsers(dest="notices_verb", required=True)
    for name, func, text in (("deliver", cmd_deliver, "send the due messages of the outbox once"),
                             ("status", cmd_status, "messages per state and the provider in force")):
        verb = verbs.add_parser(name, help=text)
        verb.add_argument("--db")
        verb.set_defaults(func=func)
    verb = verbs.add_parser("settle", help="settle a message a killed run left 'sending', as the server's log says")
    verb.add_argument("message_id", type=int)
    verb.add_argument("--as", dest="outcome", required=True, choices=("accepted", "queued", "failed"))
    verb.add_argument("--note", help="what the server's log says (kept in the message's last reply and the audit)")
    verb.add_argument("--db")
    verb.set_defaults(func=cmd_settle)
