"""The Campus Twin Dash app: play back a run, compare two, launch a what-if.

::

    from dash_app import create_app, serve
    app = create_app("runs")                      # a run store directory
    serve(app, host="127.0.0.1", port=8050)       # waitress, bounded threads

Pages (one module each under :mod:`dash_app.pages`): ``/runs`` (``/`` too, unless a default run
is given, in which case ``/`` plays it back), ``/playback?run=ID``, ``/compare?a=ID&b=ID``,
``/whatif?run=ID``.  Only runs listed in the store open; any other id is "not found".

The server answers only requests whose ``Host`` names the address it serves (``allowed_hosts``;
127.0.0.1 and localhost always): a foreign ``Host`` (DNS rebinding) gets 400.  A request that
cannot get its run soon (others are reading runs) gets a clear "busy" answer (503).
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs

import dash
import diskcache
from dash import DiskcacheManager, Input, Output, dcc, html
from flask import Response, abort, jsonify, request

from dash_app.pages import compare, playback, runs, whatif
from dash_app.store import RunNotFound, RunStore, StoreBusy

__all__ = ["allowed_host_names", "create_app", "make_server", "serve"]

#: host names always served (the loopback names)
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")
#: default number of waitress worker threads
THREADS = 8

_PAGES = {"/runs": runs, "/playback": playback, "/compare": compare, "/whatif": whatif}


def _query(search: str | None) -> dict[str, str]:
    q = parse_qs((search or "").lstrip("?"), keep_blank_values=True)
    return {k: v[0] for k, v in q.items() if k in ("run", "a", "b", "t")}


def allowed_host_names(host: str | None = None) -> set[str]:
    """The ``Host`` names the app answers to when serving on ``host``: the loopback names, plus
    ``host`` itself (and, when bound to every interface, this machine's own names)."""
    import socket

    names = set(LOOPBACK_HOSTS)
    if host and host not in ("0.0.0.0", "::"):
        names.add(host.strip("[]").lower())
    elif host:
        names |= {socket.gethostname().lower(), socket.getfqdn().lower()}
    return names


def _host_name(host_header: str) -> str:
    h = (host_header or "").strip().lower()
    if h.startswith("["):  # [::1]:8050
        return h[1:h.find("]")] if "]" in h else h
    return h.rsplit(":", 1)[0] if h.count(":") == 1 else h


def create_app(runs_dir: str | Path, default_run: str | None = None,
               allowed_hosts: set[str] | None = None) -> dash.Dash:
    """Build the app on a run store.

    Parameters
    ----------
    runs_dir : str or Path
        The run store directory (created if missing).
    default_run : str, optional
        A run id that ``/`` plays back (the newest run if it is not listed).
    allowed_hosts : set of str, optional
        ``Host`` names to answer (default :func:`allowed_host_names`: the loopback names).

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
        # a loading indicator while a page (a run) opens
        dcc.Loading(html.Main(id="page"), delay_show=200, type="circle", parent_className="page-loading",
                    target_components={"page": "children"}),
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
            page = playback if q.get("run") else runs
        else:
            page = _PAGES.get(path)
        if page is None:
            return html.Div([html.H2("Page not found"), html.P(f"No page {pathname!r}."),
                             dcc.Link("← all runs", href="/runs")], className="not-found")
        try:
            return page.layout(store, **q)
        except StoreBusy as e:
            return playback.busy(e)

    for page in _PAGES.values():
        page.register(app, store)
    _warm_up_plotly()

    server = app.server
    hosts = {h.lower() for h in (allowed_hosts or allowed_host_names())}

    @server.before_request
    def _check_host():
        name = _host_name(request.host)
        if name not in hosts:
            return Response(f"Host {request.host!r} refused: this server answers to {', '.join(sorted(hosts))} only",
                            status=400, mimetype="text/plain")
        return None

    @server.errorhandler(StoreBusy)
    def _busy(e):
        return Response(f"busy: {e}", status=503, mimetype="text/plain", headers={"Retry-After": "5"})

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

    @server.route("/api/runs/<path:run_id>/export.<fmt>")
    def _api_export(run_id, fmt):
        """The run's series and KPIs as a download (:func:`twin.export.export_run`): xlsx (three
        sheets) or csv / parquet (the series)."""
        import tempfile

        from flask import send_file

        from twin.export import FORMATS, export_run

        if fmt not in FORMATS:
            abort(404)
        try:
            path = store.resolve(run_id)
        except RunNotFound:
            abort(404)
        with tempfile.TemporaryDirectory(dir=store.cache_dir) as tmp:
            files = export_run(path, fmt, Path(tmp) / f"{path.name}.{fmt}")
            data = files[0].read_bytes()
        import io

        return send_file(io.BytesIO(data), as_attachment=True, download_name=f"{path.name}.{fmt}")

    @server.route("/api/runs/<path:run_id>/scenario.yaml")
    def _api_scenario(run_id):
        try:
            text = store.scenario_text(run_id)
        except RunNotFound:
            abort(404)
        return Response(text, mimetype="text/plain", headers={"X-Content-Type-Options": "nosniff"})

    return app


def serve(app: dash.Dash, host: str = "127.0.0.1", port: int = 8050, threads: int = THREADS) -> None:
    """Serve the app with waitress (a production WSGI server) on ``threads`` worker threads.

    Requests beyond the threads wait in waitress's queue; a callback that cannot get its run
    within the store's ``wait_s`` answers 503 "busy" rather than dropping the connection.
    """
    make_server(app, host, port, threads).run()


def make_server(app: dash.Dash, host: str = "127.0.0.1", port: int = 8050, threads: int = THREADS):
    """The waitress server for the app, not started (``port=0``: a free port, see ``.effective_port``)."""
    from waitress.server import create_server

    return create_server(app.server, host=host, port=port, threads=int(threads), connection_limit=256,
                         channel_timeout=120, ident="campus-twin")


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
