#!/usr/bin/env bash
# Start a local OpenAI-compatible model server (llama.cpp) for the generative writer.
#
#   bash scripts/llm-server.sh [qwen|smollm2|FILE.gguf] [--port N] [--chat-format FORMAT]
#
# Default: Qwen2.5-Coder-1.5B-Instruct on 127.0.0.1:8080 with the chatml-function-calling format
# (`--chat-format model` uses the template stored in the GGUF file instead). Set up first with
# `bash scripts/setup.sh --llm`. Then, in another shell:
#   ASSISTANT_LLM_PROVIDER=openai ASSISTANT_LLM_BASE_URL=http://127.0.0.1:8080/v1 .venv/bin/assistant ask "…"
set -euo pipefail
cd "$(dirname "$0")/.."
MODEL=qwen PORT=${LLM_PORT:-8080} HOST=${LLM_HOST:-127.0.0.1} FORMAT=chatml-function-calling
while [ $# -gt 0 ]; do
  case "$1" in
    --port) PORT=$2; shift 2 ;;
    --chat-format) FORMAT=$2; shift 2 ;;
    -h|--help) sed -n 2,10p "$0"; exit 0 ;;
    *) MODEL=$1; shift ;;
  esac
done
.venv/bin/python -c "import llama_cpp.server" 2>/dev/null \
  || { echo "llama-cpp-python[server] is not installed: run bash scripts/setup.sh --llm" >&2; exit 1; }
case "$MODEL" in
  qwen|smollm2) FILE=$(bash scripts/get-model.sh "$MODEL") ;;
  *) FILE=$MODEL; [ -f "$FILE" ] || { echo "no model file $FILE" >&2; exit 1; } ;;
esac
ARGS=(--model "$FILE" --host "$HOST" --port "$PORT" --n_threads "${LLM_THREADS:-$(nproc)}" --n_ctx "${LLM_CTX:-4096}")
[ "$FORMAT" = model ] || ARGS+=(--chat_format "$FORMAT")
echo "serving $(basename "$FILE") on http://$HOST:$PORT/v1 — use:" >&2
echo "  export ASSISTANT_LLM_PROVIDER=openai ASSISTANT_LLM_BASE_URL=http://$HOST:$PORT/v1" >&2
exec .venv/bin/python -m llama_cpp.server "${ARGS[@]}"
