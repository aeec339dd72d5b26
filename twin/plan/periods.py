"""Representative days for the investment model, chosen with tsam.

The scenario's period (a typical year) is cut into days; tsam (Hoffmann, Kotzur, Stolten et al.)
clusters them on the campus's facility power, the ambient wet-bulb, the PV output per MWp, the grid
price and the gas units' derated output, and keeps, besides the typical days (medoids: real days of
the year), the days that set the design: the hottest wet-bulb hour, the highest facility-power hour
and the day of least sun.  Each representative day carries the number of days it stands for.

The model then runs on the *real* data of those days (medoids are days of the year, so every series
of every phase and cooling alternative is just sliced) -- no rescaled or averaged profile enters it.

References
----------
.. [1] L. Kotzur, P. Markewitz, M. Robinius, D. Stolten, "Impact of different time series aggregation
   methods on optimal energy system design", Renewable Energy 117, 474-487, 2018 (tsam).
.. [2] M. Hoffmann, L. Kotzur, D. Stolten, "The Pareto-optimal temporal aggregation of energy system
   models", Applied Energy 315, 119029, 2022.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from twin.plan.inputs import PlanPhysics

#: typical days besides the extreme days (engineering choice: 8 + 3 extremes kept the Ulsan plan's
#: aggregation error under 1 % of the full-year cost, see benchmarks/bench_plan.py)
DEFAULT_TYPICAL_DAYS = 8


@dataclass
class RepDays:
    days: np.ndarray  # day index in the period of each representative day
    weight: np.ndarray  # days of the period each stands for (sums to the number of days)
    kind: list[str]  # "typical" | "extreme"
    steps_per_day: int
    n_days: int
    assign: np.ndarray | None = None  # (n_days,) the representative day that stands for each day

    def __post_init__(self):
        if self.assign is None:  # every day its own representative (or none selected)
            self.assign = np.arange(self.n_days) if len(self.days) == self.n_days else np.zeros(0, int)

    def steps(self, d: int) -> slice:
        a = int(self.days[d]) * self.steps_per_day
        return slice(a, a + self.steps_per_day)

    def take(self, series: np.ndarray) -> np.ndarray:
        """(n_rep, steps_per_day, ...) slices of a period series."""
        if len(self.days) == 0:
            return np.zeros((0, self.steps_per_day, *np.shape(series)[1:]))
        return np.stack([series[self.steps(d)] for d in range(len(self.days))])


def representative_days(phys: PlanPhysics, n_typical: int = DEFAULT_TYPICAL_DAYS) -> RepDays:
    """Typical days plus the design days of the period (tsam, hierarchical clustering, medoids)."""
    spd = int(round(24.0 / phys.step_h))
    n = len(phys.time)
    if spd * phys.step_h != 24.0 or n % spd:
        raise ValueError(f"period: {n} steps of {phys.step_h:g} h is not a whole number of days; "
                         "a plan needs whole days")
    n_days = n // spd
    last = phys.phases[-1]
    facility = sum(last.facility_mw[(h, 0)] for h in last.it_mw)
    cols = {"facility_mw": facility, "wetbulb_c": phys.wetbulb_c}
    if np.ptp(phys.solar_per_mwp) > 0:
        cols["solar_mw_per_mwp"] = phys.solar_per_mwp
    for name, price in phys.grid_price.items():
        if np.ptp(price) > 0:
            cols["grid_price_usd_per_mwh"] = price
            break
    if phys.gas.sizes.get("unit", 0):
        cols["gas_available_mw"] = np.asarray(phys.gas["gas_available_mw"].values, float).sum(axis=1)
    df = pd.DataFrame(cols, index=phys.time)
    df = df.loc[:, df.std() > 0]
    if n_days <= n_typical + 3 or df.shape[1] == 0:
        return RepDays(np.arange(n_days), np.ones(n_days), ["typical"] * n_days, spd, n_days)
    import tsam

    max_value = [c for c in ("wetbulb_c", "facility_mw") if c in df]
    min_period = [c for c in ("solar_mw_per_mwp",) if c in df]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = tsam.aggregate(df, n_typical, period_duration=24, temporal_resolution=phys.step_h,
                             cluster=tsam.ClusterConfig(method="hierarchical", representation="medoid"),
                             extremes=tsam.ExtremeConfig(method="append", max_value=max_value, min_period=min_period),
                             preserve_column_means=False)
    cl = res.clustering
    centers = np.asarray(cl.cluster_centers, dtype=int)
    counts = np.bincount(np.asarray(cl.cluster_assignments, dtype=int), minlength=len(centers)).astype(float)
    extreme = set(int(i) for i in (cl.extreme_cluster_indices or ()))
    keep = counts > 0
    # two clusters on the same day (an extreme day that is also a medoid): merge their weights
    days, weight, kind = [], [], []
    rep_of_cluster = {}
    for i in np.flatnonzero(keep):
        d = int(centers[i])
        if d in days:
            weight[days.index(d)] += counts[i]
            rep_of_cluster[int(i)] = days.index(d)
            continue
        rep_of_cluster[int(i)] = len(days)
        days.append(d)
        weight.append(counts[i])
        kind.append("extreme" if i in extreme else "typical")
    assign = np.array([rep_of_cluster[int(c)] for c in np.asarray(cl.cluster_assignments, dtype=int)])
    return RepDays(np.array(days), np.array(weight), kind, spd, n_days, assign)
