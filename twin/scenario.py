"""Scenario files: YAML validated by pydantic, catalogue names resolved.

A scenario names a site and its weather, a period and step, the data halls (racks, workload,
cooling), the electrical chain, the power side (gas units, grid, solar, battery), fuel and
economics.  Unknown keys are rejected.  Every problem is reported as one line naming the field
path, the value and why (:class:`ScenarioError`), which the CLI prints with exit code 2.

Before pydantic sees a file it is checked as text: UTF-8 (a UTF-16/UTF-32 byte-order mark is
honoured; other bytes are refused rather than guessed), no NUL bytes, at most
:data:`MAX_FILE_BYTES`, YAML nested at most :data:`MAX_YAML_DEPTH` deep and no key given twice
in one mapping.  The schema is strict: ``racks: true`` or ``racks: 2.5`` is not an integer and
``export_allowed: 1`` is not a boolean; NaN and infinity are not numbers of any field.  Every
quantity has an engineering bound (``Field(le=...)``) whose reason is in the field's JSON schema
(``bound``) and in the message that refuses it; the app reads them from
``Scenario.model_json_schema()``.  The bounds are engineering assumptions (flagged as such):
each is several times the largest plant of its kind built or announced, so that a typo of
orders of magnitude is caught while every real campus fits.
"""

from __future__ import annotations

import datetime
import hashlib
import types
import typing
from pathlib import Path
from typing import Annotated, Any, Literal

import pandas as pd
import yaml
from pydantic import (BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, WithJsonSchema, field_validator,
                      model_validator)

from twin.errors import ScenarioError
from twin.paths import DATASETS_DIR

__all__ = ["MAX_FILE_BYTES", "MAX_YAML_DEPTH", "SCENARIO_DIR", "Scenario", "ScenarioError", "load_scenario",
           "load_yaml_text", "loads_scenario", "parse_scenario", "preset_names", "read_text_file", "resolve_path"]

SCENARIO_DIR = DATASETS_DIR / "scenarios"

#: largest scenario file read [bytes]; the presets are ~3 kB
MAX_FILE_BYTES = 1_000_000
#: deepest YAML nesting accepted; a scenario needs 5 levels
MAX_YAML_DEPTH = 32
#: calendar years a period may lie in: pandas' nanosecond time axis ends in 2262; the tariffs and
#: typical years describe the present, so 1900-2100 is generous
YEAR_RANGE = (1900, 2100)
#: longest period [days] and most time steps of one run (about 100 float64 variables per step)
MAX_PERIOD_DAYS = 3660
MAX_STEPS = 1_100_000

PosFloat = Annotated[float, Field(gt=0)]
NonNegFloat = Annotated[float, Field(ge=0)]
Frac = Annotated[float, Field(ge=0, le=1)]


def _bounded(default: Any = ..., *, why: str, **limits: Any) -> Any:
    """A pydantic ``Field`` with limits whose reason goes to the schema (``bound``) and the message."""
    return Field(default, json_schema_extra={"bound": why}, **limits)


def _catalog_check(kind: str, what: str):
    """A validator that checks a name against a catalogue table."""

    def check(v: str | None) -> str | None:
        if v is None:
            return v
        from twin import catalog

        valid = catalog.names(kind)
        if v not in valid:
            raise ValueError(f"unknown {what} {v!r}; valid: {', '.join(valid)}")
        return v

    return check


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=False, strict=True, allow_inf_nan=False)


# ---------------------------------------------------------------------------------------- site
class Weather(_Model):
    source: Literal["typical", "epw"] = "typical"
    site_id: str | None = None
    path: str | None = Field(None, description="EPW file; relative paths are relative to the scenario file")

    @model_validator(mode="after")
    def _one_of(self):
        if self.source == "typical" and not self.site_id:
            raise ValueError("source 'typical' needs site_id")
        if self.source == "epw" and not self.path:
            raise ValueError("source 'epw' needs path")
        return self

    @field_validator("site_id")
    @classmethod
    def _site(cls, v):
        if v is None:
            return v
        from twin import weather

        valid = list(weather.weather_sites()["site_id"])
        if v not in valid:
            raise ValueError(f"unknown weather site {v!r}; valid: {', '.join(valid)}")
        return v


class Site(_Model):
    name: str = Field(min_length=1, max_length=200)
    country: Literal["VN", "KR"]
    latitude: float = Field(ge=-90, le=90)
    longitude: float = Field(ge=-180, le=180)
    utc_offset_h: float = Field(ge=-12, le=14)
    weather: Weather


_TZ_MSG = ("has a time zone; give naive site-local standard time (site.utc_offset_h says which zone "
           "that is)")


class Period(_Model):
    start: Annotated[pd.Timestamp, WithJsonSchema({"type": "string", "format": "date-time",
                                                   "description": "naive site-local standard time"})]
    end: Annotated[pd.Timestamp, WithJsonSchema({"type": "string", "format": "date-time",
                                                 "description": "naive site-local standard time (exclusive)"})]
    step: str = "1h"

    model_config = ConfigDict(extra="forbid", arbitrary_types_allowed=True, strict=True, allow_inf_nan=False)

    @field_validator("start", "end", mode="before")
    @classmethod
    def _ts(cls, v):
        lo, hi = YEAR_RANGE
        out_of_range = (f"the year must be within {lo}..{hi} (tariffs and typical weather describe the "
                        "present; the time axis ends in 2262)")
        if isinstance(v, bool) or not isinstance(v, str | datetime.date):
            raise ValueError("not a date/time (write e.g. 2025-04-07 or '2025-04-07 06:00')")
        if isinstance(v, datetime.date) and not isinstance(v, pd.Timestamp):
            if getattr(v, "tzinfo", None) is not None:
                raise ValueError(_TZ_MSG)
            if not lo <= v.year <= hi:
                raise ValueError(out_of_range)
        try:
            ts = pd.Timestamp(v)
        except pd.errors.OutOfBoundsDatetime:
            raise ValueError(out_of_range) from None
        except Exception as e:  # noqa: BLE001 - any parse failure is bad input
            raise ValueError(f"not a date/time ({str(e).splitlines()[0]})") from None
        if pd.isna(ts):
            raise ValueError("not a date/time")
        if ts.tzinfo is not None:
            raise ValueError(_TZ_MSG)
        if not lo <= ts.year <= hi:
            raise ValueError(out_of_range)
        return ts.as_unit("ns")

    @field_validator("step")
    @classmethod
    def _step(cls, v):
        try:
            td = pd.Timedelta(v)
            if pd.isna(td):
                raise ValueError

        except Exception:  # noqa: BLE001
            raise ValueError("not a time step (use e.g. '1h', '15min', '1min')") from None
        if td < pd.Timedelta("1min") or td > pd.Timedelta("1h"):
            raise ValueError("step must be between 1min and 1h")
        return v

    @model_validator(mode="after")
    def _divides(self):
        if self.end <= self.start:
            raise ValueError(f"end {self.end} must be after start {self.start}")
        span = self.end - self.start
        if span % pd.Timedelta(self.step) != pd.Timedelta(0):
            raise ValueError(f"step {self.step!r} does not divide the period {self.start} to {self.end}")
        if span > pd.Timedelta(days=MAX_PERIOD_DAYS):
            raise ValueError(f"the period {self.start} to {self.end} is longer than {MAX_PERIOD_DAYS} days "
                             "(engineering bound: ten years is the longest study one run holds)")
        if self.n_steps > MAX_STEPS:
            raise ValueError(f"{self.n_steps:,} time steps of {self.step} is more than {MAX_STEPS:,} (about two "
                             "years at 1min; each step holds ~100 variables in memory): use a longer step")
        return self

    @property
    def step_h(self) -> float:
        return pd.Timedelta(self.step) / pd.Timedelta("1h")

    @property
    def n_steps(self) -> int:
        return int((self.end - self.start) / pd.Timedelta(self.step))


# --------------------------------------------------------------------------------------- halls
class Workload(_Model):
    training_share: Frac = 0.6
    inference_share: Frac = 0.3
    idle_share: Frac = 0.1
    training_utilisation: Frac = 0.9
    inference_peak_hour: float = Field(20.0, ge=0, lt=24)
    inference_trough_frac: Frac = 0.4

    @model_validator(mode="after")
    def _sum(self):
        s = self.training_share + self.inference_share + self.idle_share
        if abs(s - 1.0) > 1e-6:
            raise ValueError(f"training_share + inference_share + idle_share = {s:g}, must be 1")
        return self


_WHY_CHILLERS = ("1,000 chillers of 5 MW_th each cool 5 GW, the largest campus announced; no hall needs more "
                 "(engineering bound)")
_WHY_TES_MWH = "100 GWh_th is ~100 times the largest chilled-water tanks built (engineering bound)"
_WHY_TES_MW = "10 GW_th is twice the cooling of the largest campus announced (engineering bound)"


class AirCooling(_Model):
    type: Literal["air"] = "air"
    chiller_model: str = "centrifugal-vsd-5mw"
    chillers: int = Field(ge=1, le=1000, description="installed chillers (incl. redundancy)",
                          json_schema_extra={"bound": _WHY_CHILLERS})
    tower_model: str = "tower-4k-approach"
    air_handler_model: str = "crah-standard"
    thermal_storage_mwh_th: float = _bounded(0.0, ge=0, le=100_000, why=_WHY_TES_MWH)
    thermal_storage_mw_th: float = _bounded(0.0, ge=0, le=10_000, why=_WHY_TES_MW)

    _c1 = field_validator("chiller_model")(_catalog_check("chillers", "chiller model"))
    _c2 = field_validator("tower_model")(_catalog_check("cooling_towers", "cooling tower model"))
    _c3 = field_validator("air_handler_model")(_catalog_check("air_handlers", "air handler model"))


class LiquidLoop(_Model):
    tank_model: str = "immersion-pao-w45"
    fluid: str | None = None
    heat_rejection: Literal["dry_cooler", "tower"] = "dry_cooler"
    dry_cooler_model: str = "dry-cooler-standard"
    tower_model: str = "tower-4k-approach"
    heat_rejection_capacity_mw_th: PosFloat | None = Field(
        None, le=20_000, description="installed heat rejection at design; default = IT capacity x 1.1",
        json_schema_extra={"bound": "20 GW_th rejects the heat of the largest campus announced (~5 GW) four "
                                    "times over (engineering bound)"})

    _c1 = field_validator("tank_model")(_catalog_check("immersion_tanks", "immersion tank model"))
    _c2 = field_validator("fluid")(_catalog_check("fluids", "fluid"))
    _c3 = field_validator("dry_cooler_model")(_catalog_check("dry_coolers", "dry cooler model"))
    _c4 = field_validator("tower_model")(_catalog_check("cooling_towers", "cooling tower model"))


class ImmersionCooling(LiquidLoop):
    type: Literal["immersion"] = "immersion"


class DirectToChipCooling(LiquidLoop):
    type: Literal["direct_to_chip"] = "direct_to_chip"
    tank_model: str = "cdu-water-glycol-w45"
    liquid_frac: Frac | None = Field(None, description="share of heat to liquid; default from the rack model")
    chiller_model: str = "centrifugal-vsd-5mw"
    chillers: int = Field(2, ge=1, le=1000, json_schema_extra={"bound": _WHY_CHILLERS})
    air_handler_model: str = "crah-standard"
    thermal_storage_mwh_th: float = _bounded(0.0, ge=0, le=100_000, why=_WHY_TES_MWH)
    thermal_storage_mw_th: float = _bounded(0.0, ge=0, le=10_000, why=_WHY_TES_MW)

    _c5 = field_validator("chiller_model")(_catalog_check("chillers", "chiller model"))
    _c6 = field_validator("air_handler_model")(_catalog_check("air_handlers", "air handler model"))


Cooling = Annotated[AirCooling | ImmersionCooling | DirectToChipCooling, Field(discriminator="type")]


class Hall(_Model):
    name: str = Field(min_length=1, max_length=100)
    rack_model: str
    racks: int = _bounded(gt=0, le=50_000, why="50,000 racks of 132 kW (GB200 NVL72) draw 6.6 GW, more than the "
                                               "largest campus announced (~5 GW) (engineering bound)")
    workload: Workload = Workload()
    cooling: Cooling

    _c = field_validator("rack_model")(_catalog_check("racks", "rack model"))


# --------------------------------------------------------------------------------------- power
class Electrical(_Model):
    ups_model: str = "ups-double-conversion-hyperscale"
    transformer_model: str = "transformer-mv-lv-large"

    _c1 = field_validator("ups_model")(_catalog_check("ups", "UPS model"))
    _c2 = field_validator("transformer_model")(_catalog_check("transformers", "transformer model"))


class GasUnits(_Model):
    model: str
    count: int = _bounded(ge=0, le=200, why="200 units is four times the largest engine or turbine plant built "
                                            "(engineering bound)")
    initial_on: int | None = Field(None, ge=0, description="units running at the start (default: all)")

    _c = field_validator("model")(_catalog_check("gas_units", "gas unit model"))

    @model_validator(mode="after")
    def _on_le_count(self):
        if self.initial_on is not None and self.initial_on > self.count:
            raise ValueError(f"initial_on {self.initial_on} is more than count {self.count}: only installed "
                             "units can run")
        return self


class Grid(_Model):
    capacity_mw: float = _bounded(0.0, ge=0, le=20_000, why="20 GW is more than three 765 kV double-circuit lines "
                                                            "carry; no campus connection is larger (engineering bound)")
    circuits: int = Field(1, ge=1, le=20, description="circuits (lines/transformers) of the feed; N-1 loses the largest",
                          json_schema_extra={"bound": "20 circuits is more than any campus substation has "
                                                      "(engineering bound)"})
    circuit_mw: float | None = _bounded(None, gt=0, le=20_000, why="no single circuit carries more than 20 GW "
                                                                   "(engineering bound)")
    tariff: str | None = None
    co2_t_per_mwh: float | None = _bounded(None, ge=0, le=2.0, why="lignite plants emit ~1.2 t/MWh; no grid mix "
                                                                   "exceeds 2 (engineering bound)")
    export_allowed: bool = False

    @field_validator("tariff")
    @classmethod
    def _tariff(cls, v):
        if v is None:
            return v
        from twin import catalog

        valid = catalog.tariff_names()
        if v not in valid:
            raise ValueError(f"unknown tariff {v!r}; valid: {', '.join(valid)}")
        return v

    @model_validator(mode="after")
    def _need_tariff(self):
        if self.capacity_mw > 0 and self.tariff is None:
            raise ValueError("a grid feed with capacity_mw > 0 needs a tariff")
        if self.circuit_mw is not None and self.circuits * self.circuit_mw < self.capacity_mw - 1e-9:
            raise ValueError(f"circuits x circuit_mw = {self.circuits} x {self.circuit_mw:g} MW is below "
                             f"capacity_mw {self.capacity_mw:g} MW: the circuits cannot carry the feed")
        return self

    @property
    def circuit_rating_mw(self) -> float:
        """Rating of each circuit [MW] (default: the capacity shared equally)."""
        return self.circuit_mw if self.circuit_mw is not None else self.capacity_mw / self.circuits

    @property
    def n1_capacity_mw(self) -> float:
        """Import capacity left after losing the largest circuit [MW] (issue #9 item 11)."""
        return min(self.capacity_mw, (self.circuits - 1) * self.circuit_rating_mw)


class Solar(_Model):
    capacity_mwp: float = _bounded(0.0, ge=0, le=20_000, why="20 GWp is several times the largest solar park built "
                                                             "(~5 GWp) (engineering bound)")
    tilt_deg: float | None = Field(None, ge=0, le=90)
    azimuth_deg: float = Field(180.0, ge=0, lt=360)
    dc_ac_ratio: float = _bounded(1.2, gt=0, le=3.0, why="DC/AC ratios above ~1.5 are rare; 3 clips most of the "
                                                         "array (engineering bound)")


class Battery(_Model):
    power_mw: float = _bounded(0.0, ge=0, le=20_000, why="20 GW is ~10 times the largest battery built (~2 GW) "
                                                         "(engineering bound)")
    energy_mwh: float = _bounded(0.0, ge=0, le=100_000, why="100 GWh is ~10 times the largest battery built "
                                                            "(~8 GWh) (engineering bound)")
    model: str = "li-ion-dea-vn-2020"
    initial_soc_frac: Frac = 0.5
    peak_shave_threshold_mw: float | None = Field(
        None, ge=0, le=20_000,
        description="baseline dispatch discharges above this grid import; default: 90% of the grid capacity",
        json_schema_extra={"bound": "the grid feed itself is bounded at 20 GW (engineering bound)"})

    _c = field_validator("model")(_catalog_check("batteries", "battery model"))

    @model_validator(mode="after")
    def _both(self):
        if (self.power_mw > 0) != (self.energy_mwh > 0):
            raise ValueError("power_mw and energy_mwh must both be zero or both positive")
        return self


class Power(_Model):
    gas_units: list[GasUnits] = []
    grid: Grid = Grid()
    solar: Solar = Solar()
    battery: Battery = Battery()


class Fuel(_Model):
    lng_price_usd_per_mmbtu: float = _bounded(11.0, ge=0, le=200, why="the highest Asian spot price (JKM, Aug 2022) "
                                                                     "was ~70 USD/MMBtu (engineering bound)")
    price_basis: Literal["hhv", "lhv"] = Field(
        "hhv", description="heating value the LNG price is quoted on (JKM and contracts: hhv)")
    tank_capacity_t: float = _bounded(0.0, ge=0, le=5_000_000, why="5 Mt is more LNG than the largest import "
                                                                   "terminals store (engineering bound)")
    initial_level_frac: Frac = 0.6
    min_level_frac: Frac = 0.05
    delivery_t: float = _bounded(0.0, ge=0, le=1_000_000, why="the largest carrier (Q-Max, 266,000 m3) holds "
                                                              "~120,000 t (engineering bound)")
    delivery_interval_days: float = _bounded(7.0, ge=0.25, le=366, why="between one cargo every 6 h and one a "
                                                                      "year (engineering bound)")
    boil_off_frac_per_day: Annotated[float, Field(ge=0, le=0.01)] = 0.0008


YearPath = dict[int, NonNegFloat]


_WHY_PENALTY = ("1,000,000 USD/MWh is ~100 times any value of lost load used in market design; larger penalties "
                "only spoil the solver's numerics (engineering bound)")


class Economics(_Model):
    carbon_price_usd_per_t: float = _bounded(0.0, ge=0, le=10_000, why="carbon prices quoted today are below "
                                                                       "200 USD/t (engineering bound)")
    co2_cap_t: float | None = _bounded(None, ge=0, le=1e9, why="1 Gt is more than any country but four emits "
                                                              "(engineering bound)")
    water_price_usd_per_m3: float = _bounded(1.0, ge=0, le=1_000, why="desalinated water costs ~1 USD/m3 "
                                                                      "(engineering bound)")
    voll_usd_per_mwh: float = _bounded(10_000.0, gt=0, le=1e6, why=_WHY_PENALTY)
    reserve_shortfall_usd_per_mwh: float = _bounded(2_000.0, gt=0, le=1e6, why=_WHY_PENALTY)
    cooling_deficit_usd_per_mwh: float = _bounded(5_000.0, gt=0, le=1e6, why=_WHY_PENALTY)
    fx_per_usd: dict[str, Annotated[float, Field(gt=0, le=1e6)]] = Field(
        default_factory=dict, description="overrides, e.g. {VND: 25400}",
        json_schema_extra={"bound": "VND, the weakest currency used, is ~26,000 per USD (engineering bound)"})
    # --- planning (twin.plan) ---
    discount_rate_frac: Annotated[float, Field(ge=0, lt=1)] = Field(
        0.07, description="real discount rate for the plan's net present value [1/yr]")
    horizon_years: Annotated[int, Field(gt=0, le=60)] = Field(
        20, description="years from the first phase's start over which the plan's NPV is counted",
        json_schema_extra={"bound": "60 years outlasts every asset in the cost catalogue (engineering bound)"})
    lifetimes_years: dict[str, PosFloat] = Field(
        default_factory=dict, description="asset lifetime overrides by technology_costs name [yr]")
    lng_price_paths_usd_per_mmbtu: dict[str, YearPath] = Field(
        default_factory=dict, description="named LNG price paths {path: {year: USD/MMBtu}}; the first plans, "
                                          "the others are reported as sensitivities (default: fuel price flat)")
    carbon_price_path_usd_per_t: YearPath = Field(
        default_factory=dict, description="carbon price by year [USD/t] (default: carbon_price_usd_per_t flat)")

    @field_validator("lifetimes_years", mode="before")
    @classmethod
    def _lifetimes(cls, v):
        if isinstance(v, dict):
            for k, x in v.items():
                if isinstance(x, int | float) and x <= 0:
                    raise ValueError(f"lifetime of {k!r} is {x!r} years; an asset lifetime must be > 0")
        return v

    @field_validator("lng_price_paths_usd_per_mmbtu")
    @classmethod
    def _paths(cls, v):
        for k, path in v.items():
            if not path:
                raise ValueError(f"LNG price path {k!r} has no years")
        return v


class Flexibility(_Model):
    training_shift_frac: Frac = 0.0
    window_h: Annotated[float, Field(gt=0, le=168)] = 24.0


# ------------------------------------------------------------------------------------ planning
class PhaseHall(_Model):
    racks: int = Field(gt=0, description="racks in service in this phase (cumulative)")
    rack_model: str | None = Field(None, description="default: the hall's rack model in halls:")

    _c = field_validator("rack_model")(_catalog_check("racks", "rack model"))


class Phase(_Model):
    """One stage of the build-out: from ``start`` the IT in service is ``halls`` (cumulative)."""

    name: str
    start: Annotated[pd.Timestamp, WithJsonSchema({"type": "string", "format": "date-time"})]
    halls: dict[str, PhaseHall] = Field(min_length=1, description="hall name (from halls:) -> racks in service")
    fuel: Fuel | None = Field(None, description="LNG logistics in this phase (default: fuel:)")

    model_config = ConfigDict(extra="forbid", arbitrary_types_allowed=True)

    @field_validator("start", mode="before")
    @classmethod
    def _ts(cls, v):
        try:
            return pd.Timestamp(str(v))
        except Exception as e:  # noqa: BLE001 - any parse failure is bad input
            raise ValueError(f"not a date ({e})") from None


class GasCandidate(_Model):
    model: str
    max_count: int = Field(ge=0, le=200, description="most units of this model that may be built in total",
                           json_schema_extra={"bound": "200 units is four times the largest engine or turbine plant "
                                                       "built (engineering bound)"})

    _c = field_validator("model")(_catalog_check("gas_units", "gas unit model"))


def _pair(v):
    """A [min, max] range as YAML writes it (a list) -> the tuple the schema holds."""
    return tuple(v) if isinstance(v, list) else v


def _candidate_range(hi: float, why: str):
    """A [min, max] candidate range, each end within 0..hi (the reason in the schema and the message)."""
    end = Annotated[float, Field(ge=0, le=hi)]
    return Annotated[tuple[end, end], BeforeValidator(_pair), Field(json_schema_extra={"bound": why})]


_WHY_BATTERY_MW_RANGE = "20 GW is ~10 times the largest battery built (~2 GW) (engineering bound)"
_WHY_BATTERY_MWH_RANGE = "100 GWh is ~10 times the largest battery built (engineering bound)"
_WHY_PV_RANGE = "20 GWp is several times the largest solar park built (~5 GWp) (engineering bound)"


class BatteryCandidate(_Model):
    power_mw: _candidate_range(20_000, _WHY_BATTERY_MW_RANGE) = (0.0, 0.0)
    energy_mwh: _candidate_range(100_000, _WHY_BATTERY_MWH_RANGE) = (0.0, 0.0)
    model: str = "li-ion-dea-vn-2020"

    _c = field_validator("model")(_catalog_check("batteries", "battery model"))

    @model_validator(mode="after")
    def _ranges(self):
        for k in ("power_mw", "energy_mwh"):
            lo, hi = getattr(self, k)
            if lo > hi:
                raise ValueError(f"{k}: range [{lo:g}, {hi:g}] has min above max")
        return self


class SolarCandidate(_Model):
    capacity_mwp: _candidate_range(20_000, _WHY_PV_RANGE) = (0.0, 0.0)

    @model_validator(mode="after")
    def _range(self):
        lo, hi = self.capacity_mwp
        if lo > hi:
            raise ValueError(f"capacity_mwp: range [{lo:g}, {hi:g}] has min above max")
        return self


class GridOption(_Model):
    name: str
    capacity_mw: float = _bounded(gt=0, le=20_000, why="20 GW is more than three 765 kV double-circuit lines carry; no "
                                                       "campus connection is larger (engineering bound)")
    circuits: int = Field(1, ge=1, le=20, json_schema_extra={"bound": "20 circuits is more than any campus substation "
                                                                      "has (engineering bound)"})
    connection_cost_usd: NonNegFloat | None = Field(
        None, description="one-off cost of the connection (substation, line); default: technology_costs grid-connection per MW")
    lead_time_months: NonNegFloat = Field(0.0, description="months from the decision date to energisation")
    tariff: str | None = Field(None, description="default: power.grid.tariff")

    @field_validator("tariff")
    @classmethod
    def _tariff(cls, v):
        return Grid._tariff(v)


class Candidates(_Model):
    """What a plan may build (``twin plan``)."""

    decision_date: Annotated[pd.Timestamp, WithJsonSchema({"type": "string", "format": "date-time"})] | None = Field(None, description="when the plan is decided (grid lead times "
                                                                 "count from here); default: first phase start")
    gas_units: list[GasCandidate] = []
    battery: BatteryCandidate = BatteryCandidate()
    solar: SolarCandidate = SolarCandidate()
    grid: list[GridOption] = []
    cooling: dict[str, list[Cooling]] = Field(
        default_factory=dict, description="hall name -> cooling alternatives (default: the hall's own cooling)")

    model_config = ConfigDict(extra="forbid", arbitrary_types_allowed=True)

    @field_validator("decision_date", mode="before")
    @classmethod
    def _ts(cls, v):
        if v is None:
            return v
        try:
            return pd.Timestamp(str(v))
        except Exception as e:  # noqa: BLE001
            raise ValueError(f"not a date ({e})") from None

    @model_validator(mode="after")
    def _unique(self):
        models = [g.model for g in self.gas_units]
        dup = sorted({m for m in models if models.count(m) > 1})
        if dup:
            raise ValueError(f"gas_units: model listed twice: {', '.join(dup)}")
        names = [g.name for g in self.grid]
        dup = sorted({m for m in names if names.count(m) > 1})
        if dup:
            raise ValueError(f"grid: option name listed twice: {', '.join(dup)}")
        for hall, alts in self.cooling.items():
            if not alts:
                raise ValueError(f"cooling.{hall}: give at least one alternative")
        return self


class Solver(_Model):
    """Optimiser settings (the dispatch of :func:`twin.optimise.optimise_dispatch`)."""

    window_time_limit_s: Annotated[float, Field(gt=0, le=86_400, json_schema_extra={"bound": "a day per window is "
        "longer than any study waits (engineering bound)"}, description=(
        "time budget of each optimiser window [s]; a window cut short keeps its best solution "
        "with its gap and makes the run incomplete"))] = 60.0
    mip_rel_gap: Annotated[float, Field(ge=0, lt=0.1, description="relative MIP gap of each window")] = 1e-3
    relax_lookahead: bool = Field(False, description=(
        "commitment of each rolling window's look-ahead (after the committed hours) as a linear "
        "relaxation: faster on large heterogeneous plants, an approximation of the look-ahead"))
    window_h: Annotated[float, Field(gt=0, le=8_760, description=(
        "length of each rolling optimiser window [h]; its first commit_h hours are kept. Shorter "
        "windows are much faster on large plants of several unit models with N-1 (a 36-h January window "
        "of sk-aws-ulsan-gw takes 32 s, a 24-h one 5 s) but see less of what comes next"),
        json_schema_extra={"bound": "a window longer than a year is the whole period (engineering bound)"})] = 36.0
    commit_h: Annotated[float, Field(gt=0, le=8_760, description=(
        "hours of each rolling window that are kept (the rest is look-ahead) [h]; at most window_h"),
        json_schema_extra={"bound": "a window kept longer than a year is the whole period (engineering bound)"})] = 24.0

    @model_validator(mode="after")
    def _commit_within_window(self):
        if self.commit_h > self.window_h:
            raise ValueError(f"commit_h {self.commit_h:g} h is longer than window_h {self.window_h:g} h; "
                             "a window cannot keep more hours than it has")
        return self


# ------------------------------------------------------------------------------------ dynamics
class UflsStage(_Model):
    frequency_frac: float = Field(gt=0.8, lt=1.0, description="threshold as a fraction of nominal frequency")
    delay_s: NonNegFloat = Field(0.15, description="time below the threshold before the stage acts [s]")
    shed_frac: Frac = Field(description="share of the campus load at the event that the stage sheds")


def _default_ufls() -> list[UflsStage]:
    """Six stages from 0.98 to 0.96 of nominal (49.0-48.0 Hz at 50 Hz), 7.5 % each, 45 % in all:
    the Continental-Europe scheme of Regulation (EU) 2017/2196, Annex (P); scaled to 60 Hz for Korea
    by fraction of nominal (assumption); 150 ms relay + breaker time: assumption."""
    return [UflsStage(frequency_frac=f, delay_s=0.15, shed_frac=0.075)
            for f in (0.98, 0.976, 0.972, 0.968, 0.964, 0.96)]


class Dynamics(_Model):
    """Settings of event studies (``twin event``): protection, battery response, UPS, cooling restart."""

    ufls: list[UflsStage] = Field(default_factory=_default_ufls, description="under-frequency load shedding stages")
    shed_order: list[str] | None = Field(None, description="halls in the order UFLS sheds them (default: last hall first)")
    load_damping_it: NonNegFloat = Field(0.0, le=5, description="IT load damping [pu/pu]; power-electronic supplies draw constant power (assumption)", json_schema_extra={"bound": "a load damping above 5 pu/pu is far beyond any measured load (Kundur: 1-2) (engineering bound)"})
    load_damping_cooling: NonNegFloat = Field(2.0, le=5, description="motor load damping [pu/pu]; Kundur (1994) sec. 11.1: 1-2 typical, motors about 2 (P)", json_schema_extra={"bound": "a load damping above 5 pu/pu is far beyond any measured load (Kundur: 1-2) (engineering bound)"})
    battery_ffr: bool = Field(True, description="the battery gives fast frequency response")
    battery_grid_forming: bool = Field(False, description="the battery's inverters can hold the bus alone when no machine "
                                                         "or grid feed does (grid-forming control); default: grid-following (assumption)")
    battery_deadband_hz: NonNegFloat = Field(0.015, le=0.5, description="National Grid ESO Dynamic Containment dead band (S)")
    battery_full_response_hz: PosFloat = Field(0.5, le=5, description="deviation of full battery output; Dynamic Containment 0.5 Hz (S)", json_schema_extra={"bound": "full output at more than 5 Hz off nominal is no frequency response at all (engineering bound)"})
    battery_delay_s: NonNegFloat = Field(0.2, le=5, description="detection + control delay (assumption; Dynamic Containment allows up to 0.5 s, S, which on a small island with full output at 0.5 Hz makes a limit cycle)", json_schema_extra={"bound": "a response later than 5 s misses the frequency nadir of any campus bus (engineering bound)"})
    battery_lag_s: PosFloat = Field(0.1, le=5, description="inverter power lag (assumption; full delivery within 1 s, S)", json_schema_extra={"bound": "an inverter lag above 5 s is no fast frequency response (engineering bound)"})
    ups_autonomy_min: NonNegFloat = Field(5.0, le=120, description="UPS battery autonomy at the IT load (assumption: 5-10 min is usual design)", json_schema_extra={"bound": "UPS batteries are sized for minutes; 2 h is a backup plant, not a UPS (engineering bound)"})
    ups_input_min_frac: Frac = Field(0.9, description="UPS transfers the IT load to its battery below this fraction of nominal frequency (assumption: +/-10 % input window)")
    grid_trip_frac: PosFloat = Field(1.5, le=10, description="grid feeder protection pick-up as a multiple of capacity_mw (assumption)", json_schema_extra={"bound": "a feeder relay set above 10 times the rating protects nothing (engineering bound)"})
    grid_trip_delay_s: NonNegFloat = Field(0.5, le=60, description="grid feeder protection delay (assumption)", json_schema_extra={"bound": "feeder protection clears within seconds; 60 s is no protection (engineering bound)"})
    chiller_restart_min: NonNegFloat = Field(3.0, le=120, description="chiller restart after a trip; 2-3 min after a power outage, Opengate/Active Power (2007) (S)", json_schema_extra={"bound": "chillers restart in minutes; 2 h is an outage, not a restart (engineering bound)"})
    air_class: Literal["A1", "A2", "A3", "A4", "H1"] = Field("A2", description="ASHRAE TC 9.9 allowable class of air-cooled IT (A2 for hyperscale and air-cooled AI, LBNL-2001637 Table 4.3, P)")
    throttle_band_k: PosFloat = Field(2.0, le=20, description="GPUs throttle linearly over this band below the limit (assumption)", json_schema_extra={"bound": "a throttling band wider than 20 K starts throttling in a normally cooled hall (engineering bound)"})

    @model_validator(mode="after")
    def _ufls_total(self):
        total = sum(st.shed_frac for st in self.ufls)
        if total > 1.0 + 1e-9:
            raise ValueError(f"ufls stages shed {total:g} of the load in all; at most 1")
        return self


# ------------------------------------------------------------------------ training power swings
class SwingJob(_Model):
    """The synchronous training job whose power swings are studied (``twin swing``)."""
    iteration_s: PosFloat = Field(2.0, description="iteration period [s]; 'every second or two' (Uptime "
                                  "Institute 2025, S), dominant 0.2-3 Hz (Choukse et al. 2025 via summaries, W)")
    compute_frac: Frac | None = Field(None, description="share of the iteration computing; default: the one that "
                                      "makes the iteration's mean equal the hall's training utilisation")
    comm_util_frac: Frac = Field(0.1, description="utilisation in the communication phase (near idle: assumption)")
    sync_frac: Frac = Field(1.0, description="share of the hall's training racks in one synchronous job")
    jitter_s: NonNegFloat = Field(0.02, description="spread (standard deviation) of the racks' phase offsets [s] "
                                  "(assumption)")
    checkpoint_interval_s: PosFloat | None = Field(1800.0, description="checkpoint period [s] (assumption)")
    checkpoint_s: NonNegFloat = Field(20.0, description="checkpoint pause at communication power [s] (assumption)")
    start_ramp_s: NonNegFloat = Field(5.0, description="ramp of a job start or restart [s] (assumption)")
    failure_at_s: NonNegFloat | None = Field(None, description="a failure this long into the study [s]; "
                                             "default: half-way through")
    restart_s: NonNegFloat = Field(120.0, description="time from a failure to the restart [s] (assumption)")
    duty_frac: Frac = Field(0.9, description="share of the year the job trains (for floor energy per year; "
                            "assumption)")


class SwingBand(_Model):
    lo_hz: NonNegFloat
    hi_hz: PosFloat
    max_amplitude_frac: PosFloat = Field(description="largest spectral line allowed in the band, as a fraction "
                                         "of the mean connection-point power")

    @model_validator(mode="after")
    def _order(self):
        if self.hi_hz <= self.lo_hz:
            raise ValueError(f"hi_hz {self.hi_hz:g} must be above lo_hz {self.lo_hz:g}")
        return self


class SwingLimits(_Model):
    """Limits at the connection point. Defaults are engineering assumptions (no public primary
    figures: reference-data D3); the two bands are those of Choukse et al. (2025)."""
    max_ramp_mw_per_s: PosFloat | None = Field(None, description="default: islanded, what the online units' "
                                               "governor rate limits can follow (gas_unit_dynamics.csv, D); with a "
                                               "grid feed, 10 % of its capacity per second (assumption)")
    ramp_window_s: PosFloat = Field(1.0, description="window over which the ramp is measured [s] (assumption)")
    dynamic_range_frac: PosFloat = Field(0.10, description="largest max-min within range_window_s, as a fraction "
                                         "of the mean connection-point power (assumption)")
    range_window_s: PosFloat = Field(1.0, description="[s] (assumption)")
    bands: list[SwingBand] = Field(default_factory=lambda: [
        SwingBand(lo_hz=0.1, hi_hz=2.0, max_amplitude_frac=0.02),
        SwingBand(lo_hz=2.0, hi_hz=30.0, max_amplitude_frac=0.005)], min_length=1)


class SwingStudy(_Model):
    job: SwingJob = SwingJob()
    limits: SwingLimits = SwingLimits()


class Scenario(_Model):
    name: str = Field(min_length=1, max_length=200)
    description: str = Field("", max_length=20_000)
    site: Site
    period: Period
    halls: list[Hall] = Field(min_length=1)
    electrical: Electrical = Electrical()
    power: Power = Power()
    fuel: Fuel = Fuel()
    economics: Economics = Economics()
    flexibility: Flexibility = Flexibility()
    solver: Solver = Solver()
    dynamics: Dynamics = Dynamics()
    swing: SwingStudy = SwingStudy()
    notes: list[str] = Field(default_factory=list, description="assumptions where public figures stop")
    phases: list[Phase] = Field(default_factory=list, description="build-out stages for twin plan")
    candidates: Candidates | None = Field(None, description="what twin plan may build")

    @field_validator("name")
    @classmethod
    def _not_blank(cls, v):
        if not v.strip():
            raise ValueError("must not be blank (it names the run)")
        return v

    # set by load_scenario: where the file lives (to resolve relative paths) and its text
    _origin: Path | None = None
    _text: str | None = None

    @model_validator(mode="after")
    def _unique_halls(self):
        names = [h.name for h in self.halls]
        dup = sorted({n for n in names if names.count(n) > 1})
        if dup:
            raise ValueError(f"hall names must be unique; repeated: {', '.join(dup)}")
        return self

    @model_validator(mode="after")
    def _fuel_for_gas(self):
        has_gas = any(g.count > 0 for g in self.power.gas_units)
        if has_gas and self.fuel.tank_capacity_t <= 0:
            raise ValueError("gas units need an LNG tank: set fuel.tank_capacity_t > 0")
        return self

    @model_validator(mode="after")
    def _phases(self):
        if not self.phases:
            return self
        from twin import catalog

        halls = {h.name: h for h in self.halls}
        prev_it: dict[str, float] = {}
        prev = None
        for i, ph in enumerate(self.phases):
            if prev is not None and ph.start <= prev.start:
                raise ValueError(f"phases[{i}].start: {ph.start.date()} is not after phase "
                                 f"{prev.name!r} ({prev.start.date()}); phases must be in time order")
            for hn, ph_h in ph.halls.items():
                if hn not in halls:
                    raise ValueError(f"phases[{i}].halls.{hn}: unknown hall; halls: {', '.join(halls)}")
            for hn, it_prev in prev_it.items():
                ph_h = ph.halls.get(hn)
                it = 0.0 if ph_h is None else ph_h.racks * catalog.lookup(
                    "racks", ph_h.rack_model or halls[hn].rack_model)["rack_kw_max"] / 1000.0
                if it < it_prev - 1e-9:
                    raise ValueError(f"phases[{i}].halls.{hn}: IT falls from {it_prev:g} MW to {it:g} MW; "
                                     "a phase may add or grow halls, never shrink them")
            prev_it = {hn: h.racks * catalog.lookup("racks", h.rack_model or halls[hn].rack_model)["rack_kw_max"]
                       / 1000.0 for hn, h in ph.halls.items()}
            prev = ph
        if self.candidates is not None:
            for hn in self.candidates.cooling:
                if hn not in halls:
                    raise ValueError(f"candidates.cooling.{hn}: unknown hall; halls: {', '.join(halls)}")
        return self

    def data(self, **kw) -> dict:
        """``model_dump(mode="json", **kw)`` that parses again: the year-keyed price paths keep
        their integer years (JSON mode turns dict keys into strings, which the strict schema
        refuses).  What ``--step``, sweeps and plans edit and parse back."""
        data = self.model_dump(mode="json", **kw)
        e = data.get("economics")
        if e is not None:
            if "lng_price_paths_usd_per_mmbtu" in e:
                e["lng_price_paths_usd_per_mmbtu"] = {
                    name: {int(y): v for y, v in path.items()}
                    for name, path in (e["lng_price_paths_usd_per_mmbtu"] or {}).items()}
            if "carbon_price_path_usd_per_t" in e:
                e["carbon_price_path_usd_per_t"] = {int(y): v for y, v in (e["carbon_price_path_usd_per_t"] or {}).items()}
        return data

    def text(self) -> str:
        """The scenario as YAML (the file's own text when loaded from a file)."""
        if self._text is not None:
            return self._text
        return yaml.safe_dump(self.data(), sort_keys=False)

    def hash(self) -> str:
        """Hash of the validated content (not of formatting)."""
        canon = yaml.safe_dump(self.model_dump(mode="json"), sort_keys=True)
        return hashlib.sha256(canon.encode()).hexdigest()[:16]


# ------------------------------------------------------------------------------------- loading
def _fmt_loc(loc: tuple[Any, ...]) -> str:
    parts: list[str] = []
    for p in loc:
        if isinstance(p, int):
            parts.append(f"[{p}]")
        elif p in ("air", "immersion", "direct_to_chip") and parts and parts[-1].endswith("cooling"):
            continue  # discriminator tag in the path adds nothing for the reader
        elif str(p).startswith("function-"):
            continue
        else:
            parts.append(("." if parts else "") + str(p))
    return "".join(parts) or "(top level)"


_TAGS = {"air": AirCooling, "immersion": ImmersionCooling, "direct_to_chip": DirectToChipCooling}


def _models_in(annotation: Any) -> list[type[BaseModel]]:
    """The pydantic models an annotation can hold (through ``list``, ``dict``, ``| None``, ``Annotated``)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    out: list[type[BaseModel]] = []
    origin = typing.get_origin(annotation)
    if origin is not None or isinstance(annotation, types.UnionType):
        for arg in typing.get_args(annotation):
            out.extend(_models_in(arg))
    return out


def _field_of(loc: tuple[Any, ...]):
    """The pydantic ``FieldInfo`` an error location points at (None if it does not name a field)."""
    models: list[type[BaseModel]] = [Scenario]
    field = None
    for part in loc:
        if isinstance(part, int):
            continue
        if part in _TAGS:
            models = [_TAGS[part]]
            continue
        hit = next((m for m in models if part in m.model_fields), None)
        if hit is None:
            return None
        field = hit.model_fields[part]
        models = _models_in(field.annotation)
    return field


_BOUND_TYPES = ("less_than_equal", "less_than", "greater_than_equal", "greater_than", "too_long")


def _format_errors(err: ValidationError, data: Any) -> list[str]:
    lines = []
    for e in err.errors(include_url=False):
        loc = _fmt_loc(e["loc"])
        msg = e["msg"]
        for prefix in ("Value error, ", "Assertion failed, "):
            if msg.startswith(prefix):
                msg = msg[len(prefix):]
        val = e.get("input")
        if e["type"] == "extra_forbidden":
            msg = "unknown key (check the spelling)"
        if e["type"] == "missing":
            lines.append(f"{loc}: missing — required")
            continue
        if e["type"] in ("int_type", "float_type", "bool_type", "string_type") and isinstance(
                val, bool | str | float | int):
            want = {"int_type": "an integer", "float_type": "a number", "bool_type": "true or false",
                    "string_type": "text"}[e["type"]]
            msg = f"must be {want} (the schema is strict: no {type(val).__name__} is converted)"
        if e["type"] == "finite_number":
            msg = "must be a finite number (not NaN or infinity)"
        if e["type"] in _BOUND_TYPES:
            field = _field_of(tuple(e["loc"]))
            extra = getattr(field, "json_schema_extra", None)
            if isinstance(extra, dict) and extra.get("bound"):
                msg = f"{msg}: {extra['bound']}"
        if isinstance(val, dict | list):
            lines.append(f"{loc}: {msg}")
        else:
            shown = str(val) if isinstance(val, datetime.date) else repr(val)
            lines.append(f"{loc}: {shown if len(shown) <= 80 else shown[:77] + '...'} — {msg}")
    return lines


def parse_scenario(data: Any, *, source: str = "scenario", origin: Path | None = None,
                   text: str | None = None) -> Scenario:
    """Validate a mapping as a :class:`Scenario`; raise :class:`ScenarioError` on problems."""
    if not isinstance(data, dict):
        raise ScenarioError([f"{source}: the file must hold a mapping of keys (name, site, period, halls, ...)"])
    try:
        sc = Scenario.model_validate(data)
    except ValidationError as err:
        raise ScenarioError(_format_errors(err, data), source) from None
    sc._origin = origin
    sc._text = text
    if sc.site.weather.source == "epw":
        p = Path(sc.site.weather.path)
        if not p.is_absolute() and origin is not None:
            p = (origin.parent / p).resolve()
        if not p.is_file():
            raise ScenarioError([f"site.weather.path: {sc.site.weather.path!r} — no such EPW file"], source)
        sc.site.weather.path = str(p)
    return sc


def preset_names() -> list[str]:
    """The names of the scenario presets (file stems in ``datasets/scenarios``), sorted."""
    return sorted(p.stem for p in SCENARIO_DIR.glob("*.yaml"))


def resolve_path(name_or_path: str | Path) -> Path:
    """A scenario file path, or the name of a preset in ``datasets/scenarios``."""
    p = Path(name_or_path)
    if p.is_file():
        return p
    preset = SCENARIO_DIR / f"{name_or_path}.yaml"
    if preset.is_file():
        return preset
    raise ScenarioError([f"scenario: {str(name_or_path)!r} — no such file and no preset of that name; "
                         f"presets: {', '.join(preset_names())}"])


class _Refused(yaml.YAMLError):
    """A YAML file refused by :class:`_StrictLoader` (``line`` is 1-based)."""

    def __init__(self, line: int, message: str):
        self.line, self.message = line, message
        super().__init__(message)


class _StrictLoader(yaml.SafeLoader):
    """PyYAML's safe loader that refuses duplicate keys and nesting deeper than :data:`MAX_YAML_DEPTH`,
    and reads ``1e3`` as a number (YAML 1.2) rather than as text (YAML 1.1)."""

    _depth = 0

    def compose_node(self, parent, index):  # noqa: D102 - PyYAML hook
        self._depth += 1
        try:
            if self._depth > MAX_YAML_DEPTH:
                mark = self.peek_event().start_mark
                raise _Refused(mark.line + 1, f"nested more than {MAX_YAML_DEPTH} levels deep (a scenario "
                                              "needs 5)")
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def construct_mapping(self, node, deep=False):  # noqa: D102 - PyYAML hook
        seen: dict[Any, int] = {}
        for key_node, _ in node.value:
            try:
                key = self.construct_object(key_node, deep=True)
                hash(key)
            except TypeError:
                continue  # PyYAML reports unhashable keys itself
            line = key_node.start_mark.line + 1
            if key in seen:
                raise _Refused(line, f"key {key!r} given twice (first on line {seen[key]}); the second "
                                     "would silently replace the first")
            seen[key] = line
        return super().construct_mapping(node, deep=deep)


_StrictLoader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    __import__("re").compile(r"^[-+]?(?:[0-9][0-9_]*)(?:\.[0-9_]*)?[eE][-+]?[0-9]+$"),
    list("-+0123456789"))


def read_text_file(path: str | Path, what: str = "file") -> str:
    """The text of a small input file, or one clear line why it is not text.

    UTF-8 is read (a leading byte-order mark of UTF-8, UTF-16 or UTF-32 selects that encoding);
    any other bytes are refused rather than guessed, as are NUL bytes and files larger than
    :data:`MAX_FILE_BYTES`.

    Parameters
    ----------
    path : str or path-like
        The file.
    what : str
        What the file is, for the message ("scenario file", "sweep file" ...).

    Returns
    -------
    str
        The decoded text.

    Raises
    ------
    ScenarioError
        The file cannot be read, is too large, binary or not in a Unicode encoding.
    """
    import codecs

    p = Path(path)
    try:
        size = p.stat().st_size
        if size > MAX_FILE_BYTES:
            raise ScenarioError([f"{p}: {size:,} bytes — a {what} is at most {MAX_FILE_BYTES:,} bytes"], str(p))
        raw = p.read_bytes()
    except OSError as e:
        raise ScenarioError([f"{p}: cannot read the {what} ({e.strerror or e})"], str(p)) from None
    for bom, enc in ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"), (codecs.BOM_UTF8, "utf-8-sig"),
                     (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if raw.startswith(bom):
            break
    else:
        enc = "utf-8"
        if b"\x00" in raw:
            raise ScenarioError([f"{p}: a binary file (NUL bytes), not a {what}"], str(p))
    try:
        text = raw.decode(enc)
    except UnicodeDecodeError as e:
        line = raw[: e.start].count(b"\n") + 1
        raise ScenarioError([f"{p}: line {line}: byte 0x{raw[e.start]:02x} is not {enc.upper()} text — save the "
                             f"{what} as UTF-8"], str(p)) from None
    if "\x00" in text:
        raise ScenarioError([f"{p}: a binary file (NUL bytes), not a {what}"], str(p))
    return text


def load_scenario(path: str | Path) -> Scenario:
    """Read and validate a scenario YAML file (or a preset name)."""
    p = resolve_path(path)
    text = read_text_file(p, "scenario file")
    return loads_scenario(text, source=str(p), origin=p)


def load_yaml_text(text: str, *, source: str = "scenario") -> Any:
    """Parse YAML text with the strict loader (no duplicate keys, bounded depth and size).

    Raises
    ------
    ScenarioError
        One line naming ``source``, the line and the problem.
    """
    if len(text) > MAX_FILE_BYTES:
        raise ScenarioError([f"{source}: {len(text):,} characters — a scenario is at most {MAX_FILE_BYTES:,}"],
                            source)
    if "\x00" in text:
        raise ScenarioError([f"{source}: NUL characters — binary data, not a scenario"], source)
    try:
        data = yaml.load(text, Loader=_StrictLoader)  # noqa: S506 - a SafeLoader subclass
    except _Refused as e:
        raise ScenarioError([f"{source}: line {e.line}: {e.message}"], source) from None
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        where = f" line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(e, "problem", None) or str(e).splitlines()[0]
        raise ScenarioError([f"{source}:{where}: not valid YAML — {problem}"], source) from None
    except RecursionError:
        raise ScenarioError([f"{source}: not valid YAML — nested too deep"], source) from None
    return data


def loads_scenario(text: str, *, source: str = "scenario", origin: Path | None = None) -> Scenario:
    """Validate scenario YAML text.

    Parameters
    ----------
    text : str
        The YAML.
    source : str
        What the text is (a file path), for the messages.
    origin : pathlib.Path, optional
        The file it came from (relative EPW paths are resolved against it).

    Returns
    -------
    Scenario

    Raises
    ------
    ScenarioError
        One line per problem.
    """
    data = load_yaml_text(text, source=source)
    return parse_scenario(data, source=source, origin=origin, text=text)
