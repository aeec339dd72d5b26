"""Invariants of the spine over randomly drawn campuses (hypothesis).

Whatever the campus — islanded or grid-fed, with or without gas, battery or PV, too small or too
large — the baseline run conserves energy at every step, PUE ≥ 1, the battery stays within its
state-of-charge limits and never charges and discharges at once, and gas units only burn fuel
while they generate.
"""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import twin
from twin.scenario import load_scenario, parse_scenario

BASE = load_scenario("default").model_dump(mode="json")


@st.composite
def campuses(draw):
    d = {k: (v.copy() if isinstance(v, dict) else v) for k, v in BASE.items()}
    d["period"] = {"start": "2025-07-01", "end": "2025-07-03", "step": draw(st.sampled_from(["1h", "30min"]))}
    d["power"] = {k: (v.copy() if isinstance(v, dict) else list(v)) for k, v in BASE["power"].items()}
    n_gas = draw(st.integers(0, 3))
    d["power"]["gas_units"] = [{"model": draw(st.sampled_from(["wartsila-18v50sg", "lm6000"])), "count": n_gas}] \
        if n_gas else []
    d["fuel"] = dict(BASE["fuel"], tank_capacity_t=2000.0 if n_gas else 0.0)
    grid = draw(st.sampled_from([0.0, 3.0, 10.0, 40.0]))
    d["power"]["grid"] = {"capacity_mw": grid, "tariff": "evn-manufacturing-22-110kv" if grid else None,
                          "export_allowed": draw(st.booleans()) if grid else False}
    d["power"]["solar"] = {"capacity_mwp": draw(st.sampled_from([0.0, 2.0, 20.0]))}
    bp = draw(st.sampled_from([0.0, 2.0, 8.0]))
    d["power"]["battery"] = {"power_mw": bp, "energy_mwh": 2 * bp, "initial_soc_frac": draw(st.floats(0.1, 0.9))}
    return parse_scenario(d)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(campuses())
def test_baseline_invariants(sc):
    ds = twin.simulate(sc)
    bal = (ds["supply_mw"].sum("source") - ds["battery_charge_mw"] + ds["unserved_mw"] - ds["facility_power_mw"])
    assert float(abs(bal).max()) < 1e-6
    assert float(ds["pue"].min()) >= 1.0
    assert float(ds["unserved_mw"].min()) >= 0 and float(ds["curtailed_mw"].min()) >= -1e-9
    e = float(ds["battery_energy_mwh"])
    soc = ds["battery_soc_mwh"].values
    if e > 0:
        # self-discharge goes on at the minimum: allow what it can take over the period
        days = ds.sizes["time"] * float(ds.attrs["step_h"]) / 24
        slack = e * float(ds["battery_self_discharge_frac_per_day"]) * days
        assert soc.min() >= float(ds["battery_soc_min_frac"]) * e - slack - 1e-6
        assert soc.max() <= float(ds["battery_soc_max_frac"]) * e + 1e-6
    assert not np.any((ds["battery_charge_mw"].values > 1e-9) & (ds["battery_discharge_mw"].values > 1e-9))
    if ds.sizes["unit"]:
        gen, fuel = ds["gen_mw"].values, ds["fuel_gj"].values
        assert np.all((gen > 0) == (fuel > 0))
        assert np.all(gen <= ds["gas_available_mw"].values + 1e-9)
    if not float(ds["grid_export_allowed"]):
        assert float(ds["grid_import_mw"].min()) >= -1e-9
    assert float(ds["grid_import_mw"].max()) <= float(ds["grid_capacity_mw"]) + 1e-9
