"""Shared fixtures: short real runs of the default preset, built once per session."""

from __future__ import annotations

import os

import pytest

# HiGHS and BLAS: stay on one thread each in tests (2-core machines)
os.environ.setdefault("OMP_NUM_THREADS", "1")


@pytest.fixture(scope="session")
def default_scenario():
    import twin

    return twin.load_scenario("default")


@pytest.fixture(scope="session")
def default_run(default_scenario):
    import twin

    return twin.simulate(default_scenario)
