#!/usr/bin/env bash
# Runs every comparison of benchmarks/README.md in one go and prints a summary:
#   speed     JMH: Kiln's generated trainer, DL4J's MultiLayerNetwork and the step's GEMMs alone,
#             reference and wide MLP, batch 32/128/512, with -prof gc; PyTorch (peer.py) at the
#             same configurations, once with the default OpenMP wait policy and once with
#             PASSIVE (its best counts). ROUNDS alternating rounds (Kiln's step and its GEMMs
#             alone back to back per configuration); DL4J in the first
#             DL4J_ROUNDS of them only (it is 5-10x slower, so its noise does not matter).
#   profile   StepProfile: where the generated step's time goes, per layer and op kind, plus
#             heap bytes per step and Pointer.totalBytes() growth at every configuration.
#   accuracy  10 epochs of Fashion-MNIST in Kiln (samples jar), PyTorch and DL4J.
#   cnn       the convolutional network of benchmarks/README.md at batch 128: JMH CnnStepBenchmark
#             (Kiln's step and its products alone, back to back), PyTorch's cnn_peer.py (default
#             and PASSIVE wait policy) and JMH Dl4jCnnStepBenchmark, ROUNDS alternating rounds
#             (DL4J in every round: one step takes seconds, so its rounds are few anyway); then
#             CnnProfile (time per op of Kiln's step) and cnn-summary.md. Not in the default.
#   gpt       the GPT step of benchmarks/README.md (nano and large, batch 12) in short paired
#             rounds, because this machine's speed drifts by minutes: per round and configuration,
#             Kiln's generated trainer (GptThroughput, 3 windows of 2 s after 2 s of warm-up) and
#             PyTorch's gpt_peer.py speed (the same windows, OMP_WAIT_POLICY=PASSIVE), the order
#             swapped every round; then the hand-written step's throughput once per round, and
#             gpt-summary.md (per-round ratios, their median and range). Not in the default.
# Usage: benchmarks/run.sh [speed] [profile] [accuracy] [cnn] [gpt]
#   (default: speed profile accuracy)
# Environment: ROUNDS (5), DL4J_ROUNDS (1), THREADS (nproc), PYTHON (/usr/bin/python3), NICE (0),
#   MAVEN_ARGS (extra Maven flags, e.g. -o), DATA (/usr/share/datasets/fashion-mnist),
#   BUILD (1; 0 uses the jars already in */target, e.g. from `mvn package -DskipTests`).
# Results: benchmarks/target/results/<time>/ (raw JMH JSON, PyTorch JSON lines, logs, summary.md).
set -euo pipefail
cd "$(dirname "$0")/.."

PARTS=("$@")
[ ${#PARTS[@]} -eq 0 ] && PARTS=(speed profile accuracy)
ROUNDS=${ROUNDS:-5}
DL4J_ROUNDS=${DL4J_ROUNDS:-1}
THREADS=${THREADS:-$(nproc)}
PYTHON=${PYTHON:-/usr/bin/python3}
DATA=${DATA:-/usr/share/datasets/fashion-mnist}
OUT=benchmarks/target/results/$(date +%Y%m%d-%H%M%S)
mkdir -p "$OUT"
has() { local p; for p in "${PARTS[@]}"; do [ "$p" = "$1" ] && return 0; done; return 1; }

if [ "${BUILD:-1}" != 0 ]; then
  echo "== build (mvn install -DskipTests)"
  mvn -q -B ${MAVEN_ARGS:-} install -DskipTests
fi
CP="benchmarks/target/kiln-benchmarks.jar:$(cat benchmarks/target/classpath.txt)"

# ND4J/DL4J use OpenMP: threads that sleep between ops instead of spinning are their best setting
# on few cores (docs/performance.md); Kiln's step calls OpenBLAS (pthreads) and no OpenMP op.
export OMP_WAIT_POLICY_JAVA=PASSIVE
# NICE (e.g. -10, needs root) runs every peer at a higher scheduling priority, so that other
# work on a shared machine disturbs the figures less; every peer gets the same treatment.
NICE=${NICE:-0}
prio() { if [ "$NICE" != 0 ]; then nice -n "$NICE" "$@"; else "$@"; fi; }
# ND4J sets both its OpenMP and OpenBLAS's thread counts from OMP_NUM_THREADS (docs/performance.md).
java_run() {
  OMP_NUM_THREADS=$THREADS OMP_WAIT_POLICY=$OMP_WAIT_POLICY_JAVA prio java -Xmx4g "$@"
}
load() { cut -d' ' -f1-3 /proc/loadavg; }
# Other busy processes (CPU% since start, and what they are), to judge the noise of a round.
busy() {
  ps -eo pid=,pcpu=,args= --sort=-pcpu | awk -v self=$$ '$2 > 20 && $1 != self {
    what = $3; for (i = 4; i <= NF; i++) if ($i ~ /^(dev|org)\./ || $i ~ /surefirebooter|plexus-classworlds|peer.py/) { what = $i; break }
    sub(/.*\//, "", what); printf "%s%% %s; ", $2, what }'
}

{
  echo "nproc: $(nproc)"
  echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')," \
    "$(grep -m1 -o -w 'avx512f' /proc/cpuinfo || grep -m1 -o -w 'avx2' /proc/cpuinfo)," \
    "$(lscpu 2>/dev/null | awk -F: '/^(L2|L3) cache|^Hypervisor/ {gsub(/^ +/, "", $2); printf "%s %s; ", $1, $2}')"
  echo "java: $(java -version 2>&1 | head -1)"
  echo "torch: $("$PYTHON" -c 'import torch; print(torch.__version__)' 2>/dev/null || echo missing)"
  echo "threads: $THREADS; Java peers with OMP_WAIT_POLICY=$OMP_WAIT_POLICY_JAVA; nice $NICE"
  echo "load average at start: $(load)"
} > "$OUT/machine.txt"

JMH=(-f 1 -wi 2 -w 1 -i 2 -r 1 -prof gc)
PARAMS=(-p batch=32,128,512 -p model=reference,wide)
if has speed; then
  for r in $(seq 1 "$ROUNDS"); do
    mkdir -p "$OUT/round-$r"
    echo "== round $r/$ROUNDS (load $(load)) busy: $(busy)" | tee -a "$OUT/noise.txt"
    # Kiln's step and its GEMMs alone one configuration at a time: the two forks of a
    # configuration run back to back, so that the step / GEMM ratio compares like with like on a
    # machine whose speed drifts over minutes.
    for m in reference wide; do
      for b in 32 128 512; do
        java_run -cp "$CP" org.openjdk.jmh.Main 'KilnStepBenchmark|GemmBenchmark' "${JMH[@]}" \
          -p model=$m -p batch=$b -rf json -rff "$OUT/round-$r/jmh-kiln-$m-$b.json" \
          > "$OUT/round-$r/jmh-kiln-$m-$b.log" 2>&1
      done
    done
    if [ "$r" -le "$DL4J_ROUNDS" ]; then
      java_run -cp "$CP" org.openjdk.jmh.Main 'Dl4jStepBenchmark' "${JMH[@]}" "${PARAMS[@]}" \
        -rf json -rff "$OUT/round-$r/jmh-dl4j.json" > "$OUT/round-$r/jmh-dl4j.log" 2>&1
    fi
    for policy in default PASSIVE; do
      if [ "$policy" = default ]; then
        env -u OMP_WAIT_POLICY nice -n "$NICE" "$PYTHON" benchmarks/pytorch/peer.py speed --threads "$THREADS" \
          > "$OUT/round-$r/pytorch-$policy.jsonl"
      else
        OMP_WAIT_POLICY=$policy prio "$PYTHON" benchmarks/pytorch/peer.py speed --threads "$THREADS" \
          > "$OUT/round-$r/pytorch-$policy.jsonl"
      fi
    done
  done
fi

if has profile; then
  echo "== profile (load $(load))" | tee -a "$OUT/noise.txt"
  java_run -cp "$CP" dev.kiln.benchmarks.StepProfile model=all batch=all steps=100 \
    2>/dev/null | grep -v '^\[main\] INFO' > "$OUT/profile.txt"
fi

if has accuracy; then
  echo "== accuracy: Kiln (load $(load))" | tee -a "$OUT/noise.txt"
  java_run -jar samples/target/kiln-samples.jar train --data "$DATA" --out "$OUT/kiln-run" \
    > "$OUT/accuracy-kiln.txt" 2>&1 || true
  echo "== accuracy: PyTorch (load $(load))" | tee -a "$OUT/noise.txt"
  prio "$PYTHON" benchmarks/pytorch/peer.py accuracy --threads "$THREADS" --data "$DATA" \
    > "$OUT/accuracy-pytorch.txt" 2>&1 || true
  echo "== accuracy: DL4J (load $(load))" | tee -a "$OUT/noise.txt"
  java_run -cp "$CP" dev.kiln.benchmarks.Dl4jFashionMnist "$DATA" > "$OUT/accuracy-dl4j.txt" 2>&1 || true
fi

if has cnn; then
  # Anchored names: JMH matches a regular expression anywhere in the benchmark's full name.
  CNN_JMH=(-f 1 -wi 2 -w 3 -i 3 -r 3 -prof gc)
  for r in $(seq 1 "$ROUNDS"); do
    mkdir -p "$OUT/cnn-round-$r"
    echo "== cnn round $r/$ROUNDS (load $(load)) busy: $(busy)" | tee -a "$OUT/noise.txt"
    java_run -cp "$CP" org.openjdk.jmh.Main '\.CnnStepBenchmark\.' "${CNN_JMH[@]}" \
      -rf json -rff "$OUT/cnn-round-$r/jmh-kiln.json" > "$OUT/cnn-round-$r/jmh-kiln.log" 2>&1
    for policy in default PASSIVE; do
      if [ "$policy" = default ]; then
        env -u OMP_WAIT_POLICY nice -n "$NICE" "$PYTHON" benchmarks/pytorch/cnn_peer.py speed \
          --batches 128 --threads "$THREADS" > "$OUT/cnn-round-$r/pytorch-$policy.jsonl"
      else
        OMP_WAIT_POLICY=$policy prio "$PYTHON" benchmarks/pytorch/cnn_peer.py speed \
          --batches 128 --threads "$THREADS" > "$OUT/cnn-round-$r/pytorch-$policy.jsonl"
      fi
    done
    java_run -cp "$CP" org.openjdk.jmh.Main '\.Dl4jCnnStepBenchmark\.' "${CNN_JMH[@]}" \
      -rf json -rff "$OUT/cnn-round-$r/jmh-dl4j.json" > "$OUT/cnn-round-$r/jmh-dl4j.log" 2>&1
  done
  echo "== cnn profile (load $(load))" | tee -a "$OUT/noise.txt"
  java_run -cp "$CP" dev.kiln.benchmarks.CnnProfile batch=128 steps=50 \
    2>/dev/null | grep -v '^\[main\] INFO' > "$OUT/cnn-profile.txt"
fi

if has gpt; then
  fail() { echo "$1 failed; its log: $2 (last lines below)" >&2; tail -5 "$2" >&2; exit 1; }
  for r in $(seq 1 "$ROUNDS"); do
    mkdir -p "$OUT/gpt-round-$r"
    echo "== gpt round $r/$ROUNDS (load $(load)) busy: $(busy)" | tee -a "$OUT/noise.txt"
    for config in nano large; do
      kiln() {
        java_run -Dkiln.threads="$THREADS" -cp "$CP" dev.kiln.benchmarks.GptThroughput \
          "configs=$config" trainer=generated >> "$OUT/gpt-round-$r/kiln.jsonl" \
          2>> "$OUT/gpt-round-$r/kiln.log" || fail "Kiln" "$OUT/gpt-round-$r/kiln.log"
      }
      torch() {
        OMP_WAIT_POLICY=PASSIVE prio "$PYTHON" benchmarks/pytorch/gpt_peer.py speed \
          --configs "$config" --threads "$THREADS" --windows 3 \
          >> "$OUT/gpt-round-$r/pytorch.jsonl" 2>> "$OUT/gpt-round-$r/pytorch.log" \
          || fail "PyTorch" "$OUT/gpt-round-$r/pytorch.log"
      }
      if [ $((r % 2)) = 1 ]; then kiln; torch; else torch; kiln; fi
    done
    java_run -Dkiln.threads="$THREADS" -cp "$CP" dev.kiln.benchmarks.GptThroughput trainer=hand \
      >> "$OUT/gpt-round-$r/kiln-hand.jsonl" 2>> "$OUT/gpt-round-$r/kiln-hand.log" \
      || fail "Kiln (hand-written)" "$OUT/gpt-round-$r/kiln-hand.log"
  done
fi

echo "load average at end: $(load)" >> "$OUT/machine.txt"
if has speed || has profile || has accuracy; then
  echo "== summary ($OUT/summary.md)"
  "$PYTHON" benchmarks/summarize.py "$OUT"
fi
if has cnn; then
  echo "== CNN summary ($OUT/cnn-summary.md)"
  "$PYTHON" benchmarks/cnn_summary.py "$OUT"
fi
if has gpt; then
  echo "== GPT summary ($OUT/gpt-summary.md)"
  "$PYTHON" benchmarks/gpt_summary.py "$OUT"
fi
