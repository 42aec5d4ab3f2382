#!/usr/bin/env bash
# Training throughput of MedDeblur at the paper's widths (official Adam + MSE; batch 16, 128x128 by default) in PyTorch
# and in the kit, back to back on the same machine, and the ratio. Needs Debian's python3-torch (apt-get install python3-torch).
# Usage: bench/pytorch/compare.sh [threads] [steps] [batch] [size]   (run from the repository root after `dotnet build`)
set -euo pipefail
threads=${1:-$(nproc)}
steps=${2:-3}
batch=${3:-16}
size=${4:-128}
cd "$(dirname "$0")/../.."
meddeblur=(dotnet src/MedDeblur.Cli/bin/Debug/net10.0/meddeblur.dll)
[ -n "${MEDDEBLUR:-}" ] && meddeblur=("$MEDDEBLUR")
py=$(/usr/bin/python3 bench/pytorch/meddeblur_reference.py --threads "$threads" --steps "$steps" --batch "$batch" --size "$size" --json)
py_nodaz=$(/usr/bin/python3 bench/pytorch/meddeblur_reference.py --threads "$threads" --steps "$steps" --batch "$batch" --size "$size" --no-flush-denormal --json)
kit=$("${meddeblur[@]}" bench train --model meddeblur --preset paper --batch "$batch" --size "$size" --steps "$steps" --json)
echo "pytorch (flush denormal):    $py"
echo "pytorch (no flush denormal): $py_nodaz"
echo "meddeblur.net:               $kit"
/usr/bin/python3 - "$py" "$kit" <<'PY'
import json, sys
py, kit = json.loads(sys.argv[1]), json.loads(sys.argv[2])
print(f"kit / pytorch images/s: {kit['images_per_s'] / py['images_per_s']:.2f} "
      f"({kit['images_per_s']:.2f} vs {py['images_per_s']:.2f}; median step {kit['step_ms_median']:.0f} ms vs {py['step_ms_median']:.0f} ms)")
PY
