#!/usr/bin/env bash
# Build a natively tuned LAMMPS `lmp` binary to serve as a fair benchmark peer for
# `scalebridge bench md --lammps-binary PATH`.
#
# LAMMPS is GPL: this script only BUILDS a standalone benchmark tool outside the repository.
# Nothing here is linked into scalebridge and nothing it produces may be committed.
#
# Source: the LAMMPS tree bundled in the `lammps-sys` crate on crates.io (its `lammps/` folder,
# LAMMPS 7 Aug 2019 in lammps-sys 0.6.0). Build: CMake, -O3 -march=native, packages OPT,
# USER-OMP (OpenMP) and MANYBODY, serial (no MPI).
#
# Usage: benchmarks/build_tuned_lammps.sh [PREFIX]
#   PREFIX (default /var/tmp/scalebridge-tuned-lammps) receives src/, build/ and bin/lmp.
#   Env: LAMMPS_SYS_VERSION (default 0.6.0), JOBS (default: nproc), KEEP_OBJECTS=1 to keep
#   the object files (they are deleted after a successful build to save ~1 GB of disk).
# Prints the path of the binary on its last line. Takes ~11 min on 2 cores.
set -euo pipefail

PREFIX="${1:-/var/tmp/scalebridge-tuned-lammps}"
VERSION="${LAMMPS_SYS_VERSION:-0.6.0}"
JOBS="${JOBS:-$(nproc)}"
REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

case "$(realpath -m "$PREFIX")/" in
  "$REPO_ROOT"/*) echo "error: PREFIX must lie outside the repository (GPL tool, never committed)" >&2; exit 2 ;;
esac

mkdir -p "$PREFIX"
PREFIX="$(realpath "$PREFIX")"
SRC="$PREFIX/src/lammps-sys-$VERSION"
BUILD="$PREFIX/build"
BIN="$PREFIX/bin"

for tool in curl tar make; do
  command -v "$tool" >/dev/null || { echo "error: '$tool' not found" >&2; exit 2; }
done
CXX="${CXX:-$(command -v g++ || command -v c++ || true)}"
[ -n "$CXX" ] || { echo "error: no C++ compiler (install g++)" >&2; exit 2; }

# 1. Source from crates.io (the static download host; the .crate file is a gzipped tarball).
if [ ! -f "$SRC/lammps/cmake/CMakeLists.txt" ]; then
  mkdir -p "$PREFIX/src"
  url="https://static.crates.io/crates/lammps-sys/lammps-sys-$VERSION.crate"
  echo "downloading $url"
  curl -fsSL "$url" | tar xz -C "$PREFIX/src"
fi
[ -f "$SRC/lammps/cmake/CMakeLists.txt" ] || { echo "error: no lammps/ folder in lammps-sys $VERSION" >&2; exit 2; }

# GCC >= 9 rejects the 2019 tree's `#pragma omp ... default(none)` with const variables
# (OpenMP 4.5 vs 5 data-sharing rules); dropping `default(none)` (shared is the default) is
# what LAMMPS itself later did with LAMMPS_OMP_COMPAT. Idempotent.
grep -rl 'default(none)' "$SRC/lammps/src" --include='*.cpp' --include='*.h' | xargs -r sed -i 's/default(none)//'

# 2. cmake: the system one, else pip-installed into a throwaway venv under PREFIX.
#    cmake < 4: CMake 4 refuses the 2019 tree's cmake_minimum_required(2.8.12).
CMAKE="$(command -v cmake || true)"
if [ -z "$CMAKE" ] || [ "$("$CMAKE" --version | head -1 | sed 's/[^0-9]*\([0-9]*\).*/\1/')" -ge 4 ]; then
  if [ ! -x "$PREFIX/cmake-venv/bin/cmake" ]; then
    PY="$(command -v python3 || command -v python)"
    "$PY" -m venv "$PREFIX/cmake-venv"
    "$PREFIX/cmake-venv/bin/pip" install -q "cmake>=3.16,<4"
  fi
  CMAKE="$PREFIX/cmake-venv/bin/cmake"
fi
echo "cmake: $CMAKE ($("$CMAKE" --version | head -1)); compiler: $CXX"

# 3. Configure and build.
FLAGS="-O3 -march=native -DNDEBUG"
"$CMAKE" -S "$SRC/lammps/cmake" -B "$BUILD" \
  -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_CXX_COMPILER="$CXX" \
  -DCMAKE_CXX_FLAGS_RELEASE="$FLAGS" \
  -DCMAKE_C_FLAGS_RELEASE="$FLAGS" \
  -DBUILD_MPI=OFF -DBUILD_OMP=ON -DBUILD_LIB=OFF -DBUILD_SHARED_LIBS=OFF \
  -DPKG_OPT=ON -DPKG_USER-OMP=ON -DPKG_MANYBODY=ON \
  -DFFT=KISS -DLAMMPS_MEMALIGN=64
"$CMAKE" --build "$BUILD" -j "$JOBS"

mkdir -p "$BIN"
cp "$BUILD/lmp" "$BIN/lmp"
if [ "${KEEP_OBJECTS:-0}" != 1 ]; then
  find "$BUILD" -name '*.o' -delete
  find "$BUILD" -name '*.a' -delete
fi
"$BIN/lmp" -h | sed -n '1,12p' >&2 || true
echo "$BIN/lmp"
