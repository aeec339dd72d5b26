"""``twin report … -o report.pdf``: printed by headless Chromium; pages and text checked with pypdf."""

from __future__ import annotations

from pathlib import Path

import pytest

from twin.report import CHROMIUM


@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Chromium not installed")
def test_pdf_report_pages_and_text(run_pair, tmp_path):
    pypdf = pytest.importorskip("pypdf")
    from twin import kpi
    from twin.cli import main
    from twin.store import save_run

    dirs = [save_run(ds, tmp_path / "runs", run_id=f"pdf{i}") for i, ds in enumerate(run_pair)]
    out = tmp_path / "report.pdf"
    assert main(["report", *map(str, dirs), "-o", str(out)]) == 0
    reader = pypdf.PdfReader(str(out))
    assert 3 <= len(reader.pages) <= 40, len(reader.pages)
    text = "\n".join(p.extract_text() for p in reader.pages)
    assert "Executive summary" in text and "Headline KPIs" in text and "against" in text
    assert f"{kpi.pue(run_pair[0]):.3f}" in text
    assert not list(tmp_path.glob(".*partial"))
