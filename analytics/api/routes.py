"""The HTTP API served beside the dashboard by ``server.py`` (``st.App(routes=...)``, Starlette).

- ``GET /api/v1/health``: ``{"status": "ok", ...}`` when the store answers (no token: for a load
  balancer or an uptime check), 503 with the reason otherwise;
- ``GET /metrics``: the Prometheus text of ``analytics/api/metrics.py`` (a ``read`` token);
- ``GET /api/v1/sla?from=YYYY-MM-DD&to=YYYY-MM-DD[&as_of=...]``: the rows of ``python -m analytics sla
  --format json`` (a ``read`` token);
- ``GET /api/v1/incident-figures?from=YYYY-MM-DD&to=YYYY-MM-DD[&as_of=...][&by=month,severity]``: the rows of
  ``python -m analytics incidents --format json`` (a ``read`` token);
- ``GET /api/v1/reports/monthly?month=YYYY-MM[&format=pdf|html]`` (a ``read`` token): the file ``python -m
  analytics report monthly`` writes, its account (month, tickets, breaches, what was left out) as JSON in
  the header ``X-Vigie-Report``;
- ``GET /api/v1/incidents``, ``GET /api/v1/escalations``, ``GET /api/v1/next-to-breach[?hours=N]`` (a
  ``read`` token): the open incidents with their notification clocks, the open escalations with their
  flag, the open measures next to breach (the Backlog page's queue), as JSON records (times in ISO 8601 UTC);
- ``POST /api/v1/events/{source}``: a ticket event pushed by a ticketing system, signed with the
  source's shared secret (``analytics/api/intake.py``): ``202`` with the ticket once committed,
  ``200`` for a replay of an event already applied, ``4xx`` with the reason naming the field, ``413``
  past :data:`intake.MAX_BODY_BYTES`, ``429`` with ``Retry-After`` when more events wait for the
  store than it takes (:data:`MAX_WAITING`) or the store is busy. Events arriving together are applied
  together, a batch per transaction (``analytics/api/intake_batch.py``).

A token is presented as ``Authorization: Bearer <token>`` (``analytics/api/tokens.py``); a refusal
is a JSON ``{"error": ...}`` with 401 (no, unknown or revoked token), 403 (scope) or 400 (a
parameter, named). The handlers run the store's queries in a worker thread, never on the event loop.
"""
from __future__ import annotations

import asyncio
import json
import queue
from collections.abc import Callable
from datetime import UTC, date, datetime

from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from analytics.api import intake, intake_batch
from analytics.api.metrics import CONTENT_TYPE, metrics_text
from analytics.api.tokens import TokenRefused, verify
from analytics.kernel.periods import Period
from analytics.store.database import Database
from analytics.store.errors import DatabaseError, WriteConflict

MAX_WAITING = 1000   # events waiting for the intake's writer at once; beyond, 429


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None


def _day(request: Request, name: str) -> date:
    value = request.query_params.get(name)
    if value is None:
        raise ValueError(f"{name} is required (YYYY-MM-DD)")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{name} must be a date YYYY-MM-DD, not {value!r}") from None


def _as_of(request: Request) -> datetime:
    value = request.query_params.get("as_of")
    if value is None:
        return datetime.now(UTC)
    try:
        instant = datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(f"as_of must be an ISO 8601 instant, not {value!r}") from None
    return instant if instant.tzinfo else instant.replace(tzinfo=UTC)


def records(frame) -> list[dict]:
    """A frame as JSON records: ISO 8601 UTC times, null for empty, the store's row ids left out."""
    shown = frame.drop(columns=[c for c in ("id", "ticket_id") if c in frame.columns])
    return json.loads(shown.to_json(orient="records", date_format="iso", date_unit="s"))


def _hours(request: Request) -> float | None:
    value = request.query_params.get("hours")
    if value is None:
        return None
    try:
        hours = float(value)
    except ValueError:
        raise ValueError(f"hours must be a number of working hours, not {value!r}") from None
    if not 0 < hours <= 240:
        raise ValueError("hours must be more than 0 and at most 240")
    return hours


def api_routes(open_database: Callable[[], Database], *, after_write: Callable[[], None] | None = None) -> list[Route]:
    """The routes, on the process's store; ``after_write`` is called once per batch of pushed events that changed a
    ticket, before their answers (the server clears the pages' caches with it, so the next refresh shows them)."""

    async def guarded(request: Request, answer: Callable[[Database], Response], need: str = "read") -> Response:
        db = open_database()
        try:
            await asyncio.to_thread(verify, db, _bearer(request), need=need)
            return await asyncio.to_thread(answer, db)
        except TokenRefused as exc:
            return JSONResponse({"error": str(exc)}, status_code=exc.status,
                                headers={"WWW-Authenticate": "Bearer"} if exc.status == 401 else None)
        except ValueError as exc:
            return JSONResponse({"error": str(exc)}, status_code=400)
        except DatabaseError as exc:
            return JSONResponse({"error": f"the store did not answer: {str(exc).splitlines()[0]}"}, status_code=503)

    async def health(request: Request) -> Response:
        try:
            db = open_database()
            tickets = await asyncio.to_thread(db.scalar, "SELECT count(*) FROM tickets")
        except DatabaseError as exc:
            return JSONResponse({"status": "unavailable", "error": str(exc).splitlines()[0]}, status_code=503)
        return JSONResponse({"status": "ok", "tickets": int(tickets), "backend": "postgres" if db.postgres else "duckdb"})

    async def metrics(request: Request) -> Response:
        return await guarded(request, lambda db: PlainTextResponse(metrics_text(db, now=datetime.now(UTC)),
                                                                   media_type=CONTENT_TYPE))

    async def sla(request: Request) -> Response:
        def answer(db: Database) -> Response:
            from analytics.sla.stats import CLI_COLUMNS, cli_records

            start, end = _day(request, "from"), _day(request, "to")
            if end <= start:
                raise ValueError("to must be after from")
            rows = cli_records(db, Period(start, end, db.timezone), as_of=_as_of(request))
            return JSONResponse([dict(zip(CLI_COLUMNS, row, strict=True)) for row in rows])

        return await guarded(request, answer)

    async def incidents(request: Request) -> Response:
        def answer(db: Database) -> Response:
            from analytics.incidents.queries import notify_settings, open_incidents

            return JSONResponse(records(open_incidents(db, settings=notify_settings(db), as_of=datetime.now(UTC))))

        return await guarded(request, answer)

    async def incident_figures(request: Request) -> Response:
        def answer(db: Database) -> Response:
            from analytics.incidents.stats import figure_records, grouping

            start, end = _day(request, "from"), _day(request, "to")
            if end <= start:
                raise ValueError("to must be after from")
            by = grouping(request.query_params.get("by", "month,severity"))
            return JSONResponse(figure_records(db, start=start, end=end, as_of=_as_of(request), by=by))

        return await guarded(request, answer)

    async def monthly_report(request: Request) -> Response:
        def answer(db: Database) -> Response:
            from analytics.reports.document import HEADER, report_file
            from analytics.reports.monthly import ReportMonth

            kind = request.query_params.get("format", "pdf")
            month = request.query_params.get("month")
            if month is None:
                raise ValueError("month is required (YYYY-MM)")
            made = report_file(db, ReportMonth.parse(month), kind, now=datetime.now(UTC))
            return Response(made.data, media_type="application/pdf" if kind == "pdf" else "text/html; charset=utf-8",
                            headers={HEADER: json.dumps(made.account)})

        return await guarded(request, answer)

    async def escalations(request: Request) -> Response:
        def answer(db: Database) -> Response:
            from analytics.escalations.stats import open_escalations

            return JSONResponse(records(open_escalations(db, now=_as_of(request))))

        return await guarded(request, answer)

    async def next_to_breach(request: Request) -> Response:
        def answer(db: Database) -> Response:
            from analytics.sla.next_to_breach import next_to_breach as queue

            return JSONResponse(records(queue(db, as_of=datetime.now(UTC), hours=_hours(request))))

        return await guarded(request, answer)

    writer = intake_batch.IntakeWriter(open_database, capacity=MAX_WAITING + intake_batch.BATCH_MAX,
                                       after_write=after_write)

    async def events(request: Request) -> Response:
        source = request.path_params["source"]
        declared = request.headers.get("content-length")
        if declared and declared.isdigit() and int(declared) > intake.MAX_BODY_BYTES:
            return JSONResponse({"error": f"the body is over {intake.MAX_BODY_BYTES // 1024} KiB"}, status_code=413)
        body = await request.body()
        if len(body) > intake.MAX_BODY_BYTES:
            return JSONResponse({"error": f"the body is over {intake.MAX_BODY_BYTES // 1024} KiB"}, status_code=413)
        try:
            def check() -> intake_batch.Event:
                intake.verify(source, request.headers, body, now=datetime.now(UTC), secret=intake.shared_secret(source))
                event_id, row = intake.parse_event(source, request.headers, body)
                return source, event_id, row

            event = await asyncio.to_thread(check)
            if event[2] is None:
                return JSONResponse({"status": "ignored", "event_id": event[1],
                                     "reason": "this event changes no ticket Vigie measures"}, status_code=200)
            if writer.waiting() >= MAX_WAITING:
                raise queue.Full
            done = await asyncio.wrap_future(writer.submit(event))
            if isinstance(done, intake.IntakeRefused):
                raise done
            return JSONResponse({"status": "duplicate" if done.duplicate else "accepted", "event_id": done.event_id,
                                 "ticket": done.reference, "outcome": done.outcome},
                                status_code=200 if done.duplicate else 202)
        except queue.Full:
            return JSONResponse({"error": "too many events waiting for the store: send it again later"},
                                status_code=429, headers={"Retry-After": "2"})
        except intake.IntakeRefused as exc:
            return JSONResponse({"error": str(exc)}, status_code=exc.status)
        except WriteConflict:
            return JSONResponse({"error": "the store is busy: send it again later"}, status_code=429,
                                headers={"Retry-After": "2"})
        except DatabaseError as exc:
            return JSONResponse({"error": f"the store did not answer: {str(exc).splitlines()[0]}"}, status_code=503,
                                headers={"Retry-After": "5"})

    return [Route("/api/v1/health", health), Route("/metrics", metrics), Route("/api/v1/sla", sla),
            Route("/api/v1/incidents", incidents), Route("/api/v1/incident-figures", incident_figures),
            Route("/api/v1/escalations", escalations), Route("/api/v1/reports/monthly", monthly_report),
            Route("/api/v1/next-to-breach", next_to_breach), Route("/api/v1/events/{source}", events, methods=["POST"])]
