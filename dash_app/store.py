"""The app's only door to the run store.

Everything the pages read comes through :class:`RunStore`, which calls :mod:`twin.store`
(listing, resolving, opening) and :mod:`twin.kpi` (every number shown) — the app computes no
physics of its own.  A run id that is not a run listed in the store (``../../etc/passwd``, an
absolute path, a hidden folder, a folder without the run files) raises :class:`RunNotFound`.

Stored runs never change once written (they are written atomically under a unique id), so the
opened Datasets and their playback payloads are cached per store instance (bounded, no
module-level state).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from pathlib import Path

import xarray as xr

from twin import kpi
from twin import store as twin_store
from twin.store import RunNotFound

__all__ = ["RunNotFound", "RunStore"]


class RunStore:
    """Read-only view of a run store directory for the app (plus :meth:`save` for what-ifs).

    Parameters
    ----------
    runs_dir : str or Path
        The run store: ``runs_dir/<run-id>/{run.nc, scenario.yaml, summary.json}``.
    cache_size : int
        How many opened runs to keep in memory.
    """

    def __init__(self, runs_dir: str | Path, cache_size: int = 12):
        self.runs_dir = Path(runs_dir)
        self._cache: OrderedDict[tuple[str, str], object] = OrderedDict()
        self._cache_size = int(cache_size)
        self._lock = threading.Lock()

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

    def _cached(self, kind: str, run_id: str, make):
        key = (kind, run_id)
        with self._lock:
            if key in self._cache:
                self._cache.move_to_end(key)
                return self._cache[key]
        value = make()
        with self._lock:
            self._cache[key] = value
            self._cache.move_to_end(key)
            while len(self._cache) > self._cache_size:
                self._cache.popitem(last=False)
        return value

    def open(self, run_id: str) -> xr.Dataset:
        """The run Dataset (``twin.store.open_run``), cached."""
        path = self.resolve(run_id)
        return self._cached("ds", run_id, lambda: twin_store.open_run(path))

    def payload(self, run_id: str) -> dict:
        """The compact playback payload of a run (see :func:`dash_app.figures.playback_payload`)."""
        from dash_app.figures import playback_payload

        self.resolve(run_id)
        return self._cached("payload", run_id, lambda: playback_payload(self.open(run_id)))

    def monthly_energy_by_source_mwh(self, run_id: str) -> xr.DataArray:
        """Energy by source and month (:func:`twin.kpi.monthly_energy_by_source_mwh`)  [MWh]."""
        return kpi.monthly_energy_by_source_mwh(self.open(run_id))

    # ------------------------------------------------------------------ writing (what-if)
    def save(self, ds: xr.Dataset) -> str:
        """Save a new run atomically under a fresh unique id; return the id."""
        return twin_store.save_run(ds, self.runs_dir).name

    @property
    def cache_dir(self) -> Path:
        """Where background-callback state lives (hidden: never listed as a run)."""
        return self.runs_dir / ".cache"
