#!/usr/bin/env bash
# Installs what Vigie needs into .venv: runtime only, or with --dev the test tools too, and the
# Debian packages (Chromium for report charts and browser tests; with --dev poppler-utils for
# pdftotext and postgresql for the shared-store tests, which start their own throwaway server).
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m venv .venv
.venv/bin/pip install --quiet --upgrade pip
# Debian packages: Chromium renders the charts of PDF reports (kaleido) and drives the browser
# tests; the test tools add poppler-utils (pdftotext) and PostgreSQL.
need=()
command -v chromium >/dev/null || need+=(chromium)
if [[ "${1:-}" == "--dev" ]]; then
  .venv/bin/pip install --quiet -r requirements-dev.txt
  command -v pdftotext >/dev/null || need+=(poppler-utils)
  compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || need+=(postgresql)
else
  .venv/bin/pip install --quiet -r requirements.txt
fi
# Vigie's own modules compiled once, as pip compiles the packages it installs: a new process (each command, the
# server) otherwise compiles some 200 modules from source when bytecode is not written (PYTHONDONTWRITEBYTECODE
# set, a read-only checkout): 0.85 s to import the command line's modules against 0.55 s compiled.
.venv/bin/python -m compileall -q -j 0 analytics ui pages dashboard.py server.py >/dev/null
if (( ${#need[@]} )); then
  SUDO=""; [[ $(id -u) -ne 0 ]] && SUDO="sudo"
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q "${need[@]}" fonts-dejavu-core
fi
