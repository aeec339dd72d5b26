"""Narrow screens and playback speed in a real browser.

- The runs, playback, compare and what-if pages at 800 px: the page body never scrolls
  sideways (tables scroll inside their own box, pickers wrap).
- Playback at "10 steps/s" advances ten steps a second (measured over ~3 s of wall clock).
- A run saved with non-finite figures opens (shown as NaN / ±∞, no callback error).
"""

from __future__ import annotations

import json
import re

import numpy as np
import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

_OVERFLOW = """() => {
  const w = document.documentElement.clientWidth;
  const wide = [];
  for (const el of document.querySelectorAll('body *')) {
    let p = el.parentElement, inner = false;
    while (p) { const s = getComputedStyle(p);
      if (['auto', 'scroll', 'hidden'].includes(s.overflowX)) { inner = true; break; } p = p.parentElement; }
    if (inner) continue;
    const r = el.getBoundingClientRect();
    if (r.width && r.right > w + 1) wide.push((el.id || el.className || el.tagName) + ' ' + Math.round(r.right));
  }
  return {scroll: document.documentElement.scrollWidth, body: document.body.scrollWidth, w: w, wide: wide.slice(0, 8)};
}"""


@pytest.fixture
def narrow(browser):
    ctx = browser.new_context(viewport={"width": 800, "height": 900})
    pg = ctx.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda e: errors.append(f"pageerror: {e}"))
    pg.on("console", lambda m: errors.append(f"console.{m.type}: {m.text}") if m.type == "error" else None)
    pg.set_default_timeout(20_000)
    yield pg
    ctx.close()
    assert not errors, "browser errors:\n" + "\n".join(errors)


def test_four_pages_fit_800px(narrow, shot, app_url, run_store):
    a, b = run_store["a"], run_store["b"]
    pages = {
        "runs": ("/runs", "#runs-table"),
        "playback": (f"/playback?run={a}", "#pb-sankey .js-plotly-plot"),
        "compare": (f"/compare?a={a}&b={b}", "#cmp-kpi"),
        "whatif": (f"/whatif?run={a}", "#wi-launch"),
    }
    for name, (path, ready) in pages.items():
        narrow.goto(app_url + path)
        expect(narrow.locator(ready)).to_be_visible()
        narrow.wait_for_timeout(300)  # plotly's responsive resize
        m = narrow.evaluate(_OVERFLOW)
        shot(narrow, f"800px-{name}")
        assert m["scroll"] <= m["w"] and m["body"] <= m["w"], (name, m)
        assert m["wide"] == [], (name, m)


def test_ten_steps_per_second(page, app_url, run_store):
    page.goto(f"{app_url}/playback?run={run_store['year']}")
    expect(page.locator("#pb-sankey .js-plotly-plot")).to_be_visible(timeout=60_000)
    expect(page.locator("#pb-speed")).to_contain_text("10 steps/s")
    # the frame drawn last: its step and when it was drawn (set by playback.js)
    frame = lambda: page.evaluate("() => [window.__ctFrame.t, window.__ctFrame.i]")  # noqa: E731
    page.locator("#pb-play").click()
    page.wait_for_timeout(1000)
    t0, s0 = frame()
    page.wait_for_timeout(3000)
    t1, s1 = frame()
    page.locator("#pb-play").click()
    rate = (s1 - s0) / ((t1 - t0) / 1000)
    print(f"\nplayback at 10 steps/s: {s1 - s0} steps in {(t1 - t0) / 1000:.2f} s = {rate:.1f} steps/s")
    assert 8.5 <= rate <= 11.5, rate


def test_run_with_non_finite_figures_opens(page, app_url, run_store):
    from pathlib import Path

    from twin.store import open_run, save_run

    src = Path(run_store["dir"]) / run_store["a"]
    ds = open_run(src)
    ds.attrs["scenario_yaml"] = (src / "scenario.yaml").read_text(encoding="utf-8")
    for v in ("pue", "reserve_margin_mw", "facility_power_mw"):
        x = ds[v].values.copy()
        x[1], x[2], x[3] = np.inf, np.nan, -np.inf
        ds[v].values[:] = x
    d = save_run(ds, run_store["dir"], run_id=f"nonfinite-{src.name[-6:]}")
    s = json.loads((d / "summary.json").read_text())
    s["kpi"]["pue"], s["kpi"]["cost_usd"] = float("nan"), float("inf")  # as an older writer left them
    (d / "summary.json").write_text(json.dumps(s))
    page.goto(f"{app_url}/playback?run={d.name}")
    expect(page.locator("#pb-run-id")).to_have_text(d.name)
    expect(page.locator(".kpi-line")).to_contain_text("PUE NaN")
    expect(page.locator(".kpi-line")).to_contain_text("cost +∞ USD")
    slider = page.locator("#pb-slider [role=slider]").first
    slider.focus()
    for _ in range(4):  # through the non-finite steps
        page.keyboard.press("ArrowRight")
    expect(page.locator("#pb-step")).to_have_text(re.compile(r"^step 5 /"))
    page.goto(f"{app_url}/runs")
    expect(page.locator(f"tr[data-run-id='{d.name}']")).to_contain_text("NaN")


def test_url_holds_run_and_time_and_zoom_moves_playback(page, app_url, run_store):
    """A shared URL opens the run at its step; scrubbing writes the step back; zooming the series
    to a week moves the Sankey and gauges to the start of that week; heat maps sit beside."""
    from dash_app import figures
    from dash_app.store import RunStore

    run = run_store["year"]
    page.goto(f"{app_url}/playback?run={run}&t=100")
    expect(page.locator("#pb-step")).to_have_text(re.compile(r"^step 101 / 8760"), timeout=60_000)
    expect(page.locator("#pb-heatmaps .js-plotly-plot")).to_be_visible()
    slider = page.locator("#pb-slider [role=slider]").first
    slider.focus()
    page.keyboard.press("ArrowRight")
    expect(page.locator("#pb-step")).to_have_text(re.compile(r"^step 102 /"))
    page.wait_for_function("() => location.search.endsWith('&t=101')")
    # zoom the series to the week from 2025-03-03 (a Monday): playback follows to its first hour
    page.evaluate("() => Plotly.relayout(document.querySelector('#pb-series .js-plotly-plot'),"
                  " {'xaxis.range[0]': '2025-03-03 00:00:00', 'xaxis.range[1]': '2025-03-10 00:00:00'})")
    i = (31 + 28 + 2) * 24  # hours from 1 January to 3 March (hand arithmetic)
    expect(page.locator("#pb-step")).to_have_text(re.compile(rf"^step {i + 1} /"))
    payload = RunStore(run_store["dir"]).payload(run)
    expect(page.locator("#pb-clock")).to_have_text(figures.time_label(payload, i))
