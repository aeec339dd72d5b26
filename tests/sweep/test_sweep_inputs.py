"""Sweep files go through the same checked reader as scenarios: one line, exit 2, no traceback."""

from __future__ import annotations

from twin.cli import main
from twin.scenario import SCENARIO_DIR

SWEEP = (SCENARIO_DIR.parent / "sweeps" / "quang_ninh_lng.yaml").read_text(encoding="utf-8")


def _err(tmp_path, capsys, data: bytes) -> str:
    p = tmp_path / "s.yaml"
    p.write_bytes(data)
    assert main(["sweep", str(p), "-o", str(tmp_path / "out.zarr")]) == 2
    (line,) = capsys.readouterr().err.strip().splitlines()
    assert not (tmp_path / "out.zarr").exists()
    return line.replace(str(p), "FILE")


def test_duplicate_key_in_a_sweep(tmp_path, capsys):
    line = _err(tmp_path, capsys, (SWEEP + "dispatch: optimal\n").encode())
    assert line.startswith("error: FILE: line 20: key 'dispatch' given twice (first on line 12)")


def test_non_utf8_and_binary_sweep(tmp_path, capsys):
    assert _err(tmp_path, capsys, SWEEP.replace("SK Quang", "SK Quảng").encode("cp1258", "replace")) == \
        "error: FILE: line 1: byte 0x97 is not UTF-8 text — save the sweep file as UTF-8"
    assert _err(tmp_path, capsys, bytes(range(256))) == "error: FILE: a binary file (NUL bytes), not a sweep file"
