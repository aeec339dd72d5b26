"""Data out: a stored run as a table an engineer can take away (CSV, Parquet, Excel).

``twin export RUN --format csv|parquet|xlsx [-o PATH]`` writes the run's time series — one column
per variable (and per unit / hall / source / cost item for the variables that have one), the
unit in every column name from the registry (:mod:`twin.variables`): ``facility_power_mw [MW]``,
``supply_mw[grid] [MW]`` — with the time axis labelled with the site's UTC offset
(``time (local, UTC+07:00)``), plus the run's KPIs (:mod:`twin.kpi`, as in ``summary.json``)
and its scalar parameters.

- ``xlsx``: one workbook, sheets ``series``, ``kpis`` and ``parameters``.
- ``csv`` / ``parquet``: ``PATH`` holds the series; ``PATH``'s stem + ``-kpis`` and
  ``-parameters`` hold the others (same format).

:func:`read_export` reads any of them back into ``(series DataFrame, {column: unit})``.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

FORMATS = ("csv", "parquet", "xlsx")
_COL = re.compile(r"^(?P<name>.+?) \[(?P<unit>[^\]]*)\]$")


def utc_offset_label(hours: float | None) -> str:
    """``UTC+07:00`` for 7, ``UTC-03:30`` for -3.5; ``UTC offset unknown`` for None."""
    if hours is None or not math.isfinite(float(hours)):
        return "UTC offset unknown"
    h = float(hours)
    sign = "+" if h >= 0 else "-"
    m = int(round(abs(h) * 60))
    return f"UTC{sign}{m // 60:02d}:{m % 60:02d}"


def _unit(ds: xr.Dataset, name: str) -> str:
    from twin.variables import REGISTRY

    if name in REGISTRY:
        return REGISTRY[name].units
    return str(ds[name].attrs.get("units", "-"))


def time_column(ds: xr.Dataset) -> str:
    return f"time (local, {utc_offset_label(ds.attrs.get('utc_offset_h'))})"


def series_table(ds: xr.Dataset) -> tuple[pd.DataFrame, dict[str, str]]:
    """Every time-dependent numeric variable as columns (units in the names); ``{column: unit}``."""
    cols: dict[str, np.ndarray] = {}
    units: dict[str, str] = {}
    for name, v in ds.data_vars.items():
        if "time" not in v.dims or v.dtype.kind not in "fiub" or v.ndim > 2:
            continue
        u = _unit(ds, name)
        if v.ndim == 1:
            col = f"{name} [{u}]"
            cols[col] = np.asarray(v.values, dtype=float)
            units[col] = u
        else:
            other = [d for d in v.dims if d != "time"][0]
            vt = v.transpose("time", other)
            for k, lab in enumerate(ds[other].values):
                col = f"{name}[{lab}] [{u}]"
                cols[col] = np.asarray(vt.values[:, k], dtype=float)
                units[col] = u
    df = pd.DataFrame(cols, index=pd.DatetimeIndex(ds["time"].values, name=time_column(ds)))
    return df, units


def kpi_table(summary: dict) -> pd.DataFrame:
    """The KPIs of a run's summary, flattened (``energy_by_source_mwh.grid``) with their units."""
    from twin.kpi import HEADLINE

    units = {k: u for k, _, u in HEADLINE}
    labels = {k: lab for k, lab, _ in HEADLINE}
    rows = []
    for key, val in (summary.get("kpi") or {}).items():
        if isinstance(val, dict):
            unit = "MWh" if key.endswith("_mwh") else ("USD" if key.endswith("_usd") else "-")
            for sub, v in val.items():
                rows.append((f"{key}.{sub}", f"{labels.get(key, key)}: {sub}", unit, v))
        elif isinstance(val, int | float) or val is None:
            rows.append((key, labels.get(key, key.replace("_", " ")), units.get(key, _suffix_unit(key)), val))
    df = pd.DataFrame(rows, columns=["kpi", "name", "unit", "value"])
    df["value"] = pd.to_numeric(df["value"], errors="coerce")
    return df


def _suffix_unit(key: str) -> str:
    for suffix, unit in (("_mwh_th", "MWh_th"), ("_mwh", "MWh"), ("_mw", "MW"), ("_usd", "USD"), ("_t", "t"),
                         ("_h", "h"), ("_gj", "GJ"), ("_m3", "m3"), ("_frac", "1"), ("_s", "s")):
        if key.endswith(suffix):
            return unit
    return "-"


def parameter_table(ds: xr.Dataset) -> pd.DataFrame:
    """The run's scalar parameters (0-d numeric variables) with their units."""
    rows = [(n, _unit(ds, n), float(v.values)) for n, v in ds.data_vars.items()
            if v.ndim == 0 and v.dtype.kind in "fiub"]
    return pd.DataFrame(rows, columns=["parameter", "unit", "value"])


def _side(path: Path, what: str) -> Path:
    return path.with_name(f"{path.stem}-{what}{path.suffix}")


def export_run(run_dir: str | Path, fmt: str, output: str | Path | None = None) -> list[Path]:
    """Write a stored run's series, KPIs and parameters; return the files written.

    ``output`` defaults to ``<run-id>.<fmt>`` in the working directory.
    """
    from twin.store import open_run, read_summary

    if fmt not in FORMATS:
        raise ValueError(f"--format: {fmt!r} — use one of {', '.join(FORMATS)}")
    run_dir = Path(run_dir)
    summary = read_summary(run_dir)
    ds = open_run(run_dir)
    out = Path(output) if output else Path(f"{summary['run_id']}.{fmt}")
    series, _ = series_table(ds)
    kpis, params = kpi_table(summary), parameter_table(ds)
    if fmt == "xlsx":
        with pd.ExcelWriter(out, engine="openpyxl") as xw:
            series.to_excel(xw, sheet_name="series")
            kpis.to_excel(xw, sheet_name="kpis", index=False)
            params.to_excel(xw, sheet_name="parameters", index=False)
        return [out]
    files = [out, _side(out, "kpis"), _side(out, "parameters")]
    if fmt == "csv":
        series.to_csv(files[0], float_format="%.9g")
        kpis.to_csv(files[1], index=False)
        params.to_csv(files[2], index=False)
    else:
        series.to_parquet(files[0])
        kpis.to_parquet(files[1], index=False)
        params.to_parquet(files[2], index=False)
    return files


def read_export(path: str | Path) -> tuple[pd.DataFrame, dict[str, str], pd.DataFrame]:
    """Read an export back: ``(series, {column: unit}, kpis)``; the units parsed from the names."""
    p = Path(path)
    if p.suffix == ".xlsx":
        series = pd.read_excel(p, sheet_name="series", index_col=0)
        kpis = pd.read_excel(p, sheet_name="kpis")
    elif p.suffix == ".csv":
        series = pd.read_csv(p, index_col=0, parse_dates=[0])
        kpis = pd.read_csv(_side(p, "kpis"))
    else:
        series = pd.read_parquet(p)
        kpis = pd.read_parquet(_side(p, "kpis"))
    units = {c: m.group("unit") for c in series.columns if (m := _COL.match(str(c)))}
    return series, units, kpis
