"""Least-cost, reserve-secure dispatch of a campus with Pyomo and HiGHS.

:func:`optimise_dispatch` reads the physics Dataset (see :mod:`twin.variables`, layer
"physics") and returns the registry's "dispatch" variables on the same coordinates, with the
solver's status, gap and timings in the attributes and per-window records on a ``window``
dimension.

Formulation (one mixed-integer linear programme per window)
-----------------------------------------------------------
*Gas units* -- one binary ``on[t,u]``; continuous ``start``/``stop`` in [0, 1] tied to it by
``on[t] - on[t-1] = start[t] - stop[t]`` (three-binary "tight and compact" commitment of
Morales-España, Latorre & Ramos (2013), with start/stop relaxed: they are integral at any
vertex where ``on`` is).  Output ``gen = pmin*on + sum_k seg_k`` with
``0 <= seg_k <= width_k*on``; the fuel rate ``F0*on + sum_k slope_k*seg_k`` is the convex
piecewise-linear curve of the physics layer (break points ``gas_curve_mw`` /
``gas_curve_fuel_gj_per_h`` at this hour's ambient).  Where that curve is not convex (a
steeper first segment, as part-load efficiency curves give) the model uses its lower convex
envelope, the usual convexification; the largest fuel-rate reduction this makes is reported in
``attrs["fuel_curve_convexified_max_gj_per_h"]`` and settle computes the real fuel.  Minimum
up/down times are the Rajan-Takriti / Morales-España "turn-on/turn-off inequalities"
``sum_{i<UT} start[t-i] <= on[t]`` and ``sum_{i<DT} stop[t-i] <= 1 - on[t]``.  Ramp limits act
on the output above minimum load (``|p[t] - p[t-1]| <= ramp*step_h*on``), a simplification: a
unit starts at its minimum load and must be back at it (within one ramp) before it stops.
Start-up cost by type (hot / warm / cold by the time offline, the staircase of Carrión &
Arroyo (2006)) uses the start-up-type variables of Morales-España et al. (2013):
``d_hot[t] <= sum_{i=1..N_hot} stop[t-i]``, ``d_warm[t] <= sum_{i=1..N_warm} stop[t-i]``,
``d_hot + d_warm <= start`` and a cost
``cold*start - (cold-warm)*d_warm - (cold-hot)*d_hot``; it applies only where the catalogue
gives different costs.

*N-1 reserve* -- for every unit ``u`` the headroom left when ``u`` trips must cover its output:
``sum_{v != u}(avail_v*on_v - gen_v) + battery_head + grid_head + shortfall >= gen_u``.
Adding ``avail_u*on_u - gen_u`` to both sides gives the compact equivalent
``H + battery_head + grid_head + shortfall >= avail_u*on_u`` with ``H`` the total gas headroom
(the unit that trips takes its own headroom with it), i.e. one row per unit and step against a
common left-hand side.  Battery headroom is ``min(P - discharge, SOC-limited power) + charge``;
grid headroom is ``capacity - import + export``.

*Other plant* -- grid import (and export where allowed) within the feed capacity at the
time-of-use price plus grid CO2 at the carbon price, and the monthly peak-demand charge on each
calendar month's peak import; a battery with one-way efficiencies, SOC limits, self-discharge
and a throughput cost on discharge; PV with free curtailment; chilled-water storage (air-cooled
halls) that shifts chiller duty, converted to electricity with the hour's chiller COP, with a
standing loss; flexible training load whose shift sums to zero over each ``flex_window_h``
block aligned to the period start; an LNG tank with fixed-cadence deliveries (taken up to the
batch, so never above the tank) and boil-off; an optional CO2 cap.

*Slacks* -- unserved load (``voll_usd_per_mwh``), reserve shortfall
(``reserve_shortfall_usd_per_mwh``), LNG below the tank's heel and CO2 above the cap are priced
so that the model is never infeasible.  Unmet cooling (``cooling_deficit_mw``) is decided by the
cooling plant's capacity in the physics layer; the optimiser cannot change it.

Horizons
--------
``horizon="whole"`` solves the period as one MILP; ``"rolling"`` solves windows of
``window_h`` hours and keeps the first ``commit_h`` of each; the last window runs to the end of
the period and keeps all of it (no unplanned tail).  ``"auto"`` takes the whole period up to
one week, rolling windows beyond.  Carried across windows: commitment, starts/stops in the
look-back of the min up/down and start-type rows, output above minimum (ramps), battery SOC,
TES level, LNG tank level, the open flexible-load balance and each month's running peak import.
One Pyomo model is built per window length with mutable parameters and kept in a persistent
HiGHS instance (:class:`pyomo.contrib.solver.solvers.highs.Highs`); windows only update
parameters.  The previous window's solution, shifted, is passed to HiGHS as a MIP start.

Identical units (same ``unit_group`` and identical in every parameter and series) are
committed as one integer count per group (``group_identical=True``): output is shared equally
by the running units, which is optimal for identical convex curves, and is handed back per
unit (:func:`_disaggregate`: a start takes the most recently stopped unit that has served its
minimum down time, a stop the unit that has run longest).  For the N-1 row a group carries a
binary "any unit on" so that its largest unit is the one that trips.  On a synthetic campus
year this was ~10x faster than one binary per unit; units that differ keep one binary each.
Grouping is applied only where it is exact: the group ramp row is not (when units start or
stop, equal shares of the running units can move by more than one ramp), so a group whose
ramp can bind in a step is split into single units (``attrs["commitment_groups_split_for_ramp"]``);
:func:`twin.optimise.feasibility.unit_violations` checks any per-unit result limit by limit.

*Grid circuit N-1* (issue #9 item 11) -- besides a unit trip, the loss of one grid circuit:
``gas_headroom + battery_headroom + shortfall >= import - grid_n1_capacity_mw`` (the physics
variable; where a Dataset lacks it, 0: a single circuit is not firm).

*Boil-off* (issue #9 item 3) -- the boil-off ``(1 - keep) * tank[t-1]`` goes to the turbines
first: ``draw >= fuel / LHV - bog``, ``draw >= 0``, ``tank[t] = keep * tank[t-1] + dlv - draw``;
the dispatch carries ``lng_delivered_t``.

Never hanging
-------------
Each window's solve has a budget (``time_limit_s``, default 60 s; HiGHS's time limit and, on
the wall clock, its interrupt callback).  A window cut short keeps HiGHS's best solution and
its gap (``window_status`` "time_limit"); one with no solution keeps the commitment it
started with and is dispatched as an LP (always feasible: no start or stop, so every
commitment row holds; "fallback").  Either makes the run ``incomplete`` and is named in
``attrs["incomplete_windows"]``.  SIGINT / SIGTERM interrupt the solve within a HiGHS
iteration and raise :class:`twin.optimise.stop.Interrupted` (:mod:`twin.optimise.stop`).

End of the period: the battery must end it with at least its initial charge (``battery_end=
"initial"``, the default; a slack priced at :data:`SOC_END_SHORT_FRAC_OF_VOLL` of VOLL per MWh,
reported as ``battery_end_shortfall_mwh``), so that an optimised period is not made cheaper by
emptying the battery in its last hours.  Inside a rolling horizon a window's end is free: the
look-ahead beyond the committed part is what keeps charge for the next day.

Other simplifications: the chilled-water store starts empty and may end empty; an LNG delivery
arrives at the first step at or after each whole ``lng_delivery_interval_h`` from the period
start and is taken up to the batch (so never above the tank).

In rolling mode the CO2 cap is apportioned to each window pro rata by the window's share of
the period's facility energy (an approximation: it cannot bank allowance between windows).

Marginal price
--------------
For a MILP the duals are not defined; as usual (e.g. O'Neill et al. 2005) the commitment is
fixed at its optimum and the LP re-solved; ``marginal_price_usd_per_mwh`` is the dual of the
power balance of that LP divided by the step length.

Package layout and the row API (used by the dispatch and by the planner)
------------------------------------------------------------------------
One module per kind of equipment, each adding its variables, rows and cost terms to a Pyomo
model ``m`` over the steps ``T`` (a ``range``) for a :class:`~twin.optimise.problem.Problem`
``pb`` (:func:`~twin.optimise.problem.prepare` of a physics Dataset).  Every function appends
its costs to the list ``obj`` it is given and returns what it puts on the bus; the caller writes
the balance and the objective.  Data that change per window are mutable parameters named in
each docstring (a planner loads a representative period into them the same way, or builds one
block per period).  Capacities default to the physics Dataset's numbers; a planner passes a
Pyomo variable or expression instead (the bound then becomes a row named ``<var>_cap``):

- :func:`twin.optimise.units.add_units(m, pb, T, obj=obj, built=None)` -> ``(gen, fuel)``:
  ``on, start, stop, seg`` (+ ``d_hot, d_warm``); ``gen[t]`` MW, ``fuel[t]`` GJ per step.
  ``built={u: n_built_u}`` (integer variable or expression of the units of column ``u``
  built, at most ``pb.size[u]``) bounds the units online: ``on[t, u] <= n_built_u`` and the
  min-down row uses it in place of the group size (clustered commitment).
- :func:`twin.optimise.grid.add_grid(m, pb, T, slots, obj=obj, capacity_mw=None)`: ``imp``
  (+ ``exp``, ``peak``); :func:`~twin.optimise.grid.supply`, :func:`~twin.optimise.grid.headroom`.
- :func:`twin.optimise.solar.add_solar(m, pb, T, scale=None)`: ``sol <= scale * solar_ub``.
- :func:`twin.optimise.load.add_unserved` (``uns`` at VoLL) and
  :func:`twin.optimise.load.add_flex(m, pb, T)` -> facility MW added by the shifted training.
- :func:`twin.optimise.storage.add_battery(m, pb, T, obj=obj, soc_end_price_usd_per_mwh=...,
  power_mw=None, energy_mwh=None)` -> net battery supply per step; ``battery_headroom``;
  :func:`twin.optimise.storage.add_tes(m, pb, T)` -> chiller electricity shifted per step.
- :func:`twin.optimise.reserve.add_reserve(m, pb, T, obj=obj, grid_capacity_mw=None,
  battery_power_mw=None)`: the N-1 rows (needs the unit, grid and battery rows first).
- :func:`twin.optimise.lng.add_tank(m, pb, T, fuel, obj=obj)`;
  :func:`twin.optimise.emissions.add_co2_cap(m, pb, T, fuel, obj=obj, excess_usd_per_t=...)`.
- :mod:`twin.optimise.dispatch`: the window model (:meth:`_Window._build` is the reference
  composition of the rows above), persistent HiGHS, the rolling horizon, the result Dataset;
  :mod:`twin.optimise.cost`: :func:`dispatch_cost_usd`; :mod:`twin.optimise.feasibility`:
  :func:`~twin.optimise.feasibility.unit_violations` (per-unit check of a result);
  :mod:`twin.optimise.stop`: clean stop on signals.

References
----------
.. [1] G. Morales-España, J. M. Latorre, A. Ramos, "Tight and compact MILP formulation for the
   thermal unit commitment problem", IEEE Trans. Power Systems 28(4), 4897-4908, 2013.
.. [2] M. Carrión, J. M. Arroyo, "A computationally efficient mixed-integer linear formulation
   for the thermal unit commitment problem", IEEE Trans. Power Systems 21(3), 1371-1378, 2006
   (start-up cost by time offline).
.. [3] D. Rajan, S. Takriti, "Minimum up/down polytopes of the unit commitment problem with
   start-up costs", IBM Research Report RC23628, 2005.
.. [4] R. P. O'Neill, P. M. Sotkiewicz, B. F. Hobbs, M. H. Rothkopf, W. R. Stewart,
   "Efficient market-clearing prices in markets with nonconvexities", European Journal of
   Operational Research 164(1), 269-285, 2005.
.. [5] Q. Huangfu, J. A. J. Hall, "Parallelizing the dual revised simplex method",
   Mathematical Programming Computation 10, 119-142, 2018 (HiGHS).
"""

from __future__ import annotations

from twin.optimise.cost import dispatch_cost_usd
from twin.optimise.dispatch import optimise_dispatch
from twin.optimise.problem import (CO2_CAP_EXCESS_USD_PER_T, HEURISTICS_FROM_COLUMNS, HIGHS_HEURISTIC_OPTIONS,
                                   HIGHS_LEAN_OPTIONS, SOC_END_SHORT_FRAC_OF_VOLL, WHOLE_PERIOD_MAX_H, Problem,
                                   lower_convex_envelope, prepare)

__all__ = ["optimise_dispatch", "dispatch_cost_usd", "lower_convex_envelope", "HIGHS_LEAN_OPTIONS",
           "HIGHS_HEURISTIC_OPTIONS", "HEURISTICS_FROM_COLUMNS",
           "WHOLE_PERIOD_MAX_H", "CO2_CAP_EXCESS_USD_PER_T", "SOC_END_SHORT_FRAC_OF_VOLL", "Problem", "prepare"]
