#!/usr/bin/env bash
# Coverage-guided fuzzing of the kit's parsers with afl-fuzz and SharpFuzz (fuzz/README.md).
#   fuzz/run.sh TARGET [SECONDS]      TARGET: image | checkpoint | checkpoint-sealed | options; default 600 s
#   fuzz/run.sh replay TARGET FILE... run files through a target once (crash triage)
# Findings go to fuzz/findings/TARGET/ (git-ignored); crashes in fuzz/findings/TARGET/default/crashes/.
set -euo pipefail
caller=$(pwd)
cd "$(dirname "$0")"
here=$(pwd)

if ! command -v afl-fuzz >/dev/null; then
  echo "afl-fuzz is missing: apt-get install -y afl++ (Debian 12: afl++ 4.04c)" >&2; exit 1
fi

# build/plain: as built (seeds, replay); build/afl: the same with SharpFuzz's instrumentation (only runs under afl-fuzz)
# FUZZ_BUILD=DIR builds elsewhere, e.g. to rebuild one target while others keep fuzzing the current build
plain="${FUZZ_BUILD:-$here/build}/plain"
build="${FUZZ_BUILD:-$here/build}/afl"
if [ ! -f "$plain/MedDeblur.Fuzz.dll" ] || [ "${REBUILD:-0}" = 1 ]; then
  dotnet build MedDeblur.Fuzz/MedDeblur.Fuzz.csproj -c Release -o "$plain" >/dev/null
  rm -rf "$build"
fi
if [ "${1:-}" = "replay" ]; then
  shift; target=$1; shift
  files=(); for f in "$@"; do case "$f" in /*) files+=("$f") ;; *) files+=("$caller/$f") ;; esac; done
  exec dotnet "$plain/MedDeblur.Fuzz.dll" "$target" --replay "${files[@]}"
fi

target=${1:?usage: fuzz/run.sh image|checkpoint|checkpoint-sealed|options [SECONDS]}
seconds=${2:-600}

# 1. build once into fuzz/build and instrument the parsing code (SharpFuzz rewrites the IL to report branch coverage)
if [ ! -f "$build/.instrumented" ]; then
  dotnet tool restore >/dev/null
  mkdir -p "$build" && cp -a "$plain/." "$build/"
  # only the namespaces that parse bytes: the rest of the kit (networks, training) would only slow the fuzzer down
  dotnet sharpfuzz "$build/MedDeblur.Core.dll" MedDeblur.Imaging MedDeblur.ContentChecksum MedDeblur.Training.Checkpoint \
    MedDeblur.Networks.WeightsFile MedDeblur.Configuration
  dotnet sharpfuzz "$build/BitMiracle.LibTiff.NET.dll"
  touch "$build/.instrumented"
fi

# 2. the starting corpus: small valid files of every format/variant the target reads
seeds="$here/findings/$target/seeds"
if [ ! -d "$seeds" ]; then
  dotnet "$plain/MedDeblur.Fuzz.dll" "$target" --make-seeds "$seeds"
fi

# 3. dictionaries of format keywords shipped with afl++ (afl++-doc), when present
dicts=/usr/share/doc/afl++-doc/afl/dictionaries
dict="$here/findings/$target/target.dict"
case "$target" in
  image) parts="png jpeg tiff bmp webp" ;;
  options) parts="json" ;;
  *) parts="" ;;
esac
: > "$dict"
for p in $parts; do [ -f "$dicts/$p.dict" ] && cat "$dicts/$p.dict" >> "$dict"; done
dictarg=(); [ -s "$dict" ] && dictarg=(-x "$dict")

# 4. fuzz: the .NET heap is capped, so an input that makes a parser allocate without bound fails as a crash
export AFL_SKIP_BIN_CHECK=1 AFL_NO_UI=1 AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_NO_AFFINITY=1
export DOTNET_GCHeapHardLimit=0x30000000 DOTNET_TieredPGO=0
resume_or_seeds=(-i "$seeds"); [ -d "$here/findings/$target/default/queue" ] && resume_or_seeds=(-i -)
# /usr/bin/time reports the CPU time of afl-fuzz and its target process (the campaign's CPU-hours on a shared machine)
timer=(); [ -x /usr/bin/time ] && timer=(/usr/bin/time -f "cpu: %U s user + %S s system in %e s wall")
"${timer[@]}" afl-fuzz "${resume_or_seeds[@]}" -o "$here/findings/$target" -t 10000 -m none -V "$seconds" "${dictarg[@]}" \
  -- dotnet "$build/MedDeblur.Fuzz.dll" "$target" || true

stats="$here/findings/$target/default/fuzzer_stats"
if [ -f "$stats" ]; then
  grep -E '^(run_time|execs_done|execs_per_sec|corpus_count|saved_crashes|saved_hangs|bitmap_cvg|edges_found)' "$stats"
  echo "crashes: $here/findings/$target/default/crashes; replay them with: fuzz/run.sh replay $target FILE..."
fi
