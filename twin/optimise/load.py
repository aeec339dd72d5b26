"""Load rows: unserved load at VoLL and flexible training load whose shift sums to zero over
each ``flex_window_h`` block (the block's end is a row bound of the running sum)."""

from __future__ import annotations

import pyomo.environ as pyo

from twin.optimise.rows import param


def add_unserved(m, pb, T, *, obj: list) -> None:
    """Add ``uns`` (unserved load [MW], cost ``obj_uns[t]`` per MW: VoLL * step, mutable)."""
    m.uns = pyo.Var(T, domain=pyo.NonNegativeReals)
    obj.extend(m.obj_uns[t] * m.uns[t] for t in T)


def add_flex(m, pb, T) -> dict:
    """Add the training-load shift ``shift`` and its running block sum ``cum``; returns the
    facility power it adds per step (shift times the facility MW per IT MW)  [MW].  Mutable:
    ``sh_lb, sh_ub, keep_f, cum_lim, carry0``."""
    m.sh_lb = param(T)
    m.sh_ub = param(T)
    m.keep_f = param(T)
    m.cum_lim = param(T)
    m.carry0 = param()
    m.shift = pyo.Var(T, bounds=lambda m, t: (m.sh_lb[t], m.sh_ub[t]))
    m.cum = pyo.Var(T, bounds=lambda m, t: (-m.cum_lim[t], m.cum_lim[t]))
    m.cum_def = pyo.Constraint(T, rule=lambda m, t: m.cum[t] == m.keep_f[t] * (
        m.cum[t - 1] if t else m.carry0) + m.shift[t])
    return {t: m.mfac[t] * m.shift[t] for t in T}
