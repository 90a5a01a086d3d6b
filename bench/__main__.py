"""`python -m bench` (`make bench`): run the national-scale benchmark, write BENCHMARKS.md.

--scale 1.0      fraction of the default 2,800 counties (0.01 = a 1% smoke run)
--out PATH       where to write the report (default: BENCHMARKS.md in the checkout)
--workdir DIR    keep the data there (default: a temp dir under /tmp, removed unless --keep)
--cli-only       only time `pmw ingest` of one small file (also the first step of every run)
--spark          the Spark engine beside DuckDB on a smaller country (--spark-scale, default 0.01) with a
                 local cluster: its own section of BENCHMARKS.md (bench/spark.py); make bench runs both
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

from bench import report
from bench.harness import FLOOR_MEMORY_LIMIT, BenchError, run_benchmark
from bench.scale import Scale
from bench.spark import kept_section, render_section, run_spark_comparison, write_section
from dagster_project.settings import DUCKDB_MEMORY_LIMIT, REPO_ROOT


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--scale", type=float, default=1.0, help="fraction of the default number of counties")
    parser.add_argument("--indicators", type=int, default=200)
    parser.add_argument("--months", type=int, default=120, help="months of history before the new month")
    parser.add_argument("--out", type=Path, default=REPO_ROOT / "BENCHMARKS.md")
    parser.add_argument("--workdir", type=Path, help="work folder (default: a new temp dir under /tmp)")
    parser.add_argument("--keep", action="store_true", help="keep the work folder")
    parser.add_argument(
        "--memory-limit",
        default=DUCKDB_MEMORY_LIMIT,
        help="DuckDB memory_limit for dbt and every DuckDB step of the pipeline ('' for DuckDB's default)",
    )
    parser.add_argument(
        "--floor-memory-limit",
        default=FLOOR_MEMORY_LIMIT,
        help="DuckDB memory_limit for the hand-written SQL floor",
    )
    parser.add_argument("--no-tests", action="store_true", help="skip the dbt test runs")
    parser.add_argument(
        "--cli-only",
        action="store_true",
        help="only time `pmw ingest` of one small file (cold, then warm); print it, leave BENCHMARKS.md alone",
    )
    parser.add_argument("--spark", action="store_true", help="only the Spark engine beside DuckDB (bench/spark.py)")
    parser.add_argument("--spark-scale", type=float, default=0.01, help="fraction of the counties for --spark")
    args = parser.parse_args(argv)
    if args.cli_only:
        return _cli_only(args)
    if args.spark:
        return _spark(args, argv)

    scale = Scale.from_fraction(
        args.scale, indicators=args.indicators, history_months=args.months, new_month=args.months
    )
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="pmw-bench-", dir="/tmp"))
    workdir.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    try:
        res = run_benchmark(
            scale,
            workdir,
            memory_limit=args.memory_limit or None,
            floor_memory_limit=args.floor_memory_limit or None,
            with_tests=not args.no_tests,
        )
    except BenchError as exc:
        print(f"benchmark failed: {exc}", file=sys.stderr)
        print(f"work folder kept: {workdir}", file=sys.stderr)
        return 1
    command = "python -m bench " + " ".join(argv if argv is not None else sys.argv[1:])
    text = report.render(
        res,
        command=command.strip(),
        memory_limit=args.memory_limit or None,
        floor_memory_limit=args.floor_memory_limit or None,
        workdir=workdir if (args.keep or args.workdir) else None,
        analysis=report.kept_analysis(args.out),
        spark=kept_section(args.out),
    )
    args.out.write_text(text, encoding="utf-8")
    print()
    print("\n".join(report.results_table(res)))
    print()
    print("\n".join(report.targets_table(res)))
    print(f"\nreport written to {args.out}; total {(time.perf_counter() - started) / 60:.1f} min")
    if not args.keep and args.workdir is None:
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


def _cli_only(args: argparse.Namespace) -> int:
    from bench.harness import Results, Runner, Workspace, cli_ingest

    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="pmw-bench-cli-", dir="/tmp"))
    workdir.mkdir(parents=True, exist_ok=True)
    runner = Runner(Workspace(workdir, "unused.csv"), args.memory_limit or None)
    res = Results(Scale.from_fraction(args.scale), runs=runner.runs)
    try:
        res.steps["cli_ingest_first"], res.steps["cli_ingest"] = cli_ingest(runner, workdir)
    except BenchError as exc:
        print(f"benchmark failed: {exc}", file=sys.stderr)
        return 1
    print(report.cli_ingest_row(res))
    if not args.keep and args.workdir is None:
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


def _spark(args: argparse.Namespace, argv: list[str] | None) -> int:
    scale = Scale.from_fraction(
        args.spark_scale, indicators=args.indicators, history_months=args.months, new_month=args.months
    )
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="pmw-bench-spark-", dir="/tmp"))
    workdir.mkdir(parents=True, exist_ok=True)
    try:
        res = run_spark_comparison(scale, workdir, memory_limit=args.memory_limit or None)
    except BenchError as exc:
        print(f"Spark benchmark failed: {exc}", file=sys.stderr)
        print(f"work folder kept: {workdir}", file=sys.stderr)
        return 1
    command = "python -m bench " + " ".join(argv if argv is not None else sys.argv[1:])
    section = render_section(res, command.strip())
    write_section(args.out, section)
    print(section)
    if not args.keep and args.workdir is None:
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
