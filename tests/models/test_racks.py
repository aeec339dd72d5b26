import numpy as np
import pytest
import xarray as xr

from models.racks import rack_power_kw, workload_split, workload_utilisation


def test_split_sums_and_hand_values():
    h = np.array([20.0, 8.0, 14.0])
    out = workload_split(h, 0.5, 0.4, 0.1, training_utilisation=0.9, inference_peak_utilisation=0.6,
                         inference_peak_hour=20.0, inference_trough_frac=0.4)
    np.testing.assert_allclose(out["training_frac"] + out["inference_frac"], out["utilisation_frac"])
    # hand computation: training 0.5*0.9 = 0.45 flat
    np.testing.assert_allclose(out["training_frac"], 0.45)
    # inference peak at 20 h: 0.4*0.6*1 = 0.24 ; trough at 8 h: 0.4*0.6*0.4 = 0.096
    # at 14 h (quarter period): 0.4*0.6*(0.4 + 0.6*0.5) = 0.168
    np.testing.assert_allclose(out["inference_frac"], [0.24, 0.096, 0.168])


def test_utilisation_bounds_and_idle_only():
    h = np.linspace(0, 24, 97)
    u = workload_utilisation(h, 0.3, 0.6, 0.1)
    assert np.all((u >= 0) & (u <= 1))
    assert np.max(u) == pytest.approx(u[80])  # 20:00 peak (index 80 = 20 h at 15-min steps)
    np.testing.assert_allclose(workload_utilisation(h, 0.0, 0.0, 1.0), 0.0)


def test_shares_must_sum_to_one():
    with pytest.raises(ValueError, match="training_share \\+ inference_share \\+ idle_share = 1.1"):
        workload_utilisation(12.0, 0.5, 0.5, 0.1)
    with pytest.raises(ValueError, match="inference_share=-0.1"):
        workload_utilisation(12.0, 1.0, -0.1, 0.1)
    with pytest.raises(ValueError, match="hour_of_day=25"):
        workload_utilisation(25.0, 1.0, 0.0, 0.0)


def test_nan_locality_and_dataarray():
    h = xr.DataArray([1.0, np.nan, 20.0], dims="time")
    out = workload_split(h, 0.5, 0.5, 0.0)
    assert all(isinstance(v, xr.DataArray) for v in out.values())
    for v in out.values():
        assert np.isnan(v.values[1]) and np.isfinite(v.values[[0, 2]]).all()
    assert workload_utilisation(20.0, 0.5, 0.5, 0.0) == pytest.approx(float(out["utilisation_frac"][2]))


def test_rack_power_reference():
    # 130 kW rack, idle 30 % of peak (HF hardware dataset, W): idle 39 kW, half load 84.5 kW, full 130 kW
    np.testing.assert_allclose(rack_power_kw(np.array([0.0, 0.5, 1.0]), 130.0, 0.3), [39.0, 84.5, 130.0])
    p = rack_power_kw(xr.DataArray([0.2, np.nan], dims="time"), 100.0, 0.3)
    assert isinstance(p, xr.DataArray) and np.isnan(p.values[1]) and p.values[0] == pytest.approx(44.0)


def test_rack_power_rejects_bad_utilisation():
    with pytest.raises(ValueError, match="utilisation_frac=1.5"):
        rack_power_kw(1.5, 130.0, 0.3)
    with pytest.raises(ValueError, match="idle_frac"):
        rack_power_kw(0.5, 130.0, 30.0)
