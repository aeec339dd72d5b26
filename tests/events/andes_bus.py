"""Run an islanded GENCLS + TGOV1 system in ANDES and print its frequency response as JSON.

ANDES is GPL: this script runs in its own process (``python tests/events/andes_bus.py < spec.json``);
neither the package nor the test process imports it.  The spec (JSON on stdin)::

    {"f0_hz": 50, "machines": [{"sn_mva": 59.4, "p_mw": 26.7, "h_s": 4.5, "d_pu": 0, "r": 0.05,
      "t1": 0.4, "t2": 0, "t3": 0.1, "vmax": 1.0, "vmin": 0.0}, ...],
     "load_mw": 53.4, "trip": 0, "t_event_s": 1.0, "tf_s": 30.0, "tstep_s": 0.01}

The machines sit on their own buses, each tied by a short line to one load bus with a
constant-power load; machine ``trip`` is switched off at ``t_event_s`` (a ``Toggle``), or, with
``"load_step_mw"``, the load steps up by that much instead (an ``Alter``).  Output: time from the
event, the centre-of-inertia frequency of the machines still online, and the wall time.
"""

from __future__ import annotations

import json
import sys
import time

import andes
import numpy as np


def build(spec: dict):
    andes.config_logger(stream_level=50)
    ss = andes.System()
    base = 100.0
    ss.add("Bus", {"idx": 100, "name": "load", "Vn": 110.0})
    for i, m in enumerate(spec["machines"]):
        b = i + 1
        ss.add("Bus", {"idx": b, "name": f"g{b}", "Vn": 110.0})
        ss.add("Line", {"idx": f"L{b}", "bus1": b, "bus2": 100, "r": 0.0005, "x": 0.005, "b": 0.0, "Vn1": 110.0, "Vn2": 110.0})
        if i == 0:
            ss.add("Slack", {"idx": f"G{b}", "bus": b, "Sn": m["sn_mva"], "p0": m["p_mw"] / base, "v0": 1.0, "Vn": 110.0,
                             "pmax": 99, "pmin": -99, "qmax": 99, "qmin": -99})
        else:
            ss.add("PV", {"idx": f"G{b}", "bus": b, "Sn": m["sn_mva"], "p0": m["p_mw"] / base, "v0": 1.0, "Vn": 110.0,
                          "pmax": 99, "pmin": -99, "qmax": 99, "qmin": -99})
        ss.add("GENCLS", {"idx": f"M{b}", "bus": b, "gen": f"G{b}", "Sn": m["sn_mva"], "Vn": 110.0, "fn": spec["f0_hz"],
                          "M": 2.0 * m["h_s"], "D": m.get("d_pu", 0.0), "xd1": 0.3, "ra": 0.0})
        ss.add("TGOV1", {"idx": f"T{b}", "syn": f"M{b}", "R": m["r"], "T1": m["t1"], "T2": m["t2"], "T3": m["t3"],
                         "VMAX": m["vmax"], "VMIN": m["vmin"], "Dt": 0.0, "Tn": m["sn_mva"]})
    ss.add("PQ", {"idx": "LD", "bus": 100, "p0": spec["load_mw"] / base, "q0": 0.0, "Vn": 110.0})
    t_ev = spec["t_event_s"]
    if "load_step_mw" in spec:
        ss.add("Alter", {"model": "PQ", "dev": "LD", "src": "Ppf", "attr": "v", "method": "+",
                         "amount": spec["load_step_mw"] / base, "t": t_ev})
    else:
        ss.add("Toggle", {"model": "GENCLS", "dev": f"M{spec['trip'] + 1}", "t": t_ev})
    ss.setup()
    ss.PQ.config.p2p = 1.0
    ss.PQ.config.p2i = 0.0
    ss.PQ.config.p2z = 0.0
    ss.PQ.config.q2q = 1.0
    ss.PQ.config.q2i = 0.0
    ss.PQ.config.q2z = 0.0
    return ss


def main() -> None:
    spec = json.load(sys.stdin)
    ss = build(spec)
    t0 = time.perf_counter()
    c0 = time.process_time()
    ss.PFlow.run()
    ss.TDS.config.tf = spec["t_event_s"] + spec["tf_s"]
    ss.TDS.config.tstep = spec.get("tstep_s", 0.01)
    ss.TDS.config.no_tqdm = 1
    ss.TDS.config.criteria = 0
    ss.TDS.run()
    wall = time.perf_counter() - t0
    cpu = time.process_time() - c0
    t = np.asarray(ss.dae.ts.t)
    omega = np.asarray(ss.dae.ts.x[:, ss.GENCLS.omega.a])
    n = len(spec["machines"])
    w = np.array([2.0 * m["h_s"] * m["sn_mva"] for m in spec["machines"]])
    online = np.ones(n, bool)
    if "load_step_mw" not in spec:
        online[spec["trip"]] = False
    coi = (omega[:, online] * w[online]).sum(axis=1) / w[online].sum()
    keep = t >= spec["t_event_s"] - 1e-9
    print(json.dumps({"t_s": (t[keep] - spec["t_event_s"]).tolist(), "f_hz": (coi[keep] * spec["f0_hz"]).tolist(),
                      "wall_s": wall, "cpu_s": cpu, "andes_version": andes.__version__}))


if __name__ == "__main__":
    main()
