#!/usr/bin/env bash
# The performance anchor, side by side: builds llama.cpp (the git bundle inside the npm package node-llama-cpp 3.22.1,
# llama.cpp commit de3ff81; CPU, native), writes a random Q4_0 GGUF of SynthIA-7B's exact shape, and runs llama.cpp's
# single-stream and batched benchmarks with the given thread count. Alternate it with the project's own benchmark in
# one run and compare ratios, never absolute figures from different runs (the machines are shared and vary).
# Usage: scripts/llama-cpp/anchor.sh [WORKDIR (default ~/.cache/llama-anchor)] [THREADS (default 2)]
# Needs: npm, git, cmake, g++, python3 with numpy; ~4.1 GB disk for the model; ~5 minutes to build on 2 cores.
set -euo pipefail
work=${1:-$HOME/.cache/llama-anchor}; threads=${2:-2}
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$work" && cd "$work"
if [ ! -x src/build/bin/llama-batched-bench ]; then
  [ -f node-llama-cpp-3.22.1.tgz ] || npm pack node-llama-cpp@3.22.1 >/dev/null
  [ -d package ] || tar xzf node-llama-cpp-3.22.1.tgz
  [ -d src ] || git clone -q package/llama/gitRelease.bundle src
  cmake -S src -B src/build -DCMAKE_BUILD_TYPE=Release -DGGML_NATIVE=ON -DLLAMA_CURL=OFF -DLLAMA_BUILD_TESTS=OFF \
    -DLLAMA_BUILD_SERVER=OFF >/dev/null
  cmake --build src/build -j"$(nproc)" --target llama-bench llama-batched-bench >/dev/null
fi
[ -f synthia-shape-q4_0.gguf ] || python3 "$here/make_gguf.py" synthia-shape-q4_0.gguf src/gguf-py
echo "== llama.cpp single stream: 128-token prompt, 64 generated, $threads threads"
src/build/bin/llama-bench -m synthia-shape-q4_0.gguf -t "$threads" -p 128 -n 64 -r 3 2>/dev/null | grep -E 'pp128|tg64'
echo "== llama.cpp batched: B sequences of 128 prompt + 32 generated tokens (S_TG = aggregate decode tokens/s)"
src/build/bin/llama-batched-bench -m synthia-shape-q4_0.gguf -t "$threads" -c 4096 -b 512 -ub 512 -npp 128 -ntg 32 \
  -npl 1,2,4,8 2>/dev/null | grep -E '^\|'
