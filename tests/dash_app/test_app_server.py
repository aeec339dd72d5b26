"""The app through Flask's test client: only listed runs open, text stays text, what-if checks."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import dash_app
from dash_app_runs import DashCaller

HOSTILE_IDS = [
    "../../etc/passwd",
    "..%2f..%2fetc%2fpasswd",
    "%2e%2e%2f%2e%2e%2fetc%2fpasswd",
    "/etc/passwd",
    "..",
    ".",
    "../secret.txt",
    "notarun",        # a folder in the store without the run files
    ".hidden-run",    # hidden folder
    ".cache",         # the background-callback cache
    "",
]


def _route(dash_call, pathname: str, search: str = "") -> str:
    out = dash_call("page.children", {"id": "page", "property": "children"},
                    [{"id": "url", "property": "pathname", "value": pathname},
                     {"id": "url", "property": "search", "value": search}])
    return json.dumps(out["response"]["page"]["children"])


# ------------------------------------------------------------------------------ the store door
@pytest.mark.parametrize("run_id", HOSTILE_IDS)
def test_hostile_ids_not_found_on_api(client, run_id):
    for what in ("summary.json", "scenario.yaml"):
        r = client.get(f"/api/runs/{run_id}/{what}")
        assert b"root:" not in r.data and b"TOP-SECRET" not in r.data
        # not found, a redirect to a normalised URL, or (when the path no longer matches the API
        # route, e.g. '//etc/passwd') the app's own HTML shell — never a run's file
        assert r.status_code in (404, 308, 301) or (r.status_code == 200 and r.mimetype == "text/html"), \
            (run_id, what, r.status_code)
        if r.status_code in (308, 301):
            r2 = client.get(r.headers["Location"])
            assert r2.status_code == 404 or r2.mimetype == "text/html"


@pytest.mark.parametrize("run_id", HOSTILE_IDS)
def test_hostile_ids_not_found_on_pages(dash_call, run_id):
    from urllib.parse import quote

    for path, key in (("/playback", "run"), ("/whatif", "run")):
        text = _route(dash_call, path, f"?{key}={quote(run_id, safe='%')}")
        assert "root:" not in text and "TOP-SECRET" not in text
        if run_id:
            assert "not found" in text, (path, run_id, text[:300])
    text = _route(dash_call, "/compare", f"?a={quote(run_id, safe='%')}&b={quote(run_id, safe='%')}")
    assert "root:" not in text and "TOP-SECRET" not in text


def test_listed_run_opens(client, dash_call, store_runs):
    a = store_runs["a"]
    r = client.get(f"/api/runs/{a}/summary.json")
    assert r.status_code == 200 and r.get_json()["run_id"] == a
    ids = [s["run_id"] for s in client.get("/api/runs").get_json()]
    assert sorted(ids) == sorted([store_runs["a"], store_runs["b"]]) or set(ids) >= {store_runs["a"], store_runs["b"]}
    assert "notarun" not in ids and ".hidden-run" not in ids
    text = _route(dash_call, "/playback", f"?run={a}")
    assert "pb-data" in text and "not found" not in text


def test_store_resolve_uses_twin_store(store_runs):
    from dash_app.store import RunNotFound, RunStore

    s = RunStore(store_runs["dir"])
    assert s.resolve(store_runs["a"]) == (Path(store_runs["dir"]) / store_runs["a"]).resolve()
    for bad in HOSTILE_IDS + [None, 42, ["a"]]:
        with pytest.raises(RunNotFound):
            s.resolve(bad)


def test_scenario_text_is_text(client, dash_call, store_runs):
    a = store_runs["a"]
    r = client.get(f"/api/runs/{a}/scenario.yaml")
    assert r.status_code == 200 and r.mimetype == "text/plain"
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    out = _route(dash_call, "/playback", f"?run={a}")
    page = json.loads(out)

    def find(node, ident):
        if isinstance(node, dict):
            if node.get("props", {}).get("id") == ident:
                return node
            for v in node.get("props", {}).values():
                f = find(v, ident)
                if f:
                    return f
        if isinstance(node, list):
            for v in node:
                f = find(v, ident)
                if f:
                    return f
        return None

    pre = find(page, "pb-scenario")
    assert pre["type"] == "Pre" and pre["namespace"] == "dash_html_components"
    assert pre["props"]["children"] == r.get_data(as_text=True)


def test_no_raw_html_anywhere_in_the_app():
    src = Path(dash_app.__file__).parent
    for f in list(src.rglob("*.py")) + list(src.rglob("*.js")):
        text = f.read_text(encoding="utf-8")
        assert "dangerously_allow_html" not in text, f
        assert "innerHTML" not in text, f


def test_unknown_page_is_not_found(dash_call):
    assert "Page not found" in _route(dash_call, "/../../etc/passwd")


def test_default_run_on_root(store_runs):
    from dash_app import create_app

    app = create_app(store_runs["dir"], default_run=store_runs["b"])
    text = _route(DashCaller(app, app.server.test_client()), "/")
    assert store_runs["b"] in text and "pb-data" in text
    # a default run that is not listed falls back to the runs list
    app = create_app(store_runs["dir"], default_run="../../etc/passwd")
    text = _route(DashCaller(app, app.server.test_client()), "/")
    assert "runs-table" in text


# ------------------------------------------------------------------------------ what-if form
SCALAR_IDS = ["wi-battery-mw", "wi-battery-mwh", "wi-solar-mwp", "wi-lng-price", "wi-grid-mw"]


def _validate(dash_call, base, *, name="t", cooling=("air", "direct_to_chip"), chillers=(2, 2),
              gas=(("wartsila-18v50sg", 2),), scalars=(5, 10, 5, 11, 10), dispatch="baseline", err_fields=None,
              weather="base", period="base", host=None, confirm=False, pending=None):
    from dash_app.pages.whatif import field_paths, form_values

    err_fields = err_fields or field_paths(form_values(_scenario_text(dash_call, base)))
    outputs = [[{"id": {"type": "wi-err", "field": f}, "property": "children"} for f in err_fields],
               {"id": "wi-job", "property": "data"}, {"id": "wi-status", "property": "children"},
               {"id": "wi-pending", "property": "data"}, {"id": "wi-confirm-box", "property": "style"}]
    pm = lambda t, vals: [{"id": {"type": t, "index": k}, "property": "value", "value": v}  # noqa: E731
                          for k, v in enumerate(vals)]
    state = [{"id": "wi-base", "property": "value", "value": base},
             {"id": "wi-name", "property": "value", "value": name},
             pm("wi-hall-cooling", cooling), pm("wi-hall-chillers", chillers),
             pm("wi-gas-model", [g[0] for g in gas]), pm("wi-gas-count", [g[1] for g in gas]),
             *[{"id": i, "property": "value", "value": v} for i, v in zip(SCALAR_IDS, scalars)],
             {"id": "wi-dispatch", "property": "value", "value": dispatch},
             {"id": "wi-weather", "property": "value", "value": weather},
             {"id": "wi-period", "property": "value", "value": period},
             {"id": "wi-pending", "property": "data", "value": pending}]
    inputs = [{"id": "wi-launch", "property": "n_clicks", "value": 1},
              {"id": "wi-confirm", "property": "n_clicks", "value": 1 if confirm else 0}]
    out = dash_call("wi-job.data", outputs, inputs, state,
                    changed=["wi-confirm.n_clicks" if confirm else "wi-launch.n_clicks"])
    resp = out["response"]
    errors = {}
    for k, v in resp.items():
        if k.startswith("{"):
            field = json.loads(k)["field"]
            errors[field] = json.dumps(v["children"])
    return errors, resp


def _scenario_text(dash_call, run_id):
    return dash_call.client.get(f"/api/runs/{run_id}/scenario.yaml").get_data(as_text=True)


def test_whatif_valid_edits_make_a_job(dash_call, store_runs):
    errors, resp = _validate(dash_call, store_runs["a"], scalars=(10, 40, 20, 9, 10))
    assert all(v == "[]" for v in errors.values()), {k: v for k, v in errors.items() if v != "[]"}
    job = resp["wi-job"]["data"]
    assert job["dispatch"] == "baseline" and len(job["id"]) == 32
    assert set(job) == {"id", "dispatch"}  # the browser holds a token; the scenario stays on the server
    from dash_app.pages.whatif import _jobs
    from dash_app.store import RunStore

    text = _jobs(RunStore(store_runs["dir"])).get(job["id"])["text"]
    assert "energy_mwh: 40" in text and "capacity_mwp: 20" in text
    # two launches of the same edits are two jobs (two users never share one)
    _, resp2 = _validate(dash_call, store_runs["a"], scalars=(10, 40, 20, 9, 10))
    assert resp2["wi-job"]["data"]["id"] != job["id"]


def test_whatif_negative_battery_error_next_to_field(dash_call, store_runs):
    errors, resp = _validate(dash_call, store_runs["a"], scalars=(5, -5, 5, 11, 10))
    assert "wi-job" not in resp
    msg = errors["power.battery.energy_mwh"]
    assert "power.battery.energy_mwh: -5" in msg and "greater than or equal to 0" in msg
    assert errors["power.battery.power_mw"] == "[]"
    assert "problem" in json.dumps(resp["wi-status"])


def test_whatif_unknown_gas_model(dash_call, store_runs):
    errors, resp = _validate(dash_call, store_runs["a"], gas=(("no-such-turbine", 2),))
    assert "wi-job" not in resp
    msg = errors["power.gas_units[0].model"]
    assert "no-such-turbine" in msg and "unknown gas unit model" in msg and "wartsila-18v50sg" in msg


@pytest.mark.parametrize("scalars, field, words", [
    ((5, 10, -1, 11, 10), "power.solar.capacity_mwp", "greater than or equal to 0"),
    ((5, 10, 5, -3, 10), "fuel.lng_price_usd_per_mmbtu", "greater than or equal to 0"),
    ((5, 10, 5, 11, -10), "power.grid.capacity_mw", "greater than or equal to 0"),
    ((5, 0, 5, 11, 10), "power.battery", "both be zero or both positive"),
    ((None, 10, 5, 11, 10), "power.battery.power_mw", "valid number"),
])
def test_whatif_bad_scalars(dash_call, store_runs, scalars, field, words):
    errors, resp = _validate(dash_call, store_runs["a"], scalars=scalars)
    assert "wi-job" not in resp
    assert words in errors[field], (field, errors[field])


def test_whatif_bad_hall_and_count(dash_call, store_runs):
    errors, resp = _validate(dash_call, store_runs["a"], chillers=(0, 2), gas=(("wartsila-18v50sg", -1),))
    assert "wi-job" not in resp
    assert "greater than or equal to 1" in errors["halls[0].cooling.chillers"]
    assert "greater than or equal to 0" in errors["power.gas_units[0].count"]


def test_whatif_unknown_base_run(dash_call, store_runs):
    errors, resp = _validate(dash_call, "../../etc/passwd", err_fields=["(general)", "name"])
    assert "wi-job" not in resp
    assert "not found" in errors["(general)"]
