"""twin.plan: schema errors, discounting, representative days, and a brute-force check of the optimum."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import yaml

from twin.cli import main
from twin.plan.check import evaluate_builds
from twin.plan.inputs import Build, discounting
from twin.plan.run import plan, plan_data
from twin.scenario import ScenarioError, loads_scenario

#: a small campus that brute force can search: one air-cooled H100 hall (~12 MW IT) in Da Nang, one
#: phase over two July days, a 10 MW grid feed, two gas-engine models, a battery and two coolings
SMALL = {
    "name": "plan-test-small",
    "site": {"name": "Da Nang (test)", "country": "VN", "latitude": 16.05, "longitude": 108.2, "utc_offset_h": 7,
             "weather": {"source": "typical", "site_id": "da_nang"}},
    "period": {"start": "2025-07-01", "end": "2025-07-03", "step": "1h"},
    "halls": [{"name": "hall-a", "rack_model": "hgx-h100-2", "racks": 600, "cooling": {"type": "air", "chillers": 4}}],
    "power": {"grid": {"capacity_mw": 0, "tariff": "evn-manufacturing-22-110kv"}},
    "fuel": {"lng_price_usd_per_mmbtu": 11, "tank_capacity_t": 3000, "initial_level_frac": 0.6, "delivery_t": 800,
             "delivery_interval_days": 2},
    "economics": {"discount_rate_frac": 0.08, "horizon_years": 15},
    "phases": [{"name": "p1", "start": "2027-01-01", "halls": {"hall-a": {"racks": 600}}}],
    "candidates": {
        "gas_units": [{"model": "wartsila-18v50sg", "max_count": 2}, {"model": "dea-vn-gas-engine-20", "max_count": 2}],
        "battery": {"power_mw": [0, 10], "energy_mwh": [0, 20]},
        "grid": [{"name": "evn-10mw", "capacity_mw": 10, "circuits": 2, "lead_time_months": 0}],
        "cooling": {"hall-a": [{"type": "air", "chillers": 4}, {"type": "immersion"}]},
    },
}


def _sc(mutate=None):
    d = yaml.safe_load(yaml.safe_dump(SMALL))
    if mutate:
        mutate(d)
    return loads_scenario(yaml.safe_dump(d))


def _problems(mutate):
    with pytest.raises(ScenarioError) as e:
        sc = _sc(mutate)
        plan(sc, check=False, marginals=False, sensitivities=False)
    return e.value.problems


# ------------------------------------------------------------------------------ bad input
def test_a_phase_that_shrinks_it_names_the_field():
    def m(d):
        d["phases"].append({"name": "p2", "start": "2028-01-01", "halls": {"hall-a": {"racks": 300}}})

    (line,) = _problems(m)
    assert line.startswith("(top level)") or "phases[1].halls.hall-a" in line
    assert "phases[1].halls.hall-a: IT falls from 12.24 MW to 6.12 MW" in line


def test_a_candidate_not_in_the_cost_catalogue_names_the_field():
    def m(d):
        d["candidates"]["gas_units"][0]["model"] = "sgt-800-cc-3x1"

    (line,) = _problems(m)
    assert line.startswith("candidates.gas_units.0.model:") or line.startswith("candidates.gas_units[0].model:")
    assert "unknown gas unit model 'sgt-800-cc-3x1'" in line


def test_a_lifetime_of_zero_names_the_field():
    def m(d):
        d["economics"]["lifetimes_years"] = {"li-ion-energy": 0}

    (line,) = _problems(m)
    assert line == ("economics.lifetimes_years: lifetime of 'li-ion-energy' is 0 years; an asset lifetime must be > 0")


def test_a_costless_gas_model_is_rejected_by_the_plan(monkeypatch):
    from twin import catalog

    real = catalog.names

    def names(kind):  # the cost table without the engine's row
        return [n for n in real(kind) if n != "wartsila-18v50sg"] if kind == "technology_costs" else real(kind)

    monkeypatch.setattr(catalog, "names", names)
    (line,) = _problems(None)
    assert line.startswith("candidates.gas_units[0].model: 'wartsila-18v50sg' — not in the cost catalogue")


def test_cli_plan_bad_input_exits_2(tmp_path, capsys):
    d = yaml.safe_load(yaml.safe_dump(SMALL))
    d["phases"][0]["start"] = "2027-01-01"
    d["phases"].append({"name": "p0", "start": "2026-01-01", "halls": {"hall-a": {"racks": 600}}})
    p = tmp_path / "bad.yaml"
    p.write_text(yaml.safe_dump(d))
    assert main(["plan", str(p), "-o", str(tmp_path), "-q"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "phases[1].start: 2026-01-01 is not after phase 'p1'" in err[0]


@pytest.mark.parametrize("args, field", [(["--check-time-limit", "0"], "--check-time-limit: 0.0 must be a positive number of seconds"),
                                         (["--check-workers", "0"], "--check-workers: 0 must be at least 1")])
def test_cli_plan_bad_check_options_exit_2(tmp_path, capsys, args, field):
    p = tmp_path / "small.yaml"
    p.write_text(yaml.safe_dump(SMALL))
    assert main(["plan", str(p), "-o", str(tmp_path), "-q", *args]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and field in err[0]


# ------------------------------------------------------------------------------ discounting
def test_discounting_by_hand():
    sc = _sc(lambda d: d["economics"].update(discount_rate_frac=0.1, horizon_years=2))
    disc = discounting(sc)
    # mid-year discounting: 1/1.1^0.5 + 1/1.1^1.5 (hand computation)
    assert disc.op[0] == pytest.approx(1 / 1.1 ** 0.5 + 1 / 1.1 ** 1.5, rel=1e-12)
    # capital recovery factor of a 20-year asset at 10 %: 0.1 / (1 - 1.1^-20) = 0.117460 (annuity tables)
    assert disc.crf("li-ion-energy") == pytest.approx(0.1174596, rel=1e-6)
    # flat LNG 11 USD/MMBtu (HHV, the default quote) = 11 / 1.055056 USD per GJ HHV; the fuel curves burn
    # GJ LHV, one of which is HHV/LHV ~ 1.107 GJ HHV (IPCC 2006 Vol. 2 ch. 1: ~1.1 for natural gas), over
    # the same two discounted years -- the price a run's physics charges (lng_price_usd_per_gj)
    from models import lng_plant

    assert lng_plant.HHV_PER_LHV == pytest.approx(1.107, abs=0.005)
    assert disc.fuel_usd_per_gj["flat"][0] == pytest.approx(11 / 1.055056 * lng_plant.HHV_PER_LHV * disc.op[0],
                                                            rel=1e-12)


# ------------------------------------------------------------------------------ representative days
def test_representative_days_cover_the_period_and_keep_the_design_days():
    d = yaml.safe_load(yaml.safe_dump(SMALL))
    d["period"] = {"start": "2025-06-01", "end": "2025-08-01", "step": "1h"}
    sc = loads_scenario(yaml.safe_dump(d))
    pd_ = plan_data(sc, n_typical_days=4)
    rep, phys = pd_.rep, pd_.phys
    assert rep.weight.sum() == rep.n_days == 61
    days_wb = phys.wetbulb_c.reshape(61, 24).max(axis=1)
    assert int(np.argmax(days_wb)) in set(rep.days.tolist())  # the hottest wet-bulb day is kept
    fac = phys.phases[0].facility_mw[("hall-a", 0)].reshape(61, 24).max(axis=1)
    assert int(np.argmax(fac)) in set(rep.days.tolist())  # and the day of the highest facility power
    assert "extreme" in rep.kind


# ------------------------------------------------------------------------------ brute force
def test_plan_picks_the_cheapest_build_of_a_brute_force_search(tmp_path):
    """Every combination of 0-2 units of one engine model x 0-1 of the other x two battery sizes x two
    coolings (24), each through the full-period optimised dispatch (two days here to keep the test
    short; the issue's 0-4 units x three batteries search runs in benchmarks/bench_plan.py); the plan's
    build, checked the same way, is the cheapest within the aggregation error it reports."""
    sc = _sc()
    ds = plan(sc, n_typical_days=8, marginals=False, sensitivities=False)
    err = float(ds.attrs["max_abs_aggregation_error_frac"])
    d = plan_data(sc, n_typical_days=8)
    plan_build = [Build(gas={m: int(ds["plan_units"].sel(phase="p1", technology=m)) for m in d.models},
                        battery_mw=float(ds["plan_capacity_mw"].sel(phase="p1", technology="battery")),
                        battery_mwh=float(ds["plan_energy_mwh"].sel(phase="p1", technology="battery")),
                        grid=str(ds["plan_grid_option"].sel(phase="p1").item()) or None,
                        cooling={"hall-a": ["air", "immersion"].index(str(ds["plan_cooling"].sel(phase="p1", hall="hall-a").item()))})]
    planned = evaluate_builds(sc, plan_build, d=d)["npv_usd"]
    best = np.inf
    for n1, n2, (bp, be), cool in itertools.product(range(3), range(2), [(0, 0), (10, 20)], range(2)):
        b = Build(gas={d.models[0]: n1, d.models[1]: n2}, battery_mw=bp, battery_mwh=be, grid="evn-10mw",
                  cooling={"hall-a": cool})
        best = min(best, evaluate_builds(sc, [b], d=d)["npv_usd"])
    # the plan is at least as cheap as the best combination, up to its reported aggregation error
    assert planned <= best * (1 + err + 1e-3)
    # the aggregation error itself (plan estimate vs the full-period dispatch of its build): 5.0 % before
    # issue #14's fixes (fuel priced per GJ HHV on LHV fuel; the estimate taken from the investment MILP's
    # continuous commitment and "built" N-1), 0.45 % with the estimate re-solved at the build with the
    # dispatch's integer commitment and running N-1 (benchmarks/README.md); the aim is 1 %
    assert err < 0.01
    # stored like a run: the plan folder, and the phase's full-year check as an ordinary run
    from twin.store import open_plan, open_run, save_plan

    path = save_plan(ds, tmp_path, plan_id="small-plan")
    again = open_plan(path)
    assert float(again["plan_npv_usd"]) == pytest.approx(float(ds["plan_npv_usd"]), rel=1e-12)
    run = open_run(tmp_path / str(again["plan_check_run_id"].sel(phase="p1").item()))
    assert run.sizes["time"] == 48
    html = (path / "report.html").read_text()
    for section in ("Build schedule", "Costs per phase", "aggregation error", "Representative days"):
        assert section in html


# ------------------------------------------------------------------------------ relaxed commitment
def test_a_unit_whose_minimum_load_exceeds_the_phase_is_replanned_with_whole_units():
    """A ~30 MW campus whose only gas candidate is a 150 MW combined-cycle block (minimum load 40 %,
    60 MW): the relaxed commitment runs a quarter of the block and builds it; whole units cannot run
    it, so the operation estimate sheds load.  With ``refine`` the phase is planned again with integer
    commitment: the block is not built, and the plan (the same integer estimate) is cheaper."""
    def m(d):
        d["halls"][0].update(racks=1200)
        d["phases"][0]["halls"]["hall-a"].update(racks=1200)
        d["candidates"].update(gas_units=[{"model": "sgt-800-cc-2x1", "max_count": 1}],
                               battery={"power_mw": [0, 40], "energy_mwh": [0, 160]})

    sc = _sc(m)
    kw = dict(n_typical_days=8, marginals=False, sensitivities=False, check=False)
    relaxed = plan(sc, refine=False, **kw)
    refined = plan(sc, **kw)
    assert int(relaxed["plan_units"].sel(phase="p1", technology="sgt-800-cc-2x1")) == 1
    assert relaxed.attrs["integer_commitment_phases"] == "" and relaxed.attrs["plan_rounds"] == 1
    assert refined.attrs["integer_commitment_phases"] == "p1" and refined.attrs["plan_rounds"] == 2
    assert int(refined["plan_units"].sel(phase="p1", technology="sgt-800-cc-2x1")) == 0
    assert float(refined["plan_npv_usd"]) < 0.9 * float(relaxed["plan_npv_usd"])
    # what is still short is named, not hidden
    assert "phase 'p1': unserved load" in refined.attrs["problems"]


def test_the_valid_inequalities_on_built_units_cut_off_no_optimum():
    """``built_none`` (nothing built, nothing to cover) and ``built_stays`` (built stays built) are
    valid inequalities: the plan MILP without them has the same optimum, and with them the "any unit
    built" binary of every model and phase is 1 exactly where a unit is built."""
    from twin.plan.model import build_model, solve

    def grow(d):
        d["phases"][0]["halls"]["hall-a"]["racks"] = 300
        d["phases"].append({"name": "p2", "start": "2028-01-01", "halls": {"hall-a": {"racks": 600}}})

    d = plan_data(_sc(grow), n_typical_days=8)
    m, bare = build_model(d), build_model(d)
    bare.built_none.deactivate()
    bare.built_stays.deactivate()
    assert len(m.built_none) == 4 and len(m.built_stays) == 2
    with_rows, without = solve(m, mip_rel_gap=1e-5), solve(bare, mip_rel_gap=1e-5)
    assert with_rows["ok"] and without["ok"]
    assert with_rows["objective"] == pytest.approx(without["objective"], rel=2e-5)
    built = {(g, p): round(pyo_value(m.N[g, p])) for g in range(2) for p in range(2)}
    assert any(built.values())  # the case builds a unit, so the rows are tested where they bind
    assert {k: round(pyo_value(m.built_any[k])) for k in built} == {k: int(n > 0) for k, n in built.items()}


def test_with_the_build_fixed_the_phases_and_days_solve_one_by_one_to_the_same_cost():
    """The operation estimate solves phase by phase and, where no row links the days, day by day; the
    result equals the one MILP over every phase and day within the gap."""
    sc = _sc(lambda d: d["phases"].append({"name": "p2", "start": "2028-01-01", "halls": {"hall-a": {"racks": 600}}}))
    _same_cost_split_or_whole(sc, ["day", "day"])


def test_a_binding_lng_budget_solves_the_phase_whole_to_the_same_cost():
    """The phase's LNG budget cut to 90 % of what its days burn at their own optimum: the days'
    solutions break it, so the phase is solved as one MILP (and still equals the one MILP)."""
    _same_cost_split_or_whole(_sc(), ["phase"], lng_budget_frac=0.9)


def _same_cost_split_or_whole(sc, by, lng_budget_frac=None):
    from twin.plan.model import PlanData, build_model, solve, solve_phases
    from twin.plan.run import fixed_from

    d = plan_data(sc, n_typical_days=8)
    m = build_model(d)
    assert solve(m, mip_rel_gap=1e-4)["ok"]
    d_op = PlanData(**{**d.__dict__, "reserve": "running", "commitment": "integer"})
    whole = build_model(d_op, fixed=fixed_from(m, d))
    one = solve(whole, mip_rel_gap=1e-5)
    parts = build_model(d_op, fixed=fixed_from(m, d))
    if lng_budget_frac is not None:
        burnt = pyo_value(whole.lng_budget[0].body)
        for mm in (whole, parts):
            mm.lng_budget[0].set_value(mm.lng_budget[0].body <= lng_budget_frac * burnt)
        one = solve(whole, mip_rel_gap=1e-5)
        assert pyo_value(whole.lng_budget[0].body) <= lng_budget_frac * burnt * (1 + 1e-6)
    split = solve_phases(parts, len(by), mip_rel_gap=1e-5)
    capex = float(pyo_value(parts.capex_npv))
    assert split["ok"] and [r["by"] for r in split["phases"]] == by
    assert split["objective"] + capex == pytest.approx(one["objective"], rel=2e-4)
    # the values left in the model are the split solution's (the plan reads them)
    assert float(pyo_value(parts.obj)) == pytest.approx(split["objective"] + capex, rel=1e-9)


def pyo_value(x):
    import pyomo.environ as pyo

    return pyo.value(x)


# ------------------------------------------------------------------------------ concurrent checks
def test_checks_in_two_processes_equal_the_checks_in_one():
    from twin.plan.check import check_phases

    sc = _sc(lambda d: d["phases"].append({"name": "p2", "start": "2028-01-01", "halls": {"hall-a": {"racks": 600}}}))
    b = Build(gas={"wartsila-18v50sg": 1}, battery_mw=5, battery_mwh=10, grid="evn-10mw", cooling={"hall-a": 1})
    two = check_phases(sc, [b, b], workers=2)
    one = check_phases(sc, [b, b], workers=1)
    assert [c["phase"] for c in two] == ["p1", "p2"]
    assert [c["op_usd_per_yr"] for c in two] == pytest.approx([c["op_usd_per_yr"] for c in one], rel=1e-9)


@pytest.mark.parametrize("mutate, field", [
    (lambda d: d["phases"].append({"name": "p2", "start": "2028-01-01", "halls": {"hall-a": {"racks": 300}}}),
     "phases[1].halls.hall-a"),
    (lambda d: d["candidates"]["gas_units"][0].update(model="sgt-800-cc-3x1"), "candidates.gas_units"),
    (lambda d: d["economics"].update(lifetimes_years={"li-ion-energy": 0}), "economics.lifetimes_years"),
])
def test_cli_plan_each_bad_input_is_one_line_naming_the_field_exit_2(tmp_path, capsys, mutate, field):
    d = yaml.safe_load(yaml.safe_dump(SMALL))
    mutate(d)
    p = tmp_path / "bad.yaml"
    p.write_text(yaml.safe_dump(d))
    assert main(["plan", str(p), "-o", str(tmp_path), "-q"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and field in err[0]
