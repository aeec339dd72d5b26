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
from pydantic import (BaseModel, ConfigDict, Field, ValidationError, WithJsonSchema, field_validator,
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
    chiller_model: str = "doe2-centrifugal-5mw"
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
    chiller_model: str = "doe2-centrifugal-5mw"
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
        return self


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
    tank_capacity_t: float = _bounded(0.0, ge=0, le=5_000_000, why="5 Mt is more LNG than the largest import "
                                                                   "terminals store (engineering bound)")
    initial_level_frac: Frac = 0.6
    min_level_frac: Frac = 0.05
    delivery_t: float = _bounded(0.0, ge=0, le=1_000_000, why="the largest carrier (Q-Max, 266,000 m3) holds "
                                                              "~120,000 t (engineering bound)")
    delivery_interval_days: float = _bounded(7.0, ge=0.25, le=366, why="between one cargo every 6 h and one a "
                                                                      "year (engineering bound)")
    boil_off_frac_per_day: Annotated[float, Field(ge=0, le=0.01)] = 0.0008


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


class Flexibility(_Model):
    training_shift_frac: Frac = 0.0
    window_h: Annotated[float, Field(gt=0, le=168)] = 24.0


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
    notes: list[str] = Field(default_factory=list, description="assumptions where public figures stop")

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
