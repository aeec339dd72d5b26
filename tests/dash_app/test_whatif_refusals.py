"""What the server launches, the server checks: hostile what-if posts straight to the server.

Each absurd value of the issue (battery 1e300 MW, 10^12 chillers, a grid feed of inf, LNG at
1e9 USD/MMBtu), a weather path outside the store, a ten-year one-minute period and a foreign
``Host`` are refused with a line naming the field and why; no job is issued or run, and no file
outside the store (and the code and data the app is built from) is opened.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from dash_app.pages.whatif import _jobs, bounds
from dash_app.store import RunStore
from test_app_server import _validate

REPO = Path(__file__).resolve().parents[2]

_opened: list[str] = []
_recording = [False]


def _audit(event, args):
    if _recording[0] and event == "open" and isinstance(args[0], str | bytes | Path):
        _opened.append(str(Path(args[0] if not isinstance(args[0], bytes) else args[0].decode()).resolve()))


sys.addaudithook(_audit)


@pytest.fixture
def recorded_opens():
    _opened.clear()
    _recording[0] = True
    yield _opened
    _recording[0] = False


def _outside(paths, store_dir):
    allowed = [Path(store_dir).resolve(), REPO, Path(sys.prefix).resolve(), Path(sys.base_prefix).resolve(),
               Path("/dev"), Path("/proc"), Path("/sys"), Path("/etc/localtime"), Path("/usr/share/zoneinfo")]
    return [p for p in paths if not any(Path(p).is_relative_to(a) for a in allowed)]


def _no_job(store_dir, before_runs, before_jobs, resp):
    store = RunStore(store_dir)
    assert "wi-job" not in resp
    assert [s["run_id"] for s in store.list()] == before_runs
    assert len(_jobs(store)) == before_jobs


from twin.scenario import _WHY_CHILLERS  # noqa: E402 - the reason the schema gives

ABSURD = [  # (scalars: battery MW, battery MWh, solar MWp, LNG USD/MMBtu, grid MW), chillers, field, line
    ((1e300, 10, 5, 11, 10), (2, 2), "power.battery.power_mw",
     "power.battery.power_mw: 1e+300 — Input should be less than or equal to 20000: 20 GW is ~10 times the largest "
     "battery built (~2 GW) (engineering bound)"),
    ((5, 10, 5, 11, "inf"), (2, 2), "power.grid.capacity_mw",
     "power.grid.capacity_mw: inf — must be a finite number (not NaN or infinity)"),
    ((5, 10, 5, 1e9, 10), (2, 2), "fuel.lng_price_usd_per_mmbtu",
     "fuel.lng_price_usd_per_mmbtu: 1000000000 — Input should be less than or equal to 200: the highest Asian spot "
     "price (JKM, Aug 2022) was ~70 USD/MMBtu (engineering bound)"),
    ((5, 10, 5, 11, 10), (10 ** 12, 2), "halls[0].cooling.chillers",
     "halls[0].cooling.chillers: 1000000000000 — Input should be less than or equal to 1000: " + _WHY_CHILLERS),
]


@pytest.mark.parametrize("scalars, chillers, field, line", ABSURD)
def test_absurd_values_refused_by_the_schema(dash_call, store_runs, recorded_opens, scalars, chillers, field, line):
    store = RunStore(store_runs["dir"])
    before_runs, before_jobs = [s["run_id"] for s in store.list()], len(_jobs(store))
    errors, resp = _validate(dash_call, store_runs["a"], scalars=scalars, chillers=chillers)
    assert json.loads(errors[field]) == [{"props": {"children": line}, "type": "Div", "namespace": "dash_html_components"}]
    _no_job(store_runs["dir"], before_runs, before_jobs, resp)
    assert _outside(recorded_opens, store_runs["dir"]) == []


def test_bounds_come_from_the_schema_and_show_next_to_fields(dash_call, store_runs):
    from twin.scenario import Scenario  # noqa: F401 - the bounds are the schema's

    assert bounds("power.battery.power_mw") == (0, 20000.0)
    assert bounds("chillers") == (1, 1000)
    out = dash_call("page.children", {"id": "page", "property": "children"},
                    [{"id": "url", "property": "pathname", "value": "/whatif"},
                     {"id": "url", "property": "search", "value": f"?run={store_runs['a']}"}])
    text = json.dumps(out)
    assert '"id": "wi-battery-mw-bound"' in text and "0 \\u2013 20,000 MW" in text
    assert "0 \\u2013 200 USD/MMBtu" in text


def test_weather_path_outside_the_store_refused_and_never_opened(dash_call, store_runs, recorded_opens):
    secret = Path(store_runs["dir"]).parent / "secret.txt"  # outside the store (conftest writes it)
    store = RunStore(store_runs["dir"])
    before_runs, before_jobs = [s["run_id"] for s in store.list()], len(_jobs(store))
    for value in (str(secret), {"source": "epw", "path": str(secret)}, "epw:../../secret.txt"):
        errors, resp = _validate(dash_call, store_runs["a"], weather=value)
        msg = json.loads(errors["site.weather"])[0]["props"]["children"]
        assert msg.startswith("site.weather: ") and msg.endswith(
            " — not one of the weather choices this server holds (the base run's, a typical year of a catalogue "
            "site, or an EPW file in the store)")
        assert "TOP-SECRET" not in json.dumps(resp)
        _no_job(store_runs["dir"], before_runs, before_jobs, resp)
    assert str(secret.resolve()) not in recorded_opens
    assert _outside(recorded_opens, store_runs["dir"]) == []


def test_ten_year_one_minute_period_refused(dash_call, store_runs, recorded_opens):
    store = RunStore(store_runs["dir"])
    before_runs, before_jobs = [s["run_id"] for s in store.list()], len(_jobs(store))
    for value in ({"start": "2025-01-01", "end": "2035-01-01", "step": "1min"}, "2025-01-01/2035-01-01@1min"):
        errors, resp = _validate(dash_call, store_runs["a"], period=value)
        msg = json.loads(errors["period"])[0]["props"]["children"]
        assert msg.startswith("period: ") and msg.endswith(
            " — not one of the offered periods (base, first-day: the base run's period or a shorter start of it)")
        _no_job(store_runs["dir"], before_runs, before_jobs, resp)
    assert _outside(recorded_opens, store_runs["dir"]) == []


def test_a_bounded_period_choice_is_a_job_with_that_period(dash_call, store_runs):
    errors, resp = _validate(dash_call, store_runs["a"], period="first-day", weather="typical:hanoi")
    assert all(v == "[]" for v in errors.values()), {k: v for k, v in errors.items() if v != "[]"}
    text = _jobs(RunStore(store_runs["dir"])).get(resp["wi-job"]["data"]["id"])["text"]
    assert "end: '2025-06-02'" in text and "site_id: hanoi" in text


def test_foreign_host_refused(app, store_runs):
    store = RunStore(store_runs["dir"])
    before_runs, before_jobs = [s["run_id"] for s in store.list()], len(_jobs(store))
    client = app.server.test_client()
    client.get("/")
    r = client.post("/_dash-update-component", json={}, headers={"Host": "rebind.attacker.example"})
    assert r.status_code == 400
    assert r.get_data(as_text=True) == ("Host 'rebind.attacker.example' refused: this server answers to "
                                        "127.0.0.1, ::1, localhost only")
    for path in ("/", "/api/runs", f"/api/runs/{store_runs['a']}/scenario.yaml"):
        assert client.get(path, headers={"Host": "evil.example:8050"}).status_code == 400
    _no_job(store_runs["dir"], before_runs, before_jobs, {})
