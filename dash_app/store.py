"""The app's only door to the run store.

Everything the pages read comes through :class:`RunStore`, which calls :mod:`twin.store`
(listing, resolving, opening) and :mod:`twin.kpi` (every number shown) — the app computes no
physics of its own.  A run id that is not a run listed in the store (``../../etc/passwd``, an
absolute path, a hidden folder, a folder without the run files) raises :class:`RunNotFound`.

Stored runs never change once written (they are written atomically under a unique id), so the
opened Datasets and their playback payloads are cached per store instance: an LRU bounded by
memory (``cache_mb``), no module-level state.  Loading is safe under concurrency: each cached
item is made by one thread while the others asking for it wait (a lock per run and kind), and
every netCDF read goes through :data:`twin.store.NETCDF_LOCK` (netCDF-C/HDF5 are not
thread-safe).  A request that cannot get its run within ``wait_s`` seconds gets
:class:`StoreBusy` — the app answers "busy, try again" instead of queueing without end.
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from pathlib import Path

import numpy as np
import xarray as xr

from twin import kpi
from twin import store as twin_store
from twin.store import RunNotFound, StoreBusy

__all__ = ["RunNotFound", "RunStore", "StoreBusy", "size_bytes"]

#: default memory budget of a store's cache [MB] (env ``CAMPUS_TWIN_APP_CACHE_MB`` overrides)
CACHE_MB = float(os.environ.get("CAMPUS_TWIN_APP_CACHE_MB", "512"))
#: how long a request waits for a run being read by others before it is told "busy" [s]
WAIT_S = 20.0


def size_bytes(value, _depth: int = 0) -> int:
    """Approximate memory held by a cached value [bytes] (Datasets, arrays, figures, JSON-like)."""
    if isinstance(value, xr.Dataset | xr.DataArray):
        return int(value.nbytes)
    if isinstance(value, np.ndarray):
        return int(value.nbytes)
    if isinstance(value, str | bytes):
        return len(value) + 49
    if _depth > 12:
        return 64
    if hasattr(value, "to_plotly_json"):
        value = value.to_plotly_json()
    if isinstance(value, dict):
        return 64 + sum(size_bytes(k, _depth + 1) + size_bytes(v, _depth + 1) for k, v in value.items())
    if isinstance(value, list | tuple):
        return 56 + sum(size_bytes(v, _depth + 1) for v in value)
    return 32


class RunStore:
    """Read-only view of a run store directory for the app (plus :meth:`save` for what-ifs).

    Parameters
    ----------
    runs_dir : str or Path
        The run store: ``runs_dir/<run-id>/{run.nc, scenario.yaml, summary.json}``.
    cache_mb : float
        Memory budget of the cache of opened runs and their figures [MB] (least recently used
        items are dropped beyond it; an item larger than the budget is served but not kept).
    wait_s : float
        How long a request waits for a run that others are reading before :class:`StoreBusy`.
    """

    def __init__(self, runs_dir: str | Path, cache_mb: float = CACHE_MB, wait_s: float = WAIT_S):
        self.runs_dir = Path(runs_dir)
        self._cache: OrderedDict[tuple[str, str], tuple[object, int]] = OrderedDict()
        self._cache_bytes = 0
        self._budget_bytes = int(cache_mb * 1e6)
        self.wait_s = float(wait_s)
        self._lock = threading.Lock()
        self._making: dict[tuple[str, str], threading.Lock] = {}

    # ------------------------------------------------------------------ listing / resolving
    def list(self) -> list[dict]:
        """Summaries of the complete runs, newest first (``twin.store.list_runs``)."""
        return twin_store.list_runs(self.runs_dir)

    def run_ids(self) -> list[str]:
        return [s["run_id"] for s in self.list()]

    def resolve(self, run_id: object) -> Path:
        """The directory of a listed run, else :class:`RunNotFound`."""
        if not isinstance(run_id, str) or not run_id:
            raise RunNotFound(f"run {run_id!r} not found")
        return twin_store.resolve_run(self.runs_dir, run_id)

    # ------------------------------------------------------------------ reading
    def summary(self, run_id: str) -> dict:
        return twin_store.read_summary(self.resolve(run_id))

    def scenario_text(self, run_id: str) -> str:
        return (self.resolve(run_id) / "scenario.yaml").read_text(encoding="utf-8")

    def cached(self, kind: str, run_id: str, make):
        """``make()`` once per listed run and ``kind`` (e.g. a figure of the run), then from memory."""
        self.resolve(run_id)
        return self._cached(kind, run_id, make)

    def _hit(self, key):
        with self._lock:
            if key in self._cache:
                self._cache.move_to_end(key)
                return True, self._cache[key][0]
            return False, None

    def _cached(self, kind: str, run_id: str, make):
        key = (kind, run_id)
        hit, value = self._hit(key)
        if hit:
            return value
        with self._lock:
            making = self._making.setdefault(key, threading.Lock())
        # one thread makes it; the others wait for it (bounded), then take it from the cache
        if not making.acquire(timeout=self.wait_s):
            raise StoreBusy(f"run {run_id!r} is still being opened for other users; try again in a few seconds")
        try:
            hit, value = self._hit(key)
            if hit:
                return value
            value = make()
            self._keep(key, value)
            return value
        finally:
            making.release()  # (the lock stays: one small lock per run and kind)

    def _keep(self, key, value) -> None:
        n = size_bytes(value)
        if n > self._budget_bytes:
            return
        with self._lock:
            if key in self._cache:
                self._cache_bytes -= self._cache.pop(key)[1]
            self._cache[key] = (value, n)
            self._cache_bytes += n
            while self._cache_bytes > self._budget_bytes and self._cache:
                self._cache_bytes -= self._cache.popitem(last=False)[1][1]

    @property
    def cache_bytes(self) -> int:
        """Memory held by the cache now (approximate) [bytes]."""
        return self._cache_bytes

    def open(self, run_id: str) -> xr.Dataset:
        """The run Dataset (``twin.store.open_run``), cached."""
        path = self.resolve(run_id)
        return self._cached("ds", run_id, lambda: twin_store.open_run(path, timeout_s=self.wait_s))

    def payload(self, run_id: str) -> dict:
        """The compact playback payload of a run (see :func:`dash_app.figures.playback_payload`)."""
        from dash_app.figures import playback_payload

        self.resolve(run_id)
        return self._cached("payload", run_id, lambda: playback_payload(self.open(run_id)))

    def monthly_energy_by_source_mwh(self, run_id: str) -> xr.DataArray:
        """Energy by source and month summing to the facility energy, the battery net of charging
        (:func:`twin.report_figures.monthly_energy_balance_mwh`)  [MWh]."""
        from twin.report_figures import monthly_energy_balance_mwh

        return monthly_energy_balance_mwh(self.open(run_id))

    # ------------------------------------------------------------------ writing (what-if)
    def save(self, ds: xr.Dataset) -> str:
        """Save a new run atomically under a fresh unique id; return the id."""
        return twin_store.save_run(ds, self.runs_dir).name

    @property
    def cache_dir(self) -> Path:
        """Where background-callback state lives (hidden: never listed as a run)."""
        return self.runs_dir / ".cache"
