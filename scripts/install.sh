#!/usr/bin/env bash
# Installs what Vigie needs into .venv: runtime only, or with --dev the test tools and the
# Debian packages the tests drive (Chromium for browser tests, poppler-utils for pdftotext,
# postgresql for the shared-store tests, which start their own throwaway server on loopback).
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m venv .venv
.venv/bin/pip install --quiet --upgrade pip
if [[ "${1:-}" == "--dev" ]]; then
  .venv/bin/pip install --quiet -r requirements-dev.txt
  need=()
  command -v chromium >/dev/null || need+=(chromium)
  command -v pdftotext >/dev/null || need+=(poppler-utils)
  compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || need+=(postgresql)
  if (( ${#need[@]} )); then
    SUDO=""; [[ $(id -u) -ne 0 ]] && SUDO="sudo"
    $SUDO apt-get update -q
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q "${need[@]}" fonts-dejavu-core
  fi
else
  .venv/bin/pip install --quiet -r requirements.txt
fi
