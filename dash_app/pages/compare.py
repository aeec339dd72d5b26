"""Compare page: two runs side by side — KPI deltas, overlaid series, monthly energy by source.

A compare that cannot mislead: A = B is refused; two runs over different periods or steps are
flagged and their totals compared per year (annualised) and per MWh of IT instead of as sums;
the default pair is two runs of the same scenario; the pair is kept in the URL
(``/compare?a=ID&b=ID``) so a view can be shared.
"""

from __future__ import annotations

from dash import Input, Output, dcc, html

from dash_app import figures
from dash_app.pages.playback import not_found
from dash_app.pages.runs import nonfinite
from dash_app.pages.playback import busy
from dash_app.store import RunNotFound, RunStore, StoreBusy


def _num(v, unit: str) -> str:
    if v is None:
        return "—"
    if nonfinite(v):
        return nonfinite(v)
    from twin.report import format_value

    return format_value(v, unit)  # the report's precision by unit (not by magnitude: 8.808 MW beside 25 MW)


#: KPIs that are sums over the period (compared per year when the periods differ)
TOTALS = {"it_energy_mwh", "facility_energy_mwh", "fuel_gj", "lng_t", "co2_t", "water_m3", "cost_usd",
          "unserved_mwh", "cooling_deficit_h"}
HOURS_PER_YEAR = 8760.0


def period_hours(summary: dict) -> float | None:
    """Length of a run's period [h] from its summary."""
    import pandas as pd

    try:
        return (pd.Timestamp(summary["period_end"]) - pd.Timestamp(summary["period_start"])) / pd.Timedelta("1h")
    except (KeyError, TypeError, ValueError):
        return None


def same_basis(sa: dict, sb: dict) -> bool:
    """Whether two runs cover the same period with the same step (their totals compare as they are)."""
    return all(sa.get(k) == sb.get(k) for k in ("period_start", "period_end", "step"))


def annualised_rows(rows: list[dict], sa: dict, sb: dict) -> list[dict]:
    """Totals scaled to a year (× 8760 h / period hours), with ``/yr`` on their units; the rest unchanged;
    plus cost per MWh of IT."""
    ha, hb = period_hours(sa), period_hours(sb)
    out = []
    for r in rows:
        r = dict(r)
        if (r["key"] in TOTALS or r["key"].startswith("energy_by_source_mwh.")) and ha and hb:
            fa, fb = HOURS_PER_YEAR / ha, HOURS_PER_YEAR / hb
            r["a"] = None if r["a"] is None else r["a"] * fa
            r["b"] = None if r["b"] is None else r["b"] * fb
            r["unit"] = f"{r['unit']}/yr"
            r["name"] = f"{r['name']} (annualised)"
            r["delta"] = r["b"] - r["a"] if r["a"] is not None and r["b"] is not None else None
            r["delta_pct"] = (100.0 * r["delta"] / abs(r["a"]) if r["delta"] is not None and r["a"] not in (None, 0.0)
                              else None)
        out.append(r)
    ka, kb = sa.get("kpi", {}), sb.get("kpi", {})

    def per_mwh(k):
        c, e = k.get("cost_usd"), k.get("it_energy_mwh")
        return c / e if isinstance(c, int | float) and isinstance(e, int | float) and e > 0 else None

    a, b = per_mwh(ka), per_mwh(kb)
    d = b - a if a is not None and b is not None else None
    out.append(dict(key="cost_usd_per_mwh_it", name="Cost per MWh of IT", unit="USD/MWh", a=a, b=b, delta=d,
                    delta_pct=100.0 * d / abs(a) if d is not None and a else None))
    return out


def default_pair(runs: list[dict]) -> tuple[str | None, str | None]:
    """The newest two runs of the same scenario (else the newest two runs)."""
    seen: dict[str, str] = {}
    for s in runs:  # newest first
        name = str(s.get("scenario_name"))
        if name in seen:
            return seen[name], s["run_id"]
        seen[name] = s["run_id"]
    ids = [s["run_id"] for s in runs]
    return (ids[0] if ids else None), (ids[1] if len(ids) > 1 else None)


def run_label(s: dict) -> str:
    """A run as people name it: scenario, dispatch, period (the id stays the value)."""
    start = str(s.get("period_start") or "")[:10]
    end = str(s.get("period_end") or "")[:10]
    return f"{s.get('scenario_name', '?')} · {s.get('dispatch', '')} · {start} → {end} ({s.get('step', '')}) · {s['run_id'][-6:]}"


def delta_table(rows: list[dict]) -> html.Table:
    head = html.Tr([html.Th(h) for h in ("KPI", "Unit", "A", "B", "B − A", "B − A [%]")])
    body = []
    for r in rows:
        pct = "—" if r["delta_pct"] is None or nonfinite(r["delta_pct"]) else f"{r['delta_pct']:+.1f}"
        d = "—" if r["delta"] is None else ("+" if r["delta"] >= 0 else "") + _num(r["delta"], r["unit"])
        body.append(html.Tr([html.Td(r["name"]), html.Td(r["unit"]), html.Td(_num(r["a"], r["unit"]), className="num"),
                             html.Td(_num(r["b"], r["unit"]), className="num"), html.Td(d, className="num"),
                             html.Td(pct, className="num")], **{"data-kpi": r["key"]}))
    return html.Div(html.Table([html.Thead(head), html.Tbody(body)], id="cmp-kpi", className="table"),
                    className="table-wrap")


def body(store: RunStore, a: str | None, b: str | None):
    if not a or not b:
        return html.P("Pick two runs.")
    for rid in (a, b):
        try:
            store.resolve(rid)
        except RunNotFound:
            return not_found(rid)
    if a == b:
        return html.P("A and B are the same run — pick two different runs to compare.", id="cmp-same",
                      className="bad")
    sa, sb = store.summary(a), store.summary(b)
    try:
        da, db = store.open(a), store.open(b)
    except StoreBusy as e:
        return busy(e)
    rows = figures.kpi_delta_rows(sa, sb)
    warning = None
    if not same_basis(sa, sb):
        rows = annualised_rows(rows, sa, sb)
        warning = html.Div(
            f"A covers {sa.get('period_start')} → {sa.get('period_end')} at {sa.get('step')}, B covers "
            f"{sb.get('period_start')} → {sb.get('period_end')} at {sb.get('step')}: their sums do not compare, so "
            "totals below are annualised (per year) and cost is also given per MWh of IT.",
            id="cmp-basis-warning", className="warn")
    na = f"{sa.get('scenario_name', a)} ({sa.get('dispatch', '')})"
    nb = f"{sb.get('scenario_name', b)} ({sb.get('dispatch', '')})"
    if na == nb:  # the same scenario twice: tell them apart by the end of the id
        na, nb = f"{na} …{a[-6:]}", f"{nb} …{b[-6:]}"
    return html.Div([
        warning,
        html.H3("Headline KPIs"),
        delta_table(rows),
        html.H3("Monthly energy by source"),
        dcc.Graph(id="cmp-monthly", figure=figures.monthly_energy_figure(
            store.monthly_energy_by_source_mwh(a), store.monthly_energy_by_source_mwh(b), na, nb)),
        html.H3("Series"),
        dcc.Graph(id="cmp-series", figure=figures.compare_series_figure(da, db, na, nb)),
    ])


def layout(store: RunStore, a: str | None = None, b: str | None = None, **_query) -> html.Div:
    runs = store.list()
    options = [{"label": run_label(s), "value": s["run_id"]} for s in runs]
    da, db = default_pair(runs)
    a = a or da
    b = b or (db if db != a else None) or db
    return html.Div([
        html.H2("Compare"),
        html.Div([html.Span("A "), dcc.Dropdown(id="cmp-a", options=options, value=a, clearable=False,
                                               className="run-pick"),
                  html.Span(" B "), dcc.Dropdown(id="cmp-b", options=options, value=b, clearable=False,
                                                className="run-pick")], className="compare-picker"),
        dcc.Store(id="cmp-url-sync"),
        dcc.Loading(html.Div(body(store, a, b), id="cmp-body"), delay_show=150),
    ])


def register(app, store: RunStore) -> None:
    @app.callback(Output("cmp-body", "children"), Input("cmp-a", "value"), Input("cmp-b", "value"),
                  prevent_initial_call=True)
    def _update(a, b):
        return body(store, a, b)

    # the pair in the address bar (replaceState: no page reload, no history entry per pick)
    app.clientside_callback(
        "function(a, b) { if (a && b) { window.history.replaceState(null, '', '/compare?a=' + encodeURIComponent(a)"
        " + '&b=' + encodeURIComponent(b)); } return window.dash_clientside.no_update; }",
        Output("cmp-url-sync", "data"), Input("cmp-a", "value"), Input("cmp-b", "value"))
