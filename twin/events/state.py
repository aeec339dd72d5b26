"""The campus at one instant of a stored run: what an event starts from.

:func:`state_at` reads a run Dataset (``twin.open_run``) at one time step and returns a
:class:`CampusState`: units online and their output and available (ambient-derated) output,
battery state of charge and headroom, grid import and capacity, solar, the bus load by hall
(IT, cooling, losses), chilled-water storage, ambient, and the scenario the run was made from.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import xarray as xr

#: nominal frequency by country [Hz]: Viet Nam 50 Hz (EVN), Korea 60 Hz (KEPCO)
NOMINAL_HZ = {"VN": 50.0, "KR": 60.0}


from twin.errors import EventError  # noqa: E402,F401 - bad event input: one line naming the field, value, why


@dataclass
class CampusState:
    """The campus at one instant (powers in MW, energies in MWh)."""

    at: pd.Timestamp
    step_index: int
    f0_hz: float
    unit: list[str]
    unit_model: list[str]
    unit_kind: list[str]
    unit_rated_mw: np.ndarray
    unit_on: np.ndarray
    gen_mw: np.ndarray
    gas_available_mw: np.ndarray
    grid_capacity_mw: float
    grid_n1_capacity_mw: float
    grid_import_mw: float
    solar_mw: float
    battery_power_mw: float
    battery_energy_mwh: float
    battery_soc_mwh: float
    battery_soc_min_frac: float
    battery_soc_max_frac: float
    battery_eff_discharge: float
    battery_eff_charge: float
    battery_discharge_mw: float
    battery_charge_mw: float
    hall: list[str]
    hall_it_power_mw: np.ndarray
    hall_cooling_power_mw: np.ndarray
    losses_mw: float
    tes_soc_mwh_th: float
    tes_power_mw_th: float
    ambient_drybulb_c: float
    ambient_wetbulb_c: float
    reserve_margin_mw: float
    run_attrs: dict = field(default_factory=dict)
    scenario_yaml: str = ""
    _scenario: object = field(default=None, repr=False, compare=False)

    @property
    def load_mw(self) -> float:
        """The bus load that the sources serve at the instant [MW]."""
        return float(self.gen_mw.sum() + self.grid_import_mw + self.solar_mw
                     + self.battery_discharge_mw - self.battery_charge_mw)

    @property
    def battery_output_mw(self) -> float:
        return self.battery_discharge_mw - self.battery_charge_mw

    def scenario(self):
        """The run's scenario (validated again from the YAML stored with the run)."""
        from twin.scenario import loads_scenario

        if self._scenario is None:
            self._scenario = loads_scenario(self.scenario_yaml, source="run scenario")
        return self._scenario

    def online_units(self) -> list[str]:
        return [u for u, on in zip(self.unit, self.unit_on) if on]


def _time_index(ds: xr.Dataset, at) -> int:
    t = pd.DatetimeIndex(ds["time"].values)
    step = pd.Timedelta(hours=float(ds.attrs.get("step_h", 1.0)))
    if isinstance(at, str) and at in ("worst", "min-margin"):
        if "reserve_margin_mw" not in ds:
            raise EventError("at: 'worst' — the run has no reserve_margin_mw to find its least-margin hour")
        return int(np.nanargmin(ds["reserve_margin_mw"].values))
    try:
        ts = pd.Timestamp(at)
    except (TypeError, ValueError):
        raise EventError(f"at: {at!r} — not a date/time (use e.g. 2025-04-01T18:00, or 'worst')") from None
    if ts.tzinfo is not None:
        ts = ts.tz_convert(None)
    if ts < t[0] or ts >= t[-1] + step:
        raise EventError(f"at: {str(at)!r} — outside the run ({t[0]} to {t[-1] + step})")
    return int(np.searchsorted(t.values, ts.to_datetime64(), side="right") - 1)


def _scalar(ds: xr.Dataset, name: str, default: float = 0.0) -> float:
    if name not in ds:
        return float(default)
    v = float(ds[name].values)
    return v if np.isfinite(v) else float(default)


def state_at(run_ds: xr.Dataset, at) -> CampusState:
    """The campus state at one instant of a stored run.

    Parameters
    ----------
    run_ds : xarray.Dataset
        A settled run (``twin.open_run(dir)``, ``twin.simulate`` or ``twin.optimise``).
    at : str or pandas.Timestamp
        The instant (within the run; the step containing it is used), or ``"worst"`` for the
        step of least N-1 reserve margin.

    Returns
    -------
    CampusState

    Raises
    ------
    EventError
        ``at`` is not a time or lies outside the run (one line naming the field and the range).
    """
    i = _time_index(run_ds, at)
    ds = run_ds.isel(time=i)
    step_h = float(run_ds.attrs.get("step_h", 1.0))
    units = [str(u) for u in run_ds["unit"].values] if "unit" in run_ds.coords else []
    n = len(units)
    gen = ds["gen_mw"].values.astype(float) if n else np.zeros(0)
    on = (ds["unit_on"].values > 0.5) if n else np.zeros(0, bool)
    dis = _scalar(ds, "battery_discharge_mw")
    chg = _scalar(ds, "battery_charge_mw")
    eff_d = _scalar(ds, "battery_eff_discharge", 1.0) or 1.0
    eff_c = _scalar(ds, "battery_eff_charge", 1.0) or 1.0
    # the stored SoC is at the end of the step; the event starts at its beginning
    soc = _scalar(ds, "battery_soc_mwh") + (dis / eff_d - chg * eff_c) * step_h
    cap = _scalar(ds, "grid_capacity_mw")
    hall_it = ds["hall_it_power_mw"].values.astype(float)
    hall_cool = ds["hall_cooling_power_mw"].values.astype(float)
    # the served load (settle may have shifted or shed some): scale the hall split to it
    it_served = _scalar(ds, "it_power_mw", float(hall_it.sum()))
    cool_served = _scalar(ds, "cooling_power_mw", float(hall_cool.sum()))
    if hall_it.sum() > 0:
        hall_it = hall_it * it_served / hall_it.sum()
    if hall_cool.sum() > 0:
        hall_cool = hall_cool * cool_served / hall_cool.sum()
    country = str(run_ds.attrs.get("site_country", "VN"))
    return CampusState(
        at=pd.Timestamp(run_ds["time"].values[i]), step_index=i, f0_hz=NOMINAL_HZ.get(country, 50.0),
        unit=units,
        unit_model=[str(v) for v in run_ds["unit_model"].values] if n else [],
        unit_kind=[str(v) for v in run_ds["unit_kind"].values] if n else [],
        unit_rated_mw=run_ds["unit_rated_mw"].values.astype(float) if n else np.zeros(0),
        unit_on=on & (gen > 0) if n else on, gen_mw=np.where(on, gen, 0.0) if n else gen,
        gas_available_mw=ds["gas_available_mw"].values.astype(float) if n else np.zeros(0),
        grid_capacity_mw=cap, grid_n1_capacity_mw=_scalar(ds, "grid_n1_capacity_mw", 0.0),
        grid_import_mw=_scalar(ds, "grid_import_mw"), solar_mw=_scalar(ds, "solar_mw"),
        battery_power_mw=_scalar(ds, "battery_power_mw"), battery_energy_mwh=_scalar(ds, "battery_energy_mwh"),
        battery_soc_mwh=soc, battery_soc_min_frac=_scalar(ds, "battery_soc_min_frac", 0.0),
        battery_soc_max_frac=_scalar(ds, "battery_soc_max_frac", 1.0),
        battery_eff_discharge=eff_d, battery_eff_charge=eff_c,
        battery_discharge_mw=dis, battery_charge_mw=chg,
        hall=[str(h) for h in run_ds["hall"].values], hall_it_power_mw=hall_it, hall_cooling_power_mw=hall_cool,
        losses_mw=_scalar(ds, "losses_mw"),
        tes_soc_mwh_th=_scalar(ds, "tes_soc_mwh_th"), tes_power_mw_th=_scalar(ds, "tes_power_mw_th"),
        ambient_drybulb_c=_scalar(ds, "ambient_drybulb_c", 25.0), ambient_wetbulb_c=_scalar(ds, "ambient_wetbulb_c", 20.0),
        reserve_margin_mw=_scalar(ds, "reserve_margin_mw", np.nan),
        run_attrs=dict(run_ds.attrs), scenario_yaml=str(run_ds.attrs.get("scenario_yaml", "")),
    )
