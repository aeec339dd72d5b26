"""The report pages come from Jinja2 templates shipped as package data; nothing escapes unescaped."""

from __future__ import annotations

import re
from pathlib import Path

import twin
from twin.report import render

TEMPLATES = Path(twin.__file__).with_name("templates")


def test_templates_ship_as_package_data():
    names = {p.name for p in TEMPLATES.iterdir()}
    assert {"base.html.j2", "report.html.j2", "preset_index.html.j2", "sweep_report.html.j2", "report.css"} <= names
    setup = (Path(twin.__file__).parents[1] / "setup.py").read_text()
    assert '"templates/*.j2"' in setup and '"templates/*.css"' in setup and '"vendor/*.js"' in setup


def test_base_template_renders_escaped_with_print_stylesheet():
    text = render("base.html.j2", title="<b>A & B</b>", plotlyjs_inline="", plotlyjs_src="")
    assert text.startswith("<!DOCTYPE html>")
    assert "<title>&lt;b&gt;A &amp; B&lt;/b&gt;</title>" in text
    assert "@media print" in text and "@page{size:A4" in text
    assert "<script" not in text  # no plotly.js asked for, none written


def test_report_module_builds_no_page_html():
    """The page structure is the templates': twin/report.py writes no tags of its own (the notes'
    ``<code>`` excepted)."""
    src = (Path(twin.__file__).with_name("report.py")).read_text()
    for tag in ("<!DOCTYPE", "<html", "<table", "<tr", "<td", "<th", "<h1", "<h2", "<div", "<ul", "<li"):
        assert tag not in src, tag
    assert not re.search(r"<(body|head|style|script)\b", src)


def test_report_sections_in_order(run_pair):
    from twin.report import report_html

    text = report_html(list(run_pair), ["ref", "variant"])
    order = [text.index(f'id="{s}"') for s in ("summary", "runs", "assumptions", "kpis", "shortfalls",
                                               "monthly-energy", "load-duration")]
    assert order == sorted(order)
    assert text.count("<h2 ") == text.count("</h2>") >= 8


def test_tables_wrap_for_many_runs(run_pair):
    # five runs: the summary and KPI tables come in parts of at most three runs, the reference
    # (run 0) first in each, and every run's every number appears in exactly one part
    import re

    from twin.report import RUNS_PER_TABLE, report_html, table_groups

    assert table_groups(1) == [[0]] and table_groups(3) == [[0, 1, 2]]
    assert table_groups(6) == [[0, 1, 2], [0, 3, 4], [0, 5]]
    runs = [run_pair[0], run_pair[1], run_pair[0], run_pair[1], run_pair[0]]
    names = ["A", "B", "C", "D", "E"]
    text = report_html(runs, names)
    parts = re.findall(r'<table id="(kpi-table(?:-\d)?)" class="kpi-table"><thead><tr>(.*?)</tr>', text)
    assert [p[0] for p in parts] == ["kpi-table", "kpi-table-2"]
    heads = [re.findall(r"<th>([^<]+)</th>", p[1]) for p in parts]
    assert heads[0] == ["KPI", "unit", "A", "B", "Δ vs A", "C", "Δ vs A"]
    assert heads[1] == ["KPI", "unit", "A", "D", "Δ vs A", "E", "Δ vs A"]
    assert all(len([h for h in hd if h not in ("KPI", "unit")]) <= 2 * RUNS_PER_TABLE - 1 for hd in heads)
    sums = re.findall(r'<table id="summary-table(?:-\d)?" class="summary-table">', text)
    assert len(sums) == 2
    kpi_part2 = text.split('id="kpi-table-2"')[1].split("</table>")[0]
    assert re.search(r'data-run="3" data-kpi="pue"', kpi_part2) and not re.search(r'data-run="1" ', kpi_part2)
    assert "the tables wrap at 3 runs" in text
