#!/usr/bin/env bash
# Installs the runtime and starts the server (server.py: the dashboard and its background workers) on data/vigie.duckdb (demo data built on first run).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh
exec .venv/bin/python -m ui.serve --server.address "${VIGIE_ADDRESS:-127.0.0.1}" "$@"
