"""Screenshots a person looks at (issue #12): the report of two presets over a year (HTML and its
PDF pages) and the app's pages for the same two presets, written to tests/browser/screenshots/.

While at it, each screenshot's page is checked for what looking at them found wrong before:
tick labels with an SI prefix ("760m", "1.2k"), heat maps under the playback on a wide screen.
"""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest
from playwright.sync_api import expect

from .conftest import SCREENSHOTS, small_png

pytestmark = pytest.mark.browser

#: a tick label that is a number with an SI suffix (plotly's default "~s"-like ticks)
SI_TICK = re.compile(r"^[−-]?[\d.,]+\s?[yzafpnµumkMGTPE]$")
#: the second preset (an immersion-cooled, grid-fed campus in Ho Chi Minh City) beside the default
SECOND = "samsung-cmc-hcmc"

_ALL_PLOTS = "() => Array.from(document.querySelectorAll('.js-plotly-plot')).every(d => d._fullLayout)"


@pytest.fixture(scope="module")
def second_year(run_store):
    """A year of the second preset (hourly, baseline) saved into the app's run store."""
    import twin
    from twin.store import save_run

    return save_run(twin.simulate(twin.load_scenario(SECOND)), run_store["dir"]).name


@pytest.fixture(scope="module")
def year_report(run_store, second_year, tmp_path_factory):
    from twin.report import report_html
    from twin.store import open_run

    runs = [open_run(f"{run_store['dir']}/{r}") for r in (run_store["year"], second_year)]
    out = tmp_path_factory.mktemp("report") / "report.html"
    out.write_text(report_html(runs, ["default campus (year)", f"{SECOND} (year)"]), encoding="utf-8")
    return out


def _ticks(page) -> list[str]:
    return page.evaluate("() => Array.from(document.querySelectorAll("
                         "'.xtick text, .ytick text, .cbaxis text, .colorbar text')).map(t => t.textContent)")


def _element_shot(page, selector: str, name: str) -> None:
    loc = page.locator(selector)
    loc.scroll_into_view_if_needed()
    small_png(loc.screenshot(), SCREENSHOTS / f"{name}.png")


def test_report_html_screenshots_and_ticks(browser, year_report):
    ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    page = ctx.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        page.goto(year_report.as_uri())
        page.wait_for_function(_ALL_PLOTS, timeout=60_000)
        ticks = _ticks(page)
        assert len(ticks) > 100
        si = [t for t in ticks if SI_TICK.match(t.strip())]
        assert si == [], si[:10]
        assert not [t for t in ticks if re.fullmatch(r"[−-]0(\.0+)?", t.strip())]  # no negative zero
        small_png(page.screenshot(), SCREENSHOTS / "report-01-summary.png")
        for sel, name in (("#fig-monthly-energy", "report-02-monthly-energy"),
                          ("#fig-heatmaps", "report-03-heatmaps"), ("#fig-weeks", "report-04-weeks-by-unit")):
            _element_shot(page, sel, name)
        page.locator("#kpis").scroll_into_view_if_needed()
        small_png(page.screenshot(), SCREENSHOTS / "report-05-kpis.png")
    finally:
        ctx.close()
    assert not errors, errors


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="pdftoppm (poppler-utils) not installed")
def test_report_pdf_pages_screenshots(browser, year_report, tmp_path):
    pypdf = pytest.importorskip("pypdf")
    from twin.report import html_to_pdf

    pdf = html_to_pdf(year_report, tmp_path / "report.pdf", browser)
    reader = pypdf.PdfReader(str(pdf))
    n = len(reader.pages)
    assert 4 <= n <= 60, n
    text = "\n".join(p.extract_text() for p in reader.pages)
    assert "Executive summary" in text and f"{SECOND} (year)" in text
    # pages 1 and 2 (summary, tables) and the page the heat maps start on
    heat = next((i for i, p in enumerate(reader.pages) if "year at a glance" in p.extract_text()), n - 1)
    for k, page_no in enumerate(sorted({1, 2, heat + 1}), start=1):
        prefix = tmp_path / f"p{page_no}"
        subprocess.run(["pdftoppm", "-png", "-r", "80", "-f", str(page_no), "-l", str(page_no), "-singlefile",
                        str(pdf), str(prefix)], check=True, timeout=60)
        small_png((prefix.with_suffix(".png")).read_bytes(), SCREENSHOTS / f"pdf-page-{k}.png")


@pytest.mark.parametrize("which", ["year", "second"])
def test_app_pages_of_two_presets(page, app_url, run_store, second_year, which):
    run = run_store["year"] if which == "year" else second_year
    tag = "default" if which == "year" else SECOND
    page.goto(f"{app_url}/playback?run={run}")
    expect(page.locator("#pb-run-id")).to_have_text(run, timeout=60_000)
    page.wait_for_function(_ALL_PLOTS, timeout=60_000)
    page.wait_for_timeout(300)  # plotly's responsive resize
    # 1400 px wide: the heat maps beside the playback, their tops level
    main, heat = page.locator("#pb-main").bounding_box(), page.locator("#pb-heat").bounding_box()
    assert heat["x"] >= main["x"] + main["width"] - 1, (main, heat)
    assert abs(heat["y"] - main["y"]) < 5
    si = [t for t in _ticks(page) if SI_TICK.match(t.strip())]
    assert si == [], si[:10]
    small_png(page.screenshot(), SCREENSHOTS / f"app-playback-{tag}.png")
    page.goto(f"{app_url}/compare?a={run_store['year']}&b={second_year}")
    expect(page.locator("#cmp-kpi")).to_be_visible()
    page.wait_for_function(_ALL_PLOTS, timeout=60_000)
    si = [t for t in _ticks(page) if SI_TICK.match(t.strip())]
    assert si == [], si[:10]
    if which == "year":
        small_png(page.screenshot(), SCREENSHOTS / "app-compare-two-presets.png")


def test_heatmaps_under_the_playback_on_a_narrow_screen(browser, app_url, run_store):
    ctx = browser.new_context(viewport={"width": 800, "height": 900})
    page = ctx.new_page()
    try:
        page.goto(f"{app_url}/playback?run={run_store['year']}")
        page.wait_for_selector("#pb-heat .js-plotly-plot", timeout=60_000)
        page.wait_for_function(_ALL_PLOTS, timeout=60_000)
        main, heat = page.locator("#pb-main").bounding_box(), page.locator("#pb-heat").bounding_box()
        assert heat["y"] >= main["y"] + main["height"] - 1, (main, heat)
    finally:
        ctx.close()


def test_whatif_warns_before_running(page, app_url, run_store):
    """GB200 racks put under air: the checks' warning shows and nothing runs until "Launch anyway"."""
    page.goto(f"{app_url}/whatif?run={run_store['a']}")
    dd = page.locator('button[id=\'{"index":1,"type":"wi-hall-cooling"}\']')
    dd.click()
    page.get_by_role("option", name="air", exact=True).click()
    page.locator("#wi-launch").click()
    expect(page.locator("#wi-warned")).to_be_visible()
    expect(page.locator("#wi-status")).to_contain_text("air alone can cool")
    expect(page.locator("#wi-confirm")).to_be_visible()
    expect(page.locator("#wi-result")).to_be_empty()
    small_png(page.screenshot(), SCREENSHOTS / "app-whatif-warning.png")
