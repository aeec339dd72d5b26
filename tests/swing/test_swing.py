"""twin.swing: swing per hall from a stored run, campus dynamics through the event engine,
compliance, costed mitigations, storage, CLI and bad input."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from twin import catalog
from twin.cli import main
from twin.events import state_at
from twin.scenario import SwingLimits, loads_scenario
from twin.store import open_run
from twin.swing import (
    SwingError,
    amplitude_spectrum,
    campus_dynamics,
    compliance,
    dynamic_range_mw,
    hall_swing,
    max_ramp_mw_per_s,
    open_swing,
    save_swing,
    swing_study,
    tables,
)

STEP = 0.01
NO_EVENTS = {"checkpoint_interval_s": None, "failure_at_s": 1e9, "jitter_s": 0.0}


# ------------------------------------------------------------------------------ swing per hall
def test_hall_swing_mean_is_the_runs_hourly_it_power(qn_run):
    ds = open_run(qn_run)
    sc = loads_scenario(ds.attrs["scenario_yaml"])
    sc.swing.job = sc.swing.job.model_copy(update=NO_EVENTS)
    t = np.arange(int(60 / STEP)) * STEP          # 30 whole iterations of 2 s
    it = float(ds["hall_it_power_mw"].isel(time=12).sel(hall="ai-hall-1"))
    hs = hall_swing(sc, "ai-hall-1", it, t)
    # energy-consistent with the hourly twin: the swing's mean is the hall's IT power
    assert hs.power_mw.mean() == pytest.approx(it, rel=1e-9)
    # the job is the hall's training racks: 250 racks x training share 0.7 (preset)
    assert hs.sync_racks == 175 and hs.gpus == 175 * 72
    rack = catalog.lookup("racks", "gb200-nvl72")
    assert hs.busy_mw == pytest.approx(175 * rack["rack_kw_max"] / 1000.0)


def test_amplitude_scales_with_the_synchronised_share_of_the_hall(qn_run):
    ds = open_run(qn_run)
    sc = loads_scenario(ds.attrs["scenario_yaml"])
    t = np.arange(int(60 / STEP)) * STEP
    amps = []
    for share in (1.0, 0.5):
        sc.swing.job = sc.swing.job.model_copy(update={**NO_EVENTS, "sync_frac": share})
        hs = hall_swing(sc, "ai-hall-1", 25.0, t)
        amps.append(np.ptp(hs.power_mw))
    assert amps[1] / amps[0] == pytest.approx(88 / 175, rel=1e-9)   # round(175 x 0.5) = 88 racks


# ---------------------------------------------------------------------------------- compliance
def test_compliance_reads_ramp_range_and_band_lines():
    t = np.arange(int(600 / STEP)) * STEP
    # a 0.8 MW line at 0.5 Hz and a 0.3 MW line at 5 Hz on 50 MW
    p = 50 + 0.8 * np.sin(2 * np.pi * 0.5 * t) + 0.3 * np.sin(2 * np.pi * 5.0 * t)
    f, a = amplitude_spectrum(p, STEP)
    assert a[np.argmin(abs(f - 0.5))] == pytest.approx(0.8, rel=0.01)
    limits = SwingLimits()        # 2 % and 0.5 % of the mean in the two bands (scenario defaults)
    c = compliance(p, STEP, limits, ramp_limit_mw_per_s=10.0).set_index("check")
    assert c.loc["band 0.1-2 Hz", "value"] == pytest.approx(0.8, rel=0.01)
    assert c.loc["band 0.1-2 Hz", "limit"] == pytest.approx(0.02 * 50, rel=1e-3)
    assert bool(c.loc["band 0.1-2 Hz", "passes"]) and not bool(c.loc["band 2-30 Hz", "passes"])
    assert c.loc["band 2-30 Hz", "margin"] == pytest.approx(0.005 * 50 - 0.3, abs=0.005)
    # a linear ramp of 3 MW/s: the ramp check reads it exactly; range over 1 s = 3 MW
    r = 3.0 * t
    assert max_ramp_mw_per_s(r, STEP, 1.0) == pytest.approx(3.0)
    assert dynamic_range_mw(r, STEP, 1.0) == pytest.approx(3.0)


def test_band_above_nyquist_is_bad_input():
    lim = SwingLimits()
    with pytest.raises(SwingError, match=r"^swing.limits.bands: 2-30 Hz — above the Nyquist frequency 25 Hz"):
        compliance(np.ones(1000), 0.02, lim, ramp_limit_mw_per_s=1.0)


# ---------------------------------------------------------------------------------- dynamics
def test_chunked_dynamics_agree_with_one_continuous_integration(qn_run):
    ds = open_run(qn_run)
    st = state_at(ds, "2025-07-01T12:00")
    t = np.arange(int(150 / STEP)) * STEP
    delta = 4.0 * (np.mod(t, 2.0) < 1.6) - 3.2      # a zero-mean 4 MW swing
    delta *= np.clip(t / 5.0, 0, 1)
    one = campus_dynamics(st, delta, STEP, chunk_s=1e9)
    chunked = campus_dynamics(st, delta, STEP, chunk_s=30.0, warmup_s=30.0)
    assert one["chunks"] == 1 and chunked["chunks"] == 5
    dev = one["frequency_hz"] - st.f0_hz
    err = np.abs(chunked["frequency_hz"] - one["frequency_hz"])
    assert err.max() <= 0.05 * np.ptp(dev)
    assert chunked["protections"] == "none"
    # the islanded bus: the units' electrical output plus the battery carries the load change
    # (compared over 1 s means: the sources are integrated at the engine's 20 ms step, and the
    # cooling load's frequency damping moves the served load by a little)
    served = chunked["gen_mw"].sum(axis=1) + chunked["battery_mw"] - (st.gen_mw.sum() + st.battery_output_mw)
    k = np.ones(100) / 100
    assert np.abs(np.convolve(served - delta, k, "valid")).max() < 0.05 * np.ptp(delta)


# ------------------------------------------------------------------------------- study + costs
@pytest.fixture(scope="module")
def qn_study(qn_run):
    return swing_study(qn_run, at="2025-07-01T12:00", duration_s=120.0, step_s=STEP,
                       job={"failure_at_s": 60.0, "restart_s": 20.0})


def test_study_dataset_and_tables(qn_study):
    ds = qn_study
    assert ds.attrs["run_kind"] == "swing" and ds.attrs["connection_point"] == "gas units' terminals"
    assert ds["swing_hall_it_power_mw"].dims == ("time", "hall") and ds.sizes["time"] == 12000
    assert ds["swing_poc_mw"].attrs.get("units") == "MW"
    # the job's failure at 60 s throws ~17 MW off an island on two 50 MW units: over-frequency
    assert 49.0 < ds.attrs["frequency_min_hz"] <= 50.0 < 50.5 < ds.attrs["frequency_max_hz"] < 52.0
    assert ds.attrs["frequency_mitigated_max_hz"] < ds.attrs["frequency_max_hz"]
    t = tables(ds)
    assert list(t["compliance"]["check"]) == ["max ramp", "dynamic range", "band 0.1-2 Hz", "band 2-30 Hz"]
    assert not t["compliance"]["passes"].all()          # an unmitigated 60 MW training campus fails
    assert t["compliance_mitigated"]["passes"].all()
    m = t["mitigations"]
    assert set(m["hall"]) == {"ai-hall-1", "ai-hall-2"}
    for hall, g in m.groupby("hall"):
        best = g[g["measure"] == "cheapest passing"].iloc[0]
        assert bool(best["passes"])
        passing = g[(g["measure"] != "cheapest passing") & g["passes"]]
        assert (best["usd_per_yr"] <= passing["usd_per_yr"] + 1e-6).all()
        assert g[g["measure"] == "none"]["usd_per_yr"].iloc[0] == 0.0


def test_floor_cost_is_its_energy_at_the_runs_price(qn_run):
    ds = swing_study(qn_run, at="2025-07-01T12:00", duration_s=60.0, step_s=STEP, hall="ai-hall-1",
                     floor_frac=0.8, dynamics=False, job=NO_EVENTS)
    run = open_run(qn_run)
    price = float(run["cost_usd"].sum()) / float(run["facility_power_mw"].sum())  # hourly steps: MW = MWh
    m = tables(ds)["mitigations"].set_index("measure")
    fl = m.loc["GPU power floor"]
    assert fl["settings"] == "floor 80% TDP"
    assert fl["burn_usd_per_yr"] == pytest.approx(fl["burn_mwh_per_yr"] * price, rel=1e-9)
    # hand-computed: 175 racks x 120 kW; the floor fills (0.8 x 21 MW - comm) for the communication
    # share of every 2 s iteration; a year of training at duty 0.9
    sc = loads_scenario(run.attrs["scenario_yaml"])
    comm = 21.0 * (0.33 + 0.67 * 0.1)
    cf = 178 / 200       # compute share making the mean utilisation 0.9, (0.9 - 0.1) / 0.9, in whole 10 ms steps
    per_h = (1 - cf) * (0.8 * 21.0 - comm)      # MWh per hour of training
    assert fl["burn_mwh_per_yr"] == pytest.approx(per_h * 8760 * sc.swing.job.duty_frac, rel=1e-6)


def test_grid_connected_site_is_checked_at_the_grid_import(ulsan_run):
    ds = swing_study(ulsan_run, at="2025-07-01T12:00", duration_s=60.0, step_s=STEP, hall="hall-1",
                     job=NO_EVENTS)
    assert ds.attrs["connection_point"] == "grid import"
    assert ds.attrs["ramp_limit_source"].startswith("10 % of the grid capacity")
    assert "grid_import_mw" in ds
    # the strong grid takes the swing: the grid import swings by nearly the hall's swing
    hall = ds["swing_hall_it_power_mw"].sel(hall="hall-1").values
    tail = ds["time"].values > 10
    assert np.ptp(ds["swing_poc_mw"].values[tail]) == pytest.approx(np.ptp(hall[tail]), rel=0.1)


def test_store_round_trip(qn_study, tmp_path):
    p = save_swing(qn_study, tmp_path, run_id="qn-swing")
    assert sorted(f.name for f in p.iterdir()) == ["run.nc", "scenario.yaml", "summary.json"]
    back = open_swing(p)
    assert back.attrs["run_kind"] == "swing"
    assert np.allclose(back["swing_poc_mw"].values, qn_study["swing_poc_mw"].values)
    pd.testing.assert_frame_equal(tables(back)["mitigations"], tables(qn_study)["mitigations"])


# --------------------------------------------------------------------------------- CLI, input
def test_cli_bad_input_one_line_exit_2(qn_run, tmp_path, capsys):
    notime = tmp_path / "notime.csv"
    notime.write_text("t,power_mw\n0,20\n1,21\n")
    cases = [
        (["--iteration", "0.015"], "error: swing.job.iteration_s: 0.015 — shorter than two steps of 0.01 s; "
                                   "use a finer --step or a longer period"),
        (["--floor", "1.2"], "error: floor: 1.2 of TDP (25.20 MW for hall ai-hall-1) — above the busy "
                             "(compute-phase) power 21.00 MW: a floor cannot exceed the job's own peak"),
        (["--telemetry", str(notime)], "error: telemetry: notime.csv has no 'time' column (columns: t, power_mw)"),
        (["--duration", "2x"], "error: duration: '2x' — not a duration (use e.g. 1h, 600s, 10ms)"),
        (["--hall", "nope"], "error: hall: 'nope' — no such hall; halls: ai-hall-1, ai-hall-2"),
    ]
    for args, msg in cases:
        assert main(["swing", str(qn_run), "--duration", "60s", *args]) == 2
        err = capsys.readouterr().err.strip()
        assert err == msg


def test_cli_with_measured_telemetry(qn_run, tmp_path, capsys):
    t = np.arange(0, 70, STEP)
    p = 25 + 5 * (np.mod(t, 2) < 1.6)
    f = tmp_path / "tele.csv"
    pd.DataFrame({"time": t, "power_mw": p}).to_csv(f, index=False)
    # exit 0 when the cheapest mitigations pass, 1 when nothing passes
    assert main(["swing", str(qn_run), "--duration", "60s", "--hall", "ai-hall-1", "--telemetry", str(f),
                 "--no-dynamics", "-o", str(tmp_path / "store"), "--run-id", "tele"]) == 0
    out = capsys.readouterr().out
    assert "compliance without mitigations:" in out and "saved" in out
    assert main(["summary", str(tmp_path / "store" / "tele")]) in (0, 1)
    out = capsys.readouterr().out
    assert out.startswith("swing tele  [status ") and "compliance with mitigations:" in out
    ds = open_swing(tmp_path / "store" / "tele")
    assert np.allclose(ds["swing_hall_it_power_mw"].sel(hall="ai-hall-1").values, p[: 6000])


def test_figure_builders(qn_study):
    from twin.swing import fig_mitigations, fig_spectrum, fig_swing

    f = fig_swing(qn_study, window_s=30.0)
    assert [tr.name for tr in f.data] == ["unmitigated", "mitigated"]
    assert max(f.data[0].x) <= 30.0
    s = fig_spectrum(qn_study)
    limits = sorted(sh.y1 for sh in s.layout.shapes if sh.type == "rect")
    comp = tables(qn_study)["compliance"]
    assert limits == pytest.approx(sorted(comp[comp["check"].str.startswith("band")]["limit"]))
    m = fig_mitigations(qn_study)
    assert list(m.data[0].cells.values[0]) == list(tables(qn_study)["mitigations"]["hall"])
