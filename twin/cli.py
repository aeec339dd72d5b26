"""The ``twin`` command line.

Exit codes: 0 ok · 1 the run finished with a shortfall (unserved load / cooling deficit) or an
incomplete solve · 2 bad input (any :class:`twin.errors.TwinError`: one line per problem, naming
the file and field, no traceback).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from twin.errors import TwinError

EXIT_OK, EXIT_SHORTFALL, EXIT_BAD_INPUT = 0, 1, 2

#: kept for code that raised the CLI's own error type; new code raises :class:`twin.errors.TwinError`
BadInput = TwinError


def _fmt(v, unit: str) -> str:
    if v is None:
        return "n/a"
    if isinstance(v, float):
        if unit in ("-", "L/kWh", "kgCO2/kWh"):
            return f"{v:.3f}"
        return f"{v:,.1f}" if abs(v) < 1e6 else f"{v:,.0f}"
    return str(v)


def kpi_table(summary: dict) -> str:
    """A plain-text KPI table from a summary mapping."""
    from twin.kpi import HEADLINE

    k = summary["kpi"]
    rows = [(label, _fmt(k.get(key), unit), unit) for key, label, unit in HEADLINE]
    ebs = k.get("energy_by_source_mwh", {})
    for s in ("gas", "grid", "solar", "battery"):
        if s in ebs:
            rows.append((f"  energy from {s}", _fmt(ebs[s], "MWh"), "MWh"))
    if "savings_vs_baseline_usd" in summary:
        rows.append(("Savings vs baseline", _fmt(summary["savings_vs_baseline_usd"], "USD"), "USD"))
        rows.append(("  (fraction)", f"{100 * summary['savings_vs_baseline_frac']:.2f}", "%"))
    w = max(len(r[0]) for r in rows)
    v = max(len(r[1]) for r in rows)
    head = (f"run {summary['run_id']}  [{summary['dispatch']}, status {summary['status']}]\n"
            f"{summary['scenario_name']}: {summary['period_start']} → {summary['period_end']} step {summary['step']}")
    lines = [head, "-" * (w + v + 12)] + [f"{a:<{w}}  {b:>{v}}  {c}" for a, b, c in rows]
    for kind in ("unserved", "cooling_deficit"):
        ev = summary.get("shortfalls", {}).get(kind) or []
        if ev:
            total_h = sum(e["hours"] for e in ev)
            peak = max(e["peak_mw"] for e in ev)
            lines.append(f"! {kind.replace('_', ' ')}: {len(ev)} spell(s), {total_h:g} h, peak {peak:,.2f} MW; "
                         f"first {ev[0]['start']} ({ev[0]['hours']:g} h)")
    return "\n".join(lines)


def _load(path: str, step: str | None = None):
    from twin.scenario import load_scenario, parse_scenario

    sc = load_scenario(path)
    if step is not None:
        data = sc.model_dump(mode="json")
        data["period"]["step"] = step
        sc = parse_scenario(data, source=f"{path} (--step)", origin=sc._origin)
    return sc


def cmd_run(a) -> int:
    from twin.store import make_run_id, read_summary, release_run, reserve_run, save_run

    sc = _load(a.scenario, a.step)
    # claim the run id before any work: a bad or taken id is refused now, never after the solve
    run_id = a.run_id if a.run_id is not None else make_run_id(sc.name, a.dispatch)
    reserve_run(a.output, run_id, what="--run-id" if a.run_id is not None else "run id")
    try:
        return _run_reserved(a, sc, run_id)
    finally:
        release_run(a.output, run_id)


def _run_reserved(a, sc, run_id: str) -> int:
    import twin
    from twin.store import read_summary, save_run

    if sc.site.weather.source == "epw":  # read (and check) the weather file before the work
        from twin.weather import check_epw

        check_epw(sc.site.weather.path)
    from tqdm.auto import tqdm

    bar = tqdm(total=100, desc="physics", disable=a.quiet, bar_format="{desc:<28}{bar}| {elapsed}",
               file=sys.stderr)

    def progress(stage: str, frac: float) -> None:
        bar.set_description_str(stage)
        bar.n = int(100 * frac)
        bar.refresh()

    try:
        if a.dispatch == "baseline":
            run = twin.simulate(sc, progress=progress)
        else:
            opts = {}
            if a.time_limit is not None:
                opts["time_limit_s"] = a.time_limit
            run = twin.optimise(sc, progress=progress, **opts)
    finally:
        bar.close()
    path = save_run(run, a.output, run_id=run_id)
    s = read_summary(path)
    print(kpi_table(s))
    print(f"saved {path}")
    return EXIT_OK if s["status"] == "ok" else EXIT_SHORTFALL


def cmd_validate(a) -> int:
    from twin.checks import run_checks

    sc = _load(a.scenario)
    if sc.site.weather.source == "epw":
        from twin.weather import check_epw

        check_epw(sc.site.weather.path)
    findings = run_checks(sc)
    print(f"{a.scenario}: valid scenario {sc.name!r} ({sc.period.n_steps} steps of {sc.period.step})")
    for level, msg in findings:
        print(f"{level}: {msg}")
    return EXIT_OK


def cmd_scenarios(a) -> int:
    from twin.scenario import SCENARIO_DIR, load_scenario, preset_names

    for name in preset_names():
        sc = load_scenario(SCENARIO_DIR / f"{name}.yaml")
        it = sum(h.racks for h in sc.halls)
        print(f"{name:<28} {sc.site.name} — {sc.description.splitlines()[0] if sc.description else ''}"
              f" [{len(sc.halls)} hall(s), {it} racks]")
    return EXIT_OK


def cmd_summary(a) -> int:
    from twin.store import read_summary

    s = read_summary(a.run)
    try:
        table = kpi_table(s)
    except (KeyError, TypeError, ValueError, AttributeError) as e:
        from twin.errors import RunNotFound

        raise RunNotFound(f"{Path(a.run) / 'summary.json'}: not a run summary (bad or missing {e})") from None
    print(table)
    return EXIT_OK


def _extra(extra: str, exc: ImportError) -> TwinError:
    return TwinError(f"this command needs the [{extra}] extra ({exc.name or exc} is not installed): "
                     f"pip install 'campus-twin[{extra}]'")


def cmd_app(a) -> int:
    try:
        from dash_app import create_app
    except ImportError as e:
        raise _extra("app", e) from None

    app = create_app(a.runs, default_run=a.run)
    print(f"Campus Twin app serving on http://{a.host}:{a.port}/ (runs from {Path(a.runs).resolve()})")
    app.run(host=a.host, port=a.port, debug=False)
    return EXIT_OK


def cmd_report(a) -> int:
    from twin.report import write_report

    return write_report(a.runs, a.output, presets=a.presets, store=a.store)


def cmd_sweep(a) -> int:
    try:
        import dask  # noqa: F401
        import zarr  # noqa: F401
    except ImportError as e:
        raise _extra("sweep", e) from None
    from twin.sweep import run_sweep_cli

    return run_sweep_cli(a)


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="twin", description="Campus Twin: power-and-cooling digital twin "
                                                         "for AI data-center campuses")
    from twin import __version__

    p.add_argument("--version", action="version", version=f"twin (campus-twin) {__version__}")
    sub = p.add_subparsers(dest="command", required=True)

    r = sub.add_parser("run", help="run a scenario and store the run")
    r.add_argument("scenario", help="scenario YAML file or preset name (see `twin scenarios`)")
    r.add_argument("-o", "--output", default="runs", help="run store directory (default: runs)")
    r.add_argument("--step", help="override the time step, e.g. 1h, 15min, 1min")
    r.add_argument("--dispatch", choices=["optimal", "baseline"], default="optimal")
    r.add_argument("--run-id", help="name of the run directory (default: generated)")
    r.add_argument("--time-limit", type=float, help="solver time limit per window [s]")
    r.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    r.set_defaults(func=cmd_run)

    v = sub.add_parser("validate", help="validate a scenario and run the consistency checks (no solve)")
    v.add_argument("scenario")
    v.set_defaults(func=cmd_validate)

    s = sub.add_parser("scenarios", help="list the scenario presets")
    s.set_defaults(func=cmd_scenarios)

    m = sub.add_parser("summary", help="print the KPI table of a stored run")
    m.add_argument("run", help="run directory")
    m.set_defaults(func=cmd_summary)

    ap = sub.add_parser("app", help="serve the Dash app")
    ap.add_argument("--runs", default="runs", help="run store directory")
    ap.add_argument("--run", help="run id to open first (default: newest)")
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=8050)
    ap.set_defaults(func=cmd_app)

    rp = sub.add_parser("report", help="write a self-contained HTML what-if report")
    rp.add_argument("runs", nargs="*", help="run directories (the first is the reference)")
    rp.add_argument("-o", "--output", required=True,
                    help="report file (.html); with --presets, a folder for one what-if report per preset")
    rp.add_argument("--presets", action="store_true", help="run every preset first: -o FILE.html reports them side by side (baseline "
                         "dispatch); -o FOLDER writes, per preset, optimised against baseline, and an index")
    rp.add_argument("--store", default="runs", help="run store for --presets")
    rp.set_defaults(func=cmd_report)

    sw = sub.add_parser("sweep", help="run a scenario sweep on Dask")
    sw.add_argument("sweep", help="sweep YAML file")
    sw.add_argument("-o", "--output", help="Zarr store (default: next to the sweep file)")
    sw.add_argument("--scheduler", help="address of an existing Dask scheduler")
    sw.add_argument("--workers", type=int, default=2, help="LocalCluster workers (default 2)")
    sw.add_argument("--report", help="also write a sweep report (.html)")
    sw.set_defaults(func=cmd_sweep)
    return p


def _lines(e: TwinError) -> list[str]:
    """The error's lines, each naming its file (appended when the line does not say it already)."""
    src = e.source
    named = bool(src) and (Path(src).suffix != "" or "/" in src) and not src.startswith("-")
    return [f"{p} [{src}]" if named and src not in p else p for p in e.problems]


def main(argv: list[str] | None = None) -> int:
    """Run the ``twin`` command line; return its exit code (see the module docstring)."""
    parser = build_parser()
    a = parser.parse_args(argv)
    try:
        return int(a.func(a) or 0)
    except TwinError as e:
        for line in _lines(e):
            print(f"error: {line}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
