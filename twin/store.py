"""The run store: ``DIR/<run-id>/`` with ``run.nc``, ``scenario.yaml`` and ``summary.json``.

A run is written into a hidden temporary directory next to its final place and renamed into
place in one step, so a crash leaves the previous run or nothing — never half a run.  Only this
module reads and writes the store (the app, the report and the CLI all come through here).

Run ids
-------
A run id is ASCII letters, digits, ``.``, ``_`` and ``-``, starting with a letter or digit, at
most 128 characters (:func:`check_run_id`). Generated ids are made safe from any scenario name
(:func:`make_run_id`: accents folded, other characters dropped, a short hash of the name added
when something was dropped, so "울산 AI 데이터센터" becomes ``AI-<hash>-baseline-<time>-<rand>``).
A writer claims its id before the work (:func:`reserve_run`: an ``O_EXCL`` lock file
``.<run-id>.reserved`` holding its process id), so a taken or claimed id is refused before the
solve and two writers of one id cannot race; :func:`save_run` claims the id itself when its
caller did not. Locks and ``.partial`` folders left by killed writers (their process is gone)
are removed on the next write to the store.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import shutil
import socket
import tempfile
import threading
import time
import unicodedata
import uuid
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import xarray as xr

from twin import kpi
from twin.errors import RunIdError, RunNotFound

__all__ = ["RUN_FILES", "RunIdError", "RunNotFound", "check_run_id", "clean_stale", "is_run_dir", "list_runs",
           "make_run_id", "new_run_id", "open_run", "read_summary", "release_run", "reserve_run", "resolve_run",
           "save_run", "summary"]

log = logging.getLogger(__name__)

RUN_FILES = ("run.nc", "scenario.yaml", "summary.json")
_RUN_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")
#: keys every summary.json has (what ``twin summary`` and the app read)
SUMMARY_KEYS = ("run_id", "scenario_name", "dispatch", "status", "period_start", "period_end", "step", "kpi")
#: variables and attributes every run.nc has (what the report and the app read)
RUN_VARS = ("facility_power_mw", "it_power_mw", "supply_mw", "cost_usd")
RUN_ATTRS = ("scenario_name", "step_h", "dispatch")
#: studies stored like runs (``attrs["run_kind"]``) whose ``time`` is seconds from an instant
STUDY_KINDS = ("event", "swing")
_PARTIAL = re.compile(r"^\.(?P<id>.+)\.(?P<pid>\d+)\.[^.]+\.partial$")
_HELD: set[str] = set()  # lock files this process holds
_HELD_LOCK = threading.Lock()


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
    if ds.attrs.get("run_kind") == "event":  # an event run (twin.events): its own results
        from twin.events.run import event_summary

        return _clean(event_summary(ds, run_id))
    if ds.attrs.get("run_kind") == "swing":  # a power-swing study (twin.swing): its own results
        from twin.swing import swing_summary

        return _clean(swing_summary(ds, run_id))
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
        "shortfalls": kpi.shortfalls(ds),
        "lng_cargoes_refused": kpi.lng_cargoes_refused(ds),
    }
    for k in ("baseline_cost_usd", "savings_vs_baseline_usd", "savings_vs_baseline_frac", "mip_gap",
              "solve_time_s"):
        if k in ds.attrs:
            out[k] = float(ds.attrs[k])
    return _clean(out)


def _slug(name: str) -> str:
    """A run-id-safe part from any name: accents folded, other characters dropped (then a hash)."""
    name = str(name)
    ascii_ = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^A-Za-z0-9._-]+", "-", ascii_)
    slug = re.sub(r"\.{2,}", ".", slug).strip("-._")[:48].strip("-._")
    lost = slug != name
    if lost or not slug:
        digest = hashlib.sha1(name.encode("utf-8", "surrogatepass")).hexdigest()[:6]
        slug = f"{slug}-{digest}" if slug else f"run-{digest}"
    return slug


def make_run_id(scenario_name: str, dispatch: str = "run") -> str:
    """A fresh, safe run id from a scenario name and the dispatch kind.

    Parameters
    ----------
    scenario_name : str
        Any text (non-ASCII, empty and path-like names are made safe).
    dispatch : str
        ``"baseline"`` or ``"optimal"``.

    Returns
    -------
    str
        ``<name>-<dispatch>-<UTC time>-<random>``, which :func:`check_run_id` accepts.
    """
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S")
    return f"{_slug(scenario_name)}-{_slug(dispatch)}-{stamp}-{uuid.uuid4().hex[:6]}"


def new_run_id(ds: xr.Dataset) -> str:
    """A fresh run id for a run Dataset (from its ``scenario_name`` and ``dispatch`` attributes)."""
    return make_run_id(str(ds.attrs.get("scenario_name", "run")), str(ds.attrs.get("dispatch", "run")))


def check_run_id(run_id: object, what: str = "run id") -> str:
    """Return ``run_id`` if it can name a run directory, else raise :class:`RunIdError`."""
    if not isinstance(run_id, str) or not _RUN_ID.match(run_id):
        raise RunIdError([f"{what} {run_id!r} — use 1 to 128 ASCII letters, digits, '.', '_' and '-', starting "
                          "with a letter or digit"], what)
    return run_id


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


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's live process
        return True
    return True


def _lock_path(store: Path, run_id: str) -> Path:
    return store / f".{run_id}.reserved"


def _lock_is_stale(lock: Path) -> bool:
    """A lock of a writer on this host whose process is gone."""
    try:
        pid_s, host = (lock.read_text(encoding="utf-8").split() + ["", ""])[:2]
        pid = int(pid_s)
    except (OSError, ValueError):
        # unreadable or half-written: stale once it is a minute old
        try:
            return time.time() - lock.stat().st_mtime > 60
        except OSError:
            return False
    return host == socket.gethostname() and pid != os.getpid() and not _pid_alive(pid)


def clean_stale(store_dir: str | Path) -> list[Path]:
    """Remove ``.partial`` folders and ``.reserved`` locks left by writers whose process is gone.

    Returns the paths removed. Folders without a process id (older versions) are removed once
    they are a day old.
    """
    store = Path(store_dir)
    removed: list[Path] = []
    if not store.is_dir():
        return removed
    for p in store.iterdir():
        if not p.name.startswith("."):
            continue
        try:
            if p.name.endswith(".partial") and p.is_dir():
                m = _PARTIAL.match(p.name)
                stale = (not _pid_alive(int(m["pid"])) if m and int(m["pid"]) != os.getpid()
                         else (m is None and time.time() - p.stat().st_mtime > 86_400))
                if stale:
                    shutil.rmtree(p, ignore_errors=True)
                    removed.append(p)
            elif p.name.endswith(".reserved") and p.is_file() and str(p) not in _HELD and _lock_is_stale(p):
                p.unlink(missing_ok=True)
                removed.append(p)
        except OSError:
            continue
    if removed:
        log.info("removed %d stale partial run(s)/lock(s) in %s", len(removed), store)
    return removed


def reserve_run(store_dir: str | Path, run_id: str, what: str = "run id") -> Path:
    """Claim ``store_dir/<run_id>`` for this process before the work; return the run's final path.

    Parameters
    ----------
    store_dir : str or path-like
        The run store (created if missing).
    run_id : str
        The id to claim (checked by :func:`check_run_id`).
    what : str
        How the id was given, for the message (e.g. ``"--run-id"``).

    Returns
    -------
    pathlib.Path
        Where :func:`save_run` will put the run.

    Raises
    ------
    RunIdError
        The id is not safe, a run of that id exists, another live writer holds it, or the store
        cannot be written.
    """
    check_run_id(run_id, what)
    store = Path(store_dir)
    try:
        store.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise RunIdError([f"run store {str(store)!r}: cannot create it ({e.strerror or e})"], str(store)) from None
    clean_stale(store)
    final = store / run_id
    if final.exists():
        raise RunIdError([f"{what} {run_id!r} — a run of that id already exists in {store}"], what)
    lock = _lock_path(store, run_id)
    for attempt in (0, 1):
        try:
            fd = os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o666)
        except FileExistsError:
            if attempt == 0 and str(lock) not in _HELD and _lock_is_stale(lock):
                lock.unlink(missing_ok=True)
                continue
            raise RunIdError([f"{what} {run_id!r} — another writer is saving a run of that id in {store}"],
                             what) from None
        except OSError as e:
            raise RunIdError([f"run store {str(store)!r}: cannot write to it ({e.strerror or e})"],
                             str(store)) from None
        break
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(f"{os.getpid()} {socket.gethostname()}\n")
    with _HELD_LOCK:
        _HELD.add(str(lock))
    if final.exists():  # a writer that does not reserve got there first
        release_run(store, run_id)
        raise RunIdError([f"{what} {run_id!r} — a run of that id already exists in {store}"], what)
    return final


def release_run(store_dir: str | Path, run_id: str) -> None:
    """Give up this process's claim on ``run_id`` (no-op if it holds none)."""
    lock = _lock_path(Path(store_dir), run_id)
    with _HELD_LOCK:
        held = str(lock) in _HELD
        _HELD.discard(str(lock))
    if held:
        lock.unlink(missing_ok=True)


def _publish(tmp: Path, final: Path) -> None:
    """Make the files of a finished ``.partial`` folder durable, give them ordinary modes and rename
    the folder into place (the rename is what publishes a run or plan: all of it or nothing)."""
    for f in tmp.iterdir():
        with open(f, "rb") as fh:
            os.fsync(fh.fileno())
    ordinary_mode(tmp)
    os.rename(tmp, final)


def save_run(ds: xr.Dataset, store_dir: str | Path, run_id: str | None = None) -> Path:
    """Write a settled run atomically into ``store_dir/<run-id>/``.

    Parameters
    ----------
    ds : xarray.Dataset
        A settled run (:func:`twin.simulate` or :func:`twin.optimise`).
    store_dir : str or path-like
        The run store.
    run_id : str, optional
        The run's id; default :func:`new_run_id`. An id this process reserved with
        :func:`reserve_run` is used as it is; otherwise it is reserved here.

    Returns
    -------
    pathlib.Path
        The run directory.

    Raises
    ------
    RunIdError
        The id is unsafe or taken (see :func:`reserve_run`).
    """
    store = Path(store_dir)
    run_id = new_run_id(ds) if run_id is None else run_id
    check_run_id(run_id)
    lock = _lock_path(store, run_id)
    if str(lock) not in _HELD:
        reserve_run(store, run_id)
    final = store / run_id
    try:
        _write_run(ds, store, run_id, final)
    finally:
        release_run(store, run_id)
    return final


def _write_run(ds: xr.Dataset, store: Path, run_id: str, final: Path) -> None:
    if final.exists():
        raise RunIdError([f"run id {run_id!r} — a run of that id already exists in {store}"])
    tmp = Path(tempfile.mkdtemp(prefix=f".{run_id}.{os.getpid()}.", suffix=".partial", dir=store))
    try:
        with NETCDF_LOCK:
            _for_netcdf(ds).to_netcdf(tmp / "run.nc", engine="netcdf4", encoding=_encoding(ds))
        (tmp / "scenario.yaml").write_text(ds.attrs.get("scenario_yaml", ""), encoding="utf-8")
        (tmp / "summary.json").write_text(
            json.dumps(summary(ds, run_id), indent=2, default=_json_default), encoding="utf-8")
        _publish(tmp, final)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def is_run_dir(path: str | Path) -> bool:
    """Whether ``path`` is a folder holding the three run files (their content is not read)."""
    p = Path(path)
    return p.is_dir() and all((p / f).is_file() for f in RUN_FILES)


def open_run(run_dir: str | Path, timeout_s: float | None = None) -> xr.Dataset:
    """Open a stored run (fully loaded; the file is closed again).

    Reads are serialised through :data:`NETCDF_LOCK`; with ``timeout_s``, waiting longer than
    that for it raises :class:`StoreBusy`.

    Parameters
    ----------
    run_dir : str or path-like
        A run directory (``DIR/<run-id>``).
    timeout_s : float, optional
        Longest wait for the netCDF lock [s] (default: wait).

    Returns
    -------
    xarray.Dataset
        The settled run.

    Raises
    ------
    RunNotFound
        ``run_dir`` is not a run directory, or its ``run.nc`` is truncated, not netCDF, or not a
        Campus Twin run (the message names the file and what is wrong).
    """
    p = Path(run_dir)
    if not is_run_dir(p):
        raise RunNotFound(f"{str(run_dir)!r} is not a run directory (needs {', '.join(RUN_FILES)})")
    f = p / "run.nc"
    if not NETCDF_LOCK.acquire(timeout=-1 if timeout_s is None else max(float(timeout_s), 0.0)):
        raise StoreBusy(f"run {p.name!r}: other runs are being read; try again in a few seconds")
    try:
        with xr.open_dataset(f, engine="netcdf4") as ds:
            ds = ds.load()
    except (OSError, ValueError, RuntimeError, KeyError, IndexError) as e:
        why = str(e).splitlines()[0] if str(e) else type(e).__name__
        raise RunNotFound(f"{f}: not a readable netCDF run (truncated or another format: {why})") from None
    finally:
        NETCDF_LOCK.release()
    if ds.attrs.get("run_kind") in STUDY_KINDS:  # event and swing studies: seconds, no dispatch cost
        need_vars, need_attrs = (), ("scenario_name", "run_kind")
    else:
        need_vars, need_attrs = RUN_VARS, RUN_ATTRS
    missing = ([f"variable {v}" for v in need_vars if v not in ds.variables]
               + [f"attribute {a}" for a in need_attrs if a not in ds.attrs]
               + ([] if "time" in ds.dims else ["dimension time"]))
    if missing:
        raise RunNotFound(f"{f}: not a Campus Twin run (no {', '.join(missing[:3])})")
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
    """The ``summary.json`` of a run directory.

    Raises
    ------
    RunNotFound
        ``run_dir`` is not a run directory, or its summary is truncated, not JSON or lacks a
        key (the message names the file and the key or the place of the damage).
    """
    p = Path(run_dir)
    if not is_run_dir(p):
        raise RunNotFound(f"{str(run_dir)!r} is not a run directory (needs {', '.join(RUN_FILES)})")
    f = p / "summary.json"
    try:
        s = json.loads(f.read_text(encoding="utf-8"))
    except UnicodeDecodeError as e:
        raise RunNotFound(f"{f}: not a run summary (byte {e.start} is not UTF-8)") from None
    except json.JSONDecodeError as e:
        raise RunNotFound(f"{f}: not a run summary (truncated or not JSON: {e.msg} at line {e.lineno}, "
                          f"column {e.colno})") from None
    except OSError as e:
        raise RunNotFound(f"{f}: cannot read it ({e.strerror or e})") from None
    if not isinstance(s, dict):
        raise RunNotFound(f"{f}: not a run summary (a JSON {type(s).__name__}, not an object)")
    missing = [k for k in SUMMARY_KEYS if k not in s]
    if not missing and not isinstance(s["kpi"], dict):
        missing = ["kpi (an object)"]
    if missing:
        raise RunNotFound(f"{f}: not a run summary (no {', '.join(missing)})")
    return s


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


# ------------------------------------------------------------------------------------ plans
PLAN_FILES = ("plan.nc", "scenario.yaml", "summary.json")


def save_plan(ds: xr.Dataset, store_dir: str | Path, plan_id: str | None = None) -> Path:
    """Write a plan (:func:`twin.plan`) atomically into ``store_dir/<plan-id>/`` (``plan.nc``,
    ``scenario.yaml``, ``summary.json``, ``report.html``); each phase's full-year check run is saved as an
    ordinary run in ``store_dir`` (so the app opens it like any run) and named in the plan."""
    from twin.plan.report import plan_report_html
    from twin.plan.result import plan_summary

    store = Path(store_dir)
    store.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S")
    name = re.sub(r"[^A-Za-z0-9._-]+", "-", str(ds.attrs.get("scenario_name", "plan")))[:60]
    plan_id = plan_id or f"{name}-plan-{stamp}-{uuid.uuid4().hex[:6]}"
    if not _RUN_ID.match(plan_id):
        raise ValueError(f"plan id {plan_id!r} — use letters, digits, '.', '_' and '-' only")
    final = store / plan_id
    if final.exists():
        raise FileExistsError(f"plan {plan_id!r} already exists in {store}")
    runs = ds.encoding.get("phase_runs") or []
    ids = []
    for ph, run in zip(ds["phase"].values, runs):
        ids.append(save_run(run, store, run_id=f"{plan_id}-{ph}").name)
    ds = ds.copy()
    if ids:
        ds["plan_check_run_id"] = ("phase", np.array(ids, dtype=object))
    ds.attrs["plan_id"] = plan_id
    tmp = Path(tempfile.mkdtemp(prefix=f".{plan_id}.", suffix=".partial", dir=store))
    try:
        with NETCDF_LOCK:
            _for_netcdf(ds).to_netcdf(tmp / "plan.nc", engine="netcdf4")
        (tmp / "scenario.yaml").write_text(ds.attrs.get("scenario_yaml", ""), encoding="utf-8")
        (tmp / "summary.json").write_text(json.dumps(_clean(plan_summary(ds)), indent=2, default=_json_default),
                                          encoding="utf-8")
        (tmp / "report.html").write_text(plan_report_html(ds), encoding="utf-8")
        _publish(tmp, final)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return final


def open_plan(plan_dir: str | Path) -> xr.Dataset:
    """Open a stored plan (fully loaded)."""
    p = Path(plan_dir)
    if not all((p / f).is_file() for f in PLAN_FILES):
        raise RunNotFound(f"{str(plan_dir)!r} is not a plan directory (needs {', '.join(PLAN_FILES)})")
    with NETCDF_LOCK, xr.open_dataset(p / "plan.nc", engine="netcdf4") as ds:
        return ds.load()
