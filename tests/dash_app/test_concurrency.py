"""Many users at once: a burst of concurrent callbacks on a freshly started app (waitress, its own
process) across runs that are not cached yet.  Before the fix, netCDF files opened from several
threads at once crashed the process (segfault / bus error in libhdf5)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest

from dash_app.pages.compare import _num
from dash_app_runs import scenario_text

_SERVER = """
import sys
from dash_app import create_app, make_server
srv = make_server(create_app(sys.argv[1]), "127.0.0.1", 0, threads=8)
print(srv.effective_port, flush=True)
srv.run()
"""


@pytest.fixture(scope="module")
def four_runs(tmp_path_factory):
    import twin
    from twin.store import save_run

    store = tmp_path_factory.mktemp("burst") / "runs"
    ids = []
    for k in range(4):  # one day each, different solar: four different runs
        sc = twin.loads_scenario(scenario_text(name=f"burst-{k}", start="2025-06-01", days=1,
                                               edits={"power.solar.capacity_mwp": 10.0 * k}))
        ids.append(save_run(twin.simulate(sc), store).name)
    return store, ids


@pytest.fixture
def served(four_runs):
    store, ids = four_runs
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    proc = subprocess.Popen([sys.executable, "-c", _SERVER, str(store)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env)
    port = int(proc.stdout.readline())
    yield proc, port, store, ids
    proc.terminate()
    proc.wait(timeout=10)


def _find(node, pred):
    if isinstance(node, dict):
        if pred(node):
            yield node
        for v in node.values():
            yield from _find(v, pred)
    elif isinstance(node, list):
        for v in node:
            yield from _find(v, pred)


def _text(node) -> str:
    if isinstance(node, str):
        return node
    if isinstance(node, dict):
        return _text(node.get("props", {}).get("children", ""))
    if isinstance(node, list):
        return "".join(_text(v) for v in node)
    return "" if node is None else str(node)


def _post(port, body, host=None):
    headers = {"Content-Type": "application/json"}
    if host:
        headers["Host"] = host
    req = urllib.request.Request(f"http://127.0.0.1:{port}/_dash-update-component", data=json.dumps(body).encode(),
                                 headers=headers)
    t = time.perf_counter()
    try:
        with urllib.request.urlopen(req, timeout=120) as r:
            return r.status, json.loads(r.read()), time.perf_counter() - t
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode(), time.perf_counter() - t


def _compare_body(a, b):
    return {"output": "cmp-body.children", "outputs": {"id": "cmp-body", "property": "children"},
            "inputs": [{"id": "cmp-a", "property": "value", "value": a},
                       {"id": "cmp-b", "property": "value", "value": b}],
            "changedPropIds": ["cmp-a.value"]}


def test_64_concurrent_compare_callbacks_on_uncached_runs(served):
    from twin.store import read_summary

    proc, port, store, ids = served
    pairs = [(a, b) for a in ids for b in ids if a != b]          # 12 ordered pairs of 4 runs
    jobs = [pairs[k % len(pairs)] for k in range(64)]
    cost = {i: read_summary(store / i)["kpi"]["cost_usd"] for i in ids}
    assert len({_num(v, "USD") for v in cost.values()}) == 4, "the four runs must differ to tell answers apart"

    with ThreadPoolExecutor(16) as ex:
        answers = list(ex.map(lambda ab: (ab, *_post(port, _compare_body(*ab))), jobs))

    assert proc.poll() is None, f"server died: {proc.stderr.read()[-2000:]}"
    lat = []
    for (a, b), status, resp, dt in answers:
        assert status == 200, (status, str(resp)[:300])
        lat.append(dt)
        rows = list(_find(resp["response"]["cmp-body"]["children"],
                          lambda n: n.get("props", {}).get("data-kpi") == "cost_usd"))
        assert len(rows) == 1
        cells = [_text(c) for c in rows[0]["props"]["children"]]
        assert cells[2:4] == [_num(cost[a], "USD"), _num(cost[b], "USD")], (a, b, cells)
    p95 = float(np.percentile(lat, 95))
    print(f"\n64 concurrent compare callbacks on 4 uncached runs, 16 threads: p50 {np.median(lat):.2f} s, "
          f"p95 {p95:.2f} s, max {max(lat):.2f} s")


def test_foreign_host_refused(served):
    proc, port, store, ids = served
    status, text, _ = _post(port, _compare_body(ids[0], ids[1]), host="evil.example:80")
    assert status == 400
    assert text == "Host 'evil.example' refused: this server answers to 127.0.0.1, ::1, localhost only"
    status, _, _ = _post(port, _compare_body(ids[0], ids[1]), host=f"localhost:{port}")
    assert status == 200
