"""A year's report is one self-contained file under 3 MB (issue #12 item 3)."""

from __future__ import annotations

import re

import plotly.graph_objects as go
import pytest

from twin.report import VENDORED_PLOTLYJS, plotlyjs_for, report_html

#: the issue's limit for a report of a year
MAX_BYTES = 3 * 1024 * 1024


@pytest.fixture(scope="module")
def year_pair():
    """The default campus over a real year (hourly, baseline), and the same with a 2 MW grid feed."""
    from .conftest import short_run

    a = short_run(start="2025-01-01", end="2026-01-01")
    b = short_run(start="2025-01-01", end="2026-01-01", power__grid__capacity_mw=2.0, name="default-small-grid")
    return a, b


def test_year_report_of_two_runs_is_one_file_under_3_mb(year_pair, report_reader):
    text = report_html(list(year_pair), ["reference", "small grid"])
    size = len(text.encode("utf-8"))
    assert size < MAX_BYTES, f"{size / 1e6:.2f} MB"
    p = report_reader.parse(text)
    # self-contained: plotly.js inline once (the vendored cartesian bundle), nothing fetched
    assert not [a for t, a in p.tags if t in ("script", "img") and a.get("src")]
    assert sum("plotly.js (cartesian - minified) v4.1.1" in s[:300] for s in p.scripts) == 1
    markup = re.sub(r"<script[^>]*>.*?</script>", "", text, flags=re.S)  # the page, not plotly.js's own code
    assert not re.search(r"<(link|img|script|iframe)[^>]+(href|src)=\"https?:", markup)
    # the year's sections are all there (heat maps and weeks need a long period)
    ids = {a.get("id") for t, a in p.tags if t == "div"}
    assert {"fig-heatmaps", "fig-weeks", "fig-monthly-energy", "fig-load-duration"} <= ids
    # the figure data, not the bundle, is what grows with the period: under 1.2 MB for two runs
    assert size - VENDORED_PLOTLYJS.stat().st_size < 1.2e6


def test_a_trace_outside_the_bundle_gets_the_full_plotlyjs():
    from plotly.offline import get_plotlyjs

    assert plotlyjs_for([go.Figure(go.Scatter(y=[1, 2]))]) == VENDORED_PLOTLYJS.read_text(encoding="utf-8")
    assert plotlyjs_for([go.Figure(go.Sankey())]) == get_plotlyjs()
