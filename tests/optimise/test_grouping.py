"""Grouping identical units stays exact, and the per-unit feasibility check (issue 13 item 3)."""

from __future__ import annotations

import numpy as np
import pytest

from twin.optimise import HIGHS_LEAN_OPTIONS, optimise_dispatch
from twin.optimise.feasibility import unit_violations

from .conftest import make_physics


def _two_ramped_units(n=48):
    # two identical 100 MW units (min load 40 %), ramp 25 MW/h: the 40 -> 190 MW swings of the
    # demand make the ramp bind, and the second unit starts and stops every day (issue 13's case)
    h = np.arange(n) % 24
    demand = 115 + 75 * np.sin(2 * np.pi * (h - 6) / 24)
    units = [dict(rated_mw=100.0, min_load_frac=0.4, eff_full=0.42, no_load_frac=0.15, quad=0.05,
                  ramp_mw_per_h=25.0, min_up_h=2, min_down_h=2, start_cost_usd=3000.0, group="g",
                  initial_on=float(i == 0)) for i in range(2)]
    return make_physics(n, demand_mw=demand, price_usd_per_mwh=140.0, units=units, grid_capacity_mw=20.0)


def test_identical_units_with_binding_ramp_grouped_equals_per_unit_and_obeys_ramps():
    ds = _two_ramped_units()
    grouped = optimise_dispatch(ds, mip_rel_gap=1e-6, threads=1)
    single = optimise_dispatch(ds, mip_rel_gap=1e-6, threads=1, group_identical=False)
    # the ramp can bind, so the group is split into its units (the group rows would not be exact)
    assert grouped.attrs["commitment_groups"] == 0 and grouped.attrs["commitment_groups_split_for_ramp"] == 1
    assert grouped.attrs["objective_usd"] == pytest.approx(single.attrs["objective_usd"], rel=1e-5)
    assert unit_violations(ds, grouped) == []
    assert unit_violations(ds, single) == []
    # the ramp does bind somewhere (else this test would prove nothing)
    above = np.where(single["unit_on"].values > 0, single["gen_mw"].values - 40.0, 0.0)
    assert np.max(np.abs(np.diff(above, axis=0))) == pytest.approx(25.0, abs=1e-6)


def test_identical_units_without_binding_ramp_stay_grouped_and_pass_the_check():
    # the same units with a ramp above their 60 MW range: one integer, same optimum as binaries
    ds = _two_ramped_units()
    ds["unit_ramp_mw_per_h"][:] = 60.0
    grouped = optimise_dispatch(ds, mip_rel_gap=1e-6, threads=1)
    single = optimise_dispatch(ds, mip_rel_gap=1e-6, threads=1, group_identical=False)
    assert grouped.attrs["commitment_groups"] == 1
    assert grouped.attrs["objective_usd"] == pytest.approx(single.attrs["objective_usd"], rel=1e-5)
    assert unit_violations(ds, grouped) == []


def test_unit_violations_names_each_broken_limit():
    ds = _two_ramped_units(8)
    r = optimise_dispatch(ds, threads=1, group_identical=False)
    bad = r.copy(deep=True)
    gen, on = bad["gen_mw"].values, bad["unit_on"].values
    on[:, 1] = [0, 1, 0, 0, 0, 0, 0, 0]  # on for 1 h (min up 2 h), from 0 to 90 MW (ramp 25)
    gen[:, 1] = [0, 90, 0, 0, 0, 0, 0, 0]
    gen[5, 0] = 20.0  # below 40 MW minimum load
    msgs = unit_violations(ds, bad)
    assert "gt-2 at 2025-01-06 01:00: on 1 h, minimum up 2 h" in msgs
    assert "gt-2 at 2025-01-06 01:00: ramps up 50.000 MW above minimum, limit 25.000 MW per step" in msgs
    assert "gt-2 at 2025-01-06 02:00: ramps down 50.000 MW above minimum, limit 25.000 MW per step" in msgs
    assert "gt-1 at 2025-01-06 05:00: below minimum load (20.000 MW)" in msgs


# ------------------------------------------------------------------ grid circuit N-1 (issue #9 item 11)
def _grid_case():
    # one 40 MW unit (minimum 16 MW), initially off; demand 30 MW; a 50 MW feed at 50 USD/MWh,
    # cheaper than gas (10 USD/GJ at 9 GJ/MWh and more): only the reserve can make the unit run
    return make_physics(4, demand_mw=30.0, price_usd_per_mwh=50.0, grid_capacity_mw=50.0,
                        units=[dict(rated_mw=40.0, min_load_frac=0.4)], reserve_shortfall_usd_per_mwh=1e4)


def test_grid_circuit_loss_is_covered_by_gas_headroom():
    # old physics (no grid_n1_capacity_mw): a single circuit is not firm, so losing it loses
    # the whole import; the unit runs at its minimum (16 MW) so that its 24 MW headroom covers
    # the 14 MW the grid still brings
    ds = _grid_case()
    assert "grid_n1_capacity_mw" not in ds
    r = optimise_dispatch(ds, threads=1)
    np.testing.assert_allclose(r["gen_mw"].values[:, 0], 16.0, atol=1e-6)
    np.testing.assert_allclose(r["grid_import_mw"].values, 14.0, atol=1e-6)
    np.testing.assert_allclose(r["reserve_shortfall_mw"].values, 0.0, atol=1e-6)
    np.testing.assert_allclose(r["reserve_required_mw"].values, 16.0, atol=1e-6)  # the unit's trip
    # two 25 MW circuits: 25 MW is left after losing one; the 30 MW import needs 5 MW of headroom
    ds2 = _grid_case()
    ds2["grid_n1_capacity_mw"] = ((), 25.0)
    r2 = optimise_dispatch(ds2, threads=1)
    np.testing.assert_allclose(r2["gen_mw"].values[:, 0], 16.0, atol=1e-6)
    # a feed firm to 30 MW: the unit stays off and the grid carries the load
    ds3 = _grid_case()
    ds3["grid_n1_capacity_mw"] = ((), 30.0)
    r3 = optimise_dispatch(ds3, threads=1)
    np.testing.assert_allclose(r3["gen_mw"].values, 0.0, atol=1e-6)
    np.testing.assert_allclose(r3["grid_import_mw"].values, 30.0, atol=1e-6)
    np.testing.assert_allclose(r3["reserve_shortfall_mw"].values, 0.0, atol=1e-6)


# ------------------------------------------------------------------ LNG boil-off to the turbines (issue #9 item 3)
def test_boil_off_feeds_the_turbines_first():
    # islanded unit at 30 MW for 24 h burns 24 * 30 * 9 / 49 = 132.2 t (3.6/0.40 GJ/MWh, LHV
    # 49 GJ/t); 150 t above the heel. The tank boils off 0.1 %/h of ~900-1000 t, about 23 t a
    # day, less than the burn: it all goes to the turbine, so the day is served in full. Were the
    # boil-off lost on top of the burn, 132 + 23 > 150 t and load would be shed.
    base = dict(demand_mw=30.0, units=[dict(rated_mw=40.0, min_load_frac=0.4, initial_on=1.0)],
                lng_tank_capacity_t=1000.0, lng_tank_initial_t=1000.0, lng_tank_min_t=850.0)
    r = optimise_dispatch(make_physics(24, lng_boil_off_frac_per_day=0.024, **base), threads=1)
    assert r["gen_mw"].values.sum() * 9.0 / 49.0 == pytest.approx(24 * 30 * 9 / 49, rel=1e-6)
    assert float(r["unserved_mw"].sum()) == pytest.approx(0.0, abs=1e-6)
    np.testing.assert_allclose(r["lng_delivered_t"].values, 0.0)
    # boil-off above the burn (10 %/h: ~100 t/h) still runs the unit, the rest is flared, and
    # the tank falls below its heel whatever the unit does (reported, priced)
    r2 = optimise_dispatch(make_physics(24, lng_boil_off_frac_per_day=2.4, **base), threads=1)
    assert float(r2["unserved_mw"].sum()) == pytest.approx(0.0, abs=1e-6)
    assert r2.attrs["lng_heel_shortfall_t"] > 100.0


# ------------------------------------------------------------------ each speed lever keeps the optimum
def test_small_heterogeneous_case_same_dispatch_cost_with_and_without_each_lever():
    # two identical units (groupable: ramp above their range) and two distinct ones, N-1 priced,
    # grid and battery: grouping, the MIP start and the HiGHS options (three columns: HiGHS's
    # heuristics on by default; the lean set; HiGHS's own defaults) change the speed, not
    # the optimum; the relaxed look-ahead changes the model of the hours not yet committed only,
    # and here gives the same cost (all within 3e-4 for a 1e-4 gap asked per window)
    n = 48
    h = np.arange(n) % 24
    units = [dict(rated_mw=40.0, min_load_frac=0.4, eff_full=0.42, no_load_frac=0.12, min_up_h=3, min_down_h=2,
                  start_cost_usd=1500.0, ramp_mw_per_h=100.0, group="a", initial_on=1.0) for _ in range(2)] + [
        dict(rated_mw=60.0, min_load_frac=0.5, eff_full=0.45, no_load_frac=0.1, min_up_h=4, min_down_h=4,
             start_cost_usd=4000.0, group="b"),
        dict(rated_mw=25.0, min_load_frac=0.3, eff_full=0.36, no_load_frac=0.15, start_cost_usd=500.0, group="c")]
    ds = make_physics(n, demand_mw=90 + 30 * np.sin(2 * np.pi * (h - 8) / 24),
                      price_usd_per_mwh=np.where((h >= 9) & (h < 21), 170.0, 70.0), units=units,
                      grid_capacity_mw=30.0, battery_power_mw=10.0, battery_energy_mwh=20.0,
                      battery_soc_initial_frac=0.5, reserve_shortfall_usd_per_mwh=3000.0)
    kw = dict(horizon="rolling", window_h=30, commit_h=18, mip_rel_gap=1e-4, threads=1)
    ref = optimise_dispatch(ds, **kw)
    assert ref.attrs["commitment_groups"] == 1 and ref.attrs["complete"] == 1
    for lever in (dict(group_identical=False), dict(warm_start=False), dict(highs_options={}),
                  dict(highs_options=HIGHS_LEAN_OPTIONS), dict(relax_lookahead=True)):
        r = optimise_dispatch(ds, **kw, **lever)
        assert r.attrs["complete"] == 1, lever
        assert r.attrs["objective_usd"] == pytest.approx(ref.attrs["objective_usd"], rel=3e-4), lever
        assert unit_violations(ds, r) == [], lever
    assert unit_violations(ds, ref) == []


def test_heuristics_only_for_several_columns_with_the_reserve_priced():
    # HiGHS's primal heuristics pay on plants of three or more commitment columns whose N-1 rows
    # make good incumbents hard to find; without the reserve the lean set is faster (the distinct-
    # unit synthetic year: 54 s against 159 s, benchmarks/README.md)
    units = [dict(rated_mw=40.0, eff_full=0.40 + 0.01 * i, start_cost_usd=1000.0 + 100 * i, group=f"g{i}")
             for i in range(3)]
    kw = dict(horizon="whole", mip_rel_gap=1e-3, threads=1)
    priced = make_physics(12, demand_mw=70.0, units=units, reserve_shortfall_usd_per_mwh=3000.0)
    unpriced = make_physics(12, demand_mw=70.0, units=units)
    two = make_physics(12, demand_mw=70.0, units=units[:2], reserve_shortfall_usd_per_mwh=3000.0)
    assert optimise_dispatch(priced, **kw).attrs["highs_option_set"] == "heuristics"
    assert optimise_dispatch(unpriced, **kw).attrs["highs_option_set"] == "lean"
    assert optimise_dispatch(two, **kw).attrs["highs_option_set"] == "lean"
    assert optimise_dispatch(priced, **kw, highs_options={}).attrs["highs_option_set"] == "given"
