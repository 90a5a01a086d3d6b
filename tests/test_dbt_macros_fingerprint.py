"""An edited dbt macro must recompute every target: Dagster passes a hash of dbt/macros to dbt."""

from pathlib import Path

from dagster_project.resources import dbt_macros_fingerprint


def test_the_fingerprint_changes_with_a_macro_and_only_then(tmp_path: Path):
    macros = tmp_path / "macros"
    (macros / "generic").mkdir(parents=True)
    (macros / "a.sql").write_text("{% macro a() %}1{% endmacro %}", encoding="utf-8")
    (macros / "generic" / "b.sql").write_text("{% macro b() %}2{% endmacro %}", encoding="utf-8")
    (tmp_path / "models").mkdir()
    first = dbt_macros_fingerprint(tmp_path)
    (tmp_path / "models" / "m.sql").write_text("select 1", encoding="utf-8")
    assert dbt_macros_fingerprint(tmp_path) == first  # models are checksummed by dbt itself
    (macros / "generic" / "b.sql").write_text("{% macro b() %}3{% endmacro %}", encoding="utf-8")
    assert dbt_macros_fingerprint(tmp_path) != first
