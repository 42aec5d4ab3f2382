#!/usr/bin/env bash
# Training speed of MedDeblur at the paper's widths on each convolution path (environment/README.md, "Convolution
# self-check"), back to back in fresh processes, with Debian's PyTorch 1.13 on the same network and settings when
# python3-torch is installed. The self-check still runs in each process and reports whether the forced path is correct.
# Usage: bench/convolution-paths.sh [batch] [size] [steps]   (repository root, after `dotnet build -c Release src/MedDeblur.Cli`)
set -euo pipefail
batch=${1:-4}
size=${2:-64}
steps=${3:-3}
cd "$(dirname "$0")/.."
meddeblur=${MEDDEBLUR:-src/MedDeblur.Cli/bin/Release/net10.0/meddeblur}
export MEDDEBLUR_CONVOLUTION_CACHE=0
for path in onednn padded native; do
  verdict=$(MEDDEBLUR_CONVOLUTION=$path "$meddeblur" info 2>/dev/null | sed -n 's/^convolutions: //p' | cut -d';' -f1)
  result=$(MEDDEBLUR_CONVOLUTION=$path "$meddeblur" bench train --model meddeblur --preset paper --batch "$batch" --size "$size" --steps "$steps" --json 2>/dev/null)
  echo "kit $path: $result  [$verdict]"
done
if /usr/bin/python3 -c "import torch" 2>/dev/null; then
  echo "pytorch: $(/usr/bin/python3 bench/pytorch/meddeblur_reference.py --threads "$(nproc)" --steps "$steps" --batch "$batch" --size "$size" --json 2>/dev/null | tail -1)"
fi
