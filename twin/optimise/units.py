"""Gas-unit rows: commitment, output on fuel segments, min up/down, ramps, start types.

One column per commitment group ``u`` (a single unit, or identical units counted by an integer;
see :func:`twin.optimise.problem.prepare`).  Formulation in :mod:`twin.optimise`.
"""

from __future__ import annotations

import numpy as np
import pyomo.environ as pyo

from twin.optimise.rows import is_number, param


def add_units(m, pb, T, *, obj: list, built=None, cyclic: bool = False, relax_from=None) -> tuple[dict, dict]:
    """Add the unit rows of ``pb`` (a :class:`~twin.optimise.problem.Problem`) over steps ``T``.

    Creates the mutable parameters ``pmin, avail, width, c_on, c_seg, f_on, f_seg, on0, p0,
    h_up, h_dn`` (and ``h_hot, h_warm`` with start types), the variables ``on, start, stop,
    seg`` (and ``d_hot, d_warm``) and appends the unit costs to ``obj``.

    ``built`` (planning): ``{u: expression}`` the number of units of column ``u`` built (a
    Pyomo integer variable or expression, at most ``pb.size[u]``); adds ``on <= built``.
    Without it the count online is bounded by ``pb.size``.

    ``cyclic`` (planning on representative days): the last step precedes the first (commitment
    and ramps wrap around; ``on0``/``p0`` are then unused).

    Returns ``(gen, fuel)``: per step, the expression of gas output [MW] and fuel [GJ per step].
    """
    U = range(pb.nu)
    K = range(pb.nk)
    TU = [(t, u) for t in T for u in U]
    TUK = [(t, u, k) for t in T for u in U for k in K]
    gen_expr = {t: 0.0 for t in T}
    fuel_expr = {t: 0.0 for t in T}  # GJ in the step
    if not pb.nu:
        return gen_expr, fuel_expr
    m.pmin = param(TU)
    m.avail = param(TU)
    m.width = param(TUK)
    m.c_on = param(TU)
    m.c_seg = param(TUK)
    m.f_on = param(TU)  # GJ per step at minimum load
    m.f_seg = param(TUK)  # GJ per MW-step on each segment
    m.on0 = param(U)
    m.p0 = param(U)
    size = pb.size
    # relax_from: steps from there on have a linear-relaxation commitment (the far part of a
    # rolling window, which is re-solved by the next window before it is committed)
    m.on = pyo.Var(TU, domain=lambda m, t, u: pyo.NonNegativeReals if relax_from is not None and t >= relax_from
                   else pyo.Binary if size[u] == 1 else pyo.NonNegativeIntegers,
                   bounds=lambda m, t, u: (0, float(size[u])))
    m.start = pyo.Var(TU, bounds=lambda m, t, u: (0, float(size[u])))
    m.stop = pyo.Var(TU, bounds=lambda m, t, u: (0, float(size[u])))
    m.seg = pyo.Var(TUK, domain=pyo.NonNegativeReals)
    if built is not None:
        bu = {u: b for u, b in built.items() if not is_number(b)}
        m.on_built = pyo.Constraint([(t, u) for t in T for u in bu], rule=lambda m, t, u: m.on[t, u] <= bu[u])
    m.seg_cap = pyo.Constraint(TUK, rule=lambda m, t, u, k: m.seg[t, u, k] <= m.width[t, u, k] * m.on[t, u])

    def above(t, u):
        return sum(m.seg[t, u, k] for k in K)

    for t in T:
        gen_expr[t] = sum(m.pmin[t, u] * m.on[t, u] + above(t, u) for u in U)
        fuel_expr[t] = sum(m.f_on[t, u] * m.on[t, u] + sum(m.f_seg[t, u, k] * m.seg[t, u, k] for k in K)
                           for u in U)

    last = max(T)

    def trans(m, t, u):
        prev = m.on[t - 1, u] if t > 0 else (m.on[last, u] if cyclic else m.on0[u])
        return m.on[t, u] - prev == m.start[t, u] - m.stop[t, u]

    m.trans = pyo.Constraint(TU, rule=trans)
    # min up / min down with the look-back before the window as parameters
    m.h_up = param(TU)
    m.h_dn = param(TU)
    up_idx = [(t, u) for t in T for u in U if pb.ut_n[u] > 1]
    dn_idx = [(t, u) for t in T for u in U if pb.dt_n[u] > 1]
    m.min_up = pyo.Constraint(up_idx, rule=lambda m, t, u: sum(
        m.start[t - i, u] for i in range(min(pb.ut_n[u], t + 1))) + m.h_up[t, u] <= m.on[t, u])
    m.min_dn = pyo.Constraint(dn_idx, rule=lambda m, t, u: sum(
        m.stop[t - i, u] for i in range(min(pb.dt_n[u], t + 1))) + m.h_dn[t, u] <= (
        built[u] if built is not None and u in built else float(size[u])) - m.on[t, u])
    if pb.has_ramp:
        r_idx = [(t, u) for t in T for u in U if np.isfinite(pb.ramp_step[u])]

        # per running unit: the group's output above minimum moves at most one ramp per
        # unit running (after the step for up, before it for down)
        def ramp_up(m, t, u):
            prev = sum(m.seg[(t - 1) % (last + 1) if cyclic else t - 1, u, k] for k in K) if (t > 0 or cyclic) \
                else m.p0[u]
            return above(t, u) - prev <= float(pb.ramp_step[u]) * m.on[t, u]

        def ramp_dn(m, t, u):
            tp = (t - 1) % (last + 1) if cyclic else t - 1
            prev = sum(m.seg[tp, u, k] for k in K) if (t > 0 or cyclic) else m.p0[u]
            prev_on = m.on[tp, u] if (t > 0 or cyclic) else m.on0[u]
            return prev - above(t, u) <= float(pb.ramp_step[u]) * prev_on

        m.ramp_up = pyo.Constraint(r_idx, rule=ramp_up)
        m.ramp_dn = pyo.Constraint(r_idx, rule=ramp_dn)
    for t in T:
        for u in U:
            obj.append(m.c_on[t, u] * m.on[t, u])
            obj.extend(m.c_seg[t, u, k] * m.seg[t, u, k] for k in K)
            obj.append(float(pb.cost_cold[u]) * m.start[t, u])
    if pb.start_types:
        _start_types(m, pb, T, U, TU, obj)
    return gen_expr, fuel_expr


def _start_types(m, pb, T, U, TU, obj: list) -> None:
    """Hot / warm start credits (Morales-España et al. 2013 start-up-type variables)."""
    size = pb.size
    m.h_hot = param(TU)
    m.h_warm = param(TU)
    hu = [u for u in U if pb.hot_n[u] > 0 and pb.cost_cold[u] - pb.cost_hot[u] > 1e-9]
    wu = [u for u in U if pb.warm_n[u] > 0 and pb.cost_cold[u] - pb.cost_warm[u] > 1e-9]
    hi = [(t, u) for t in T for u in hu]
    wi = [(t, u) for t in T for u in wu]
    m.d_hot = pyo.Var(hi, bounds=lambda m, t, u: (0, float(size[u])))
    m.d_warm = pyo.Var(wi, bounds=lambda m, t, u: (0, float(size[u])))
    m.hot_lim = pyo.Constraint(hi, rule=lambda m, t, u: m.d_hot[t, u] <= sum(
        m.stop[t - i, u] for i in range(1, min(pb.hot_n[u], t) + 1)) + m.h_hot[t, u])
    m.warm_lim = pyo.Constraint(wi, rule=lambda m, t, u: m.d_warm[t, u] <= sum(
        m.stop[t - i, u] for i in range(1, min(pb.warm_n[u], t) + 1)) + m.h_warm[t, u])
    hset, wset = set(hi), set(wi)
    m.type_sum = pyo.Constraint(TU, rule=lambda m, t, u: (
        (m.d_hot[t, u] if (t, u) in hset else 0) + (m.d_warm[t, u] if (t, u) in wset else 0)
        <= m.start[t, u]) if ((t, u) in hset or (t, u) in wset) else pyo.Constraint.Skip)
    obj.extend(-float(pb.cost_cold[u] - pb.cost_hot[u]) * m.d_hot[t, u] for (t, u) in hi)
    obj.extend(-float(pb.cost_cold[u] - pb.cost_warm[u]) * m.d_warm[t, u] for (t, u) in wi)


def headroom(m, pb, t):
    """Gas headroom at step ``t``: ``sum_u (avail - pmin) * on - seg``  [MW] (needs ``head_pmin``)."""
    return sum(m.head_pmin[t, u] * m.on[t, u] - sum(m.seg[t, u, k] for k in range(pb.nk)) for u in range(pb.nu))
