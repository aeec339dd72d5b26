"""The Campus Twin Dash app: play back a run, compare two, launch a what-if.

::

    from dash_app import create_app
    app = create_app("runs")                      # a run store directory
    app.run(host="127.0.0.1", port=8050, debug=False)

Pages (one module each under :mod:`dash_app.pages`): ``/runs`` (``/`` too, unless a default run
is given, in which case ``/`` plays it back), ``/playback?run=ID``, ``/compare?a=ID&b=ID``,
``/whatif?run=ID``.  Only runs listed in the store open; any other id is "not found".
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs

import dash
import diskcache
from dash import DiskcacheManager, Input, Output, dcc, html
from flask import Response, abort, jsonify

from dash_app.pages import compare, playback, runs, whatif
from dash_app.store import RunNotFound, RunStore

__all__ = ["create_app"]

_PAGES = {"/runs": runs, "/playback": playback, "/compare": compare, "/whatif": whatif}


def _query(search: str | None) -> dict[str, str]:
    q = parse_qs((search or "").lstrip("?"), keep_blank_values=True)
    return {k: v[0] for k, v in q.items() if k in ("run", "a", "b")}


def create_app(runs_dir: str | Path, default_run: str | None = None) -> dash.Dash:
    """Build the app on a run store.

    Parameters
    ----------
    runs_dir : str or Path
        The run store directory (created if missing).
    default_run : str, optional
        A run id that ``/`` plays back (the newest run if it is not listed).

    Returns
    -------
    dash.Dash
        Not started: call ``app.run(host=..., port=..., debug=False)``; ``app.server`` is the Flask app.
    """
    store = RunStore(runs_dir)
    store.runs_dir.mkdir(parents=True, exist_ok=True)
    manager = DiskcacheManager(diskcache.Cache(str(store.cache_dir)), expire=24 * 3600)
    app = dash.Dash(
        __name__, title="Campus Twin", assets_folder=str(Path(__file__).parent / "assets"),
        suppress_callback_exceptions=True, background_callback_manager=manager, serve_locally=True,
        update_title=None,
    )
    app.layout = html.Div([
        dcc.Location(id="url", refresh="callback-nav"),
        html.Header([
            html.Span("Campus Twin", className="brand"),
            html.Nav([dcc.Link("Runs", href="/runs", id="nav-runs"),
                      dcc.Link("Playback", href="/playback", id="nav-playback"),
                      dcc.Link("Compare", href="/compare", id="nav-compare"),
                      dcc.Link("What-if", href="/whatif", id="nav-whatif")]),
        ]),
        html.Main(id="page"),
        # loads plotly.js with the app shell, so opening a run does not wait for the library
        html.Div(dcc.Graph(id="plotly-preload", figure={"data": [], "layout": {}}), style={"display": "none"}),
    ])

    @app.callback(Output("page", "children"), Input("url", "pathname"), Input("url", "search"))
    def _route(pathname, search):
        q = _query(search)
        path = (pathname or "/").rstrip("/") or "/"
        if path == "/":
            if default_run and not q.get("run"):
                try:
                    store.resolve(default_run)
                    q["run"] = default_run
                except RunNotFound:
                    pass
            return (playback if q.get("run") else runs).layout(store, **q)
        page = _PAGES.get(path)
        if page is None:
            return html.Div([html.H2("Page not found"), html.P(f"No page {pathname!r}."),
                             dcc.Link("← all runs", href="/runs")], className="not-found")
        return page.layout(store, **q)

    for page in _PAGES.values():
        page.register(app, store)
    _warm_up_plotly()

    server = app.server

    @server.route("/api/runs")
    def _api_runs():
        return jsonify([{k: s.get(k) for k in ("run_id", "scenario_name", "dispatch", "status", "period_start",
                                               "period_end", "step")} for s in store.list()])

    @server.route("/api/runs/<path:run_id>/summary.json")
    def _api_summary(run_id):
        try:
            return jsonify(store.summary(run_id))
        except RunNotFound:
            abort(404)

    @server.route("/api/runs/<path:run_id>/scenario.yaml")
    def _api_scenario(run_id):
        try:
            text = store.scenario_text(run_id)
        except RunNotFound:
            abort(404)
        return Response(text, mimetype="text/plain", headers={"X-Content-Type-Options": "nosniff"})

    return app


def _warm_up_plotly() -> None:
    """Build one tiny figure of each kind the pages use, so plotly's lazily built validators are
    ready before the first user opens a run (otherwise the first open pays ~0.4 s for them)."""
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    fig = make_subplots(rows=2, cols=1, shared_xaxes=True, subplot_titles=("a", "b"))
    fig.add_trace(go.Scatter(y=[0.0, 1.0], x0="2025-01-01", dx=3_600_000, stackgroup="s"), 1, 1)
    fig.add_trace(go.Bar(x=["a"], y=[1.0]), 2, 1)
    fig.update_layout(template="plotly_white", shapes=[dict(type="line", x0=0, x1=0, y0=0, y1=1)])
    go.Figure([go.Sankey(node=dict(label=["a", "b"]), link=dict(source=[0], target=[1], value=[1.0])),
               go.Indicator(mode="gauge+number", value=1.0)]).to_plotly_json()
