"""Scenario files: YAML validated by pydantic, catalogue names resolved.

A scenario names a site and its weather, a period and step, the data halls (racks, workload,
cooling), the electrical chain, the power side (gas units, grid, solar, battery), fuel and
economics.  Unknown keys are rejected.  Every problem is reported as one line naming the field
path, the value and why (:class:`ScenarioError`), which the CLI prints with exit code 2.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Annotated, Any, Literal

import pandas as pd
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from twin.paths import DATASETS_DIR

SCENARIO_DIR = DATASETS_DIR / "scenarios"

PosFloat = Annotated[float, Field(gt=0)]
NonNegFloat = Annotated[float, Field(ge=0)]
Frac = Annotated[float, Field(ge=0, le=1)]


class ScenarioError(ValueError):
    """Bad scenario input; ``problems`` holds one line per problem."""

    def __init__(self, problems: list[str], source: str = "scenario"):
        self.problems = problems
        self.source = source
        super().__init__("\n".join(problems))


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
    model_config = ConfigDict(extra="forbid", frozen=False)


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
    name: str
    country: Literal["VN", "KR"]
    latitude: float = Field(ge=-90, le=90)
    longitude: float = Field(ge=-180, le=180)
    utc_offset_h: float = Field(ge=-12, le=14)
    weather: Weather


class Period(_Model):
    start: pd.Timestamp
    end: pd.Timestamp
    step: str = "1h"

    model_config = ConfigDict(extra="forbid", arbitrary_types_allowed=True)

    @field_validator("start", "end", mode="before")
    @classmethod
    def _ts(cls, v):
        try:
            return pd.Timestamp(str(v))
        except Exception as e:  # noqa: BLE001 - any parse failure is bad input
            raise ValueError(f"not a date/time ({e})") from None

    @field_validator("step")
    @classmethod
    def _step(cls, v):
        try:
            td = pd.Timedelta(v)
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


class AirCooling(_Model):
    type: Literal["air"] = "air"
    chiller_model: str = "doe2-centrifugal-5mw"
    chillers: int = Field(ge=1, description="installed chillers (incl. redundancy)")
    tower_model: str = "tower-4k-approach"
    air_handler_model: str = "crah-standard"
    thermal_storage_mwh_th: NonNegFloat = 0.0
    thermal_storage_mw_th: NonNegFloat = 0.0

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
        None, description="installed heat rejection at design; default = IT capacity x 1.1")

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
    chiller_model: str = "doe2-centrifugal-5mw"
    chillers: int = Field(2, ge=1)
    air_handler_model: str = "crah-standard"
    thermal_storage_mwh_th: NonNegFloat = 0.0
    thermal_storage_mw_th: NonNegFloat = 0.0

    _c5 = field_validator("chiller_model")(_catalog_check("chillers", "chiller model"))
    _c6 = field_validator("air_handler_model")(_catalog_check("air_handlers", "air handler model"))


Cooling = Annotated[AirCooling | ImmersionCooling | DirectToChipCooling, Field(discriminator="type")]


class Hall(_Model):
    name: str
    rack_model: str
    racks: int = Field(gt=0)
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
    count: int = Field(ge=0)
    initial_on: int | None = Field(None, ge=0, description="units running at the start (default: all)")

    _c = field_validator("model")(_catalog_check("gas_units", "gas unit model"))


class Grid(_Model):
    capacity_mw: NonNegFloat = 0.0
    tariff: str | None = None
    co2_t_per_mwh: NonNegFloat | None = None
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
        return self


class Solar(_Model):
    capacity_mwp: NonNegFloat = 0.0
    tilt_deg: float | None = Field(None, ge=0, le=90)
    azimuth_deg: float = Field(180.0, ge=0, lt=360)
    dc_ac_ratio: PosFloat = 1.2


class Battery(_Model):
    power_mw: NonNegFloat = 0.0
    energy_mwh: NonNegFloat = 0.0
    model: str = "li-ion-dea-vn-2020"
    initial_soc_frac: Frac = 0.5
    peak_shave_threshold_mw: NonNegFloat | None = Field(
        None, description="baseline dispatch discharges above this grid import; default: 90% of the grid capacity")

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
    lng_price_usd_per_mmbtu: NonNegFloat = 11.0
    tank_capacity_t: NonNegFloat = 0.0
    initial_level_frac: Frac = 0.6
    min_level_frac: Frac = 0.05
    delivery_t: NonNegFloat = 0.0
    delivery_interval_days: PosFloat = 7.0
    boil_off_frac_per_day: Annotated[float, Field(ge=0, le=0.01)] = 0.0008


YearPath = dict[int, NonNegFloat]


class Economics(_Model):
    carbon_price_usd_per_t: NonNegFloat = 0.0
    co2_cap_t: NonNegFloat | None = None
    water_price_usd_per_m3: NonNegFloat = 1.0
    voll_usd_per_mwh: PosFloat = 10_000.0
    reserve_shortfall_usd_per_mwh: PosFloat = 2_000.0
    cooling_deficit_usd_per_mwh: PosFloat = 5_000.0
    fx_per_usd: dict[str, PosFloat] = Field(default_factory=dict, description="overrides, e.g. {VND: 25400}")
    # --- planning (twin.plan) ---
    discount_rate_frac: Annotated[float, Field(ge=0, lt=1)] = Field(
        0.07, description="real discount rate for the plan's net present value [1/yr]")
    horizon_years: Annotated[int, Field(gt=0, le=60)] = Field(
        20, description="years from the first phase's start over which the plan's NPV is counted")
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
    start: pd.Timestamp
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
    max_count: int = Field(ge=0, description="most units of this model that may be built in total")

    _c = field_validator("model")(_catalog_check("gas_units", "gas unit model"))


class BatteryCandidate(_Model):
    power_mw: tuple[NonNegFloat, NonNegFloat] = (0.0, 0.0)
    energy_mwh: tuple[NonNegFloat, NonNegFloat] = (0.0, 0.0)
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
    capacity_mwp: tuple[NonNegFloat, NonNegFloat] = (0.0, 0.0)

    @model_validator(mode="after")
    def _range(self):
        lo, hi = self.capacity_mwp
        if lo > hi:
            raise ValueError(f"capacity_mwp: range [{lo:g}, {hi:g}] has min above max")
        return self


class GridOption(_Model):
    name: str
    capacity_mw: PosFloat
    circuits: int = Field(1, ge=1)
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

    decision_date: pd.Timestamp | None = Field(None, description="when the plan is decided (grid lead times "
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

    window_time_limit_s: Annotated[float, Field(gt=0, le=86_400, description=(
        "time budget of each optimiser window [s]; a window cut short keeps its best solution "
        "with its gap and makes the run incomplete"))] = 60.0
    mip_rel_gap: Annotated[float, Field(ge=0, lt=0.1, description="relative MIP gap of each window")] = 1e-3
    relax_lookahead: bool = Field(False, description=(
        "commitment of each rolling window's look-ahead (after the committed hours) as a linear "
        "relaxation: faster on large heterogeneous plants, an approximation of the look-ahead"))


class Scenario(_Model):
    name: str
    description: str = ""
    site: Site
    period: Period
    halls: list[Hall] = Field(min_length=1)
    electrical: Electrical = Electrical()
    power: Power = Power()
    fuel: Fuel = Fuel()
    economics: Economics = Economics()
    flexibility: Flexibility = Flexibility()
    solver: Solver = Solver()
    notes: list[str] = Field(default_factory=list, description="assumptions where public figures stop")
    phases: list[Phase] = Field(default_factory=list, description="build-out stages for twin plan")
    candidates: Candidates | None = Field(None, description="what twin plan may build")

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

    def text(self) -> str:
        """The scenario as YAML (the file's own text when loaded from a file)."""
        if self._text is not None:
            return self._text
        return yaml.safe_dump(self.model_dump(mode="json"), sort_keys=False)

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


def _format_errors(err: ValidationError, data: Any) -> list[str]:
    lines = []
    for e in err.errors(include_url=False):
        loc = _fmt_loc(e["loc"])
        msg = e["msg"]
        for prefix in ("Value error, ", "Assertion failed, "):
            if msg.startswith(prefix):
                msg = msg[len(prefix):]
        if e["type"] == "extra_forbidden":
            msg = "unknown key (check the spelling)"
        if e["type"] == "missing":
            lines.append(f"{loc}: missing — required")
            continue
        val = e.get("input")
        if isinstance(val, dict | list):
            lines.append(f"{loc}: {msg}")
        else:
            lines.append(f"{loc}: {val!r} — {msg}")
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


def load_scenario(path: str | Path) -> Scenario:
    """Read and validate a scenario YAML file (or a preset name)."""
    p = resolve_path(path)
    text = p.read_text(encoding="utf-8")
    return loads_scenario(text, source=str(p), origin=p)


def loads_scenario(text: str, *, source: str = "scenario", origin: Path | None = None) -> Scenario:
    """Validate scenario YAML text."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        where = f" line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(e, "problem", None) or str(e).splitlines()[0]
        raise ScenarioError([f"{source}:{where}: not valid YAML — {problem}"]) from None
    return parse_scenario(data, source=source, origin=origin, text=text)
