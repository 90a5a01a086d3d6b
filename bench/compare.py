"""Is the floor a real equivalent? Compare the dbt marts with the floor's, row by row.

Keys must match both ways (no row only on one side); the listed columns must be equal: exactly for
text, flags and codes, within 1e-9 (relative) for numbers, because the two plans may sum a
seasonal average in a different order. The calculation trace prints numbers rounded to four
places, so a difference there is counted apart and reported, not failed on.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from bench import synth
from bench.scale import Scale

__all__ = ["MARTS", "Comparison", "compare_marts", "generator_matches_ingestion"]

# mart -> (key columns, exact columns, numeric columns)
MARTS: dict[str, tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]] = {
    "fct_target_progress": (
        ("target_id", "period_code"),
        (
            "period_kind",
            "period_end",
            "actual_bound",
            "actual_is_bound",
            "underlying_bound",
            "underlying_unit",
            "actual_quality",
            "comparator_applied",
            "baseline_period_code",
            "is_met",
            "is_final",
            "expected_share_method",
            "pace_code",
            "status_code",
            "units_total",
            "units_reporting",
            "derived_from",
            "source_file",
            "source_row",
            "release_id",
            "release_date",
            "release_date_imputed",
            "actual_unit",
            "is_revised",
            "seasonal_years",
            "baseline_origin",
        ),
        (
            "actual_value",
            "underlying_value",
            "target_level",
            "tolerance_abs",
            "base_value",
            "baseline_level",
            "gap",
            "share_achieved",
            "elapsed_share",
            "expected_share",
            "actual_cagr",
            "required_cagr",
            "progress_ratio",
            "previous_actual",
            "projected_value",
            "projected_gap",
            "projection_ratio",
        ),
    ),
    "fct_target_progress_by_region": (
        ("target_id", "period_code", "region_code", "subject_code"),
        (
            "period_end",
            "value_period_code",
            "counts_as_met",
            "unit_status",
            "value_quality",
            "baseline_period_code",
            "source_file",
            "release_date",
            "release_date_imputed",
        ),
        ("value", "baseline_value"),
    ),
    "fct_target_scorecard": (
        ("target_id",),
        (
            "status_code",
            "latest_period_code",
            "pace_code",
            "actual_quality",
            "next_period_end",
            "is_next_release_overdue",
            "unassessed_period_code",
            "latest_release_date_imputed",
            "actual_unit",
        ),
        ("actual_value", "target_level", "gap", "share_achieved", "projected_value"),
    ),
    "fct_scorecard_monthly": (
        ("snapshot_month", "target_id"),
        (
            "month_end",
            "plan_id",
            "target_kind",
            "latest_period_code",
            "latest_period_kind",
            "latest_period_end",
            "actual_quality",
            "actual_bound",
            "latest_release_date",
            "latest_release_date_imputed",
            "source_file",
            "source_row",
            "unassessed_period_code",
            "status_code",
            "status_sort_order",
            "is_month_closed",
        ),
        (
            "actual_value",
            "target_level",
            "gap",
            "share_achieved",
            "expected_share",
            "progress_ratio",
            "projected_value",
        ),
    ),
}

# A mart that keeps its history: the months a run does not write again stay as they were recorded (a
# figure released later does not change a month that has ended), while the floor rebuilds every month
# from the figures known today. So the months compared are those the pipeline's last run wrote (its
# rows share one recorded_at): every month after a full build, the open ones after a new month.
# mart -> (column naming the month, column stamping the run)
LAST_RUN_ONLY: dict[str, tuple[str, str]] = {"fct_scorecard_monthly": ("snapshot_month", "recorded_at")}


@dataclass
class MartComparison:
    rows_pipeline: int
    rows_floor: int
    only_pipeline: int
    only_floor: int
    differing: dict[str, int]  # column -> rows that differ
    trace_differences: int = 0
    months_compared: int | None = None  # a mart keeping history: the months its last run wrote

    @property
    def equal(self) -> bool:
        return self.rows_pipeline == self.rows_floor and not (self.only_pipeline or self.only_floor or self.differing)


@dataclass
class Comparison:
    marts: dict[str, MartComparison] = field(default_factory=dict)
    statuses: dict[str, int] = field(default_factory=dict)  # fct_target_progress.status_code counts
    target_kinds: list[str] = field(default_factory=list)  # kinds with at least one progress row

    @property
    def equal(self) -> bool:
        return bool(self.marts) and all(m.equal for m in self.marts.values())

    def summary(self) -> str:
        parts = []
        for name, m in self.marts.items():
            state = (
                "equal"
                if m.equal
                else f"DIFFERENT (only dbt {m.only_pipeline}, only floor {m.only_floor}, {m.differing})"
            )
            scope = "" if m.months_compared is None else f" (the {m.months_compared} months the last run wrote)"
            parts.append(f"{name}: {m.rows_pipeline:,} rows{scope} {state}")
        return "; ".join(parts)


def _num_equal(col: str) -> str:
    return (
        f"((p.{col} IS NULL AND f.{col} IS NULL) OR "
        f"abs(p.{col} - f.{col}) <= 1e-9 * greatest(1.0, abs(p.{col}), abs(f.{col})))"
    )


def compare_marts(warehouse: Path, floor_db: Path) -> Comparison:
    con = duckdb.connect()
    con.execute(f"ATTACH '{warehouse}' AS pw (READ_ONLY)")
    con.execute(f"ATTACH '{floor_db}' AS fw (READ_ONLY)")
    out = Comparison()
    for mart, (keys, exact, numeric) in MARTS.items():
        pipeline, floor, months = f"pw.marts.{mart}", f"fw.main.{mart}", None
        if mart in LAST_RUN_ONLY:
            month, stamp = LAST_RUN_ONLY[mart]
            written = f"SELECT DISTINCT {month} FROM {pipeline} WHERE {stamp} = (SELECT max({stamp}) FROM {pipeline})"
            months = con.execute(f"SELECT count(*) FROM ({written})").fetchone()[0]
            pipeline = f"(SELECT * FROM {pipeline} WHERE {month} IN ({written}))"
            floor = f"(SELECT * FROM {floor} WHERE {month} IN ({written}))"
        on = " AND ".join(f"p.{k} IS NOT DISTINCT FROM f.{k}" for k in keys)
        tests = [f"sum(CASE WHEN NOT (p.{c} IS NOT DISTINCT FROM f.{c}) THEN 1 ELSE 0 END) AS {c}" for c in exact]
        tests += [f"sum(CASE WHEN NOT {_num_equal(c)} THEN 1 ELSE 0 END) AS {c}" for c in numeric]
        if mart == "fct_target_progress":
            tests.append(
                "sum(CASE WHEN p.calculation_trace IS DISTINCT FROM f.calculation_trace THEN 1 ELSE 0 END) AS _trace"
            )
        row = con.execute(
            f"""
            SELECT
                (SELECT count(*) FROM {pipeline}) AS n_p,
                (SELECT count(*) FROM {floor}) AS n_f,
                sum(CASE WHEN f.{keys[0]} IS NULL THEN 1 ELSE 0 END) AS only_p,
                sum(CASE WHEN p.{keys[0]} IS NULL THEN 1 ELSE 0 END) AS only_f,
                {", ".join(tests)}
            FROM {pipeline} AS p
            FULL OUTER JOIN {floor} AS f ON {on}
            """
        ).fetchone()
        names = [d[0] for d in con.description]
        values = dict(zip(names, row, strict=True))
        differing = {c: int(values[c]) for c in (*exact, *numeric) if values[c]}
        out.marts[mart] = MartComparison(
            int(values["n_p"]),
            int(values["n_f"]),
            int(values["only_p"] or 0),
            int(values["only_f"] or 0),
            differing,
            int(values.get("_trace") or 0),
            months,
        )
    out.statuses = dict(
        con.execute(
            "SELECT status_code, count(*) FROM pw.marts.fct_target_progress GROUP BY 1 ORDER BY 2 DESC"
        ).fetchall()
    )
    out.target_kinds = [
        r[0]
        for r in con.execute(
            """SELECT DISTINCT t.target_kind FROM pw.marts.fct_target_progress AS p
               JOIN pw.marts.dim_targets AS t USING (target_id) ORDER BY 1"""
        ).fetchall()
    ]
    con.close()
    return out


def generator_matches_ingestion(
    warehouse: Path, release_id: str, seeds_dir: Path, scale: Scale, month: int | None = None
) -> bool:
    """True when the rows ingestion stored for a month's file (the new month's unless ``month``) are exactly
    the generator's raw rows for that month (so the history loaded straight into raw is what ingestion
    would have made)."""
    month = scale.new_month if month is None else month
    con = duckdb.connect()
    synth.install_macros(con, seeds_dir, scale)
    con.execute(f"ATTACH '{warehouse}' AS pw (READ_ONLY)")
    expected = synth.raw_rows_sql(month, month, release_id=release_id)
    got = "SELECT * EXCLUDE (ingested_at) FROM pw.raw.observations WHERE release_id = ?"
    n = con.execute(
        f"""
        SELECT (SELECT count(*) FROM (SELECT * EXCLUDE (ingested_at) FROM ({expected}) EXCEPT ALL {got}))
             + (SELECT count(*) FROM ({got} EXCEPT ALL SELECT * EXCLUDE (ingested_at) FROM ({expected})))
        """,
        [release_id, release_id],
    ).fetchone()[0]
    rows = con.execute("SELECT count(*) FROM pw.raw.observations WHERE release_id = ?", [release_id]).fetchone()[0]
    con.close()
    return n == 0 and rows > 0
