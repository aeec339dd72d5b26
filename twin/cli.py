"""The ``twin`` command line.

Exit codes: 0 ok · 1 the run finished with a shortfall (unserved load, cooling deficit, N-1
reserve, LNG) or an incomplete solve, or ``validate`` found an error · 2 bad input (any
:class:`twin.errors.TwinError`: one line per problem, naming the file and field, no traceback) ·
130 / 143 stopped by Ctrl-C / SIGTERM (no run saved).
"""

from __future__ import annotations

import argparse
import os
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

    if summary.get("run_kind") == "event":
        from twin.events.run import event_table

        return event_table(summary)
    if summary.get("run_kind") == "swing":
        from twin.swing import swing_table

        return swing_table(summary)
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
    for kind, ev in (summary.get("shortfalls") or {}).items():
        if ev:
            total_h = sum(e["hours"] for e in ev)
            peak = (f"peak {max(e['peak_t'] for e in ev):,.2f} t/step" if kind == "lng"
                    else f"peak {max(e['peak_mw'] for e in ev):,.2f} MW")
            cause = f" — {ev[0]['cause']}" if ev[0].get("cause") else ""
            lines.append(f"! {kind.replace('_', ' ')}: {len(ev)} spell(s), {total_h:g} h, {peak}; "
                         f"first {ev[0]['start']} ({ev[0]['hours']:g} h){cause}")
    refused = summary.get("lng_cargoes_refused") or []
    if refused:
        lines.append(f"! LNG cargoes refused: {len(refused)}, {sum(c['refused_t'] for c in refused):,.0f} t "
                     f"(first {refused[0]['time']}: {refused[0]['why']})")
    return "\n".join(lines)


def _load(path: str, step: str | None = None):
    from twin.scenario import load_scenario, parse_scenario

    sc = load_scenario(path)
    if step is not None:
        data = sc.data()
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
    if getattr(a, "dynamic", False):
        return _validate_dynamic(a, sc)
    # an error (e.g. a campus that cannot hold N-1) fails validation: exit 1, as a shortfall would
    return EXIT_SHORTFALL if any(level == "error" for level, _ in findings) else EXIT_OK


def _validate_dynamic(a, sc) -> int:
    """Dynamic N-1: trip the largest running unit / lose the grid at the hours of least margin."""
    import twin
    from twin.events import EventError
    from twin.events.nminus1 import dynamic_n1, n1_table
    from twin.store import RunNotFound, open_run

    try:
        run = open_run(a.run) if a.run else twin.simulate(sc)
        df = dynamic_n1(run, hours=a.hours)
    except (EventError, RunNotFound) as e:
        raise BadInput(str(e)) from None
    print(f"dynamic N-1 ({'run ' + a.run if a.run else 'baseline dispatch'}, {a.hours} hours of least margin, 30 s at 10 ms):")
    print(n1_table(df))
    return EXIT_OK if not df["ufls_stage1_reached"].any() and not df["bus_dead"].any() else EXIT_SHORTFALL


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
        from dash_app import allowed_host_names, create_app, serve
    except ImportError as e:
        raise _extra("app", e) from None

    app = create_app(a.runs, default_run=a.run, allowed_hosts=allowed_host_names(a.host))
    print(f"Campus Twin app serving on http://{a.host}:{a.port}/ (runs from {Path(a.runs).resolve()})")
    serve(app, host=a.host, port=a.port, threads=a.threads)
    return EXIT_OK


def cmd_report(a) -> int:
    from twin.report import write_report

    try:
        return write_report(a.runs, a.output, presets=a.presets, store=a.store)
    except ImportError as e:  # a PDF is printed by Playwright (the [test] extra) in Debian's chromium
        raise _extra("test", e) from None


def cmd_export(a) -> int:
    from twin.export import export_run
    from twin.store import RunNotFound

    out = Path(a.output) if a.output else None
    if out is not None and not out.parent.is_dir():
        raise BadInput(f"-o {a.output}: directory {str(out.parent)!r} does not exist")
    try:
        files = export_run(a.run, a.format, out)
    except RunNotFound as e:
        raise BadInput(str(e)) from None
    except ImportError as e:  # parquet (pyarrow) and xlsx (openpyxl) come with the [app] extra
        raise _extra("app", e) from None
    print("wrote " + ", ".join(str(f) for f in files))
    return EXIT_OK


def cmd_sweep(a) -> int:
    try:
        import dask  # noqa: F401
        import zarr  # noqa: F401
    except ImportError as e:
        raise _extra("sweep", e) from None
    from twin.sweep import run_sweep_cli

    return run_sweep_cli(a)


def cmd_plan(a) -> int:
    from twin.plan import plan
    from twin.scenario import ScenarioError
    from twin.store import save_plan

    sc = _load(a.scenario)
    if a.check_time_limit is not None and not a.check_time_limit > 0:
        raise BadInput(f"--check-time-limit: {a.check_time_limit!r} must be a positive number of seconds")
    if a.check_workers < 1:
        raise BadInput(f"--check-workers: {a.check_workers!r} must be at least 1")
    try:
        opts = {} if a.check_time_limit is None else {"time_limit_s": a.check_time_limit}
        ds = plan(sc, check=not a.no_check, check_options=opts, check_workers=a.check_workers,
                  progress=None if a.quiet else
                  (lambda stage, frac: print(f"[{100 * frac:3.0f}%] {stage}", file=sys.stderr)))
    except ScenarioError as e:
        raise BadInput(e.problems) from None
    path = save_plan(ds, a.output)
    for ph in ds["phase"].values:
        sel = ds.sel(phase=ph)
        built = ", ".join(f"{t} {float(sel['plan_capacity_mw'].sel(technology=t)):,.1f}"
                          for t in ds["technology"].values if float(sel["plan_capacity_mw"].sel(technology=t)) > 0)
        err = (f"; full-year {float(sel['plan_op_full_year_usd_per_yr']):,.0f} USD/yr, aggregation error "
               f"{100 * float(sel['plan_aggregation_error_frac']):+.2f} %") if "plan_op_full_year_usd_per_yr" in ds else ""
        print(f"{ph} ({sel['plan_phase_start'].item()}): {built} MW; grid {sel['plan_grid_option'].item() or 'none'}; "
              f"operation {float(sel['plan_op_usd_per_yr']):,.0f} USD/yr{err}")
    print(f"NPV {float(ds['plan_npv_usd']):,.0f} USD; {float(ds['plan_lcoe_usd_per_mwh_it']):,.2f} USD/MWh of IT energy")
    for line in filter(None, ds.attrs.get("problems", "").split("\n")):
        print(f"! {line}")
    print(f"saved {path} (report: {path / 'report.html'})")
    return EXIT_OK if ds.attrs.get("plan_status") == "ok" else EXIT_SHORTFALL


def cmd_event(a) -> int:
    from twin.events import EventError
    from twin.events.run import event, save_event
    from twin.store import read_summary

    try:
        ds = event(a.run, at=a.at, fault=a.fault, duration=a.duration, step=a.step)
    except EventError as e:
        raise BadInput(str(e)) from None
    path = save_event(ds, a.output or str(Path(a.run).resolve().parent), run_id=a.run_id)
    s = read_summary(path)
    print(kpi_table(s))
    print(f"saved {path}")
    return EXIT_OK if s["status"] == "ok" else EXIT_SHORTFALL


def cmd_swing(a) -> int:
    from twin.store import RunNotFound
    from twin.swing import SwingError, parse_seconds, save_swing, swing_passes, swing_study, text_tables

    try:
        job = {"iteration_s": float(a.iteration)} if a.iteration is not None else None
        ds = swing_study(a.run, hall=a.hall, at=a.at, duration_s=parse_seconds("duration", a.duration),
                         step_s=parse_seconds("step", a.step), telemetry=a.telemetry, seed=a.seed, job=job,
                         floor_frac=a.floor, dynamics=not a.no_dynamics)
        print(text_tables(ds))
        if a.output:
            print(f"saved {save_swing(ds, a.output, run_id=a.run_id)}")
    except (SwingError, RunNotFound) as e:
        raise BadInput(str(e)) from None
    return EXIT_OK if swing_passes(ds) else EXIT_SHORTFALL


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
    r.add_argument("--time-limit", type=float, help="time budget of each optimiser window [s] (default: the "
                   "scenario's solver.window_time_limit_s, 60 s); a window cut short makes the run incomplete")
    r.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    r.set_defaults(func=cmd_run)

    v = sub.add_parser("validate", help="validate a scenario and run the consistency checks (no solve)")
    v.add_argument("scenario")
    v.add_argument("--dynamic", action="store_true", help="also run the dynamic N-1 check (frequency after the "
                                                          "largest unit trip / grid loss at the hours of least margin)")
    v.add_argument("--run", help="stored run to take the hours from (default: simulate the baseline)")
    v.add_argument("--hours", type=int, default=12, help="hours of least margin to study (default 12)")
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
    ap.add_argument("--threads", type=int, default=8, help="server worker threads (default 8)")
    ap.set_defaults(func=cmd_app)

    rp = sub.add_parser("report", help="write a self-contained HTML what-if report")
    rp.add_argument("runs", nargs="*", help="run directories (the first is the reference)")
    rp.add_argument("-o", "--output", required=True,
                    help="report file (.html); with --presets, a folder for one what-if report per preset")
    rp.add_argument("--presets", action="store_true", help="run every preset first: -o FILE.html reports them side by side (baseline "
                         "dispatch); -o FOLDER writes, per preset, optimised against baseline, and an index")
    rp.add_argument("--store", default="runs", help="run store for --presets")
    rp.set_defaults(func=cmd_report)

    ex = sub.add_parser("export", help="export a stored run's series and KPIs (units in the column names)")
    ex.add_argument("run", help="run directory")
    ex.add_argument("--format", choices=["csv", "parquet", "xlsx"], default="csv")
    ex.add_argument("-o", "--output", help="output file (default: RUN-ID.FORMAT here)")
    ex.set_defaults(func=cmd_export)

    sw = sub.add_parser("sweep", help="run a scenario sweep on Dask")
    sw.add_argument("sweep", help="sweep YAML file")
    sw.add_argument("-o", "--output", help="Zarr store (default: next to the sweep file)")
    sw.add_argument("--scheduler", help="address of an existing Dask scheduler")
    sw.add_argument("--workers", type=int, default=2, help="LocalCluster workers (default 2)")
    sw.add_argument("--report", help="also write a sweep report (.html)")
    sw.set_defaults(func=cmd_sweep)
    pl = sub.add_parser("plan", help="least-cost phased build of the power and cooling plant, checked on full years")
    pl.add_argument("scenario", help="scenario with phases: and candidates: (file or preset, e.g. plan-sk-aws-ulsan)")
    pl.add_argument("-o", "--output", default="runs", help="store directory (default: runs)")
    pl.add_argument("--no-check", action="store_true", help="skip the full-year check of every phase")
    pl.add_argument("--check-time-limit", type=float, help="time budget of each optimiser window of the "
                    "full-year checks [s] (default: the scenario's solver.window_time_limit_s)")
    pl.add_argument("--check-workers", type=int, default=1, help="processes the phases' full-year checks "
                    "run in (default 1; 2 on a 2-core machine when memory allows)")
    pl.add_argument("-q", "--quiet", action="store_true", help="no progress lines")
    pl.set_defaults(func=cmd_plan)
    ev = sub.add_parser("event", help="simulate a fault from an instant of a stored run (seconds to minutes)")
    ev.add_argument("run", help="run directory")
    ev.add_argument("--at", required=True, help="instant inside the run (e.g. 2025-04-01T18:00) or 'worst'")
    ev.add_argument("--fault", required=True, help="gt_trip[:UNIT] | grid_loss | grid_circuit_loss | "
                                                   "chiller_loss:HALL | cdu_loss:HALL | a sequence YAML")
    ev.add_argument("--duration", help="simulated time (default 60s; 15min with a cooling fault)")
    ev.add_argument("--step", help="fixed step (default 10ms; 50ms with a cooling fault)")
    ev.add_argument("-o", "--output", help="run store for the event run (default: the store of RUN)")
    ev.add_argument("--run-id", help="name of the event run directory (default: generated)")
    ev.set_defaults(func=cmd_event)
    sg = sub.add_parser("swing", help="AI-training power swings at an instant of a run: dynamics, compliance, "
                                      "costed mitigations")
    sg.add_argument("run", help="run directory")
    sg.add_argument("--hall", help="study one hall (default: all)")
    sg.add_argument("--at", help="instant inside the run (default: the hour with the most training power)")
    sg.add_argument("--duration", default="1h", help="study length (default 1h)")
    sg.add_argument("--step", default="10ms", help="time step (default 10ms)")
    sg.add_argument("--iteration", type=float, help="training iteration period [s] (default: the scenario's)")
    sg.add_argument("--floor", type=float, help="GPU power floor to cost, as a fraction of TDP (default: a range)")
    sg.add_argument("--telemetry", help="measured power (CSV/netCDF with a time column) instead of the synthesis")
    sg.add_argument("--seed", type=int, default=0, help="synthesiser seed (default 0)")
    sg.add_argument("--no-dynamics", action="store_true", help="skip the campus bus dynamics")
    sg.add_argument("-o", "--output", help="store the study in this directory")
    sg.add_argument("--run-id", help="name of the study directory (default: generated)")
    sg.set_defaults(func=cmd_swing)
    return p


def _lines(e: TwinError) -> list[str]:
    """The error's lines, each naming its file (appended when the line does not say it already)."""
    src = e.source
    named = bool(src) and (Path(src).suffix != "" or "/" in src) and not src.startswith("-")
    return [f"{p} [{src}]" if named and src not in p else p for p in e.problems]


def _sigterm(signum, frame):  # noqa: ARG001 - SIGTERM stops like Ctrl-C (cleanup runs, no run left)
    from twin.optimise.stop import Interrupted

    raise Interrupted(signum)


def main(argv: list[str] | None = None) -> int:
    """Run the ``twin`` command line; return its exit code (see the module docstring)."""
    import signal

    parser = build_parser()
    a = parser.parse_args(argv)
    if argv is None and _is_main_thread():
        signal.signal(signal.SIGTERM, _sigterm)
    try:
        return int(a.func(a) or 0)
    except TwinError as e:
        for line in _lines(e):
            print(f"error: {line}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt as e:
        # Ctrl-C (130) or SIGTERM (143): nothing was saved (save_run publishes a run only
        # when it is complete); as the command, exit at once instead of tearing down modules
        code = 128 + int(getattr(e, "signum", signal.SIGINT))
        print(f"interrupted ({signal.Signals(code - 128).name}): no run saved", file=sys.stderr)
        if argv is None:
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(code)
        return code


def _is_main_thread() -> bool:
    import threading

    return threading.current_thread() is threading.main_thread()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
