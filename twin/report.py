"""The what-if report: one self-contained HTML file for engineers.

``twin report RUN [RUN …] -o report.html`` writes the assumptions (from each run's scenario),
the headline KPIs side by side with deltas against the first run, every spell of unserved load
or cooling deficit, and the figures of :mod:`twin.report_figures`.  The page is rendered from the
Jinja2 templates in ``twin/templates`` (shipped in the wheel; its print stylesheet makes the PDF).
plotly.js is embedded once, inline — the vendored cartesian bundle (``twin/vendor``) — so the
file opens without a network and a year's report stays one file under 3 MB.  Every number comes from :mod:`twin.kpi` (the same
functions as the CLI table and the app); each KPI cell carries its exact value in
``data-value`` so that scripts (and the tests) can read the report back.
"""

from __future__ import annotations

import functools
import html
import math
import os
import tempfile
from collections.abc import Sequence
from datetime import datetime, timezone
from pathlib import Path

import plotly.io as pio
import xarray as xr
import yaml

from twin import kpi
from twin import report_figures as rf
from twin.store import ordinary_mode

PRESET_NOTE = ("Runs made by <code>--presets</code> use the operator's baseline (merit-order) dispatch, "
               "not the optimiser, so that every campus can be reported in one command quickly; "
               "costs are therefore those of the rule-based dispatch.")

#: the report templates (Jinja2, shipped as package data in ``twin/templates``)
_TEMPLATES = Path(__file__).with_name("templates")
#: the vendored plotly.js partial bundle (``twin/vendor/README.md`` names its version and source)
VENDORED_PLOTLYJS = Path(__file__).with_name("vendor") / "plotly-cartesian-4.1.1.min.js"
#: the trace types that bundle draws (its npm package's README)
VENDORED_TRACES = frozenset({"bar", "box", "contour", "heatmap", "histogram", "histogram2d", "histogram2dcontour",
                             "image", "pie", "scatter", "scatterternary", "violin"})


@functools.lru_cache(maxsize=1)
def _env():
    import jinja2

    return jinja2.Environment(loader=jinja2.FileSystemLoader(str(_TEMPLATES)), autoescape=True,
                              trim_blocks=True, lstrip_blocks=True, undefined=jinja2.StrictUndefined)


@functools.lru_cache(maxsize=1)
def _css() -> str:
    return (_TEMPLATES / "report.css").read_text(encoding="utf-8")


def render(template: str, **context) -> str:
    """A report page from its Jinja2 template (autoescaped; trusted HTML passes through ``|safe``)."""
    return _env().get_template(template).render(css=_css(), **context)


def plotlyjs_for(figs: Sequence) -> str:
    """The plotly.js to embed for ``figs``: the vendored cartesian bundle (1.5 MB) when it draws every
    trace type in them and matches the major version of the installed plotly.py's plotly.js, else
    plotly.py's full bundle (4.8 MB)."""
    from plotly.offline import get_plotlyjs, get_plotlyjs_version

    types = {t.type for f in figs for t in f.data}
    same_major = get_plotlyjs_version().split(".")[0] == VENDORED_PLOTLYJS.stem.split("-")[-1].split(".")[0]
    if types <= VENDORED_TRACES and same_major and VENDORED_PLOTLYJS.is_file():
        return VENDORED_PLOTLYJS.read_text(encoding="utf-8")
    return get_plotlyjs()


# --------------------------------------------------------------------------- formatting
def _fmt(v, unit: str = "") -> str:
    if v is None:
        return "n/a"
    if isinstance(v, float | int):
        v = float(v)
        if not math.isfinite(v):
            return "n/a"
        text = f"{v:.3f}" if unit in _THREE_DECIMALS else (f"{v:,.1f}" if abs(v) < 1e6 else f"{v:,.0f}")
        return text.lstrip("-") if not text.strip("-0.,") else text  # no "-0.0" for round-off
    return str(v)  # the templates escape it


def format_value(v, unit: str = "") -> str:
    """A number as the report's tables show it: ratios (PUE, WUE, CUE) to 0.001, everything else to
    0.1 (whole from a million), thousands separated, never "-0.0"; "n/a" when missing."""
    return _fmt(v, unit)


#: units shown to three decimals (the rest to one)
_THREE_DECIMALS = ("-", "L/kWh", "kgCO2/kWh")


def _shown_as_zero(v: float, unit: str) -> bool:
    return abs(v) < (5e-4 if unit in _THREE_DECIMALS else 5e-2)


def _num_attr(v) -> str:
    """Exact value for a ``data-`` attribute (``repr`` of the float; ``nan`` when missing)."""
    try:
        return repr(float(v))
    except (TypeError, ValueError):
        return "nan"


def _delta(v, ref, unit: str) -> tuple[str, str, float]:
    try:
        d = float(v) - float(ref)
    except (TypeError, ValueError):
        return "", "delta", float("nan")
    if not math.isfinite(d):
        return "n/a", "delta", d
    r = float(ref)
    # a percentage only of a reference that shows as a number (not of round-off shown as 0.0)
    rel = f" ({100 * d / abs(r):+.1f} %)" if math.isfinite(r) and not _shown_as_zero(r, unit) else ""
    sign = "" if _shown_as_zero(d, unit) else ("+" if d > 0 else "−")
    return sign + _fmt(abs(d), unit) + rel, "delta", d


def run_names(runs: Sequence[xr.Dataset], names: Sequence[str] | None = None) -> list[str]:
    """Display names: the given ones, else the scenario names, made unique."""
    base = list(names) if names is not None else [str(ds.attrs.get("scenario_name", f"run {i + 1}"))
                                                   for i, ds in enumerate(runs)]
    out, seen = [], {}
    for n in base:
        seen[n] = seen.get(n, 0) + 1
        out.append(n if seen[n] == 1 else f"{n} ({seen[n]})")
    return out


#: cost items as people call them (the run's ``cost_item`` codes)
COST_LABELS = {"fuel": "LNG fuel", "gas_vom": "gas unit variable O&M", "gas_starts": "gas unit starts",
               "grid_energy": "grid energy", "grid_demand": "grid demand charge", "carbon": "carbon price",
               "water": "water", "battery_degradation": "battery wear"}

#: N-1 margin threshold of the executive summary [MW] (engineering choice: hours with under 5 MW spare)
N1_THRESHOLD_MW = 5.0


def _cost_label(code: str) -> str:
    return COST_LABELS.get(code, code.replace("_", " "))


def _round_sig(v: float, unit: str) -> str:
    """A number as a sentence would say it (no -0, thousands separated)."""
    return _fmt(v, unit)


# --------------------------------------------------------------------------- executive summary
def decision_numbers(ds: xr.Dataset) -> list[tuple[str, str, str, float | None]]:
    """(key, label, unit, value) of the numbers a decision rests on; every value from :mod:`twin.kpi`."""
    import numpy as np

    k = kpi.kpis(ds)
    it_mw = float(ds["it_power_mw"].max()) if "it_power_mw" in ds else None
    cost, it_e = k.get("cost_usd"), k.get("it_energy_mwh")
    per_mwh = cost / it_e if cost is not None and it_e else None
    hours = float(ds.sizes["time"]) * float(ds.attrs["step_h"])
    annual = cost * 8760.0 / hours if cost is not None and hours > 0 else None
    margin = ds["reserve_margin_mw"].values if "reserve_margin_mw" in ds else np.array([])
    below_h = float((margin < N1_THRESHOLD_MW).sum()) * float(ds.attrs["step_h"]) if margin.size else None
    rows = [("it_peak_mw", "IT load (peak)", "MW", it_mw), ("pue", "PUE", "-", k.get("pue")),
            ("wue_l_per_kwh", "WUE", "L/kWh", k.get("wue_l_per_kwh")),
            ("cost_usd_per_year", "Cost per year (annualised)", "USD/yr", annual),
            ("cost_usd_per_mwh_it", "Cost per MWh of IT", "USD/MWh", per_mwh),
            ("peak_facility_mw", "Peak facility power", "MW", k.get("peak_facility_mw"))]
    if k.get("lng_t"):
        cargo_t = float(ds["lng_delivery_t"]) if "lng_delivery_t" in ds else 0.0
        rows += [("lng_t", "LNG", "t", k["lng_t"])]
        if cargo_t > 0:
            rows += [("lng_cargoes", "LNG cargoes (at the scenario's cargo size)", "-", k["lng_t"] / cargo_t)]
    rows += [("co2_t", "CO2", "t", k.get("co2_t")),
             ("min_reserve_margin_mw", "N-1 minimum margin", "MW", k.get("min_reserve_margin_mw")),
             ("n1_hours_below", f"Hours with N-1 margin below {N1_THRESHOLD_MW:g} MW", "h", below_h),
             ("unserved_mwh", "Unserved energy", "MWh", k.get("unserved_mwh"))]
    return rows


def what_changed(runs: Sequence[xr.Dataset], names: list[str]) -> list[str]:
    """Plain-language lines: for each run after the first, what moved against the first and by how much."""
    ref = {key: (lab, unit, v) for key, lab, unit, v in decision_numbers(runs[0])}
    out = []
    for ds, name in zip(runs[1:], names[1:]):
        parts = []
        for key, lab, unit, v in decision_numbers(ds):
            if key not in ref or v is None or ref[key][2] is None:
                continue
            r = float(ref[key][2])
            d = float(v) - r
            if not math.isfinite(d) or _shown_as_zero(d, unit if unit in _THREE_DECIMALS else ""):
                continue
            if unit not in _THREE_DECIMALS and abs(d) < max(0.005 * abs(r), 0.05):
                continue  # under half a percent: not a change worth a sentence
            word = "up" if d > 0 else "down"
            pct = f" ({100 * d / abs(r):+.1f} %)" if not _shown_as_zero(r, unit) and r != 0 else ""
            u = "" if unit == "-" else f" {unit}"
            parts.append(f"{lab} {word} {_fmt(abs(d), unit)}{u}{pct}")
        text = "; ".join(parts) if parts else "no decision number moved by more than half a percent"
        out.append(f"{name} against {names[0]}: {text}.")
    return out



# --------------------------------------------------------------------------- executive summary
def _summary_rows(runs: Sequence[xr.Dataset]) -> list[dict]:
    """The summary table's rows: every decision number of every run, with its exact value."""
    per_run = [decision_numbers(ds) for ds in runs]
    keys: list[tuple[str, str, str]] = []
    for rows in per_run:
        for key, lab, unit, _ in rows:
            if (key, lab, unit) not in keys:
                keys.append((key, lab, unit))
    out = []
    for key, lab, unit in keys:
        cells = []
        for i, rows in enumerate(per_run):
            v = {r[0]: r[3] for r in rows}.get(key)
            cells.append(dict(run=i, key=key, value=_num_attr(v), text=_fmt(v, unit)))
        out.append(dict(key=key, label=lab, unit=unit, cells=cells))
    return out


def kpi_rows(runs: Sequence[xr.Dataset]) -> list[tuple[str, str, str, list]]:
    """(key, label, unit, values per run) for the KPI table; every value from :mod:`twin.kpi`."""
    ks = [kpi.kpis(ds) for ds in runs]
    rows = [(key, lab, unit, [k.get(key) for k in ks]) for key, lab, unit in kpi.HEADLINE]
    extra = [("cooling_energy_mwh", "Cooling energy", "MWh"), ("losses_energy_mwh", "UPS and transformer losses", "MWh"),
             ("unserved_h", "Unserved load", "h"), ("reserve_shortfall_h", "N-1 reserve shortfall", "h"),
             ("lng_shortfall_t", "LNG the tank could not supply", "t")]
    rows += [(key, lab, unit, [k.get(key) for k in ks]) for key, lab, unit in extra]
    sources: list[str] = []
    for k in ks:
        for s in k["energy_by_source_mwh"]:
            if s not in sources:
                sources.append(s)
    sources = [s for s in sources if s != "unserved"]  # already a headline row
    rows += [(f"energy_by_source_mwh.{s}", f"Energy from {s}" if s != "battery_charge" else "Battery charging", "MWh",
              [k["energy_by_source_mwh"].get(s) for k in ks]) for s in sources]
    items: list[str] = []
    for k in ks:
        for s in k["cost_breakdown_usd"]:
            if s not in items:
                items.append(s)
    rows += [(f"cost_breakdown_usd.{c}", f"Cost: {_cost_label(c)}", "USD",
              [k["cost_breakdown_usd"].get(c) for k in ks]) for c in items]
    if any("savings_vs_baseline_usd" in ds.attrs for ds in runs):
        rows.append(("savings_vs_baseline_usd", "Savings vs baseline dispatch", "USD",
                     [ds.attrs.get("savings_vs_baseline_usd") for ds in runs]))
    return rows



def _kpi_table_rows(runs: Sequence[xr.Dataset]) -> list[dict]:
    """The KPI table's rows: each run's value and, after the first, its delta against the first."""
    out = []
    for key, lab, unit, vals in kpi_rows(runs):
        cells = []
        for i, v in enumerate(vals):
            delta = None
            if i:
                text, _, d = _delta(v, vals[0], unit)
                delta = dict(text=text, value=_num_attr(d))
            cells.append(dict(run=i, key=key, value=_num_attr(v), text=_fmt(v, unit), delta=delta))
        out.append(dict(key=key, label=lab, unit=unit, cells=cells))
    return out


# ---------------------------------------------------------------------------- sections
def _runs_rows(runs: Sequence[xr.Dataset], names: list[str]) -> list[dict]:
    rows = []
    for ds, n in zip(runs, names):
        t = ds["time"].values
        rows.append(dict(name=n, scenario=str(ds.attrs.get("scenario_name", "")), site=str(ds.attrs.get("site_name", "")),
                         dispatch=str(ds.attrs.get("dispatch", "")), status=kpi.status(ds),
                         period=f"{str(t[0])[:16]} → {str(t[-1])[:16]}" if len(t) else "empty",
                         step=str(ds.attrs.get("step", "")), solver=str(ds.attrs.get("solver_status", "")),
                         run_id=str(ds.attrs.get("run_id", "—"))))
    return rows


def _scenario_facts(sc: dict) -> list[tuple[str, str]]:
    """A few lines an engineer checks first, from the scenario mapping."""
    g = lambda d, *ks, default="": _get(d, ks, default)  # noqa: E731
    facts = [("site", f"{g(sc, 'site', 'name')} ({g(sc, 'site', 'country')}), weather "
                      f"{g(sc, 'site', 'weather', 'source')} {g(sc, 'site', 'weather', 'site_id') or ''}"),
             ("period", f"{g(sc, 'period', 'start')} → {g(sc, 'period', 'end')}, step {g(sc, 'period', 'step')}")]
    for h in sc.get("halls") or []:
        if isinstance(h, dict):
            c = h.get("cooling") or {}
            facts.append((f"hall {h.get('name', '')}", f"{h.get('racks', '')} × {h.get('rack_model', '')}, "
                                                        f"{c.get('type', '')} cooling"))
    p = sc.get("power") or {}
    gas = ", ".join(f"{u.get('count', '')} × {u.get('model', '')}" for u in p.get("gas_units") or []
                    if isinstance(u, dict)) or "none"
    facts += [("gas units", gas),
              ("grid", f"{g(p, 'grid', 'capacity_mw', default=0)} MW, tariff {g(p, 'grid', 'tariff') or '—'}"),
              ("solar", f"{g(p, 'solar', 'capacity_mwp', default=0)} MWp"),
              ("battery", f"{g(p, 'battery', 'power_mw', default=0)} MW / {g(p, 'battery', 'energy_mwh', default=0)} MWh"),
              ("LNG price", f"{g(sc, 'fuel', 'lng_price_usd_per_mmbtu', default='default')} USD/MMBtu"),
              ("carbon price", f"{g(sc, 'economics', 'carbon_price_usd_per_t', default='default')} USD/t")]
    return facts


def _get(d, keys, default=""):
    for k in keys:
        if not isinstance(d, dict) or k not in d or d[k] is None:
            return default
        d = d[k]
    return d


def _fuel_and_grid_facts(ds: xr.Dataset) -> list[tuple[str, str]]:
    """The run's fuel basis, LNG properties, grid contingency and tariff tables (issue #9 items 1, 2, 11, 12)."""
    facts = []
    if "lng_price_usd_per_gj" in ds and "gas_hhv_per_lhv" in ds:
        r = float(ds["gas_hhv_per_lhv"])
        basis = "HHV" if float(ds.get("lng_price_basis_hhv", 1.0)) else "LHV"
        quoted = float(ds["lng_price_usd_per_mmbtu_quoted"]) if "lng_price_usd_per_mmbtu_quoted" in ds else float("nan")
        facts.append(("LNG price basis", f"quoted {quoted:g} USD/MMBtu ({basis}) = "
                      f"{kpi.lng_price_usd_per_mmbtu_hhv(ds):.2f} USD/MMBtu HHV = "
                      f"{kpi.lng_price_usd_per_mmbtu_lhv(ds):.2f} USD/MMBtu LHV; the plant's heat rates "
                      f"are LHV (HHV/LHV {r:.4f})"))
        facts.append(("LNG properties", f"LHV {float(ds['lng_lhv_gj_per_t']):.2f} / HHV "
                      f"{float(ds['lng_hhv_gj_per_t']):.2f} GJ/t, {1000 * float(ds['gas_co2_t_per_gj']):.1f} kg CO2/GJ "
                      "LHV, from a stated composition (methane 92 mol %; Cengel & Boles Table A-27, carbon "
                      "balance; inside the IPCC 2006 ranges)"))
        if "fuel_gj" in ds:
            facts.append(("fuel burnt", f"{kpi.fuel_gj(ds):,.0f} GJ LHV = {kpi.fuel_gj_hhv(ds):,.0f} GJ HHV; "
                          f"boil-off {kpi.lng_boil_off_t(ds):,.1f} t (to the units first), flared "
                          f"{kpi.lng_flared_t(ds):,.1f} t, cargo refused {kpi.lng_refused_t(ds):,.0f} t"))
    if "grid_circuits" in ds and float(ds["grid_capacity_mw"]) > 0:
        facts.append(("grid contingency", f"{int(ds['grid_circuits'])} circuit(s) x {float(ds['grid_circuit_mw']):g} MW; "
                      f"{float(ds['grid_n1_capacity_mw']):g} MW left after losing one (N-1)"))
    if ds.attrs.get("grid_tariff_tables"):
        facts.append(("tariff tables in force", str(ds.attrs["grid_tariff_tables"])))
    return facts



def _assumption_blocks(runs: Sequence[xr.Dataset], names: list[str]) -> list[dict]:
    out = []
    for ds, n in zip(runs, names):
        text = str(ds.attrs.get("scenario_yaml", ""))
        try:
            sc = yaml.safe_load(text) or {}
        except yaml.YAMLError:
            sc = {}
        sc = sc if isinstance(sc, dict) else {}
        out.append(dict(name=n, description=str(sc.get("description", "")).strip(),
                        facts=[*_scenario_facts(sc), *_fuel_and_grid_facts(ds)],
                        notes=[str(x) for x in sc.get("notes") or []], yaml=text))
    return out


def _shortfall_blocks(runs: Sequence[xr.Dataset], names: list[str]) -> list[dict]:
    """Per run: the messages (no shortfall / hours of it, N-1, LNG), every spell, every step."""
    out = []
    for i, (ds, n) in enumerate(zip(runs, names)):
        events = [("unserved load", "unserved_mw", e) for e in kpi.shortfall_events(ds, "unserved_mw")]
        events += [("cooling deficit", "cooling_deficit_mw", e) for e in kpi.shortfall_events(ds, "cooling_deficit_mw")]
        res_h = kpi.reserve_shortfall_h(ds)
        if not events:
            msgs = [dict(cls="ok", run=i, text="No hour of unserved load or cooling deficit.")]
        else:
            uh, ch = kpi.unserved_hours(ds), kpi.cooling_deficit_h(ds)
            msgs = [dict(cls="warn", run=i, text=f"{_fmt(uh)} h of unserved load ({_fmt(kpi.unserved_mwh(ds))} MWh) "
                                                 f"and {_fmt(ch)} h of cooling deficit — every spell below.")]
        if res_h > 0:
            msgs.append(dict(cls="warn", run=None, text=f"N-1 reserve margin below zero for {_fmt(res_h)} h "
                                                       f"(minimum {_fmt(kpi.min_reserve_margin_mw(ds))} MW)."))
        if "lng_shortfall_t" in ds and kpi.lng_shortfall_t(ds) > 1e-6:
            msgs.append(dict(cls="warn", run=None, text=f"LNG the tank could not supply: {_fmt(kpi.lng_shortfall_t(ds))} t "
                                                       "(the dispatch burns more than the tank holds above its heel)."))
        refused = kpi.lng_cargoes_refused(ds)
        if refused:
            msgs.append(dict(cls="warn", run=None, text=(
                f"{len(refused)} LNG cargo(es) refused in part, {_fmt(sum(c['refused_t'] for c in refused))} t in all "
                f"(first {refused[0]['time']}: {refused[0]['why']}).")))
        rows = [dict(kind=kind, var=var, hours_value=_num_attr(e["hours"]), energy_value=_num_attr(e["energy_mwh"]),
                     start=e["start"], end=e["end"], hours=_fmt(e["hours"]), peak=f"{e['peak_mw']:,.3f}",
                     energy=f"{e['energy_mwh']:,.3f}") for kind, var, e in events]
        hours, more = _shortfall_hours(ds) if events else ([], 0)
        out.append(dict(run=i, name=n, messages=msgs, events=rows, hours=hours, hours_more=more))
    return out


#: most hour rows listed one by one under the spells (all hours are always in the spells)
MAX_HOUR_ROWS = 2000


def _shortfall_hours(ds: xr.Dataset) -> tuple[list[dict], int]:
    """Every step with unserved load or a cooling deficit (the first :data:`MAX_HOUR_ROWS`), and how
    many more there are."""
    import numpy as np
    import pandas as pd

    u = ds["unserved_mw"].values
    c = ds["cooling_deficit_mw"].values
    if c.ndim > 1:
        c = c.sum(axis=tuple(range(1, c.ndim)))
    idx = np.flatnonzero((u > 1e-6) | (c > 1e-6))
    t = pd.DatetimeIndex(ds["time"].values)
    rows = [dict(t=str(t[k]), u=f"{u[k]:,.3f}", c=f"{c[k]:,.3f}") for k in idx[:MAX_HOUR_ROWS]]
    return rows, max(len(idx) - MAX_HOUR_ROWS, 0)


def _figure_html(fig, div_id: str) -> str:
    return pio.to_html(fig, full_html=False, include_plotlyjs=False, div_id=div_id,
                       config={"displaylogo": False, "responsive": True})


def report_figures(runs: Sequence[xr.Dataset], names: Sequence[str]) -> list[tuple[str, str, object]]:
    """The report's figures that apply to these runs: (div id, section title or "", figure)."""
    figs = []
    if any(kpi.shortfall_events(ds, "unserved_mw") or kpi.shortfall_events(ds, "cooling_deficit_mw") for ds in runs):
        figs.append(("fig-shortfalls", "", rf.shortfalls(runs, names)))
    for div_id, sec, build in rf.FIGURES:
        if rf.applies(div_id, runs):  # a section that does not apply to these runs is left out, not drawn empty
            figs.append((div_id, sec, build(runs, names)))
    return figs


def report_html(runs: Sequence[xr.Dataset], names: Sequence[str] | None = None, *,
                title: str = "Campus Twin what-if report", notes: Sequence[str] = (),
                plotlyjs: str = "inline") -> str:
    """The report as one self-contained HTML document (templates ``twin/templates/report.html.j2``).

    Parameters
    ----------
    runs : settled run Datasets; the first is the reference for the deltas.
    names : display names (default: the scenario names, made unique).
    title : page title.
    notes : extra HTML paragraphs (trusted text) shown under the title.
    plotlyjs : ``"inline"`` (one copy in the file: the vendored cartesian bundle where it suffices,
        :func:`plotlyjs_for`) or ``"shared"`` (``plotly.min.js`` next to the file: :func:`write_plotlyjs`).
    """
    if not runs:
        raise ValueError("runs: empty — a report needs at least one run")
    names = run_names(runs, names)
    figs = report_figures(runs, names)
    return render(
        "report.html.j2", title=title, names=names, notes=list(notes),
        generated=datetime.now(timezone.utc).isoformat(timespec="seconds"),
        version=str(runs[0].attrs.get("software_version", "")),
        summary=_summary_rows(runs), changed=what_changed(runs, names) if len(runs) > 1 else [],
        groups=table_groups(len(runs)), runs_per_table=RUNS_PER_TABLE, runs_rows=_runs_rows(runs, names), assumptions=_assumption_blocks(runs, names),
        kpis=_kpi_table_rows(runs), shortfalls=_shortfall_blocks(runs, names),
        figures=[dict(section=sec, anchor=div_id[4:], html=_figure_html(f, div_id)) for div_id, sec, f in figs],
        plotlyjs_inline=plotlyjs_for([f for _, _, f in figs]) if plotlyjs == "inline" else "",
        plotlyjs_src=PLOTLYJS if plotlyjs == "shared" else "")


#: runs side by side in one summary or KPI table before it wraps: three runs with their deltas
#: are 2 + 3 + 2 = 7 columns, what fits a portrait A4 page at the print stylesheet's 8 pt
RUNS_PER_TABLE = 3


def table_groups(n_runs: int, per_table: int = RUNS_PER_TABLE) -> list[list[int]]:
    """The run indices of each part of a wrapped table: the reference (run 0) first in every
    part, then up to ``per_table - 1`` further runs (``[[0, 1, 2], [0, 3, 4], [0, 5]]`` for six)."""
    rest = list(range(1, n_runs))
    step = max(per_table - 1, 1)
    return [[0, *rest[i:i + step]] for i in range(0, len(rest), step)] or [[0]]


#: the shared copy of plotly.js next to reports written with ``plotlyjs="shared"``
PLOTLYJS = "plotly.min.js"


def write_plotlyjs(folder: Path) -> Path:
    """Write plotly.py's full plotly.js once into ``folder`` (kept if already the same)."""
    from plotly.offline import get_plotlyjs

    p = Path(folder) / PLOTLYJS
    js = get_plotlyjs()
    if not p.is_file() or p.stat().st_size != len(js.encode()):
        _write_atomic(p, js)
    return p


#: Chromium for PDF printing (Debian's) and its flags (no network look-ups; see the README)
CHROMIUM = os.environ.get("CAMPUS_TWIN_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-default-apps", "--disable-extensions", "--no-first-run", "--disable-quic",
    "--disable-features=OptimizationHints,MediaRouter,DialMediaRouteProvider,Translate",
    "--disable-client-side-phishing-detection", "--disable-domain-reliability", "--no-pings",
    "--password-store=basic",
    "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE localhost , EXCLUDE 127.0.0.1",
]


def html_to_pdf(html_path: Path, pdf_path: Path, browser=None) -> Path:
    """Print an HTML report to PDF (A4, its print stylesheet) in headless Chromium via Playwright
    (``browser``: an open Playwright Chromium to use, else one is started with :data:`CHROMIUM_FLAGS`)."""
    if browser is None:
        from concurrent.futures import ThreadPoolExecutor

        def _print() -> Path:
            from playwright.sync_api import sync_playwright

            with sync_playwright() as p:
                b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_FLAGS)
                try:
                    return html_to_pdf(html_path, pdf_path, b)
                finally:
                    b.close()

        # in a thread of its own: Playwright's sync API refuses a thread whose event loop runs
        # (a caller that drives a browser itself, e.g. a test session)
        with ThreadPoolExecutor(max_workers=1) as pool:
            return pool.submit(_print).result()
    page = browser.new_page(viewport={"width": 900, "height": 1200})
    try:
        page.goto(Path(html_path).resolve().as_uri())
        page.wait_for_function("() => Array.from(document.querySelectorAll('.plotly-graph-div'))"
                               ".every(d => d._fullLayout)", timeout=120_000)
        page.emulate_media(media="print")
        page.pdf(path=str(pdf_path), format="A4", print_background=True, prefer_css_page_size=True)
    finally:
        page.close()
    return pdf_path


def _write_atomic(path: Path, text: str) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".partial", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        ordinary_mode(tmp)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def run_presets(store: str | Path, names: Sequence[str] | None = None, *, progress=print) -> list[Path]:
    """Run every scenario preset (baseline dispatch) into ``store``; return the run directories."""
    import twin
    from twin.scenario import load_scenario, preset_names
    from twin.store import save_run

    out = []
    for name in names if names is not None else preset_names():
        sc = load_scenario(name)
        if progress:
            progress(f"running preset {name} (baseline dispatch) …")
        out.append(save_run(twin.simulate(sc), store))
    return out


PRESET_WHATIF_NOTE = ("What-if: the operator's rule (merit order, N-1 spare for the largest running unit, "
                      "battery shaving peaks) against the least-cost, N-1-secure dispatch of the optimiser "
                      "(Pyomo + HiGHS) over the same physics; deltas are the optimiser's against the rule.")


def write_preset_reports(out_dir: str | Path, store: str | Path = "runs", names: Sequence[str] | None = None,
                         *, progress=print) -> list[Path]:
    """For every preset: its baseline and optimised runs (stored in ``store``) and a what-if report
    ``out_dir/<preset>.html`` (optimised against baseline); ``out_dir/index.html`` lists them all
    with their headline KPIs.  Returns the report paths, the index last.
    """
    import twin
    from twin.scenario import load_scenario, preset_names
    from twin.store import save_run

    out_dir = Path(out_dir)
    out_dir.mkdir(exist_ok=True)
    written, rows = [], []
    for name in names if names is not None else preset_names():
        sc = load_scenario(name)
        if progress:
            progress(f"preset {name}: physics and baseline dispatch …")
        base = twin.simulate(sc)
        if progress:
            progress(f"preset {name}: optimised dispatch …")
        opt = twin.optimise(base)  # the same physics, dispatched by the optimiser
        dirs = [save_run(base, store), save_run(opt, store)]
        note = PRESET_WHATIF_NOTE + " Runs stored in " + ", ".join(
            f"<code>{html.escape(str(d))}</code>" for d in dirs) + "."
        path = out_dir / f"{name}.html"
        _write_atomic(path, report_html([base, opt], ["baseline (rule)", "optimised"],
                                        title=f"Campus Twin what-if report: {name}", notes=[note]))
        written.append(path)
        rows.append((name, sc.description, base, opt))
        if progress:
            progress(f"wrote {path}")
    index = out_dir / "index.html"
    _write_atomic(index, _preset_index_html(rows))
    written.append(index)
    return written


#: columns of the preset index: (KPI key, label, unit) from :data:`twin.kpi.HEADLINE`
_INDEX_KPIS = ("pue", "wue_l_per_kwh", "peak_facility_mw", "lng_t", "co2_t", "unserved_mwh",
               "cooling_deficit_h", "min_reserve_margin_mw")



def _preset_index_html(rows: list) -> str:
    """One table: each preset's headline KPIs (optimised run) and its cost under both dispatches."""
    labels = {k: (lab, unit) for k, lab, unit in kpi.HEADLINE}
    out = []
    for name, desc, base, opt in rows:
        k_opt = kpi.kpis(opt)
        cb, co = kpi.cost_usd(base), k_opt["cost_usd"]
        saved = opt.attrs["savings_vs_baseline_frac"]  # twin.optimise's, against this same baseline
        cells = [dict(key=k, value=_num_attr(k_opt[k]), text=_fmt(k_opt[k], labels[k][1])) for k in _INDEX_KPIS]
        cells += [dict(key="baseline_cost_usd", value=_num_attr(cb), text=_fmt(cb)),
                  dict(key="cost_usd", value=_num_attr(co), text=_fmt(co)),
                  dict(key="savings_frac", value=_num_attr(saved), text=f"{100 * saved:.2f} %")]
        out.append(dict(name=name, description=desc.strip(), site=str(opt.attrs.get("site_name", "")),
                        status=kpi.status(opt), cells=cells))
    return render("preset_index.html.j2", title="Campus Twin: what-if reports of every preset",
                  generated=datetime.now(timezone.utc).isoformat(timespec="seconds"), note=PRESET_WHATIF_NOTE,
                  kpi_heads=[f"{labels[k][0]} [{labels[k][1]}]" for k in _INDEX_KPIS], rows=out,
                  plotlyjs_inline="", plotlyjs_src="")


def write_report(run_dirs: Sequence[str], output: str, *, presets: bool = False, store: str = "runs") -> int:
    """Write the report of ``run_dirs`` (and, with ``presets``, of every preset) to ``output``.

    With ``presets`` and an ``output`` that is not an ``.html`` file: a folder of what-if reports,
    one per preset (optimised against baseline), and an index (:func:`write_preset_reports`).

    Returns the exit code (0); bad input raises :class:`twin.errors.TwinError` before any work.
    """
    from twin.errors import TwinError as BadInput
    from twin.scenario import ScenarioError, preset_names
    from twin.store import is_run_dir, open_run, read_summary

    if presets and Path(output).suffix.lower() not in (".html", ".htm"):
        problems = []
        if run_dirs:
            problems.append(f"{run_dirs[0]}: --presets with a folder (-o {output}) reports the presets only — "
                            "give run directories without --presets, or -o FILE.html")
        if Path(output).exists() and not Path(output).is_dir():
            problems.append(f"-o {output}: is a file — give a folder for one report per preset, or FILE.html")
        elif not Path(output).parent.is_dir():
            problems.append(f"-o {output}: directory {str(Path(output).parent)!r} does not exist")
        if not preset_names():
            problems.append("--presets: no scenario presets found")
        if problems:
            raise BadInput(problems)
        try:
            paths = write_preset_reports(output, store)
        except ScenarioError as e:
            raise BadInput(e.problems) from None
        print(f"wrote {len(paths) - 1} preset report(s) and {paths[-1]}")
        return 0
    problems = [f"{d}: not a run directory (needs run.nc, scenario.yaml and summary.json)"
                for d in run_dirs if not is_run_dir(d)]
    if not run_dirs and not presets:
        problems.append("report: no run given — name at least one run directory, or use --presets")
    out = Path(output)
    if out.is_dir():
        problems.append(f"-o {output}: is a directory — give a file name such as report.html")
    elif not out.parent.is_dir():
        problems.append(f"-o {output}: directory {str(out.parent)!r} does not exist")
    if presets and not preset_names():
        problems.append("--presets: no scenario presets found")
    if problems:
        raise BadInput(problems)
    dirs = [Path(d) for d in run_dirs]
    names = [read_summary(d)["run_id"] for d in dirs]
    notes = []
    if presets:
        try:
            preset_dirs = run_presets(store)
        except ScenarioError as e:
            raise BadInput(e.problems) from None
        dirs += preset_dirs
        # preset runs are named by their preset (their run ids are listed in the note)
        names += [read_summary(d)["scenario_name"] or read_summary(d)["run_id"] for d in preset_dirs]
        notes.append(PRESET_NOTE + f" Runs stored in <code>{html.escape(str(store))}</code>: "
                     + ", ".join(f"<code>{html.escape(d.name)}</code>" for d in preset_dirs) + ".")
    runs = [open_run(d) for d in dirs]
    for ds, d in zip(runs, dirs):
        ds.attrs.setdefault("run_id", d.name)
    names = [_human_name(d, n) for d, n in zip(dirs, names)]
    if out.suffix.lower() == ".pdf":
        if not Path(CHROMIUM).exists():
            raise BadInput(f"-o {output}: PDF needs Chromium at {CHROMIUM} (apt-get install chromium) — "
                           "or write .html and print it")
        with tempfile.TemporaryDirectory() as tmp:
            page = Path(tmp) / "report.html"
            page.write_text(report_html(runs, names, notes=notes), encoding="utf-8")
            part = out.with_name(f".{out.name}.partial")
            html_to_pdf(page, part)
            ordinary_mode(part)
            os.replace(part, out)
    else:
        _write_atomic(out, report_html(runs, names, notes=notes))  # one self-contained file
    print(f"wrote {out} ({len(runs)} run{'s' if len(runs) != 1 else ''})")
    return 0


def _human_name(run_dir: Path, run_id: str) -> str:
    """A run as people name it: its scenario and dispatch (the run id stays in the runs table)."""
    from twin.store import read_summary

    s = read_summary(run_dir)
    return f"{s.get('scenario_name') or run_id} ({s.get('dispatch', '')})" if s.get("scenario_name") else run_id




# ------------------------------------------------------------------------------ sweeps
def sweep_report_html(ds: xr.Dataset, *, title: str | None = None) -> str:
    """A sweep's report: each KPI against each varied parameter, a tornado chart of the headline
    KPI, a series of every member, and the table of members (failed ones with their reason).

    ``ds`` is a sweep store (:func:`twin.sweep.open_sweep`); the KPIs in it were computed by
    :mod:`twin.kpi` on each member's run.
    """
    import json

    ds = ds.load()
    params = json.loads(ds.attrs.get("parameters", "[]"))
    headline = ds.attrs.get("headline_kpi", "cost_usd")
    name = str(ds.attrs.get("sweep_name", "sweep"))
    title = title or f"Campus Twin sweep report — {name}"
    status = ds["status"].values.astype(str)
    counts = {s: int((status == s).sum()) for s in ("ok", "shortfall", "incomplete", "failed", "pending")}
    unit = dict((k, u) for k, _, u in kpi.HEADLINE)
    labels = dict((k, f"{lab} [{u}]") for k, lab, u in kpi.HEADLINE)
    kpi_cols = [k for k, _ in rf.SWEEP_KPIS if k in ds]
    members = []
    for pos in range(ds.sizes["scenario"]):
        members.append(dict(
            index=int(ds["member_index"].values[pos]), status=status[pos],
            params=[str(ds[p].values[pos]) for p in params],
            cells=[dict(key=k, value=_num_attr(ds[k].values[pos]), text=_fmt(float(ds[k].values[pos]), unit.get(k, "")))
                   for k in kpi_cols],
            error=str(ds["error"].values[pos])))
    figs = []
    if params and counts["ok"] + counts["shortfall"] + counts["incomplete"]:
        figs += [("tornado", "Which input matters most", "fig-tornado",
                  rf.tornado(ds, headline, params, labels.get(headline, headline))),
                 ("kpi-vs-parameters", "KPIs against the varied parameters", "fig-sweep-scatter",
                  rf.sweep_scatter(ds, params))]
        if "facility_power_mw" in ds:
            figs.append(("series", "Facility power of every member", "fig-sweep-series",
                         rf.sweep_series(ds, "facility_power_mw")))
    return render(
        "sweep_report.html.j2", title=title, description=str(ds.attrs.get("sweep_description", "")),
        base=str(ds.attrs.get("base_scenario_name", "")), sampling=str(ds.attrs.get("sampling", "")),
        n_members=ds.sizes["scenario"], counts=", ".join(f"{v} {k}" for k, v in counts.items() if v),
        dispatch=str(ds.attrs.get("dispatch", "")),
        figures=[dict(section=sec, anchor=a, html=_figure_html(f, d)) for a, sec, d, f in figs],
        heads=[*params, *(labels.get(k, k) for k in kpi_cols)], members=members,
        sweep_yaml=str(ds.attrs.get("sweep_yaml", "")),
        plotlyjs_inline=plotlyjs_for([f for *_, f in figs]), plotlyjs_src="")


def write_sweep_report(store: xr.Dataset | str | Path, output: str | Path) -> Path:
    """Write :func:`sweep_report_html` of a sweep store (path or Dataset) to ``output``."""
    from twin.sweep import open_sweep

    ds = store if isinstance(store, xr.Dataset) else open_sweep(store)
    out = Path(output)
    _write_atomic(out, sweep_report_html(ds))
    return out
