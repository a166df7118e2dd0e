#!/usr/bin/env bash
# Developer build without pip: compiles into BUILD_DIR (default build/dev) and
# lays out an importable package at BUILD_DIR/pkg (sources symlinked, so
# Python edits need no rebuild). Use: PYTHONPATH=build/dev/pkg pytest
# Extra arguments go to CMake, e.g. -DCONVCORE_SANITIZE=address,undefined.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-$root/build/dev}
py=${PYTHON:-python3}
cmake -S "$root" -B "$build" -G Ninja -DCONVCORE_BUILD_PYTHON=ON \
  -DPython_EXECUTABLE="$(command -v "$py")" \
  -Dpybind11_DIR="$("$py" -m pybind11 --cmakedir)" "$@" >/dev/null
cmake --build "$build" -j "${JOBS:-2}"
pkg=$build/pkg/convcore
mkdir -p "$pkg"
for f in "$root"/python/convcore/*; do ln -sfn "$f" "$pkg/$(basename "$f")"; done
# Copy, then rename over the old module: Python processes still running on
# it keep their mapped copy instead of crashing on a file rewritten under them.
for so in "$build"/_C*.so; do
  cp -f "$so" "$pkg/.$(basename "$so").tmp" && mv -f "$pkg/.$(basename "$so").tmp" "$pkg/$(basename "$so")"
done
