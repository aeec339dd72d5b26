"""The app in a real browser: open, pick a run, play, scrub, compare, launch a what-if.

Timings measured in the browser are printed (run with ``-s`` to see them):
slider key press → Sankey redrawn, and opening a year-long hourly run.
"""

from __future__ import annotations

import re
import statistics
import time
import uuid

import pytest
from playwright.sync_api import expect

from dash_app import figures
from dash_app.store import RunStore

pytestmark = pytest.mark.browser

SANKEY = "#pb-sankey .js-plotly-plot"
SERIES = "#pb-series .js-plotly-plot"


def _rendered(page, run_id: str) -> None:
    # a generous wait: the open time is reported (benchmarks, the note), never asserted, and a shared
    # 2-core machine can take several seconds for the first open of a year-long run
    expect(page.locator("#pb-run-id")).to_have_text(run_id, timeout=30_000)
    page.wait_for_function(
        "([s, t]) => { const a = document.querySelector(s), b = document.querySelector(t);"
        " return a && a._fullLayout && b && b._fullLayout && b.querySelector('.shapelayer path'); }",
        arg=[SANKEY, SERIES])


def _link_values(page) -> list[float]:
    return page.evaluate(f"() => Array.from(document.querySelector('{SANKEY}').data[0].link.value)")


def _cursor_x(page) -> str:
    return page.evaluate(f"() => String(document.querySelector('{SERIES}').layout.shapes[0].x0)")


def test_open_pick_play_and_scrub(page, shot, app_url, run_store):
    a = run_store["a"]
    page.goto(app_url + "/runs")
    expect(page.locator("#runs-table")).to_be_visible()
    expect(page.locator(f"tr[data-run-id='{a}']")).to_have_count(1)
    shot(page, "01-runs")
    page.locator(f"tr[data-run-id='{a}'] a.run-link").click()
    _rendered(page, a)
    clock = page.locator("#pb-clock")
    t_start = clock.inner_text()
    flows0 = _link_values(page)
    cursor0 = _cursor_x(page)

    # play: the clock advances by itself, then pause holds it
    page.locator("#pb-play").click()
    expect(page.locator("#pb-play")).to_have_text(re.compile("Pause"))
    expect(clock).not_to_have_text(t_start, timeout=5_000)
    page.locator("#pb-play").click()
    expect(page.locator("#pb-play")).to_have_text(re.compile("Play"))
    held = clock.inner_text()
    page.wait_for_timeout(400)
    assert clock.inner_text() == held
    shot(page, "02-playback-played")

    # scrub with the keyboard: the flows, the clock and the cursor follow
    slider = page.locator("#pb-slider [role=slider]").first
    slider.focus()
    page.keyboard.press("Home")
    expect(clock).to_have_text(t_start)
    for _ in range(14):  # 14 steps = into the afternoon of the first day
        page.keyboard.press("ArrowRight")
    expect(page.locator("#pb-step")).to_have_text(re.compile(r"^step 15 /"))
    # the browser's clock agrees with the Python reference (figures.time_label) at step 14
    payload = RunStore(run_store["dir"]).payload(a)
    assert clock.inner_text() == figures.time_label(payload, 14) != t_start
    flows = _link_values(page)
    assert flows != flows0, "Sankey flows did not change when scrubbing"
    assert _cursor_x(page) != cursor0, "time-series cursor did not move"
    shot(page, "03-playback-scrubbed")


def _slider_latency_ms(page, presses: int = 20) -> list[float]:
    """Key press on the slider → first DOM mutation inside the Sankey, timed in the browser.

    Every press must change the Sankey without a server round trip: a request to a Dash
    callback while the slider moves fails the test (the timing itself is reported, not asserted:
    speed is for benchmarks, and this machine is shared).
    """
    calls: list[str] = []
    on_request = lambda req: calls.append(req.url) if "_dash-update-component" in req.url else None  # noqa: E731
    page.on("request", on_request)
    page.evaluate(f"""() => {{
        window.__ct = {{lat: [], t0: null}};
        document.addEventListener('keydown', () => {{ window.__ct.t0 = performance.now(); }}, true);
        new MutationObserver(() => {{
            if (window.__ct.t0 !== null) {{
                window.__ct.lat.push(performance.now() - window.__ct.t0); window.__ct.t0 = null;
            }}
        }}).observe(document.querySelector('{SANKEY}'), {{subtree: true, childList: true, attributes: true,
                                                            characterData: true}});
    }}""")
    page.locator("#pb-slider [role=slider]").first.focus()
    for k in range(presses):
        page.keyboard.press("ArrowRight")
        page.wait_for_function("(n) => window.__ct.lat.length >= n", arg=k + 1)
    page.wait_for_timeout(300)  # a late callback request would still be caught
    page.remove_listener("request", on_request)
    assert calls == [], f"slider moves went to the server: {calls[:3]}"
    return page.evaluate("() => window.__ct.lat")


def test_slider_to_sankey_latency(page, shot, app_url, run_store):
    a = run_store["a"]
    page.goto(f"{app_url}/playback?run={a}")
    _rendered(page, a)
    lat = _slider_latency_ms(page)
    med, worst = statistics.median(lat), max(lat)
    print(f"\n[browser] slider key -> Sankey update (3-day run): median {med:.1f} ms, max {worst:.1f} ms "
          f"over {len(lat)} presses")
    assert len(lat) == 20  # every press changed the Sankey


def test_open_year_long_run(page, shot, app_url, run_store):
    """A year of hourly steps opens (runs list → Sankey and series drawn) in about a second."""
    y = run_store["year"]
    # the app is loaded (plotly.js ready) and the user picks the run from the list; the server
    # has not opened this run before
    page.goto(app_url + "/runs")
    expect(page.locator(f"tr[data-run-id='{y}']")).to_have_count(1)
    page.wait_for_function("() => !!window.Plotly")
    page.evaluate("() => { window.__ctOpen = performance.now(); }")
    wall = time.perf_counter()
    page.locator(f"tr[data-run-id='{y}'] a.run-link").click()
    _rendered(page, y)
    ms = page.evaluate("() => performance.now() - window.__ctOpen")
    wall = time.perf_counter() - wall
    n = page.evaluate("() => document.querySelector('#pb-step').innerText")
    print(f"\n[browser] open year-long hourly run from the runs list ({n}): {ms:.0f} ms in the browser "
          f"({wall:.2f} s wall)")
    assert "8760" in n
    shot(page, "04-playback-year")
    lat = _slider_latency_ms(page, 10)
    print(f"[browser] slider key -> Sankey update (year-long run): median {statistics.median(lat):.1f} ms, "
          f"max {max(lat):.1f} ms")
    page.keyboard.press("End")
    expect(page.locator("#pb-step")).to_have_text(re.compile(r"^step 8760 / 8760"))
    # a fresh page straight onto the run (loads the app's JavaScript too)
    page.goto(f"{app_url}/playback?run={y}")
    _rendered(page, y)
    cold_ms = page.evaluate("() => performance.now()")  # since navigation start
    print(f"[browser] fresh page load straight onto the year-long run (app JS + run): {cold_ms:.0f} ms")


def test_compare_two_runs(page, shot, app_url, run_store):
    a, b = run_store["a"], run_store["b"]
    page.goto(f"{app_url}/compare?a={a}&b={b}")
    table = page.locator("#cmp-kpi")
    expect(table).to_be_visible()
    expect(table.locator("tr[data-kpi='pue'] td")).to_have_count(6)
    expect(page.locator("#cmp-monthly .js-plotly-plot")).to_be_visible()
    expect(page.locator("#cmp-series .js-plotly-plot")).to_be_visible()
    # the two runs differ (bigger battery and solar in B): some delta is non-zero
    deltas = table.locator("tbody tr td:nth-child(5)").all_inner_texts()
    assert any(d not in ("—", "+0", "+0.0", "+0.000", "0", "0.0") for d in deltas), deltas
    shot(page, "05-compare")


def test_whatif_bad_value_shown_next_to_field(page, shot, app_url, run_store):
    page.goto(f"{app_url}/whatif?run={run_store['a']}")
    field = page.locator("#wi-battery-mwh")
    field.fill("-5")
    page.locator("#wi-launch").click()
    err = page.locator("[id*='power.battery.energy_mwh'].field-error")
    expect(err).to_contain_text("power.battery.energy_mwh")
    expect(err).to_contain_text("greater than or equal to 0")
    expect(page.locator("#wi-status")).to_contain_text("problem")
    expect(page.locator("#wi-result")).to_be_empty()  # nothing launched
    shot(page, "06-whatif-error")


def test_whatif_launch_finishes_and_appears(page, shot, app_url, run_store):
    name = f"whatif-{uuid.uuid4().hex[:6]}"
    page.goto(f"{app_url}/whatif?run={run_store['a']}")
    page.locator("#wi-name").fill(name)
    page.locator("#wi-battery-mw").fill("15")
    page.locator("#wi-battery-mwh").fill("60")
    page.locator("#wi-solar-mwp").fill("25")
    page.locator("#wi-launch").click()
    done = page.locator("#wi-done")
    expect(done).to_be_visible(timeout=120_000)
    expect(page.locator("#wi-progress")).to_have_attribute("value", "100")
    new_id = done.get_attribute("data-run-id")
    assert new_id.startswith(name)
    shot(page, "07-whatif-done")
    page.locator("#nav-runs").click()
    expect(page.locator(f"tr[data-run-id='{new_id}']")).to_have_count(1)
    shot(page, "08-runs-after-whatif")


def test_two_users_launch_the_same_whatif_at_once(browser, app_url, run_store):
    """Two sessions press Launch on identical edits together: two jobs, two distinct runs."""
    name = f"twin-users-{uuid.uuid4().hex[:6]}"
    contexts = [browser.new_context() for _ in range(2)]
    pages = [c.new_page() for c in contexts]
    try:
        for pg in pages:
            pg.goto(f"{app_url}/whatif?run={run_store['a']}")
            pg.locator("#wi-name").fill(name)
            pg.locator("#wi-solar-mwp").fill("12")
        for pg in pages:
            pg.locator("#wi-launch").click()
        ids = []
        for pg in pages:
            done = pg.locator("#wi-done")
            expect(done).to_be_visible(timeout=120_000)
            ids.append(done.get_attribute("data-run-id"))
        assert len(set(ids)) == 2 and all(i.startswith(name) for i in ids), ids
        pages[0].goto(app_url + "/runs")
        for i in ids:
            expect(pages[0].locator(f"tr[data-run-id='{i}']")).to_have_count(1)
    finally:
        for c in contexts:
            c.close()
