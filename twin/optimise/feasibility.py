"""Per-unit feasibility of a dispatch: every gas unit's limits checked one unit at a time.

The dispatch model may count identical units by one integer (commitment groups); this check
reads the per-unit result it hands back (``unit_on``, ``gen_mw``) and tests each unit against
the limits of the per-unit model: output 0 when off and within [minimum load, available] when
on; ramps on the output above minimum load (up: ``a[t] - a[t-1] <= ramp * step``, a starting
unit from 0; down: ``a[t-1] - a[t] <= ramp * step`` for a unit on at ``t-1``, so a unit stops
from within one ramp of its minimum); minimum up and down times (a run or a pause shorter
than the minimum is allowed only where it touches the period's start, whose history is not
known, or its end).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import xarray as xr

from twin.optimise.problem import prepare


def unit_violations(physics: xr.Dataset, dispatch: xr.Dataset, tol_mw: float = 1e-5) -> list[str]:
    """Every per-unit limit the dispatch breaks, one line each (empty: feasible unit by unit)."""
    pb = prepare(physics, group=False)
    if not pb.nu:
        return []
    n, sh = pb.n, pb.step_h
    times = pd.DatetimeIndex(physics["time"].values)
    names = [str(u) for u in physics["unit"].values]
    on = np.asarray(dispatch["unit_on"].values) > 0.5
    gen = np.asarray(dispatch["gen_mw"].values, float)
    out: list[str] = []

    def at(t):
        return f"{times[t]:%Y-%m-%d %H:%M}"

    off_gen = (~on) & (np.abs(gen) > tol_mw)
    low = on & (gen < pb.pmin - tol_mw)
    high = on & (gen > pb.avail + tol_mw)
    for mask, what in ((off_gen, "output while off"), (low, "below minimum load"), (high, "above available")):
        for t, u in zip(*np.nonzero(mask)):
            out.append(f"{names[u]} at {at(t)}: {what} ({gen[t, u]:.3f} MW)")
    above = np.where(on, gen - pb.pmin, 0.0)
    prev_on = np.vstack([pb.init_on[None, :] > 0.5, on[:-1]])
    prev_above = np.vstack([np.zeros((1, pb.nu)), above[:-1]])  # initial output at minimum load
    for u in range(pb.nu):
        r = pb.ramp_step[u]
        if np.isfinite(r):
            up = above[:, u] - prev_above[:, u] - r * on[:, u]
            dn = prev_above[:, u] - above[:, u] - r * prev_on[:, u]
            for t in np.flatnonzero(up > tol_mw):
                out.append(f"{names[u]} at {at(t)}: ramps up {above[t, u] - prev_above[t, u]:.3f} MW "
                           f"above minimum, limit {r:.3f} MW per step")
            for t in np.flatnonzero(dn > tol_mw):
                out.append(f"{names[u]} at {at(t)}: ramps down {prev_above[t, u] - above[t, u]:.3f} MW "
                           f"above minimum, limit {r:.3f} MW per step")
        x = np.r_[int(pb.init_on[u] > 0.5), on[:, u].astype(int)]
        d = np.diff(x)
        starts, stops = np.flatnonzero(d == 1), np.flatnonzero(d == -1)  # step of the change
        for a in starts:  # min up: from a start, on for ut_n steps (or to the end)
            later = stops[stops > a]
            b = int(later[0]) if later.size else n
            if b < n and b - a < pb.ut_n[u]:
                out.append(f"{names[u]} at {at(a)}: on {(b - a) * sh:g} h, minimum up {pb.ut_n[u] * sh:g} h")
        for a in stops:  # min down: from a stop, off for dt_n steps (or to the end)
            later = starts[starts > a]
            b = int(later[0]) if later.size else n
            if b < n and b - a < pb.dt_n[u]:
                out.append(f"{names[u]} at {at(a)}: off {(b - a) * sh:g} h, minimum down {pb.dt_n[u] * sh:g} h")
    return out
