"""Data out: ``twin export`` round trips with units; the netCDF time axis carries the UTC offset."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "dash_app"))


@pytest.fixture(scope="module")
def one_run(tmp_path_factory):
    import twin
    from dash_app_runs import scenario_text
    from twin.store import save_run

    sc = twin.loads_scenario(scenario_text(name="export", start="2025-06-01", days=1))
    return save_run(twin.simulate(sc), tmp_path_factory.mktemp("exp") / "runs")


@pytest.mark.parametrize("fmt", ["csv", "parquet", "xlsx"])
def test_export_round_trip_with_units(one_run, tmp_path, fmt, capsys):
    from twin.cli import main
    from twin.export import read_export
    from twin.store import open_run, read_summary
    from twin.variables import REGISTRY

    out = tmp_path / f"run.{fmt}"
    assert main(["export", str(one_run), "--format", fmt, "-o", str(out)]) == 0
    series, units, kpis = read_export(out)
    ds = open_run(one_run)
    # Da Nang (default preset): UTC+7 (scenario site.utc_offset_h)
    assert series.index.name == "time (local, UTC+07:00)"
    assert list(series.index) == list(ds["time"].values.astype("datetime64[ns]"))
    np.testing.assert_allclose(series["facility_power_mw [MW]"].values, ds["facility_power_mw"].values, rtol=1e-8)
    np.testing.assert_allclose(series["supply_mw[grid] [MW]"].values, ds["supply_mw"].sel(source="grid").values,
                               rtol=1e-8)
    assert units["facility_power_mw [MW]"] == REGISTRY["facility_power_mw"].units == "MW"
    assert units["ambient_drybulb_c [degC]"] == REGISTRY["ambient_drybulb_c"].units
    k = read_summary(one_run)["kpi"]
    got = dict(zip(kpis["kpi"], kpis["value"]))
    assert got["pue"] == pytest.approx(k["pue"], rel=1e-12)
    assert got["energy_by_source_mwh.grid"] == pytest.approx(k["energy_by_source_mwh"]["grid"], rel=1e-12)
    assert dict(zip(kpis["kpi"], kpis["unit"]))["cost_usd"] == "USD"


def test_export_bad_run_is_one_line(tmp_path, capsys):
    from twin.cli import main

    assert main(["export", str(tmp_path / "nope"), "--format", "csv"]) == 2
    assert capsys.readouterr().err == f"error: {str(tmp_path / 'nope')!r} is not a run directory (needs run.nc, scenario.yaml, summary.json)\n"


def test_netcdf_time_axis_carries_the_utc_offset(one_run):
    import cftime
    import netCDF4

    from twin.store import open_run

    with netCDF4.Dataset(one_run / "run.nc") as nc:
        t = nc["time"]
        assert t.units == "minutes since 2025-06-01T00:00:00+07:00"
        assert t.long_name == "site-local time (UTC+07:00)"
        # a CF tool places local midnight at 17:00 UTC the day before (UTC+7)
        assert str(cftime.num2date(t[0], t.units)) == "2025-05-31 17:00:00"
    assert str(open_run(one_run)["time"].values[0])[:19] == "2025-06-01T00:00:00"  # read back site-local


def test_app_download_button_serves_the_export(one_run, tmp_path):
    import io

    import pandas as pd

    from dash_app import create_app

    client = create_app(one_run.parent).server.test_client()
    r = client.get(f"/api/runs/{one_run.name}/export.xlsx")
    assert r.status_code == 200 and r.headers["Content-Disposition"].startswith("attachment")
    series = pd.read_excel(io.BytesIO(r.data), sheet_name="series", index_col=0)
    assert "facility_power_mw [MW]" in series.columns and len(series) == 24
    assert client.get(f"/api/runs/{one_run.name}/export.exe").status_code == 404
    assert client.get("/api/runs/..%2F..%2Fetc/export.csv").status_code == 404
