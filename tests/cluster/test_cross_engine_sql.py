"""One dbt project, two engines (issue 17): SQL that only DuckDB (or only Spark) understands lives in
dbt/macros/cross_engine/ behind adapter.dispatch, nowhere else. This reads the models and the other
macros (comments left out) and names each engine-only construct it finds, with the macro to use."""

from __future__ import annotations

import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
DBT_DIR = REPO / "dbt"
CROSS_ENGINE = DBT_DIR / "macros" / "cross_engine"

# construct -> what to write instead
ENGINE_ONLY = {
    r"\bas\s+varchar\b": "dbt.type_string() (a number: cross_engine_number_text)",
    r"\bstrftime\s*\(": "cross_engine_format_date",
    r"\bdate_format\s*\(": "cross_engine_format_date",
    r"\bgenerate_series\s*\(": "cross_engine_month_starts / cross_engine_integer_range",
    r"\bsequence\s*\(": "cross_engine_month_starts / cross_engine_integer_range",
    r"\bunnest\s*\(": "cross_engine_split_to_rows / cross_engine_integer_range",
    r"\bexplode\s*\(": "cross_engine_split_to_rows / cross_engine_integer_range",
    r"\bstring_split\s*\(": "cross_engine_split_to_rows",
    r"\bignore\s+nulls\b": "cross_engine_last_value_ignore_nulls",
    r"\*\s*(exclude|replace|except)\s*\(": "cross_engine_star",
    r"\bdate_diff\s*\(": "dbt.datediff",
    r"\bstring_agg\s*\(": "dbt.listagg",
    r"::": "cast(... as ...)",
    r"delete\+insert": "cross_engine_incremental",
    # not engine-only syntax, but engine-only results: DuckDB rounds a double's binary value, Spark its text
    r"\bround\s*\(": "cross_engine_round",
}


def _code(path: Path) -> str:
    text = path.read_text(encoding="utf-8")
    text = re.sub(r"\{#.*?#\}", "", text, flags=re.S)  # Jinja comments
    return re.sub(r"--[^\n]*", "", text)  # SQL comments


def _engine_only(paths: list[Path]) -> list[str]:
    found = []
    for path in paths:
        code = _code(path)
        for pattern, instead in ENGINE_ONLY.items():
            for match in re.finditer(pattern, code, flags=re.I):
                line = code.count("\n", 0, match.start()) + 1
                found.append(f"{path.relative_to(REPO)}:{line}: {match.group(0)!r} -> use {instead}")
    return found


def test_models_and_macros_hold_no_engine_only_sql_outside_the_cross_engine_macros():
    paths = sorted((DBT_DIR / "models").rglob("*.sql")) + sorted(
        p for p in (DBT_DIR / "macros").rglob("*.sql") if CROSS_ENGINE not in p.parents
    )
    assert len(paths) > 50
    found = _engine_only(paths)
    assert not found, "engine-only SQL outside dbt/macros/cross_engine/:\n" + "\n".join(found)


def test_the_scan_finds_each_construct_it_forbids(tmp_path):
    """The rule test above would pass vacuously on a scan that finds nothing: each construct is found."""
    sample = tmp_path / "m.sql"
    sample.write_text(
        "{# strftime( in a comment is fine #}\n-- so is unnest(\n"
        "select cast(x as varchar), strftime(d, '%Y'), date_format(d, 'yyyy'), generate_series(1, 2),\n"
        "sequence(1, 2), unnest(l), explode(l), string_split(s, ';'), last_value(x ignore nulls),\n"
        "t.* exclude (a), t.* replace (1 as a), t.* except (a), date_diff('day', a, b), string_agg(x, ','),\n"
        "x::int, 'delete+insert', round(x, 1)\n",
        encoding="utf-8",
    )
    code = _code(sample)
    assert "comment" not in code
    assert {p for p in ENGINE_ONLY if re.search(p, code, flags=re.I)} == set(ENGINE_ONLY)
