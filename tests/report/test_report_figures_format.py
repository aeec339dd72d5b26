"""The report's figures: per-unit dispatch stack sums to generation; numbers at display precision
(fixed-point tick and hover formats, never an SI prefix; no negative zero in the data)."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from twin import report_figures as rf
from twin.report import report_figures

#: an axis format the report allows: fixed point (",.1~f"), or integers ("d") — no "s" (SI) type
FIXED = re.compile(r"^,\.(\d)~?f$|^d$")


@pytest.fixture(scope="module")
def optimised():
    """Two days of the default campus dispatched by the optimiser (its battery charges and discharges)."""
    import twin

    from .conftest import short_run

    return twin.optimise(short_run(), threads=1)


def test_dispatch_parts_sum_to_generation_and_battery_once(optimised):
    ds = optimised
    parts = rf.dispatch_parts(ds)
    running = [str(u) for u in ds["unit"].values if float(ds["gen_mw"].sel(unit=u).sum()) > 0]
    assert running and set(running) <= set(parts) and "battery discharge" in parts  # each gas unit on its own
    assert "battery" not in parts and not any("charge" in k and k != "battery discharge" for k in parts)
    total = sum(p.values for p in parts.values())
    # generation of every step: what the facility draws plus what charges the battery (energy balance)
    gen = ds["facility_power_mw"].values + ds["battery_charge_mw"].values
    np.testing.assert_allclose(total, gen, atol=1e-6)
    np.testing.assert_allclose(parts["battery discharge"].values, ds["battery_discharge_mw"].values, atol=1e-9)
    assert float(ds["battery_discharge_mw"].sum()) > 1.0  # the check is not vacuous: it discharges


def test_week_stack_traces_sum_to_generation_per_hour(optimised):
    fig = rf.weeks_and_duration([optimised], ["opt"])
    stacks = [t for t in fig.data if t.stackgroup == "s2"]
    assert {t.name for t in stacks} == set(rf.dispatch_parts(optimised))
    assert len({t.name for t in stacks}) == len(stacks)  # each source once: no battery counted twice
    x = pd.DatetimeIndex(stacks[0].x)
    summed = np.sum([np.asarray(t.y, dtype=float) for t in stacks], axis=0)
    gen = (optimised["facility_power_mw"] + optimised["battery_charge_mw"]).sel(time=x).values
    # every part is rounded to 0.1 MW (the display precision): the sum is within half of that per part
    np.testing.assert_allclose(summed, gen, atol=0.05 * len(stacks) + 1e-6)


def _axes(fig):
    lay = fig.layout.to_plotly_json()
    return {k: v for k, v in lay.items() if re.match(r"^[xy]axis\d*$", k)}


def _all_report_figures(runs):
    return [f for _, _, f in report_figures(runs, [f"run {i}" for i in range(len(runs))])]


def test_every_axis_is_fixed_point_at_display_precision(run_pair, optimised):
    ds = optimised.copy()
    ds["unserved_mw"] = ds["unserved_mw"] + 0.0
    ds["unserved_mw"][3] = 1e-4  # a shortfall of round-off size: its panel must not read "100µ"
    figs = _all_report_figures([*run_pair, ds])
    assert len(figs) >= 8
    for fig in figs:
        title = fig.layout.title.text
        for name, ax in _axes(fig).items():
            assert ax.get("type") in ("date", "category", "linear"), (title, name, ax.get("type"))
            if ax["type"] == "linear":
                assert FIXED.match(ax.get("tickformat", "")), (title, name, ax.get("tickformat"))
                assert FIXED.match(ax.get("hoverformat", "").replace("~", "")), (title, name)
        for t in fig.data:
            if t.type == "heatmap":
                assert FIXED.match(t.colorbar.tickformat or ""), title
            if t.hovertemplate:  # every number in a hover label carries a format
                assert not re.search(r"%\{[yz]\}", t.hovertemplate), (title, t.hovertemplate)


def test_no_negative_zero_and_data_at_display_precision(optimised):
    for fig in _all_report_figures([optimised]):
        for t in fig.data:
            for attr in ("x", "y", "z"):
                v = getattr(t, attr, None)
                if v is None:
                    continue
                a = np.asarray(v)
                if a.dtype.kind != "f":
                    continue
                assert not np.any((a == 0) & np.signbit(a)), (fig.layout.title.text, t.name, attr)


def test_tick_formats_by_unit():
    assert rf.tick_format("MW") == ",.1~f" and rf.hover_format("-") == ",.3f"
    # shown(): rounded to the unit's precision, negative round-off becomes plain zero
    a = rf.shown([-1e-9, 0.04, 12.3456, -0.06], "MW")
    assert a.dtype == np.float32
    np.testing.assert_array_equal(a, np.array([0.0, 0.0, 12.3, -0.1], dtype=np.float32))
    assert not np.signbit(a[0]) and not np.signbit(a[1])


def test_resample_matches_xarray_and_keeps_a_series_at_its_step(run_pair):
    import xarray as xr

    da = run_pair[0]["facility_power_mw"]
    assert rf.resample(da, "1h") is da  # already hourly
    for how in ("mean", "min", "max"):
        ours = rf.resample(da, "1D", how)
        ref = getattr(da.resample(time="1D"), how)()
        np.testing.assert_allclose(ours.values, ref.values, rtol=1e-12)
        assert (ours["time"].values == ref["time"].values).all()
    q = xr.DataArray(np.arange(8.0), coords={"time": pd.date_range("2025-01-01", periods=8, freq="15min")},
                     dims=["time"])
    np.testing.assert_array_equal(rf.resample(q, "1h").values, [1.5, 5.5])  # means of 0..3 and 4..7
