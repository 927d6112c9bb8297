#!/usr/bin/env bash
# Set up (with Debian chromium for the browser tests and the local language model for the generative
# writer's real-model tests) and run the whole test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
WITH_BROWSER=1 bash scripts/setup.sh --llm
export HF_HUB_OFFLINE=1 GRADIO_ANALYTICS_ENABLED=False ASSISTANT_TEST_LLM=1
exec .venv/bin/python -m pytest -q "$@"
