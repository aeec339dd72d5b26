"""Figure builders: pure functions from a run Dataset (or its compact payload) to data/figures.

No I/O, no app state.  Numbers come from the run Dataset as settled by :mod:`twin.settle` and
from :mod:`twin.kpi`; this module only arranges them for the eye.  Axis labels come from the
variable registry (:func:`twin.variables.label`).

The playback pictures (Sankey, gauges, cursor) are drawn in the browser from the payload of
:func:`playback_payload` by ``assets/playback.js``; :func:`sankey_figure` and
:func:`gauges_figure` are the same drawings in Python (used for the first frame and as the
reference the JavaScript must agree with).
"""

from __future__ import annotations

import base64
import math
import warnings

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import xarray as xr
from plotly.subplots import make_subplots

from twin.kpi import HEADLINE
from twin.variables import REGISTRY, label

#: decimals kept in the playback payload (MW to the kW, degC to 1/1000 K)
PAYLOAD_DECIMALS = 3
#: the campus bus node of the Sankey
BUS = "campus bus"
#: smallest link drawn [MW]: plotly drops nodes whose links are all zero, which would shift the
#: fixed node positions; a hair-thin link keeps every node in its place
SANKEY_EPS_MW = 1e-4

_SOURCE_COLORS = {"grid": "#5b7fa3", "solar": "#e3b505", "battery": "#2e9e5b", "unserved": "#d62728"}
_GAS_COLORS = ["#e4572e", "#f28e2b", "#c44e1c", "#ff9d5c", "#a63d1c", "#ffb07c", "#8c3a1c", "#ffc49c"]
_LOAD_COLORS = {"it": "#4c6ef5", "cooling": "#15aabf", "losses": "#868e96", "battery charge": "#2e9e5b",
                "grid export": "#5b7fa3"}
_TEMPLATE = "plotly_white"


def _f32_rounded(x) -> np.ndarray:
    """Values as float32 rounded to :data:`PAYLOAD_DECIMALS` decimals, held in float64.

    Held in float64 so that the JSON writer prints the short decimal (``12.3``, not the float32's
    ``12.300000190734863``); NaN/inf are written as ``null``.  A numpy array goes to JSON in one
    C call (``tolist``), where a Python list would be walked element by element.
    """
    a = np.round(np.asarray(x, dtype=np.float32).astype(np.float64), PAYLOAD_DECIMALS)
    a[~np.isfinite(a)] = np.nan
    return a


def source_color(source: str, units: list[str]) -> str:
    if source in units:
        return _GAS_COLORS[units.index(source) % len(_GAS_COLORS)]
    return _SOURCE_COLORS.get(source, "#999999")


def _units(ds: xr.Dataset) -> list[str]:
    return [str(u) for u in ds["unit"].values] if "unit" in ds.coords else []


def _halls(ds: xr.Dataset) -> list[str]:
    return [str(h) for h in ds["hall"].values] if "hall" in ds.coords else []


def _hall_shares(hall_mw: xr.DataArray, total_mw: xr.DataArray) -> np.ndarray:
    """Split a campus total over halls in proportion to each hall's own (physics) value.

    The settled ``it_power_mw`` / ``cooling_power_mw`` include load moved in time and chilled-
    water storage, which the per-hall physics series do not; the split keeps the Sankey
    balanced.  Where all halls are zero the total is split evenly.
    """
    h = np.asarray(hall_mw.transpose("time", "hall").values, dtype=float)
    tot = np.asarray(total_mw.values, dtype=float)
    s = h.sum(axis=1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        w = np.where(s > 0, h / np.where(s > 0, s, 1.0), 1.0 / max(h.shape[1], 1))
    w = np.where(np.isnan(s), np.nan, w)  # a NaN hall value makes that step's split unknown
    return w * tot[:, None]


# ----------------------------------------------------------------------------- playback data
def sankey_flows(ds: xr.Dataset) -> tuple[list[dict], dict[str, np.ndarray]]:
    """Nodes-and-links structure of the power-flow Sankey and the series behind each link.

    Sources (each gas unit, grid import, solar, battery discharge, and unserved load — the part
    of the demand nobody supplied) flow into the campus bus; the bus feeds each hall's IT and
    cooling, the losses, battery charging and grid export.  With the run's balance
    ``supply - charge + unserved = facility`` the bus is balanced at every step.

    Returns
    -------
    links : list of dict
        ``{"key", "side" ("in"/"out"), "label", "color"}`` in node order.
    series : dict
        ``key -> ndarray`` on ``time`` [MW], all >= 0.
    """
    units = _units(ds)
    sup = ds["supply_mw"]
    sources = [str(s) for s in ds["source"].values]
    links, series = [], {}

    def add(key, side, lab, color, values):
        links.append({"key": key, "side": side, "label": lab, "color": color})
        series[key] = np.asarray(values, dtype=float)

    for s in sources:
        v = sup.sel(source=s).values.astype(float)
        lab = {"grid": "grid import", "battery": "battery discharge"}.get(s, s)
        add(f"in:{s}", "in", lab, source_color(s, units), np.clip(v, 0.0, None) if s == "grid" else v)
    add("in:unserved", "in", "unserved (shed)", _SOURCE_COLORS["unserved"], ds["unserved_mw"].values)
    halls = _halls(ds)
    if halls and "hall_it_power_mw" in ds:
        it = _hall_shares(ds["hall_it_power_mw"], ds["it_power_mw"])
        cool = _hall_shares(ds["hall_cooling_power_mw"], ds["cooling_power_mw"])
        for k, h in enumerate(halls):
            add(f"out:it:{h}", "out", f"{h} IT", _LOAD_COLORS["it"], it[:, k])
        for k, h in enumerate(halls):
            add(f"out:cooling:{h}", "out", f"{h} cooling", _LOAD_COLORS["cooling"], cool[:, k])
    else:
        add("out:it", "out", "IT", _LOAD_COLORS["it"], ds["it_power_mw"].values)
        add("out:cooling", "out", "cooling", _LOAD_COLORS["cooling"], ds["cooling_power_mw"].values)
    add("out:losses", "out", "losses", _LOAD_COLORS["losses"], ds["losses_mw"].values)
    add("out:battery_charge", "out", "battery charge", _LOAD_COLORS["battery charge"], ds["battery_charge_mw"].values)
    if "grid" in sources:
        add("out:grid_export", "out", "grid export", _LOAD_COLORS["grid export"],
            np.clip(-sup.sel(source="grid").values.astype(float), 0.0, None))
    return links, series


#: the gauges: (payload key, variable, title)
GAUGES = [
    ("pue", "pue", "PUE now"),
    ("reserve_margin_mw", "reserve_margin_mw", "N-1 reserve margin [MW]"),
    ("lng_tank_t", "lng_tank_t", "LNG tank [t]"),
    ("ambient_drybulb_c", "ambient_drybulb_c", "Dry-bulb [°C]"),
    ("ambient_wetbulb_c", "ambient_wetbulb_c", "Wet-bulb [°C]"),
]


#: number formats of the gauges (d3): PUE to 0.001, the tank to the tonne, the rest to 0.1
GAUGE_FORMATS = {"pue": ".3f", "lng_tank_t": ",.0f"}


def _gauge_range(ds: xr.Dataset, var: str) -> list[float]:
    x = np.asarray(ds[var].values, dtype=float)
    x = x[np.isfinite(x)]
    lo, hi = (float(x.min()), float(x.max())) if x.size else (0.0, 1.0)
    if var == "pue":
        return [1.0, max(1.5, math.ceil(hi * 10) / 10)]
    if var == "lng_tank_t":
        cap = float(ds["lng_tank_capacity_t"]) if "lng_tank_capacity_t" in ds else hi
        return [0.0, cap if cap > 0 else max(hi, 1.0)]
    if var.startswith("ambient_"):
        return [math.floor(min(lo, 0.0) / 5) * 5, math.ceil(max(hi, 35.0) / 5) * 5]
    span = max(hi - lo, 1.0)
    return [math.floor(min(lo, 0.0) - 0.05 * span), math.ceil(hi + 0.05 * span)]


def playback_payload(ds: xr.Dataset) -> dict:
    """Everything the browser needs to play a run back, shipped once.

    Series are float32 rounded to :data:`PAYLOAD_DECIMALS` decimals (numpy arrays here, JSON
    lists of short decimals with ``null`` for NaN on the wire); time is
    ``t0`` plus ``i * step_s`` (the run's fixed step), so no time array is sent.

    Returns
    -------
    dict
        ``n``, ``t0`` (ISO, site-local), ``step_s``, ``series`` (key → list), ``sankey`` (nodes,
        links), ``gauges`` (key, title, range).
    """
    t = pd.DatetimeIndex(ds["time"].values)
    n = len(t)
    step_s = float(ds.attrs.get("step_h", (t[1] - t[0]).total_seconds() / 3600 if n > 1 else 1.0)) * 3600.0
    links, flows = sankey_flows(ds)
    ins = [lk for lk in links if lk["side"] == "in"]
    outs = [lk for lk in links if lk["side"] == "out"]
    labels = [lk["label"] for lk in ins] + [BUS] + [lk["label"] for lk in outs]
    colors = [lk["color"] for lk in ins] + ["#343a40"] + [lk["color"] for lk in outs]
    bus = len(ins)

    def ys(side):
        # node centres stacked in proportion to each link's mean flow (plus a share of the gaps)
        size = np.array([float(np.nanmean(np.clip(flows[lk["key"]], 0, None))) if len(flows[lk["key"]]) else 0.0
                         for lk in side])
        size = np.nan_to_num(size)
        size = np.maximum(size, 0.04 * size.sum())  # small flows still get room for their label
        gap = 0.02
        span = 1.0 - gap * (len(side) + 1)
        h = size / size.sum() * span if size.sum() > 0 else np.full(len(side), span / max(len(side), 1))
        top = gap + np.concatenate([[0.0], np.cumsum(h + gap)[:-1]])
        return [round(float(v), 4) for v in np.clip(top + h / 2, 0.001, 0.999)]

    sankey = {
        "labels": labels, "colors": colors,
        "x": [0.01] * len(ins) + [0.5] + [0.99] * len(outs),
        "y": ys(ins) + [0.5] + ys(outs),
        "source": list(range(len(ins))) + [bus] * len(outs),
        "target": [bus] * len(ins) + list(range(bus + 1, bus + 1 + len(outs))),
        "keys": [lk["key"] for lk in ins] + [lk["key"] for lk in outs],
        "link_colors": [_alpha(lk["color"]) for lk in ins + outs],
    }
    series = {k: _f32_rounded(v) for k, v in flows.items()}
    gauges = []
    for key, var, title in GAUGES:
        no_tank = "lng_tank_capacity_t" in ds and float(ds["lng_tank_capacity_t"]) <= 0
        if var == "lng_tank_t" and no_tank:
            continue  # no LNG tank at this campus: no gauge stuck at zero
        if var in ds:
            series[key] = _f32_rounded(ds[var].values)
            gauges.append({"key": key, "title": title, "range": _gauge_range(ds, var)})
    series["facility_power_mw"] = _f32_rounded(ds["facility_power_mw"].values)
    return {
        "run_id": ds.attrs.get("run_id"), "n": n,
        "t0": str(np.datetime_as_string(t[0].to_datetime64(), unit="s")) if n else None,
        "step_s": step_s, "series": series, "sankey": sankey, "gauges": gauges,
    }


def _alpha(hex_color: str, a: float = 0.45) -> str:
    h = hex_color.lstrip("#")
    r, g, b = int(h[0:2], 16), int(h[2:4], 16), int(h[4:6], 16)
    return f"rgba({r},{g},{b},{a})"


def time_label(payload: dict, i: int) -> str:
    """The clock text at step ``i`` (the JavaScript writes the same)."""
    t = pd.Timestamp(payload["t0"]) + pd.Timedelta(seconds=payload["step_s"] * i)
    return t.strftime("%Y-%m-%d %H:%M")


def sankey_figure(payload: dict, i: int) -> go.Figure:
    """Power flows at step ``i`` from a playback payload  [MW]."""
    sk = payload["sankey"]
    vals = [payload["series"][k][i] for k in sk["keys"]]
    vals = [SANKEY_EPS_MW if v is None or not np.isfinite(v) else max(float(v), SANKEY_EPS_MW) for v in vals]
    fig = go.Figure(go.Sankey(
        arrangement="fixed", valueformat=".2f", valuesuffix=" MW",
        node=dict(label=sk["labels"], color=sk["colors"], x=sk["x"], y=sk["y"], pad=8, thickness=14),
        link=dict(source=sk["source"], target=sk["target"], value=vals, color=sk["link_colors"]),
    ))
    fig.update_layout(template=_TEMPLATE, margin=dict(l=10, r=10, t=30, b=10), height=380,
                      title=dict(text=f"Power flows at {time_label(payload, i)}", font=dict(size=14)))
    return fig


def gauges_figure(payload: dict, i: int) -> go.Figure:
    """Gauges (PUE now, reserve margin, LNG tank, dry-bulb, wet-bulb) at step ``i``."""
    g = payload["gauges"]
    fig = go.Figure()
    for k, spec in enumerate(g):
        v = payload["series"][spec["key"]][i]
        v = None if v is None or not np.isfinite(v) else float(v)
        fig.add_trace(go.Indicator(
            mode="gauge+number", value=v, title=dict(text=spec["title"], font=dict(size=12)),
            number=dict(font=dict(size=18), valueformat=GAUGE_FORMATS.get(spec["key"], ",.1f")),
            gauge=dict(axis=dict(range=spec["range"], nticks=5, tickfont=dict(size=10),
                                 tickformat=",.2~f" if spec["key"] == "pue" else ",~f"), bar=dict(color="#343a40")),
            domain=dict(x=[k / len(g) + 0.04, (k + 1) / len(g) - 0.04], y=[0, 1])))
    fig.update_layout(template=_TEMPLATE, margin=dict(l=20, r=20, t=30, b=5), height=170)
    return fig


# ----------------------------------------------------------------------------- time series
#: tick labels of the app's value axes: plain fixed point, thousands separated, trailing zeros
#: trimmed — never plotly's default SI prefixes ("15k", "760m")
APP_TICKS = ",~f"


def _t0_dx(ds: xr.Dataset) -> tuple[str, float]:
    t = pd.DatetimeIndex(ds["time"].values)
    step_ms = float(ds.attrs["step_h"]) * 3_600_000.0 if "step_h" in ds.attrs else (
        (t[1] - t[0]).total_seconds() * 1000.0 if len(t) > 1 else 3_600_000.0)
    return t[0].strftime("%Y-%m-%d %H:%M:%S"), step_ms


def bucket_means(values, bucket: int) -> np.ndarray:
    """Means over consecutive buckets of ``bucket`` steps (the last may be shorter); NaN-aware.

    Energy is kept: each bucket mean times the bucket length is the bucket's energy.
    """
    x = np.asarray(values, dtype=float)
    if bucket <= 1:
        return x
    n = x.shape[0]
    pad = (-n) % bucket
    xp = np.concatenate([x, np.full(pad, np.nan)]) if pad else x
    with np.errstate(invalid="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN bucket -> NaN
        return np.nanmean(xp.reshape(-1, bucket), axis=1)


def _line_b(ds, values, name, color=None, bucket: int = 1, **kw):
    x0, dx = _t0_dx(ds)
    y = bucket_means(values, bucket)
    return go.Scatter(y=np.asarray(y, dtype=np.float32), x0=x0, dx=dx * bucket, name=name, mode="lines",
                      line=dict(width=1.2, color=color, shape="hv"), **kw)


def overview_bucket(n_steps: int, max_points: int) -> int:
    """Steps per plotted point so that a series has at most ``max_points`` points."""
    return max(1, math.ceil(n_steps / max(int(max_points), 1)))


TIMESERIES_ROWS = ("Power by source [MW]", "Cooling power [MW]", "PUE [-]", "Units committed [-]",
                   "Battery state of charge [MWh]", "Price [USD/MWh]")


def typed_array(values) -> dict:
    """A plotly.js typed-array spec (little-endian float32, base64): compact and quick to parse."""
    a = np.ascontiguousarray(np.asarray(values, dtype="<f4"))
    return {"dtype": "f4", "bdata": base64.b64encode(a.tobytes()).decode("ascii")}


def from_typed_array(spec) -> np.ndarray:
    """Inverse of :func:`typed_array` (plain lists pass through)."""
    if isinstance(spec, dict) and "bdata" in spec:
        return np.frombuffer(base64.b64decode(spec["bdata"]), dtype="<" + spec["dtype"]).astype(float)
    return np.asarray(spec, dtype=float)


def timeseries_figure(ds: xr.Dataset, *, height_px: int = 900, max_points: int = 1500) -> dict:
    """Power by source (stacked), cooling power per hall, PUE, commitment, SOC and price.

    Returned as a plain plotly figure dict (built without plotly's validators, which cost more
    than the data for a year-long run): six rows sharing one time axis, y data as float32
    typed arrays.  A vertical cursor (``layout.shapes[0]``) marks the playback instant; the
    browser moves it.  Runs longer than ``max_points`` steps are drawn as means over buckets of
    steps (a year of hourly steps: 6-hour means), and the row titles say so.
    """
    b = overview_bucket(ds.sizes["time"], max_points)
    titles = TIMESERIES_ROWS if b == 1 else tuple(f"{t} — {b}-step means" for t in TIMESERIES_ROWS)
    x0, dx = _t0_dx(ds)
    traces: list[dict] = []

    def line(row, values, name, color=None, **kw):
        y = bucket_means(values, b)
        tr = {"type": "scatter", "mode": "lines", "name": name, "x0": x0, "dx": dx * b, "y": typed_array(y),
              "xaxis": "x", "yaxis": "y" if row == 1 else f"y{row}", "line": {"width": 1.2, "shape": "hv"}}
        if color:
            tr["line"]["color"] = color
        tr.update(kw)
        traces.append(tr)

    units = _units(ds)
    sup = ds["supply_mw"]
    for s in [str(s) for s in ds["source"].values]:
        line(1, sup.sel(source=s).values, s, source_color(s, units), stackgroup="supply", legendgroup="supply",
             hovertemplate="%{y:.2f} MW")
    if float(np.nansum(ds["unserved_mw"].values)) > 0:
        line(1, ds["unserved_mw"].values, "unserved", _SOURCE_COLORS["unserved"], stackgroup="supply",
             hovertemplate="%{y:.2f} MW")
    line(1, ds["facility_power_mw"].values, "facility power", "#000000", hovertemplate="%{y:.2f} MW")
    if "hall_cooling_power_mw" in ds and "hall" in ds.coords:
        for h in _halls(ds):
            line(2, ds["hall_cooling_power_mw"].sel(hall=h).values, f"{h} cooling", hovertemplate="%{y:.2f} MW")
    line(2, ds["cooling_power_mw"].values, "cooling (campus)", _LOAD_COLORS["cooling"], hovertemplate="%{y:.2f} MW")
    line(3, ds["pue"].values, "PUE", "#6741d9", hovertemplate="%{y:.3f}")
    if "unit_on" in ds and units:
        for u in units:
            line(4, ds["unit_on"].sel(unit=u).values, f"{u} on", source_color(u, units), stackgroup="on",
                 showlegend=False, hovertemplate=f"{u}: %{{y:.0f}}")
    if "battery_soc_mwh" in ds:
        line(5, ds["battery_soc_mwh"].values, "battery SOC", _SOURCE_COLORS["battery"], hovertemplate="%{y:.2f} MWh")
    if "grid_price_usd_per_mwh" in ds:
        line(6, ds["grid_price_usd_per_mwh"].values, "grid price", _SOURCE_COLORS["grid"],
             hovertemplate="%{y:.1f} USD/MWh")
    if "marginal_price_usd_per_mwh" in ds and np.isfinite(ds["marginal_price_usd_per_mwh"].values).any():
        line(6, ds["marginal_price_usd_per_mwh"].values, "marginal price", "#e8590c", hovertemplate="%{y:.1f} USD/MWh")

    rows, gap = len(TIMESERIES_ROWS), 0.03
    h = (1.0 - gap * (rows - 1)) / rows
    layout: dict = {
        "template": {"layout": {"paper_bgcolor": "white", "plot_bgcolor": "white", "font": {"color": "#2a3f5f"}}},
        "height": height_px, "margin": {"l": 60, "r": 10, "t": 30, "b": 30}, "hovermode": "x unified",
        "legend": {"x": 1.01, "y": 1, "font": {"size": 10}, "tracegroupgap": 4},
        "xaxis": {"type": "date", "anchor": f"y{rows}", "domain": [0, 1], "showgrid": True, "gridcolor": "#ebf0f8"},
        "shapes": [{"type": "line", "xref": "x", "yref": "paper", "x0": x0, "x1": x0, "y0": 0, "y1": 1,
                    "line": {"color": "#d6336c", "width": 2}, "name": "cursor"}],
        "annotations": [],
    }
    for r in range(1, rows + 1):
        top = 1.0 - (r - 1) * (h + gap)
        layout["yaxis" if r == 1 else f"yaxis{r}"] = {
            "domain": [max(top - h, 0.0), top], "anchor": "x", "gridcolor": "#ebf0f8", "zerolinecolor": "#ebf0f8",
            "tickformat": APP_TICKS}
        layout["annotations"].append({"text": titles[r - 1], "x": 0.5, "xref": "paper", "y": top, "yref": "paper",
                                      "xanchor": "center", "yanchor": "bottom", "showarrow": False,
                                      "font": {"size": 11}})
    return {"data": traces, "layout": layout}


# ----------------------------------------------------------------------------- compare
def kpi_delta_rows(summary_a: dict, summary_b: dict) -> list[dict]:
    """Headline KPIs of two runs (from their ``summary.json``, i.e. :func:`twin.kpi.kpis`) and B − A.

    Returns a list of ``{"key", "name", "unit", "a", "b", "delta", "delta_pct"}``; ``delta_pct``
    is None where A is 0 or missing.
    """
    ka, kb = summary_a.get("kpi", {}), summary_b.get("kpi", {})
    rows = []
    for key, name, unit in HEADLINE:
        a, b = ka.get(key), kb.get(key)
        a = float(a) if isinstance(a, int | float) else None
        b = float(b) if isinstance(b, int | float) else None
        d = b - a if a is not None and b is not None else None
        pct = 100.0 * d / abs(a) if d is not None and a not in (None, 0.0) else None
        rows.append(dict(key=key, name=name, unit=unit, a=a, b=b, delta=d, delta_pct=pct))
    for src in sorted(set(ka.get("energy_by_source_mwh", {}) or {}) | set(kb.get("energy_by_source_mwh", {}) or {})):
        a = (ka.get("energy_by_source_mwh") or {}).get(src)
        b = (kb.get("energy_by_source_mwh") or {}).get(src)
        d = b - a if a is not None and b is not None else None
        pct = 100.0 * d / abs(a) if d is not None and a not in (None, 0.0) else None
        if src == "unserved":
            continue  # a headline row already
        name = "Battery charging" if src == "battery_charge" else f"Energy from {src}"
        rows.append(dict(key=f"energy_by_source_mwh.{src}", name=name, unit="MWh",
                         a=a, b=b, delta=d, delta_pct=pct))
    return rows


COMPARE_VARS = ("facility_power_mw", "pue", "grid_import_mw", "cooling_power_mw")


def compare_series_figure(ds_a: xr.Dataset, ds_b: xr.Dataset, name_a: str = "A", name_b: str = "B",
                          max_points: int = 1500) -> go.Figure:
    """The same variables of two runs overlaid on their own time axes (bucket means when long)."""
    b = overview_bucket(max(ds_a.sizes["time"], ds_b.sizes["time"]), max_points)

    def _line(ds_, values, name, color=None, **kw):
        return _line_b(ds_, values, name, color, bucket=b, **kw)

    vars_ = [v for v in COMPARE_VARS if v in ds_a and v in ds_b]
    titles = [label(v) if v in REGISTRY else v for v in vars_]
    fig = make_subplots(rows=len(vars_), cols=1, shared_xaxes=True, vertical_spacing=0.05, subplot_titles=titles)
    for r, v in enumerate(vars_, start=1):
        fig.add_trace(_line(ds_a, ds_a[v].values, f"A: {name_a}", "#1c7ed6", legendgroup="a", showlegend=r == 1), r, 1)
        fig.add_trace(_line(ds_b, ds_b[v].values, f"B: {name_b}", "#e8590c", legendgroup="b", showlegend=r == 1,
                            ), r, 1)
        fig.data[-1].line.dash = "dot"
    fig.update_layout(template=_TEMPLATE, height=200 * len(vars_) + 60, margin=dict(l=60, r=20, t=50, b=30),
                      hovermode="x unified", legend=dict(orientation="h", y=1.06, x=0))
    fig.update_yaxes(tickformat=APP_TICKS, hoverformat=",.3~f")
    for a in fig.layout.annotations:
        a.font.size = 11
    return fig


_MONTHLY_COLORS = {"gas": "#e4572e", "grid": "#5b7fa3", "solar": "#e3b505", "battery": "#2e9e5b",
                   "unserved": "#d62728"}


def monthly_energy_figure(monthly_a: xr.DataArray, monthly_b: xr.DataArray, name_a: str = "A",
                          name_b: str = "B") -> go.Figure:
    """Monthly energy by source of two runs (:func:`twin.kpi.monthly_energy_by_source_mwh`), stacked."""
    # own y axes: two runs of different sizes or periods must both stay readable
    fig = make_subplots(rows=1, cols=2, shared_yaxes=False, subplot_titles=(f"A: {name_a}", f"B: {name_b}"),
                        horizontal_spacing=0.08)
    for c, m in enumerate((monthly_a, monthly_b), start=1):
        months = pd.DatetimeIndex(m["time"].values).strftime("%Y-%m")
        for s in [str(s) for s in m["source"].values]:
            fig.add_trace(go.Bar(x=list(months), y=np.asarray(m.sel(source=s).values, dtype=float), name=s,
                                 marker_color=_MONTHLY_COLORS.get(s.split(" ")[0], "#999999"), legendgroup=s,
                                 showlegend=c == 1,
                                 hovertemplate=f"{s}: %{{y:,.1f}} MWh"), 1, c)
    fig.update_layout(template=_TEMPLATE, barmode="relative", height=360, margin=dict(l=60, r=10, t=40, b=30),
                      yaxis_title="Energy [MWh]", legend=dict(x=1.01, y=1))
    fig.update_xaxes(type="category")
    fig.update_yaxes(tickformat=",.0f")
    return fig
