"""Seeded fuzz of every input surface (tests/fuzz_inputs.py): no traceback, no silently wrong run.

Every preset is mutated (hostile values, scaled numbers, deleted and unknown keys, hostile names)
and an EPW file is broken (structure, missing-value codes, NaN, out-of-range values, gaps); each
case goes through ``twin validate`` and, if valid, a one-day ``twin run`` in process. Each case
must end in a clean error (exit 2, one message, no traceback) or a run whose summary is finite
with PUE >= 1 and the energy balance held; a case that must be refused must not run.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path


def _harness():
    spec = importlib.util.spec_from_file_location("_twin_fuzz_inputs", Path(__file__).with_name("fuzz_inputs.py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_seeded_fuzz_of_presets_and_epw(tmp_path):
    counts, detail = _harness().fuzz(seed=10, n_scenarios=160, n_epw=30, workdir=tmp_path)
    bad = [(cls, label, why) for cls, label, why in detail if cls not in ("clean_error", "run_ok")]
    assert not bad, "\n".join(f"{c}: {lab}: {w}" for c, lab, w in bad[:20])
    kinds = {k for k, _ in counts}
    assert kinds == {"scenario", "epw"}
    # the fuzz really exercises both outcomes on both surfaces
    for kind in kinds:
        assert counts[(kind, "clean_error")] > 10 and counts[(kind, "run_ok")] > 5
