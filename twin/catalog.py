"""The equipment catalogue and the grid tariffs, read from ``datasets/``.

Each catalogue table is a CSV in ``datasets/catalog/`` with one row per model, a unique
lower-case ``name`` and a ``source`` on every row (the original publication with a quality
flag, or "assumption: ..."). Tables are validated when first read and cached:

>>> from twin import catalog
>>> catalog.lookup("gas_units", "sgt-800")["rated_mw"]
50.5

Tariffs are YAML files in ``datasets/tariffs/`` (validated by :func:`models.grid.validate_tariff`);
reference exchange rates are in ``datasets/tariffs/fx.yaml``.
"""

from __future__ import annotations

import copy
import functools
import math
import re
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from models.grid import validate_tariff
from twin.paths import DATASETS_DIR as _DATASETS

CATALOG_DIR = _DATASETS / "catalog"
TARIFF_DIR = _DATASETS / "tariffs"
FX_FILE = TARIFF_DIR / "fx.yaml"

#: catalogue kinds (file stems of datasets/catalog/*.csv)
TABLES = (
    "gas_units", "accelerators", "racks", "chillers", "cooling_towers", "air_handlers",
    "dry_coolers", "immersion_tanks", "fluids", "batteries", "ups", "transformers",
    "technology_costs",
)

# required columns per table; (text columns, numeric columns, boolean columns)
_SCHEMA: dict[str, tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]] = {
    "gas_units": (("kind",), (
        "rated_mw", "eff_full_lhv", "min_load_frac", "ramp_frac_per_min", "min_up_h",
        "min_down_h", "start_cost_hot_usd_per_mw", "start_cost_warm_usd_per_mw",
        "start_cost_cold_usd_per_mw", "hot_start_max_offline_h", "warm_start_max_offline_h",
        "start_time_h", "derate_frac_per_k", "heat_rate_frac_per_k", "heat_rate_frac_per_k_below_iso",
        "vom_usd_per_mwh",
        "fom_usd_per_mw_yr", "forced_outage_frac"), ()),
    "accelerators": (("vendor",), ("tdp_w", "idle_frac", "memory_gb"), ()),
    "racks": (("accelerator",), (
        "accelerators_per_rack", "rack_kw_max", "idle_frac", "liquid_heat_frac",
        "air_cooling_max_kw"), ()),
    "chillers": (("kind",), (
        "capacity_mw_th", "cop_ref", "t_chw_ref_c", "t_cond_ref_c", "min_plr"), ()),
    "cooling_towers": ((), (
        "approach_k", "fan_kw_per_kw", "cycles_of_concentration", "drift_frac"), ()),
    "air_handlers": ((), (
        "crah_fan_kw_per_kw", "chw_pump_kw_per_kw", "cw_pump_kw_per_kw", "hx_approach_k",
        "t_chw_supply_c", "t_chw_return_c"), ()),
    "dry_coolers": ((), (
        "design_approach_k", "design_t_drybulb_c", "fan_kw_per_kw_design", "adiabatic_effectiveness",
        "adiabatic_switch_on_c", "design_air_rise_k"), ("adiabatic",)),
    "immersion_tanks": (("fluid",), (
        "t_supply_max_c", "loop_dt_k", "pump_head_kpa", "pump_eff",
        "secondary_pump_kw_per_kw"), ()),
    "fluids": ((), ("density_kg_m3", "cp_j_kg_k", "max_c"), ()),
    "batteries": ((), (
        "rte_ac", "self_discharge_frac_per_day", "cycle_life", "degradation_usd_per_mwh",
        "max_c_rate", "soc_min_frac", "soc_max_frac"), ()),
    "ups": ((), ("eff_full", "eff_quarter", "no_load_loss_frac"), ()),
    "transformers": ((), ("no_load_loss_frac", "load_loss_frac"), ()),
    # capex per unit of size; fom_usd_per_unit_yr is optional (empty for gas units: gas_units.csv has it)
    "technology_costs": (("kind", "unit", "quality"), ("capex_usd_per_unit", "lifetime_yr"), ()),
}

# allowed values of some text columns
_CHOICES = {("gas_units", "kind"): ("ccgt", "gt", "engine"),
            ("technology_costs", "kind"): ("gas_unit", "battery_power", "battery_energy", "solar",
                                          "grid_connection", "cooling"),
            ("technology_costs", "quality"): ("P", "S", "W", "D", "A")}
# references between tables: (table, column) -> table whose names it must use
_REFERENCES = {("racks", "accelerator"): "accelerators", ("immersion_tanks", "fluid"): "fluids"}
# numeric columns that must lie in [0, 1]
_FRACTION = re.compile(r"(_frac$|^eff_|_eff$|^rte_|_share$|^min_plr$)")
_NAME = re.compile(r"^[a-z0-9][a-z0-9.+-]*$")
_TRUE, _FALSE = {"true", "1", "yes"}, {"false", "0", "no"}

# dynamic parameters of the gas units for event studies (twin.events), keyed by gas unit model
TABLES = (*TABLES, "gas_unit_dynamics")
_SCHEMA["gas_unit_dynamics"] = (("q",), (
    "h_s", "power_factor", "droop_frac", "deadband_hz", "t_gov_s", "t_lead_s", "t_lag_s", "steam_frac",
    "t_steam_s", "rate_up_pu_per_s", "rate_down_pu_per_s", "damping_pu", "uf_trip_frac"), ())
_CHOICES[("gas_unit_dynamics", "q")] = ("P", "S", "W", "D", "A")
TABLES = (*TABLES, "cooling_thermal_mass")
_SCHEMA["cooling_thermal_mass"] = (("q",), (
    "loop_l_per_kw", "room_air_m3_per_kw", "coil_approach_k", "capacity_ratio", "recovery_tau_s",
    "limit_margin_k"), ())
_CHOICES[("cooling_thermal_mass", "q")] = ("P", "S", "W", "D", "A")
# power-swing smoothing (twin.swing): storage technologies and GPU-side smoothing per accelerator
TABLES = (*TABLES, "smoothing_storage", "gpu_power_smoothing")
_SCHEMA["smoothing_storage"] = (("kind", "q"), (
    "usd_per_kw", "usd_per_kwh", "cycle_life", "rte", "life_yr", "energy_kwh_per_rack"), ())
_SCHEMA["gpu_power_smoothing"] = (("q",), ("floor_max_frac", "ramp_min_s", "usd_per_gpu_h"), ())
_CHOICES[("smoothing_storage", "kind")] = ("supercapacitor", "battery", "psu_storage")
_CHOICES[("smoothing_storage", "q")] = ("P", "S", "W", "D", "A")
_CHOICES[("gpu_power_smoothing", "q")] = ("P", "S", "W", "D", "A")
_REFERENCES[("gpu_power_smoothing", "name")] = "accelerators"


class CatalogError(ValueError):
    """An unknown table, model or tariff, or a catalogue file that breaks the rules."""


def _unknown(what: str, name, valid) -> CatalogError:
    return CatalogError(f"unknown {what} {name!r}; valid: {', '.join(valid)}")


def _check_kind(kind: str) -> None:
    if kind not in TABLES:
        raise _unknown("catalogue table", kind, TABLES)


def _to_bool(table: str, column: str, values: pd.Series) -> pd.Series:
    out = []
    for name, v in zip(values.index, values):
        s = str(v).strip().lower()
        if s in _TRUE:
            out.append(True)
        elif s in _FALSE:
            out.append(False)
        else:
            raise CatalogError(f"{table}.csv row {name!r}: {column}={v!r} is not true/false")
    return pd.Series(out, index=values.index, dtype=bool)


def _validate(kind: str, df: pd.DataFrame) -> pd.DataFrame:
    text_cols, num_cols, bool_cols = _SCHEMA[kind]
    required = ("name", *text_cols, *num_cols, *bool_cols, "source")
    missing = [c for c in required if c not in df.columns]
    if missing:
        raise CatalogError(f"{kind}.csv: missing required columns {', '.join(missing)}")
    if df.empty:
        raise CatalogError(f"{kind}.csv: has no rows")
    names = df["name"].astype(str).str.strip()
    bad = [n for n in names if not _NAME.match(n)]
    if bad:
        raise CatalogError(f"{kind}.csv: name {bad[0]!r} is not a lower-case slug "
                           "(letters, digits, '.', '+', '-')")
    dup = names[names.duplicated()].tolist()
    if dup:
        raise CatalogError(f"{kind}.csv: name {dup[0]!r} appears more than once")
    df = df.assign(name=names).set_index("name", drop=False)
    src = df["source"].fillna("").astype(str).str.strip()
    empty = src[src == ""].index.tolist()
    if empty:
        raise CatalogError(f"{kind}.csv row {empty[0]!r}: source is empty; every row needs one")
    for col in text_cols:
        vals = df[col].fillna("").astype(str).str.strip()
        if (vals == "").any():
            raise CatalogError(f"{kind}.csv row {vals[vals == ''].index[0]!r}: {col} is empty")
        choices = _CHOICES.get((kind, col))
        if choices:
            wrong = vals[~vals.isin(choices)]
            if not wrong.empty:
                raise CatalogError(f"{kind}.csv row {wrong.index[0]!r}: {col}={wrong.iloc[0]!r}; "
                                   f"valid: {', '.join(choices)}")
        df[col] = vals
    for col in num_cols:
        vals = pd.to_numeric(df[col], errors="coerce")
        bad_rows = vals.index[~np.isfinite(vals.to_numpy(dtype=float))].tolist()
        if bad_rows:
            raise CatalogError(f"{kind}.csv row {bad_rows[0]!r}: {col}="
                               f"{df.loc[bad_rows[0], col]!r} is not a finite number")
        if _FRACTION.search(col):
            out = vals[(vals < 0) | (vals > 1)]
            if not out.empty:
                raise CatalogError(f"{kind}.csv row {out.index[0]!r}: {col}={out.iloc[0]:g} "
                                   "is not a fraction in [0, 1]")
        df[col] = vals.astype(float)
    for col in bool_cols:
        df[col] = _to_bool(kind, col, df[col])
    return df


@functools.lru_cache(maxsize=None)
def _table(kind: str) -> pd.DataFrame:
    _check_kind(kind)
    path = CATALOG_DIR / f"{kind}.csv"
    df = pd.read_csv(path, comment="#", skipinitialspace=True, dtype={"source": str})
    df = _validate(kind, df)
    for (table, col), target in _REFERENCES.items():
        if table == kind:
            valid = set(_table(target).index)
            wrong = df[~df[col].isin(valid)]
            if not wrong.empty:
                raise CatalogError(
                    f"{kind}.csv row {wrong.index[0]!r}: {col}={wrong[col].iloc[0]!r} is not a "
                    f"{target} name; valid: {', '.join(sorted(valid))}")
    return df


def load_table(kind: str) -> pd.DataFrame:
    """One catalogue table, validated (cached; a copy is returned).

    Parameters
    ----------
    kind : str
        Table name, one of :data:`TABLES` (the file stem, e.g. ``"gas_units"``).

    Returns
    -------
    pandas.DataFrame
        One row per model, indexed by ``name`` (also kept as a column).

    Raises
    ------
    CatalogError
        Unknown ``kind``, or a file that breaks the rules (missing column, empty source,
        duplicate or badly formed name, a non-numeric value in a numeric column, a fraction
        outside [0, 1], a reference to an unknown accelerator or fluid).
    """
    return _table(kind).copy()


def names(kind: str) -> list[str]:
    """Model names of one catalogue table, in file order."""
    return list(_table(kind).index)


def _python(v):
    if isinstance(v, np.generic):
        v = v.item()
    if isinstance(v, float) and math.isnan(v):
        return None
    return v


def lookup(kind: str, name: str) -> dict:
    """One model's row as a dict of plain Python scalars.

    Parameters
    ----------
    kind : str
        Table name, one of :data:`TABLES`.
    name : str
        Model name (the ``name`` column).

    Returns
    -------
    dict
        Column -> value (``float``, ``str``, ``bool``; an empty optional cell is ``None``).

    Raises
    ------
    CatalogError
        Unknown table or model; the one-line message lists the valid names, e.g.
        ``unknown gas_units model 'sgt800'; valid: sgt-800, lm6000, ...``.
    """
    df = _table(kind)
    if name not in df.index:
        raise _unknown(f"{kind} model", name, df.index)
    return {k: _python(v) for k, v in df.loc[name].items()}


# ------------------------------------------------------------------------------------ tariffs
def tariff_names() -> list[str]:
    """Names of the bundled tariffs (the YAML file stems, ``fx`` excluded), sorted."""
    return sorted(p.stem for p in TARIFF_DIR.glob("*.yaml") if p.stem != FX_FILE.stem)


@functools.lru_cache(maxsize=None)
def _tariff(name: str) -> dict:
    valid = tariff_names()
    if name not in valid:
        raise _unknown("tariff", name, valid)
    path = TARIFF_DIR / f"{name}.yaml"
    with path.open(encoding="utf-8") as fh:
        raw = yaml.safe_load(fh)
    if not isinstance(raw, dict):
        raise CatalogError(f"{path.name}: is not a YAML mapping")
    if raw.get("name") != name:
        raise CatalogError(f"{path.name}: name={raw.get('name')!r} does not match the file "
                           f"name {name!r}")
    return validate_tariff(raw)


def load_tariff(name: str) -> dict:
    """A bundled grid tariff, validated (a fresh copy on every call).

    Parameters
    ----------
    name : str
        Tariff name, one of :func:`tariff_names` (e.g. ``"evn-manufacturing-110kv"``).

    Returns
    -------
    dict
        The tariff as described in :func:`models.grid.validate_tariff`; pass it to
        :func:`models.grid.tariff_prices` and :func:`models.grid.demand_charge_usd`.

    Raises
    ------
    CatalogError
        Unknown name (the message lists the valid ones) or an invalid file.
    """
    return copy.deepcopy(_tariff(name))


@functools.lru_cache(maxsize=1)
def _fx() -> dict:
    with FX_FILE.open(encoding="utf-8") as fh:
        raw = yaml.safe_load(fh)
    rates = raw.get("fx_per_usd") if isinstance(raw, dict) else None
    if not isinstance(rates, dict) or not rates:
        raise CatalogError(f"{FX_FILE.name}: needs a mapping 'fx_per_usd' of currency -> rate")
    out = {}
    for cur, entry in rates.items():
        value = entry.get("value") if isinstance(entry, dict) else entry
        try:
            v = float(value)
        except (TypeError, ValueError):
            v = float("nan")
        if not (math.isfinite(v) and v > 0):
            raise CatalogError(f"{FX_FILE.name}: fx_per_usd.{cur}={value!r} must be a positive "
                               "number")
        if isinstance(entry, dict) and not str(entry.get("source", "")).strip():
            raise CatalogError(f"{FX_FILE.name}: fx_per_usd.{cur} has no source")
        out[str(cur)] = v
    return out


def load_fx() -> dict[str, float]:
    """Reference exchange rates, currency units per USD (``{"VND": ..., "KRW": ..., "USD": 1.0}``).

    These are reference values with dated sources in ``datasets/tariffs/fx.yaml``; a scenario
    may override them. Models never read them: callers pass ``fx_per_usd`` explicitly.
    """
    return dict(_fx())
