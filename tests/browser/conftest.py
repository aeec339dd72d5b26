"""Browser-test fixtures: Debian's headless Chromium driven by Playwright, the app served in-process.

Chromium gets flags that keep it off the internet (no background networking, every host name
except localhost resolves to nothing).  The app is served with werkzeug on 127.0.0.1, port 0.
"""

from __future__ import annotations

import os
import shutil
import sys
import threading
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "dash_app"))  # shared run-store helpers

from twin.report import CHROMIUM, CHROMIUM_FLAGS  # noqa: E402 - one set of flags (BROWSER.md)

SCREENSHOTS = Path(__file__).parent / "screenshots"


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} not installed (apt-get install -y chromium)")
    playwright = pytest.importorskip("playwright.sync_api")
    with playwright.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_FLAGS)
        yield b
        b.close()


@pytest.fixture(scope="session")
def run_store(tmp_path_factory):
    """A run store with real runs: two 3-day runs of the default preset (baseline, and with a
    bigger battery and more solar) and one year-long hourly run."""
    from dash_app_runs import make_store

    return make_store(tmp_path_factory.mktemp("runs"), year=True)


@pytest.fixture(scope="session")
def app_url(run_store):
    from werkzeug.serving import make_server

    from dash_app import create_app

    app = create_app(run_store["dir"])
    server = make_server("127.0.0.1", 0, app.server, threaded=True)
    th = threading.Thread(target=server.serve_forever, daemon=True)
    th.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    th.join(timeout=5)
    shutil.rmtree(Path(run_store["dir"]) / ".cache", ignore_errors=True)


@pytest.fixture
def page(browser):
    ctx = browser.new_context(viewport={"width": 1400, "height": 1000})
    pg = ctx.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda e: errors.append(f"pageerror: {e}"))
    pg.on("console", lambda m: errors.append(f"console.{m.type}: {m.text}") if m.type == "error" else None)
    pg.set_default_timeout(15_000)
    yield pg
    ctx.close()
    assert not errors, "browser errors:\n" + "\n".join(errors)


def small_png(png: bytes, path: Path) -> Path:
    """Write a screenshot, as a 256-colour palette PNG when Pillow is there (a third of the bytes:
    the committed ones stay under ~300 kB)."""
    SCREENSHOTS.mkdir(exist_ok=True)
    try:
        import io

        from PIL import Image

        img = Image.open(io.BytesIO(png)).convert("RGB")
        img.quantize(colors=256, method=Image.Quantize.MEDIANCUT).save(path, optimize=True)
    except ImportError:
        path.write_bytes(png)
    return path


@pytest.fixture
def shot():
    """``shot(page, name)`` saves a full-page screenshot under tests/browser/screenshots/."""

    def _shot(page, name: str) -> Path:
        return small_png(page.screenshot(full_page=True), SCREENSHOTS / f"{name}.png")

    return _shot
