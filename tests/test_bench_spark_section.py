"""`make bench` writes BENCHMARKS.md in two runs (bench/spark.py): the Spark section goes before the
analysis, replaces the previous one, and the DuckDB benchmark's rewrite of the file keeps it."""

from __future__ import annotations

from pathlib import Path

from bench.spark import SPARK_END, SPARK_START, kept_section, write_section


def _section(text: str) -> str:
    return f"{SPARK_START}\n{text}\n{SPARK_END}"


def test_the_spark_section_is_inserted_then_replaced_and_kept(tmp_path: Path):
    report = tmp_path / "BENCHMARKS.md"
    report.write_text("# Benchmarks\n\n## Results\n\nduckdb\n\n## Analysis\n\nwhy\n", encoding="utf-8")
    write_section(report, _section("first run"))
    text = report.read_text(encoding="utf-8")
    assert text.index("first run") < text.index("## Analysis") and text.count(SPARK_START) == 1
    write_section(report, _section("second run"))
    text = report.read_text(encoding="utf-8")
    assert "second run" in text and "first run" not in text and text.count("## Spark beside DuckDB") == 1
    assert kept_section(report) == _section("second run")
    assert kept_section(tmp_path / "missing.md") == ""
