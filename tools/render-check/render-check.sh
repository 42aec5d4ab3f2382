#!/usr/bin/env bash
# Renders the HTML outputs of executed notebooks the way a notebook front end shows them (all outputs of a notebook in
# one page, scripts run, so plotly.js embedded in the first chart serves the later ones) in headless Chromium with every
# host blocked, and counts the charts and tables that were drawn. Not part of the tests (Chromium is not a kit
# dependency): a check of what `dotnet test` cannot see, notebooks/README.md "Checking the executed notebooks".
#   tools/render-check/render-check.sh EXECUTED.ipynb...
set -euo pipefail
browser=$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)
[ -n "$browser" ] || { echo "needs Chromium (apt-get install -y chromium)" >&2; exit 1; }
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
for notebook in "$@"; do
  page="$work/$(basename "$notebook" .ipynb).html"
  python3 - "$notebook" "$page" <<'PY'
import json, sys
cells = json.load(open(sys.argv[1]))["cells"]
html = [o["data"]["text/html"] for c in cells for o in c.get("outputs", []) if "text/html" in o.get("data", {})]
html = ["".join(h) if isinstance(h, list) else h for h in html]
open(sys.argv[2], "w").write("<html><body>" + "\n".join(f"<div class='output'>{h}</div>" for h in html) + "</body></html>")
PY
  dom=$(timeout 180 "$browser" --headless --no-sandbox --disable-gpu --host-resolver-rules="MAP * ~NOTFOUND" \
        --virtual-time-budget=15000 --dump-dom "file://$page" 2>/dev/null)
  echo "$(basename "$notebook"): $(grep -o 'class="plot-container' <<<"$dom" | wc -l) charts drawn, $(grep -o '<table' <<<"$dom" | wc -l) tables, $(grep -o '<img' <<<"$dom" | wc -l) images"
done
