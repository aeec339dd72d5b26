"""What if LNG doubles?  Optimised dispatch of a campus at two LNG prices, side by side.

    .venv/bin/python examples/lng_price_what_if.py [SCENARIO] [--days 7]

Uses only the public Python API: load_scenario → optimise (and simulate for the baseline) →
save_run / open_run → twin.kpi.
"""

from __future__ import annotations

import argparse
import tempfile

import pandas as pd

import twin
from twin.scenario import parse_scenario


def with_changes(sc: twin.Scenario, days: int, lng_price: float) -> twin.Scenario:
    d = sc.model_dump(mode="json")
    start = pd.Timestamp(d["period"]["start"])
    d["period"]["end"] = str(start + pd.Timedelta(days=days))
    d["fuel"]["lng_price_usd_per_mmbtu"] = lng_price
    d["name"] = f"{sc.name}-lng{lng_price:g}"
    return parse_scenario(d)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("scenario", nargs="?", default="default")
    ap.add_argument("--days", type=int, default=7)
    a = ap.parse_args()
    base = twin.load_scenario(a.scenario)
    store = tempfile.mkdtemp(prefix="twin-example-")
    rows = []
    for price in (base.fuel.lng_price_usd_per_mmbtu, 2 * base.fuel.lng_price_usd_per_mmbtu):
        sc = with_changes(base, a.days, price)
        run = twin.optimise(sc, mip_rel_gap=1e-3)
        path = twin.save_run(run, store)
        ds = twin.open_run(path)
        e = twin.kpi.energy_by_source_mwh(ds)
        rows.append({"LNG USD/MMBtu": price, "cost USD": twin.kpi.cost_usd(ds),
                     "gas MWh": e["gas"], "grid MWh": e["grid"], "LNG t": twin.kpi.lng_t(ds),
                     "CO2 t": twin.kpi.co2_t(ds), "PUE": twin.kpi.pue(ds),
                     "saved vs baseline USD": ds.attrs["savings_vs_baseline_usd"]})
    print(pd.DataFrame(rows).round(2).to_string(index=False))
    print(f"runs stored in {store}")


if __name__ == "__main__":
    main()
