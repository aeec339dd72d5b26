"""What-if page: start from a stored run's scenario, change what engineers argue about, validate
through the scenario schema (each error shown next to its field), and launch the run in the
background with a progress bar.  The new run is saved under a fresh unique id and appears under
Runs when done.

Each launch carries its own random job id, so two users launching the same edits at the same
time get two background jobs and two runs (the background-callback cache key includes the job
id, and :func:`twin.store.save_run` writes atomically under a unique run id).
"""

from __future__ import annotations

import copy
import uuid
from urllib.parse import urlencode

import yaml
from dash import ALL, Input, Output, State, callback_context, dcc, html, no_update

from dash_app.store import RunNotFound, RunStore

COOLING_TYPES = ("air", "immersion", "direct_to_chip")
DISPATCH = ("baseline", "optimal")

#: scalar fields: (component id, scenario path, label, unit)
SCALAR_FIELDS = [
    ("wi-battery-mw", "power.battery.power_mw", "Battery power", "MW"),
    ("wi-battery-mwh", "power.battery.energy_mwh", "Battery energy", "MWh"),
    ("wi-solar-mwp", "power.solar.capacity_mwp", "Solar", "MWp"),
    ("wi-lng-price", "fuel.lng_price_usd_per_mmbtu", "LNG price", "USD/MMBtu"),
    ("wi-grid-mw", "power.grid.capacity_mw", "Grid capacity", "MW"),
]
#: where problems without a field of their own go
GENERAL = "(general)"


# ----------------------------------------------------------------------------- pure helpers
def _get(d: dict, path: str, default=None):
    cur = d
    for p in path.split("."):
        if not isinstance(cur, dict) or p not in cur:
            return default
        cur = cur[p]
    return cur


def _set(d: dict, path: str, value) -> None:
    parts = path.split(".")
    cur = d
    for p in parts[:-1]:
        if not isinstance(cur.get(p), dict):
            cur[p] = {}
        cur = cur[p]
    cur[parts[-1]] = value


def form_values(scenario_text: str) -> dict:
    """The editable values of a scenario (what the form starts from)."""
    data = yaml.safe_load(scenario_text) or {}
    halls = []
    for h in data.get("halls") or []:
        c = h.get("cooling") or {}
        halls.append({"name": h.get("name", ""), "cooling_type": c.get("type", "air"), "chillers": c.get("chillers")})
    gas = [{"model": g.get("model"), "count": g.get("count", 0)} for g in (_get(data, "power.gas_units") or [])]
    scalars = {path: _get(data, path) for _, path, _, _ in SCALAR_FIELDS}
    defaults = {"power.battery.power_mw": 0.0, "power.battery.energy_mwh": 0.0, "power.solar.capacity_mwp": 0.0,
                "fuel.lng_price_usd_per_mmbtu": 11.0, "power.grid.capacity_mw": 0.0}
    scalars = {k: (defaults[k] if v is None else v) for k, v in scalars.items()}
    return {"name": data.get("name", "scenario"), "halls": halls, "gas_units": gas, "scalars": scalars}


def apply_edits(scenario_text: str, edits: dict) -> str:
    """The scenario text with the form's edits applied (not validated here).

    ``edits``: ``name``; ``halls``: list of ``{"cooling_type", "chillers"}`` in the scenario's hall
    order; ``gas_units``: list of ``{"model", "count"}`` (a group with count 0 that was not in the
    scenario is left out); ``scalars``: scenario path → value.  Changing a hall's cooling type
    replaces its cooling block with the new type's defaults (plus ``chillers`` for chilled-water
    types); keeping the type keeps the block and updates ``chillers``.
    """
    data = copy.deepcopy(yaml.safe_load(scenario_text) or {})
    if edits.get("name"):
        data["name"] = edits["name"]
    for h, e in zip(data.get("halls") or [], edits.get("halls") or []):
        old = h.get("cooling") or {}
        new_type = e.get("cooling_type") or old.get("type")
        chillers = e.get("chillers")
        if new_type == old.get("type"):
            block = dict(old)
        else:
            block = {"type": new_type}
        if new_type in ("air", "direct_to_chip"):
            if chillers is not None or new_type == "air":
                block["chillers"] = chillers
        h["cooling"] = block
    if "gas_units" in edits:
        old_groups = _get(data, "power.gas_units") or []
        groups = []
        for k, e in enumerate(edits["gas_units"]):
            g = dict(old_groups[k]) if k < len(old_groups) else {}
            if k >= len(old_groups) and not e.get("count"):
                continue
            g["model"] = e.get("model")
            g["count"] = e.get("count")
            if g.get("initial_on") is not None and isinstance(e.get("count"), int) and g["initial_on"] > e["count"]:
                g["initial_on"] = e["count"]
            groups.append(g)
        _set(data, "power.gas_units", groups)
    for path, v in (edits.get("scalars") or {}).items():
        _set(data, path, v)
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)


def problem_path(problem: str) -> str:
    """The field path a :class:`twin.scenario.ScenarioError` line starts with."""
    return problem.split(": ", 1)[0].strip()


def problems_by_field(problems: list[str], fields: list[str]) -> dict[str, list[str]]:
    """Attach each problem line to the most specific form field whose path contains it.

    A problem at ``power.battery.energy_mwh`` goes to that field; one at
    ``halls[0].cooling.chiller_model`` to ``halls[0].cooling``; anything else to
    :data:`GENERAL`.
    """
    out: dict[str, list[str]] = {f: [] for f in fields}
    out.setdefault(GENERAL, [])
    for line in problems:
        p = problem_path(line)
        best = None
        for f in fields:
            if p == f or p.startswith(f + ".") or p.startswith(f + "["):
                if best is None or len(f) > len(best):
                    best = f
        out[best or GENERAL].append(line)
    return out


def field_paths(values: dict) -> list[str]:
    """Every field path the form shows an error slot for."""
    paths = ["name"]
    for k in range(len(values["halls"])):
        paths += [f"halls[{k}].cooling", f"halls[{k}].cooling.chillers", f"halls[{k}]"]
    for k in range(max(len(values["gas_units"]), 1)):
        paths += [f"power.gas_units[{k}]", f"power.gas_units[{k}].model", f"power.gas_units[{k}].count"]
    paths += ["power.gas_units", "power.battery", "power.grid", "power.solar", "fuel"]
    paths += [path for _, path, _, _ in SCALAR_FIELDS]
    return paths


def _number(v):
    """A number input's value: int when whole, else float; None stays None (the schema says why)."""
    if v is None or v == "":
        return None
    try:
        f = float(v)
    except (TypeError, ValueError):
        return v
    return int(f) if f.is_integer() else f


# ----------------------------------------------------------------------------- layout
def _err(path: str) -> html.Div:
    return html.Div(id={"type": "wi-err", "field": path}, className="field-error")


def _gas_models() -> list[str]:
    try:
        from twin import catalog

        return list(catalog.names("gas_units"))
    except Exception:  # noqa: BLE001 - catalogue unavailable: free text, the schema checks it
        return []


def form(values: dict) -> html.Div:
    rows = [html.Div([html.Label("Run name", htmlFor="wi-name"),
                      dcc.Input(id="wi-name", type="text", value=f"{values['name']}-whatif", debounce=False),
                      _err("name")], className="field")]
    rows.append(html.H4("Halls"))
    for k, h in enumerate(values["halls"]):
        rows.append(html.Div([
            html.Span(h["name"], className="hall-name"),
            html.Label("cooling"),
            dcc.Dropdown(id={"type": "wi-hall-cooling", "index": k}, options=list(COOLING_TYPES),
                         value=h["cooling_type"], clearable=False, className="small-dd"),
            html.Label("chillers"),
            dcc.Input(id={"type": "wi-hall-chillers", "index": k}, type="number", value=h["chillers"],
                      className="num-input"),
            _err(f"halls[{k}]"), _err(f"halls[{k}].cooling"), _err(f"halls[{k}].cooling.chillers"),
        ], className="field"))
    rows.append(html.H4("Gas units"))
    models = _gas_models()
    gas = values["gas_units"] or [{"model": models[0] if models else None, "count": 0}]
    for k, g in enumerate(gas):
        model_input = (dcc.Dropdown(id={"type": "wi-gas-model", "index": k},
                                    options=sorted(set(models) | ({g["model"]} if g["model"] else set())),
                                    value=g["model"], clearable=False, className="small-dd")
                       if models else dcc.Input(id={"type": "wi-gas-model", "index": k}, type="text", value=g["model"]))
        rows.append(html.Div([
            html.Label("model"), model_input,
            html.Label("count"), dcc.Input(id={"type": "wi-gas-count", "index": k}, type="number", value=g["count"],
                                           className="num-input"),
            _err(f"power.gas_units[{k}]"), _err(f"power.gas_units[{k}].model"), _err(f"power.gas_units[{k}].count"),
        ], className="field"))
    rows.append(_err("power.gas_units"))
    rows.append(html.H4("Battery, solar, grid, fuel"))
    for cid, path, lab, unit in SCALAR_FIELDS:
        rows.append(html.Div([html.Label(f"{lab} [{unit}]", htmlFor=cid),
                              dcc.Input(id=cid, type="number", value=values["scalars"][path], className="num-input"),
                              _err(path)], className="field"))
    for group in ("power.battery", "power.grid", "power.solar", "fuel"):
        rows.append(_err(group))
    rows.append(_err(GENERAL))
    return html.Div(rows)


def layout(store: RunStore, run: str | None = None, **_query) -> html.Div:
    runs = store.list()
    ids = [s["run_id"] for s in runs]
    if not ids:
        return html.Div([html.H2("What-if"), html.P("No stored run to start from.")])
    if run is not None and run not in ids:
        from dash_app.pages.playback import not_found

        return not_found(run)
    base = run or ids[0]
    return html.Div([
        html.H2("What-if"),
        html.Div([html.Label("Start from run", htmlFor="wi-base"),
                  dcc.Dropdown(id="wi-base", options=ids, value=base, clearable=False, className="run-pick")],
                 className="field"),
        html.Div(form(form_values(store.scenario_text(base))), id="wi-form"),
        html.Div([html.Label("Dispatch"),
                  dcc.RadioItems(id="wi-dispatch", options=list(DISPATCH), value="baseline", inline=True)],
                 className="field"),
        html.Button("Launch", id="wi-launch", n_clicks=0, className="button"),
        html.Div(id="wi-status", className="status"),
        html.Div([html.Progress(id="wi-progress", value="0", max="100"),
                  html.Span(id="wi-progress-label", className="progress-label")], className="progress"),
        html.Div(id="wi-result"),
        dcc.Store(id="wi-job"),
    ])


def register(app, store: RunStore) -> None:
    @app.callback(Output("wi-form", "children"), Input("wi-base", "value"), prevent_initial_call=True)
    def _base(run_id):
        try:
            return form(form_values(store.scenario_text(run_id)))
        except RunNotFound:
            return html.P(f"Run {str(run_id)!r} not found.")

    @app.callback(
        Output({"type": "wi-err", "field": ALL}, "children"), Output("wi-job", "data"), Output("wi-status", "children"),
        Input("wi-launch", "n_clicks"),
        State("wi-base", "value"), State("wi-name", "value"),
        State({"type": "wi-hall-cooling", "index": ALL}, "value"),
        State({"type": "wi-hall-chillers", "index": ALL}, "value"),
        State({"type": "wi-gas-model", "index": ALL}, "value"),
        State({"type": "wi-gas-count", "index": ALL}, "value"),
        *[State(cid, "value") for cid, _, _, _ in SCALAR_FIELDS],
        State("wi-dispatch", "value"),
        prevent_initial_call=True)
    def _validate(_n, base, name, cooling, chillers, gas_model, gas_count, *rest):
        scalars, dispatch = rest[:-1], rest[-1]
        err_ids = [o["id"]["field"] for o in callback_context.outputs_list[0]]
        text, problems = validate_edits(store, base, name, cooling, chillers, gas_model, gas_count, scalars)
        slots = problems_by_field(problems, err_ids)
        errors = [[html.Div(p) for p in slots.get(f, [])] for f in err_ids]
        if problems:
            return errors, no_update, html.Span(f"{len(problems)} problem(s): fix the marked fields.",
                                                className="bad")
        if dispatch not in DISPATCH:
            return errors, no_update, html.Span(f"dispatch {dispatch!r} — use baseline or optimal", className="bad")
        job = {"id": uuid.uuid4().hex, "text": text, "dispatch": dispatch}
        return errors, job, "Valid — launching…"

    @app.callback(
        Output("wi-result", "children"), Input("wi-job", "data"),
        background=True, prevent_initial_call=True,
        progress=[Output("wi-progress", "value"), Output("wi-progress-label", "children")],
        running=[(Output("wi-launch", "disabled"), True, False)])
    def _launch(set_progress, job):
        return launch(store, job, lambda stage, frac: set_progress((str(int(round(100 * frac))), stage)))


def validate_edits(store: RunStore, base: str, name, cooling, chillers, gas_model, gas_count,
                   scalars) -> tuple[str | None, list[str]]:
    """Apply the form's values to the base run's scenario and validate it with the schema.

    Returns ``(scenario_text, problems)``; ``problems`` are :class:`twin.scenario.ScenarioError`
    lines (field path first).
    """
    from twin.scenario import ScenarioError, loads_scenario

    try:
        base_text = store.scenario_text(base)
    except RunNotFound:
        return None, [f"{GENERAL}: run {str(base)!r} not found"]
    edits = {
        "name": name,
        "halls": [{"cooling_type": c, "chillers": _number(n)} for c, n in zip(cooling, chillers)],
        "gas_units": [{"model": m, "count": _number(c)} for m, c in zip(gas_model, gas_count)],
        "scalars": {path: _number(v) for (_, path, _, _), v in zip(SCALAR_FIELDS, scalars)},
    }
    text = apply_edits(base_text, edits)
    try:
        loads_scenario(text, source="what-if")
    except ScenarioError as e:
        return text, list(e.problems)
    return text, []


def launch(store: RunStore, job: dict, progress) -> html.Div:
    """Run a validated what-if (in the background worker) and save it; the result message."""
    import twin
    from twin.scenario import ScenarioError, loads_scenario

    if not job or not job.get("text"):
        return no_update

    def stage(name: str, frac: float) -> None:  # the pipeline's 0..1 maps onto 0..95 %
        progress(name if name != "done" else "settled", 0.95 * frac)

    try:
        sc = loads_scenario(job["text"], source="what-if")
        stage("starting", 0.0)
        if job.get("dispatch") == "optimal":
            ds = twin.optimise(sc, progress=stage, threads=1)
        else:
            ds = twin.simulate(sc, progress=stage)
        progress("saving", 0.97)
        run_id = store.save(ds)
        progress("done", 1.0)
    except ScenarioError as e:
        return html.Div([html.Div(p) for p in e.problems], className="bad", id="wi-failed")
    except Exception as e:  # noqa: BLE001 - show any failure as text, never a traceback page
        return html.Div(f"Run failed: {type(e).__name__}: {e}", className="bad", id="wi-failed")
    return html.Div(["Run ", dcc.Link(run_id, href="/playback?" + urlencode({"run": run_id}), id="wi-new-run"),
                     " finished and saved — it is listed under ", dcc.Link("Runs", href="/runs"), "."],
                    className="good", id="wi-done", **{"data-run-id": run_id})
