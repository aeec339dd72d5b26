"""Playback page: a time slider with play / pause and speed, the power-flow Sankey, gauges and
time series with a cursor — all moved in the browser.

The run's compact payload is shipped once into a ``dcc.Store``; every frame after that is drawn
by the clientside callbacks in ``assets/playback.js`` (no server round trip per frame).
"""

from __future__ import annotations

from dash import ClientsideFunction, Input, Output, State, dcc, html

from dash_app import figures
from dash_app.pages.runs import fmt
from dash_app.store import RunNotFound, RunStore

#: playback speeds offered [steps per second]
SPEEDS = (1, 4, 10, 24, 60, 168)
DEFAULT_SPEED = 10
_GRAPH_CONFIG = {"displaylogo": False, "responsive": True}


def not_found(run_id) -> html.Div:
    # the id is shown as text (React escapes it), never interpreted
    return html.Div([html.H2("Run not found"),
                     html.P(f"Run {str(run_id)!r} not found in this run store.", id="not-found"),
                     dcc.Link("← all runs", href="/runs")], className="not-found")


def busy(err) -> html.Div:
    """The answer when the run cannot be read soon (others are reading runs)."""
    return html.Div([html.H2("Busy"), html.P(f"{err} — the server is opening runs for other users.", id="busy")],
                    className="busy")


def _kpi_line(s: dict) -> html.Div:
    k = s.get("kpi", {})
    parts = [("PUE", k.get("pue"), "{:.3f}"), ("IT energy", k.get("it_energy_mwh"), "{:,.0f} MWh"),
             ("LNG", k.get("lng_t"), "{:,.0f} t"), ("cost", k.get("cost_usd"), "{:,.0f} USD"),
             ("unserved", k.get("unserved_mwh"), "{:,.2f} MWh")]
    return html.Div(" · ".join(f"{n} {fmt(v, f)}" for n, v, f in parts), className="kpi-line")


def _step(t, n: int) -> int:
    """The step a shared URL asks for (``t``), clamped to the run; 0 when absent or not a number."""
    try:
        return max(0, min(int(t), max(n - 1, 0)))
    except (TypeError, ValueError):
        return 0


def heatmap_figure(ds) -> dict | None:
    """Day x hour heat maps of PUE and the N-1 margin beside the playback (runs of two weeks or
    more); a click moves the playback there (:func:`twin.report_figures.day_hour`)."""
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    from twin.report_figures import HEATMAP_UNITS, day_hour, hover_format, shown, tick_format

    if ds.sizes["time"] * float(ds.attrs["step_h"]) < 14 * 24:
        return None
    keys = [(k, t) for k, t in (("pue", "PUE [-]"), ("reserve_margin_mw", "N-1 reserve margin [MW]")) if k in ds]
    fig = make_subplots(rows=len(keys), cols=1, shared_xaxes=True, vertical_spacing=0.12,
                        subplot_titles=[t for _, t in keys])
    for r, (k, t) in enumerate(keys, start=1):
        days, z = day_hour(ds[k])
        unit = HEATMAP_UNITS[k]
        fig.add_trace(go.Heatmap(x=days, y=list(range(24)), z=shown(z, unit), hoverongaps=False, showscale=True,
                                 colorscale="RdYlBu" if k == "reserve_margin_mw" else "RdYlBu_r",
                                 colorbar=dict(len=0.42, y=1 - (r - 0.5) / len(keys), thickness=10,
                                               tickformat=tick_format(unit)),
                                 hovertemplate=f"%{{x}} %{{y}}:00 — %{{z:{hover_format(unit)}}}<extra></extra>"), r, 1)
        fig.update_yaxes(title_text="hour", dtick=6, row=r, col=1, tickformat="d")
    fig.update_layout(template="plotly_white", height=190 * len(keys) + 60, margin=dict(l=50, r=10, t=40, b=30))
    return fig.to_plotly_json()


def layout(store: RunStore, run: str | None = None, t=None, **_query) -> html.Div:
    if not run:
        runs = store.list()
        if not runs:
            return html.Div([html.H2("Playback"), html.P("No runs yet.")])
        run = runs[0]["run_id"]
    try:
        summary = store.summary(run)
        payload = store.payload(run)
        ds = store.open(run)
        scenario_text = store.scenario_text(run)
    except RunNotFound:
        return not_found(run)
    payload = {**payload, "run_id": run}
    n = payload["n"]
    i0 = _step(t, n)
    heat = store.cached("heatmaps", run, lambda: heatmap_figure(ds))
    return html.Div([
        html.H2(["Playback: ", html.Span(run, id="pb-run-id")]),
        html.Div(f"{summary.get('scenario_name', '')} · {summary.get('dispatch', '')} dispatch · "
                 f"status {summary.get('status', '')} · {summary.get('site_name', '') or ''}", className="sub"),
        _kpi_line(summary),
        html.Div(["Download: "] + [html.A(lab, href=f"/api/runs/{run}/export.{fmt}", id=f"pb-download-{fmt}",
                                          className="download", download=f"{run}.{fmt}")
                                   for fmt, lab in (("xlsx", "Excel (series, KPIs, parameters)"), ("csv", "CSV"),
                                                    ("parquet", "Parquet"))], className="downloads"),
        dcc.Store(id="pb-data", data=payload),
        dcc.Interval(id="pb-tick", interval=int(1000 / DEFAULT_SPEED), disabled=True),
        html.Div([
            html.Button("▶ Play", id="pb-play", n_clicks=0, className="button"),
            html.Label("speed", htmlFor="pb-speed"),
            dcc.Dropdown(id="pb-speed", options=[{"label": f"{s} steps/s", "value": s} for s in SPEEDS],
                         value=DEFAULT_SPEED, clearable=False, searchable=False, className="speed"),
            html.Span(figures.time_label(payload, i0), id="pb-clock", className="clock"),
            html.Span(f"step {i0 + 1} / {n}", id="pb-step", className="step"),
        ], className="controls"),
        html.Div(dcc.Slider(id="pb-slider", min=0, max=max(n - 1, 0), step=1, value=i0, marks=None,
                            updatemode="drag", allow_direct_input=False), className="slider"),
        # the playback (Sankey over gauges) and the year's heat maps: side by side on wide screens,
        # one under the other on narrow ones (style.css, .pb-grid)
        html.Div([
            html.Div([
                html.Div(dcc.Graph(id="pb-sankey",
                                   figure=store.cached("sankey0", run, lambda: figures.sankey_figure(payload, 0)),
                                   config={**_GRAPH_CONFIG, "displayModeBar": False}), className="sankey"),
                html.Div(dcc.Graph(id="pb-gauges",
                                   figure=store.cached("gauges0", run, lambda: figures.gauges_figure(payload, 0)),
                                   config={**_GRAPH_CONFIG, "displayModeBar": False}), className="gauges"),
            ], className="pb-main", id="pb-main"),
            html.Div(dcc.Graph(id="pb-heatmaps", figure=heat, config={**_GRAPH_CONFIG, "displayModeBar": False}),
                     className="heatmaps", id="pb-heat") if heat else None,
        ], className="pb-grid" + (" with-heat" if heat else ""), id="pb-grid"),
        html.Div("Zoom or pan the series (drag, or the range buttons) and the Sankey and gauges follow the "
                 "start of the window; the address bar keeps run and time for sharing.", className="sub"),
        dcc.Store(id="pb-sync"),
        dcc.Graph(id="pb-series", figure=store.cached("timeseries", run, lambda: figures.timeseries_figure(ds)),
                  config=_GRAPH_CONFIG),
        html.Details([html.Summary("Scenario (YAML)"), html.Pre(scenario_text, id="pb-scenario")]),
    ])


def register(app, store: RunStore) -> None:
    ns = "campusTwin"
    app.clientside_callback(ClientsideFunction(ns, "togglePlay"),
                            Output("pb-tick", "disabled"), Output("pb-play", "children"),
                            Input("pb-play", "n_clicks"), State("pb-tick", "disabled"), prevent_initial_call=True)
    app.clientside_callback(ClientsideFunction(ns, "speed"),
                            Output("pb-tick", "interval"), Input("pb-speed", "value"))
    app.clientside_callback(ClientsideFunction(ns, "tick"),
                            Output("pb-slider", "value"),
                            Input("pb-tick", "n_intervals"), State("pb-slider", "value"),
                            State("pb-speed", "value"), State("pb-tick", "interval"), State("pb-data", "data"),
                            prevent_initial_call=True)
    app.clientside_callback(ClientsideFunction(ns, "follow"),
                            Output("pb-slider", "value", allow_duplicate=True),
                            Input("pb-series", "relayoutData"), State("pb-data", "data"),
                            prevent_initial_call=True)
    app.clientside_callback(ClientsideFunction(ns, "heatClick"),
                            Output("pb-slider", "value", allow_duplicate=True),
                            Input("pb-heatmaps", "clickData"), State("pb-data", "data"),
                            prevent_initial_call=True)
    app.clientside_callback(ClientsideFunction(ns, "frame"),
                            Output("pb-clock", "children"), Output("pb-step", "children"),
                            Output("pb-sankey", "figure"), Output("pb-gauges", "figure"),
                            Input("pb-slider", "value"), State("pb-data", "data"),
                            State("pb-sankey", "figure"), State("pb-gauges", "figure"),
                            prevent_initial_call=True)
