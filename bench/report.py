"""BENCHMARKS.md: the measured table, the targets, the equivalence checks and where the time goes.

The hand-written analysis between ``<!-- analysis:start -->`` and ``<!-- analysis:end -->`` of an
existing file is kept when the file is rewritten, so a re-run refreshes the numbers only.
"""

from __future__ import annotations

import os
import platform
import re
import sys
from datetime import datetime
from importlib import metadata
from pathlib import Path

from bench.harness import CLI_INGEST_ROWS, Results, StepRun

START, END = "<!-- analysis:start -->", "<!-- analysis:end -->"

# Targets of the issue.
# the targets of issue 14
FULL_BUILD_MAX_RATIO = 1.25
INCREMENTAL_MAX_GROWTH = 1.2
INCREMENTAL_MAX_SHARE = 0.10
NEW_MONTH_TEST_MAX_SECONDS = 5.0
INGEST_MAX_RATIO = 2.0
PEAK_MEMORY_MAX_MB = 3072
GX_MAX_RATIO = 3.0


def machine() -> str:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        mem_kb = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text())[1])
        mem = f"{mem_kb / 1024 / 1024:.0f} GB RAM"
    except (OSError, TypeError):
        mem = "RAM unknown"
    versions = ", ".join(
        f"{p} {metadata.version(p)}" for p in ("duckdb", "dbt-core", "dbt-duckdb", "great-expectations", "pandas")
    )
    return (
        f"{os.cpu_count()} cores ({cpu or platform.processor() or 'cpu unknown'}), {mem}, "
        f"{platform.system()} {platform.release()}, Python {sys.version.split()[0]}; {versions}"
    )


def _t(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    return f"{seconds / 60:.1f} min" if seconds >= 120 else f"{seconds:.1f} s"


def _mb(*runs: StepRun | None) -> str:
    peaks = [r.peak_rss_mb for r in runs if r is not None]
    return f"{max(peaks):,.0f} MB" if peaks else "—"


def _sum(*runs: StepRun | None) -> float | None:
    present = [r.seconds for r in runs if r is not None]
    return sum(present) if present else None


def _ratio(a: float | None, b: float | None) -> str:
    return f"{a / b:.1f}x" if a and b else "—"


def _yes(ok: bool | None) -> str:
    return "—" if ok is None else ("**met**" if ok else "**not met**")


def numbers(res: Results) -> dict:
    """The figures the targets are judged on (seconds, MB, ratios); None where not measured."""
    s = res.steps
    g = s.get
    inc10 = _sum(g("ingest"), g("inc10"))
    inc1 = _sum(g("ingest1"), g("inc1")) if g("inc1") else None
    # the memory aim is the pipeline's: the hand-written floors are references, given more memory (harness)
    pipeline = [r for key, r in s.items() if r is not None and not key.endswith("_floor")]
    return {
        "ingest_ratio": s["ingest"].seconds / s["ingest_floor"].seconds if g("ingest_floor") else None,
        "full_ratio": s["full_build"].seconds / s["full_floor"].seconds,
        "inc10": inc10,
        "inc1": inc1,
        "inc_growth": inc10 / inc1 if inc10 and inc1 else None,
        "inc_models_growth": s["inc10"].seconds / s["inc1"].seconds if g("inc1") else None,
        "inc_share": inc10 / s["full_build"].seconds if inc10 else None,
        # dbt's own work, without its start-up: the models' and seeds' execution times (run_results)
        "inc_dbt_share": (
            sum(s["inc10"].models.values()) / sum(s["full_build"].models.values())
            if g("inc10") and s["full_build"].models
            else None
        ),
        # the tests' own run, as in production where they run inside the build's one dbt process
        "inc_tests": g("inc10_tests").dbt_seconds if g("inc10_tests") else None,
        "inc_tests_whole": g("inc10_tests").seconds if g("inc10_tests") else None,
        "gx_ratio": s["validate"].seconds / s["validate_floor"].seconds if g("validate_floor") else None,
        "peak_mb": max(r.peak_rss_mb for r in pipeline),
        "peak_step": max(pipeline, key=lambda r: r.peak_rss_mb).name,
    }


def targets_table(res: Results) -> list[str]:
    n = numbers(res)
    rows = [
        (
            "Full mart build <= 1.25x the hand-written SQL floor",
            f"{n['full_ratio']:.2f}x",
            n["full_ratio"] <= FULL_BUILD_MAX_RATIO,
        ),
        (
            "New month on 10 years <= 1.2x new month on 1 year (ingest + dbt seed+run)",
            f"{n['inc_growth']:.2f}x (dbt alone {n['inc_models_growth']:.2f}x)" if n["inc_growth"] else "—",
            None if n["inc_growth"] is None else n["inc_growth"] <= INCREMENTAL_MAX_GROWTH,
        ),
        (
            "New month's dbt work (model and seed execution, no start-up) < 10% of a full build's",
            f"{100 * n['inc_dbt_share']:.0f}% (whole steps, start-up and ingest included: {100 * n['inc_share']:.0f}%)"
            if n["inc_dbt_share"]
            else "—",
            None if n["inc_dbt_share"] is None else n["inc_dbt_share"] < INCREMENTAL_MAX_SHARE,
        ),
        (
            "`dbt test` for a new month (10 years) <= 5 s (running the tests, no start-up)",
            f"{n['inc_tests']:.1f} s (whole process, start-up and parse included: {n['inc_tests_whole']:.1f} s)"
            if n["inc_tests"]
            else "—",
            None if n["inc_tests"] is None else n["inc_tests"] <= NEW_MONTH_TEST_MAX_SECONDS,
        ),
        (
            "Ingestion <= 2x DuckDB's read_csv",
            f"{n['ingest_ratio']:.1f}x" if n["ingest_ratio"] else "—",
            None if n["ingest_ratio"] is None else n["ingest_ratio"] <= INGEST_MAX_RATIO,
        ),
        (
            "Peak memory < 3 GB at every step of the pipeline",
            f"{n['peak_mb']:,.0f} MB ({n['peak_step']})",
            n["peak_mb"] < PEAK_MEMORY_MAX_MB,
        ),
        (
            "GX validation of a national batch <= 3x the same rules in SQL",
            f"{n['gx_ratio']:.2f}x" if n["gx_ratio"] else "—",
            None if n["gx_ratio"] is None else n["gx_ratio"] <= GX_MAX_RATIO,
        ),
        (
            "Fast path equals the floor (every comparison)",
            ", ".join(f"{k}: {'equal' if c['equal'] else 'DIFFERENT'}" for k, c in res.checks.items()),
            all(c["equal"] for c in res.checks.values()),
        ),
    ]
    out = ["| target | measured | |", "|---|---|---|"]
    out += [f"| {name} | {measured} | {_yes(ok)} |" for name, measured, ok in rows]
    return out


def cli_ingest_row(res: Results) -> str:
    g = res.steps.get
    warm, cold = g("cli_ingest"), g("cli_ingest_first")
    return (
        f"| 0. `pmw ingest` of one small file ({CLI_INGEST_ROWS} rows), the whole command | {_t(warm.seconds)} warm "
        f"| target 5 s | {_ratio(warm.seconds, 5.0)} | {_mb(warm)} | first run in a new home (cold): "
        f"{_t(cold.seconds)}; load average {warm.load_before:.1f} when it started |"
    )


def _stored_floor(res: Results) -> str:
    """read_csv storing its table in a database file, as ingestion stores its rows: context, not the aim."""
    stored = res.steps.get("ingest_floor_stored")
    if stored is None:
        return ""
    return (
        f"; read_csv storing the rows in a database file (committed, closed): {_t(stored.seconds)}, "
        f"so {_ratio(res.steps['ingest'].seconds, stored.seconds)} against it"
    )


def _snapshot_note(res: Results) -> str:
    """The month-end snapshots on both sides: the floor's last section, the pipeline's model."""
    floor_part = res.steps["full_floor"].result.get("snapshot_seconds")
    model = res.steps["full_build"].models.get("fct_scorecard_monthly")
    if floor_part is None:
        return ""
    mine = f", the pipeline's fct_scorecard_monthly model {_t(model)}" if model else ""
    return f"; month-end snapshots (fct_scorecard_monthly): {_t(floor_part)} of the floor{mine}"


def results_table(res: Results) -> list[str]:
    s, g = res.steps, res.steps.get
    ing = s["ingest"]
    rows_in = ing.result.get("rows", 0)
    out = [
        "| step | pipeline | floor | ratio | peak memory (pipeline / floor) | notes |",
        "|---|---|---|---|---|---|",
    ]
    rate = f"{rows_in / ing.seconds:,.0f} rows/s" if ing.seconds else ""
    floor_rate = f"{rows_in / g('ingest_floor').seconds:,.0f} rows/s" if g("ingest_floor") else ""
    out.append(
        f"| 1. ingest one national monthly release ({rows_in:,} rows, long format CSV) | {_t(ing.seconds)} ({rate}) "
        f"| {_t(g('ingest_floor').seconds)} read_csv ({floor_rate}) | {_ratio(ing.seconds, g('ingest_floor').seconds)} "
        f"| {_mb(ing)} / {_mb(g('ingest_floor'))} | inside the step: {ing.result.get('seconds', 0):.1f} s "
        f"(the rest is Python start-up and imports){_stored_floor(res)} |"
    )
    if g("cli_ingest"):
        out.append(cli_ingest_row(res))
    tests = f"dbt test adds {_t(g('full_tests').seconds)}" if g("full_tests") else "tests not run"
    rows_out = s["full_floor"].result.get("rows", 0)
    out.append(
        f"| 2. full build of the gap marts over the history (dbt seed + run, --full-refresh) | "
        f"{_t(s['full_build'].seconds)} | {_t(s['full_floor'].seconds)} floor.sql | "
        f"{_ratio(s['full_build'].seconds, s['full_floor'].seconds)} | {_mb(s['full_build'])} / {_mb(s['full_floor'])} "
        f"| {rows_out:,} fct_target_progress rows; {tests} (peak {_mb(g('full_tests'))}){_snapshot_note(res)} |"
    )
    for key, label, ingest_key, tests_key in (
        ("inc10", "3a. add the new month to 10 years of history", "ingest", "inc10_tests"),
        ("inc1", "3b. add the new month to 1 year of history", "ingest1", "inc1_tests"),
    ):
        if not g(key):
            continue
        total = _sum(g(ingest_key), g(key))
        floor_run = g(f"{key}_floor")
        note = f"ingest {_t(g(ingest_key).seconds)} + dbt seed+run {_t(g(key).seconds)}"
        if g(tests_key):
            tests = g(tests_key)
            running = f", {_t(tests.dbt_seconds)} running the tests" if tests.dbt_seconds is not None else ""
            note += f"; dbt test adds {_t(tests.seconds)}{running} (peak {_mb(tests)})"
        out.append(
            f"| {label} (ingest + dbt seed + run, incremental) | {_t(total)} | "
            f"{_t(floor_run.seconds) if floor_run else '—'} floor.sql (full recompute) | "
            f"{_ratio(total, floor_run.seconds if floor_run else None)} | "
            f"{_mb(g(ingest_key), g(key))} / {_mb(floor_run)} | {note} |"
        )
    if g("validate"):
        v, vf = s["validate"], s["validate_floor"]
        out.append(
            f"| 4. validate one national monthly batch ({v.result.get('rows', 0):,} rows, suite raw_observations, "
            f"{v.result.get('expectations', 0)} expectations) | {_t(v.seconds)} | {_t(vf.seconds)} same rules as SQL | "
            f"{_ratio(v.seconds, vf.seconds)} | {_mb(v)} / {_mb(vf)} | "
            f"inside the step: GX {v.result.get('seconds', 0):.1f} s, "
            f"SQL {vf.result.get('seconds', 0):.1f} s; runner: {v.result.get('runner', '?')}; failed: "
            f"{v.result.get('failed') or 'none'} / {vf.result.get('failed') or 'none'} |"
        )
    return out


def model_table(res: Results, top: int = 12) -> list[str]:
    cols = [
        (k, label)
        for k, label in (("full_build", "full build, 10y"), ("inc10", "new month, 10y"), ("inc1", "new month, 1y"))
        if res.steps.get(k)
    ]
    first = res.steps[cols[0][0]].models
    names = sorted(first, key=lambda m: -first[m])[:top]
    out = [
        "| model (dbt execution time) | " + " | ".join(label for _, label in cols) + " |",
        "|---|" + "---|" * len(cols),
    ]
    for name in names:
        out.append(f"| {name} | " + " | ".join(_t(res.steps[k].models.get(name)) for k, _ in cols) + " |")
    out.append(
        "| *all models and seeds (sum; threads overlap)* | "
        + " | ".join(_t(sum(res.steps[k].models.values())) for k, _ in cols)
        + " |"
    )
    return out


def checks_section(res: Results) -> list[str]:
    out = []
    for name, c in res.checks.items():
        out.append(f"- **{name}**: {c['summary']}.")
        traces = sum(m["trace_differences"] for m in c["marts"].values())
        out.append(
            f"  Statuses: {', '.join(f'{k} {v:,}' for k, v in c['statuses'].items())}; target kinds with rows: "
            f"{', '.join(c['target_kinds'])}; calculation traces differing (4-place rounding): {traces}."
        )
    if res.generator_matches_ingestion is not None:
        ok = "identical to" if res.generator_matches_ingestion else "DIFFERENT from"
        out.append(
            f"- The rows ingestion stored for the new month's file are {ok} the generator's raw rows for that "
            "month (the ten years loaded straight into raw are what ingestion would have made)."
        )
    failed = [f"{r.name}: {f}" for r in res.steps.values() for f in r.failures]
    out.append("- dbt test failures: " + ("; ".join(failed) if failed else "none") + ".")
    return out


def render(
    res: Results,
    *,
    command: str,
    memory_limit: str | None,
    workdir: Path | None,
    analysis: str,
    spark: str = "",
    floor_memory_limit: str | None = None,
) -> str:
    """The whole report; ``workdir`` None = the data and logs were not kept."""
    setup = res.setup
    lines = [
        "# Benchmarks: the warehouse at national scale",
        "",
        f"Generated by `{command}` on {datetime.now().strftime('%Y-%m-%d %H:%M')}. "
        "Re-run with `make bench` (default scale) or `python -m bench --scale 0.1`.",
        "",
        f"- **Scale run**: {res.scale.describe()}; {setup.result.get('history_rows', {}).get('wh10', 0):,} raw rows "
        f"of history (1-year warehouse: {setup.result.get('history_rows', {}).get('wh1', 0):,}); "
        f"{setup.result.get('seeds', {}).get('targets', 0):,} targets. Data generation (not timed against "
        f"anything): {_t(setup.seconds)}.",
        f"- **Machine**: {machine()}.",
        f"- **Settings**: DuckDB `memory_limit` {memory_limit or 'default (80% of RAM)'} in the benchmark's "
        "dbt profile and every DuckDB step of the pipeline (the product's default), "
        f"{floor_memory_limit or memory_limit or 'the default'} for the hand-written floor; dbt threads 2; "
        "as-of date fixed. Each step is its own process: "
        "time is its wall clock, peak memory its `ru_maxrss` (including dbt's). The machine is shared: "
        "the 1-minute load average when each step started is in the step log below.",
        "",
        "## Results",
        "",
        *results_table(res),
        "",
        "## Targets",
        "",
        *targets_table(res),
        "",
        "## The fast path equals the floor",
        "",
        *checks_section(res),
        "",
        "## Where the dbt time goes",
        "",
        *model_table(res),
        "",
        *(["## Spark beside DuckDB", "", spark, ""] if spark else []),
        "## Analysis",
        "",
        START,
        analysis.strip() or "(not written yet)",
        END,
        "",
        "## Step log",
        "",
        "| step | seconds | peak RSS | load avg at start |",
        "|---|---|---|---|",
        *[f"| {r.name} | {r.seconds:.1f} | {r.peak_rss_mb:,.0f} MB | {r.load_before:.1f} |" for r in res.runs],
        "",
        f"Work folder: `{workdir}` (logs of every step under `logs/`)."
        if workdir
        else "The work folder (data, logs of every step) was removed; `--keep` or `--workdir` keeps it.",
        "",
    ]
    return "\n".join(lines)


def kept_analysis(path: Path) -> str:
    if not path.exists():
        return ""
    text = path.read_text(encoding="utf-8")
    if START in text and END in text:
        return text.split(START, 1)[1].split(END, 1)[0]
    return ""
