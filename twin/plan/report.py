"""A self-contained HTML report of a plan: build schedule, cost breakdown, full-year checks, what the
next step of each candidate would save, and the plan under each LNG price path."""

from __future__ import annotations

import html

import numpy as np
import xarray as xr


def _f(v, nd=1) -> str:
    if v is None or (isinstance(v, float) and not np.isfinite(v)):
        return "n/a"
    v = float(v)
    if abs(v) >= 1e6:
        return f"{v / 1e6:,.{nd}f} M"
    return f"{v:,.{nd}f}"


def _table(head: list[str], rows: list[list[str]]) -> str:
    h = "".join(f"<th>{html.escape(c)}</th>" for c in head)
    b = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in r) + "</tr>" for r in rows)
    return f"<table><thead><tr>{h}</tr></thead><tbody>{b}</tbody></table>"


def plan_report_html(ds: xr.Dataset) -> str:
    """The report as one HTML string (no external resources)."""
    phases = [str(p) for p in ds["phase"].values]
    techs = [str(t) for t in ds["technology"].values]
    parts = [f"<h1>Plan: {html.escape(str(ds.attrs.get('scenario_name')))}</h1>",
             f"<p>Status <b>{html.escape(str(ds.attrs.get('plan_status')))}</b> · NPV "
             f"<b>{_f(float(ds['plan_npv_usd']))} USD</b> (capital and fixed O&amp;M {_f(float(ds['plan_capex_npv_usd']))}, "
             f"operation {_f(float(ds['plan_op_npv_usd']))}) · levelised {_f(float(ds['plan_lcoe_usd_per_mwh_it']), 2)} "
             f"USD/MWh of IT energy · discount rate {100 * ds.attrs['discount_rate_frac']:.1f} %/yr over "
             f"{ds.attrs['horizon_years']} years · LNG path {html.escape(str(ds.attrs.get('lng_price_path')))} · "
             f"{ds.attrs['typical_days']} typical + {ds.attrs['extreme_days']} extreme days · MILP "
             f"{ds.attrs['solve_time_s']:.1f} s (gap {ds.attrs['mip_gap']:.1e})</p>"]
    if ds.attrs.get("integer_commitment_phases"):
        parts.append(f"<p>Planned again with whole units committed in "
                     f"{html.escape(str(ds.attrs['integer_commitment_phases']))}: with a fraction of a unit online "
                     "the first plan's build served the phase, whole units could not "
                     f"({ds.attrs.get('plan_rounds', 2)} rounds).</p>")
    if ds.attrs.get("problems"):
        parts.append("<ul class='bad'>" + "".join(f"<li>{html.escape(p)}</li>" for p in ds.attrs["problems"].split("\n"))
                     + "</ul>")
    rows = []
    for p in phases:
        sel = ds.sel(phase=p)
        cells = [html.escape(p), str(sel["plan_phase_start"].item()), _f(float(sel["plan_it_capacity_mw"]))]
        for t in techs:
            c = float(sel["plan_capacity_mw"].sel(technology=t))
            n = float(sel["plan_units"].sel(technology=t))
            if t == "battery":
                cells.append(f"{_f(c)} MW / {_f(float(sel['plan_energy_mwh'].sel(technology=t)))} MWh")
            elif n > 0:
                cells.append(f"{int(n)} units = {_f(c)} MW")
            else:
                cells.append(_f(c))
        cells.append(html.escape(str(sel["plan_grid_option"].item()) or "none"))
        cells.append(", ".join(f"{h}: {sel['plan_cooling'].sel(hall=h).item()}" for h in ds["hall"].values
                               if sel["plan_cooling"].sel(hall=h).item()))
        rows.append(cells)
    parts += ["<h2>Build schedule (in service, cumulative)</h2>",
              _table(["phase", "start", "IT MW", *techs, "grid contract", "cooling"], rows)]
    rows = []
    for p in phases:
        sel = ds.sel(phase=p)
        r = [html.escape(p), _f(float(sel["plan_capex_usd"])), _f(float(sel["plan_fom_usd_per_yr"])),
             _f(float(sel["plan_fuel_usd_per_yr"])), _f(float(sel["plan_carbon_usd_per_yr"])),
             _f(float(sel["plan_other_op_usd_per_yr"])), _f(float(sel["plan_op_usd_per_yr"]))]
        if "plan_op_full_year_usd_per_yr" in ds:
            r += [_f(float(sel["plan_op_full_year_usd_per_yr"])), f"{100 * float(sel['plan_aggregation_error_frac']):+.2f} %",
                  _f(float(sel["plan_unserved_full_year_mwh"])), _f(float(sel["plan_reserve_shortfall_full_year_h"]), 0),
                  html.escape(str(sel["plan_check_run_id"].item()))]
        rows.append(r)
    head = ["phase", "capex USD", "fixed O&M USD/yr", "fuel USD/yr", "carbon USD/yr", "other operation USD/yr",
            "operation USD/yr (plan)"]
    if "plan_op_full_year_usd_per_yr" in ds:
        head += ["operation USD/yr (full-year check)", "aggregation error", "unserved MWh (check)",
                 "h short of N-1 (check)", "check run"]
    parts += ["<h2>Costs per phase</h2>", "<p>Operation at the scenario's own LNG and carbon prices, as a run "
              "of the phase reports it; the NPV uses the price paths.</p>", _table(head, rows)]
    if "plan_npv_full_year_usd" in ds:
        parts.append(f"<p>NPV with every phase's operation from its full-year check: "
                     f"<b>{_f(float(ds['plan_npv_full_year_usd']))} USD</b>.</p>")
    if "plan_marginal_saving_usd" in ds:
        rows = [[html.escape(str(c)), html.escape(str(ds["plan_marginal_step"].sel(candidate=c).item())),
                 _f(float(ds["plan_marginal_saving_usd"].sel(candidate=c)))] for c in ds["candidate"].values]
        parts += ["<h2>What the next step of each candidate would save (NPV)</h2>",
                  "<p>Negative: it would cost more than it saves.</p>", _table(["candidate", "step", "NPV saved USD"], rows)]
    if "plan_path_npv_usd" in ds:
        rows = []
        for path in ds["price_path"].values:
            cap = ds["plan_path_capacity_mw"].sel(price_path=path)
            rows.append([html.escape(str(path)), _f(float(ds["plan_path_npv_usd"].sel(price_path=path)))]
                        + ["; ".join(f"{t} {_f(float(cap.sel(phase=p, technology=t)))}" for t in techs
                                     if float(cap.sel(phase=p, technology=t)) > 0) for p in phases])
        parts += ["<h2>The plan under each LNG price path</h2>", _table(["path", "NPV USD", *phases], rows)]
    rows = [[str(ds["rep_day_date"].values[i]), _f(float(ds["rep_day_weight"].values[i]), 0), str(ds["rep_day_kind"].values[i])]
            for i in range(ds.sizes["rep_day"])]
    parts += ["<h2>Representative days</h2>", _table(["day", "days it stands for", "kind"], rows)]
    style = ("body{font-family:system-ui,sans-serif;margin:2em;max-width:80em}table{border-collapse:collapse;"
             "margin:1em 0}td,th{border:1px solid #ccc;padding:.3em .6em;text-align:right}th{background:#eee}"
             "td:first-child{text-align:left}.bad{color:#a00}")
    return (f"<!doctype html><html><head><meta charset='utf-8'><title>Plan {html.escape(str(ds.attrs.get('scenario_name')))}"
            f"</title><style>{style}</style></head><body>{''.join(parts)}</body></html>")
