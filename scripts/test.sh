#!/usr/bin/env bash
# Set up (with Debian chromium for the browser tests) and run the whole test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
WITH_BROWSER=1 bash scripts/setup.sh
export HF_HUB_OFFLINE=1 GRADIO_ANALYTICS_ENABLED=False
exec .venv/bin/python -m pytest -q "$@"
