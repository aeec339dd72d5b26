#!/usr/bin/env bash
# CI: build the wheel, install it with the app extra into a fresh venv OUTSIDE the checkout, and run
# `twin scenarios`, `twin run default`, `twin report` and `twin app` (one HTTP request to 127.0.0.1, then stopped)
# from a temporary folder — proving the data ships inside the distribution.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
PY=${PYTHON:-python3}
work=$(mktemp -d "${TMPDIR:-/tmp}/twin-wheel.XXXXXX")
app_pid=
cleanup() { if [ -n "$app_pid" ]; then kill "$app_pid" 2>/dev/null || true; wait "$app_pid" 2>/dev/null || true; fi
            rm -rf "$work"; }
trap cleanup EXIT

"$PY" -m pip wheel "$repo" --no-deps -q -w "$work/dist" 2>"$work/build.log" || { cat "$work/build.log" >&2; exit 1; }
wheel=$(ls "$work"/dist/campus_twin-*.whl)
"$PY" -m venv "$work/venv"
"$work/venv/bin/python" -m pip install -q --upgrade pip >/dev/null
"$work/venv/bin/python" -m pip install -q "${wheel}[app]"

cd "$work"  # nothing of the checkout on the path from here
export OMP_NUM_THREADS=1
where=$("$work/venv/bin/python" -c "import twin, twin.paths; print(twin.__file__, twin.paths.DATASETS_DIR)")
case "$where" in "$repo"*|*" $repo"*) echo "check_wheel: the installed twin reads the checkout: $where" >&2; exit 1;; esac
"$work/venv/bin/twin" --version
"$work/venv/bin/twin" scenarios | tee scenarios.txt
grep -q '^default ' scenarios.txt
"$work/venv/bin/twin" run default -q -o runs
ls runs/*/run.nc >/dev/null
"$work/venv/bin/twin" report runs/* -o report.html  # the Jinja2 templates and plotly.js ship in the wheel
grep -q 'id="summary-table"' report.html && grep -q 'plotly.js (cartesian' report.html

port=$("$work/venv/bin/python" -c "import socket; s=socket.socket(); s.bind(('127.0.0.1', 0)); print(s.getsockname()[1])")
"$work/venv/bin/twin" app --runs runs --host 127.0.0.1 --port "$port" >app.log 2>&1 &
app_pid=$!
"$work/venv/bin/python" - "$port" <<'PY'
import sys, time, urllib.request
url = f"http://127.0.0.1:{sys.argv[1]}/"
for _ in range(120):
    try:
        with urllib.request.urlopen(url, timeout=5) as r:
            body = r.read().decode()
            assert r.status == 200 and "Campus Twin" in body, (r.status, body[:200])
            print(f"twin app answered {url} with HTTP {r.status}")
            break
    except OSError:
        time.sleep(0.5)
else:
    sys.exit(f"twin app did not answer on {url}")
PY
echo "check_wheel: ok ($(basename "$wheel"))"
