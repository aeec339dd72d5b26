"""The optimiser's LNG tank is the settle's tank (issue #13): the level a window carries into
the next is the level :func:`models.lng_plant.lng_tank_level_t` gives for the same burn.

Before this was so, boil-off was drawn through an unpriced ``draw >= fuel / LHV - boil-off``
row: the solver could empty the tank for nothing, the carried level drifted below the real one
(18.7 kt below it by December on ``sk-aws-ulsan`` with a two-circuit feed), and later windows
avoided gas to spare LNG that was in fact there (the year cost 0.6 % more than the rule-based
baseline; another run took 25.1 kt of heel slack)."""

from __future__ import annotations

import numpy as np
import pytest

from .conftest import make_physics
from models import lng_plant
from twin.optimise import optimise_dispatch

# one 40 MW unit at 40 % LHV efficiency and no no-load fuel: fuel = 9 GJ per MWh (3.6 / 0.40)
GT = dict(rated_mw=40.0, min_load_frac=0.25, eff_full=0.40, no_load_frac=0.0)
LHV_GJ_PER_T = 49.0  # the synthetic physics' LNG LHV (conftest default)


def _tank_case(n: int, *, boil_off_frac_per_day: float, delivery_t: float, **kw):
    h = np.arange(n) % 24
    # grid dearer than gas by day and cheaper by night: the tank is drawn by day and rests at night
    return make_physics(n, demand_mw=30.0, price_usd_per_mwh=np.where((h >= 8) & (h < 20), 140.0, 60.0),
                        grid_capacity_mw=40.0, units=[GT], lng_tank_capacity_t=400.0,
                        lng_tank_initial_t=300.0, lng_tank_min_t=20.0, lng_delivery_t=delivery_t,
                        lng_delivery_interval_h=24.0, lng_boil_off_frac_per_day=boil_off_frac_per_day,
                        lng_lhv_gj_per_t=LHV_GJ_PER_T, **kw)


def _settle_tank(ds, r):
    burn_t = r["gen_mw"].values.sum(axis=1) * 9.0 / LHV_GJ_PER_T
    return lng_plant.lng_tank_level_t(
        burn_t, 1.0, capacity_t=float(ds["lng_tank_capacity_t"]), initial_t=float(ds["lng_tank_initial_t"]),
        boil_off_frac_per_day=float(ds["lng_boil_off_frac_per_day"]), delivery_t=float(ds["lng_delivery_t"]),
        delivery_interval_h=float(ds["lng_delivery_interval_h"]), min_level_t=float(ds["lng_tank_min_t"]))


@pytest.mark.parametrize("boil_off", [0.001, 0.05])  # 0.1 %/day (a land tank) and 5 %/day (flaring)
def test_carried_tank_is_the_settled_tank(boil_off):
    ds = _tank_case(96, boil_off_frac_per_day=boil_off, delivery_t=60.0)
    r = optimise_dispatch(ds, horizon="rolling", window_h=24, commit_h=12, mip_rel_gap=1e-6)
    assert r.attrs["complete"] == 1
    tank = _settle_tank(ds, r)
    ends = np.r_[np.arange(12, 84, 12), 96] - 1  # the last committed step of each window (the last commits 24)
    np.testing.assert_allclose(r["window_lng_tank_t"].values, tank["lng_tank_t"][ends], rtol=0, atol=1e-6)
    # the settle's tank never runs dry here, so no heel slack was needed
    assert tank["lng_shortfall_t"].sum() == pytest.approx(0.0, abs=1e-9)
    assert r.attrs["lng_heel_shortfall_t"] == pytest.approx(0.0, abs=1e-6)


def test_boil_off_is_burnt_before_it_is_flared():
    # a full 1,000 t tank boiling off 5 %/day evaporates ~2.08 t/h (102 GJ/h); the grid (60 USD/MWh)
    # is cheaper than gas bought as LNG (9 GJ/MWh * 10 USD/GJ = 90 USD/MWh), but boil-off that
    # is not burnt is flared and paid for all the same, so the unit burns it: up to
    # 2.08 * 49 / 9 = 11.3 MW costs nothing extra.  An unpriced flare would see gas at 90 and
    # leave the unit off, flaring it all.
    ds = make_physics(24, demand_mw=30.0, price_usd_per_mwh=60.0, grid_capacity_mw=40.0,
                      units=[dict(GT, initial_on=1.0)], lng_tank_capacity_t=1000.0, lng_tank_initial_t=1000.0,
                      lng_tank_min_t=20.0, lng_delivery_t=0.0, lng_delivery_interval_h=24.0,
                      lng_boil_off_frac_per_day=0.05, lng_lhv_gj_per_t=LHV_GJ_PER_T, lng_price_usd_per_gj=10.0)
    r = optimise_dispatch(ds, horizon="whole", mip_rel_gap=1e-6)
    tank = _settle_tank(ds, r)
    gen = r["gen_mw"].values[:, 0]
    # the window takes the boil-off at its first level (1,000 t): 1000 * 0.05 / 24 * 49 / 9 MW
    np.testing.assert_allclose(gen, 1000.0 * 0.05 / 24.0 * LHV_GJ_PER_T / 9.0, rtol=1e-6)
    assert gen.min() > 10.0  # above the unit's minimum (10 MW) all day
    np.testing.assert_allclose(tank["lng_flared_t"], 0.0, atol=1e-6)  # all of it burnt
    # the real boil-off falls with the level, so the unit draws a little liquid by the day's end
    assert 0.0 < tank["lng_drawn_t"].sum() < 0.03 * tank["lng_boil_off_t"].sum()
