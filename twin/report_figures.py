"""Figures of the what-if report: pure functions from run Datasets to plotly figures.

Every builder takes a list of settled run Datasets and their display names (the first run is
the reference) and returns a :class:`plotly.graph_objects.Figure`.  Totals come from
:mod:`twin.kpi`; axis labels from :func:`twin.variables.label`.  Long time series (a year at
one-minute steps) are thinned for plotting only — to hourly, then daily — never the KPIs.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import xarray as xr
from plotly.subplots import make_subplots

from twin import kpi
from twin.variables import label

#: most points one time-series trace gets; above it the series is resampled (plotting only)
MAX_POINTS = 2500  # a year hourly is drawn daily here; the heat maps and weeks keep the hours
SOURCE_COLOURS = {"gas": "#e45756", "grid": "#4c78a8", "solar": "#eeca3b", "battery": "#54a24b",
                  "unserved": "#222222"}
RUN_COLOURS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
               "#bcbd22", "#17becf"]


def _colour(i: int) -> str:
    return RUN_COLOURS[i % len(RUN_COLOURS)]


def thin(da: xr.DataArray, how: str = "mean", max_points: int = MAX_POINTS) -> xr.DataArray:
    """A time series resampled to hourly, then daily, until it has at most ``max_points`` points."""
    for rule in ("1h", "1D"):
        if da.sizes["time"] <= max_points:
            return da
        da = resample(da, rule, how)
    return da


def resample(da: xr.DataArray, rule: str, how: str = "mean") -> xr.DataArray:
    """``da`` resampled over time to ``rule`` by ``how`` (mean, min, max, last, sum); a series
    already at that step is returned as is.  One-dimensional series go through pandas (vectorised:
    xarray's resample reduces group by group, seconds for a year of hours)."""
    t = pd.DatetimeIndex(da["time"].values)
    if len(t) > 1 and (t[1] - t[0]) == pd.Timedelta(rule) and t.is_monotonic_increasing and \
            (np.diff(t.asi8) == t.asi8[1] - t.asi8[0]).all() and (t.floor(rule) == t).all():
        return da
    if da.ndim == 1:
        r = getattr(pd.Series(np.asarray(da.values), index=t).resample(rule), how)()
        return xr.DataArray(r.values, coords={"time": r.index.values}, dims=["time"], name=da.name, attrs=da.attrs)
    return getattr(da.resample(time=rule), how)()


def _layout(fig: go.Figure, title: str, height: int = 420) -> go.Figure:
    fig.update_layout(title=title, height=height, template="plotly_white", hovermode="x unified",
                      legend=dict(orientation="h", yanchor="bottom", y=1.02, xanchor="left", x=0),
                      margin=dict(l=60, r=20, t=80, b=50))
    return fig


#: decimals a number in each unit is shown to: what it means (an engineering choice, the same as the
#: report's tables: MW to 0.1, energy, fuel and money whole, PUE and other ratios to 0.001)
DECIMALS = {"MW": 1, "MWh": 0, "GJ/h": 0, "t": 0, "USD": 0, "USD/MWh": 1, "-": 3, "%": 1, "degC": 1, "h": 0,
            "share": 2, "m3": 0}


def tick_format(unit: str) -> str:
    """d3 format of an axis in ``unit``: fixed point at its display precision, trailing zeros
    trimmed, thousands separated — never an SI prefix ("760m", "1.2k")."""
    return f",.{DECIMALS[unit]}~f"


def hover_format(unit: str) -> str:
    """d3 format of a hovered number in ``unit``: fixed point at its display precision."""
    return f",.{DECIMALS[unit]}f"


def shown(values, unit: str) -> np.ndarray:
    """Long series as the figure data carries them (totals such as bars keep their exact value and
    are formatted by the axis): rounded to the display precision of ``unit``, no
    negative zero, as float32 (half the bytes of float64 in plotly's binary JSON; exact at that
    precision for the magnitudes plotted here)."""
    a = np.round(np.asarray(values, dtype=float), DECIMALS[unit]) + 0.0  # + 0.0 turns -0.0 into 0.0
    return a.astype(np.float32)


def _num_axis(fig: go.Figure, axis: str, unit: str, title: str | None = None, **where) -> None:
    """A numeric axis in ``unit``: linear, its tick and hover formats at the unit's precision."""
    upd = dict(type="linear", tickformat=tick_format(unit), hoverformat=hover_format(unit))
    if title is not None:
        upd["title_text"] = title
    (fig.update_yaxes if axis == "y" else fig.update_xaxes)(**upd, **where)


def monthly_energy_balance_mwh(ds: xr.Dataset) -> xr.DataArray:
    """Energy by source and month that sums to the facility energy  [MWh].

    :func:`twin.kpi.monthly_energy_by_source_mwh` with the battery taken net of its charging
    (``battery`` = discharge − charge): the grid or gas energy that charged the battery is already
    in their bars, so stacking the discharge on top would count that energy twice.
    """
    m = kpi.monthly_energy_by_source_mwh(ds)
    charge = (ds["battery_charge_mw"].resample(time="MS").sum() * float(ds.attrs["step_h"])).values
    m = m.copy()
    m.loc[{"source": "battery"}] = m.sel(source="battery").values - charge
    return m.assign_coords(source=[("battery (net of charging)" if str(s) == "battery" else str(s))
                                   for s in m["source"].values])


def monthly_energy(runs: Sequence[xr.Dataset], names: Sequence[str]) -> go.Figure:
    """Energy by source and month, one panel per run  [MWh] (:func:`monthly_energy_balance_mwh`: the
    bars of a month sum to its facility energy; the battery appears once, net of charging)."""
    fig = make_subplots(rows=len(runs), cols=1, shared_xaxes=False, subplot_titles=list(names),
                        vertical_spacing=0.3 / max(len(runs), 1))  # room for the month labels and the next title
    for i, ds in enumerate(runs):
        m = monthly_energy_balance_mwh(ds)
        months = pd.DatetimeIndex(m["time"].values).strftime("%Y-%m")
        for s in m["source"].values:
            s = str(s)
            y = np.asarray(m.sel(source=s).values, dtype=float)
            if not np.any(np.abs(y) > 1e-6):
                continue  # a source the campus does not have: no empty legend entry
            fig.add_trace(go.Bar(x=list(months), y=y, name=s, legendgroup=s,
                                 showlegend=i == 0, marker_color=SOURCE_COLOURS.get(s.split(" ")[0])),
                          row=i + 1, col=1)
        _num_axis(fig, "y", "MWh", "energy [MWh]", row=i + 1, col=1)
        fig.update_xaxes(type="category", row=i + 1, col=1)
    fig.update_layout(barmode="relative")
    return _layout(fig, "Monthly energy by source", height=max(380, 300 * len(runs)))


def load_duration(runs: Sequence[xr.Dataset], names: Sequence[str]) -> go.Figure:
    """Facility power sorted from highest to lowest against the share of the period."""
    fig = go.Figure()
    for i, ds in enumerate(runs):
        p = np.sort(ds["facility_power_mw"].values)[::-1]
        n = p.size
        idx = _duration_points(n)
        x = 100.0 * (idx + 1) / max(n, 1)
        fig.add_trace(go.Scatter(x=shown(x, "%"), y=shown(p[idx], "MW"), mode="lines", name=names[i],
                                 line_color=_colour(i)))
    _num_axis(fig, "x", "%", "share of the period at or above [%]")
    _num_axis(fig, "y", "MW", label("facility_power_mw"))
    fig.update_layout(hovermode="closest")
    return _layout(fig, "Load-duration curve (facility power)")


def pue_vs_wetbulb(runs: Sequence[xr.Dataset], names: Sequence[str]) -> go.Figure:
    """PUE at every (thinned) step against the ambient wet-bulb temperature."""
    fig = go.Figure()
    for i, ds in enumerate(runs):
        p = thin(kpi.pue_hourly(ds))
        wb = thin(ds["ambient_wetbulb_c"])
        fig.add_trace(go.Scatter(x=shown(wb.values, "degC"), y=shown(p.values, "-"), mode="markers", name=names[i],
                                 marker=dict(size=4, opacity=0.5, color=_colour(i))))  # SVG: the cartesian bundle
    _num_axis(fig, "x", "degC", label("ambient_wetbulb_c"))
    _num_axis(fig, "y", "-", label("pue"))
    fig.update_layout(hovermode="closest")
    return _layout(fig, "PUE against ambient wet-bulb temperature")


def cooling_energy_parts_mwh(ds: xr.Dataset) -> dict[str, float]:
    """Cooling energy split into chiller compressors and the rest (fans, pumps, heat rejection)  [MWh].

    The total is :func:`twin.kpi.cooling_energy_mwh`; the chiller share is the step sum of
    ``chiller_power_mw`` (zero where the run has no chillers).
    """
    total = kpi.cooling_energy_mwh(ds)
    chiller = float(ds["chiller_power_mw"].sum()) * float(ds.attrs["step_h"]) if "chiller_power_mw" in ds else 0.0
    return {"chiller compressors": chiller, "fans, pumps and heat rejection": total - chiller}


def cooling_breakdown(runs: Sequence[xr.Dataset], names: Sequence[str]) -> go.Figure:
    """Cooling energy by component and by hall, one bar per run  [MWh]."""
    fig = make_subplots(rows=1, cols=2, subplot_titles=["by component", "by data hall"])
    parts = [cooling_energy_parts_mwh(ds) for ds in runs]
    for k in parts[0]:
        fig.add_trace(go.Bar(x=list(names), y=[p[k] for p in parts], name=k), row=1, col=1)
    halls: dict[str, list[float]] = {}
    for i, ds in enumerate(runs):
        if "hall_cooling_power_mw" not in ds:
            continue
        e = ds["hall_cooling_power_mw"].sum("time") * float(ds.attrs["step_h"])
        for h, v in zip(ds["hall"].values, e.values):
            halls.setdefault(str(h), [0.0] * len(runs))[i] = float(v)
    for h, vals in halls.items():
        fig.add_trace(go.Bar(x=list(names), y=vals, name=f"hall {h}"), row=1, col=2)
    _num_axis(fig, "y", "MWh", "cooling energy [MWh]", row=1, col=1)
    _num_axis(fig, "y", "MWh", row=1, col=2)
    fig.update_xaxes(type="category")
    fig.update_layout(barmode="stack", hovermode="closest")
    fig = _layout(fig, "Cooling energy breakdown")
    fig.update_layout(legend=dict(orientation="h", yanchor="top", y=-0.15, x=0), margin=dict(b=90))  # clear of titles
    return fig


def fuel_and_lng(runs: Sequence[xr.Dataset], names: Sequence[str]) -> go.Figure:
    """Fuel burnt (all gas units, LHV) and the LNG tank level over time."""
    fig = make_subplots(rows=2, cols=1, shared_xaxes=True, vertical_spacing=0.08)
    for i, ds in enumerate(runs):
        step_h = float(ds.attrs["step_h"])
        if "fuel_gj" in ds:
            f = ds["fuel_gj"].sum("unit") if "unit" in ds["fuel_gj"].dims else ds["fuel_gj"]
        else:
            f = xr.zeros_like(ds["facility_power_mw"])
        rate = thin(f / step_h)
        fig.add_trace(go.Scatter(x=rate["time"].values, y=shown(rate.values, "GJ/h"), mode="lines", name=names[i],
                                 legendgroup=names[i], line_color=_colour(i)), row=1, col=1)
        if "lng_tank_t" in ds:
            tank = thin(ds["lng_tank_t"])
            fig.add_trace(go.Scatter(x=tank["time"].values, y=shown(tank.values, "t"), mode="lines", name=names[i],
                                     legendgroup=names[i], showlegend=False, line_color=_colour(i)),
                          row=2, col=1)
    _num_axis(fig, "y", "GJ/h", "fuel burnt (LHV) [GJ/h]", row=1, col=1)
    _num_axis(fig, "y", "t", label("lng_tank_t"), row=2, col=1)
    fig.update_xaxes(type="date")
    return _layout(fig, "Fuel and LNG tank level", height=560)


def co2(runs: Sequence[xr.Dataset], names: Sequence[str]) -> go.Figure:
    """Cumulative CO2 (gas burnt on site and grid import) over the period  [t]."""
    fig = go.Figure()
    for i, ds in enumerate(runs):
        c = thin(ds["co2_t"].cumsum("time"), "last")
        fig.add_trace(go.Scatter(x=c["time"].values, y=shown(c.values, "t"), mode="lines", name=names[i],
                                 line_color=_colour(i)))
    _num_axis(fig, "y", "t", "cumulative CO2 (gas + grid) [t]")
    fig.update_xaxes(type="date")
    return _layout(fig, "CO2 emissions")


def cost_breakdown(runs: Sequence[xr.Dataset], names: Sequence[str]) -> go.Figure:
    """Cost by item, one bar per run and item  [USD] (from ``kpi.cost_breakdown_usd``)."""
    fig = go.Figure()
    for i, ds in enumerate(runs):
        from twin.report import _cost_label

        cb = kpi.cost_breakdown_usd(ds)
        fig.add_trace(go.Bar(x=[_cost_label(c) for c in cb], y=list(cb.values()), name=names[i],
                             marker_color=_colour(i)))
    _num_axis(fig, "y", "USD", "cost over the period [USD]")
    fig.update_xaxes(type="category")
    fig.update_layout(barmode="group", hovermode="closest")
    return _layout(fig, "Cost breakdown")


def reserve_margin(runs: Sequence[xr.Dataset], names: Sequence[str]) -> go.Figure:
    """N-1 reserve margin over the period (thinned by the minimum: the worst hour of each day)."""
    fig = go.Figure()
    for i, ds in enumerate(runs):
        r = thin(ds["reserve_margin_mw"], "min")
        fig.add_trace(go.Scatter(x=r["time"].values, y=shown(r.values, "MW"), mode="lines", name=names[i],
                                 line_color=_colour(i)))
    fig.add_hline(y=0, line_dash="dash", line_color="#c00")
    _num_axis(fig, "y", "MW", label("reserve_margin_mw"))
    fig.update_xaxes(type="date")
    return _layout(fig, "N-1 reserve margin (below zero: losing the largest unit sheds load)")


def shortfalls(runs: Sequence[xr.Dataset], names: Sequence[str]) -> go.Figure:
    """Unserved load and cooling deficit over time (thinned by the maximum)."""
    fig = make_subplots(rows=2, cols=1, shared_xaxes=True, vertical_spacing=0.08)
    for i, ds in enumerate(runs):
        for row, var in ((1, "unserved_mw"), (2, "cooling_deficit_mw")):
            s = thin(ds[var], "max")
            fig.add_trace(go.Scatter(x=s["time"].values, y=shown(s.values, "MW"), mode="lines", name=names[i],
                                     legendgroup=names[i], showlegend=row == 1, line_color=_colour(i)),
                          row=row, col=1)
    _num_axis(fig, "y", "MW", label("unserved_mw"), row=1, col=1)
    _num_axis(fig, "y", "MW", label("cooling_deficit_mw"), row=2, col=1)
    fig.update_xaxes(type="date")
    return _layout(fig, "Unserved load and cooling deficit", height=480)


#: the report's figures in order: (div id, section title, builder)
FIGURES = [
    ("fig-monthly-energy", "Monthly energy by source", monthly_energy),
    ("fig-load-duration", "Load-duration curve", load_duration),
    ("fig-pue-wetbulb", "PUE against ambient wet-bulb", pue_vs_wetbulb),
    ("fig-cooling-breakdown", "Cooling energy breakdown", cooling_breakdown),
    ("fig-fuel-lng", "Fuel and LNG tank level", fuel_and_lng),
    ("fig-co2", "CO2", co2),
    ("fig-cost-breakdown", "Cost breakdown", cost_breakdown),
    ("fig-reserve-margin", "Reserve margin over the period", reserve_margin),
]


#: the day x hour heat maps: (variable or derived key, title)
HEATMAPS = [("pue", "PUE [-]"), ("reserve_margin_mw", "N-1 reserve margin [MW]"),
            ("unit_loading", "gas unit loading [share of rated]"), ("marginal_price_usd_per_mwh",
                                                                    "marginal price [USD/MWh]")]


def _hourly(da: xr.DataArray, how: str = "mean") -> xr.DataArray:
    return resample(da, "1h", how) if da.sizes["time"] > 1 else da


def _heat_series(ds: xr.Dataset, key: str) -> xr.DataArray | None:
    if key == "unit_loading":
        if "gen_mw" not in ds or "unit_rated_mw" not in ds or float(ds["unit_rated_mw"].sum()) <= 0:
            return None
        return ds["gen_mw"].sum("unit") / float(ds["unit_rated_mw"].sum())
    if key not in ds or not np.isfinite(np.asarray(ds[key].values, dtype=float)).any():
        return None  # e.g. no marginal price in a rule-based run: no empty panel
    return ds[key]


def day_hour(da: xr.DataArray) -> tuple[list[str], np.ndarray]:
    """An hourly series as (days, 24 x days matrix) for a day x hour heat map (NaN where missing)."""
    h = _hourly(da)
    t = pd.DatetimeIndex(h["time"].values)
    days = pd.DatetimeIndex(sorted(set(t.normalize())))
    z = np.full((24, len(days)), np.nan)
    z[t.hour, days.get_indexer(t.normalize())] = np.asarray(h.values, dtype=float)
    return [d.strftime("%Y-%m-%d") for d in days], np.round(z, 3)


#: the unit of each heat map (for its colour bar and hover formats)
HEATMAP_UNITS = {"pue": "-", "reserve_margin_mw": "MW", "unit_loading": "share", "marginal_price_usd_per_mwh": "USD/MWh"}


def heatmaps(runs: Sequence[xr.Dataset], names: Sequence[str]) -> go.Figure:
    """A year at a glance: day x hour heat maps of PUE, N-1 margin, unit loading and marginal price
    (one column per run, at most two runs: the first and the last).  Each is a 24 x days matrix
    (not one point per hour) at its display precision."""
    pick = [0] if len(runs) == 1 else [0, len(runs) - 1]
    keys = [(k, t) for k, t in HEATMAPS if any(_heat_series(runs[i], k) is not None for i in pick)]
    series = {(k, i): _heat_series(runs[i], k) for k, _ in keys for i in pick}
    fig = make_subplots(rows=len(keys), cols=len(pick), shared_xaxes=True, vertical_spacing=0.07,
                        horizontal_spacing=0.12,
                        subplot_titles=[f"{t} — {names[i]}" + ("" if series[(k, i)] is not None else
                                                               ": none at this campus")
                                        for k, t in keys for i in pick])
    for r, (key, title) in enumerate(keys, start=1):
        unit = HEATMAP_UNITS[key]
        for c, i in enumerate(pick, start=1):
            if series[(key, i)] is None:
                continue
            days, z = day_hour(series[(key, i)])
            # each panel its own colour scale and bar (beside it): the pattern within a run is the point
            dom_x = fig.get_subplot(r, c).xaxis.domain
            fig.add_trace(go.Heatmap(x=days, y=list(range(24)), z=shown(z, unit),
                                     colorscale="RdYlBu_r" if key != "reserve_margin_mw" else "RdYlBu",
                                     showscale=True, hoverongaps=False,
                                     colorbar=dict(len=0.8 / len(keys), y=1 - (r - 0.5) / len(keys),
                                                   x=dom_x[1] + 0.005, xanchor="left", thickness=10,
                                                   tickformat=tick_format(unit), tickfont=dict(size=10)),
                                     hovertemplate=f"%{{x}} %{{y}}:00 — %{{z:{hover_format(unit)}}}<extra></extra>"),
                          row=r, col=c)
            # "hour" on the left column only: on A4 the left colour bar's labels would run into it
            fig.update_yaxes(title_text="hour" if c == 1 else None, row=r, col=c, dtick=6, type="linear",
                             tickformat="d", hoverformat="d")
    fig.update_xaxes(showticklabels=True, dtick="M2", tickformat="%b")  # months under every panel
    fig.update_xaxes(type="date")
    fig.update_layout(hovermode="closest")
    for a in fig.layout.annotations:
        a.font.size = 11
    return _layout(fig, "The year at a glance: day × hour", height=230 * len(keys) + 90)


def _week_slices(ds: xr.Dataset) -> dict[str, slice]:
    """The representative week (mean facility power nearest the period's mean) and the worst week
    (the one holding the lowest N-1 margin)."""
    t = pd.DatetimeIndex(ds["time"].values)
    fac = pd.Series(np.asarray(ds["facility_power_mw"].values, dtype=float), index=t)
    weekly = fac.resample("7D").mean()
    rep = weekly.index[int(np.argmin(np.abs(weekly.values - fac.mean())))]
    m = np.asarray(ds["reserve_margin_mw"].values, dtype=float)
    worst_t = t[int(np.nanargmin(m))] if np.isfinite(m).any() else t[0]
    worst = weekly.index[weekly.index <= worst_t][-1]
    week = pd.Timedelta(days=7) - pd.Timedelta(seconds=1)
    return {f"representative week (from {rep:%Y-%m-%d})": slice(rep, rep + week),
            f"worst week for N-1 margin (from {worst:%Y-%m-%d})": slice(worst, worst + week)}


#: shades of the gas colour, one per unit (darkest first)
UNIT_COLOURS = ["#b2182b", "#e45756", "#f4a582", "#d6604d", "#fddbc7", "#8c2d04", "#ff9d9a", "#c44e52"]


def dispatch_parts(ds: xr.Dataset) -> dict[str, xr.DataArray]:
    """The supply of every step by who supplies it  [MW]: each gas unit, the grid, solar, and the
    battery's discharge — the parts of ``supply_mw``, so they sum to the generation of the step
    (facility power plus battery charging): the battery's energy appears once, when it discharges.
    Sources with nothing over the period are left out."""
    sup = ds["supply_mw"]
    out = {}
    for s in sup["source"].values:
        da = sup.sel(source=s, drop=True)
        if float(abs(da).sum()) > 0:
            out["battery discharge" if str(s) == "battery" else str(s)] = da
    return out


def _part_colour(name: str, units: list[str]) -> str:
    if name in units:
        return UNIT_COLOURS[units.index(name) % len(UNIT_COLOURS)]
    return SOURCE_COLOURS.get(name.split(" ")[0], "#888")


def weeks_and_duration(runs: Sequence[xr.Dataset], names: Sequence[str]) -> go.Figure:
    """N-1 margin duration curves of every run, and one representative and one worst week of the
    first run drawn hourly: the dispatch stacked by unit (:func:`dispatch_parts`), the facility
    power and the N-1 margin."""
    ds0 = runs[0]
    weeks = _week_slices(ds0)
    fig = make_subplots(rows=3, cols=1, vertical_spacing=0.1,
                        subplot_titles=["N-1 margin duration curve"] + [f"{names[0]}: {w}" for w in weeks])
    for i, ds in enumerate(runs):
        m = np.sort(np.asarray(_hourly(ds["reserve_margin_mw"], "min").values, dtype=float))
        x = 100.0 * np.arange(1, m.size + 1) / max(m.size, 1)
        idx = _duration_points(m.size)
        fig.add_trace(go.Scatter(x=shown(x[idx], "%"), y=shown(m[idx], "MW"), mode="lines", name=names[i],
                                 line_color=_colour(i), legendgroup=f"r{i}"), row=1, col=1)
    fig.add_hline(y=0, line_dash="dash", line_color="#c00", row=1, col=1)
    units = [str(u) for u in ds0["unit"].values] if "unit" in ds0.coords else []
    for r, sl in enumerate(weeks.values(), start=2):
        w = ds0.sel(time=sl)
        for name, da in dispatch_parts(w).items():
            h = _hourly(da)
            col = _part_colour(name, units)
            fig.add_trace(go.Scatter(x=h["time"].values, y=shown(h.values, "MW"), stackgroup=f"s{r}", name=name,
                                     legendgroup=name, showlegend=r == 2, line_width=0, fillcolor=col,
                                     line_color=col), row=r, col=1)
        for var, lab, style, how in (("facility_power_mw", "facility power (stack above it: battery charging)",
                                      dict(color="#555", width=1.5), "mean"),
                                     ("reserve_margin_mw", "N-1 margin", dict(color="#222", dash="dot"), "min")):
            h = _hourly(w[var], how)
            fig.add_trace(go.Scatter(x=h["time"].values, y=shown(h.values, "MW"), name=lab, legendgroup=var,
                                     showlegend=r == 2, mode="lines", line=style), row=r, col=1)
        _num_axis(fig, "y", "MW", "MW", row=r, col=1)
        fig.update_xaxes(type="date", row=r, col=1)
    _num_axis(fig, "x", "%", "share of hours at or below [%]", row=1, col=1)
    _num_axis(fig, "y", "MW", "N-1 margin [MW]", row=1, col=1)
    fig = _layout(fig, "Duration curve and the dispatch of the weeks that matter (hourly, by unit)", height=1000)
    fig.update_layout(margin=dict(t=130), legend=dict(y=1.035))
    return fig


#: most points a duration curve keeps (a sorted curve: the rest are between its neighbours)
MAX_DURATION_POINTS = 1000


def _duration_points(n: int) -> np.ndarray:
    """Indices of a sorted curve of ``n`` points to draw: both ends and evenly spaced ones between."""
    return np.unique(np.linspace(0, n - 1, min(n, MAX_DURATION_POINTS)).round().astype(int)) if n else np.array([], int)


FIGURES += [("fig-heatmaps", "The year at a glance", heatmaps),
            ("fig-weeks", "Duration curve and the dispatch of the weeks that matter", weeks_and_duration)]


def _has_gas(ds: xr.Dataset) -> bool:
    f = ds["fuel_gj"] if "fuel_gj" in ds else None
    return f is not None and float(abs(f).sum()) > 0


def applies(div_id: str, runs: Sequence[xr.Dataset]) -> bool:
    """Whether a figure has anything to show for these runs (e.g. no fuel panel for grid-only sites)."""
    if div_id == "fig-fuel-lng":
        return any(_has_gas(ds) for ds in runs)
    if div_id == "fig-cooling-breakdown":
        return any(kpi.cooling_energy_mwh(ds) > 0 for ds in runs)
    if div_id in ("fig-heatmaps", "fig-weeks"):
        return any(ds.sizes["time"] * float(ds.attrs["step_h"]) >= 14 * 24 for ds in runs)
    return True


# ---------------------------------------------------------------------------- sweeps
#: ticks of axes whose unit varies with the KPI: fixed point, trailing zeros trimmed, no SI prefix
PLAIN_TICKS = ",~f"
#: KPIs a sweep report plots against every varied parameter: (key, label)
SWEEP_KPIS = [("pue", "PUE [-]"), ("cost_usd", "cost [USD]"), ("co2_t", "CO2 [t]"), ("lng_t", "LNG [t]"),
              ("peak_facility_mw", "peak facility [MW]"), ("water_m3", "water [m3]"),
              ("unserved_mwh", "unserved energy [MWh]"), ("min_reserve_margin_mw", "min N-1 reserve margin [MW]")]
_DONE = ("ok", "shortfall", "incomplete")


def _finished(ds: xr.Dataset) -> np.ndarray:
    return np.isin(ds["status"].values.astype(str), _DONE)


def _is_numeric(x: np.ndarray) -> bool:
    return x.dtype.kind in "fiu"


def parameter_groups(x: np.ndarray, max_levels: int = 5) -> tuple[list[str], np.ndarray]:
    """Levels of a swept parameter: its distinct values, or terciles when numeric and many."""
    if _is_numeric(x) and len(np.unique(x[np.isfinite(x)])) > max_levels:
        edges = np.nanquantile(x, [0, 1 / 3, 2 / 3, 1])
        g = np.clip(np.searchsorted(edges, x, side="right") - 1, 0, 2)
        names = [f"{edges[i]:.4g}–{edges[i + 1]:.4g}" for i in range(3)]
        return names, g
    vals = np.asarray(x).astype(str) if not _is_numeric(x) else x
    uniq = list(dict.fromkeys(vals.tolist())) if not _is_numeric(x) else sorted(set(vals.tolist()))
    g = np.array([uniq.index(v) for v in vals.tolist()])
    return [str(u) if not isinstance(u, float) or not u.is_integer() else str(int(u)) for u in uniq], g


def tornado_data(ds: xr.Dataset, kpi_name: str, params: Sequence[str]) -> list[dict]:
    """For each parameter: the mean KPI at each of its levels (finished members only), and the
    swing (highest minus lowest level mean); sorted by swing, largest first."""
    ok = _finished(ds)
    y = ds[kpi_name].values.astype(float)
    out = []
    for p in params:
        names, g = parameter_groups(ds[p].values)
        means = []
        for k in range(len(names)):
            sel = ok & (g == k) & np.isfinite(y)
            means.append(float(y[sel].mean()) if sel.any() else float("nan"))
        fin = [(m, n) for m, n in zip(means, names) if np.isfinite(m)]
        if not fin:
            out.append(dict(parameter=p, low=float("nan"), high=float("nan"), swing=0.0, low_level="",
                            high_level="", means=dict(zip(names, means))))
            continue
        lo, hi = min(fin), max(fin)
        out.append(dict(parameter=p, low=lo[0], high=hi[0], swing=hi[0] - lo[0], low_level=lo[1],
                        high_level=hi[1], means=dict(zip(names, means))))
    return sorted(out, key=lambda d: -d["swing"])


def tornado(ds: xr.Dataset, kpi_name: str, params: Sequence[str], kpi_label: str | None = None) -> go.Figure:
    """Which input moves ``kpi_name`` most: one bar per parameter from its lowest to its highest
    level mean, around the mean of all finished members."""
    rows = tornado_data(ds, kpi_name, params)[::-1]
    y_all = ds[kpi_name].values.astype(float)[_finished(ds)]
    centre = float(np.nanmean(y_all)) if y_all.size else 0.0
    fig = go.Figure(go.Bar(
        y=[r["parameter"] for r in rows], x=[r["swing"] for r in rows], base=[r["low"] for r in rows],
        orientation="h", marker_color="#4c78a8",
        text=[f"{r['low_level']} → {r['high_level']}" for r in rows], textposition="inside",
        customdata=[[r["low"], r["high"]] for r in rows],
        hovertemplate="%{y}<br>level means %{customdata[0]:,.4g} → %{customdata[1]:,.4g}<extra></extra>"))
    fig.add_vline(x=centre, line_dash="dash", line_color="#555")
    fig.update_xaxes(title_text=kpi_label or kpi_name, tickformat=PLAIN_TICKS)
    fig.update_layout(hovermode="closest")
    return _layout(fig, f"Tornado: which input moves {kpi_label or kpi_name} most", height=140 + 60 * len(rows))


def sweep_scatter(ds: xr.Dataset, params: Sequence[str], kpis: Sequence[tuple[str, str]] = SWEEP_KPIS) -> go.Figure:
    """Every KPI (rows) against every varied parameter (columns); failed members are left out."""
    kpis = [k for k in kpis if k[0] in ds]
    fig = make_subplots(rows=len(kpis), cols=len(params), shared_yaxes="rows", horizontal_spacing=0.04,
                        vertical_spacing=0.25 / max(len(kpis), 1), column_titles=list(params))
    ok = _finished(ds)
    labels = ds["member_label"].values.astype(str)
    status = ds["status"].values.astype(str)
    for r, (k, lab) in enumerate(kpis, start=1):
        y = ds[k].values.astype(float)
        for c, p in enumerate(params, start=1):
            x = ds[p].values
            xs = x[ok] if _is_numeric(x) else x.astype(str)[ok]
            fig.add_trace(go.Scatter(x=xs, y=y[ok], mode="markers", showlegend=False,
                                     marker=dict(size=7, opacity=0.7, color=np.where(status[ok] == "ok", "#1f77b4", "#d62728")),
                                     text=labels[ok], hovertemplate="%{text}<br>" + lab + " %{y:,.4g}<extra></extra>"),
                          row=r, col=c)
            if not _is_numeric(x):
                fig.update_xaxes(type="category", row=r, col=c)
        fig.update_yaxes(title_text=lab, row=r, col=1)
    fig.update_yaxes(tickformat=PLAIN_TICKS)
    fig.update_layout(hovermode="closest")
    return _layout(fig, "Each KPI against each varied parameter (red: member with a shortfall or incomplete solve)",
                   height=max(400, 210 * len(kpis)))


def sweep_series(ds: xr.Dataset, var: str = "facility_power_mw", max_members: int = 60) -> go.Figure:
    """One series (``var``) of every finished member over its steps (time of the first member)."""
    fig = go.Figure()
    ok = np.flatnonzero(_finished(ds))[:max_members]
    labels = ds["member_label"].values.astype(str)
    for pos in ok:
        s = thin(ds[var].isel(scenario=pos))
        fig.add_trace(go.Scatter(x=s["time"].values, y=s.values, mode="lines", name=labels[pos],
                                 line=dict(width=1), opacity=0.7))
    fig.update_yaxes(title_text=label(var) if var in _registry() else var, tickformat=PLAIN_TICKS)
    fig.update_layout(showlegend=len(ok) <= 6)
    return _layout(fig, f"{var} of every member" + (f" (first {max_members})" if len(ok) == max_members else ""))


def _registry():
    from twin.variables import REGISTRY

    return REGISTRY
