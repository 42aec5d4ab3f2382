#!/usr/bin/env bash
# Learning curves for choosing the CPU training recipe (docs/training.md, issue 10).
# Trains MedDeblur (quick widths) under each recipe in this folder, two runs at a time with one thread each (the x axis is
# training CPU time, fair between runs that share the machine), then draws the curves and prints the table:
#   bash bench/learning-curves/run.sh [RUNS_DIR] [RECIPE...]      (default runs/learning-curves, every lc-*.json)
# A run folder that already holds a run is resumed, so the script can be stopped and started again.
set -euo pipefail
cd "$(dirname "$0")/../.."
out=${1:-runs/learning-curves}; shift || true
recipes=("$@"); [ ${#recipes[@]} -gt 0 ] || recipes=(bench/learning-curves/lc-*.json)
# A copy of the CLI, so that rebuilding the kit while the curves run never replaces the binary under a running process.
cli=${MEDDEBLUR_CLI:-src/MedDeblur.Cli/bin/Release/net10.0/meddeblur}
[ -x "$cli" ] || dotnet build -c Release src/MedDeblur.Cli -v q
mkdir -p "$out"
train() {
  local recipe=$1 name; name=$(basename "$recipe" .json)
  local args=(--model meddeblur --preset "$recipe" --output "$out/$name")
  [ -f "$out/$name/options.json" ] && ls "$out/$name/checkpoints"/step-*.ckpt >/dev/null 2>&1 && args=(--resume "$out/$name")
  OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 nice -n 5 "$cli" train "${args[@]}" > "$out/$name.out" 2>&1 || echo "$name failed: see $out/$name.out"
}
pids=()
for recipe in "${recipes[@]}"; do
  train "$recipe" & pids+=($!)
  if [ ${#pids[@]} -ge 2 ]; then wait "${pids[0]}"; pids=("${pids[@]:1}"); fi
done
wait
"$cli" curves "$out"/lc-*/ --output "$out/learning-curves.png"
