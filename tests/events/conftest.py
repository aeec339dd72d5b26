"""Short stored runs to start events from (built once per session, baseline dispatch)."""

from __future__ import annotations

import pytest


def _short_run(name: str, days: int, store):
    import twin
    from twin.scenario import load_scenario, parse_scenario

    sc = load_scenario(name)
    data = sc.model_dump(mode="json")
    data["period"].update(start="2025-04-01", end=f"2025-04-{1 + days:02d}")
    run = twin.simulate(parse_scenario(data, origin=sc._origin))
    return twin.save_run(run, store, run_id=f"{name}-short")


@pytest.fixture(scope="session")
def event_store(tmp_path_factory):
    return tmp_path_factory.mktemp("event-runs")


@pytest.fixture(scope="session")
def islanded_run(event_store):
    """sk-quang-ninh (4 x SGT-800, islanded, 20 MW battery, direct-to-chip), 2 days."""
    return _short_run("sk-quang-ninh", 2, event_store)


@pytest.fixture(scope="session")
def grid_run(event_store):
    """samsung-cmc-hcmc (grid feed only, immersion cooling), 1 day."""
    return _short_run("samsung-cmc-hcmc", 1, event_store)
