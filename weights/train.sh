#!/usr/bin/env bash
# Trains the shipped weights (weights/README.md, docs/training.md): each network with the quick preset's recipe and a
# longer budget, one thread per run (the CPU minutes in the manifests are then comparable), resumable across sessions:
#   bash weights/train.sh [NETWORK[:STEPS]...]        (default: all seven networks with the budgets below)
# `meddeblur-restart` continues the exported MedDeblur with a warm restart (weights/recipes/quick-warm-restart.json) and
# `meddeblur-restart2` continues that with a third cycle (quick-warm-restart-2.json, the shipped MedDeblur since
# 2026-12-03; docs/training.md); each ships as the quick preset's entry, so the last one run is shipped. `meddeblur-mild`
# fine-tunes the shipped MedDeblur on milder blur (d 5-15 px, bench/downstream/quick-blur-5-15.json) for the downstream
# experiment (docs/downstream.md); it is not a preset's entry, so it stays a run folder (its best.ckpt is the weights).
# A run lives in weights/training/NETWORK-quick (options, log, environment and its checkpoints); a run that is already
# there is resumed from its latest checkpoint. A finished run is exported to weights/NETWORK-quick.{ckpt,json}.
# Sessions here end after 3 hours: commit the run folder (options, log, environment, best.ckpt and the latest
# step-*.ckpt; older step checkpoints can go) and the next session resumes it by running this script again.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${MEDDEBLUR_WEIGHT_RUNS:-weights/training}
# A copy of the CLI, so that rebuilding the kit while training never replaces the binary under a running process.
cli=${MEDDEBLUR_CLI:-src/MedDeblur.Cli/bin/Release/net10.0/meddeblur}
[ -x "$cli" ] || dotnet build -c Release src/MedDeblur.Cli -v q
jobs=("$@")
[ ${#jobs[@]} -gt 0 ] || jobs=(meddeblur:4000 meddeblur-restart meddeblur-restart2 srn:3600 meddeblur-sr:4000 meddeblur-base:6500 deepdeblur:4000 dncnn:12000 temimagenet:5000)
mkdir -p "$runs"
for job in "${jobs[@]}"; do
  net=${job%%:*}; steps=${job#*:}; [ "$steps" != "$job" ] || steps=4000
  folder="$runs/$net-quick"; ship=yes; export_args=()
  if [ "$net" = meddeblur-restart ] || [ "$net" = meddeblur-restart2 ]; then
    n=${net#meddeblur-restart}; folder="$runs/meddeblur-quick-restart$n"; export_args=(--as quick)
    fresh=(--model meddeblur --preset "weights/recipes/quick-warm-restart${n:+-$n}.json" --init weights/meddeblur-quick.ckpt --output "$folder")
  elif [ "$net" = meddeblur-mild ]; then
    folder="$runs/meddeblur-quick-mild"; ship=no
    fresh=(--model meddeblur --preset bench/downstream/quick-blur-5-15.json --init weights/meddeblur-quick.ckpt --steps 1600 --output "$folder")
  else
    fresh=(--model "$net" --preset quick --steps "$steps" --output "$folder")
  fi
  if ls "$folder/checkpoints"/step-*.ckpt >/dev/null 2>&1; then args=(--resume "$folder"); else args=("${fresh[@]}"); fi
  echo "== $net in $folder"
  OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 "$cli" train "${args[@]}"
  [ "$ship" = no ] || "$cli" weights export "$folder" "${export_args[@]}"
done
