"""Read-only commands against a running dashboard: when the embedded file is held (DuckDB lets one process open
it), ``sla``, ``escalations``, ``incidents`` and ``report monthly`` read the same rows (or file) through the
dashboard's read API.

The dashboard is at ``$VIGIE_API_URL`` (default ``http://127.0.0.1:8501``, the run command's address) and the
command presents ``$VIGIE_API_TOKEN``, a read token an admin creates on the Settings page. The command says on
stderr that it read through the API; without a token, the store's "in use" message names the variable to set.
"""
from __future__ import annotations

import json
import os
import sys
import urllib.error
import urllib.parse
import urllib.request

from analytics.store.errors import DatabaseError, StoreBusy

API_URL_ENV, TOKEN_ENV = "VIGIE_API_URL", "VIGIE_API_TOKEN"
DEFAULT_URL = "http://127.0.0.1:8501"
TIMEOUT_S = 60


def read_through_api(busy: StoreBusy, path: str, params: dict[str, str] | None = None):
    """The JSON of ``GET <dashboard><path>`` when the store is ``busy``; DatabaseError in one line otherwise."""
    body, _ = fetch_through_api(busy, path, params)
    try:
        return json.loads(body)
    except ValueError:
        raise DatabaseError(f"the running dashboard's {path} did not answer JSON; is it the same version of Vigie "
                            "as this command?") from None


def fetch_through_api(busy: StoreBusy, path: str, params: dict[str, str] | None = None) -> tuple[bytes, dict]:
    """The body and headers (lower-case names) of ``GET <dashboard><path>`` when the store is ``busy``, saying so
    on stderr; DatabaseError in one line when there is no token or the API refuses or does not answer."""
    token = os.environ.get(TOKEN_ENV, "").strip()
    if not token:
        raise DatabaseError(f"{busy} To read beside a running dashboard, set {TOKEN_ENV} to a read token "
                            f"(Settings page, API tokens) and {API_URL_ENV} to its address (default {DEFAULT_URL}).")
    base = os.environ.get(API_URL_ENV, DEFAULT_URL).rstrip("/")
    query = "?" + urllib.parse.urlencode({k: v for k, v in (params or {}).items() if v is not None}) if params else ""
    request = urllib.request.Request(base + path + query, headers={"Authorization": f"Bearer {token}"})
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_S) as response:
            body, headers = response.read(), {k.lower(): v for k, v in response.headers.items()}
    except urllib.error.HTTPError as refused:
        try:
            reason = json.loads(refused.read()).get("error", "")
        except (ValueError, AttributeError):
            reason = ""
        raise DatabaseError(f"the store is held by a running dashboard and its API at {base} refused the read "
                            f"({refused.code}{': ' + reason if reason else ''})") from None
    except (OSError, ValueError) as exc:
        raise DatabaseError(f"{busy} Its API at {base} did not answer either ({exc}).") from None
    print(f"note: {busy.path} is held by a running dashboard; read through its API at {base}", file=sys.stderr)
    return body, headers


def records_with(answer, columns: tuple[str, ...] | list[str], path: str) -> list[dict]:
    """The API's answer as records holding every column the command prints; a dashboard of another version
    that answers something else is refused in one line naming what is missing (never a traceback)."""
    if not isinstance(answer, list) or not all(isinstance(record, dict) for record in answer):
        raise DatabaseError(f"the running dashboard's {path} did not answer a list of records; "
                            "is it the same version of Vigie as this command?")
    missing = sorted({c for record in answer for c in columns if c not in record})
    if missing:
        raise DatabaseError(f"the running dashboard's {path} answered without {', '.join(missing)}; "
                            "is it the same version of Vigie as this command?")
    return answer

