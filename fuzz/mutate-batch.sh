#!/usr/bin/env bash
# A batch of mutated images through `meddeblur deblur`, as a user's damaged folder would be (fuzz/README.md):
#   fuzz/mutate-batch.sh [COUNT] [SEED]     default 2000 files, seed 1
# Sources: the image fuzz target's seeds (every format and variant, tiny) and the sample set (real sizes). Each file
# gets one mutation: flipped bytes, a cut, random bytes inserted or overwritten in the middle, a damaged header field,
# or none (a control). Checks: exit code 0 or 1 (never 2), every input is written or named in a "failed:"/"skipped:"
# line, and every file that decodes on its own is written.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
count=${1:-2000}
seed=${2:-1}
work=${WORK:-$(mktemp -d /tmp/meddeblur-mutate.XXXXXX)}
echo "work folder: $work"

dotnet build src/MedDeblur.Cli -c Release >/dev/null
cli="$root/src/MedDeblur.Cli/bin/Release/net10.0/meddeblur.dll"
fuzz/run.sh replay image /dev/null >/dev/null 2>&1 || true # builds fuzz/build/plain
plain="$root/fuzz/build/plain/MedDeblur.Fuzz.dll"
[ -d "$work/sources" ] || dotnet "$plain" image --make-seeds "$work/sources" >/dev/null
[ -f "$work/model/dncnn-weights-only.ckpt" ] || dotnet "$plain" checkpoint --make-seeds "$work/model" >/dev/null
find data/samples -name '*.png' -exec cp {} "$work/sources/" \;

python3 - "$work/sources" "$work/in" "$count" "$seed" <<'EOF'
import os, random, sys
src, out, count, seed = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
rng = random.Random(seed)
files = sorted(os.listdir(src))
os.makedirs(out, exist_ok=True)
kinds = ["flip", "flip8", "cut", "insert2000", "overwrite2000", "header", "none"]
for i in range(count):
    name = files[i % len(files)]
    data = bytearray(open(os.path.join(src, name), "rb").read())
    kind = kinds[rng.randrange(len(kinds))]
    n = len(data)
    if kind == "flip":
        p = rng.randrange(n); data[p] ^= 1 << rng.randrange(8)
    elif kind == "flip8":
        for _ in range(8):
            p = rng.randrange(n); data[p] = rng.randrange(256)
    elif kind == "cut":
        data = data[: rng.randrange(1, n)]
    elif kind == "insert2000":
        p = rng.randrange(n); data[p:p] = os.urandom(2000)
    elif kind == "overwrite2000":
        p = rng.randrange(max(1, n - 2000)); data[p:p + 2000] = bytes(rng.randrange(256) for _ in range(min(2000, n - p)))
    elif kind == "header":
        p = rng.randrange(min(n, 64)); data[p] = rng.choice([0, 0xFF, 0x7F, 0x80, rng.randrange(256)])
    stem, ext = os.path.splitext(name)
    open(os.path.join(out, f"{i:05d}-{kind}-{stem}{ext}"), "wb").write(data)
EOF

set +e
start=$(date +%s)
dotnet "$cli" deblur -c "$work/model/dncnn-weights-only.ckpt" -i "$work/in" -o "$work/out" --max-pixels 20000000 \
  >"$work/stdout.txt" 2>"$work/stderr.txt"
rc=$?
set -e
seconds=$(( $(date +%s) - start ))

python3 - "$work" "$rc" "$seconds" <<'EOF'
import os, re, sys
work, rc, seconds = sys.argv[1], int(sys.argv[2]), sys.argv[3]
inputs = sorted(os.listdir(os.path.join(work, "in")))
err = open(os.path.join(work, "stderr.txt"), encoding="utf-8", errors="replace").read()
named = set(re.findall(r"^(?:failed|skipped): (?:\S*/)?(\d{5}-[^:]*?): ", err, re.M))
named |= set(re.findall(r"^skipped: \S*/(\d{5}-\S+?): ", err, re.M))
written, failed, missing = 0, 0, []
for f in inputs:
    out = f if os.path.splitext(f)[1].lower() in (".png", ".tif", ".tiff") else f + ".png"
    if os.path.exists(os.path.join(work, "out", out)):
        written += 1
    elif f in named:
        failed += 1
    else:
        missing.append(f)
kinds = {}
for f in inputs:
    k = f.split("-")[1]
    kinds.setdefault(k, [0, 0])
    kinds[k][0 if os.path.exists(os.path.join(work, "out", f if os.path.splitext(f)[1].lower() in (".png", ".tif", ".tiff") else f + ".png")) else 1] += 1
print(open(os.path.join(work, "stdout.txt")).read().strip())
print(f"exit code {rc}; {len(inputs)} inputs in {seconds} s: {written} written, {failed} failed and named, {len(missing)} neither")
for k, (w, f) in sorted(kinds.items()):
    print(f"  {k:14s} {w:6d} written {f:6d} failed")
if "internal error" in err:
    print("internal error lines:", [l for l in err.splitlines() if "internal error" in l][:5])
for m in missing[:10]:
    print("  neither written nor named:", m)
controls_failed = kinds.get("none", [0, 0])[1]
if controls_failed:
    print(f"{controls_failed} unmutated control file(s) were not written")
sys.exit(0 if rc in (0, 1) and not missing and "internal error" not in err and not controls_failed else 1)
EOF
