"""The HTTP API served beside the dashboard by ``server.py`` (``st.App(routes=...)``, Starlette).

- ``GET /api/v1/health``: ``{"status": "ok", ...}`` when the store answers (no token: for a load
  balancer or an uptime check), 503 with the reason otherwise;
- ``GET /metrics``: the Prometheus text of ``analytics/api/metrics.py`` (a ``read`` token);
- ``GET /api/v1/sla?from=YYYY-MM-DD&to=YYYY-MM-DD[&as_of=...]``: the rows of ``python -m analytics sla
  --format json`` (a ``read`` token).

A token is presented as ``Authorization: Bearer <token>`` (``analytics/api/tokens.py``); a refusal
is a JSON ``{"error": ...}`` with 401 (no, unknown or revoked token), 403 (scope) or 400 (a
parameter, named). The handlers run the store's queries in a worker thread, never on the event loop.
"""
from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, date, datetime

from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from analytics.api.metrics import CONTENT_TYPE, metrics_text
from analytics.api.tokens import TokenRefused, verify
from analytics.kernel.periods import Period
from analytics.store.database import Database
from analytics.store.errors import DatabaseError


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


def api_routes(open_database: Callable[[], Database]) -> list[Route]:
    """The routes, on the process's store."""

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

    return [Route("/api/v1/health", health), Route("/metrics", metrics), Route("/api/v1/sla", sla)]
