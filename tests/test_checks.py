"""`twin validate`'s consistency checks: they warn with the field, the value and why."""

from __future__ import annotations

from twin.checks import run_checks
from twin.cli import main
from twin.scenario import load_scenario, parse_scenario


def _sc(mutate):
    d = load_scenario("default").model_dump(mode="json")
    mutate(d)
    return parse_scenario(d)


def test_default_has_no_findings():
    assert run_checks(load_scenario("default")) == []


def test_dense_rack_on_air_is_flagged():
    def m(d):
        d["halls"][0]["rack_model"] = "gb200-nvl72"
        d["halls"][0]["racks"] = 10

    msgs = [m for _, m in run_checks(_sc(m))]
    assert any(x.startswith("halls[0].rack_model: 'gb200-nvl72' draws 120 kW") for x in msgs)


def test_short_firm_capacity_and_cooling_are_flagged(capsys):
    def m(d):
        d["power"]["gas_units"] = []
        d["fuel"]["tank_capacity_t"] = 0
        d["power"]["grid"]["capacity_mw"] = 4
        d["halls"][0]["cooling"]["chillers"] = 1
        d["halls"][0]["racks"] = 400   # 8 MW of heat on one 5 MW chiller

    findings = run_checks(_sc(m))
    text = "\n".join(m for _, m in findings)
    assert "power: N-1 firm supply falls short" in text
    assert "expect unserved load" in text
    assert "halls[hall-a].cooling: cannot remove all heat" in text
