#!/bin/sh
# Builds Kiln's native kernels (kiln_*.c, see kiln.h) into the runtime's classes, where
# backend.cpu.NativeLibrary loads them from. Called by the runtime module's Maven build on Linux
# x86-64:
#   build.sh <output directory> <java.home>
# Without a C compiler it builds nothing and says so: the runtime then uses its Java loops.
# -ffp-contract=off: no fused multiply-add, so results equal the Java loops bit for bit.
set -eu
out=$1
jdk=$2
dir=$(dirname "$0")
cc=${CC:-gcc}
if ! command -v "$cc" >/dev/null 2>&1; then
  echo "[kiln] no C compiler ($cc): native kernels not built; the runtime will use its Java loops"
  exit 0
fi
mkdir -p "$out"
"$cc" -O3 -std=gnu11 -fPIC -shared -ffp-contract=off -fno-math-errno -Wall -Wextra \
  -Wno-unused-parameter -Wno-psabi -I"$jdk/include" -I"$jdk/include/linux" \
  -Wl,-z,noexecstack -o "$out/libkilnkernels.so" \
  "$dir/kiln_pool.c" "$dir/kiln_products.c" "$dir/kiln_batch_norm.c" "$dir/kiln_elementwise.c" \
  "$dir/kiln_optim.c" "$dir/kiln_losses.c" "$dir/kiln_conv.c" "$dir/kiln_sequence.c" \
  "$dir/kiln_jni.c" -lm
