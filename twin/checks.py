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
from twin.settle import lng_tank


def check_firm_capacity(sc: Scenario, ds: xr.Dataset) -> Iterator[tuple[str, str]]:
    """Peak facility power vs firm supply after the worst single contingency (N-1).

    The contingencies (issue #9 item 11): the largest gas unit, or one circuit of the grid feed
    (a single-circuit feed is lost whole).  A campus that cannot hold N-1 at its peak is an
    error: every dispatch of it will be short of reserve.
    """
    step_h = float(ds.attrs["step_h"])
    facility = ds["facility_power_mw"].values
    peak = float(facility.max())
    avail = ds["gas_available_mw"].values if ds.sizes.get("unit", 0) else np.zeros((ds.sizes["time"], 0))
    gas_all = avail.sum(axis=1)
    largest = avail.max(axis=1) if avail.shape[1] else np.zeros(ds.sizes["time"])
    grid_cap = float(ds["grid_capacity_mw"])
    grid_n1 = float(ds["grid_n1_capacity_mw"]) if "grid_n1_capacity_mw" in ds else 0.0
    bat = float(ds["battery_power_mw"])
    firm_unit = gas_all - largest + grid_cap + bat
    firm_circuit = gas_all + grid_n1 + bat
    g = sc.power.grid
    for firm, what in ((firm_unit, "gas minus the largest unit + grid + battery"),
                       (firm_circuit, None)):
        short = facility - firm
        if not np.any(short > 1e-6):
            continue
        h = float((short > 1e-6).sum()) * step_h
        if what is None:
            if grid_cap <= 0:
                continue
            yield ("error", f"power.grid: the feed of {g.circuits} circuit(s) x {g.circuit_rating_mw:g} MW is a "
                            f"contingency: after losing one circuit it carries {grid_n1:g} MW, and with gas "
                            f"{float(gas_all.min()):g} MW + battery {bat:g} MW the facility peak {peak:.1f} MW is "
                            f"short by up to {short.max():.1f} MW in {h:g} h — add circuits (power.grid.circuits) "
                            "or firm capacity")
        else:
            yield ("error", f"power: N-1 firm supply falls short of the facility peak {peak:.1f} MW by up to "
                            f"{short.max():.1f} MW in {h:g} h ({what})")
    total = gas_all + grid_cap + bat
    deficit = facility - total - ds["solar_available_mw"].values
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
    """Can deliveries keep up if gas had to carry the whole load, and will the tank take them?"""
    if not ds.sizes.get("unit", 0):
        return
    step_h = float(ds.attrs["step_h"])
    hours = ds.sizes["time"] * step_h
    fuel_full = ds["gas_curve_fuel_gj_per_h"].values[..., -1]
    mw_full = ds["gas_curve_mw"].values[..., -1]
    gj_per_mwh = np.nanmedian(fuel_full / np.where(mw_full > 0, mw_full, np.nan))
    lhv = float(ds["lng_lhv_gj_per_t"])
    facility = ds["facility_power_mw"].values
    need_t = float(facility.sum()) * step_h * gj_per_mwh / lhv
    supply_t = float(ds["lng_tank_initial_t"]) + sc.fuel.delivery_t * hours / float(ds["lng_delivery_interval_h"])
    if need_t > supply_t:
        yield ("warning", f"fuel: all-gas operation would burn {need_t:,.0f} t of LNG but the tank plus deliveries "
                          f"bring {supply_t:,.0f} t over the period")
    # cargoes the tank cannot take: certain if refused even when gas carries the whole load at the
    # worst heat rate of the curves (minimum stable load: no dispatch burns more), possible if refused
    # when the grid and solar serve first and the units run at full-load heat rate (none burns less
    # for the load left to gas)
    gas_cap = ds["gas_available_mw"].values.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        worst = np.nanmax(ds["gas_curve_fuel_gj_per_h"].values / np.where(ds["gas_curve_mw"].values > 0,
                                                                         ds["gas_curve_mw"].values, np.nan),
                          axis=(1, 2))
        best = np.nanmin(fuel_full / np.where(mw_full > 0, mw_full, np.nan), axis=1)
    most = np.minimum(facility, gas_cap) * step_h * np.nan_to_num(worst) / lhv
    least = np.clip(facility - float(ds["grid_capacity_mw"]) - ds["solar_available_mw"].values, 0.0, gas_cap) \
        * step_h * np.nan_to_num(best) / lhv
    t = ds["time"].values
    for use, how in ((most, "cannot be taken in full even if gas carried the whole load at its worst heat rate"),
                     (least, "may be refused in part (if the grid and solar served first, at full-load heat rate)")):
        ref = lng_tank(ds, use)["lng_refused_t"]
        hit = np.flatnonzero(ref > 1e-6)
        if hit.size:
            days = sorted({str(np.datetime_as_string(t[i], unit="D")) for i in hit})
            yield ("warning", f"fuel.delivery_t: {hit.size} cargo(es) of {sc.fuel.delivery_t:g} t {how} — "
                              f"the {sc.fuel.tank_capacity_t:g} t tank is full ({ref.sum():,.0f} t "
                              f"refused; days {', '.join(days[:5])}{' …' if len(days) > 5 else ''}); reduce "
                              "fuel.delivery_t or lengthen fuel.delivery_interval_days")
            return


CHECKS = (check_firm_capacity, check_cooling, check_air_density, check_lng)


def run_checks(sc: Scenario, ds: xr.Dataset | None = None) -> list[tuple[str, str]]:
    ds = couple(sc) if ds is None else ds
    out: list[tuple[str, str]] = []
    for check in CHECKS:
        out.extend(check(sc, ds))
    return out
