"""Monthly energy bars sum to the facility energy; the battery appears once (net of charging)."""

from __future__ import annotations

import numpy as np
import pytest


def test_monthly_bars_sum_to_facility_energy(run_pair):
    from twin import kpi
    from twin.report_figures import monthly_energy, monthly_energy_balance_mwh

    for ds in run_pair:
        m = monthly_energy_balance_mwh(ds)
        step_h = float(ds.attrs["step_h"])
        facility = (ds["facility_power_mw"].resample(time="MS").sum() * step_h).values
        np.testing.assert_allclose(m.sum("source").values, facility, rtol=1e-9, atol=1e-6)
        assert float(m.sum()) == pytest.approx(kpi.facility_energy_mwh(ds), rel=1e-9)
        sources = [str(s) for s in m["source"].values]
        assert sum(s.startswith("battery") for s in sources) == 1
        net = kpi.energy_by_source_mwh(ds)["battery"] - kpi.energy_by_source_mwh(ds)["battery_charge"]
        assert float(m.sel(source="battery (net of charging)").sum()) == pytest.approx(net, abs=1e-6)
    fig = monthly_energy(run_pair, ["a", "b"])
    assert fig.layout.barmode == "relative" and all(len(t.y) for t in fig.data)
