"""The flow end to end: scenario → physics → dispatch → settle (→ store)."""

from __future__ import annotations

from collections.abc import Callable

import xarray as xr

from twin.baseline import baseline_dispatch
from twin.couple import couple
from twin.scenario import Scenario, load_scenario
from twin.settle import settle
from twin.variables import REGISTRY

Progress = Callable[[str, float], None] | bool | None


def _progress_callback(progress: Progress) -> Callable[[str, float], None] | None:
    """``True``: a ``tqdm.auto`` bar (a widget in notebooks); a callable as it is; else none."""
    if progress is True:
        from tqdm.auto import tqdm

        bar = tqdm(total=100, desc="physics", bar_format="{desc:<28}{bar}| {elapsed}")

        def show(stage: str, frac: float) -> None:
            bar.set_description_str(stage)
            bar.n = int(100 * frac)
            bar.refresh()
            if frac >= 1.0:
                bar.close()

        return show
    return progress if callable(progress) else None


def _physics_only(ds: xr.Dataset) -> xr.Dataset:
    """Strip dispatch/settle variables from a run, leaving its physics layer."""
    drop = [v for v in ds.data_vars if v in REGISTRY and REGISTRY[v].layer != "physics"]
    out = ds.drop_vars(drop)
    for c in ("source", "cost_item"):
        if c in out.coords:
            out = out.drop_vars(c)
    if "physics_facility_power_mw" in ds:  # settle overwrote the served load; restore physics
        for v in ("it_power_mw", "cooling_power_mw", "facility_power_mw"):
            out[v] = ds[f"physics_{v}"]
    return out.drop_vars([v for v in out.data_vars if str(v).startswith("physics_")])


def _settle(physics: xr.Dataset, dispatch: xr.Dataset) -> xr.Dataset:
    ds = xr.merge([physics, dispatch], compat="override", join="exact", combine_attrs="override")
    ds.attrs = {**physics.attrs, **dispatch.attrs}
    for v in ("it_power_mw", "cooling_power_mw", "facility_power_mw"):
        ds[f"physics_{v}"] = physics[v]
        ds[f"physics_{v}"].attrs = {**physics[v].attrs, "long_name": "before dispatch: " + physics[v].attrs.get("long_name", v)}
    return settle(ds)


def _as_scenario(scenario: Scenario | str) -> Scenario:
    return scenario if isinstance(scenario, Scenario) else load_scenario(scenario)


def simulate(scenario: Scenario | str, *, progress: Progress = None) -> xr.Dataset:
    """Physics and the operator's baseline dispatch, settled: a complete run Dataset.

    Parameters
    ----------
    scenario : Scenario or str
        A validated scenario, or a scenario file path or preset name.
    progress : callable or bool, optional
        ``progress(stage, fraction)`` callback, or ``True`` for a ``tqdm.auto`` bar; default none.

    Returns
    -------
    xarray.Dataset
        The settled run (``attrs["dispatch"] == "baseline"``).
    """
    progress = _progress_callback(progress)
    sc = _as_scenario(scenario)
    if progress:
        progress("physics", 0.0)
    phys = couple(sc)
    if progress:
        progress("dispatch", 0.4)
    disp = baseline_dispatch(phys)
    if progress:
        progress("settle", 0.8)
    run = _settle(phys, disp)
    run.attrs["dispatch"] = "baseline"
    if progress:
        progress("done", 1.0)
    return run


def optimise(scenario_or_dataset: Scenario | str | xr.Dataset, *, progress: Progress = None,
             **options) -> xr.Dataset:
    """Least-cost, N-1-secure dispatch (Pyomo + HiGHS), settled, with savings vs the baseline.

    Parameters
    ----------
    scenario_or_dataset : Scenario, str or xarray.Dataset
        A scenario (or file path / preset name), or a run whose physics is reused (a settled
        baseline run is also the reference the savings are counted against).
    progress : callable or bool, optional
        ``progress(stage, fraction)`` callback, or ``True`` for a ``tqdm.auto`` bar; default none.
    **options
        Passed to :func:`twin.optimise_dispatch` (``window_h``, ``commit_h``, ``mip_rel_gap``,
        ``time_limit_s``, ``threads`` …).

    Returns
    -------
    xarray.Dataset
        The settled optimal run, with ``baseline_cost_usd`` and ``savings_vs_baseline_*`` attributes.
    """
    progress = _progress_callback(progress)
    from twin.optimise import optimise_dispatch

    given = scenario_or_dataset if isinstance(scenario_or_dataset, xr.Dataset) else None
    if given is not None:
        phys = _physics_only(given)
    else:
        if progress:
            progress("physics", 0.0)
        sc = _as_scenario(scenario_or_dataset)
        # the scenario's solver settings unless the caller gives them (the CLI's --time-limit)
        options.setdefault("time_limit_s", sc.solver.window_time_limit_s)
        options.setdefault("mip_rel_gap", sc.solver.mip_rel_gap)
        options.setdefault("relax_lookahead", sc.solver.relax_lookahead)
        options.setdefault("window_h", sc.solver.window_h)
        options.setdefault("commit_h", sc.solver.commit_h)
        phys = couple(sc)
    # a settled baseline run (from simulate) is the reference as it is; otherwise dispatch one
    if given is not None and given.attrs.get("dispatch") == "baseline" and "cost_usd" in given:
        base = given
    else:
        base = _settle(phys, baseline_dispatch(phys))
    if progress:
        progress("optimise", 0.1)

    def win(done: int, total: int) -> None:
        if progress:
            progress(f"optimise window {done}/{total}", 0.1 + 0.8 * done / max(total, 1))

    disp = optimise_dispatch(phys, progress=win, **options)
    run = _settle(phys, disp)
    run.attrs["dispatch"] = "optimal"
    b = float(base["cost_usd"].sum())
    o = float(run["cost_usd"].sum())
    run.attrs["baseline_cost_usd"] = b
    run.attrs["savings_vs_baseline_usd"] = b - o
    run.attrs["savings_vs_baseline_frac"] = (b - o) / b if b else 0.0
    if progress:
        progress("done", 1.0)
    return run
