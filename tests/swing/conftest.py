"""Stored one-day baseline runs of the Quang Ninh (islanded) and Ulsan (grid-connected) presets."""

from __future__ import annotations

import pytest

import twin
from twin.scenario import load_scenario, parse_scenario
from twin.store import save_run


def _one_day(preset: str):
    sc = load_scenario(preset)
    data = sc.model_dump(mode="json")
    data["name"] = f"{preset}-1d"
    data["period"] = {"start": "2025-07-01", "end": "2025-07-02", "step": "1h"}
    return parse_scenario(data, source=f"{preset} (one day)")


@pytest.fixture(scope="session")
def qn_run(tmp_path_factory):
    return save_run(twin.simulate(_one_day("sk-quang-ninh")), tmp_path_factory.mktemp("runs"), run_id="qn")


@pytest.fixture(scope="session")
def ulsan_run(tmp_path_factory):
    return save_run(twin.simulate(_one_day("sk-aws-ulsan")), tmp_path_factory.mktemp("runs"), run_id="ulsan")
