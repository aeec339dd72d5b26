"""Scenario validation: every bad-input case gives one line naming the field, value and why."""

from __future__ import annotations

import subprocess
import sys

import pytest
import yaml

from twin.cli import main
from twin.scenario import ScenarioError, load_scenario, loads_scenario, preset_names


def _default_dict():
    return yaml.safe_load(open(load_scenario("default")._origin, encoding="utf-8"))


def _problems(mutate) -> list[str]:
    d = _default_dict()
    mutate(d)
    with pytest.raises(ScenarioError) as e:
        loads_scenario(yaml.safe_dump(d))
    return e.value.problems


def test_every_preset_validates():
    names = preset_names()
    assert "default" in names and len(names) >= 9
    for n in names:
        sc = load_scenario(n)
        assert sc.name == n


def test_typo_names_the_key():
    def m(d):
        d["power"]["battery"]["energy_mwhh"] = 10

    (line,) = _problems(m)
    assert line.startswith("power.battery.energy_mwhh:")
    assert "unknown key" in line


def test_negative_capacity():
    def m(d):
        d["power"]["grid"]["capacity_mw"] = -5

    (line,) = _problems(m)
    assert line.startswith("power.grid.capacity_mw: -5")
    assert "greater than or equal to 0" in line


def test_unknown_catalogue_name_lists_valid_names():
    def m(d):
        d["power"]["gas_units"][0]["model"] = "sgt-801"

    (line,) = _problems(m)
    assert line.startswith("power.gas_units[0].model: 'sgt-801'")
    assert "unknown gas unit model" in line and "sgt-800" in line


def test_unknown_rack_model():
    def m(d):
        d["halls"][1]["rack_model"] = "gb999"

    (line,) = _problems(m)
    assert line.startswith("halls[1].rack_model: 'gb999'") and "gb200-nvl72" in line


def test_step_that_does_not_divide_the_period():
    def m(d):
        d["period"] = {"start": "2025-04-07", "end": "2025-04-07 01:30", "step": "1h"}

    (line,) = _problems(m)
    assert line.startswith("period:") and "does not divide" in line


def test_step_out_of_range():
    def m(d):
        d["period"]["step"] = "2h"

    (line,) = _problems(m)
    assert line.startswith("period.step: '2h'") and "between 1min and 1h" in line


def test_workload_shares_must_sum_to_one():
    def m(d):
        d["halls"][0]["workload"] = {"training_share": 0.5, "inference_share": 0.6, "idle_share": 0.1}

    (line,) = _problems(m)
    assert line.startswith("halls[0].workload:") and "must be 1" in line


def test_several_problems_one_line_each():
    def m(d):
        d["power"]["grid"]["capacity_mw"] = -1
        d["halls"][0]["racks"] = 0
        d["sitee"] = 1

    lines = _problems(m)
    assert len(lines) == 3
    assert any(x.startswith("halls[0].racks: 0") for x in lines)
    assert any(x.startswith("sitee:") for x in lines)


def test_bad_yaml_names_line():
    with pytest.raises(ScenarioError) as e:
        loads_scenario("name: x\nsite: [unclosed\n", source="bad.yaml")
    (line,) = e.value.problems
    assert line.startswith("bad.yaml: line") and "not valid YAML" in line


def test_cli_bad_input_exit_2_one_line_per_problem(tmp_path, capsys):
    d = _default_dict()
    d["power"]["grid"]["capacity_mw"] = -5
    d["power"]["gas_units"][0]["model"] = "nope"
    p = tmp_path / "bad.yaml"
    p.write_text(yaml.safe_dump(d))
    for verb in ("validate", "run"):
        rc = main([verb, str(p), "-q"] if verb == "run" else [verb, str(p)])
        err = capsys.readouterr().err.strip().splitlines()
        assert rc == 2
        assert len(err) == 2 and all(x.startswith("error: power.") for x in err)


def test_cli_missing_file_exit_2(capsys):
    assert main(["validate", "no-such-file.yaml"]) == 2
    err = capsys.readouterr().err
    assert "no such file and no preset" in err


def test_no_traceback_in_a_real_process(tmp_path):
    p = tmp_path / "typo.yaml"
    d = _default_dict()
    d["period"]["step"] = "7min"  # 10 minutes is not a whole number of 7-minute steps
    d["period"]["end"] = "2025-04-07 00:10"
    d["period"]["start"] = "2025-04-07 00:00"
    p.write_text(yaml.safe_dump(d))
    r = subprocess.run([sys.executable, "-m", "twin.cli", "run", str(p), "-q"], capture_output=True, text=True)
    assert r.returncode == 2
    assert "Traceback" not in r.stderr
    assert r.stderr.strip().startswith("error: period:") and "does not divide" in r.stderr


def test_data_with_price_paths_parses_again():
    # JSON mode turns the year keys of price paths into strings, which the strict schema refuses;
    # Scenario.data() (used by --step, sweeps and plans) and Scenario.text() keep them integers
    from twin.scenario import load_scenario, loads_scenario, parse_scenario

    sc = load_scenario("plan-haimaker-danang")
    assert sc.economics.lng_price_paths_usd_per_mmbtu  # the preset has price paths
    again = parse_scenario(sc.data(), source="data()")
    assert again.hash() == sc.hash()
    data = sc.data()
    data["period"]["step"] = "1h"
    assert parse_scenario(data, source="--step").economics == sc.economics
    twice = parse_scenario(sc.data(), source="data()")
    twice._text = None
    assert loads_scenario(twice.text(), source="text()").hash() == sc.hash()


def test_solver_commit_longer_than_window_names_both_fields():
    def m(d):
        d["solver"] = {"window_h": 12, "commit_h": 24}

    (line,) = _problems(m)
    assert line.startswith("solver: commit_h 24 h") and "window_h 12 h" in line
