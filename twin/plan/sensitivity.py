"""What the next unit, MW, MWh or MWp of each candidate would save.

The plan's investment is fixed and one candidate is stepped up in the last phase (one gas unit of a
model, 10 MW of battery power -- with energy raised to keep the catalogue C-rate --, 10 MWh of
battery energy, 10 MWp of PV); the operation is re-optimised on the same representative days and
the NPV compared with the plan's, both solved to a tight gap.  A positive saving says the candidate
is worth more than it costs at the margin (the plan stopped short of it only by integrality or a
bound); a negative one is what it would cost.
"""

from __future__ import annotations

import copy

import numpy as np

from twin import catalog
from twin.plan.model import PlanData, build_model, solve

#: step of the continuous candidates  [MW, MWh, MWp]
STEP = 10.0
#: gap of the re-solves (tighter than the plan's, so that small savings are not solver noise)
MARGINAL_GAP = 1e-6


def marginal_values(d: PlanData, m, objective: float, *, mip_rel_gap: float = 1e-4) -> list[tuple[str, float, str]]:
    from twin.plan.run import fixed_from

    fixed = fixed_from(m, d)
    last = len(d.phys.phases) - 1
    base_m = build_model(d, fixed=fixed)
    base = solve(base_m, mip_rel_gap=MARGINAL_GAP)
    ref = base["objective"] if base["ok"] else objective
    out = []
    for g, mdl in enumerate(d.models):
        f = copy.deepcopy(fixed)
        f["add"][(g, last)] = f["add"][(g, last)] + 1
        d2 = PlanData(**{**d.__dict__, "max_count": d.max_count + (np.arange(len(d.models)) == g)})
        r = solve(build_model(d2, fixed=f), mip_rel_gap=MARGINAL_GAP)
        out.append((mdl, ref - r["objective"] if r["ok"] else np.nan, "one more unit"))
    cand = d.disc.sc.candidates
    c_rate = float(catalog.lookup("batteries", cand.battery.model)["max_c_rate"])
    steps = [("battery-power", "bp", "+10 MW"), ("battery-energy", "be", "+10 MWh"), ("solar", "pv", "+10 MWp")]
    for name, var, label in steps:
        f = copy.deepcopy(fixed)
        for p in range(last, last + 1):
            f[var][p] = f[var][p] + STEP
            if var == "bp":
                f["be"][p] = max(f["be"][p], f["bp"][p] / c_rate)
        mm = build_model(d, fixed=f)
        r = solve(mm, mip_rel_gap=MARGINAL_GAP)
        out.append((name, ref - r["objective"] if r["ok"] else np.nan, label + " in the last phase"))
    return out
