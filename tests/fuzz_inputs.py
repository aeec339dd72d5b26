"""Seeded fuzz of the twin's input surfaces, in process through :func:`twin.cli.main`.

Each case is a file (a mutated preset scenario, or the default scenario on a mutated EPW file)
that goes through ``twin validate`` and, when valid, a short ``twin run`` (one day, baseline
dispatch; every tenth optimised). Each case ends in one outcome class:

``clean_error``   exit 2, a message, no traceback
``run_ok``        exit 0/1 and a summary that is finite, PUE >= 1, facility >= IT energy and the
                  energy balance held at every step
``traceback``     an exception escaped ``main`` (or "Traceback" was printed)
``wrong``         exit 0/1 but the summary is not finite, PUE < 1 or the balance is broken
``accepted_bad``  a case that must be refused (an impossible value) ran with exit 0/1

Run as a script for the counts: ``python tests/fuzz_inputs.py [--seed N] [--scenarios N]
[--epw N]``; ``tests/test_fuzz.py`` runs it in the suite and asserts zero tracebacks, zero
wrong and zero accepted_bad.
"""

from __future__ import annotations

import contextlib
import copy
import importlib.util
import io
import json
import math
import random
import sys
import tempfile
import traceback
from collections import Counter
from pathlib import Path

import yaml

HOSTILE_VALUES = [None, True, False, -1, 0, 1e300, float("inf"), float("nan"), "", "x", "울산 AI 데이터센터",
                  [], {}, 10 ** 12, "../../etc/passwd", "a" * 5000, "2300-01-01", "2025-01-01T00:00:00+07:00",
                  -1e9, 1e9, 0.5, 3]
HOSTILE_NAMES = ["울산 AI 데이터센터", "", "../../x", "/etc/passwd", "a/b", ".", "..", "con", " ", "-rf",
                 "x" * 300, "tab\there", "nul\x00x", "émigré"]


# ------------------------------------------------------------------------------------ helpers
def _leaves(d, path=()):
    if isinstance(d, dict):
        for k, v in d.items():
            yield from _leaves(v, path + (k,))
    elif isinstance(d, list):
        for i, v in enumerate(d):
            yield from _leaves(v, path + (i,))
    else:
        yield path


def _containers(d, path=()):
    if isinstance(d, dict):
        yield path
        for k, v in d.items():
            yield from _containers(v, path + (k,))
    elif isinstance(d, list):
        for i, v in enumerate(d):
            yield from _containers(v, path + (i,))


def _get(d, path):
    for p in path:
        d = d[p]
    return d


def _shorten(d: dict) -> None:
    """One day from the preset's start: a short run."""
    import pandas as pd

    start = pd.Timestamp(str(d["period"]["start"]))
    d["period"]["start"] = str(start.date())
    d["period"]["end"] = str((start + pd.Timedelta("1D")).date())


def _yaml(d) -> str:
    return yaml.safe_dump(d, sort_keys=False, allow_unicode=True)


def scenario_cases(rng: random.Random, n: int, workdir: Path) -> list[tuple[str, Path, bool]]:
    """``n`` mutated presets (file, must_refuse) plus the fixed hostile scenario files."""
    from twin.scenario import SCENARIO_DIR

    # the operating presets at their usual size: the plan presets (plan-*) are checked by tests/plan and
    # the gigawatt preset's day would spend its solver budget in every optimised case
    presets = sorted(p for p in SCENARIO_DIR.glob("*.yaml")
                     if not p.stem.startswith("plan-") and p.stem != "sk-aws-ulsan-gw")
    base = {}
    for p in presets:
        d = yaml.safe_load(p.read_text(encoding="utf-8"))
        _shorten(d)
        base[p.stem] = d
    cases = []

    def add(label, content, must_refuse=False, binary=False):
        f = workdir / f"s{len(cases):04d}.yaml"
        if binary:
            f.write_bytes(content)
        else:
            f.write_text(content, encoding="utf-8")
        cases.append((label, f, must_refuse))

    # fixed hostile inputs (each must be refused cleanly, except the names, which must run)
    d0 = base["default"]
    for name in HOSTILE_NAMES:
        if "\x00" in name:
            continue
        d = copy.deepcopy(d0)
        d["name"] = name
        add(f"name {name!r:.30}", _yaml(d), must_refuse=not name.strip())
    text = _yaml(d0)
    d = copy.deepcopy(d0)
    d["description"] = "Campus near Đà Nẵng — café"
    add("latin-1 bytes", _yaml(d).encode("latin-1", errors="replace"), binary=True)
    add("utf-16 bytes", _yaml(d).encode("utf-16"), binary=True)
    d["name"] = "울산 AI 데이터센터"
    add("cp949 bytes", _yaml(d).encode("cp949", errors="replace"), binary=True, must_refuse=True)
    add("yaml 3000 deep", "name: " + "[" * 3000 + "]" * 3000 + "\n", must_refuse=True)
    add("duplicate key", text + "name: second\n", must_refuse=True)
    add("tz in start", text.replace("start: '2025-04-07'", "start: 2025-04-07T00:00:00+07:00"), must_refuse=True)
    add("year 2300", text.replace("2025-04-07", "2300-04-07").replace("2025-04-08", "2300-04-08"), must_refuse=True)
    d = copy.deepcopy(d0)
    d["halls"][0]["racks"] = True
    add("racks: true", _yaml(d), must_refuse=True)
    d = copy.deepcopy(d0)
    d["power"]["gas_units"][0]["initial_on"] = 5
    add("initial_on > count", _yaml(d), must_refuse=True)
    for path, value in ((("power", "battery", "power_mw"), 1e300), (("power", "battery", "energy_mwh"), 1e300),
                        (("halls", 0, "cooling", "chillers"), 10 ** 12), (("power", "grid", "capacity_mw"), ".inf"),
                        (("fuel", "lng_price_usd_per_mmbtu"), 1e9), (("halls", 0, "racks"), 10 ** 9)):
        d = copy.deepcopy(d0)
        _get(d, path[:-1])[path[-1]] = value
        add(f"bound {'.'.join(map(str, path))}={value}", _yaml(d).replace("'.inf'", ".inf"), must_refuse=True)
    add("empty file", "", must_refuse=True)
    add("binary", bytes(range(256)) * 4, binary=True, must_refuse=True)
    add("truncated", text[: len(text) // 2], must_refuse=True)

    # random mutations of every preset
    names = sorted(base)
    for i in range(n):
        name = names[i % len(names)]
        d = copy.deepcopy(base[name])
        op = rng.choice(["leaf", "leaf", "leaf", "scale", "scale", "delete", "unknown", "name"])
        if op == "leaf":
            path = rng.choice(list(_leaves(d)))
            _get(d, path[:-1])[path[-1]] = copy.deepcopy(rng.choice(HOSTILE_VALUES))
        elif op == "scale":
            nums = [p for p in _leaves(d) if isinstance(_get(d, p), int | float) and not isinstance(_get(d, p), bool)]
            path = rng.choice(nums)
            _get(d, path[:-1])[path[-1]] = _get(d, path) * rng.choice([-1, 0, 1e-3, 1e3, 1e6, 1e12, 2])
        elif op == "delete":
            path = rng.choice([p for p in _containers(d) if _get(d, p)])
            c = _get(d, path)
            key = rng.choice(list(c) if isinstance(c, dict) else range(len(c)))
            del c[key]
        elif op == "unknown":
            path = rng.choice([p for p in _containers(d) if isinstance(_get(d, p), dict)])
            _get(d, path)["surprise_key"] = 1
        else:
            d["name"] = rng.choice(HOSTILE_NAMES).replace("\x00", "")
        try:
            content = _yaml(d)
        except Exception:  # noqa: BLE001 - a value YAML cannot write: skip
            continue
        add(f"{name} {op}", content)
    return cases


def epw_cases(rng: random.Random, n: int, workdir: Path, good_epw: Path) -> list[tuple[str, Path, bool]]:
    """``n`` random EPW mutations plus the fixed broken files; each wrapped in a scenario."""
    lines = good_epw.read_text().splitlines()
    head, rows = lines[:8], lines[8:]
    cases = []

    def add(label, epw_text, must_refuse, binary=False):
        e = workdir / f"w{len(cases):04d}.epw"
        if binary:
            e.write_bytes(epw_text)
        else:
            e.write_text(epw_text)
        cases.append((label, e, must_refuse))

    def with_rows(rs, h=head):
        return "\n".join(h + rs) + "\n"

    def cell(rs, i, col, value):
        f = rs[i].split(",")
        f[col] = str(value)
        rs[i] = ",".join(f)

    add("truncated", with_rows(rows[: len(rows) // 3]), True)
    add("header only", with_rows([]), True)
    add("empty", "", True)
    add("binary", bytes(range(256)) * 64, True, binary=True)
    rs = rows.copy()
    rs[100] = ",".join(rs[100].split(",")[:20])
    add("row cut short", with_rows(rs), True)
    rs = rows.copy()
    rs[100] = rs[100] + ",1,2"
    add("wrong column count", with_rows(rs), True)
    rs = rows.copy()
    cell(rs, 200, 6, "warm")
    add("text in a cell", with_rows(rs), True)
    h = head.copy()
    f = h[0].split(",")
    f[8] = "99"
    h[0] = ",".join(f)
    add("time zone 99", with_rows(rows, h), True)
    rs = rows.copy()
    cell(rs, 300, 3, 25)
    add("hour 25", with_rows(rs), True)
    rs = rows.copy()
    rs[301] = rs[300]
    add("duplicate hour", with_rows(rs), True)
    rs = rows.copy()
    for i in range(len(rs)):
        cell(rs, i, 6, 99.9)
    add("every temperature missing", with_rows(rs), True)
    for col, value in ((8, 500), (6, 70), (13, -50), (21, -3)):
        rs = rows.copy()
        cell(rs, 2400, col, value)
        add(f"out of range col {col} = {value}", with_rows(rs), True)
    # random: missing codes / NaN / text in runs of 1..48 h in a random column
    cols = {6: 99.9, 8: 999, 13: 9999, 21: 999}
    for _ in range(n):
        rs = rows.copy()
        col = rng.choice(list(cols))
        value = rng.choice([cols[col], "nan", "NaN", cols[col], ""])
        length = rng.choice([1, 2, 3, 6, 7, 12, 48])
        i0 = rng.randrange(0, len(rs) - length)
        for i in range(i0, i0 + length):
            cell(rs, i, col, value)
        add(f"gap col {col} {value!r} x{length}", with_rows(rs), length > 6 or value in ("",))
    return cases


# ------------------------------------------------------------------------------------- running
def call(argv: list[str]) -> tuple[int | None, str, str]:
    """``twin.cli.main(argv)`` in process: (exit code or None if it raised, stdout, stderr)."""
    from twin.cli import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            rc = main(argv)
        except SystemExit as e:  # argparse
            rc = e.code if isinstance(e.code, int) else 2
        except BaseException:  # noqa: BLE001 - the defect being counted
            err.write(traceback.format_exc())
            rc = None
    return rc, out.getvalue(), err.getvalue()


def _finite(o) -> bool:
    if isinstance(o, dict):
        return all(_finite(v) for v in o.values())
    if isinstance(o, list):
        return all(_finite(v) for v in o)
    if o is None:
        return False
    if isinstance(o, float):
        return math.isfinite(o)
    return True


def check_run(run_dir: Path) -> str | None:
    """Why a stored run is wrong, or None."""
    import numpy as np
    import xarray as xr

    s = json.loads((run_dir / "summary.json").read_text(encoding="utf-8"))
    k = s["kpi"]
    if not _finite({x: v for x, v in k.items() if x not in ("wue_l_per_kwh",) or v is not None}):
        return "non-finite KPI"
    if k["pue"] < 1.0 or k["facility_energy_mwh"] < k["it_energy_mwh"] - 1e-9:
        return f"PUE {k['pue']}"
    with xr.open_dataset(run_dir / "run.nc") as ds:
        res = (ds["supply_mw"].sum("source") - ds["battery_charge_mw"] + ds["unserved_mw"]
               - ds["facility_power_mw"]).values
        if not np.all(np.isfinite(res)) or np.abs(res).max() > 1e-6 * max(1.0, float(ds["facility_power_mw"].max())):
            return "energy balance"
        if float(ds["pue"].min()) < 1.0:
            return "hourly PUE < 1"
    return None


def classify(scenario: Path, store: Path, must_refuse: bool, optimal: bool) -> tuple[str, str]:
    rc, out, err = call(["validate", str(scenario)])
    text = out + err
    if rc is None or "Traceback" in text:
        return "traceback", err.strip().splitlines()[-1] if err.strip() else "?"
    if rc == 2:
        return "clean_error", err.strip().splitlines()[0] if err.strip() else ""
    argv = ["run", str(scenario), "-q", "-o", str(store)] + ([] if optimal else ["--dispatch", "baseline"])
    rc, out, err = call(argv)
    if rc is None or "Traceback" in out + err:
        return "traceback", err.strip().splitlines()[-1] if err.strip() else "?"
    if rc == 2:
        return "clean_error", err.strip().splitlines()[0] if err.strip() else ""
    saved = [ln[len("saved "):] for ln in out.splitlines() if ln.startswith("saved ")]
    if not saved:
        return "wrong", f"exit {rc} without a saved run"
    why = check_run(Path(saved[-1]))
    if why:
        return "wrong", why
    if must_refuse:
        return "accepted_bad", "ran"
    return "run_ok", ""


def fuzz(seed: int = 10, n_scenarios: int = 240, n_epw: int = 40, workdir: Path | None = None,
         verbose: bool = False) -> tuple[Counter, list]:
    """Run the fuzz; return (counts per outcome class, [(class, label, detail), ...])."""
    rng = random.Random(seed)
    tmp = Path(workdir or tempfile.mkdtemp(prefix="twin-fuzz-"))
    store = tmp / "runs"
    spec = importlib.util.spec_from_file_location("_twin_test_conftest", Path(__file__).with_name("conftest.py"))
    conf = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(conf)
    good = conf._write_epw(tmp / "good.epw", "da_nang")
    cases = [("scenario",) + c for c in scenario_cases(rng, n_scenarios, tmp)]
    from twin.scenario import SCENARIO_DIR

    default = yaml.safe_load((SCENARIO_DIR / "default.yaml").read_text(encoding="utf-8"))
    _shorten(default)
    for label, epw, must in epw_cases(rng, n_epw, tmp, good):
        d = copy.deepcopy(default)
        d["site"]["weather"] = {"source": "epw", "path": str(epw)}
        f = epw.with_suffix(".yaml")
        f.write_text(_yaml(d), encoding="utf-8")
        cases.append(("epw", f"epw {label}", f, must))
    counts: Counter = Counter()
    detail = []
    for i, (kind, label, f, must) in enumerate(cases):
        cls, why = classify(f, store, must, optimal=(i % 10 == 0))
        counts[(kind, cls)] += 1
        detail.append((cls, label, why))
        if verbose and cls not in ("clean_error", "run_ok"):
            print(f"{cls:<13} {label}: {why}", file=sys.__stderr__)
    return counts, detail


if __name__ == "__main__":  # pragma: no cover
    import argparse
    import os
    import time

    os.environ.setdefault("OMP_NUM_THREADS", "1")
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", type=int, default=10)
    ap.add_argument("--scenarios", type=int, default=240)
    ap.add_argument("--epw", type=int, default=40)
    ap.add_argument("-v", "--verbose", action="store_true")
    a = ap.parse_args()
    t0 = time.perf_counter()
    counts, detail = fuzz(a.seed, a.scenarios, a.epw, verbose=a.verbose)
    dt = time.perf_counter() - t0
    print(f"{len(detail)} cases in {dt:.1f} s")
    for (kind, cls), c in sorted(counts.items()):
        print(f"{kind:<9} {cls:<13} {c}")
