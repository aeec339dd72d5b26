"""Sweep files: parameter paths, the rules for setting values, validation of every member."""

from __future__ import annotations

import copy

import pytest
import yaml

from twin.cli import main
from twin.sweep import (SweepError, default_chillers, load_sweep, parse_path, parse_sweep, set_path)

SHORT = {"period": {"start": "2025-04-07", "end": "2025-04-08"}}


def test_parse_path():
    assert parse_path("fuel.lng_price_usd_per_mmbtu") == ["fuel", "lng_price_usd_per_mmbtu"]
    assert parse_path("halls[0].cooling.type") == ["halls", 0, "cooling", "type"]
    assert parse_path("power.gas_units[1].count") == ["power", "gas_units", 1, "count"]
    for bad in ("", ".fuel", "fuel..x", "halls[0]cooling", "fuel.", "a b"):
        with pytest.raises(ValueError, match="dotted path"):
            parse_path(bad)


def test_set_path_scalar_mapping_merge_and_year_offset():
    data = {"fuel": {"lng_price_usd_per_mmbtu": 11.0, "tank_capacity_t": 10.0},
            "power": {"battery": {"power_mw": 5.0, "energy_mwh": 10.0, "model": "m"}},
            "period": {"start": "2025-02-27T00:00:00", "end": "2025-03-01T00:00:00", "step": "1h"}}
    set_path(data, "fuel.lng_price_usd_per_mmbtu", 16)
    assert data["fuel"] == {"lng_price_usd_per_mmbtu": 16, "tank_capacity_t": 10.0}
    set_path(data, "power.battery", {"power_mw": 0, "energy_mwh": 0})
    assert data["power"]["battery"] == {"power_mw": 0, "energy_mwh": 0, "model": "m"}
    set_path(data, "period.year_offset", 1)
    assert data["period"]["start"].startswith("2026-02-27") and data["period"]["end"].startswith("2026-03-01")
    with pytest.raises(ValueError, match="whole number of years"):
        set_path(data, "period.year_offset", 0.5)
    with pytest.raises(ValueError, match=r"fuel has no key 'lng_prise'; keys: lng_price_usd_per_mmbtu"):
        set_path(data, "fuel.lng_prise", 1)


def test_switching_cooling_type_rebuilds_the_block_from_the_type_defaults():
    import twin
    from twin import catalog
    from twin.scenario import parse_scenario

    data = twin.load_scenario("default").model_dump(mode="json")
    air = copy.deepcopy(data["halls"][0])
    assert air["cooling"]["type"] == "air"
    set_path(data, "halls[0].cooling.type", "immersion")
    c = data["halls"][0]["cooling"]
    assert c["type"] == "immersion" and "chillers" not in c and "air_handler_model" not in c
    assert c["tower_model"] == air["cooling"]["tower_model"]  # a choice both types share is kept
    parse_scenario(data)  # valid as built
    set_path(data, "halls[0].cooling.type", "air")
    c = data["halls"][0]["cooling"]
    # N+1 on 1.1 x IT capacity (the documented engineering assumption), by hand from the catalogue
    rack_kw = catalog.lookup("racks", air["rack_model"])["rack_kw_max"]
    cap = catalog.lookup("chillers", c["chiller_model"])["capacity_mw_th"]
    import math

    assert c["chillers"] == math.ceil(1.1 * air["racks"] * rack_kw / 1000 / cap) + 1
    assert c["chillers"] == default_chillers(data["halls"][0], c["chiller_model"])
    parse_scenario(data)


def _raw(**params):
    return {"name": "t", "base": "default", "overrides": SHORT, "parameters": params}


def test_grid_members_cover_every_combination():
    sw = parse_sweep(_raw(**{"fuel.lng_price_usd_per_mmbtu": [8, 12, 16],
                             "power.battery": [{"power_mw": 0, "energy_mwh": 0}, {"power_mw": 5, "energy_mwh": 20}]}))
    assert len(sw.members) == 6
    got = {(m.data["fuel"]["lng_price_usd_per_mmbtu"], m.data["power"]["battery"]["energy_mwh"]) for m in sw.members}
    assert got == {(p, e) for p in (8, 12, 16) for e in (0, 20)}
    assert all(m.data["period"]["start"].startswith("2025-04-07") for m in sw.members)
    assert len({m.data["name"] for m in sw.members}) == 6


def test_random_members_are_seeded_and_in_range():
    raw = _raw(**{"fuel.lng_price_usd_per_mmbtu": {"low": 8, "high": 16},
                  "halls[1].racks": {"low": 40, "high": 60, "integer": True}})
    raw.update(sampling="random", samples=7, seed=3)
    a, b = parse_sweep(copy.deepcopy(raw)), parse_sweep(copy.deepcopy(raw))
    assert [m.values for m in a.members] == [m.values for m in b.members]
    assert len(a.members) == 7
    for m in a.members:
        assert 8 <= m.values["fuel.lng_price_usd_per_mmbtu"] <= 16
        assert isinstance(m.values["halls[1].racks"], int) and 40 <= m.values["halls[1].racks"] <= 60
    raw["seed"] = 4
    assert [m.values for m in parse_sweep(raw).members] != [m.values for m in a.members]


def test_grid_range_levels():
    sw = parse_sweep(_raw(**{"fuel.lng_price_usd_per_mmbtu": {"low": 8, "high": 16, "n": 3}}))
    assert [m.values["fuel.lng_price_usd_per_mmbtu"] for m in sw.members] == [8.0, 12.0, 16.0]


def test_unknown_parameter_and_out_of_range_values_are_all_reported():
    with pytest.raises(SweepError) as e:
        parse_sweep(_raw(**{"fuel.lng_prise_usd_per_mmbtu": [1], "halls[5].racks": [1]}))
    lines = e.value.problems
    assert any(line.startswith("parameters.fuel.lng_prise_usd_per_mmbtu: unknown parameter — fuel has no key")
               for line in lines)
    assert any("parameters.halls[5].racks: unknown parameter — halls has 2 item(s)" in line for line in lines)
    with pytest.raises(SweepError) as e:
        parse_sweep(_raw(**{"fuel.lng_price_usd_per_mmbtu": [8, -1], "halls[0].racks": [10, 0]}))
    lines = e.value.problems
    # the schema's own line, with the members that carry the value
    assert any(line.startswith("fuel.lng_price_usd_per_mmbtu: -1 — Input should be greater than or equal to 0")
               for line in lines)
    assert any(line.startswith("halls[0].racks: 0 — Input should be greater than 0") and "member 1" in line
               for line in lines)


def test_bad_sweep_keys():
    raw = _raw(**{"fuel.lng_price_usd_per_mmbtu": [8]})
    raw.update(sampling="latin", dispatch="fast", headline_kpi="profit", colour="red")
    with pytest.raises(SweepError) as e:
        parse_sweep(raw)
    text = "\n".join(e.value.problems)
    for s in ("colour: unknown key", "sampling: 'latin'", "dispatch: 'fast'", "headline_kpi: 'profit'"):
        assert s in text


def test_cli_bad_sweep_exits_2_before_any_work(tmp_path, capsys):
    f = tmp_path / "bad.yaml"
    f.write_text(yaml.safe_dump(_raw(**{"fuel.lng_prise": [8, 12]})))
    out = tmp_path / "out.zarr"
    assert main(["sweep", str(f), "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert "error: parameters.fuel.lng_prise: unknown parameter" in err
    assert not out.exists()
    assert main(["sweep", str(tmp_path / "missing.yaml")]) == 2
    assert "no such sweep file" in capsys.readouterr().err


def test_example_sweeps_are_valid():
    from twin.paths import DATASETS_DIR

    files = sorted((DATASETS_DIR / "sweeps").glob("*.yaml"))
    assert files
    for f in files:
        sw = load_sweep(f)
        assert len(sw.members) >= 8
