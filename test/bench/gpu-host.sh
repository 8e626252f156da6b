#!/usr/bin/env bash
# `npm run bench:gpu`: every GPU figure of issue 16 on a Linux host with an NVIDIA driver, in one call,
# from a copy of the working tree; Node.js and node_modules need not be installed there.
#   npm run bench:gpu:prepare           # here, once after changing the code: .tools/gpu-bench.tar.gz
#   test/bench/gpu-host.sh              # there (bash only; BENCH_GPU_QUICK=1: batch 2, 1 step)
# With .tools/gpu-bench.tar.gz it runs the carried Node and bundled benchmarks; without it, the host's
# node and the tree's node_modules (the GPU Docker image). It adds the carried Vulkan loader to the
# library path only where the host has none, and points the loader at NVIDIA's Vulkan driver where
# that lies outside the loader's search path (a driver mounted under /usr/local/nvidia). Figures go
# to SGAN_BENCH_OUT (default $OUT, else test-output/gpu-bench): raw.log, summary.json, summary.md.
set -u
root="$(cd "$(dirname "$0")/../.." && pwd)"
export SGAN_REPO_ROOT="$root"
export SGAN_BENCH_OUT="${SGAN_BENCH_OUT:-${OUT:-$root/test-output/gpu-bench}}"
mkdir -p "$SGAN_BENCH_OUT"

fail() {
  echo "gpu-host: $1" | tee "$SGAN_BENCH_OUT/summary.md" >&2
  printf '{"error": "%s"}\n' "$1" >"$SGAN_BENCH_OUT/summary.json"
  exit 1
}

tools=""
if [ -f "$root/.tools/gpu-bench.tar.gz" ]; then
  unpacked="${TMPDIR:-/tmp}/sgan-gpu-bench-$$"
  mkdir -p "$unpacked" && tar xzf "$root/.tools/gpu-bench.tar.gz" -C "$unpacked" || fail "could not unpack .tools/gpu-bench.tar.gz"
  tools="$unpacked/gpu-bench"
  export SGAN_BENCH_SCRIPTS="$tools/bench" SGAN_BENCH_BUNDLE_COMMIT="$(cat "$tools/BUILD")"
  orchestrator=("$tools/node/bin/node" "$tools/bench/gpu-host.mjs")
elif command -v node >/dev/null && [ -d "$root/node_modules/tsx" ]; then
  orchestrator=(node --import tsx "$root/test/bench/gpu-host.ts")
else
  fail "no Node.js here and no .tools/gpu-bench.tar.gz: run 'npm run bench:gpu:prepare' in a checkout with node_modules and carry .tools"
fi

ldconfig_bin="$(command -v ldconfig || echo /sbin/ldconfig)"
if "$ldconfig_bin" -p 2>/dev/null | grep -q 'libvulkan\.so\.1 '; then
  export SGAN_VULKAN_LOADER="the host's"
elif [ -n "$tools" ]; then
  export LD_LIBRARY_PATH="$tools/vulkan${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
  export SGAN_VULKAN_LOADER="carried ($tools/vulkan/libvulkan.so.1)"
else
  export SGAN_VULKAN_LOADER="none (apt-get install libvulkan1)"
fi

if [ -z "${VK_ICD_FILENAMES:-}${VK_DRIVER_FILES:-}" ] && ! ls /usr/share/vulkan/icd.d/nvidia_icd*.json /etc/vulkan/icd.d/nvidia_icd*.json >/dev/null 2>&1; then
  for icd in /usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json /usr/local/nvidia/icd.d/nvidia_icd.json; do
    if [ -f "$icd" ]; then export VK_DRIVER_FILES="$icd"; break; fi
  done
fi

if [ -z "${XDG_RUNTIME_DIR:-}" ]; then
  export XDG_RUNTIME_DIR="${TMPDIR:-/tmp}/sgan-xdg-$$"
  mkdir -p -m 700 "$XDG_RUNTIME_DIR"
fi

"${orchestrator[@]}"
status=$?
[ -n "$tools" ] && rm -rf "$unpacked"
exit $status
