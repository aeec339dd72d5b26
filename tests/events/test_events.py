"""Event studies end to end: state from a stored run, faults, the event run in the store, bad input."""

from __future__ import annotations

import numpy as np
import pytest

import twin
from twin.cli import main
from twin.events import EventError, simulate_bus, state_at
from twin.store import open_run, read_summary

AT = "2025-04-02T18:00"


def test_state_at_reads_the_instant(islanded_run):
    run = open_run(islanded_run)
    st = state_at(run, AT)
    i = int(np.flatnonzero(run["time"].values == np.datetime64("2025-04-02T18:00"))[0])
    assert st.step_index == i
    assert st.online_units() == [u for u, on in zip(run["unit"].values, run["unit_on"].values[i]) if on > 0.5]
    assert st.f0_hz == 50.0  # Viet Nam
    # the bus load the sources serve equals the run's served facility power at that step
    served = float(run["facility_power_mw"].values[i] - run["unserved_mw"].values[i])
    assert st.load_mw == pytest.approx(served, rel=1e-9)


def test_gt_trip_event_is_stored_and_summarised(islanded_run, event_store, capsys):
    code = main(["event", str(islanded_run), "--at", AT, "--fault", "gt_trip", "-o", str(event_store),
                 "--run-id", "qn-trip"])
    out = capsys.readouterr().out
    assert code in (0, 1)
    assert "Frequency nadir" in out and "protections:" in out
    ds = open_run(event_store / "qn-trip")
    assert ds["time"].attrs["units"] == "s" and ds["frequency_hz"].attrs["units"] == "Hz"
    assert float(np.abs(ds["balance_residual_mw"]).max()) < 1e-6
    # the run Dataset's balance (DESIGN.md), with the UPS as a source of the facility
    bal = ds["supply_mw"].sum("source") - ds["battery_charge_mw"] + ds["unserved_mw"] - ds["facility_power_mw"]
    assert float(np.abs(bal).max()) < 1e-6
    parts = ds["it_power_mw"] + ds["cooling_power_mw"] + ds["losses_mw"] - ds["facility_power_mw"]
    assert float(np.abs(parts).max()) < 1e-6
    assert float(ds["frequency_nadir_hz"]) < 50.0
    from twin.variables import REGISTRY

    assert [v for v in ds.data_vars if v not in REGISTRY] == []  # every variable through the registry
    # the largest running unit tripped; the frequency settles where droop and the battery hold it
    s = read_summary(event_store / "qn-trip")
    assert s["run_kind"] == "event" and s["kpi"]["frequency_nadir_hz"] == pytest.approx(float(ds["frequency_nadir_hz"]))
    assert "tripped (fault) at 0.00 s" in s["kpi"]["protections"]
    assert main(["summary", str(event_store / "qn-trip")]) == 0
    assert "Frequency nadir" in capsys.readouterr().out


def test_ufls_shed_and_battery_change_the_nadir(islanded_run):
    run = open_run(islanded_run)
    base = twin.event(run, at=AT, fault="gt_trip")
    no_bat = twin.event(run, at=AT, fault="gt_trip", dynamics={"battery_ffr": False})
    assert float(no_bat["frequency_nadir_hz"]) < float(base["frequency_nadir_hz"])
    stages = no_bat["ufls_stage_time_s"].values
    shed = float(no_bat["shed_mw"].values[-1])
    st = state_at(run, AT)
    frac = sum(s.shed_frac for s, t in zip(st.scenario().dynamics.ufls, stages) if np.isfinite(t))
    assert shed == pytest.approx(frac * st.load_mw, rel=1e-9)
    # shed IT rides on the UPS (5 min autonomy > 60 s): carried, not lost
    assert float(no_bat["ups_discharge_mw"].values[-1]) > 0


def test_cooling_loss_heats_up_and_throttles(islanded_run):
    run = open_run(islanded_run)
    ds = twin.event(run, at=AT, fault="cdu_loss:ai-hall-2", duration="2min", step="50ms")
    j = list(ds["hall"].values).index("ai-hall-2")
    t_liq = ds["hall_coolant_supply_c"].values[:, j]
    assert t_liq[0] == pytest.approx(45.0)  # W45 supply held by the plant at the instant
    assert np.isfinite(float(ds["minutes_to_cooling_limit"]))
    assert ds["hall_it_throttle_frac"].values[:, j].min() < 1.0
    other = ds["hall_coolant_supply_c"].values[:, 1 - j]
    assert np.nanmax(np.abs(other - other[0])) < 1e-9  # the other hall's loop is untouched
    assert "throttling" in ds.attrs["protections"]


def test_chiller_restart_rides_through(islanded_run):
    ds = twin.event(open_run(islanded_run), at=AT, fault=[{"at_s": 0, "fault": "chiller_loss:ai-hall-1", "restart_min": 1}],
                    duration="3min", step="50ms")
    assert np.isnan(float(ds["minutes_to_cooling_limit"]))
    j = list(ds["hall"].values).index("ai-hall-1")
    chw = ds["hall_chw_supply_c"].values[:, j]
    assert chw.max() > chw[0] + 1.0 and chw[-1] < chw.max()


def test_sequence_yaml(islanded_run, tmp_path):
    p = tmp_path / "seq.yaml"
    p.write_text("events:\n  - {at_s: 0, fault: 'gt_trip:sgt-800-1'}\n  - {at_s: 5, fault: 'gt_trip:sgt-800-2'}\n")
    ds = twin.event(open_run(islanded_run), at=AT, fault=str(p), duration="20s")
    assert "bus dead" in ds.attrs["protections"]
    assert float(ds["ups_discharge_mw"].values[-1]) > 0  # the IT rides on the UPS


def test_grid_loss_on_a_grid_fed_campus(grid_run):
    ds = twin.event(open_run(grid_run), at="2025-04-01T12:00", fault="grid_loss", duration="10s")
    assert ds["bus_dead"].values[-1] == 1.0
    assert float(ds["ups_discharge_mw"].values[-1]) == pytest.approx(float(ds["it_power_mw"].values[-1]))
    assert float(ds["unserved_mw"].values[-1]) > 0  # cooling and losses are not on the UPS


def test_simulate_bus_with_a_load_series(islanded_run):
    st = state_at(open_run(islanded_run), AT)
    t = np.arange(3000) * 0.01
    swing = 5.0 * np.sin(2 * np.pi * 0.5 * t)
    ds = simulate_bus(st, swing, 0.01)
    assert ds.sizes["time"] == 3000 and set(ds["gen_mw"].dims) == {"time", "unit"}
    f = ds["frequency_hz"].values
    assert f.min() < 50.0 < f.max()
    assert float(np.abs(ds["balance_residual_mw"]).max()) < 1e-6


@pytest.mark.parametrize("args, message", [
    (["--fault", "gt_trip:sgt-800-4"], "error: gt_trip: 'sgt-800-4' — not online at 2025-04-02 18:00:00; online: sgt-800-1, sgt-800-2"),
    (["--fault", "gt_trip", "--at", "2026-01-01"], "error: at: '2026-01-01' — outside the run"),
    (["--fault", "gt_trip", "--step", "0.2s"], "error: step: 0.2 s — larger than the fastest time constant allows"),
    (["--fault", "chiller_loss:hall-9"], "error: chiller_loss: 'hall-9' — no such hall; halls: ai-hall-1, ai-hall-2"),
    (["--fault", "boom"], "error: fault: 'boom' — unknown kind 'boom'"),
    (["--fault", "grid_loss"], "error: grid_loss: the campus has no grid feed"),
])
def test_bad_input_is_one_line_exit_2(islanded_run, capsys, args, message):
    argv = ["event", str(islanded_run), "--at", AT, *args]
    if "--at" in args:
        argv = ["event", str(islanded_run), *args]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith(message), err
    assert len(err.strip().splitlines()) == 1


def test_chiller_loss_on_an_immersion_hall_is_refused(grid_run):
    with pytest.raises(EventError, match="the hall has no chillers \\(immersion cooling\\); use cdu_loss"):
        twin.event(open_run(grid_run), at="2025-04-01T12:00", fault="chiller_loss:phase1-immersion", duration="1min")


def test_dynamic_n1_batch_matches_single_events(islanded_run, capsys):
    from twin.events.nminus1 import dynamic_n1

    run = open_run(islanded_run)
    df = dynamic_n1(run, hours=3, duration_s=20.0)
    assert len(df) == 3 and (df["contingency"].str.startswith("gt_trip:")).all()
    # the hours are those of least hourly reserve margin
    assert set(df["reserve_margin_mw"].round(9)) <= set(np.sort(run["reserve_margin_mw"].values)[:3].round(9))
    row = df.iloc[0]
    one = twin.event(run, at=row["time"], fault=row["contingency"], duration="20s")
    assert row["nadir_hz"] == pytest.approx(float(one["frequency_nadir_hz"]), abs=1e-9)
    assert row["shed_mw"] == pytest.approx(float(one["shed_mw"].values[-1]), abs=1e-9)
    code = main(["validate", "sk-quang-ninh", "--dynamic", "--run", str(islanded_run), "--hours", "2"])
    out = capsys.readouterr().out
    assert "dynamic N-1" in out and "worst:" in out
    assert code == (1 if df["ufls_stage1_reached"].any() else 0)


def test_ufls_settings_are_validated():
    from twin.scenario import ScenarioError, load_scenario, parse_scenario

    d = load_scenario("sk-quang-ninh").model_dump(mode="json")
    d["dynamics"]["ufls"] = [{"frequency_frac": 0.98, "shed_frac": 0.6}, {"frequency_frac": 0.97, "shed_frac": 0.6}]
    with pytest.raises(ScenarioError, match="dynamics: ufls stages shed 1.2 of the load in all; at most 1"):
        parse_scenario(d)


def test_grid_forming_battery_holds_the_bus_within_its_rating(grid_run):
    run = open_run(grid_run)
    # samsung-cmc-hcmc: 10 MW battery; the campus draws more, so it holds the bus, overloads and trips
    ds = twin.event(run, at="2025-04-01T12:00", fault="grid_loss", duration="5s", dynamics={"battery_grid_forming": True})
    assert "battery formed the bus alone" in ds.attrs["protections"]
    assert "battery overloaded or empty" in ds.attrs["protections"]
    assert ds["bus_dead"].values[-1] == 1.0
    # after the UFLS-free overload trip the IT rides on the UPS as with a grid-following battery
    assert float(ds["ups_discharge_mw"].values[-1]) > 0
    # with the load shed down to what the battery can carry it holds the bus at nominal
    st = state_at(run, "2025-04-01T12:00")
    held = twin.events.simulate_bus(st, np.full(500, -(st.load_mw - 5.0)), 0.01, grid_loss_s=0.0,
                                    dynamics={"battery_grid_forming": True})
    assert held["bus_dead"].values.max() == 0.0
    assert float(held["battery_discharge_mw"].values[-1]) == pytest.approx(5.0, rel=1e-6)
    assert np.nanmax(np.abs(held["frequency_hz"].values - 50.0)) < 1e-9
