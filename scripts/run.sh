#!/usr/bin/env bash
# Set up, build or update the index, answer a sample question, then open the chat UI
# (http://127.0.0.1:7860 by default; ASSISTANT_UI_HOST / ASSISTANT_UI_PORT change it).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export HF_HUB_OFFLINE=1 GRADIO_ANALYTICS_ENABLED=False
.venv/bin/assistant index
.venv/bin/assistant ask "How many Nvidia chips did the approved Xinjiang and Qinghai projects plan to use?"
[ "${NO_UI:-0}" = 1 ] || exec .venv/bin/assistant ui
