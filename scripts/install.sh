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
if (( ${#need[@]} )); then
  SUDO=""; [[ $(id -u) -ne 0 ]] && SUDO="sudo"
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q "${need[@]}" fonts-dejavu-core
fi
