"""twin.store: safe run ids, ids claimed before the work, damaged run files refused in one line."""

from __future__ import annotations

import json
import subprocess
import sys
import time

import pytest
import xarray as xr

import twin
from twin import store
from twin.cli import main
from twin.errors import RunIdError, RunNotFound, TwinError


@pytest.fixture(scope="module")
def saved(default_run, tmp_path_factory):
    return store.save_run(default_run, tmp_path_factory.mktemp("runs"))


@pytest.mark.parametrize("name,start", [
    ("울산 AI 데이터센터", "AI-"), ("", "run-"), ("../../x", "x-"), ("/etc/passwd", "etc-passwd-"), ("..", "run-"),
    ("émigré", "emigre-"), ("x" * 300, "x" * 48 + "-"), ("plain-name", "plain-name-baseline-"),
])
def test_run_id_is_safe_from_any_name(name, start):
    rid = store.make_run_id(name, "baseline")
    assert store.check_run_id(rid) == rid and rid.startswith(start)


def test_distinct_non_ascii_names_give_distinct_ids():
    a, b = (store.make_run_id(n, "baseline").split("-baseline-")[0] for n in ("울산 AI 데이터센터", "해남 AI 데이터센터"))
    assert a != b


@pytest.mark.parametrize("bad", ["../x", "", "a/b", "-rf", "x" * 129, "울산"])
def test_bad_run_id_is_refused_in_one_line(bad, tmp_path):
    with pytest.raises(RunIdError) as e:
        store.save_run(xr.Dataset(), tmp_path, run_id=bad)
    assert e.value.problems == [f"run id {bad!r} — use 1 to 128 ASCII letters, digits, '.', '_' and '-', starting "
                                "with a letter or digit"]


def test_cli_bad_or_taken_run_id_refused_before_the_solve(tmp_path, capsys, monkeypatch):
    def no_work(*a, **k):  # the solve must not start
        raise AssertionError("the run started")

    monkeypatch.setattr(twin, "simulate", no_work)
    monkeypatch.setattr(twin, "optimise", no_work)
    out = tmp_path / "runs"
    assert main(["run", "default", "-q", "-o", str(out), "--run-id", "../escape"]) == 2
    assert capsys.readouterr().err.strip() == ("error: --run-id '../escape' — use 1 to 128 ASCII letters, digits, "
                                              "'.', '_' and '-', starting with a letter or digit")
    (out / "taken").mkdir(parents=True)
    assert main(["run", "default", "-q", "-o", str(out), "--run-id", "taken", "--dispatch", "baseline"]) == 2
    assert capsys.readouterr().err.strip() == f"error: --run-id 'taken' — a run of that id already exists in {out}"
    assert sorted(p.name for p in out.iterdir()) == ["taken"]  # no lock or partial left


def test_two_writers_of_one_id_do_not_race(tmp_path, default_run):
    # another process claims the id (and is still working) ...
    code = (f"import time; from twin.store import reserve_run; reserve_run({str(tmp_path)!r}, 'same'); "
            "print('held', flush=True); time.sleep(60)")
    other = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    try:
        assert other.stdout.readline().strip() == "held"
        with pytest.raises(RunIdError) as e:
            store.reserve_run(tmp_path, "same")
        assert e.value.problems == [f"run id 'same' — another writer is saving a run of that id in {tmp_path}"]
    finally:
        other.kill()
        other.wait()
    # ... and once that process is gone its claim is stale: the next writer takes the id
    path = store.save_run(default_run, tmp_path, run_id="same")
    assert store.is_run_dir(path) and not list(tmp_path.glob(".*"))


def test_same_process_cannot_claim_an_id_twice(tmp_path):
    store.reserve_run(tmp_path, "twice")
    try:
        with pytest.raises(RunIdError, match="another writer is saving a run of that id"):
            store.reserve_run(tmp_path, "twice")
    finally:
        store.release_run(tmp_path, "twice")
    assert not list(tmp_path.iterdir())


def test_stale_partial_folders_are_cleaned_on_the_next_write(tmp_path, default_run):
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    pid = int(dead.stdout)  # a process id that has just ended
    stale = tmp_path / f".killed-run.{pid}.abc123.partial"
    stale.mkdir()
    (stale / "run.nc").write_bytes(b"half")
    old_style = tmp_path / ".older.xyz.partial"  # no process id: removed once a day old
    old_style.mkdir()
    fresh = tmp_path / ".recent.xyz.partial"
    fresh.mkdir()
    day_ago = time.time() - 2 * 86_400
    import os

    os.utime(old_style, (day_ago, day_ago))
    store.save_run(default_run, tmp_path, run_id="next")
    assert not stale.exists() and not old_style.exists() and fresh.exists()


def test_summary_of_a_truncated_summary_json(saved, tmp_path, capsys):
    import shutil

    d = tmp_path / "run"
    shutil.copytree(saved, d)
    text = (d / "summary.json").read_text()
    (d / "summary.json").write_text(text[: len(text) // 2])
    assert main(["summary", str(d)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith(f"error: {d / 'summary.json'}: not a run summary (truncated or not JSON: ")
    assert "\n" not in err and "Traceback" not in err
    (d / "summary.json").write_text(json.dumps({"run_id": "x"}))
    assert main(["summary", str(d)]) == 2
    assert capsys.readouterr().err.strip() == (f"error: {d / 'summary.json'}: not a run summary (no scenario_name, "
                                               "dispatch, status, period_start, period_end, step, kpi)")


def test_report_on_a_truncated_or_foreign_run_nc(saved, tmp_path, capsys):
    import shutil

    d = tmp_path / "run"
    shutil.copytree(saved, d)
    nc = d / "run.nc"
    nc.write_bytes(nc.read_bytes()[:2000])
    out = tmp_path / "r.html"
    assert main(["report", str(d), "-o", str(out)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith(f"error: {nc}: not a readable netCDF run (truncated or another format: ")
    xr.Dataset({"x": ("t", [1.0, 2.0])}).to_netcdf(nc)
    assert main(["report", str(d), "-o", str(out)]) == 2
    assert capsys.readouterr().err.strip() == (f"error: {nc}: not a Campus Twin run (no variable facility_power_mw, "
                                               "variable it_power_mw, variable supply_mw)")
    assert not out.exists()


def test_run_not_found_is_in_the_hierarchy_and_a_lookup_error():
    assert issubclass(RunNotFound, TwinError) and issubclass(RunNotFound, LookupError)
    with pytest.raises(RunNotFound, match="is not a run directory"):
        store.open_run("/nonexistent")
