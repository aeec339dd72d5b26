"""Windows of the dispatch: the Pyomo model of a window built from the row modules, its
persistent HiGHS instance, the rolling horizon with carried state and MIP starts, and the
result Dataset (per-unit dispatch from commitment groups)."""

from __future__ import annotations

import contextlib
import logging
import numbers
import time as _time
from collections.abc import Callable

import numpy as np
import pandas as pd
import pyomo.environ as pyo
import xarray as xr

from models import lng_plant
from twin.optimise import emissions, grid, lng, load, reserve, solar, stop, storage, units
from twin.optimise.cost import dispatch_cost_usd
from twin.optimise.problem import (_LNG_SHORT_EFF, _OUT_T, CO2_CAP_EXCESS_USD_PER_T, HEURISTICS_FROM_COLUMNS,
                                   HIGHS_HEURISTIC_OPTIONS, HIGHS_LEAN_OPTIONS,
                                   SOC_END_SHORT_FRAC_OF_VOLL, WHOLE_PERIOD_MAX_H, Problem, prepare)
from twin.optimise.rows import param
from twin.variables import annotate

#: default time budget of one window's solve  [s]: far above what a window of the presets
#: takes (well under a second), so that only a window that would otherwise hang is cut short
DEFAULT_WINDOW_TIME_LIMIT_S = 60.0


class _Budget:
    """The time each window's solve is given so that the window's wall time stays within the budget:
    the budget less a margin for what runs outside HiGHS's own clock (Pyomo's update of the
    persistent model and the loading of the solution) and for HiGHS's lag in stopping once its
    limit or the deadline is reached.  The margin starts at :attr:`FIRST_FRAC` of the budget and
    grows to 1.2 times the largest such overhead measured on the run's windows (the wall time
    beyond HiGHS's own run time on every window, beyond the time given on a cut one), never
    beyond half the budget."""

    FIRST_FRAC = 0.05

    def __init__(self, budget_s: float | None):
        self.budget_s = budget_s
        self.margin_s = 0.0 if budget_s is None else self.FIRST_FRAC * budget_s

    def given_s(self) -> float | None:
        return None if self.budget_s is None else self.budget_s - self.margin_s

    def record(self, given_s: float | None, wall_s: float, highs_s: float, cut: bool) -> None:
        """A window's solve given ``given_s`` took ``wall_s`` (``highs_s`` in HiGHS; ``cut``: stopped
        by the limit): widen the margin by what ran outside the time given."""
        if given_s is None:
            return
        over = wall_s - given_s if cut else wall_s - highs_s
        self.margin_s = min(max(self.margin_s, 1.2 * over), 0.5 * self.budget_s)


# ============================================================================ the model
class _Window:
    """A Pyomo model for windows of ``W`` steps, its persistent HiGHS instance and index maps."""

    def __init__(self, pb: Problem, W: int, slots: int, options: dict, relax_from: int | None = None):
        self.pb, self.W, self.slots = pb, W, slots
        t0 = _time.perf_counter()
        self.m = m = self._build(pb, W, slots, relax_from)
        from pyomo.contrib.solver.solvers.highs import Highs

        self.solver = Highs()
        cfg = self.solver.config
        cfg.load_solutions = False
        cfg.raise_exception_on_nonoptimal_result = False
        au = cfg.auto_updates
        au.check_for_new_or_removed_constraints = False
        au.check_for_new_or_removed_vars = False
        au.check_for_new_or_removed_params = False
        au.check_for_new_objective = False
        au.update_constraints = False
        au.update_vars = False
        au.update_named_expressions = False
        au.update_objective = False
        au.update_parameters = False  # done explicitly in solve(), before the MIP start is set
        self.options = options
        self.solver.set_instance(m)
        self.highs = self.solver._solver_model
        self.highs.setOptionValue("output_flag", False)  # parameter updates log to the console otherwise
        stop.attach(self.highs)  # Ctrl-C / SIGTERM interrupt a running solve (twin.optimise.stop)
        vmap = self.solver._pyomo_var_to_solver_var_map
        cmap = self.solver._pyomo_con_to_solver_con_map

        def cols(var):
            keys = list(var.keys())
            return np.array([vmap[id(var[k])] for k in keys], dtype=np.int32)

        self.col = {v.local_name: cols(v) for v in m.component_objects(pyo.Var, descend_into=False)}
        self.row_balance = np.array([cmap[m.balance[t]] for t in range(W)], dtype=np.int32)
        self.num_col = self.highs.getNumCol()
        self.build_s = _time.perf_counter() - t0

    # ------------------------------------------------------------------ build
    @staticmethod
    def _build(pb: Problem, W: int, slots: int, relax_from: int | None = None) -> pyo.ConcreteModel:
        """One window's model: the rows of each kind of equipment, the bus balance, the objective."""
        m = pyo.ConcreteModel(name=f"campus_dispatch_{W}")
        T = range(W)
        s = pb.s
        m.demand = param(T)
        m.mfac = param(T, init=1.0)
        m.solar_ub = param(T)
        m.price = param(T)
        m.obj_uns = param(T)  # VoLL * step_h, 0 in padding
        obj: list = []
        gen_expr, fuel_expr = units.add_units(m, pb, T, obj=obj, relax_from=relax_from)
        grid.add_grid(m, pb, T, slots, obj=obj)
        solar.add_solar(m, pb, T)
        load.add_unserved(m, pb, T, obj=obj)
        supply = {t: gen_expr[t] + m.imp[t] + m.sol[t] + m.uns[t] for t in T}
        if pb.has_export:
            for t in T:
                supply[t] = supply[t] - m.exp[t]
        load_extra = {t: 0.0 for t in T}
        if pb.has_battery:
            bat = storage.add_battery(m, pb, T, obj=obj,
                                      soc_end_price_usd_per_mwh=SOC_END_SHORT_FRAC_OF_VOLL * s["voll_usd_per_mwh"])
            for t in T:
                supply[t] = supply[t] + bat[t]
        if pb.has_tes:
            tes = storage.add_tes(m, pb, T)
            for t in T:
                load_extra[t] = load_extra[t] + tes[t]
        if pb.has_flex:
            flex = load.add_flex(m, pb, T)
            for t in T:
                load_extra[t] = load_extra[t] + flex[t]
        m.balance = pyo.Constraint(T, rule=lambda m, t: supply[t] == m.demand[t] + load_extra[t])
        if pb.has_reserve:  # only when a shortfall costs something
            reserve.add_reserve(m, pb, T, obj=obj, relax_from=relax_from)
        if pb.has_tank:
            lng.add_tank(m, pb, T, fuel_expr, obj=obj)
        if pb.has_cap:
            emissions.add_co2_cap(m, pb, T, fuel_expr, obj=obj, excess_usd_per_t=CO2_CAP_EXCESS_USD_PER_T)
        m.obj = pyo.Objective(expr=pyo.quicksum(obj), sense=pyo.minimize)
        return m

    # ------------------------------------------------------------------ parameters
    def set_window(self, st: "_State", a: int, b: int, cap_t: float) -> None:
        """Load the data of steps [a, b) (b - a == W) and the carried state."""
        pb, m, W = self.pb, self.m, self.W
        sl = slice(a, b)
        sh = pb.step_h
        s = pb.s

        def put(param, values):
            for pd_, v in zip(param.values(), np.asarray(values, dtype=float).ravel().tolist()):
                pd_.set_value(v)

        put(m.demand, pb.demand[sl])
        put(m.mfac, pb.mfac[sl])
        put(m.solar_ub, pb.solar[sl])
        put(m.price, pb.price[sl])
        put(m.obj_uns, np.full(W, s["voll_usd_per_mwh"] * sh))
        if pb.nu:
            fc = lng.fuel_usd_per_gj(s)
            put(m.pmin, pb.pmin[sl])
            put(m.avail, pb.avail[sl])
            put(m.width, pb.width[sl])
            put(m.c_on, sh * (fc * pb.fuel0[sl] + pb.vom[None, :] * pb.pmin[sl]))
            put(m.c_seg, sh * (fc * pb.slope[sl] + pb.vom[None, :, None]))
            put(m.f_on, sh * pb.fuel0[sl])
            put(m.f_seg, sh * pb.slope[sl])
            put(m.on0, st.on_prev)
            put(m.p0, st.p_prev)
            if pb.has_reserve:
                put(m.obj_short, np.full(W, s["reserve_shortfall_usd_per_mwh"] * sh))
                put(m.head_pmin, pb.avail[sl] - pb.pmin[sl])
            h_up, h_dn, h_hot, h_warm = st.lookback(a, W)
            put(m.h_up, h_up)
            put(m.h_dn, h_dn)
            if pb.start_types:
                put(m.h_hot, h_hot)
                put(m.h_warm, h_warm)
        if pb.has_demand_charge:
            months = pb.month[sl]
            first = months[0]
            inm = np.zeros((self.slots, W))
            for j in range(self.slots):
                inm[j] = months == first + j
            put(m.in_month, inm)
            peak0 = np.zeros(self.slots)
            peak0[0] = st.peak_by_month.get(int(first), 0.0)
            put(m.peak0, peak0)
            put(m.c_peak, np.where(inm.any(axis=1), s["grid_demand_charge_usd_per_mw_month"], 0.0))
        if pb.has_battery:
            m.soc0.set_value(st.soc)
            m.soc_end.set_value(st.soc_final_min if b == pb.n else 0.0)
        if pb.has_tes:
            m.tes0.set_value(st.tes)
            put(m.invcop, pb.invcop[sl])
            put(m.tch_ub, pb.tes_ch_ub[sl])
            put(m.tdis_ub, pb.tes_dis_ub[sl])
        if pb.has_flex:
            blk = pb.flex_block[sl]
            keep = np.ones(W)
            keep[1:] = (blk[1:] == blk[:-1]).astype(float)
            keep[0] = 1.0 if (a > 0 and pb.flex_block[a - 1] == blk[0]) else 0.0
            ends = np.zeros(W, bool)
            ends[:-1] = blk[1:] != blk[:-1]
            ends[-1] = True  # the window's end closes the open block (see module notes)
            lim = float(np.sum(np.maximum(-pb.shift_lb[sl], pb.shift_ub[sl]))) + abs(st.carry) + 1.0
            put(m.sh_lb, pb.shift_lb[sl])
            put(m.sh_ub, pb.shift_ub[sl])
            put(m.keep_f, keep)
            put(m.cum_lim, np.where(ends, 0.0, lim))
            m.carry0.set_value(st.carry if keep[0] else 0.0)
        if pb.has_tank:
            m.tank0.set_value(st.tank)
            put(m.dlv_ub, pb.delivery_t[sl])
            heel_price = s["voll_usd_per_mwh"] * s["lng_lhv_gj_per_t"] / 3.6 * _LNG_SHORT_EFF
            put(m.c_heel, np.full(W, heel_price))
        if pb.has_cap:
            m.cap.set_value(cap_t)

    # ------------------------------------------------------------------ solve
    def solve(self, mip_rel_gap: float, time_limit_s: float | None, threads: int,
              start: np.ndarray | None) -> dict:
        """Solve the loaded window; return status, gap, timing and the column values."""
        from pyomo.contrib.solver.common.results import TerminationCondition as TC

        cfg = dict(threads=threads, rel_gap=mip_rel_gap, solver_options=dict(self.options))
        if time_limit_s is not None:
            cfg["time_limit"] = float(time_limit_s)
        h = self.highs
        t0 = _time.perf_counter()
        rt0 = float(h.getRunTime())
        self.solver.update_parameters()
        if start is not None:
            idx, val = start
            h.setSolution(int(idx.size), idx.astype(np.int32), val.astype(np.float64))
        try:
            deadline = t0 + float(time_limit_s) if time_limit_s is not None else None
            with stop.in_solve(deadline), _quiet_interrupt_warning():
                res = self.solver.solve(self.m, **cfg)
            timed_out = deadline is not None and _time.perf_counter() >= deadline
        except Exception as exc:  # a solver failure is reported, never raised mid-run
            return dict(status="error", gap=float("nan"), solve_s=_time.perf_counter() - t0, highs_s=0.0, x=None,
                        obj=float("nan"), message=f"{type(exc).__name__}: {exc}")
        wall = _time.perf_counter() - t0
        highs_s = float(h.getRunTime()) - rt0  # HiGHS's clock (cumulative per instance) in this solve
        tc = res.termination_condition
        info = h.getInfo()
        feasible = info.primal_solution_status == 2
        if tc == TC.convergenceCriteriaSatisfied:
            status = "optimal"
        elif tc == TC.maxTimeLimit or (timed_out and tc in (TC.interrupted, TC.unknown)):
            status = "time_limit"  # HiGHS's limit, or the callback's deadline (an interrupt)
        elif tc in (TC.provenInfeasible, TC.infeasibleOrUnbounded, TC.unbounded):
            status = "infeasible"
        else:
            status = "error"
        gap = float(info.mip_gap) if info.mip_node_count >= 0 else 0.0
        if not np.isfinite(gap) or gap > 1e20:
            gap = float("nan") if not feasible else gap
        x = np.asarray(h.getSolution().col_value, dtype=float) if feasible else None
        return dict(status=status, gap=gap, solve_s=wall, highs_s=highs_s, x=x,
                    obj=float(info.objective_function_value) if feasible else float("nan"))

    def _int_cols(self) -> np.ndarray:
        return np.concatenate([self.col.get(k, np.zeros(0, dtype=np.int32)) for k in ("on", "any_on")]
                              ).astype(np.int32)

    def fixed_lp(self, vals: np.ndarray):
        """Re-solve the loaded window as an LP with the commitment columns (``on``, ``any_on``,
        in :meth:`_int_cols` order) fixed at ``vals``; returns ``(x, balance duals [USD/MWh])``
        (``x`` None if the LP has no optimum)."""
        h = self.highs
        W = self.W
        cols = self._int_cols()
        nc = cols.size
        if nc:
            if getattr(self, "_int_cache", None) is None:
                lp = h.getLp()
                self._int_cache = (np.asarray(lp.col_lower_, dtype=float)[cols],
                                   np.asarray(lp.col_upper_, dtype=float)[cols],
                                   np.asarray([int(v) for v in lp.integrality_], dtype=np.uint8)[cols])
            lo0, up0, kind0 = self._int_cache
            h.changeColsIntegrality(nc, cols, np.zeros(nc, dtype=np.uint8))
            h.changeColsBounds(nc, cols, vals, vals)
        try:
            h.setOptionValue("time_limit", float("inf"))
            with stop.in_solve():
                h.run()
            ok = h.getModelStatus() == _highs_status_optimal()
            sol = h.getSolution()
            d = np.asarray(sol.row_dual, dtype=float)[self.row_balance] if ok else np.full(W, np.nan)
            x = np.asarray(sol.col_value, dtype=float) if ok else None
        finally:
            if nc:
                h.changeColsBounds(nc, cols, lo0, up0)
                h.changeColsIntegrality(nc, cols, kind0)
        return x, d / self.pb.step_h

    def duals(self, x: np.ndarray) -> np.ndarray:
        """Balance duals [USD/MWh] with the commitment fixed at ``x`` (LP re-solve)."""
        return self.fixed_lp(np.round(x[self._int_cols()]))[1]

    def held_commitment(self, on_prev: np.ndarray) -> np.ndarray:
        """Commitment values (:meth:`_int_cols` order) that keep ``on_prev`` through the window:
        always feasible (no start or stop, so min up/down, start types and ramps hold)."""
        pb, W = self.pb, self.W
        on = np.tile(np.round(on_prev), W)
        grp = [u for u in range(pb.nu) if pb.size[u] > 1]
        any_on = np.tile((np.round(on_prev[grp]) > 0).astype(float), W) if grp else np.zeros(0)
        return np.concatenate([on, any_on]) if "any_on" in self.col else on

    def shifted_start(self, x_prev: np.ndarray, shift: int):
        """MIP start: the previous window's commitment moved ``shift`` steps earlier, the
        last decision held to the end (HiGHS completes the continuous part itself)."""
        if "on" not in self.col or self.col["on"].size == 0 or x_prev.size != self.num_col:
            return None
        W, nu = self.W, self.pb.nu
        on = np.round(x_prev[self.col["on"]].reshape(W, nu))
        new = np.vstack([on[shift:], np.repeat(on[-1:], min(shift, W), axis=0)])[:W]
        return self.col["on"], new.ravel()


@contextlib.contextmanager
def _quiet_interrupt_warning():
    """Pyomo logs a warning for HiGHS's "interrupted" status, which here is the budget's
    deadline or a signal, both reported in the result instead."""
    log = logging.getLogger("pyomo.contrib.solver.solvers.highs")
    level = log.level
    log.setLevel(logging.ERROR)
    try:
        yield
    finally:
        log.setLevel(level)


def _highs_status_optimal():
    import highspy

    return highspy.HighsModelStatus.kOptimal


# ============================================================================ carried state
class _State:
    """Committed decisions over the whole period, and the state at the current window start."""

    def __init__(self, pb: Problem):
        self.pb = pb
        n, nu = pb.n, pb.nu
        self.on = np.zeros((n, nu))
        self.start = np.zeros((n, nu))
        self.stop = np.zeros((n, nu))
        self.on_prev = pb.init_on.copy()
        self.p_prev = np.zeros(nu)
        s = pb.s
        self.soc = s["battery_soc_initial_frac"] * s["battery_energy_mwh"] if pb.has_battery else 0.0
        self.soc_final_min = self.soc  # optimise_dispatch(battery_end="free") sets 0
        self.tes = 0.0
        self.tank = s["lng_tank_initial_t"] if pb.has_tank else 0.0
        self.carry = 0.0
        self.peak_by_month: dict[int, float] = {}

    def lookback(self, a: int, W: int):
        """History terms for steps 0..W-1 of a window starting at ``a``: counts of committed
        starts (min up), stops (min down, hot, warm) before ``a`` that fall in each row's range."""
        pb = self.pb
        nu = pb.nu
        cs_start = np.concatenate([np.zeros((1, nu)), np.cumsum(self.start[:a], axis=0)])
        cs_stop = np.concatenate([np.zeros((1, nu)), np.cumsum(self.stop[:a], axis=0)])
        t = np.arange(W)[:, None]

        def hist(cs, first_offset, length):
            # sum over i in [first_offset, first_offset+length) of x[a + t - i] for a + t - i < a, >= 0
            hi = np.minimum(a + t - first_offset, a - 1)  # last absolute index (inclusive)
            lo = np.maximum(a + t - first_offset - length[None, :] + 1, 0)
            hi_c = np.clip(hi + 1, 0, a)
            lo_c = np.clip(lo, 0, a)
            valid = hi_c > lo_c
            take = lambda idx: np.take_along_axis(cs, idx, axis=0)  # noqa: E731
            res = np.where(valid, take(np.broadcast_to(hi_c, (W, nu))) - take(np.broadcast_to(lo_c, (W, nu))), 0.0)
            return res

        if nu == 0 or a == 0:
            z = np.zeros((W, nu))
            return z, z, z, z
        return (hist(cs_start, 0, pb.ut_n), hist(cs_stop, 0, pb.dt_n),
                hist(cs_stop, 1, pb.hot_n), hist(cs_stop, 1, pb.warm_n))


# ============================================================================ driver
def _windows(n: int, W: int, C: int) -> list[tuple[int, int, int]]:
    """(start, end, commit_end) of each window; the last runs to the end and commits all of it."""
    out = []
    a = 0
    while a + W < n:
        out.append((a, a + W, a + C))
        a += C
    out.append((a, n, n))
    return out


def optimise_dispatch(physics: xr.Dataset, *, horizon: str = "auto", window_h: float = 36,
                      commit_h: float = 24, mip_rel_gap: float = 1e-3,
                      time_limit_s: float | None = DEFAULT_WINDOW_TIME_LIMIT_S,
                      threads: int = 1, progress: Callable[[int, int], None] | None = None,
                      highs_options: dict | None = None, warm_start: bool = True,
                      group_identical: bool = True, battery_end: str = "initial",
                      relax_lookahead: bool = False, peak_targets: bool = True) -> xr.Dataset:
    """Least-cost, N-1-secure dispatch of a campus over the physics Dataset's period.

    Parameters
    ----------
    physics : xarray.Dataset
        The physics layer (every "physics" variable of :mod:`twin.variables`), on ``time``
        with ``attrs["step_h"]`` [h], ``unit`` (may be empty) and ``point`` dimensions.
    horizon : {"auto", "whole", "rolling"}
        ``"auto"``: the whole period at once when it is at most :data:`WHOLE_PERIOD_MAX_H`
        hours, else rolling windows.
    window_h, commit_h : float
        Rolling window length and the part of it kept  [h]; ``0 < commit_h <= window_h``.
    mip_rel_gap : float
        Relative MIP gap at which HiGHS stops (per window).
    time_limit_s : float or None
        Time budget of each window's solve  [s] (default :data:`DEFAULT_WINDOW_TIME_LIMIT_S`;
        None: no limit).  HiGHS is given the budget less a margin measured on the run's own
        windows (:class:`_Budget`), so that a window's wall time stays within the budget.
        When it runs out, HiGHS's best solution is kept with its gap
        (``window_status`` "time_limit"); a window with no solution at all gets the fallback
        dispatch of :func:`_fallback` (``window_status`` "fallback"); either makes the run
        ``incomplete`` and is named in ``attrs["incomplete_windows"]``.  Ctrl-C / SIGTERM stop
        the solve within a HiGHS iteration and raise :class:`twin.optimise.stop.Interrupted`.
    threads : int
        HiGHS threads.
    progress : callable, optional
        Called as ``progress(done_windows, total_windows)`` after each window.
    highs_options : dict, optional
        Extra HiGHS options; default :data:`HIGHS_LEAN_OPTIONS`, or
        :data:`HIGHS_HEURISTIC_OPTIONS` for plants of ``HEURISTICS_FROM_COLUMNS`` or more
        commitment columns (distinct units or models) whose N-1 reserve is priced.
    warm_start : bool
        Pass the previous window's solution, shifted, as a MIP start.
    group_identical : bool
        Commit units of one ``unit_group`` that are identical in every parameter and series as
        one integer count (removes the symmetry that slows branch and bound); results are still
        per unit.
    relax_lookahead : bool
        Commitment of the look-ahead part of each rolling window (after ``commit_h``) as a linear
        relaxation (the next window re-solves those hours with integers before committing them):
        fewer integers per window, an approximation of the look-ahead only.
    peak_targets : bool
        Rolling windows with a demand charge: start each month's peak at the import peak of a
        month-long linear relaxation (:func:`_peak_targets`), so that a window does not weigh the
        whole month's demand charge against its own hours.
    battery_end : {"initial", "free"}
        ``"initial"``: the battery ends the period with at least the charge it started with, so
        that the period's cost does not include energy borrowed from the battery; ``"free"``:
        no condition at the end (as PyPSA's non-cyclic storage).

    Returns
    -------
    xarray.Dataset
        The registry's "dispatch" variables on the physics coordinates; attributes
        ``solver_status`` ("optimal" | "time_limit" | "infeasible" | "error"), ``complete``
        (1 only when every window solved to optimality within the gap), ``mip_gap`` (largest
        window gap), ``objective_usd`` (:func:`dispatch_cost_usd` of the result),
        ``solve_time_s``, ``build_time_s``, ``windows``, ``horizon``, ``optimisation_status``
        ("complete" | "incomplete": a time-out or failure is never "complete"), the slacks used
        (``unserved_mwh`` / ``_steps`` / ``_peak_mw`` / ``_first`` and the same for
        ``reserve_shortfall``), ``commitment_groups``; per-window
        ``window_start``, ``window_solve_s``, ``window_gap``, ``window_status`` on ``window``.

    Notes
    -----
    The formulation, the carried state and the simplifications are described in the module
    docstring of :mod:`twin.optimise`.
    """
    if horizon not in ("auto", "whole", "rolling"):
        raise ValueError(f"horizon: {horizon!r} is not one of 'auto', 'whole', 'rolling'")
    for name, v in (("window_h", window_h), ("commit_h", commit_h)):
        if not (isinstance(v, numbers.Real) and np.isfinite(v) and v > 0):
            raise ValueError(f"{name}: {v!r} must be a positive number of hours")
    if commit_h > window_h:
        raise ValueError(f"commit_h: {commit_h!r} must not exceed window_h ({window_h!r})")
    if not (isinstance(mip_rel_gap, numbers.Real) and 0 <= mip_rel_gap < 1):
        raise ValueError(f"mip_rel_gap: {mip_rel_gap!r} must be in [0, 1)")
    if time_limit_s is not None and not (time_limit_s > 0):
        raise ValueError(f"time_limit_s: {time_limit_s!r} must be positive (or None)")
    if not (isinstance(threads, numbers.Integral) and threads >= 1):
        raise ValueError(f"threads: {threads!r} must be a positive integer")
    if battery_end not in ("initial", "free"):
        raise ValueError(f"battery_end: {battery_end!r} is not one of 'initial', 'free'")

    pb = prepare(physics, group=group_identical)
    n, sh = pb.n, pb.step_h
    if horizon == "auto":
        horizon = "whole" if n * sh <= WHOLE_PERIOD_MAX_H + 1e-9 else "rolling"
    if horizon == "whole":
        W = C = n
    else:
        W = max(1, int(round(window_h / sh)))
        C = max(1, min(W, int(round(commit_h / sh))))
    wins = _windows(n, W, C)
    slots = max(len(np.unique(pb.month[a:b])) for a, b, _ in wins)
    options = {"output_flag": False}
    if highs_options is None:
        heuristics = pb.nu >= HEURISTICS_FROM_COLUMNS and pb.has_reserve
        highs_options = HIGHS_HEURISTIC_OPTIONS if heuristics else HIGHS_LEAN_OPTIONS
        option_set = "heuristics" if heuristics else "lean"
    else:
        option_set = "given"
    options.update(highs_options)

    st = _State(pb)
    budget = _Budget(time_limit_s)
    if battery_end == "free":
        st.soc_final_min = 0.0
    models: dict[tuple, _Window] = {}
    out = {k: np.zeros(n) for k in _OUT_T}
    gen = np.zeros((n, pb.nu))
    heel = np.zeros(n)
    co2x = 0.0
    w_start, w_solve, w_gap, w_status, w_highs, w_tank = [], [], [], [], [], []
    messages: list[str] = []
    build_s = 0.0
    prev_x: dict[int, np.ndarray] = {}
    prev_shift = 0
    targets: dict[int, float] = {}
    targets_s = 0.0
    with stop.stop_on_signal():  # Ctrl-C / SIGTERM: Interrupted, nothing returned
        if peak_targets and pb.has_demand_charge and horizon == "rolling" and len(wins) > 1:
            t0 = _time.perf_counter()
            targets = _peak_targets(pb, options, threads, time_limit_s)
            st.peak_by_month.update(targets)
            targets_s = _time.perf_counter() - t0
        for wi, (a, b, c) in enumerate(wins):
            Wn = b - a
            # the far part (after the committed steps) relaxed on request; never in a window
            # that commits all of its steps
            rf = (c - a) if relax_lookahead and c < b else None
            if (Wn, rf) not in models:
                models[(Wn, rf)] = _Window(pb, Wn, slots, options, rf)
                build_s += models[(Wn, rf)].build_s
            mod = models[(Wn, rf)]
            t0 = _time.perf_counter()
            cap_t = pb.s["co2_cap_t"] * float(pb.energy_share[a:b].sum()) if pb.has_cap else 0.0
            mod.set_window(st, a, b, cap_t)
            build_s += _time.perf_counter() - t0
            start = None
            if warm_start and Wn in prev_x and prev_shift:
                start = mod.shifted_start(prev_x[Wn], prev_shift)
            given = budget.given_s()
            r = mod.solve(mip_rel_gap, given, threads, start)
            budget.record(given, r["solve_s"], r.get("highs_s", 0.0), r["status"] == "time_limit")
            w_start.append(physics["time"].values[a])
            w_solve.append(r["solve_s"])
            w_highs.append(r["highs_s"])
            w_gap.append(r["gap"])
            w_status.append(r["status"])
            if r.get("message"):
                messages.append(f"window {wi}: {r['message']}")
            x = r["x"]
            cc = c - a  # steps committed
            if x is None and r["status"] == "time_limit":
                # no solution within the budget: the fallback rule keeps the commitment the window
                # started with and dispatches the rest as an LP (always feasible: held_commitment)
                w_status[-1] = "fallback"
                xf, duals = mod.fixed_lp(mod.held_commitment(st.on_prev))
                if xf is not None:
                    prev_x = {}
                    _commit(pb, mod, st, xf, duals, a, c, out, gen, heel)
                    if pb.has_cap:
                        co2x += float(xf[mod.col["co2x"]][0]) * (cc / Wn)
                    x = xf
            if x is None:
                _fallback(pb, st, a, c, out, gen)
                prev_x = {}
            elif r["x"] is None:
                pass  # committed by the fallback rule above
            else:
                prev_x = {Wn: x}
                prev_shift = cc
                duals = mod.duals(x)
                _commit(pb, mod, st, x, duals, a, c, out, gen, heel)
                if pb.has_cap:
                    co2x += float(x[mod.col["co2x"]][0]) * (cc / Wn)
            w_tank.append(st.tank)
            if progress is not None:
                progress(wi + 1, len(wins))

    res = _result(physics, pb, st, out, gen, heel, co2x, wins, w_start, w_solve, w_gap, w_status,
                  build_s, horizon)
    res["window_highs_s"] = ("window", np.asarray(w_highs, float))
    res["window_highs_s"].attrs = {"units": "s", "long_name": "HiGHS run time of the window's solve"}
    if pb.has_tank:
        res["window_lng_tank_t"] = ("window", np.asarray(w_tank, float))
        res["window_lng_tank_t"].attrs = {
            "units": "t", "long_name": "LNG in the tank at the end of the window's committed steps, "
                                       "as the optimiser carried it into the next window"}
    res.attrs["window_time_limit_s"] = float(time_limit_s) if time_limit_s is not None else float("inf")
    res.attrs["window_time_margin_s"] = float(budget.margin_s)
    res.attrs["highs_option_set"] = option_set  # "lean" | "heuristics" (the default rule) | "given"
    res.attrs["window_h"], res.attrs["commit_h"] = float(W * sh), float(C * sh)
    res.attrs["grid_peak_targets_mw"] = ", ".join(f"{v:.1f}" for _, v in sorted(targets.items()))
    res.attrs["grid_peak_targets_s"] = float(targets_s)
    res.attrs["solver_message"] = "; ".join(messages[:5])
    return res


#: the longest month (steps) for which :func:`_peak_targets` solves a month-long LP (a month at
#: 15-min steps is 2,976; at one-minute steps the LP would be too large and no target is set)
PEAK_TARGET_MAX_STEPS = 3000


def _peak_targets(pb: Problem, options: dict, threads: int, time_limit_s: float | None) -> dict[int, float]:
    """Grid import peak of each calendar month from a month-long linear relaxation of the dispatch
    (every row of a window, commitment continuous, from the period's initial state).

    A rolling window that pays the whole month's demand charge for raising the month's peak weighs
    a month of that charge against a day and a half of energy: it keeps imports low and runs gas
    that a month-long view would not (on a grid + gas campus with the KEPCO demand charge, 15 %
    dearer over a year; ``tests/optimise/test_peak_targets.py``).  With the relaxation's peak as the
    month's peak already paid, each window imports up to it at its energy price and pays the demand
    charge only above it; the run's cost is still billed on the peak it reaches
    (:func:`dispatch_cost_usd`).  Months longer than :data:`PEAK_TARGET_MAX_STEPS` get no target.
    """
    out: dict[int, float] = {}
    models: dict[int, _Window] = {}
    for mo in np.unique(pb.month):
        idx = np.flatnonzero(pb.month == mo)
        a, b = int(idx[0]), int(idx[-1]) + 1
        L = b - a
        if L > PEAK_TARGET_MAX_STEPS or L < 2:
            continue
        if L not in models:
            models[L] = _Window(pb, L, 1, options, relax_from=0)
        mod = models[L]
        st = _State(pb)
        cap_t = pb.s["co2_cap_t"] * float(pb.energy_share[a:b].sum()) if pb.has_cap else 0.0
        mod.set_window(st, a, b, cap_t)
        r = mod.solve(0.0, time_limit_s, threads, None)
        if r["x"] is not None:
            out[int(mo)] = float(np.max(r["x"][mod.col["imp"]], initial=0.0))
    return out


def _vals(mod: _Window, x: np.ndarray, name: str, shape=None) -> np.ndarray:
    v = x[mod.col[name]]
    return v.reshape(shape) if shape is not None else v


def _commit(pb, mod, st, x, duals, a, c, out, gen, heel) -> None:
    """Copy steps [a, c) of a window solution into the results and advance the state."""
    W, nu, nk = mod.W, pb.nu, pb.nk
    k = c - a
    sl = slice(a, c)
    if nu:
        on = np.round(_vals(mod, x, "on", (W, nu)))  # units running in each group
        seg = np.maximum(_vals(mod, x, "seg", (W, nu, nk)), 0.0)
        above = np.where(on > 0.5, seg.sum(axis=2), 0.0)
        g = pb.pmin[a:a + W] * on + above
        gen[sl] = g[:k]
        st.on[sl] = on[:k]
        prev = np.vstack([st.on_prev[None, :], on[:-1]])
        st.start[sl] = np.maximum(on - prev, 0.0)[:k]
        st.stop[sl] = np.maximum(prev - on, 0.0)[:k]
        st.on_prev = on[k - 1].copy()
        st.p_prev = np.where(on[k - 1] > 0.5, above[k - 1], 0.0)
    imp = _vals(mod, x, "imp")
    exp = _vals(mod, x, "exp") if pb.has_export else np.zeros(W)
    out["grid_import_mw"][sl] = (imp - exp)[:k]
    sol = np.clip(_vals(mod, x, "sol"), 0.0, pb.solar[a:a + W])
    out["solar_mw"][sl] = sol[:k]
    out["curtailed_mw"][sl] = (pb.solar[a:a + W] - sol)[:k]
    out["unserved_mw"][sl] = np.maximum(_vals(mod, x, "uns"), 0.0)[:k]
    if pb.has_battery:
        out["battery_charge_mw"][sl] = _vals(mod, x, "ch")[:k]
        out["battery_discharge_mw"][sl] = _vals(mod, x, "dis")[:k]
        soc = _vals(mod, x, "soc")
        out["battery_soc_mwh"][sl] = soc[:k]
        st.soc = float(soc[k - 1])
    if pb.has_tes:
        out["tes_charge_mw_th"][sl] = _vals(mod, x, "tch")[:k]
        out["tes_discharge_mw_th"][sl] = _vals(mod, x, "tdis")[:k]
        ts = _vals(mod, x, "tsoc")
        out["tes_soc_mwh_th"][sl] = ts[:k]
        st.tes = float(ts[k - 1])
    if pb.has_flex:
        shv = _vals(mod, x, "shift")
        out["it_shift_mw"][sl] = shv[:k]
        cum = _vals(mod, x, "cum")
        st.carry = float(cum[k - 1])
    if pb.has_tank:
        heel[sl] = _vals(mod, x, "heel")[:k]
        # the tank carried on is the real one under the committed burn (the settle's rule), not
        # the window's own level: a solution within its gap may leave cargo it had room for
        fuel = np.zeros(k)
        if nu:
            fuel = pb.step_h * (pb.fuel0[a:c] * on[:k] + (pb.slope[a:c] * seg[:k]).sum(axis=2)).sum(axis=1)
        _step_tank(pb, st, a, c, fuel / pb.s["lng_lhv_gj_per_t"], out)
    if pb.has_demand_charge:
        months = pb.month[sl]
        impk = imp[:k]
        for mo in np.unique(months):
            st.peak_by_month[int(mo)] = max(st.peak_by_month.get(int(mo), 0.0), float(impk[months == mo].max()))
    out["marginal_price_usd_per_mwh"][sl] = duals[:k]


def _step_tank(pb, st, a: int, c: int, burn_t: np.ndarray, out) -> None:
    """Advance the carried tank over steps [a, c) under a burn [t per step] by the settle's own
    rule (:func:`models.lng_plant.lng_tank_steps_t`)."""
    s = pb.s
    tank = lng_plant.lng_tank_steps_t(burn_t, pb.delivery_t[a:c], pb.step_h, capacity_t=s["lng_tank_capacity_t"],
                                      initial_t=st.tank, boil_off_frac_per_day=s["lng_boil_off_frac_per_day"],
                                      min_level_t=s["lng_tank_min_t"])
    out["lng_delivered_t"][a:c] = tank["lng_delivered_t"]
    st.tank = float(tank["lng_tank_t"][-1])


def _fallback(pb, st, a, c, out, gen) -> None:
    """Last resort for a window the solver failed on (an error, or no LP optimum even with the
    commitment held): a balance-feasible dispatch with units off, PV, grid up to its capacity,
    the rest unserved (the run is marked incomplete and the window named)."""
    sl = slice(a, c)
    d = pb.demand[sl]
    sol = np.minimum(pb.solar[sl], d)
    imp = np.minimum(d - sol, pb.s["grid_capacity_mw"] if pb.has_grid else 0.0)
    out["solar_mw"][sl] = sol
    out["curtailed_mw"][sl] = pb.solar[sl] - sol
    out["grid_import_mw"][sl] = imp
    out["unserved_mw"][sl] = d - sol - imp
    out["marginal_price_usd_per_mwh"][sl] = np.nan
    if pb.nu:
        gen[sl] = 0.0
        st.on[sl] = 0.0
        prev = np.vstack([st.on_prev[None, :], st.on[a:c - 1]])
        st.stop[sl] = np.maximum(prev - st.on[sl], 0.0)
        st.start[sl] = 0.0
        st.on_prev = np.zeros(pb.nu)
        st.p_prev = np.zeros(pb.nu)
    if pb.has_battery:
        out["battery_soc_mwh"][sl] = st.soc
    if pb.has_tes:
        keep = 1.0 - pb.s["tes_loss_frac_per_h"] * pb.step_h
        lev = st.tes * keep ** np.arange(1, c - a + 1)
        out["tes_soc_mwh_th"][sl] = lev
        st.tes = float(lev[-1])
    if pb.has_tank:  # units off: the tank only takes its cargoes and boils off (flared)
        _step_tank(pb, st, a, c, np.zeros(c - a), out)
    st.carry = 0.0


def _result(physics, pb, st, out, gen, heel, co2x, wins, w_start, w_solve, w_gap, w_status, build_s,
            horizon) -> xr.Dataset:
    n, nu, sh = pb.n, pb.nu, pb.step_h
    # reserve bookkeeping from the solution: largest running unit and the uncovered part
    on_u, gen_u = _disaggregate(pb, st.on, gen, physics)
    if pb.n_units:
        on = on_u > 0.5
        g = np.where(on, gen_u, 0.0)
        largest = g.max(axis=1)
        spare = np.where(on, pb.avail_units - g, 0.0)
        head_all = spare.sum(axis=1)
        grid_head = (pb.s["grid_capacity_mw"] - out["grid_import_mw"]) if pb.has_grid else np.zeros(n)
        if pb.has_battery:
            s = pb.s
            soc_min = s["battery_soc_min_frac"] * s["battery_energy_mwh"]
            can = np.maximum(out["battery_soc_mwh"] - soc_min, 0.0) * s["battery_eff_discharge"] / sh
            bh = np.maximum(np.minimum(s["battery_power_mw"] - out["battery_discharge_mw"], can), 0.0) \
                + out["battery_charge_mw"]
        else:
            bh = np.zeros(n)
        # worst trip: the unit whose loss leaves least (its own headroom leaves with it)
        need = np.where(on, pb.avail_units, 0.0).max(axis=1)
        shortfall = np.maximum(need - head_all - grid_head - bh, 0.0)
        if pb.has_grid:  # or the loss of one grid circuit (issue #9 item 11)
            lost = np.maximum(out["grid_import_mw"] - pb.s["grid_n1_capacity_mw"], 0.0)
            shortfall = np.maximum(shortfall, lost - head_all - bh)
            largest = np.maximum(largest, lost)
        shortfall[shortfall < 1e-6] = 0.0
        out["reserve_required_mw"] = largest
        out["reserve_shortfall_mw"] = shortfall
    # exact balance: unserved absorbs solver round-off (at most the feasibility tolerance)
    supply = gen.sum(axis=1) + out["grid_import_mw"] + out["solar_mw"] + out["battery_discharge_mw"] \
        - out["battery_charge_mw"]
    load = pb.demand + out["it_shift_mw"] * pb.mfac + (out["tes_charge_mw_th"] - out["tes_discharge_mw_th"]) * pb.invcop
    resid = load - supply
    out["unserved_mw"] = np.maximum(resid, 0.0)
    over = np.maximum(-resid, 0.0)
    if np.any(over > 0):
        # surplus of round-off size: trim the solar used, then the grid import
        cut = np.minimum(over, out["solar_mw"])
        out["solar_mw"] -= cut
        out["curtailed_mw"] += cut
        out["grid_import_mw"] -= over - cut
    out["unserved_mw"][out["unserved_mw"] < 1e-7] = 0.0

    ds = xr.Dataset(coords={"time": physics["time"]})
    if "unit" in physics.coords:
        ds = ds.assign_coords(unit=physics["unit"])
    ds["gen_mw"] = (("time", "unit"), gen_u)
    ds["unit_on"] = (("time", "unit"), on_u.astype(np.int8))
    prev_u = np.vstack([pb.init_on_units[None, :] > 0.5, on_u[:-1] > 0.5]) if pb.n_units else on_u > 0.5
    ds["unit_start"] = (("time", "unit"), ((on_u > 0.5) & ~prev_u).astype(np.int8))
    for k in _OUT_T:
        ds[k] = ("time", out[k])
    ds = ds.assign_coords(window=np.arange(len(wins)))
    ds["window_start"] = ("window", np.asarray(w_start))
    ds["window_solve_s"] = ("window", np.asarray(w_solve, float))
    ds["window_gap"] = ("window", np.asarray(w_gap, float))
    ds["window_status"] = ("window", np.asarray(w_status, dtype=object))
    ds["window_solve_s"].attrs = {"units": "s", "long_name": "wall time of the window's solve"}
    ds["window_gap"].attrs = {"units": "1", "long_name": "relative MIP gap reached in the window"}
    order = ["error", "infeasible", "fallback", "time_limit", "optimal"]
    worst = min(w_status, key=order.index)
    gaps = np.asarray(w_gap, float)
    # every window that is not solved to the gap, named: its number, start, status and gap
    bad = [f"window {i} ({pd.Timestamp(w_start[i]):%Y-%m-%d %H:%M}): {w_status[i]}"
           + (f", gap {100 * gaps[i]:.3g} %" if np.isfinite(gaps[i]) else ", no solution")
           for i in range(len(w_status)) if w_status[i] != "optimal"]
    ds.attrs.update(
        dispatch="optimal",
        solver="HiGHS via Pyomo (persistent)",
        solver_status=worst,
        complete=int(worst == "optimal"),
        mip_gap=float(np.nanmax(gaps)) if np.any(np.isfinite(gaps)) else float("nan"),
        solve_time_s=float(np.sum(w_solve)),
        build_time_s=float(build_s),
        windows=len(wins),
        horizon=horizon,
        incomplete_windows="; ".join(bad),
        incomplete_window_count=len(bad),
    )
    ds = annotate(ds)
    cost = dispatch_cost_usd(physics, ds)
    penalty = float(heel.sum() * pb.s["voll_usd_per_mwh"] * pb.s["lng_lhv_gj_per_t"] / 3.6 * _LNG_SHORT_EFF) \
        if pb.has_tank else 0.0
    ds.attrs["objective_usd"] = float(sum(cost.values()) + penalty + co2x * CO2_CAP_EXCESS_USD_PER_T)
    ds.attrs["lng_heel_shortfall_t"] = float(heel.sum())
    end_short = max(st.soc_final_min - float(out["battery_soc_mwh"][-1]), 0.0) if pb.has_battery and n else 0.0
    ds.attrs["battery_end_shortfall_mwh"] = end_short if end_short > 1e-6 else 0.0
    ds.attrs["objective_usd"] += ds.attrs["battery_end_shortfall_mwh"] * SOC_END_SHORT_FRAC_OF_VOLL \
        * pb.s["voll_usd_per_mwh"]
    ds.attrs["fuel_curve_convexified_max_gj_per_h"] = float(pb.convexified_gj_per_h)
    ds.attrs["commitment_groups"] = int(sum(len(m_) > 1 for m_ in pb.members))
    ds.attrs["commitment_groups_split_for_ramp"] = int(pb.groups_split_for_ramp)
    # slacks used, stated plainly: how much, how many steps, the first one
    times = pd.DatetimeIndex(physics["time"].values)
    for key, var in (("unserved", "unserved_mw"), ("reserve_shortfall", "reserve_shortfall_mw")):
        v = ds[var].values
        hit = np.flatnonzero(v > 1e-6)
        ds.attrs[f"{key}_mwh"] = float(v.sum() * sh)
        ds.attrs[f"{key}_steps"] = int(hit.size)
        ds.attrs[f"{key}_peak_mw"] = float(v.max(initial=0.0))
        ds.attrs[f"{key}_first"] = str(times[hit[0]]) if hit.size else ""
    ds.attrs["optimisation_status"] = "complete" if worst == "optimal" else "incomplete"
    return ds


def _disaggregate(pb: Problem, on_g: np.ndarray, gen_g: np.ndarray, physics: xr.Dataset):
    """Units on and their output from group counts: a group's output is shared equally by its
    running units (optimal for identical convex curves); a start takes the most recently
    stopped unit that has served its minimum down time (a hot start where there is one), a
    stop takes the unit that has run longest (it has served its minimum up time)."""
    n = pb.n
    on_u = np.zeros((n, pb.n_units))
    gen_u = np.zeros((n, pb.n_units))
    for g, mem in enumerate(pb.members):
        cnt = np.round(on_g[:, g]).astype(int)
        if len(mem) == 1:
            on_u[:, mem[0]] = cnt
            gen_u[:, mem[0]] = np.where(cnt > 0, gen_g[:, g], 0.0)
            continue
        state = pb.init_on_units[mem] > 0.5
        last = np.full(len(mem), -10**9)  # step of the last switch
        dt = int(pb.dt_n[g])
        for t in range(n):
            k = cnt[t]
            cur = int(state.sum())
            if k > cur:
                off = np.flatnonzero(~state)
                ok = off[(t - last[off]) >= dt]
                rest = off[(t - last[off]) < dt]
                order = np.r_[ok[np.argsort(-last[ok], kind="stable")], rest[np.argsort(last[rest], kind="stable")]]
                pick = order[:k - cur]
                state[pick] = True
                last[pick] = t
            elif k < cur:
                onn = np.flatnonzero(state)
                pick = onn[np.argsort(last[onn], kind="stable")][:cur - k]
                state[pick] = False
                last[pick] = t
            on_u[t, mem] = state
            if k > 0:
                gen_u[t, mem] = np.where(state, gen_g[t, g] / k, 0.0)
    return on_u, gen_u


