"""A run store of real runs for the app tests (``twin.simulate`` of the default preset).

Set ``CAMPUS_TWIN_DASH_SYNTHETIC=1`` only to develop the app while the pipeline is unfinished:
it swaps in hand-built runs (the what-if tests then cannot validate their scenarios).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pandas as pd
import yaml

#: the short runs: three days in the hot season
SHORT_START, SHORT_DAYS = "2025-06-01", 3


def scenario_text(*, name: str, start: str, days: int, edits: dict | None = None) -> str:
    """The default preset's text with a shorter period, another name and some edits."""
    import twin

    text = twin.load_scenario("default").text()
    data = yaml.safe_load(text)
    data["name"] = name
    data.setdefault("period", {})
    data["period"]["start"] = start
    data["period"]["end"] = str((pd.Timestamp(start) + pd.Timedelta(days=days)).date())
    for path, v in (edits or {}).items():
        cur = data
        parts = path.split(".")
        for p in parts[:-1]:
            cur = cur.setdefault(p, {})
        cur[parts[-1]] = v
    return yaml.safe_dump(data, sort_keys=False)


def _real(store: Path, name: str, start: str, days: int, edits=None) -> str:
    import twin
    from twin.store import save_run

    sc = twin.loads_scenario(scenario_text(name=name, start=start, days=days, edits=edits))
    return save_run(twin.simulate(sc), store).name


def _synthetic(store: Path, name: str, n: int, **kw) -> str:
    from dash_app_synthetic import synthetic_run
    from twin.store import save_run

    ds = synthetic_run(n, name=name, **kw)
    ds.attrs["scenario_yaml"] = scenario_text(name=name, start=SHORT_START, days=SHORT_DAYS)
    return save_run(ds, store).name


def make_store(store_dir: str | Path, *, year: bool = False) -> dict:
    """Runs ``a`` (default preset, 3 days), ``b`` (bigger battery, more solar) and optionally
    ``year`` (the default preset over a year, hourly)."""
    store = Path(store_dir)
    out = {"dir": str(store)}
    if os.environ.get("CAMPUS_TWIN_DASH_SYNTHETIC") == "1":
        out["a"] = _synthetic(store, "default-3d", 72)
        out["b"] = _synthetic(store, "default-3d-bigger-battery", 72, seed=2, it_scale=1.1)
        if year:
            out["year"] = _synthetic(store, "default-year", 8760, seed=3)
        return out
    out["a"] = _real(store, "default-3d", SHORT_START, SHORT_DAYS)
    out["b"] = _real(store, "default-3d-bigger-battery", SHORT_START, SHORT_DAYS,
                     {"power.battery.power_mw": 20.0, "power.battery.energy_mwh": 80.0,
                      "power.solar.capacity_mwp": 20.0})
    if year:
        out["year"] = _real(store, "default-year", "2025-01-01", 365)
    return out


class DashCaller:
    """Call one of the app's server callbacks through the Flask test client, as the browser does."""

    def __init__(self, app, client):
        self.app, self.client = app, client
        client.get("/")  # lets Dash finish its setup (callback map, routes)

    def key(self, fragment: str) -> str:
        keys = [k for k in self.app.callback_map if fragment in k]
        assert len(keys) == 1, (fragment, keys)
        return keys[0]

    def __call__(self, fragment: str, outputs, inputs, state=(), changed=None) -> dict:
        body = {"output": self.key(fragment), "outputs": outputs, "inputs": list(inputs), "state": list(state),
                "changedPropIds": changed or [f"{i['id']}.{i['property']}" for i in inputs
                                              if isinstance(i, dict) and isinstance(i["id"], str)]}
        r = self.client.post("/_dash-update-component", json=body)
        assert r.status_code in (200, 204), r.data[:2000]
        return json.loads(r.data) if r.status_code == 200 else {}
