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
