#!/usr/bin/env bash
# Installs LanQA into .venv and starts it; arguments go to `lanqa`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/lanqa "$@"
