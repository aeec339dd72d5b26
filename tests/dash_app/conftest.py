from __future__ import annotations

import sys
from pathlib import Path

import pytest

# helper modules next to this file (tests run with --import-mode=importlib: no sys.path insertion)
sys.path.insert(0, str(Path(__file__).resolve().parent))

from dash_app_runs import DashCaller, make_store  # noqa: E402


@pytest.fixture(scope="session")
def store_runs(tmp_path_factory):
    """Real runs (3 days of the default preset, twice) in a store, plus things that are not runs."""
    root = tmp_path_factory.mktemp("app")
    store = root / "runs"
    runs = make_store(store)
    (store / "notarun").mkdir()                      # a folder without the run files
    (store / "notarun" / "run.nc").write_bytes(b"")
    (store / ".hidden-run").mkdir()                  # hidden: never listed
    (root / "secret.txt").write_text("TOP-SECRET", encoding="utf-8")  # outside the store
    return runs


@pytest.fixture(scope="session")
def app(store_runs):
    from dash_app import create_app

    return create_app(store_runs["dir"])


@pytest.fixture
def client(app):
    return app.server.test_client()


@pytest.fixture
def dash_call(app, client):
    return DashCaller(app, client)
