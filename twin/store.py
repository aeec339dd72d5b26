"""The run store: ``DIR/<run-id>/`` with ``run.nc``, ``scenario.yaml`` and ``summary.json``.

A run is written into a hidden temporary directory next to its final place and renamed into
place in one step, so a crash leaves the previous run or nothing — never half a run.  Only this
module reads and writes the store (the app, the report and the CLI all come through here).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
import threading
import uuid
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import xarray as xr

from twin import kpi

RUN_FILES = ("run.nc", "scenario.yaml", "summary.json")
_RUN_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")


class RunNotFound(LookupError):
    pass


class StoreBusy(TimeoutError):
    """The run files could not be read within the time asked for (other reads hold the lock)."""


#: every netCDF read and write of this process goes through this lock: the netCDF-C / HDF5
#: libraries underneath are not thread-safe (netCDF4-python releases the GIL around their calls,
#: so two threads opening two runs at once crash the process with a segfault or bus error)
NETCDF_LOCK = threading.RLock()


def _json_default(o):
    if isinstance(o, np.generic):
        return o.item()
    if isinstance(o, np.ndarray):
        return o.tolist()
    return str(o)


def _clean(o):
    """NaN/inf are not JSON: write them as null."""
    if isinstance(o, dict):
        return {k: _clean(v) for k, v in o.items()}
    if isinstance(o, list | tuple):
        return [_clean(v) for v in o]
    if isinstance(o, float) and not np.isfinite(o):
        return None
    return o


def summary(ds: xr.Dataset, run_id: str) -> dict:
    """The summary.json content: identity, status and every KPI (from :mod:`twin.kpi`)."""
    t = ds["time"].values
    from importlib.metadata import version

    versions = {}
    for pkg in ("campus-twin", "numpy", "xarray", "pyomo", "highspy", "pvlib"):
        try:
            versions[pkg] = version(pkg)
        except Exception:  # noqa: BLE001 - optional package missing
            pass
    step_h = float(ds.attrs["step_h"])
    end = (np.datetime64(t[-1]) + np.timedelta64(int(round(step_h * 3600)), "s")) if len(t) else None
    out = {
        "run_id": run_id,
        "scenario_name": ds.attrs.get("scenario_name"),
        "scenario_hash": ds.attrs.get("scenario_hash"),
        "dispatch": ds.attrs.get("dispatch"),
        "status": kpi.status(ds),
        "solver_status": ds.attrs.get("solver_status"),
        "period_start": str(np.datetime_as_string(t[0], unit="s")) if len(t) else None,
        "period_end": str(np.datetime_as_string(end, unit="s")) if end is not None else None,
        "step": ds.attrs.get("step"),
        "site_name": ds.attrs.get("site_name"),
        "created_utc": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "versions": versions,
        "kpi": kpi.kpis(ds),
        "shortfalls": {
            "unserved": kpi.shortfall_events(ds, "unserved_mw")[:50],
            "cooling_deficit": kpi.shortfall_events(ds, "cooling_deficit_mw")[:50],
        },
    }
    for k in ("baseline_cost_usd", "savings_vs_baseline_usd", "savings_vs_baseline_frac", "mip_gap",
              "solve_time_s"):
        if k in ds.attrs:
            out[k] = float(ds.attrs[k])
    return _clean(out)


def new_run_id(ds: xr.Dataset) -> str:
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S")
    name = re.sub(r"[^A-Za-z0-9._-]+", "-", str(ds.attrs.get("scenario_name", "run")))[:60]
    return f"{name}-{ds.attrs.get('dispatch', 'run')}-{stamp}-{uuid.uuid4().hex[:6]}"


def _encoding(ds: xr.Dataset) -> dict:
    enc = {}
    for name, v in ds.data_vars.items():
        if v.dtype.kind == "f" and v.ndim >= 1:
            enc[name] = {"zlib": True, "complevel": 1}
    # the time axis is site-local: its CF units carry the site's UTC offset, so CF tools (cftime,
    # ncdump -t, Panoply) place it correctly in UTC while xarray reads the local times back
    off = ds.attrs.get("utc_offset_h")
    if "time" in ds.coords and ds.sizes.get("time") and off is not None and np.isfinite(float(off)):
        m = int(round(abs(float(off)) * 60))
        t0 = np.datetime_as_string(ds["time"].values[0], unit="s").replace("T", " ")  # site-local here
        enc["time"] = {"units": f"minutes since {t0}{'+' if float(off) >= 0 else '-'}{m // 60:02d}:{m % 60:02d}",
                       "dtype": "int64"}
    return enc


def _for_netcdf(ds: xr.Dataset) -> xr.Dataset:
    ds = ds.copy()
    if "time" in ds.coords and ds.attrs.get("utc_offset_h") is not None:
        from twin.export import utc_offset_label

        # stored as UTC against a reference written in local time with its offset (see _encoding);
        # open_run shifts it back to site-local
        off = np.timedelta64(int(round(float(ds.attrs["utc_offset_h"]) * 3600)), "s")
        attrs = dict(ds["time"].attrs)
        ds = ds.assign_coords(time=ds["time"].values - off)
        ds["time"].attrs.update(attrs, standard_name="time",
                                long_name=f"site-local time ({utc_offset_label(ds.attrs['utc_offset_h'])})")
    for name in list(ds.variables):
        v = ds[name]
        if v.dtype == object or v.dtype.kind == "U":
            ds[name] = v.astype(str)
    for k, v in list(ds.attrs.items()):
        if isinstance(v, bool):
            ds.attrs[k] = int(v)
        elif v is None:
            del ds.attrs[k]
    return ds


#: the process's umask, read once at import (``os.umask`` can only be read by setting it, which is
#: not safe once the app's background threads write files)
_UMASK = os.umask(0o022)
os.umask(_UMASK)


def ordinary_mode(path: str | Path) -> None:
    """Give a file or folder made by ``tempfile`` (owner-only) the mode a plain ``open`` or
    ``mkdir`` would have given it under this process's umask."""
    p = Path(path)
    os.chmod(p, (0o777 if p.is_dir() else 0o666) & ~_UMASK)


def save_run(ds: xr.Dataset, store_dir: str | Path, run_id: str | None = None) -> Path:
    """Write a settled run atomically into ``store_dir/<run-id>/``; return that directory."""
    store = Path(store_dir)
    store.mkdir(parents=True, exist_ok=True)
    run_id = run_id or new_run_id(ds)
    if not _RUN_ID.match(run_id):
        raise ValueError(f"run id {run_id!r} — use letters, digits, '.', '_' and '-' only")
    final = store / run_id
    if final.exists():
        raise FileExistsError(f"run {run_id!r} already exists in {store}")
    tmp = Path(tempfile.mkdtemp(prefix=f".{run_id}.", suffix=".partial", dir=store))
    try:
        with NETCDF_LOCK:
            _for_netcdf(ds).to_netcdf(tmp / "run.nc", engine="netcdf4", encoding=_encoding(ds))
        (tmp / "scenario.yaml").write_text(ds.attrs.get("scenario_yaml", ""), encoding="utf-8")
        (tmp / "summary.json").write_text(
            json.dumps(summary(ds, run_id), indent=2, default=_json_default), encoding="utf-8")
        for f in tmp.iterdir():  # make the bytes durable before the rename publishes them
            with open(f, "rb") as fh:
                os.fsync(fh.fileno())
        ordinary_mode(tmp)
        os.rename(tmp, final)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return final


def is_run_dir(path: str | Path) -> bool:
    p = Path(path)
    return p.is_dir() and all((p / f).is_file() for f in RUN_FILES)


def open_run(run_dir: str | Path, timeout_s: float | None = None) -> xr.Dataset:
    """Open a stored run (fully loaded; the file is closed again).

    Reads are serialised through :data:`NETCDF_LOCK`; with ``timeout_s``, waiting longer than
    that for it raises :class:`StoreBusy`.
    """
    p = Path(run_dir)
    if not is_run_dir(p):
        raise RunNotFound(f"{str(run_dir)!r} is not a run directory (needs {', '.join(RUN_FILES)})")
    if not NETCDF_LOCK.acquire(timeout=-1 if timeout_s is None else max(float(timeout_s), 0.0)):
        raise StoreBusy(f"run {p.name!r}: other runs are being read; try again in a few seconds")
    try:
        with xr.open_dataset(p / "run.nc", engine="netcdf4") as ds:
            ds = ds.load()
    finally:
        NETCDF_LOCK.release()
    # a time axis written with its UTC offset (``minutes since … +07:00``) decodes to UTC: back to local
    m = re.search(r"([+-])(\d\d):(\d\d)$", str(ds["time"].encoding.get("units", ""))) if "time" in ds.coords else None
    if m:
        off = (1 if m.group(1) == "+" else -1) * (int(m.group(2)) * 60 + int(m.group(3)))
        attrs, enc = dict(ds["time"].attrs), dict(ds["time"].encoding)
        ds = ds.assign_coords(time=ds["time"].values + np.timedelta64(off, "m"))
        ds["time"].attrs.update(attrs)
        ds["time"].encoding.update(enc)
    return ds


def read_summary(run_dir: str | Path) -> dict:
    p = Path(run_dir)
    if not is_run_dir(p):
        raise RunNotFound(f"{str(run_dir)!r} is not a run directory (needs {', '.join(RUN_FILES)})")
    return json.loads((p / "summary.json").read_text(encoding="utf-8"))


def list_runs(store_dir: str | Path) -> list[dict]:
    """Summaries of the complete runs in a store, newest first."""
    store = Path(store_dir)
    if not store.is_dir():
        return []
    out = []
    for p in store.iterdir():
        if p.name.startswith(".") or not is_run_dir(p):
            continue
        try:
            out.append(read_summary(p))
        except (OSError, ValueError):
            continue
    return sorted(out, key=lambda s: s.get("created_utc", ""), reverse=True)


def resolve_run(store_dir: str | Path, run_id: str) -> Path:
    """The directory of a listed run; anything else (``../x``, absolute paths) is not found."""
    store = Path(store_dir).resolve()
    if not isinstance(run_id, str) or not _RUN_ID.match(run_id):
        raise RunNotFound(f"run {run_id!r} not found")
    p = (store / run_id).resolve()
    if p.parent != store or not is_run_dir(p):
        raise RunNotFound(f"run {run_id!r} not found")
    return p
