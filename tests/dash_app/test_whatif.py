"""What-if helpers: edits applied to scenario text, schema problems attached to their fields."""

from __future__ import annotations

import json

import pytest
import yaml

from dash_app.pages import whatif

BASE = """\
name: base
halls:
  - name: hall-a
    cooling: {type: air, chillers: 3, thermal_storage_mwh_th: 5}
  - name: hall-b
    cooling: {type: immersion, tank_model: t1}
power:
  gas_units:
    - {model: m1, count: 2, initial_on: 2}
  battery: {power_mw: 5, energy_mwh: 10}
fuel: {lng_price_usd_per_mmbtu: 11, tank_capacity_t: 100}
"""


def test_form_values():
    v = whatif.form_values(BASE)
    assert v["name"] == "base"
    assert v["halls"] == [{"name": "hall-a", "cooling_type": "air", "chillers": 3},
                          {"name": "hall-b", "cooling_type": "immersion", "chillers": None}]
    assert v["gas_units"] == [{"model": "m1", "count": 2}]
    # absent keys take the schema's defaults (twin.scenario: solar 0, grid 0)
    assert v["scalars"]["power.solar.capacity_mwp"] == 0.0 and v["scalars"]["power.battery.energy_mwh"] == 10


def test_apply_edits():
    text = whatif.apply_edits(BASE, {
        "name": "new",
        "halls": [{"cooling_type": "air", "chillers": 4}, {"cooling_type": "direct_to_chip", "chillers": None}],
        "gas_units": [{"model": "m2", "count": 1}, {"model": "m3", "count": 0}],
        "scalars": {"power.battery.energy_mwh": 40, "power.solar.capacity_mwp": 7.5, "power.grid.capacity_mw": 3},
    })
    d = yaml.safe_load(text)
    assert d["name"] == "new"
    # same type: the block is kept, chillers updated; new type: that type's defaults
    assert d["halls"][0]["cooling"] == {"type": "air", "chillers": 4, "thermal_storage_mwh_th": 5}
    assert d["halls"][1]["cooling"] == {"type": "direct_to_chip"}
    # count lowered below initial_on: initial_on follows; a new group with count 0 is left out
    assert d["power"]["gas_units"] == [{"model": "m2", "count": 1, "initial_on": 1}]
    assert d["power"]["battery"] == {"power_mw": 5, "energy_mwh": 40}
    assert d["power"]["solar"] == {"capacity_mwp": 7.5} and d["power"]["grid"] == {"capacity_mw": 3}
    assert yaml.safe_load(BASE)["power"]["battery"]["energy_mwh"] == 10  # the base text is untouched


def test_apply_edits_switch_to_air_needs_chillers():
    d = yaml.safe_load(whatif.apply_edits(BASE, {"halls": [{}, {"cooling_type": "air", "chillers": None}]}))
    assert d["halls"][1]["cooling"] == {"type": "air", "chillers": None}  # the schema will say "chillers"


@pytest.mark.parametrize("line, field", [
    ("power.battery.energy_mwh: -5.0 — Input should be greater than or equal to 0", "power.battery.energy_mwh"),
    ("power.battery: power_mw and energy_mwh must both be zero or both positive", "power.battery"),
    ("halls[0].cooling.chillers: 0 — Input should be greater than or equal to 1", "halls[0].cooling.chillers"),
    ("halls[1].cooling.tank_model: 'x' — unknown immersion tank model", "halls[1].cooling"),
    ("halls[10].cooling: bad", whatif.GENERAL),  # no such hall in the form: not halls[1]
    ("power.gas_units[0].model: 'x' — unknown gas unit model 'x'", "power.gas_units[0].model"),
    ("(top level): gas units need an LNG tank", whatif.GENERAL),
    ("period.end: missing — required", "period"),
])
def test_problems_by_field(line, field):
    fields = whatif.field_paths(whatif.form_values(BASE))
    slots = whatif.problems_by_field([line], fields)
    assert slots[field] == [line]
    assert sum(len(v) for v in slots.values()) == 1


def test_number():
    assert whatif._number("5") == 5 and isinstance(whatif._number(5.0), int)
    assert whatif._number(2.5) == 2.5 and whatif._number(None) is None and whatif._number("") is None
    assert whatif._number("abc") == "abc"  # left for the schema to reject, by name


def test_launch_optimal_saves_a_new_run(tmp_path):
    """The background job's body: run the validated scenario (here optimal dispatch, HiGHS on one
    thread), save it under a fresh id, report progress up to 100 %."""
    from dash_app_runs import scenario_text

    from dash_app.store import RunStore

    store = RunStore(tmp_path)
    seen = []
    token = whatif.issue_job(store, scenario_text(name="launch-test", start="2025-06-01", days=1), "optimal")
    out = whatif.launch(store, {"id": token}, lambda stage, frac: seen.append(frac))
    assert out.id == "wi-done", out
    [summary] = store.list()
    assert summary["run_id"] == getattr(out, "data-run-id") and summary["dispatch"] == "optimal"
    assert seen[-1] == 1.0 and seen == sorted(seen)  # progress only moves forward


def test_launch_failure_is_text(tmp_path):
    from dash_app.store import RunStore

    store = RunStore(tmp_path)
    token = whatif.issue_job(store, "name: [unclosed", "baseline")
    out = whatif.launch(store, {"id": token}, lambda *a: None)
    assert out.id == "wi-failed" and "not valid YAML" in str(out.children)


def test_launch_runs_only_jobs_the_server_issued(tmp_path):
    """A job posted straight to the launch callback (its own scenario text, or a made-up token)
    runs nothing; an issued token runs once."""
    from dash_app.store import RunStore

    store = RunStore(tmp_path)
    for job in ({"id": "forged", "dispatch": "baseline", "text": "name: x"}, {"id": "0" * 32}):
        out = whatif.launch(store, job, lambda *a: None)
        assert out.id == "wi-failed"
        assert str(out.children) == (f"job {job['id']!r} refused — it was not issued by this server's what-if "
                                     "check; nothing was run")
    assert store.list() == []
    token = whatif.issue_job(store, "name: [unclosed", "baseline")
    assert "not valid YAML" in str(whatif.launch(store, {"id": token}, lambda *a: None).children)
    assert "not issued" in str(whatif.launch(store, {"id": token}, lambda *a: None).children)  # once only


def test_checks_warn_before_the_run_and_launch_only_when_confirmed(dash_call, store_runs):
    """GB200 racks (120 kW) put under air: valid for the schema, flagged by twin.checks
    (check_air_density) — shown before anything runs; "Launch anyway" hands over the same job."""
    from test_app_server import _validate

    from dash_app.pages.whatif import HIDDEN, SHOWN, _jobs
    from dash_app.store import RunStore

    errors, resp = _validate(dash_call, store_runs["a"], cooling=("air", "air"))
    assert all(v == "[]" for v in errors.values())
    assert "wi-job" not in resp  # nothing launched yet
    status = json.dumps(resp["wi-status"]["children"], ensure_ascii=False)
    assert "the scenario's checks flag 1 finding(s) — nothing is running yet" in status
    assert "halls[1].rack_model: 'gb200-nvl72' draws" in status and "air alone can cool" in status
    assert resp["wi-confirm-box"]["style"] == SHOWN
    pending = resp["wi-pending"]["data"]
    assert _jobs(RunStore(store_runs["dir"])).get(pending["id"]) is not None  # issued, waiting
    _, resp2 = _validate(dash_call, store_runs["a"], cooling=("air", "air"), confirm=True, pending=pending)
    assert resp2["wi-job"]["data"] == pending and resp2["wi-confirm-box"]["style"] == HIDDEN
    assert resp2["wi-pending"]["data"] is None
    # "Launch anyway" with nothing pending launches nothing
    _, resp3 = _validate(dash_call, store_runs["a"], confirm=True, pending=None)
    assert "wi-job" not in resp3


def test_unflagged_edits_launch_at_once(dash_call, store_runs):
    from test_app_server import _validate

    from dash_app.pages.whatif import HIDDEN

    _, resp = _validate(dash_call, store_runs["a"])  # the default halls: no check finding
    assert resp["wi-job"]["data"]["id"] and resp["wi-confirm-box"]["style"] == HIDDEN
    assert "Valid — launching" in json.dumps(resp["wi-status"]["children"], ensure_ascii=False)
