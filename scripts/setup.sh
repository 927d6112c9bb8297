#!/usr/bin/env bash
# Create .venv and install everything; safe to re-run (it skips what is already there).
# `--llm` (or WITH_LLM=1) also sets up the local language model (scripts/setup-llm.sh).
# torch==2.13.0 goes first: pip takes the CPU build from local disk; any other torch
# requirement would pull a multi-GB CUDA build.
set -euo pipefail
cd "$(dirname "$0")/.."
for arg in "$@"; do case "$arg" in --llm) WITH_LLM=1 ;; *) echo "unknown option $arg (use --llm)" >&2; exit 2 ;; esac; done
PY=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PY" -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -c "import torch, sys; sys.exit(torch.__version__.split('+')[0] != '2.13.0')" 2>/dev/null \
  || .venv/bin/python -m pip install -q torch==2.13.0
.venv/bin/python -m pip install -q -e ".[test]"
if [ "${WITH_BROWSER:-0}" = 1 ] && ! command -v chromium >/dev/null 2>&1; then
  echo "installing Debian chromium for the browser tests" >&2
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
    || { echo "could not install chromium with apt-get; the UI browser tests need /usr/bin/chromium" >&2; exit 1; }
fi
# --llm: llama-cpp-python[server] and the local GGUF models for the generative writer (tests, demo)
[ "${WITH_LLM:-0}" != 1 ] || bash scripts/setup-llm.sh
