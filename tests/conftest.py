"""Shared fixtures: short real runs of the default preset, built once per session."""

from __future__ import annotations

import os

import numpy as np
import pandas as pd
import pytest

# HiGHS and BLAS: stay on one thread each in tests (2-core machines)
os.environ.setdefault("OMP_NUM_THREADS", "1")


@pytest.fixture(scope="session")
def default_scenario():
    import twin

    return twin.load_scenario("default")


@pytest.fixture(scope="session")
def default_run(default_scenario):
    import twin

    return twin.simulate(default_scenario)


MONTH_START_DOY = np.cumsum([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30])


def _write_epw(path, site_id):
    """A minimal valid EPW (8 header lines, 35 fields per row) made from a typical-year file.

    EPW rows are hour-ending: row (month, day, hour h) carries the temperature, RH and wind at
    h:00 and the mean GHI over the hour that ends at h:00 (trapezoid of the two hour marks).
    """
    from twin import weather

    sites = weather.weather_sites().set_index("site_id")
    s = sites.loc[site_id]
    f = pd.read_csv(weather.WEATHER_DIR / f"{site_id}.csv", comment="#")
    t, rh, g, w = (f[c].to_numpy() for c in ("drybulb_c", "rh_frac", "ghi_w_m2", "wind_m_s"))
    lines = [
        f"LOCATION,{s['name']},-,{s['country']},synthetic,999999,{s['latitude']},{s['longitude']},"
        f"{s['utc_offset_h']:.1f},5.0",
        "DESIGN CONDITIONS,0",
        "TYPICAL/EXTREME PERIODS,0",
        "GROUND TEMPERATURES,0",
        "HOLIDAYS/DAYLIGHT SAVINGS,No,0,0,0",
        "COMMENTS 1,test fixture made from a synthetic typical year",
        "COMMENTS 2,",
        "DATA PERIODS,1,1,Data,Wednesday, 1/ 1,12/31",
    ]
    n = 8760
    for i in range(n):  # i = hour-of-year index of the hour START
        day, h0 = divmod(i, 24)
        month = int(np.searchsorted(MONTH_START_DOY, day, side="right"))
        dom = day - MONTH_START_DOY[month - 1] + 1
        end = (i + 1) % n  # hour mark at the END of the hour
        ghi_mean = 0.5 * (g[i] + g[end])
        es = 6.112 * np.exp(17.62 * t[end] / (243.12 + t[end]))
        e = rh[end] * es
        td = 243.12 * np.log(e / 6.112) / (17.62 - np.log(e / 6.112))
        fields = [2009, month, dom, h0 + 1, 60, "?9?9?9?9E0?9?9?9?9?9?9?9?9?9?9?9?9?9?9?9*9*9*9*9*9",
                  f"{t[end]:.1f}", f"{td:.1f}", f"{100 * rh[end]:.0f}", 101325, 9999, 9999, 9999,
                  f"{ghi_mean:.0f}", 0, 0, 999999, 999999, 999999, 9999, 0, f"{w[end]:.1f}", 0, 0,
                  9999, 99999, 9, 999999999, 999, 0.999, 999, 99, 999, 0.0, 0]
        assert len(fields) == 35
        lines.append(",".join(str(x) for x in fields))
    path.write_text("\n".join(lines) + "\n")
    return path


@pytest.fixture(scope="session")
def write_epw():
    """``write_epw(path, site_id)``: an EPW file made from a site's typical year."""
    return _write_epw
