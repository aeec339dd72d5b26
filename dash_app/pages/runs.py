"""Runs page: the stored runs with their headline KPIs; play one, or pick two to compare."""

from __future__ import annotations

from urllib.parse import urlencode

from dash import Input, Output, dcc, html

from dash_app.store import RunStore

#: headline columns: (kpi key, header, format)
COLUMNS = [
    ("pue", "PUE", "{:.3f}"),
    ("facility_energy_mwh", "Facility [MWh]", "{:,.0f}"),
    ("peak_facility_mw", "Peak [MW]", "{:,.1f}"),
    ("lng_t", "LNG [t]", "{:,.0f}"),
    ("co2_t", "CO2 [t]", "{:,.0f}"),
    ("cost_usd", "Cost [USD]", "{:,.0f}"),
    ("unserved_mwh", "Unserved [MWh]", "{:,.2f}"),
    ("min_reserve_margin_mw", "Min reserve [MW]", "{:,.1f}"),
]


def nonfinite(value) -> str | None:
    """How a non-finite number is shown (``NaN``, ``+∞``, ``−∞``); None for anything else."""
    if isinstance(value, float) and value != value:
        return "NaN"
    if isinstance(value, float) and value in (float("inf"), float("-inf")):
        return "+∞" if value > 0 else "−∞"
    return None


def fmt(value, spec: str) -> str:
    if value is None:
        return "—"
    if nonfinite(value):  # shown as such, with the spec's unit
        import re

        return re.sub(r"\{[^}]*\}", nonfinite(value), spec, count=1)
    try:
        return spec.format(value)
    except (TypeError, ValueError):
        return str(value)


def _when(iso) -> str:
    """``2025-06-01T00:00:00`` → ``2025-06-01 00:00``."""
    return str(iso or "")[:16].replace("T", " ")


def _row(s: dict) -> html.Tr:
    rid = s["run_id"]
    k = s.get("kpi", {})
    cells = [
        html.Td(dcc.Link(rid, href="/playback?" + urlencode({"run": rid}), className="run-link")),
        html.Td(str(s.get("scenario_name", ""))),
        html.Td(str(s.get("dispatch", ""))),
        html.Td(str(s.get("status", "")), className=f"status-{s.get('status', '')}"),
        html.Td(f"{_when(s.get('period_start'))} → {_when(s.get('period_end'))} ({s.get('step', '')})"),
    ] + [html.Td(fmt(k.get(key), spec), className="num") for key, _, spec in COLUMNS]
    return html.Tr(cells, **{"data-run-id": rid})


def layout(store: RunStore, **_query) -> html.Div:
    runs = store.list()
    if not runs:
        return html.Div([html.H2("Runs"), html.P(f"No runs in {store.runs_dir}. Run `twin run SCENARIO` first.",
                                                   id="runs-empty")])
    from dash_app.pages.compare import default_pair, run_label

    options = [{"label": run_label(s), "value": s["run_id"]} for s in runs]
    pa, pb = default_pair(runs)
    head = html.Tr([html.Th(h) for h in ("Run", "Scenario", "Dispatch", "Status", "Period")]
                   + [html.Th(h) for _, h, _ in COLUMNS])
    return html.Div([
        html.H2("Runs"),
        html.Div([
            html.Span("Compare "),
            dcc.Dropdown(id="runs-cmp-a", options=options, value=pa, clearable=False,
                         className="run-pick"),
            html.Span(" with "),
            dcc.Dropdown(id="runs-cmp-b", options=options, value=pb or pa,
                         clearable=False, className="run-pick"),
            dcc.Link("Compare →", id="runs-cmp-go", href="/compare", className="button"),
        ], className="compare-picker"),
        html.Div(html.Table([html.Thead(head), html.Tbody([_row(s) for s in runs])], id="runs-table",
                            className="table"), className="table-wrap"),
    ])


def register(app, store: RunStore) -> None:
    app.clientside_callback(
        "function(a, b) { return '/compare?a=' + encodeURIComponent(a || '') + '&b=' + encodeURIComponent(b || ''); }",
        Output("runs-cmp-go", "href"), Input("runs-cmp-a", "value"), Input("runs-cmp-b", "value"))
