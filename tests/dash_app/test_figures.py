"""Figure builders: pure functions, checked against hand-computed values of a hand-built run."""

from __future__ import annotations

import math

import numpy as np
import pytest
from dash_app_synthetic import synthetic_run

from dash_app import figures


@pytest.fixture(scope="module")
def ds():
    return synthetic_run(48)


def test_payload_sankey_balances_at_every_step(ds):
    p = figures.playback_payload(ds)
    sk, s = p["sankey"], p["series"]
    bus = sk["labels"].index(figures.BUS)
    n_in = sum(1 for t in sk["target"] if t == bus)
    ins = np.array([s[k] for k in sk["keys"][:n_in]], dtype=float)
    outs = np.array([s[k] for k in sk["keys"][n_in:]], dtype=float)
    # the run's own balance (supply - charge + unserved = facility) makes the bus balance;
    # tolerance: payload rounding, 0.5e-3 MW per link
    tol = 0.5e-3 * len(sk["keys"]) + 1e-9
    assert np.abs(ins.sum(0) - outs.sum(0)).max() <= tol
    assert (ins >= 0).all() and (outs >= 0).all()
    assert p["n"] == 48 and p["step_s"] == 3600.0 and p["t0"] == "2025-07-01T00:00:00"


def test_payload_hall_split_sums_to_campus(ds):
    p = figures.playback_payload(ds)
    s = p["series"]
    it = np.array(s["out:it:hall-a"]) + np.array(s["out:it:hall-b"])
    np.testing.assert_allclose(it, ds["it_power_mw"].values, atol=1e-3)
    cool = np.array(s["out:cooling:hall-a"]) + np.array(s["out:cooling:hall-b"])
    np.testing.assert_allclose(cool, ds["cooling_power_mw"].values, atol=1e-3)


def test_hall_split_keeps_physics_shares_and_handles_zero():
    d = synthetic_run(4)
    d["hall_it_power_mw"][:] = np.array([[1.0, 3.0], [0.0, 0.0], [2.0, 2.0], [np.nan, 1.0]])
    d["it_power_mw"][:] = [8.0, 6.0, 5.0, 4.0]
    w = figures._hall_shares(d["hall_it_power_mw"], d["it_power_mw"])
    # hand computed: 8 split 1:3 -> 2, 6; all-zero halls -> even split 3, 3; 5 split 1:1
    np.testing.assert_allclose(w[:3], [[2.0, 6.0], [3.0, 3.0], [2.5, 2.5]])
    assert np.isnan(w[3]).all()  # NaN stays local to its step


def test_payload_arrays_round_and_go_to_json_as_short_decimals_and_null():
    import plotly.io as pio

    a = figures._f32_rounded([1.23456, np.nan, -0.0004, np.inf, 12.3])
    np.testing.assert_array_equal(a, [1.235, np.nan, -0.0, np.nan, 12.3])
    # the JSON writer Dash uses: short decimals, NaN/inf as null
    assert pio.to_json({"s": a}, validate=False, engine="orjson") == '{"s":[1.235,null,-0.0,null,12.3]}'
    assert pio.to_json({"s": a}, validate=False, engine="json").replace(" ", "") == '{"s":[1.235,null,-0.0,null,12.3]}'


def test_sankey_figure_values_at_step(ds):
    p = figures.playback_payload(ds)
    i = 20
    fig = figures.sankey_figure(p, i)
    vals = fig.data[0].link.value
    expected = [max(p["series"][k][i], figures.SANKEY_EPS_MW) for k in p["sankey"]["keys"]]
    np.testing.assert_allclose(vals, expected)
    assert "2025-07-01 20:00" in fig.layout.title.text
    assert len(fig.data[0].node.label) == len(p["sankey"]["x"]) == len(p["sankey"]["y"])


def test_gauges_figure(ds):
    p = figures.playback_payload(ds)
    fig = figures.gauges_figure(p, 5)
    assert [t.title.text for t in fig.data] == [g[2] for g in figures.GAUGES]
    assert fig.data[0].value == pytest.approx(float(ds["pue"][5]), abs=1e-3)
    lng = fig.data[2]
    assert list(lng.gauge.axis.range) == [0.0, 5000.0]  # the tank's capacity, from the run


def test_time_label():
    p = {"t0": "2025-12-31T23:00:00", "step_s": 900.0}
    assert figures.time_label(p, 0) == "2025-12-31 23:00"
    assert figures.time_label(p, 5) == "2026-01-01 00:15"  # 5 x 15 min after 23:00


def test_bucket_means_hand_values_and_energy():
    np.testing.assert_allclose(figures.bucket_means([1, 2, 3, 4, 5], 2), [1.5, 3.5, 5.0])
    np.testing.assert_allclose(figures.bucket_means([1.0, np.nan, 3.0], 1), [1.0, np.nan, 3.0])
    np.testing.assert_allclose(figures.bucket_means([1.0, np.nan, 3.0, 5.0], 2), [1.0, 4.0])
    x = np.random.default_rng(1).random(8760)
    assert figures.bucket_means(x, 6).sum() * 6 == pytest.approx(x.sum())
    assert figures.overview_bucket(8760, 1500) == 6 and figures.overview_bucket(168, 1500) == 1


def test_timeseries_figure(ds):
    fig = figures.timeseries_figure(ds)
    lay = fig["layout"]
    assert len(lay["annotations"]) == 6 and "yaxis6" in lay
    assert lay["shapes"][0]["x0"] == "2025-07-01 00:00:00" and lay["shapes"][0]["yref"] == "paper"
    supply = [t for t in fig["data"] if t.get("stackgroup") == "supply" and t["name"] != "unserved"]
    stacked = np.sum([figures.from_typed_array(t["y"]) for t in supply], axis=0)
    expected = ds["facility_power_mw"] + ds["battery_charge_mw"] - ds["unserved_mw"]
    np.testing.assert_allclose(stacked, expected.values, rtol=1e-5)
    assert all(t["dx"] == 3_600_000 for t in fig["data"])
    # the figure is valid plotly (the validators accept it)
    import plotly.graph_objects as go

    go.Figure(fig)
    long = synthetic_run(8760)
    f2 = figures.timeseries_figure(long)
    assert max(len(figures.from_typed_array(t["y"])) for t in f2["data"]) == 1460
    assert f2["data"][0]["dx"] == 6 * 3_600_000
    assert "6-step means" in f2["layout"]["annotations"][0]["text"]


def test_typed_array_round_trip():
    x = np.array([1.5, np.nan, -2.25])
    np.testing.assert_array_equal(figures.from_typed_array(figures.typed_array(x)), x)


def test_kpi_delta_rows_hand_values():
    a = {"kpi": {"pue": 1.2, "cost_usd": 0.0, "energy_by_source_mwh": {"grid": 100.0}}}
    b = {"kpi": {"pue": 1.3, "cost_usd": 10.0, "energy_by_source_mwh": {"grid": 150.0, "solar": 5.0}}}
    rows = {r["key"]: r for r in figures.kpi_delta_rows(a, b)}
    assert rows["pue"]["delta"] == pytest.approx(0.1)
    assert rows["pue"]["delta_pct"] == pytest.approx(100 * 0.1 / 1.2)
    assert rows["cost_usd"]["delta"] == 10.0 and rows["cost_usd"]["delta_pct"] is None  # A = 0
    assert rows["lng_t"]["delta"] is None  # missing in both
    assert rows["energy_by_source_mwh.grid"]["delta_pct"] == pytest.approx(50.0)
    assert rows["energy_by_source_mwh.solar"]["a"] is None


def test_monthly_energy_figure_matches_kpi(ds):
    from twin import kpi

    m = kpi.monthly_energy_by_source_mwh(ds)
    fig = figures.monthly_energy_figure(m, m, "a", "b")
    total = sum(float(np.sum(t.y)) for t in fig.data) / 2
    e = kpi.energy_by_source_mwh(ds)
    expected = e["gas"] + e["grid"] + e["solar"] + e["battery"] + e["unserved"]
    assert total == pytest.approx(expected)
    assert fig.layout.xaxis.type == "category"


def test_compare_series_figure(ds):
    b = synthetic_run(48, seed=3, it_scale=1.1)
    fig = figures.compare_series_figure(ds, b, "a", "b")
    names = {t.name for t in fig.data}
    assert names == {"A: a", "B: b"}
    assert len(fig.data) == 2 * len(figures.COMPARE_VARS)
    np.testing.assert_allclose(fig.data[0].y, ds["facility_power_mw"].values, rtol=1e-6)
    assert not math.isclose(float(np.sum(fig.data[1].y)), float(np.sum(fig.data[0].y)))
