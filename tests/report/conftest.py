"""Short real runs (two days, hourly, baseline dispatch) for the report tests."""

from __future__ import annotations

from html.parser import HTMLParser
from types import SimpleNamespace

import pytest


def short_run(preset: str = "default", start: str = "2025-04-07", end: str = "2025-04-09", **edit):
    """A real baseline run of ``preset`` over a short period, with optional mapping edits."""
    import twin
    from twin.scenario import parse_scenario

    data = twin.load_scenario(preset).model_dump(mode="json")
    data["period"] = {"start": start, "end": end, "step": "1h"}
    for path, value in edit.items():
        cur = data
        keys = path.split("__")
        for k in keys[:-1]:
            cur = cur[int(k)] if isinstance(cur, list) else cur[k]
        cur[keys[-1]] = value
    return twin.simulate(parse_scenario(data))


@pytest.fixture(scope="session")
def run_pair():
    """The default campus for two days, and the same campus with a 2 MW grid feed and no battery."""
    a = short_run()
    b = short_run(power__grid__capacity_mw=2.0, power__battery__power_mw=0.0, power__battery__energy_mwh=0.0,
                  name="default-small-grid")
    return a, b


# ---- reading a report back: tags, KPI cells and delta cells by their data attributes ----
class _Tags(HTMLParser):
    """Every start tag with its attributes, plus the script blocks."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.scripts: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        self._in_script = tag == "script"
        if self._in_script:
            self.scripts.append("")

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False

    def handle_data(self, data):
        if self._in_script:
            self.scripts[-1] += data


def parse(text: str) -> _Tags:
    p = _Tags()
    p.feed(text)
    return p


def kpi_cells(text: str) -> dict[tuple[int, str], float]:
    return {(int(a["data-run"]), a["data-kpi"]): float(a["data-value"])
            for t, a in parse(text).tags if t == "td" and "data-value" in a and "data-run" in a}


def delta_cells(text: str) -> dict[tuple[int, str], float]:
    return {(int(a["data-run"]), a["data-kpi"]): float(a["data-delta"])
            for t, a in parse(text).tags if t == "td" and "data-delta" in a}


@pytest.fixture(scope="session")
def report_reader():
    """``parse(text)``, ``kpi_cells(text)``, ``delta_cells(text)`` for reading a report back."""
    return SimpleNamespace(parse=parse, kpi_cells=kpi_cells, delta_cells=delta_cells)
