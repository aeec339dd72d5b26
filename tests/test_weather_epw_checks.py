"""EPW files are checked before use: one line naming the file, line/column and first bad hour.

The broken files are the ones of issue #10 (each ended in a traceback, or ran with wrong numbers).
"""

from __future__ import annotations

import numpy as np
import pytest

from twin import weather
from twin.errors import TwinError, WeatherError


@pytest.fixture(scope="module")
def good(tmp_path_factory, write_epw):
    p = write_epw(tmp_path_factory.mktemp("epw") / "good.epw", "da_nang")
    return p.read_text().splitlines()


def _write(tmp_path, lines_or_bytes, name="bad.epw"):
    p = tmp_path / name
    if isinstance(lines_or_bytes, bytes):
        p.write_bytes(lines_or_bytes)
    else:
        p.write_text("\n".join(lines_or_bytes) + "\n")
    return p


def _cell(lines, i, col, value):
    """Set field ``col`` of data row ``i`` (0-based, after the 8 header lines)."""
    f = lines[8 + i].split(",")
    f[col] = str(value)
    lines[8 + i] = ",".join(f)


def _refused(p) -> str:
    with pytest.raises(WeatherError) as e:
        weather.check_epw(p)
    (line,) = e.value.problems
    assert line.startswith(f"{p}: ")
    return line[len(f"{p}: "):]


def test_weather_error_in_the_hierarchy():
    assert issubclass(WeatherError, TwinError)


def test_truncated(tmp_path, good):
    assert _refused(_write(tmp_path, good[: 8 + 2920])) == (
        "2,920 data rows (truncated or not a whole year); an hourly EPW year has 8,760 (8,784 with 29 Feb)")


def test_header_only_empty_binary(tmp_path, good):
    assert _refused(_write(tmp_path, good[:8])) == "header only: no data rows (a year of hourly data has 8,760)"
    assert _refused(_write(tmp_path, b"")) == "empty file, not an EPW weather file"
    assert _refused(_write(tmp_path, bytes(range(256)) * 8)) == "a binary file (NUL bytes), not an EPW weather file"


def test_wrong_column_count(tmp_path, good):
    lines = good.copy()
    lines[8 + 100] = ",".join(lines[8 + 100].split(",")[:20])
    assert _refused(_write(tmp_path, lines)) == \
        "line 109: 20 fields; an EPW data row has 35 (a row cut short or a stray comma?)"
    lines = good.copy()
    lines[8 + 100] += ",1,2"
    assert _refused(_write(tmp_path, lines)).startswith("line 109: 37 fields")


def test_text_in_a_cell_names_line_hour_and_column(tmp_path, good):
    lines = good.copy()
    _cell(lines, 200, 6, "warm")
    assert _refused(_write(tmp_path, lines)) == \
        "line 209 (9 Jan hour 9 (08:00-09:00)), column dry bulb temperature [degC]: 'warm' is not a number"


def test_time_zone_99_hour_25_duplicate_hour(tmp_path, good):
    lines = good.copy()
    f = lines[0].split(",")
    f[8] = "99"
    lines[0] = ",".join(f)
    assert _refused(_write(tmp_path, lines)) == "line 1: LOCATION time zone 99 is outside -12..14 h"
    lines = good.copy()
    _cell(lines, 300, 3, 25)
    assert _refused(_write(tmp_path, lines)) == "line 309: hour 25 — EPW hours are 1..24 (hour-ending)"
    lines = good.copy()
    lines[8 + 301] = lines[8 + 300]
    assert _refused(_write(tmp_path, lines)) == \
        "line 310: 13 Jan hour 13 (12:00-13:00) repeats line 309 (each hour of the year once)"


@pytest.mark.parametrize("col,value,name,rng", [
    (8, 500, "relative humidity [%]", "0..110"),
    (6, 70, "dry bulb temperature [degC]", "-70..70 (exclusive)"),
    (13, -50, "global horizontal radiation [Wh/m2]", "0..1500"),
    (21, -3, "wind speed [m/s]", "0..40"),
])
def test_physical_ranges(tmp_path, good, col, value, name, rng):
    lines = good.copy()
    _cell(lines, 2400, col, value)
    assert _refused(_write(tmp_path, lines)) == \
        f"line 2409 (11 Apr hour 1 (00:00-01:00)), column {name}: {value} is outside the EPW range {rng}"


def test_every_temperature_missing_is_refused(tmp_path, good):
    lines = good.copy()
    for i in range(8760):
        _cell(lines, i, 6, 99.9)
    assert _refused(_write(tmp_path, lines)) == \
        "column dry bulb temperature [degC]: every hour is missing (the EPW missing-value code or NaN)"


def test_long_gap_names_column_and_first_hour(tmp_path, good):
    lines = good.copy()
    for i in range(2400, 2407):  # 7 h of the missing code
        _cell(lines, i, 6, 99.9)
    assert _refused(_write(tmp_path, lines)) == (
        "column dry bulb temperature [degC]: 7 consecutive hours missing from line 2409 (11 Apr hour 1 "
        "(00:00-01:00)) (at most 6 h are filled by linear interpolation)")


@pytest.mark.parametrize("col,code", [(6, "99.9"), (8, "999"), (13, "9999"), (21, "999"), (6, "NaN")])
def test_short_gap_is_filled_linearly_and_recorded(tmp_path, good, col, code):
    lines = good.copy()
    # 3 h missing between hour marks 2400 (row 2399) and 2404 (row 2403): placed at marks 2401..2403
    before = float(lines[8 + 2399].split(",")[col])
    after = float(lines[8 + 2403].split(",")[col])
    for i in (2400, 2401, 2402):
        _cell(lines, i, col, code)
    p = _write(tmp_path, lines, name=f"gap{col}.epw")
    meta = weather.check_epw(p)["meta"]
    assert sum(meta["gaps_filled_h"].values()) == 3
    ds = weather.load_weather("epw", path=p, start="2025-04-11", end="2025-04-12")
    assert ds.attrs["weather_gaps_filled"].endswith(": 3 h")
    assert "at most 6 h filled by linear interpolation" in ds.attrs["weather_gap_rule"]
    var = {6: "ambient_drybulb_c", 8: "ambient_rh_frac", 13: "ghi_w_m2", 21: "wind_m_s"}[col]
    scale = 0.01 if col == 8 else 1.0
    if col != 13:  # hour marks 01:00..03:00 of 11 Apr lie on the straight line between 00:00 and 04:00
        expect = scale * (before + (after - before) * np.arange(1, 4) / 4)
        np.testing.assert_allclose(ds[var].values[1:4], np.clip(expect, 0, 1) if col == 8 else expect, atol=1e-9)
    assert np.isfinite(ds[var].values).all()


def test_cli_run_of_a_scenario_on_a_broken_epw_exits_2_before_work(tmp_path, good, capsys):
    import yaml

    from twin.cli import main
    from twin.scenario import SCENARIO_DIR

    lines = good.copy()
    _cell(lines, 10, 3, 25)
    epw = _write(tmp_path, lines)
    d = yaml.safe_load((SCENARIO_DIR / "default.yaml").read_text())
    d["site"]["weather"] = {"source": "epw", "path": str(epw)}
    sc = tmp_path / "s.yaml"
    sc.write_text(yaml.safe_dump(d))
    for argv in (["validate", str(sc)], ["run", str(sc), "-q", "-o", str(tmp_path / "runs")]):
        assert main(argv) == 2
        (line,) = capsys.readouterr().err.strip().splitlines()
        assert line == f"error: {epw}: line 19: hour 25 — EPW hours are 1..24 (hour-ending)"
    assert not any((tmp_path / "runs").iterdir())  # nothing written, no lock left


def test_filled_gap_is_recorded_in_the_run(tmp_path, good):
    import yaml

    import twin
    from twin.scenario import SCENARIO_DIR, parse_scenario

    lines = good.copy()
    for i in (2400, 2401):
        _cell(lines, i, 6, 99.9)
    epw = _write(tmp_path, lines)
    d = yaml.safe_load((SCENARIO_DIR / "default.yaml").read_text())
    d["site"]["weather"] = {"source": "epw", "path": str(epw)}
    d["period"] = {"start": "2025-04-10", "end": "2025-04-12", "step": "1h"}
    run = twin.simulate(parse_scenario(d))
    assert run.attrs["weather_gaps_filled"] == "dry bulb temperature: 2 h"
    assert run.attrs["weather_gap_rule"].startswith("missing values (EPW codes, NaN) in runs of at most 6 h")
