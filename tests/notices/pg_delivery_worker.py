"""One delivery process for the two-process test: its own process, the real data layer and delivery run.

    python -m tests.notices.pg_delivery_worker URL SMTP_PORT NAME

Opens the PostgreSQL store, prints ``ready``, waits for ``go`` on stdin, then runs deliveries
(one message per run, as busy replicas would interleave) until one finds nothing due, and prints
``delivered ID`` for each message its runs had accepted, then ``done``.
"""
from __future__ import annotations

import sys

from analytics.domains import open_store
from analytics.notices.delivery import deliver
from analytics.notices.smtp import SmtpConfig


def main(argv=None) -> int:
    url, port, name = (argv or sys.argv[1:])[:3]
    db = open_store(url)
    config = SmtpConfig(host="127.0.0.1", port=int(port), security="none", sender="vigie@support.example",
                        allow_example_domains=True)
    print("ready", flush=True)
    sys.stdin.readline()
    while True:
        run = deliver(db, config=config, limit=1, worker=name)
        for message_id in run.accepted:
            print(f"delivered {message_id}", flush=True)
        if not (run.accepted or run.retrying or run.failed):
            break
    print("done", flush=True)
    db.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
