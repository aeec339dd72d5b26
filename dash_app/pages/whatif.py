"""What-if page: start from a stored run's scenario, change what engineers argue about, validate
through the scenario schema (each error shown next to its field), and launch the run in the
background with a progress bar.  The new run is saved under a fresh unique id and appears under
Runs when done.

What the server launches, the server checks: a job is built on the server from the base run's
stored scenario and the form's fields only (never taken whole from the request), validated by
building a :class:`twin.scenario.Scenario` (its engineering bounds, read for display from
``Scenario.model_json_schema()``), and kept on the server under a random token; the browser
holds only the token, and the background launch runs only a job this check issued.  Weather is
chosen from those the datasets or the store hold (a key, never a path); the period is the base
run's or one of a few bounded choices.

Each launch carries its own random job id, so two users launching the same edits at the same
time get two background jobs and two runs (the background-callback cache key includes the job
id, and :func:`twin.store.save_run` writes atomically under a unique run id).
"""

from __future__ import annotations

import copy
import functools
import math
import uuid
from pathlib import Path
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
#: where each form field's bounds live in the scenario's JSON schema: path → ($defs model, property)
SCHEMA_FIELDS = {
    "power.battery.power_mw": ("Battery", "power_mw"),
    "power.battery.energy_mwh": ("Battery", "energy_mwh"),
    "power.solar.capacity_mwp": ("Solar", "capacity_mwp"),
    "fuel.lng_price_usd_per_mmbtu": ("Fuel", "lng_price_usd_per_mmbtu"),
    "power.grid.capacity_mw": ("Grid", "capacity_mw"),
    "chillers": ("AirCooling", "chillers"),
    "gas_count": ("GasUnits", "count"),
}
#: where problems without a field of their own go
GENERAL = "(general)"
#: the longest run name accepted
NAME_MAX = 80
#: the period choices offered besides the base run's own: key → (label, days from its start)
PERIOD_CHOICES = {"first-day": ("first day of the base period", 1), "first-week": ("first week of the base period", 7)}


# ----------------------------------------------------------------------------- schema bounds
@functools.lru_cache(maxsize=1)
def schema_defs() -> dict:
    """``Scenario.model_json_schema()["$defs"]`` (types without a JSON form, e.g. timestamps, left open)."""
    from pydantic.json_schema import GenerateJsonSchema

    from twin.scenario import Scenario

    class _Lenient(GenerateJsonSchema):
        def handle_invalid_for_json_schema(self, schema, error_info):
            return {}

    return Scenario.model_json_schema(schema_generator=_Lenient).get("$defs", {})


def bounds(field: str) -> tuple[float | None, float | None]:
    """(minimum, maximum) of a form field from the scenario schema (None where unbounded)."""
    model, prop = SCHEMA_FIELDS[field]
    spec = schema_defs().get(model, {}).get("properties", {}).get(prop, {})
    for alt in spec.get("anyOf", []):  # optional numbers: the bounds sit on the number branch
        if "maximum" in alt or "minimum" in alt:
            spec = alt
    lo = spec.get("minimum", spec.get("exclusiveMinimum"))
    hi = spec.get("maximum", spec.get("exclusiveMaximum"))
    return lo, hi


def bound_text(field: str, unit: str = "") -> str:
    """The bounds shown next to a field, e.g. ``0 – 10,000 MW``."""
    lo, hi = bounds(field)
    f = lambda v: f"{v:,.0f}" if float(v).is_integer() else f"{v:,g}"  # noqa: E731
    u = f" {unit}" if unit else ""
    if lo is None and hi is None:
        return ""
    if hi is None:
        return f"≥ {f(lo)}{u}"
    if lo is None:
        return f"≤ {f(hi)}{u}"
    return f"{f(lo)} – {f(hi)}{u}"


# ----------------------------------------------------------------------------- server-side choices
def weather_choices(store: RunStore) -> dict[str, dict]:
    """The weather a what-if may use: key → scenario ``site.weather`` block.

    ``base`` keeps the base run's weather; ``typical:SITE`` is a typical year of the weather
    catalogue; ``epw:NAME`` is an EPW file under ``datasets/weather`` or the store's ``weather``
    folder.  The browser sends a key; a path never comes from it.
    """
    from twin import weather
    from twin.paths import DATASETS_DIR

    out: dict[str, dict] = {"base": {}}
    for site in weather.weather_sites()["site_id"]:
        out[f"typical:{site}"] = {"source": "typical", "site_id": str(site)}
    for folder in (DATASETS_DIR / "weather", Path(store.runs_dir) / "weather"):
        if folder.is_dir():
            for f in sorted(folder.glob("*.epw")):
                out.setdefault(f"epw:{f.name}", {"source": "epw", "path": str(f.resolve())})
    return out


def period_choices(base_period: dict) -> dict[str, dict]:
    """The periods a what-if may use: ``base`` (the base run's) and shorter starts of it."""
    import pandas as pd

    out = {"base": dict(base_period)}
    try:
        start, end = pd.Timestamp(str(base_period["start"])), pd.Timestamp(str(base_period["end"]))
    except (KeyError, ValueError, TypeError):
        return out
    for key, (_, days) in PERIOD_CHOICES.items():
        new_end = start + pd.Timedelta(days=days)
        if new_end < end:
            out[key] = {**base_period, "end": str(new_end.date()) if new_end == new_end.normalize() else str(new_end)}
    return out


def _jobs(store: RunStore):
    """The server's issued what-if jobs (token → job), shared with the background workers."""
    import diskcache

    return diskcache.Cache(str(Path(store.cache_dir) / "whatif-jobs"))


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
    return {"name": data.get("name", "scenario"), "halls": halls, "gas_units": gas, "scalars": scalars,
            "period": dict(data.get("period") or {}), "weather": dict(_get(data, "site.weather") or {})}


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
    if edits.get("weather"):
        _set(data, "site.weather", dict(edits["weather"]))
    if edits.get("period"):
        data["period"] = dict(edits["period"])
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
    paths += ["power.gas_units", "power.battery", "power.grid", "power.solar", "fuel", "site.weather", "period"]
    paths += [path for _, path, _, _ in SCALAR_FIELDS]
    return paths


def _number(v):
    """A number input's value: int when whole, else float; None stays None (the schema says why)."""
    if v is None or v == "":
        return None
    if isinstance(v, bool):
        return v
    try:
        f = float(v)
    except (TypeError, ValueError, OverflowError):
        return v
    if not math.isfinite(f) or abs(f) > 2 ** 53:  # non-finite or beyond exact integers: the schema says why
        return f
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


def _bound(field: str, unit: str, cid: str) -> html.Span:
    return html.Span(bound_text(field, unit), id=f"{cid}-bound", className="bound")


def form(values: dict, weather_options: list | None = None, period_options: list | None = None) -> html.Div:
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
            html.Span(bound_text("chillers"), className="bound"),
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
            html.Span(bound_text("gas_count"), className="bound"),
            _err(f"power.gas_units[{k}]"), _err(f"power.gas_units[{k}].model"), _err(f"power.gas_units[{k}].count"),
        ], className="field"))
    rows.append(_err("power.gas_units"))
    rows.append(html.H4("Battery, solar, grid, fuel"))
    for cid, path, lab, unit in SCALAR_FIELDS:
        rows.append(html.Div([html.Label(f"{lab} [{unit}]", htmlFor=cid),
                              dcc.Input(id=cid, type="number", value=values["scalars"][path], className="num-input"),
                              _bound(path, unit, cid), _err(path)], className="field"))
    for group in ("power.battery", "power.grid", "power.solar", "fuel"):
        rows.append(_err(group))
    rows.append(html.H4("Weather and period"))
    rows.append(html.Div([html.Label("weather", htmlFor="wi-weather"),
                          dcc.Dropdown(id="wi-weather", options=weather_options or [{"label": "base run's", "value": "base"}],
                                       value="base", clearable=False, className="small-dd"),
                          _err("site.weather")], className="field"))
    rows.append(html.Div([html.Label("period", htmlFor="wi-period"),
                          dcc.Dropdown(id="wi-period", options=period_options or [{"label": "base run's", "value": "base"}],
                                       value="base", clearable=False, className="small-dd"),
                          _err("period")], className="field"))
    rows.append(_err(GENERAL))
    return html.Div(rows)


def _form_for(store: RunStore, run_id: str) -> html.Div:
    values = form_values(store.scenario_text(run_id))
    w = values["weather"]
    here = w.get("site_id") or Path(str(w.get("path", ""))).name or "?"
    weather_opts = [{"label": f"base run's ({here})", "value": "base"}] + [
        {"label": k.split(":", 1)[1] + (" (typical year)" if k.startswith("typical:") else " (EPW)"), "value": k}
        for k in weather_choices(store) if k != "base"]
    per = values["period"]
    period_opts = [{"label": f"base run's ({per.get('start')} → {per.get('end')}, {per.get('step', '1h')})",
                    "value": "base"}] + [
        {"label": PERIOD_CHOICES[k][0], "value": k} for k in period_choices(per) if k != "base"]
    return form(values, weather_opts, period_opts)


def layout(store: RunStore, run: str | None = None, **_query) -> html.Div:
    from dash_app.pages.compare import run_label

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
                  dcc.Dropdown(id="wi-base", options=[{"label": run_label(s), "value": s["run_id"]} for s in runs],
                               value=base, clearable=False, className="run-pick")],
                 className="field"),
        html.Div(_form_for(store, base), id="wi-form"),
        html.Div([html.Label("Dispatch"),
                  dcc.RadioItems(id="wi-dispatch", options=list(DISPATCH), value="baseline", inline=True)],
                 className="field"),
        html.Button("Launch", id="wi-launch", n_clicks=0, className="button"),
        dcc.Loading(html.Div(id="wi-status", className="status"), delay_show=150),
        # shown when the scenario's checks flag the edits: nothing runs until "Launch anyway"
        html.Div([html.Button("Launch anyway", id="wi-confirm", n_clicks=0, className="button warn-button"),
                  html.Span(" or change the fields and press Launch again.", className="sub")],
                 id="wi-confirm-box", style=HIDDEN),
        dcc.Store(id="wi-pending"),
        html.Div([html.Progress(id="wi-progress", value="0", max="100"),
                  html.Span(id="wi-progress-label", className="progress-label")], className="progress"),
        html.Div(id="wi-result"),
        dcc.Store(id="wi-job"),
    ])


def register(app, store: RunStore) -> None:
    @app.callback(Output("wi-form", "children"), Input("wi-base", "value"), prevent_initial_call=True)
    def _base(run_id):
        try:
            return _form_for(store, run_id)
        except RunNotFound:
            return html.P(f"Run {str(run_id)!r} not found.")

    @app.callback(
        Output({"type": "wi-err", "field": ALL}, "children"), Output("wi-job", "data"), Output("wi-status", "children"),
        Output("wi-pending", "data"), Output("wi-confirm-box", "style"),
        Input("wi-launch", "n_clicks"), Input("wi-confirm", "n_clicks"),
        State("wi-base", "value"), State("wi-name", "value"),
        State({"type": "wi-hall-cooling", "index": ALL}, "value"),
        State({"type": "wi-hall-chillers", "index": ALL}, "value"),
        State({"type": "wi-gas-model", "index": ALL}, "value"),
        State({"type": "wi-gas-count", "index": ALL}, "value"),
        *[State(cid, "value") for cid, _, _, _ in SCALAR_FIELDS],
        State("wi-dispatch", "value"), State("wi-weather", "value"), State("wi-period", "value"),
        State("wi-pending", "data"),
        prevent_initial_call=True)
    def _validate(_n, _confirm, base, name, cooling, chillers, gas_model, gas_count, *rest):
        scalars, (dispatch, weather_key, period_key, pending) = rest[:-4], rest[-4:]
        err_ids = [o["id"]["field"] for o in callback_context.outputs_list[0]]
        if callback_context.triggered_id == "wi-confirm":  # "Launch anyway" after the checks' warnings
            if not pending or not pending.get("id"):
                return [no_update] * len(err_ids), no_update, no_update, no_update, HIDDEN
            return ([no_update] * len(err_ids), pending, html.Div("Launching despite the warnings above…"),
                    None, HIDDEN)
        text, problems = validate_edits(store, base, name, cooling, chillers, gas_model, gas_count, scalars,
                                        weather=weather_key, period=period_key)
        if dispatch not in DISPATCH:
            problems.append(f"dispatch: {dispatch!r} — use baseline or optimal")
        slots = problems_by_field(problems, err_ids)
        errors = [[html.Div(p) for p in slots.get(f, [])] for f in err_ids]
        if problems:
            status = [html.Div(f"{len(problems)} problem(s): fix the marked fields.")]
            status += [html.Div(p) for p in slots.get(GENERAL, [])]
            return errors, no_update, html.Div(status, className="bad"), None, HIDDEN
        warnings = _check_warnings(text)
        token = issue_job(store, text, dispatch)
        job = {"id": token, "dispatch": dispatch}
        if warnings:  # warn before the run: the job waits for "Launch anyway"
            status = [html.Div(f"Valid, but the scenario's checks flag {len(warnings)} finding(s) — "
                               "nothing is running yet:", id="wi-warned")]
            status += [html.Div(f"{lvl}: {msg}", className="warn") for lvl, msg in warnings]
            return errors, no_update, html.Div(status), job, SHOWN
        return errors, job, html.Div("Valid — launching…"), None, HIDDEN

    @app.callback(
        Output("wi-result", "children"), Input("wi-job", "data"),
        background=True, prevent_initial_call=True,
        progress=[Output("wi-progress", "value"), Output("wi-progress-label", "children")],
        running=[(Output("wi-launch", "disabled"), True, False)])
    def _launch(set_progress, job):
        return launch(store, job, lambda stage, frac: set_progress((str(int(round(100 * frac))), stage)))


def validate_edits(store: RunStore, base: str, name, cooling, chillers, gas_model, gas_count,
                   scalars, *, weather="base", period="base") -> tuple[str | None, list[str]]:
    """Build the what-if scenario on the server from the base run's stored scenario and the
    form's fields, and validate it by building a :class:`twin.scenario.Scenario`.

    ``weather`` and ``period`` are keys of :func:`weather_choices` / :func:`period_choices`
    (anything else is refused, naming the field).  Returns ``(scenario_text, problems)``;
    ``problems`` are one line each, field path first.
    """
    from twin.scenario import ScenarioError, loads_scenario

    try:
        base_text = store.scenario_text(base)
    except RunNotFound:
        return None, [f"{GENERAL}: run {str(base)!r} not found"]
    values = form_values(base_text)
    problems = []
    if name is not None and (not isinstance(name, str) or len(name) > NAME_MAX):
        problems.append(f"name: {str(name)[:40]!r}… — a run name of at most {NAME_MAX} characters")
    cooling, chillers = list(cooling or []), list(chillers or [])
    gas_model, gas_count = list(gas_model or []), list(gas_count or [])
    if len(cooling) != len(values["halls"]) or len(chillers) != len(values["halls"]):
        problems.append(f"halls: {len(cooling)} hall(s) sent — the base run has {len(values['halls'])}")
    if len(gas_model) != len(gas_count) or len(gas_model) > max(len(values["gas_units"]), 1):
        problems.append(f"power.gas_units: {len(gas_model)} group(s) sent — the form has "
                        f"{max(len(values['gas_units']), 1)}")
    wchoices = weather_choices(store)
    if not isinstance(weather, str) or weather not in wchoices:
        problems.append(f"site.weather: {str(weather)[:200]!r} — not one of the weather choices this server "
                        f"holds (the base run's, a typical year of a catalogue site, or an EPW file in the store)")
    pchoices = period_choices(values["period"])
    if not isinstance(period, str) or period not in pchoices:
        problems.append(f"period: {str(period)[:200]!r} — not one of the offered periods "
                        f"({', '.join(pchoices)}: the base run's period or a shorter start of it)")
    if problems:
        return None, problems
    edits = {
        "name": name,
        "halls": [{"cooling_type": c, "chillers": _number(n)} for c, n in zip(cooling, chillers)],
        "gas_units": [{"model": m, "count": _number(c)} for m, c in zip(gas_model, gas_count)],
        "scalars": {path: _number(v) for (_, path, _, _), v in zip(SCALAR_FIELDS, scalars)},
        "weather": wchoices[weather] or None, "period": pchoices[period] if period != "base" else None,
    }
    text = apply_edits(base_text, edits)
    try:
        loads_scenario(text, source="what-if")
    except ScenarioError as e:
        return text, list(e.problems)
    return text, []


#: styles of the "Launch anyway" box
HIDDEN, SHOWN = {"display": "none"}, {"display": "flex", "alignItems": "center", "gap": "0.5rem"}


def issue_job(store: RunStore, text: str, dispatch: str) -> str:
    """Keep a checked job on the server under a fresh random token (what the browser holds)."""
    token = uuid.uuid4().hex
    _jobs(store).set(token, {"text": text, "dispatch": dispatch}, expire=24 * 3600)
    return token


def _check_warnings(text: str) -> list[tuple[str, str]]:
    """The consistency checks' findings on a valid scenario (:func:`twin.checks.run_checks`), shown
    before the run (e.g. racks too dense for air)."""
    try:
        from twin.checks import run_checks
        from twin.scenario import loads_scenario

        return [f for f in run_checks(loads_scenario(text, source="what-if")) if f[0] != "info"]
    except Exception:  # noqa: BLE001 - checks are advice; the run itself reports any problem
        return []


def launch(store: RunStore, job: dict, progress) -> html.Div:
    """Run a validated what-if (in the background worker) and save it; the result message."""
    import twin
    from twin.scenario import ScenarioError, loads_scenario

    if not job or not job.get("id"):
        return no_update
    issued = _jobs(store).pop(str(job["id"]), default=None)  # one launch per issued job
    if issued is None:
        return html.Div(f"job {str(job['id'])[:40]!r} refused — it was not issued by this server's what-if check; "
                        "nothing was run", className="bad", id="wi-failed")
    job = issued

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
