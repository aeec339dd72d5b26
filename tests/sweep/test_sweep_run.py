"""Sweeps on a LocalCluster of 2 workers: stored KPIs, failed members, kill half way and resume."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest
import yaml

from twin import kpi
from twin.sweep import load_sweep, open_sweep, run_member

ROOT = Path(__file__).resolve().parents[2]
PY = sys.executable

# 2 cooling types x 3 LNG prices x 2 batteries = 12 members, one day each, baseline dispatch
SWEEP = {
    "name": "test-sweep",
    "base": "default",
    "overrides": {"period": {"start": "2025-04-07", "end": "2025-04-08", "step": "1h"}},
    "dispatch": "baseline",
    "parameters": {
        "halls[0].cooling.type": ["air", "immersion"],
        "fuel.lng_price_usd_per_mmbtu": [8, 12, 16],
        "power.battery": [{"power_mw": 0, "energy_mwh": 0}, {"power_mw": 5, "energy_mwh": 20}],
    },
}

# a member runner that takes a while (so the sweep can be killed half way) and fails on
# purpose for one combination (so a failed member is recorded with its reason)
SCRIPT = textwrap.dedent("""
    import os, sys, time
    from twin.sweep import load_sweep, run_sweep, run_member

    def slow(data, dispatch, time_limit_s):
        time.sleep(float(os.environ["SWEEP_TEST_DELAY_S"]))
        if data["fuel"]["lng_price_usd_per_mmbtu"] == 16 and data["power"]["battery"]["energy_mwh"] == 20 \\
                and data["halls"][0]["cooling"]["type"] == "immersion":
            raise RuntimeError("deliberate failure for the test")
        return run_member(data, dispatch, time_limit_s)

    if __name__ == "__main__":  # worker processes are spawned: they import this file too
        run_sweep(load_sweep(sys.argv[1]), sys.argv[2], workers=2, runner=slow, progress=False)
""")


def _env(delay_s: float) -> dict:
    env = dict(os.environ, SWEEP_TEST_DELAY_S=str(delay_s), OMP_NUM_THREADS="1")
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    return env


def _done(store: Path) -> int:
    try:
        st = open_sweep(store)["status"].values.astype(str)
    except Exception:  # noqa: BLE001 - not created yet
        return 0
    return int((st != "pending").sum())


@pytest.fixture(scope="module")
def killed_and_resumed(tmp_path_factory):
    """Run the 12-member sweep in a subprocess, kill it (SIGKILL, whole process group) once a
    few members are stored, record them, then resume it to the end."""
    d = tmp_path_factory.mktemp("sweep")
    f = d / "sweep.yaml"
    f.write_text(yaml.safe_dump(SWEEP, sort_keys=False))
    script = d / "run_slow.py"
    script.write_text(SCRIPT)
    store = d / "out.zarr"
    n = len(load_sweep(f).members)
    p = subprocess.Popen([PY, str(script), str(f), str(store)], env=_env(1.5), cwd=d, start_new_session=True,
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    t0 = time.time()
    try:
        while _done(store) < 3:
            if p.poll() is not None:
                pytest.fail(f"sweep ended before it could be killed:\n{p.stdout.read().decode()[-3000:]}")
            if time.time() - t0 > 240:
                pytest.fail("sweep stored fewer than 3 members in 240 s")
            time.sleep(0.05)
    finally:
        os.killpg(p.pid, signal.SIGKILL)
        p.wait()
    before = open_sweep(store).load()
    r = subprocess.run([PY, str(script), str(f), str(store)], env=_env(0.0), cwd=d, capture_output=True,
                       text=True, timeout=300)
    assert r.returncode == 0, r.stdout + r.stderr
    after = open_sweep(store).load()
    return f, store, n, before, after, r.stderr


def test_kill_half_way_then_resume_finishes_the_rest_only(killed_and_resumed):
    _, _, n, before, after, log = killed_and_resumed
    assert n == 12
    done0 = before["status"].values.astype(str) != "pending"
    assert 3 <= done0.sum() < n, "the kill must land half way"
    assert f"{int(done0.sum())} of {n} member(s) already stored, {n - int(done0.sum())} to run" in log
    st = after["status"].values.astype(str)
    assert not (st == "pending").any()
    # members stored before the kill were not recomputed: same finish time, attempt still 1
    np.testing.assert_array_equal(after["finished_utc"].values[done0].astype(str),
                                  before["finished_utc"].values[done0].astype(str))
    assert (after["attempt"].values == 1).all()
    last_before = max(before["finished_utc"].values[done0].astype(str))
    assert (after["finished_utc"].values[~done0].astype(str) > last_before).all()
    # both workers took part
    assert len(set(after["worker"].values.astype(str))) >= 2


def test_failed_member_is_recorded_with_its_reason(killed_and_resumed):
    *_, after, _ = killed_and_resumed
    st = after["status"].values.astype(str)
    failed = np.flatnonzero(st == "failed")
    assert len(failed) == 1
    pos = int(failed[0])
    assert "RuntimeError: deliberate failure for the test" in str(after["error"].values[pos])
    assert after["fuel.lng_price_usd_per_mmbtu"].values[pos] == 16
    assert str(after["halls[0].cooling.type"].values[pos]) == "immersion"
    assert np.isnan(after["pue"].values[pos])
    assert ((st == "ok") | (st == "shortfall") | (st == "failed")).all()


def test_stored_kpis_equal_the_kpi_functions_of_the_member_run(killed_and_resumed):
    f, _, _, _, after, _ = killed_and_resumed
    sw = load_sweep(f)
    for pos in (0, 7):
        m = sw.members[pos]
        ds = run_member(m.data, "baseline")
        for k in ("pue", "cost_usd", "co2_t", "lng_t", "peak_facility_mw", "water_m3", "unserved_mwh"):
            assert float(after[k].values[pos]) == pytest.approx(kpi.KPI_FUNCTIONS[k](ds), rel=1e-12, abs=1e-12), k
        np.testing.assert_allclose(after["facility_power_mw"].values[pos], ds["facility_power_mw"].values, rtol=1e-12)
        ebs = kpi.energy_by_source_mwh(ds)
        assert float(after["energy_by_source_mwh"].sel(energy_source="gas").values[pos]) == pytest.approx(ebs["gas"])
        units = [str(u) for u in ds["unit"].values]
        np.testing.assert_allclose(after["supply_by_kind_mw"].sel(supply_kind="gas").values[pos],
                                   ds["supply_mw"].sel(source=units).sum("source").values, rtol=1e-12)
    # the parameters moved the KPIs the way physics says: immersion needs less cooling power than air
    air = after["halls[0].cooling.type"].values.astype(str) == "air"
    ok = after["status"].values.astype(str) != "failed"
    assert after["pue"].values[air & ok].mean() > after["pue"].values[~air & ok].mean()
    # a dearer LNG price costs more, other inputs equal (members 0 and 2: LNG 8 vs 12, air, no battery)
    assert after["cost_usd"].values[2] > after["cost_usd"].values[0]


def test_rerun_of_a_finished_sweep_does_nothing_and_cli_reports(killed_and_resumed, tmp_path):
    from twin.cli import main

    f, store, n, _, after, _ = killed_and_resumed
    rep = tmp_path / "sweep.html"
    assert main(["sweep", str(f), "-o", str(store), "--report", str(rep)]) == 0
    again = open_sweep(store).load()
    np.testing.assert_array_equal(again["finished_utc"].values.astype(str), after["finished_utc"].values.astype(str))
    text = rep.read_text(encoding="utf-8")
    for div in ("fig-tornado", "fig-sweep-scatter", "fig-sweep-series"):
        assert f'id="{div}"' in text
    assert text.count('<tr data-member="') == n
    assert 'data-status="failed"' in text and "deliberate failure for the test" in text


def test_a_store_of_another_sweep_is_refused(killed_and_resumed, tmp_path, capsys):
    from twin.cli import main

    f, store, *_ = killed_and_resumed
    other = dict(SWEEP, parameters={"fuel.lng_price_usd_per_mmbtu": [9, 10]})
    g = tmp_path / "other.yaml"
    g.write_text(yaml.safe_dump(other))
    assert main(["sweep", str(g), "-o", str(store)]) == 2
    assert "holds a different sweep" in capsys.readouterr().err


def test_existing_scheduler_address(tmp_path, capsys):
    """``--scheduler ADDRESS``: the sweep runs on a cluster it did not start (and leaves it up)."""
    import logging

    from distributed import Client, LocalCluster

    from twin.cli import main

    # no boil-off: flared boil-off is bought as LNG too (issue #9 item 3), which would put more than the
    # burnt GJ in the fuel cost; this test isolates the price basis
    small = dict(SWEEP, parameters={"fuel.lng_price_usd_per_mmbtu": [8, 16]},
                 overrides={**SWEEP["overrides"], "fuel": {"boil_off_frac_per_day": 0.0}})
    f = tmp_path / "small.yaml"
    f.write_text(yaml.safe_dump(small))
    out = tmp_path / "small.zarr"
    with LocalCluster(n_workers=1, threads_per_worker=1, processes=False, dashboard_address=":0",
                      silence_logs=logging.ERROR) as cluster:
        assert main(["sweep", str(f), "-o", str(out), "--scheduler", cluster.scheduler_address]) == 0
        with Client(cluster.scheduler_address) as c:  # still there
            assert len(c.scheduler_info()["workers"]) == 1
    ds = open_sweep(out)
    assert set(ds["status"].values.astype(str)) <= {"ok", "shortfall"}
    # fuel cost per GJ burnt (LHV) is the swept LNG price, quoted on HHV: 8 USD/MMBtu / 1.055056 GJ/MMBtu
    # (NIST SP 811) x HHV/LHV of the stated LNG (issue #9 item 1)
    from models.lng_plant import HHV_PER_LHV

    fuel_usd = ds["cost_breakdown_usd"].sel(cost_item="fuel").values
    fuel_gj = ds["fuel_gj"].values
    assert fuel_gj[0] > 0
    assert fuel_usd[0] / fuel_gj[0] == pytest.approx(8 / 1.055056 * HHV_PER_LHV, rel=1e-6)
    assert "2 member(s)" in capsys.readouterr().out
