"""The sweep report's tornado chart: level means and swings, by hand."""

from __future__ import annotations

import json

import numpy as np
import pytest
import xarray as xr

from twin import report_figures as rf
from twin.report import sweep_report_html


def _store():
    # 2 x 2 grid: cost = 100 + 50 * (price == 16) + 10 * (type == air); member 3 failed
    price = np.array([8.0, 16.0, 8.0, 16.0])
    kind = np.array(["air", "air", "immersion", "immersion"], dtype=object)
    cost = np.array([110.0, 160.0, 100.0, np.nan])
    status = np.array(["ok", "ok", "shortfall", "failed"], dtype=object)
    ds = xr.Dataset({"cost_usd": ("scenario", cost), "pue": ("scenario", [1.3, 1.3, 1.1, np.nan]),
                     "status": ("scenario", status), "error": ("scenario", np.array(["", "", "", "boom <b>"], dtype=object)),
                     "facility_power_mw": (("scenario", "time"), np.ones((4, 3)))},
                    coords={"scenario": np.arange(4), "time": np.arange(3), "price": ("scenario", price),
                            "type": ("scenario", kind), "member_index": ("scenario", np.arange(4)),
                            "member_label": ("scenario", np.array([f"m{i}" for i in range(4)], dtype=object))},
                    attrs={"parameters": json.dumps(["price", "type"]), "headline_kpi": "cost_usd",
                           "sweep_name": "t", "sampling": "grid", "dispatch": "baseline"})
    return ds


def test_tornado_level_means_by_hand():
    rows = rf.tornado_data(_store(), "cost_usd", ["price", "type"])
    # price: mean at 8 = (110 + 100) / 2 = 105, at 16 = 160 (member 3 failed, left out) → swing 55
    # type: air = (110 + 160) / 2 = 135, immersion = 100 → swing 35; price first (largest)
    assert [r["parameter"] for r in rows] == ["price", "type"]
    assert rows[0]["low"] == pytest.approx(105.0) and rows[0]["high"] == pytest.approx(160.0)
    assert rows[0]["low_level"] == "8" and rows[0]["high_level"] == "16"
    assert rows[1]["swing"] == pytest.approx(35.0) and rows[1]["low_level"] == "immersion"


def test_many_numeric_levels_are_grouped_in_terciles():
    names, g = rf.parameter_groups(np.arange(9.0))
    assert len(names) == 3
    assert list(g) == [0, 0, 0, 1, 1, 1, 2, 2, 2]


def test_sweep_report_html_has_figures_and_escapes_reasons():
    text = sweep_report_html(_store())
    for div in ("fig-tornado", "fig-sweep-scatter", "fig-sweep-series"):
        assert f'id="{div}"' in text
    assert "boom &lt;b&gt;" in text and "boom <b>" not in text
    assert 'data-kpi="cost_usd" data-value="160.0"' in text
