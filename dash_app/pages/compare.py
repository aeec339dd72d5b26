"""Compare page: two runs side by side — KPI deltas, overlaid series, monthly energy by source."""

from __future__ import annotations

from dash import Input, Output, dcc, html

from dash_app import figures
from dash_app.pages.playback import not_found
from dash_app.store import RunNotFound, RunStore


def _num(v, unit: str) -> str:
    if v is None:
        return "—"
    if unit == "-" or abs(v) < 10:
        return f"{v:,.3f}"
    return f"{v:,.0f}"


def delta_table(rows: list[dict]) -> html.Table:
    head = html.Tr([html.Th(h) for h in ("KPI", "Unit", "A", "B", "B − A", "B − A [%]")])
    body = []
    for r in rows:
        pct = "—" if r["delta_pct"] is None else f"{r['delta_pct']:+.1f}"
        d = "—" if r["delta"] is None else ("+" if r["delta"] >= 0 else "") + _num(r["delta"], r["unit"])
        body.append(html.Tr([html.Td(r["name"]), html.Td(r["unit"]), html.Td(_num(r["a"], r["unit"]), className="num"),
                             html.Td(_num(r["b"], r["unit"]), className="num"), html.Td(d, className="num"),
                             html.Td(pct, className="num")], **{"data-kpi": r["key"]}))
    return html.Table([html.Thead(head), html.Tbody(body)], id="cmp-kpi", className="table")


def body(store: RunStore, a: str | None, b: str | None):
    if not a or not b:
        return html.P("Pick two runs.")
    for rid in (a, b):
        try:
            store.resolve(rid)
        except RunNotFound:
            return not_found(rid)
    sa, sb = store.summary(a), store.summary(b)
    da, db = store.open(a), store.open(b)
    return html.Div([
        html.H3("Headline KPIs"),
        delta_table(figures.kpi_delta_rows(sa, sb)),
        html.H3("Monthly energy by source"),
        dcc.Graph(id="cmp-monthly", figure=figures.monthly_energy_figure(
            store.monthly_energy_by_source_mwh(a), store.monthly_energy_by_source_mwh(b), a, b)),
        html.H3("Series"),
        dcc.Graph(id="cmp-series", figure=figures.compare_series_figure(da, db, a, b)),
    ])


def layout(store: RunStore, a: str | None = None, b: str | None = None, **_query) -> html.Div:
    runs = store.list()
    ids = [s["run_id"] for s in runs]
    options = [{"label": i, "value": i} for i in ids]
    a = a or (ids[0] if ids else None)
    b = b or (ids[1] if len(ids) > 1 else a)
    return html.Div([
        html.H2("Compare"),
        html.Div([html.Span("A "), dcc.Dropdown(id="cmp-a", options=options, value=a, clearable=False,
                                               className="run-pick"),
                  html.Span(" B "), dcc.Dropdown(id="cmp-b", options=options, value=b, clearable=False,
                                                className="run-pick")], className="compare-picker"),
        dcc.Loading(html.Div(body(store, a, b), id="cmp-body")),
    ])


def register(app, store: RunStore) -> None:
    @app.callback(Output("cmp-body", "children"), Input("cmp-a", "value"), Input("cmp-b", "value"),
                  prevent_initial_call=True)
    def _update(a, b):
        return body(store, a, b)
