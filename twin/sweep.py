"""Scenario sweeps on Dask: one base scenario, parameters to vary, results in one Zarr store.

A sweep file (YAML)::

    name: hcmc-cooling-x-battery
    base: samsung-cmc-hcmc            # a preset name, a scenario file (relative to this file),
                                      # or a scenario mapping written inline
    overrides:                        # optional: set on every member before the parameters
      period: {start: 2025-04-01, end: 2025-04-08}
    sampling: grid                    # grid (every combination) | random (``samples`` draws)
    samples: 20                       # random only
    seed: 1                           # random only
    dispatch: baseline                # baseline (operator's rule) | optimal (Pyomo + HiGHS)
    time_limit_s: 120                 # optimal only: solver limit per window
    headline_kpi: cost_usd            # the KPI of the tornado chart
    parameters:                       # dotted paths into the scenario mapping
      fuel.lng_price_usd_per_mmbtu: [8, 12, 16]
      halls[0].cooling.type: [immersion, air]
      power.battery: [{power_mw: 0, energy_mwh: 0}, {power_mw: 10, energy_mwh: 40}]
      period.year_offset: [0, 1]

Parameter values:

* a list: the levels (grid) or the choices (random);
* ``{low, high, n}``: ``n`` evenly spaced levels (grid) or a uniform draw (random; ``integer:
  true`` draws whole numbers).

A mapping value is merged into the mapping at the path (so ``power.battery`` can change power and
energy together).  Changing a cooling block's ``type`` rebuilds the block from the new type's
defaults, keeping the choices both types share (tower and dry cooler models, heat rejection,
chilled-water storage); an air-cooled block gets ``chillers`` sized N+1 on the hall's IT capacity
(see :func:`default_chillers`).  ``period.year_offset`` is not a scenario field: it shifts
``period.start`` and ``period.end`` by whole years.  With ``weather.source: typical`` the weather
repeats every year, so the offset changes only which weekday each date falls on (and so the
weekday/weekend tariff periods) — it is *not* a different weather year.

Every member is validated before any work starts: an unknown path is named with the keys that
do exist, a value the schema refuses is reported with the schema's own line, and the CLI exits 2.

The store (``-o STORE.zarr``, default: next to the sweep file) holds every member along a
``scenario`` dimension, created up front (one chunk per member) and filled as members finish —
the client writes each finished member's own chunks, so no two writes touch one chunk: the
KPI scalars (stored together as ``kpi_value`` on (``scenario``, ``kpi``); :func:`open_sweep`
also gives each as a variable on ``scenario``), energy by source, cost by item, a few series on ``time`` (positional: member ``i``'s
``k``-th step, its own dates shifted by any year offset), and for each member ``status``
(``pending``, ``ok``, ``shortfall``, ``incomplete``, ``failed``), ``error`` (the reason a member
failed), ``attempt``, ``finished_utc``, ``elapsed_s`` and ``worker``.  A member's ``status`` is
written after its results, so a sweep killed at any moment is resumed by running the same
command again: members already stored are not recomputed (failed ones neither, unless
:func:`run_sweep` is called with ``retry_failed=True``).  A series whose name is also a KPI's is
stored as ``<name>_hourly`` (``pue`` is the period PUE, ``pue_hourly`` the series).
"""

from __future__ import annotations

import copy
import hashlib
import itertools
import json
import logging
import math
import os
import re
import socket
import sys
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr
import yaml

SWEEP_KEYS = ("name", "description", "base", "overrides", "parameters", "sampling", "samples", "seed",
              "dispatch", "time_limit_s", "headline_kpi", "hourly")
YEAR_OFFSET = "period.year_offset"
#: series stored per member on ``time`` (all registered run variables on ``time`` alone)
DEFAULT_HOURLY = ("facility_power_mw", "it_power_mw", "cooling_power_mw", "pue", "ambient_wetbulb_c",
                  "unserved_mw", "reserve_margin_mw")
SUPPLY_KINDS = ("gas", "grid", "solar", "battery")
ENERGY_KEYS = ("gas", "grid", "solar", "battery", "battery_charge", "unserved")
STATUS_PENDING = "pending"
#: sizing of default chillers when a sweep switches a hall to air cooling: heat to reject per MW
#: of IT capacity (fans, pumps and envelope gains on top of IT heat).  Engineering assumption.
CHILLER_SIZING = 1.1
#: fields a cooling block keeps when its type changes (hardware choices both types share)
_COOLING_CARRY = ("heat_rejection", "dry_cooler_model", "tower_model", "heat_rejection_capacity_mw_th",
                  "chiller_model", "air_handler_model", "thermal_storage_mwh_th", "thermal_storage_mw_th")


def series_name(var: str) -> str:
    """Store name of a per-step series: the run variable's name, or ``<name>_hourly`` where a KPI
    scalar has that name (``pue`` the period PUE, ``pue_hourly`` the series)."""
    from twin.kpi import KPI_FUNCTIONS

    return f"{var}_hourly" if var in KPI_FUNCTIONS else var


from twin.errors import SweepError  # noqa: E402 - one hierarchy (twin.errors); importable from here as before


# ------------------------------------------------------------------------------- paths
_TOKEN = re.compile(r"\.?([A-Za-z_][A-Za-z0-9_]*)|\[(\d+)\]")


def parse_path(path: str) -> list[str | int]:
    """``halls[0].cooling.type`` → ``['halls', 0, 'cooling', 'type']``; ValueError if malformed."""
    out: list[str | int] = []
    pos = 0
    if not isinstance(path, str) or not path:
        raise ValueError(f"{path!r} is not a dotted path such as fuel.lng_price_usd_per_mmbtu")
    while pos < len(path):
        m = _TOKEN.match(path, pos)
        if not m or (pos == 0 and path[0] == ".") or (pos > 0 and m.group(1) and path[pos] != "."):
            raise ValueError(f"{path!r} is not a dotted path such as halls[0].cooling.type")
        out.append(m.group(1) if m.group(1) is not None else int(m.group(2)))
        pos = m.end()
    return out


def _fmt_path(tokens: list[str | int]) -> str:
    s = ""
    for t in tokens:
        s += f"[{t}]" if isinstance(t, int) else (("." if s else "") + t)
    return s


def _walk(data: Any, tokens: list[str | int]) -> tuple[Any, str | int]:
    """The container holding the last token; SweepError-style message (ValueError) if absent."""
    cur = data
    for i, t in enumerate(tokens[:-1] if tokens else []):
        cur = _step(cur, t, tokens[: i + 1])
    last = tokens[-1]
    _step(cur, last, tokens)  # existence check
    return cur, last


def _step(cur: Any, t: str | int, upto: list[str | int]) -> Any:
    where = _fmt_path(upto[:-1]) or "the scenario"
    if isinstance(t, int):
        if not isinstance(cur, list):
            raise ValueError(f"{where} is not a list (cannot index [{t}])")
        if t >= len(cur):
            raise ValueError(f"{where} has {len(cur)} item(s); index [{t}] is out of range")
        return cur[t]
    if not isinstance(cur, dict):
        raise ValueError(f"{where} is not a mapping (no key {t!r})")
    if t not in cur:
        raise ValueError(f"{where} has no key {t!r}; keys: {', '.join(map(str, cur))}")
    return cur[t]


def default_chillers(hall: dict, chiller_model: str) -> int:
    """Chillers for an air-cooled hall: N+1 on ``CHILLER_SIZING`` × the hall's IT capacity.

    IT capacity = racks × the rack model's ``rack_kw_max``; chiller capacity from the chiller
    catalogue row's ``capacity_mw_th``.  The 1.1 sizing and N+1 redundancy are engineering
    assumptions (common practice for Tier III chilled-water plants), not a published figure.
    """
    from twin import catalog

    rack = catalog.lookup("racks", hall["rack_model"])
    ch = catalog.lookup("chillers", chiller_model)
    it_mw = float(hall["racks"]) * float(rack["rack_kw_max"]) / 1000.0
    return int(math.ceil(CHILLER_SIZING * it_mw / float(ch["capacity_mw_th"]))) + 1


def _cooling_classes() -> dict:
    from twin.scenario import AirCooling, DirectToChipCooling, ImmersionCooling

    return {"air": AirCooling, "immersion": ImmersionCooling, "direct_to_chip": DirectToChipCooling}


def _rebuild_cooling(old: dict, new_type: Any, hall: dict | None) -> dict:
    classes = _cooling_classes()
    if new_type not in classes:
        return {**old, "type": new_type}  # let the schema name the valid types
    fields = classes[new_type].model_fields
    new = {k: copy.deepcopy(f.default) for k, f in fields.items() if not f.is_required()}
    new["type"] = new_type
    for k in _COOLING_CARRY:
        if k in old and k in fields and old[k] is not None:
            new[k] = old[k]
    if new_type == "air" and hall is not None:
        try:
            new["chillers"] = default_chillers(hall, new["chiller_model"])
        except Exception:  # noqa: BLE001 - leave it to the schema to say "chillers: missing"
            pass
    return new


def set_path(data: dict, path: str, value: Any) -> None:
    """Set ``value`` at ``path`` in the scenario mapping ``data`` (in place), with the sweep rules.

    Raises ValueError naming what is wrong when the path does not exist in ``data``.
    """
    if path == YEAR_OFFSET:
        if isinstance(value, bool) or not isinstance(value, int | float) or int(value) != value:
            raise ValueError(f"{value!r} — a year offset is a whole number of years")
        for k in ("start", "end"):
            data["period"][k] = str(pd.Timestamp(str(data["period"][k])) + pd.DateOffset(years=int(value)))
        return
    tokens = parse_path(path)
    cont, last = _walk(data, tokens)
    hall = data["halls"][tokens[1]] if len(tokens) > 2 and tokens[0] == "halls" and isinstance(tokens[1], int) else None
    if last == "type" and isinstance(cont, dict) and len(tokens) >= 2 and tokens[-2] == "cooling":
        if cont.get("type") != value:
            parent, key = _walk(data, tokens[:-1])
            parent[key] = _rebuild_cooling(cont, value, hall)
        return
    cur = cont[last]
    if isinstance(value, dict) and isinstance(cur, dict):
        if "type" in value and value["type"] != cur.get("type") and tokens[-1] == "cooling":
            cur = _rebuild_cooling(cur, value["type"], hall)
        merged = copy.deepcopy(cur)
        merged.update(copy.deepcopy(value))
        cont[last] = merged
    else:
        cont[last] = copy.deepcopy(value)


# -------------------------------------------------------------------------- the spec
@dataclass
class Member:
    index: int
    values: dict[str, Any]
    data: dict  # the member's scenario mapping (validated)

    def label(self) -> str:
        return ", ".join(f"{k}={value_label(v)}" for k, v in self.values.items())


@dataclass
class Sweep:
    name: str
    base: dict
    parameters: dict[str, Any]
    sampling: str = "grid"
    samples: int | None = None
    seed: int = 0
    dispatch: str = "baseline"
    time_limit_s: float | None = None
    headline_kpi: str = "cost_usd"
    hourly: tuple[str, ...] = DEFAULT_HOURLY
    description: str = ""
    text: str = ""
    members: list[Member] = field(default_factory=list)

    def hash(self) -> str:
        """Identity of the sweep's content: same hash → the same members (resume is safe)."""
        canon = json.dumps({"members": [m.data for m in self.members], "values": [m.values for m in self.members],
                            "dispatch": self.dispatch, "time_limit_s": self.time_limit_s,
                            "hourly": list(self.hourly)}, sort_keys=True, default=str)
        return hashlib.sha256(canon.encode()).hexdigest()[:16]


def value_label(v: Any) -> str:
    if isinstance(v, dict):
        return "{" + ", ".join(f"{k}: {value_label(x)}" for k, x in v.items()) + "}"
    if isinstance(v, float) and v.is_integer():
        return str(int(v)) if abs(v) < 1e15 else repr(v)
    return str(v)


def _levels(path: str, spec: Any, sampling: str, problems: list[str]) -> Any:
    where = f"parameters.{path}"
    if isinstance(spec, list):
        if not spec:
            problems.append(f"{where}: [] — give at least one value")
        return spec
    if isinstance(spec, dict) and {"low", "high"} <= set(spec) and set(spec) <= {"low", "high", "n", "integer"}:
        lo, hi = spec["low"], spec["high"]
        if not all(isinstance(x, int | float) and not isinstance(x, bool) for x in (lo, hi)) or lo > hi:
            problems.append(f"{where}: {spec!r} — low and high must be numbers with low <= high")
            return []
        if sampling == "grid":
            n = spec.get("n")
            if not isinstance(n, int) or n < 1:
                problems.append(f"{where}: {spec!r} — grid sampling needs n (a whole number >= 1) levels")
                return []
            vals = np.linspace(lo, hi, n)
            return [int(round(v)) for v in vals] if spec.get("integer") else [float(v) for v in vals]
        return spec
    problems.append(f"{where}: {spec!r} — give a list of values, or {{low, high, n}}")
    return []


def load_sweep(path: str | Path) -> Sweep:
    """Read a sweep file and validate every member; raise :class:`SweepError` on problems."""
    p = Path(path)
    if not p.is_file():
        raise SweepError([f"{path}: no such sweep file"])
    from twin.scenario import ScenarioError, load_yaml_text, read_text_file

    try:
        text = read_text_file(p, "sweep file")
        raw = load_yaml_text(text, source=str(p))
    except ScenarioError as e:
        raise SweepError(e.problems, str(p)) from None
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        where = f" line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise SweepError([f"{path}:{where}: not valid YAML — {getattr(e, 'problem', None) or e}"]) from None
    return parse_sweep(raw, origin=p, text=text)


def _base_mapping(base: Any, origin: Path | None, problems: list[str]) -> dict | None:
    from twin.scenario import ScenarioError, load_scenario, parse_scenario, resolve_path

    try:
        if isinstance(base, dict):
            sc = parse_scenario(base, source="base")
        elif isinstance(base, str):
            cand = (origin.parent / base) if origin is not None and not Path(base).is_absolute() else Path(base)
            sc = load_scenario(cand if cand.is_file() else resolve_path(base))
        else:
            problems.append(f"base: {base!r} — give a preset name, a scenario file or a scenario mapping")
            return None
    except ScenarioError as e:
        problems += [f"base: {line}" for line in e.problems]
        return None
    data = sc.data()
    if sc.site.weather.source == "epw":
        data["site"]["weather"]["path"] = sc.site.weather.path  # absolute after parsing
    return data


def parse_sweep(raw: Any, *, origin: Path | None = None, text: str = "") -> Sweep:
    """Validate a sweep mapping and build (and validate) all its members."""
    from twin.kpi import KPI_FUNCTIONS
    from twin.scenario import ScenarioError, parse_scenario
    from twin.variables import REGISTRY

    if not isinstance(raw, dict):
        raise SweepError(["sweep: the file must hold a mapping (name, base, parameters, ...)"])
    problems: list[str] = []
    for k in raw:
        if k not in SWEEP_KEYS:
            problems.append(f"{k}: unknown key (check the spelling); keys: {', '.join(SWEEP_KEYS)}")
    for k in ("base", "parameters"):
        if k not in raw:
            problems.append(f"{k}: missing — required")
    sampling = raw.get("sampling", "grid")
    if sampling not in ("grid", "random"):
        problems.append(f"sampling: {sampling!r} — use grid or random")
    samples = raw.get("samples")
    if sampling == "random" and (not isinstance(samples, int) or isinstance(samples, bool) or samples < 1):
        problems.append(f"samples: {samples!r} — random sampling needs samples, a whole number >= 1")
    seed = raw.get("seed", 0)
    if not isinstance(seed, int) or isinstance(seed, bool) or seed < 0:
        problems.append(f"seed: {seed!r} — a whole number >= 0")
        seed = 0
    dispatch = raw.get("dispatch", "baseline")
    if dispatch not in ("baseline", "optimal"):
        problems.append(f"dispatch: {dispatch!r} — use baseline or optimal")
    tl = raw.get("time_limit_s")
    if tl is not None and (not isinstance(tl, int | float) or isinstance(tl, bool) or tl <= 0):
        problems.append(f"time_limit_s: {tl!r} — a number of seconds > 0")
    headline = raw.get("headline_kpi", "cost_usd")
    scalar_kpis = [k for k in KPI_FUNCTIONS if k not in ("energy_by_source_mwh", "cost_breakdown_usd")]
    if headline not in scalar_kpis:
        problems.append(f"headline_kpi: {headline!r} — not a KPI; valid: {', '.join(scalar_kpis)}")
    hourly = raw.get("hourly", list(DEFAULT_HOURLY))
    if not isinstance(hourly, list) or not all(isinstance(h, str) for h in hourly):
        problems.append(f"hourly: {hourly!r} — a list of run variable names")
        hourly = list(DEFAULT_HOURLY)
    for h in hourly:
        if h not in REGISTRY or REGISTRY[h].dims != ("time",):
            ok = sorted(k for k, v in REGISTRY.items() if v.dims == ("time",))
            problems.append(f"hourly: {h!r} — not a run variable on time alone; valid: {', '.join(ok)}")
    params = raw.get("parameters")
    if "parameters" in raw and (not isinstance(params, dict) or not params):
        problems.append(f"parameters: {params!r} — a mapping of dotted paths to values, e.g. "
                        "fuel.lng_price_usd_per_mmbtu: [8, 12, 16]")
        params = {}
    params = params or {}

    base = _base_mapping(raw["base"], origin, problems) if "base" in raw else None
    if base is not None and raw.get("overrides") is not None:
        ov = raw["overrides"]
        if not isinstance(ov, dict):
            problems.append(f"overrides: {ov!r} — a mapping of dotted paths (or keys) to values")
        else:
            for path, v in ov.items():
                try:
                    set_path(base, str(path), v)
                except ValueError as e:
                    problems.append(f"overrides.{path}: {e}")
    levels: dict[str, Any] = {}
    for path, spec in params.items():
        path = str(path)
        if path != YEAR_OFFSET:
            try:
                tokens = parse_path(path)
                if base is not None:
                    _walk(base, tokens)
            except ValueError as e:
                problems.append(f"parameters.{path}: unknown parameter — {e}")
                continue
        levels[path] = _levels(path, spec, sampling, problems)
    if problems or base is None:
        raise SweepError(problems)

    # the members
    if sampling == "grid":
        combos = [dict(zip(levels, c)) for c in itertools.product(*levels.values())]
    else:
        rng = np.random.default_rng(seed)
        combos = []
        for _ in range(samples):
            c = {}
            for path, spec in levels.items():
                if isinstance(spec, list):
                    c[path] = copy.deepcopy(spec[int(rng.integers(len(spec)))])
                elif spec.get("integer"):
                    c[path] = int(rng.integers(int(spec["low"]), int(spec["high"]) + 1))
                else:
                    c[path] = float(rng.uniform(spec["low"], spec["high"]))
            combos.append(c)
    members: list[Member] = []
    by_problem: dict[str, list[int]] = {}
    n_steps = set()
    for i, c in enumerate(combos):
        data = copy.deepcopy(base)
        data["name"] = f"{raw.get('name') or base.get('name')}-{i:04d}"
        bad = False
        for path, v in c.items():
            try:
                set_path(data, path, v)
            except ValueError as e:
                by_problem.setdefault(f"parameters.{path}: {e}", []).append(i)
                bad = True
        if bad:
            continue
        try:
            sc = parse_scenario(data, source=f"member {i}")
        except ScenarioError as e:
            for line in e.problems:
                by_problem.setdefault(line, []).append(i)
            continue
        n_steps.add((sc.period.n_steps, sc.period.step))
        members.append(Member(i, c, sc.data()))
    for line, idx in by_problem.items():
        vals = "; ".join(f"member {i}: " + ", ".join(f"{k}={value_label(v)}" for k, v in combos[i].items())
                         for i in idx[:3])
        more = f" and {len(idx) - 3} more" if len(idx) > 3 else ""
        problems.append(f"{line}  [{vals}{more}]")
    if len(n_steps) > 1:
        problems.append("members differ in length or step ("
                        + ", ".join(f"{n} steps of {s}" for n, s in sorted(n_steps))
                        + "); a sweep stacks series step by step, so all members need the same number of steps")
    if problems:
        raise SweepError(problems)
    return Sweep(name=str(raw.get("name") or base.get("name")), base=base, parameters=levels, sampling=sampling,
                 samples=samples, seed=seed, dispatch=dispatch, time_limit_s=tl, headline_kpi=headline,
                 hourly=tuple(hourly), description=str(raw.get("description", "")), text=text, members=members)


# ------------------------------------------------------------------------- the worker
def run_member(data: dict, dispatch: str = "baseline", time_limit_s: float | None = None) -> xr.Dataset:
    """The default member runner: the scenario mapping → a settled run Dataset."""
    import twin
    from twin.scenario import parse_scenario

    sc = parse_scenario(data, source=f"member {data.get('name')}")
    if dispatch == "optimal":
        opts = {"threads": 1}
        if time_limit_s is not None:
            opts["time_limit_s"] = time_limit_s
        return twin.optimise(sc, **opts)
    return twin.simulate(sc)


def member_results(ds: xr.Dataset, hourly: tuple[str, ...] = DEFAULT_HOURLY) -> dict:
    """What a sweep stores of a run: every scalar KPI (from :mod:`twin.kpi`) and a few series."""
    from twin import kpi

    k = kpi.kpis(ds)
    out: dict[str, Any] = {"status": kpi.status(ds)}
    out["kpi"] = {name: float(v) for name, v in k.items() if not isinstance(v, dict)}
    ebs = k["energy_by_source_mwh"]
    out["energy_by_source_mwh"] = [float(ebs.get(s, 0.0)) for s in ENERGY_KEYS]
    out["cost_breakdown_usd"] = {str(c): float(v) for c, v in k["cost_breakdown_usd"].items()}
    out["hourly"] = {h: np.asarray(ds[h].values, dtype=float) for h in hourly if h in ds}
    units = [str(u) for u in ds["unit"].values] if "unit" in ds.coords else []
    sup = ds["supply_mw"]
    gas = sup.sel(source=units).sum("source").values if units else np.zeros(ds.sizes["time"])
    out["supply_by_kind_mw"] = np.column_stack([gas] + [sup.sel(source=s).values for s in SUPPLY_KINDS[1:]])
    out["period_start"] = str(pd.Timestamp(ds["time"].values[0])) if ds.sizes["time"] else ""
    return out


def compute_member(data: dict, dispatch: str, time_limit_s: float | None, hourly: tuple[str, ...],
                   runner=None) -> dict:
    """Run one member on a worker; never raises: a failure comes back as ``status: failed``."""
    t0, c0 = time.perf_counter(), time.process_time()
    worker = f"{socket.gethostname()}:{os.getpid()}"
    try:
        ds = (runner or run_member)(data, dispatch, time_limit_s)
        res = member_results(ds, hourly)
    except Exception as e:  # noqa: BLE001 - a member's failure is a result, the sweep goes on
        msg = getattr(e, "problems", None)
        reason = "; ".join(msg) if msg else f"{type(e).__name__}: {e}"
        res = {"status": "failed", "error": reason[:2000]}
    res["elapsed_s"] = time.perf_counter() - t0
    res["cpu_s"] = time.process_time() - c0
    res["worker"] = worker
    return res


# -------------------------------------------------------------------------- the store
def _cost_items() -> list[str]:
    try:
        from twin.settle import COST_ITEMS

        return list(COST_ITEMS)
    except ImportError:  # pragma: no cover - settle always exists in a complete install
        return ["fuel", "gas_vom", "gas_starts", "grid_energy", "grid_demand", "carbon", "water",
                "battery_degradation"]


def _param_coord(sweep: Sweep, path: str) -> np.ndarray:
    vals = [m.values[path] for m in sweep.members]
    if all(isinstance(v, int | float) and not isinstance(v, bool) for v in vals):
        return np.asarray(vals, dtype=float)
    return np.asarray([value_label(v) for v in vals], dtype=object)


def _template(sweep: Sweep) -> xr.Dataset:
    from twin import kpi
    from twin.scenario import parse_scenario
    from twin.variables import REGISTRY, attrs

    n = len(sweep.members)
    first = parse_scenario(sweep.members[0].data)
    p = first.period
    times = pd.date_range(p.start, p.end, freq=pd.Timedelta(p.step), inclusive="left", name="time")
    nt = len(times)
    items = _cost_items()
    nan = lambda *shape: np.full(shape, np.nan)  # noqa: E731
    scalar = [k for k in kpi.KPI_FUNCTIONS if k not in ("energy_by_source_mwh", "cost_breakdown_usd")]
    dv: dict[str, Any] = {}
    # the KPI scalars as one (scenario, kpi) array: one write per member instead of one per KPI;
    # open_sweep() presents each as a variable on ``scenario`` too
    dv["kpi_value"] = (("scenario", "kpi"), nan(n, len(scalar)),
                       {"long_name": "KPI scalars of each member (twin.kpi, see the kpi coordinate)"})
    dv["energy_by_source_mwh"] = (("scenario", "energy_source"), nan(n, len(ENERGY_KEYS)),
                                  {"units": "MWh", "long_name": "energy by source (kpi.energy_by_source_mwh)"})
    dv["cost_breakdown_usd"] = (("scenario", "cost_item"), nan(n, len(items)),
                                {"units": "USD", "long_name": "cost by item (kpi.cost_breakdown_usd)"})
    for h in sweep.hourly:
        dv[series_name(h)] = (("scenario", "time"), nan(n, nt), attrs(h) if h in REGISTRY else {})
    dv["supply_by_kind_mw"] = (("scenario", "time", "supply_kind"), nan(n, nt, len(SUPPLY_KINDS)),
                               {"units": "MW", "long_name": "power supplied by kind (gas units summed)"})
    dv["elapsed_s"] = ("scenario", nan(n), {"units": "s", "long_name": "member wall time on its worker"})
    dv["cpu_s"] = ("scenario", nan(n), {"units": "s", "long_name": "member CPU time on its worker "
                                                                  "(well below elapsed_s: the core was shared)"})
    dv["period_start"] = ("scenario", np.array([""] * n, dtype=object), {"long_name": "member's first step"})
    dv["worker"] = ("scenario", np.array([""] * n, dtype=object), {"long_name": "worker that ran the member"})
    dv["error"] = ("scenario", np.array([""] * n, dtype=object), {"long_name": "why the member failed"})
    dv["status"] = ("scenario", np.array([STATUS_PENDING] * n, dtype=object),
                    {"long_name": "pending | ok | shortfall | incomplete | failed"})
    dv["attempt"] = ("scenario", np.zeros(n, dtype="int32"), {"long_name": "times this member was computed"})
    dv["finished_utc"] = ("scenario", np.array([""] * n, dtype=object), {"long_name": "when it was stored"})
    obj = lambda x: np.asarray(list(x), dtype=object)  # noqa: E731 - variable-length text in zarr 3
    coords: dict[str, Any] = {"scenario": np.arange(n), "time": times, "kpi": obj(scalar),
                              "energy_source": obj(ENERGY_KEYS),
                              "cost_item": obj(items), "supply_kind": obj(SUPPLY_KINDS),
                              "member_index": ("scenario", [m.index for m in sweep.members]),
                              "member_label": ("scenario", np.array([m.label() for m in sweep.members], dtype=object))}
    for path in sweep.parameters:
        coords[path] = ("scenario", _param_coord(sweep, path), {"long_name": f"swept parameter {path}"})
    ds = xr.Dataset({k: xr.Variable(d, v, a) for k, (d, v, a) in dv.items()}, coords=coords)
    ds.attrs = {"sweep_name": sweep.name, "sweep_hash": sweep.hash(), "sweep_description": sweep.description,
                "sweep_yaml": sweep.text, "parameters": json.dumps(list(sweep.parameters)),
                "sampling": sweep.sampling, "seed": sweep.seed, "dispatch": sweep.dispatch,
                "headline_kpi": sweep.headline_kpi, "base_scenario_name": str(sweep.base.get("name")),
                "created_utc": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                "time_note": "series are positional: step k of each member (its own dates start at period_start)",
                "Conventions": "CF-1.10"}
    return ds


def _encoding(ds: xr.Dataset) -> dict:
    return {v: {"chunks": (1,) + ds[v].shape[1:]} for v in ds.data_vars}


def _open_store(path: Path) -> xr.Dataset | None:
    if not path.exists():
        return None
    try:
        return xr.open_zarr(path, consolidated=False)
    except Exception:  # noqa: BLE001 - anything unreadable is "not a sweep store"
        return None


def init_store(sweep: Sweep, path: str | Path) -> tuple[xr.Dataset, bool]:
    """Create the store (or reopen it to resume); return (store Dataset, resumed?)."""
    path = Path(path)
    old = _open_store(path)
    if old is not None:
        if old.attrs.get("sweep_hash") != sweep.hash():
            raise SweepError([f"-o {path}: holds a different sweep ({old.attrs.get('sweep_name', '?')!r}, hash "
                              f"{old.attrs.get('sweep_hash', 'none')}; this sweep is {sweep.hash()}) — "
                              f"choose another output or remove it"])
        return old, True
    if path.exists():
        raise SweepError([f"-o {path}: exists and is not a sweep store — choose another output"])
    tmpl = _template(sweep)
    tmp = path.with_name(f".{path.name}.partial")
    import shutil

    shutil.rmtree(tmp, ignore_errors=True)
    tmpl.to_zarr(tmp, mode="w", encoding=_encoding(tmpl), consolidated=False)
    os.rename(tmp, path)  # the store appears whole or not at all
    return xr.open_zarr(path, consolidated=False), False


def open_arrays(path: str | Path) -> dict:
    """The store's zarr arrays by name, opened once (metadata read once, not per write)."""
    import zarr

    g = zarr.open_group(str(path), mode="r+")
    return {name: arr for name, arr in g.arrays()}


def write_member(path: str | Path, pos: int, res: dict, attempt: int, group: dict | None = None) -> None:
    """Write one member's results into its place on ``scenario``; the status goes last (it marks
    the member as done, so a write cut short leaves it pending and it is run again on resume).

    Writes go straight to the member's chunks (one chunk per member and variable), not through
    a whole-Dataset region write: a few milliseconds per member.
    """
    arrays = group if group is not None else open_arrays(path)

    def put(name: str, value) -> None:
        if name in arrays:
            arrays[name][pos] = value

    put("elapsed_s", float(res.get("elapsed_s", np.nan)))
    put("cpu_s", float(res.get("cpu_s", np.nan)))
    put("worker", str(res.get("worker", "")))
    put("error", str(res.get("error", "")))
    if res["status"] != "failed":
        names = arrays["kpi"][:]
        put("kpi_value", np.asarray([res["kpi"].get(str(k), np.nan) for k in names], dtype=float))
        put("energy_by_source_mwh", np.asarray(res["energy_by_source_mwh"], dtype=float))
        items = [str(c) for c in arrays["cost_item"][:]]
        put("cost_breakdown_usd", np.asarray([res["cost_breakdown_usd"].get(c, np.nan) for c in items], dtype=float))
        nt = arrays["time"].shape[0]
        for h, v in res["hourly"].items():
            put(series_name(h), _fit(v, nt))
        sup = np.full((nt, len(SUPPLY_KINDS)), np.nan)
        m = min(nt, res["supply_by_kind_mw"].shape[0])
        sup[:m] = res["supply_by_kind_mw"][:m]
        put("supply_by_kind_mw", sup)
        put("period_start", str(res.get("period_start", "")))
    put("attempt", int(attempt))
    put("finished_utc", datetime.now(timezone.utc).isoformat(timespec="microseconds"))
    put("status", str(res["status"]))


def _fit(v: np.ndarray, n: int) -> np.ndarray:
    out = np.full(n, np.nan)
    m = min(n, v.size)
    out[:m] = v[:m]
    return out


def _plain_strings(ds: xr.Dataset) -> xr.Dataset:
    """Text variables as numpy object arrays of ``str`` (zarr 3 reads them as ``StringDType``)."""
    for name in list(ds.variables):
        v = ds.variables[name]
        if v.dtype.kind in "TUO":
            data = np.asarray(v.values).astype(object)
            if name in ds.coords:
                ds = ds.assign_coords({name: (v.dims, data, v.attrs)})
            else:
                ds[name] = (v.dims, data, v.attrs)
    return ds


def open_sweep(path: str | Path) -> xr.Dataset:
    """Open a sweep store with its ``scenario`` dimension (numbers lazily, text loaded).

    Each KPI scalar is also a variable on ``scenario`` (``ds["pue"]``, ``ds["cost_usd"]`` …),
    taken from the stored ``kpi_value`` array.
    """
    from twin.kpi import KPI_FUNCTIONS

    ds = _open_store(Path(path))
    if ds is None or "sweep_hash" not in ds.attrs:
        raise SweepError([f"{path}: not a sweep store"])
    ds = _plain_strings(ds)
    for k in ds["kpi"].values:
        k = str(k)
        f = KPI_FUNCTIONS.get(k)
        ds[k] = ds["kpi_value"].sel(kpi=k, drop=True).assign_attrs(
            long_name=f"KPI {k}" + (f" (twin.kpi.{f.__name__})" if f else ""))
    return ds


# ------------------------------------------------------------------------- running it
#: Dask settings of the LocalCluster a sweep starts.  A member takes seconds and its cost varies
#: several-fold (air vs immersion, battery or not), so each one-thread worker is given one member
#: at a time (``worker-saturation`` 1.0; Dask's default of 1.1 hands a one-thread worker two, and
#: at the end of a sweep one worker can sit idle while the other still holds a queued member).
LOCAL_CLUSTER_CONFIG = {"distributed.scheduler.worker-saturation": 1.0}


def local_cluster(workers: int):
    """A LocalCluster of ``workers`` one-thread worker processes, set up for sweeps."""
    import dask
    from distributed import LocalCluster

    with dask.config.set(LOCAL_CLUSTER_CONFIG):
        return LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=":0",
                            silence_logs=logging.ERROR)


def _client(scheduler: str | None, workers: int):
    from distributed import Client

    if scheduler:
        try:
            return Client(scheduler, timeout="20s"), None
        except (OSError, TimeoutError, ValueError) as e:
            raise SweepError([f"--scheduler {scheduler}: cannot reach a Dask scheduler there ({e})"]) from None
    cluster = local_cluster(workers)
    return Client(cluster), cluster


def run_sweep(sweep: Sweep, output: str | Path, *, scheduler: str | None = None, workers: int = 2,
              client=None, runner=None, retry_failed: bool = False, progress: bool = True,
              log=None) -> xr.Dataset:
    """Run (or resume) a sweep into the Zarr store ``output``; return the store (:func:`open_sweep`).

    Parameters
    ----------
    sweep : from :func:`load_sweep` / :func:`parse_sweep` (already validated).
    output : Zarr store path; an existing store of the same sweep is resumed.
    scheduler : address of an existing Dask scheduler (default: a LocalCluster of ``workers``
        processes with one thread each).
    client : an existing ``distributed.Client`` (overrides ``scheduler``/``workers``).
    runner : ``f(scenario_mapping, dispatch, time_limit_s) -> run Dataset`` (default
        :func:`run_member`); must be picklable.
    retry_failed : recompute members stored as failed.
    """
    log = log or (lambda msg: print(msg, file=sys.stderr))
    output = Path(output)
    own = None
    close = client is None
    if client is None and scheduler:  # reach the scheduler before touching the store
        client, own = _client(scheduler, workers)
    try:
        return _run(sweep, output, client, own, scheduler, workers, runner, retry_failed, progress, log)
    finally:
        if close and client is not None:
            client.close()


def _run(sweep, output, client, own, scheduler, workers, runner, retry_failed, progress, log):
    from distributed import as_completed
    from tqdm import tqdm

    store, resumed = init_store(sweep, output)
    store = _plain_strings(store)
    status = store["status"].values.astype(str)
    attempts = store["attempt"].values.astype(int)
    todo_states = {STATUS_PENDING, ""} | ({"failed"} if retry_failed else set())
    todo = [pos for pos in range(len(sweep.members)) if status[pos] in todo_states]
    if resumed:
        log(f"resuming {output}: {len(sweep.members) - len(todo)} of {len(sweep.members)} member(s) already "
            f"stored, {len(todo)} to run")
    if not todo:
        return open_sweep(output)
    if client is None:
        client, own = _client(scheduler, workers)
    try:
        futs = {}
        h = sweep.hash()
        for pos in todo:
            m = sweep.members[pos]
            f = client.submit(compute_member, m.data, sweep.dispatch, sweep.time_limit_s, sweep.hourly, runner,
                              key=f"sweep-{h}-{pos}-a{attempts[pos] + 1}", pure=False)
            futs[f] = pos
        group = open_arrays(output)
        bar = tqdm(total=len(todo), desc=f"sweep {sweep.name}", unit="member", disable=not progress,
                   file=sys.stderr)
        failed = 0
        for f in as_completed(list(futs)):
            pos = futs[f]
            try:
                res = f.result()
            except Exception as e:  # noqa: BLE001 - worker died, pickling error …
                res = {"status": "failed", "error": f"{type(e).__name__}: {e}"[:2000]}
            failed += res["status"] == "failed"
            write_member(output, pos, res, attempts[pos] + 1, group=group)
            bar.set_postfix(failed=failed, refresh=False)
            bar.update(1)
            f.release()
        bar.close()
    finally:
        if own is not None:  # a LocalCluster started here: its client, then the cluster
            client.close()
            own.close()
    return open_sweep(output)


def default_output(sweep_path: str | Path) -> Path:
    p = Path(sweep_path)
    return p.with_suffix(".zarr") if p.suffix in (".yaml", ".yml") else p.with_name(p.name + ".zarr")


def run_sweep_cli(args) -> int:
    """``twin sweep SWEEP.yaml [-o STORE.zarr] [--scheduler ADDRESS] [--workers N] [--report FILE]``."""
    from twin.errors import SweepError as BadInput

    try:
        sweep = load_sweep(args.sweep)
    except SweepError as e:
        raise BadInput(e.problems) from None
    out = Path(args.output) if getattr(args, "output", None) else default_output(args.sweep)
    problems = []
    workers = getattr(args, "workers", 2)
    if not getattr(args, "scheduler", None) and (not isinstance(workers, int) or workers < 1):
        problems.append(f"--workers: {workers!r} — at least 1")
    if not out.parent.is_dir():
        problems.append(f"-o {out}: directory {str(out.parent)!r} does not exist")
    rep = getattr(args, "report", None)
    if rep and not Path(rep).parent.is_dir():
        problems.append(f"--report {rep}: directory {str(Path(rep).parent)!r} does not exist")
    if problems:
        raise BadInput(problems)
    try:
        ds = run_sweep(sweep, out, scheduler=getattr(args, "scheduler", None), workers=workers)
    except SweepError as e:
        raise BadInput(e.problems) from None
    st = ds["status"].values.astype(str)
    counts = {s: int((st == s).sum()) for s in ("ok", "shortfall", "incomplete", "failed")}
    print(f"sweep {sweep.name}: {len(st)} member(s) in {out} — "
          + ", ".join(f"{v} {k}" for k, v in counts.items() if v))
    for pos in np.flatnonzero(st == "failed"):
        print(f"  failed member {int(ds['member_index'].values[pos])} "
              f"({ds['member_label'].values[pos]}): {ds['error'].values[pos]}")
    if rep:
        from twin.report import write_sweep_report

        write_sweep_report(ds, rep)
        print(f"wrote {rep}")
    return 0
