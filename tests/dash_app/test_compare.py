"""Compare that cannot mislead: A = B refused, different periods flagged and compared per year
and per MWh of IT, the default pair is two runs of the same scenario."""

from __future__ import annotations

import json

import pytest

from dash_app import create_app
from dash_app.pages import compare
from dash_app_runs import DashCaller, scenario_text


@pytest.fixture(scope="module")
def cmp_store(tmp_path_factory):
    import twin
    from twin.store import read_summary, save_run

    store = tmp_path_factory.mktemp("cmp") / "runs"
    ids = {}
    for key, name, days in (("other", "other", 1), ("two_days", "same", 2), ("one_day", "same", 1)):
        sc = twin.loads_scenario(scenario_text(name=name, start="2025-06-01", days=days))
        ids[key] = save_run(twin.simulate(sc), store).name
    summaries = {k: read_summary(store / v) for k, v in ids.items()}
    app = create_app(store)
    return DashCaller(app, app.server.test_client()), ids, summaries


def _body(dc, a, b):
    out = dc("cmp-body.children", {"id": "cmp-body", "property": "children"},
             [{"id": "cmp-a", "property": "value", "value": a}, {"id": "cmp-b", "property": "value", "value": b}])
    return json.dumps(out["response"]["cmp-body"]["children"])


def test_same_run_refused(cmp_store):
    dc, ids, _ = cmp_store
    text = _body(dc, ids["one_day"], ids["one_day"])
    assert "A and B are the same run \\u2014 pick two different runs to compare." in text
    assert "cmp-kpi" not in text


def test_different_periods_warned_and_annualised(cmp_store):
    dc, ids, s = cmp_store
    text = _body(dc, ids["two_days"], ids["one_day"])
    assert '"id": "cmp-basis-warning"' in text and "annualised" in text
    rows = {r["key"]: r for r in compare.annualised_rows(
        __import__("dash_app.figures", fromlist=["x"]).kpi_delta_rows(s["two_days"], s["one_day"]),
        s["two_days"], s["one_day"])}
    # 48 h and 24 h periods: × 8760/48 and × 8760/24 (hand arithmetic)
    assert rows["it_energy_mwh"]["a"] == pytest.approx(s["two_days"]["kpi"]["it_energy_mwh"] * 182.5)
    assert rows["it_energy_mwh"]["b"] == pytest.approx(s["one_day"]["kpi"]["it_energy_mwh"] * 365.0)
    assert rows["it_energy_mwh"]["unit"] == "MWh/yr"
    assert rows["pue"]["a"] == s["two_days"]["kpi"]["pue"]  # intensive KPIs stay as they are
    k = s["one_day"]["kpi"]
    assert rows["cost_usd_per_mwh_it"]["b"] == pytest.approx(k["cost_usd"] / k["it_energy_mwh"])
    # same period and step: no warning, plain sums
    assert "cmp-basis-warning" not in _body(dc, ids["other"], ids["one_day"])


def test_default_pair_is_the_same_scenario(cmp_store):
    dc, ids, s = cmp_store
    runs = sorted(s.values(), key=lambda x: x["created_utc"], reverse=True)
    a, b = compare.default_pair(runs)
    assert {a, b} == {ids["two_days"], ids["one_day"]}
    assert compare.default_pair([]) == (None, None)
