"""The report's executive summary: decision numbers equal the KPI functions; what changed in words."""

from __future__ import annotations

import pytest


def test_summary_numbers_equal_kpi_functions(run_pair):
    from twin import kpi
    from twin.report import report_html

    text = report_html(run_pair, ["reference", "variant"])
    assert text.index('id="summary"') < text.index('id="runs"') < text.index('id="kpis"')  # summary first
    import re

    cells = {(int(m[1]), m[2]): float(m[3]) for m in re.finditer(
        r'<td data-run="(\d)" data-kpi="([a-z0-9_.]+)" data-value="([^"]+)"', text.split('id="summary-table"')[1]
        .split("</table>")[0])}
    for i, ds in enumerate(run_pair):
        assert cells[(i, "pue")] == kpi.pue(ds)
        assert cells[(i, "co2_t")] == kpi.co2_t(ds)
        assert cells[(i, "min_reserve_margin_mw")] == kpi.min_reserve_margin_mw(ds)
        assert cells[(i, "cost_usd_per_mwh_it")] == pytest.approx(kpi.cost_usd(ds) / kpi.it_energy_mwh(ds), rel=1e-12)
        assert cells[(i, "unserved_mwh")] == kpi.unserved_mwh(ds)
    assert '<ul id="what-changed"><li>variant against reference: ' in text
    assert "<td>Cost: grid energy</td>" in text and "<td>Cost: grid_energy</td>" not in text  # human labels
    assert re.search(r">[−-]0\.0+[ <]", text) is None  # no negative zero shown


def test_what_changed_words_from_deltas(run_pair):
    from twin import kpi
    from twin.report import what_changed

    [line] = what_changed(run_pair, ["A", "B"])
    assert line.startswith("B against A: ")
    d = kpi.co2_t(run_pair[1]) - kpi.co2_t(run_pair[0])
    if abs(d) >= 0.005 * kpi.co2_t(run_pair[0]):
        assert f"CO2 {'up' if d > 0 else 'down'} {abs(d):,.1f} t" in line
    assert what_changed([run_pair[0], run_pair[0]], ["A", "A2"]) == [
        "A2 against A: no decision number moved by more than half a percent."]
