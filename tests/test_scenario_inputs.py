"""Scenario files as bytes and text: each hostile input gives one line naming the file or field and why.

The cases are the defects of issue #10 (a seeded fuzz of the inputs found each of them).
"""

from __future__ import annotations

import pytest
import yaml

import twin
from twin.cli import main
from twin.scenario import MAX_YAML_DEPTH, Scenario, ScenarioError, load_scenario, loads_scenario


def _text() -> str:
    return open(load_scenario("default")._origin, encoding="utf-8").read()


def _one(text: str, source: str = "x.yaml") -> str:
    with pytest.raises(ScenarioError) as e:
        loads_scenario(text, source=source)
    (line,) = e.value.problems
    return line


def _file_problem(tmp_path, data: bytes) -> str:
    p = tmp_path / "s.yaml"
    p.write_bytes(data)
    with pytest.raises(ScenarioError) as e:
        load_scenario(p)
    (line,) = e.value.problems
    assert line.startswith(str(p))
    return line


def test_scenario_error_is_a_twin_error_and_importable_from_scenario():
    from twin.errors import ScenarioError as E

    assert ScenarioError is E and issubclass(E, twin.TwinError) and issubclass(E, ValueError)


# ------------------------------------------------------------------------------------ bytes
def test_latin1_bytes_are_refused_naming_line_and_byte(tmp_path):
    line = _file_problem(tmp_path, _text().replace("Da Nang", "Đà Nẵng café").encode("latin-1", "replace"))
    assert "line 6: byte 0xe0 is not UTF-8 text — save the scenario file as UTF-8" in line


def test_utf16_with_bom_is_read(tmp_path):
    p = tmp_path / "s.yaml"
    p.write_bytes(_text().encode("utf-16"))
    assert load_scenario(p).name == "default"


def test_binary_file_is_refused(tmp_path):
    line = _file_problem(tmp_path, bytes(range(256)))
    assert line.endswith(": a binary file (NUL bytes), not a scenario file")


def test_yaml_nested_3000_deep_is_refused():
    line = _one("name: " + "[" * 3000 + "]" * 3000 + "\n")
    assert line == f"x.yaml: line 1: nested more than {MAX_YAML_DEPTH} levels deep (a scenario needs 5)"


def test_duplicate_key_is_refused_naming_both_lines():
    line = _one(_text() + "name: second\n")
    assert line.startswith("x.yaml: line 46: key 'name' given twice (first on line 4)")
    assert "silently replace" in line


def test_exponent_without_dot_is_a_number():
    # YAML 1.1 reads 1e300 as text; the strict schema would then refuse it as a string
    line = _one(_text().replace("power_mw: 5", "power_mw: 1e300"))
    assert line.startswith("power.battery.power_mw: 1e+300 — Input should be less than or equal to 20000")


# ------------------------------------------------------------------------------------ types
@pytest.mark.parametrize("old,new,expect", [
    ("racks: 100", "racks: true",
     "halls[0].racks: True — must be an integer (the schema is strict: no bool is converted)"),
    ("racks: 100", "racks: 2.5",
     "halls[0].racks: 2.5 — must be an integer (the schema is strict: no float is converted)"),
    ("capacity_mw: 10", "capacity_mw: '10'",
     "power.grid.capacity_mw: '10' — must be a number (the schema is strict: no str is converted)"),
    ("tariff: evn", "export_allowed: 1, tariff: evn",
     "power.grid.export_allowed: 1 — must be true or false (the schema is strict: no int is converted)"),
    ("capacity_mw: 10", "capacity_mw: .inf", "power.grid.capacity_mw: inf — must be a finite number (not NaN or infinity)"),
    ("capacity_mw: 10", "capacity_mw: .nan", "power.grid.capacity_mw: nan — must be a finite number (not NaN or infinity)"),
    ("count: 2}", "count: 2, initial_on: 5}",
     "power.gas_units[0]: initial_on 5 is more than count 2: only installed units can run"),
])
def test_strict_types(old, new, expect):
    assert _one(_text().replace(old, new, 1)) == expect


def test_time_zone_in_start_is_refused():
    line = _one(_text().replace("start: 2025-04-07", "start: 2025-04-07T00:00:00+07:00"))
    assert line == ("period.start: 2025-04-07 00:00:00+07:00 — has a time zone; give naive site-local standard "
                    "time (site.utc_offset_h says which zone that is)")


def test_year_2300_is_refused_with_the_range():
    with pytest.raises(ScenarioError) as e:
        loads_scenario(_text().replace("2025-04-07", "2300-04-07").replace("2025-04-14", "2300-04-14"))
    assert e.value.problems[0] == ("period.start: 2300-04-07 — the year must be within 1900..2100 (tariffs and "
                                   "typical weather describe the present; the time axis ends in 2262)")


def test_blank_name_is_refused():
    assert _one(_text().replace("name: default", "name: '  '", 1)) == \
        "name: '  ' — must not be blank (it names the run)"


# ---------------------------------------------------------------------------------- bounds
@pytest.mark.parametrize("old,new,start,why", [
    ("power_mw: 5", "power_mw: 1.0e+300", "power.battery.power_mw: 1e+300 — Input should be less than or equal to 20000",
     "20 GW is ~10 times the largest battery built"),
    ("chillers: 2}", "chillers: 1000000000000}", "halls[0].cooling.chillers: 1000000000000 — Input should be less "
     "than or equal to 1000", "1,000 chillers of 5 MW_th each cool 5 GW"),
    ("lng_price_usd_per_mmbtu: 11", "lng_price_usd_per_mmbtu: 1.0e+9", "fuel.lng_price_usd_per_mmbtu: 1000000000.0 "
     "— Input should be less than or equal to 200", "the highest Asian spot price (JKM, Aug 2022) was ~70 USD/MMBtu"),
    ("racks: 100", "racks: 1000000000", "halls[0].racks: 1000000000 — Input should be less than or equal to 50000",
     "50,000 racks of 132 kW"),
])
def test_engineering_bounds_name_the_bound_and_why(old, new, start, why):
    line = _one(_text().replace(old, new, 1))
    assert line.startswith(start) and why in line and line.endswith("(engineering bound)")


def test_every_bound_is_in_the_json_schema_with_its_reason():
    schema = Scenario.model_json_schema()
    defs = schema["$defs"]
    assert defs["Battery"]["properties"]["power_mw"]["maximum"] == 20_000
    assert "largest battery" in defs["Battery"]["properties"]["power_mw"]["bound"]
    assert defs["Fuel"]["properties"]["lng_price_usd_per_mmbtu"]["maximum"] == 200
    # every numeric field with an upper limit says why
    for name, d in defs.items():
        for field, prop in d.get("properties", {}).items():
            if "maximum" in prop and prop["maximum"] > 1 and field not in ("latitude", "longitude", "utc_offset_h",
                                                                           "tilt_deg", "window_h"):
                assert prop.get("bound"), f"{name}.{field} has a bound without a reason"


def test_every_preset_is_inside_the_bounds():
    from twin.scenario import preset_names

    for n in preset_names():
        load_scenario(n)


# ---------------------------------------------------------------------------------------- CLI
def test_cli_line_names_field_and_file(tmp_path, capsys):
    d = yaml.safe_load(_text())
    d["halls"][0]["racks"] = True
    p = tmp_path / "bad.yaml"
    p.write_text(yaml.safe_dump(d))
    assert main(["validate", str(p)]) == 2
    (line,) = capsys.readouterr().err.strip().splitlines()
    assert line == f"error: halls[0].racks: True — must be an integer (the schema is strict: no bool is converted) [{p}]"
