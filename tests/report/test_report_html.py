"""The what-if report: its numbers are the KPI functions', its figures exist, it is self-contained."""

from __future__ import annotations

import math
import re

import numpy as np
import pytest
import xarray as xr

from twin import kpi
from twin import report_figures as rf
from twin.report import report_html


def _same(a: float, b: float) -> bool:
    return (math.isnan(a) and math.isnan(b)) or a == b


@pytest.fixture(scope="module")
def pair_html(run_pair):
    return report_html(list(run_pair), ["ref", "small-grid"])


def test_kpi_table_equals_kpi_functions(run_pair, pair_html, report_reader):
    cells = report_reader.kpi_cells(pair_html)
    for i, ds in enumerate(run_pair):
        k = kpi.kpis(ds)
        for key, _, _ in kpi.HEADLINE:
            assert _same(cells[(i, key)], float(k[key])), (i, key)
        for s, v in k["energy_by_source_mwh"].items():
            if s != "unserved":
                assert _same(cells[(i, f"energy_by_source_mwh.{s}")], v), (i, s)
        for c, v in kpi.cost_breakdown_usd(ds).items():
            assert _same(cells[(i, f"cost_breakdown_usd.{c}")], v), (i, c)
    # the table is not trivially empty: a real run has IT energy and a PUE above 1
    assert cells[(0, "it_energy_mwh")] > 0 and cells[(0, "pue")] > 1.0


def test_deltas_are_against_the_first_run(run_pair, pair_html, report_reader):
    d = report_reader.delta_cells(pair_html)
    a, b = run_pair
    for key in ("cost_usd", "pue", "co2_t", "peak_facility_mw"):
        assert d[(1, key)] == pytest.approx(kpi.KPI_FUNCTIONS[key](b) - kpi.KPI_FUNCTIONS[key](a), rel=1e-12, abs=1e-12)
    assert not any(r == 0 for r, _ in d)  # the reference has no delta column


def test_every_figure_is_there_and_plotly_is_inline_once(pair_html, report_reader, run_pair):
    p = report_reader.parse(pair_html)
    div_ids = {a.get("id") for t, a in p.tags if t == "div"}
    shown = [d for d, _, _ in rf.FIGURES if rf.applies(d, run_pair)]
    assert "fig-heatmaps" not in shown  # a 2-day pair: no year-at-a-glance section (not drawn empty)
    for div_id in shown:
        assert div_id in div_ids
    new_plots = pair_html.count("Plotly.newPlot(")
    assert new_plots >= len(shown)
    # plotly.js itself: one inline copy, and no script fetched from anywhere
    assert sum(re.search(r"plotly\.js( \(cartesian - minified\))? v", s[:2000]) is not None for s in p.scripts) == 1
    assert not [a for t, a in p.tags if t == "script" and a.get("src")]
    assert not re.search(r"<link[^>]+href=\"https?:", pair_html)


def test_figures_carry_the_runs_data(run_pair):
    names = ["ref", "small-grid"]
    fig = rf.load_duration(list(run_pair), names)
    assert [t.name for t in fig.data] == names
    # the load-duration curve starts at the run's peak facility power (kpi.peak_facility_mw), as
    # drawn: to the 0.1 MW of the display precision (report_figures.DECIMALS)
    assert float(fig.data[0].y[0]) == pytest.approx(kpi.peak_facility_mw(run_pair[0]), abs=0.05 + 1e-6)
    assert np.all(np.diff(fig.data[0].y) <= 0)
    cb = rf.cost_breakdown(list(run_pair), names)
    assert sum(cb.data[1].y) == pytest.approx(kpi.cost_usd(run_pair[1]), rel=1e-9)
    m = rf.monthly_energy(list(run_pair), names)
    gas = [t for t in m.data if t.name == "gas"][0]
    assert sum(gas.y) == pytest.approx(kpi.energy_by_source_mwh(run_pair[0])["gas"], rel=1e-9)


def test_every_shortfall_spell_is_called_out(run_pair, report_reader):
    """Unserved load at steps 3-5 and 20, a cooling deficit at step 10 (put into a real run):
    three spells, 4 h of unserved load (hand count) and 1 h of deficit."""
    ds = run_pair[0].copy(deep=True)
    u = np.zeros(ds.sizes["time"])
    u[[3, 4, 5, 20]] = 1.25
    ds["unserved_mw"] = ("time", u)
    c = np.zeros(ds.sizes["time"])
    c[10] = 0.5
    ds["cooling_deficit_mw"] = ("time", c)
    text = report_html([ds], ["injected"])
    rows = [a for t, a in report_reader.parse(text).tags if t == "tr" and a.get("class") == "shortfall"]
    unserved = [float(a["data-hours"]) for a in rows if a["data-kind"] == "unserved_mw"]
    deficit = [float(a["data-hours"]) for a in rows if a["data-kind"] == "cooling_deficit_mw"]
    assert sorted(unserved) == [1.0, 3.0]
    assert deficit == [1.0]
    assert sum(unserved) == kpi.unserved_hours(ds)
    assert sum(float(a["data-energy"]) for a in rows if a["data-kind"] == "unserved_mw") == pytest.approx(
        kpi.unserved_mwh(ds))
    # and each of the 5 steps (3, 4, 5, 10, 20) one by one
    hours = [a for t, a in report_reader.parse(text).tags if t == "tr" and a.get("class") == "shortfall-hour"]
    assert len(hours) == 5
    assert 'id="fig-shortfalls"' in text
    assert "every spell below" in text


def test_no_shortfall_says_so(run_pair):
    ds = run_pair[0].copy(deep=True)
    ds["unserved_mw"] = xr.zeros_like(ds["unserved_mw"])
    ds["cooling_deficit_mw"] = xr.zeros_like(ds["cooling_deficit_mw"])
    text = report_html([ds])
    assert "No hour of unserved load or cooling deficit." in text
    assert 'class="shortfall"' not in text and 'id="fig-shortfalls"' not in text


def test_scenario_text_is_escaped(run_pair):
    ds = run_pair[0].copy()
    evil = "<script>alert('x')</script>"
    ds.attrs["scenario_yaml"] = ds.attrs["scenario_yaml"].replace("description: ", f"description: \"{evil}\" ", 1)
    ds.attrs["scenario_name"] = evil
    text = report_html([ds])
    assert evil not in text
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in text  # escaped by the templates (markupsafe)


def test_no_runs_is_an_error():
    with pytest.raises(ValueError, match="runs"):
        report_html([])


def test_thin_keeps_short_series_and_shrinks_long_ones(run_pair):
    da = run_pair[0]["facility_power_mw"]
    assert rf.thin(da) is da
    # 48 hourly points with max_points=10: resampled to days (2 points), the daily mean by hand
    d = rf.thin(da, max_points=10)
    assert d.sizes["time"] == 2
    assert float(d[0]) == pytest.approx(float(da[:24].mean()))
