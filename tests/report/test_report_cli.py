"""``twin report``: stored runs in, one HTML file out; bad input exits 2 naming what is wrong."""

from __future__ import annotations

import json

import pytest

from twin.cli import main
from twin.store import save_run


@pytest.fixture(scope="module")
def stored_pair(run_pair, tmp_path_factory):
    store = tmp_path_factory.mktemp("runs")
    return [save_run(ds, store, run_id=f"r{i}") for i, ds in enumerate(run_pair)]


def test_report_of_stored_runs_matches_summary_json(stored_pair, tmp_path, capsys, report_reader):
    out = tmp_path / "report.html"
    assert main(["report", *map(str, stored_pair), "-o", str(out)]) == 0
    text = out.read_text(encoding="utf-8")
    cells = report_reader.kpi_cells(text)
    for i, d in enumerate(stored_pair):
        s = json.loads((d / "summary.json").read_text())
        for key in ("pue", "cost_usd", "co2_t", "it_energy_mwh", "peak_facility_mw", "unserved_mwh"):
            assert cells[(i, key)] == pytest.approx(s["kpi"][key], rel=1e-12, abs=1e-12)
    assert "r0" in text and "r1" in text
    assert "wrote" in capsys.readouterr().out
    assert not list(tmp_path.glob(".*partial"))


def test_not_a_run_directory_exits_2_naming_it(stored_pair, tmp_path, capsys):
    out = tmp_path / "r.html"
    code = main(["report", str(stored_pair[0]), str(tmp_path / "nope"), "-o", str(out)])
    err = capsys.readouterr().err
    assert code == 2
    assert f"{tmp_path / 'nope'}: not a run directory" in err
    assert not out.exists()


def test_missing_output_directory_and_no_runs(tmp_path, capsys):
    assert main(["report", "-o", str(tmp_path / "missing" / "r.html")]) == 2
    err = capsys.readouterr().err
    assert "no run given" in err
    assert "does not exist" in err


def test_presets_run_and_report_every_preset(tmp_path, monkeypatch, capsys, report_reader):
    """--presets runs each preset (here only the one-week default, to stay fast) with the
    baseline dispatch into the store and reports it, saying so."""
    import twin.scenario

    monkeypatch.setattr(twin.scenario, "preset_names", lambda: ["default"])
    out = tmp_path / "presets.html"
    assert main(["report", "--presets", "--store", str(tmp_path / "runs"), "-o", str(out)]) == 0
    runs = [p for p in (tmp_path / "runs").iterdir() if not p.name.startswith(".")]
    assert len(runs) == 1
    summary = json.loads((runs[0] / "summary.json").read_text())
    assert summary["dispatch"] == "baseline"
    text = out.read_text(encoding="utf-8")
    assert "baseline (merit-order) dispatch" in text
    assert report_reader.kpi_cells(text)[(0, "pue")] == pytest.approx(summary["kpi"]["pue"], rel=1e-12)


def test_presets_to_a_folder_write_a_whatif_report_each_and_an_index(tmp_path, monkeypatch, capsys,
                                                                   report_reader):
    """--presets -o FOLDER: per preset (here only the one-week default) a baseline and an optimised
    run in the store, FOLDER/<preset>.html comparing them, and FOLDER/index.html listing them."""
    import twin.scenario

    monkeypatch.setattr(twin.scenario, "preset_names", lambda: ["default"])
    out = tmp_path / "reports"
    assert main(["report", "--presets", "--store", str(tmp_path / "runs"), "-o", str(out)]) == 0
    runs = {json.loads((p / "summary.json").read_text())["dispatch"]: json.loads((p / "summary.json").read_text())
            for p in (tmp_path / "runs").iterdir() if not p.name.startswith(".")}
    assert set(runs) == {"baseline", "optimal"}
    text = (out / "default.html").read_text(encoding="utf-8")
    cells = report_reader.kpi_cells(text)
    assert cells[(0, "cost_usd")] == pytest.approx(runs["baseline"]["kpi"]["cost_usd"], rel=1e-12)
    assert cells[(1, "cost_usd")] == pytest.approx(runs["optimal"]["kpi"]["cost_usd"], rel=1e-12)
    assert runs["optimal"]["kpi"]["cost_usd"] < runs["baseline"]["kpi"]["cost_usd"]
    index = (out / "index.html").read_text(encoding="utf-8")
    assert 'href="default.html"' in index
    tags = dict(((a.get("data-kpi"), a.get("data-value")) for t, a in report_reader.parse(index).tags
                 if t == "td" and "data-kpi" in a))
    assert float(tags["pue"]) == pytest.approx(runs["optimal"]["kpi"]["pue"], rel=1e-12)
    assert float(tags["baseline_cost_usd"]) == pytest.approx(runs["baseline"]["kpi"]["cost_usd"], rel=1e-12)
    b, o = runs["baseline"]["kpi"]["cost_usd"], runs["optimal"]["kpi"]["cost_usd"]
    assert float(tags["savings_frac"]) == pytest.approx((b - o) / b, rel=1e-9)  # against the stored baseline
    assert "wrote 1 preset report(s)" in capsys.readouterr().out


def test_presets_folder_bad_output_and_runs_given(stored_pair, tmp_path, capsys):
    afile = tmp_path / "taken"
    afile.write_text("x")
    assert main(["report", "--presets", "-o", str(afile)]) == 2
    assert f"-o {afile}: is a file" in capsys.readouterr().err
    assert main(["report", "--presets", str(stored_pair[0]), "-o", str(tmp_path / "out")]) == 2
    assert "reports the presets only" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()
