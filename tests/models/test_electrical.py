import numpy as np
import pytest
import xarray as xr

from models.electrical import transformer_loss_mw, ups_efficiency, ups_loss_coefficients, ups_loss_mw


def test_ups_coefficients_reproduce_efficiencies():
    k0, k1, k2 = ups_loss_coefficients(eff_full=0.96, eff_quarter=0.94, no_load_loss_frac=0.01)
    assert k0 == 0.01
    # hand solution: k1 + k2 = 1/0.96 - 1 - 0.01 = 0.031667 ; 0.25 k1 + 0.0625 k2 = 0.25*(1/0.94-1) - 0.01
    assert k1 == pytest.approx(0.021218, rel=1e-4)
    assert k2 == pytest.approx(0.010449, rel=1e-4)
    assert ups_efficiency(1.0) == pytest.approx(0.96)
    assert ups_efficiency(0.25) == pytest.approx(0.94)


def test_ups_efficiency_falls_at_low_load():
    # Ton & Fortenbury (LBNL/EPRI 2005): UPS efficiency drops at low load
    x = np.array([0.05, 0.1, 0.2, 0.4, 0.7, 1.0])
    eff = ups_efficiency(x)
    assert np.all(np.diff(eff) > 0)
    # LBNL-2001637 (2024) Table 4.3: hyperscale/AI UPS 90-99 % -> the default sits in range above 30 % load
    assert np.all((eff[x >= 0.3] >= 0.90) & (eff[x >= 0.3] <= 0.99))
    assert ups_efficiency(0.0) == 0.0


def test_ups_loss_mw_scales_with_rating():
    # at full load, loss = P (1/eta - 1) = 10 * (1/0.96 - 1) = 0.41667 MW
    assert ups_loss_mw(10.0, 10.0) == pytest.approx(10.0 * (1 / 0.96 - 1))
    # no-load loss = 1 % of rating
    assert ups_loss_mw(0.0, 20.0) == pytest.approx(0.2)
    da = ups_loss_mw(xr.DataArray([5.0, np.nan, 10.0], dims="time"), 10.0)
    assert isinstance(da, xr.DataArray) and np.isnan(da.values[1])
    assert da.values[2] == pytest.approx(ups_loss_mw(10.0, 10.0))


def test_ups_bad_inputs():
    with pytest.raises(ValueError, match="rated_mw=0"):
        ups_loss_mw(1.0, 0.0)
    with pytest.raises(ValueError, match="load_mw=-1"):
        ups_loss_mw(-1.0, 10.0)
    with pytest.raises(ValueError, match="eff_quarter=0.99"):
        ups_loss_coefficients(eff_full=0.96, eff_quarter=0.99, no_load_loss_frac=0.01)


def test_transformer_loss_hand_values():
    # 50 MVA, pf 0.95, 0.1 % iron + 0.8 % copper at rated current
    # at 47.5 MW: x = 1 -> loss = 50*(0.001 + 0.008) = 0.45 MW
    assert transformer_loss_mw(47.5, 50.0) == pytest.approx(0.45)
    # at no load: iron only = 0.05 MW
    assert transformer_loss_mw(0.0, 50.0) == pytest.approx(0.05)
    # Lei & Masanet: distribution loss 0-2 % for large sites -> at 70 % load the default stays below 2 %
    p = 0.7 * 47.5
    assert transformer_loss_mw(p, 50.0) / p < 0.02
    # copper loss is quadratic: reverse flow loads the windings the same way
    assert transformer_loss_mw(-20.0, 50.0) == pytest.approx(transformer_loss_mw(20.0, 50.0))


def test_transformer_bad_power_factor():
    with pytest.raises(ValueError, match="power_factor=1.2"):
        transformer_loss_mw(10.0, 50.0, power_factor=1.2)
