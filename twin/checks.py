"""Named consistency checks that warn (or fail) without solving: ``twin validate`` runs them all.

Each check takes the scenario and its physics Dataset and yields ``(level, message)`` with
level ``"warning"`` or ``"error"``; messages name the quantity, the value and why.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import xarray as xr

from twin import catalog
from twin.couple import couple
from twin.scenario import AirCooling, Scenario


def check_firm_capacity(sc: Scenario, ds: xr.Dataset) -> Iterator[tuple[str, str]]:
    """Peak facility power vs firm supply with the largest gas unit lost (N-1)."""
    peak = float(ds["facility_power_mw"].max())
    avail = ds["gas_available_mw"].values if ds.sizes.get("unit", 0) else np.zeros((ds.sizes["time"], 0))
    gas = avail.sum(axis=1) - (avail.max(axis=1) if avail.shape[1] else 0.0)
    firm = gas + float(ds["grid_capacity_mw"]) + float(ds["battery_power_mw"])
    short = ds["facility_power_mw"].values - firm
    if np.any(short > 1e-6):
        h = float((short > 1e-6).sum()) * float(ds.attrs["step_h"])
        yield ("warning", f"power: N-1 firm supply falls short of the facility peak {peak:.1f} MW by up to "
                          f"{short.max():.1f} MW in {h:g} h (gas minus the largest unit + grid + battery)")
    total = avail.sum(axis=1) + float(ds["grid_capacity_mw"]) + float(ds["battery_power_mw"])
    deficit = ds["facility_power_mw"].values - total - ds["solar_available_mw"].values
    if np.any(deficit > 1e-6):
        yield ("warning", f"power: even with every source the campus is short by up to {deficit.max():.1f} MW "
                          "— expect unserved load")


def check_cooling(sc: Scenario, ds: xr.Dataset) -> Iterator[tuple[str, str]]:
    """Hours in which a hall's cooling cannot remove its heat at this site's weather."""
    step_h = float(ds.attrs["step_h"])
    for hall in ds["hall"].values:
        d = ds["hall_cooling_deficit_mw"].sel(hall=hall)
        if float(d.max()) > 1e-6:
            yield ("warning", f"halls[{hall}].cooling: cannot remove all heat in {float((d > 1e-6).sum()) * step_h:g} h "
                              f"(up to {float(d.max()):.2f} MW) at this site's weather")


def check_air_density(sc: Scenario, ds: xr.Dataset) -> Iterator[tuple[str, str]]:
    """Air-cooled halls with racks denser than air can cool."""
    for i, h in enumerate(sc.halls):
        rack = catalog.lookup("racks", h.rack_model)
        if isinstance(h.cooling, AirCooling) and rack["rack_kw_max"] > rack["air_cooling_max_kw"]:
            yield ("warning", f"halls[{i}].rack_model: {h.rack_model!r} draws {rack['rack_kw_max']:g} kW per rack, "
                              f"above the {rack['air_cooling_max_kw']:g} kW air alone can cool — "
                              "consider direct_to_chip or immersion")


def check_lng(sc: Scenario, ds: xr.Dataset) -> Iterator[tuple[str, str]]:
    """Can deliveries keep up if gas had to carry the whole load?"""
    if not ds.sizes.get("unit", 0):
        return
    step_h = float(ds.attrs["step_h"])
    hours = ds.sizes["time"] * step_h
    fuel_full = ds["gas_curve_fuel_gj_per_h"].values[..., -1]
    mw_full = ds["gas_curve_mw"].values[..., -1]
    gj_per_mwh = np.nanmedian(fuel_full / np.where(mw_full > 0, mw_full, np.nan))
    need_t = float(ds["facility_power_mw"].sum()) * step_h * gj_per_mwh / float(ds["lng_lhv_gj_per_t"])
    supply_t = float(ds["lng_tank_initial_t"]) + sc.fuel.delivery_t * hours / float(ds["lng_delivery_interval_h"])
    if need_t > supply_t:
        yield ("warning", f"fuel: all-gas operation would burn {need_t:,.0f} t of LNG but the tank plus deliveries "
                          f"bring {supply_t:,.0f} t over the period")


CHECKS = (check_firm_capacity, check_cooling, check_air_density, check_lng)


def run_checks(sc: Scenario, ds: xr.Dataset | None = None) -> list[tuple[str, str]]:
    ds = couple(sc) if ds is None else ds
    out: list[tuple[str, str]] = []
    for check in CHECKS:
        out.extend(check(sc, ds))
    return out
