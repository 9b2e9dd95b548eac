#!/usr/bin/env bash
# Installs everything the tests need, runs the linter (ruff, configured in pyproject.toml) and
# the whole suite; then, when run without arguments, the data-layer and page tests once more on
# PostgreSQL (a throwaway server on loopback, started by tests/store/pg_support.py).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh --dev
.venv/bin/ruff check .
.venv/bin/python -m pytest -q "$@"
if (( $# == 0 )); then
  VIGIE_TEST_BACKEND=postgres .venv/bin/python -m pytest -q \
    tests/store/test_db.py tests/incidents/test_incidents_service.py tests/sla/test_sla_page.py tests/incidents/test_incidents_pages.py \
    tests/sla/test_sla_ledger.py
fi
