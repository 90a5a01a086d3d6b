"""Run the benchmark: every step in a subprocess (wall time + peak RSS), floors side by side.

Layout of the work folder (a temp dir under /tmp unless --workdir)::

    seeds/            the synthetic country's seeds (dbt's seed-paths is ../seeds)
    dbt10/, dbt1/     copies of the dbt project, one per warehouse (own target/ and partial parse)
    landing/          the new month's national release (long format CSV)
    wh10.duckdb       ten years of raw history, then the dbt models
    wh1.duckdb        one year of raw history, then the dbt models
    floor*.duckdb     the hand-written floor's marts
    logs/             stdout/stderr of every step
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from bench.scale import Scale, month_label
from dagster_project.settings import DUCKDB_MEMORY_LIMIT

# The launcher stays small on purpose: a child's ru_maxrss starts at its parent's RSS at fork, so
# this process imports neither duckdb nor dagster and leaves comparisons to subprocesses too.
REPO_ROOT = Path(__file__).resolve().parents[1]
# The hand-written floor runs out of memory with the pipeline's 2 GB (it keeps whole tables in flight);
# it gets more, which only makes the comparison harder for the pipeline.
FLOOR_MEMORY_LIMIT = "3GB"
AS_OF_DATE = "2026-02-28"  # = synth.AS_OF_DATE (not imported: synth imports duckdb)


def dbt_executable() -> str:
    """The venv's dbt (as dagster_project.resources.dbt_executable, without importing dagster)."""
    candidate = Path(sys.executable).parent / "dbt"
    return str(candidate) if candidate.exists() else "dbt"


# Copied into each project copy; dbt_packages/target/logs are rebuilt.
_DBT_PARTS = ("models", "macros", "tests", "dbt_project.yml")
_DBT_VARS = json.dumps({"as_of_date": AS_OF_DATE})
# dbt build without tests = seeds + models, in one invocation (one dbt start-up, as in production).
_NO_TESTS = ["--exclude-resource-type", "test", "unit_test"]


class BenchError(RuntimeError):
    """A step failed; the message names the step and its log."""


@dataclass
class StepRun:
    name: str
    seconds: float
    peak_rss_mb: float
    result: dict = field(default_factory=dict)
    load_before: float = 0.0  # 1-minute load average when the step started (2 = both cores busy)
    models: dict[str, float] = field(default_factory=dict)  # dbt: node -> seconds
    failures: list[str] = field(default_factory=list)  # dbt: failed tests / errors
    # dbt: its time running the nodes (run_results elapsed_time), without the process's start-up and parse
    dbt_seconds: float | None = None


@dataclass
class Workspace:
    root: Path
    # source_file of the ingested rows is the file name: the generator's name for that month
    release_name: str = "national_2026-01.csv"

    def __post_init__(self) -> None:
        self.seeds = self.root / "seeds"
        self.dbt10 = self.root / "dbt10"
        self.dbt1 = self.root / "dbt1"
        self.landing = self.root / "landing"
        self.release_csv = self.landing / self.release_name
        self.wh10 = self.root / "wh10.duckdb"
        self.wh1 = self.root / "wh1.duckdb"
        self.logs = self.root / "logs"
        self.quarantine = self.root / "quarantine"
        self.validation = self.root / "validation"


def _profile(memory_limit: str | None) -> str:
    settings = f"\n      settings:\n        memory_limit: '{memory_limit}'" if memory_limit else ""
    return (
        "# written by bench: the project's profile plus the benchmark's memory limit\n"
        "zhuzhou_progress:\n  target: dev\n  outputs:\n    dev:\n      type: duckdb\n"
        "      path: \"{{ env_var('PMW_WAREHOUSE_PATH') }}\"\n      threads: 2" + settings + "\n"
    )


def copy_dbt_project(target: Path, memory_limit: str | None) -> None:
    """The repo's dbt project next to the synthetic seeds (seed-paths ../seeds resolves to them)."""
    target.mkdir(parents=True, exist_ok=True)
    for part in _DBT_PARTS:
        src = REPO_ROOT / "dbt" / part
        if src.is_dir():
            shutil.copytree(src, target / part, dirs_exist_ok=True)
        else:
            shutil.copy(src, target / part)
    (target / "profiles.yml").write_text(_profile(memory_limit), encoding="utf-8")


class Runner:
    """Runs and records the steps; ``log`` receives one line per finished step."""

    def __init__(self, ws: Workspace, memory_limit: str | None, log: Callable[[str], None] = print):
        self.ws = ws
        self.memory_limit = memory_limit
        self.log = log
        self.runs: list[StepRun] = []
        ws.logs.mkdir(parents=True, exist_ok=True)

    def _env(self, warehouse: Path | None = None) -> dict[str, str]:
        env = dict(os.environ)
        env.update(
            {
                "PMW_SEEDS_DIR": str(self.ws.seeds),
                "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
                "GX_ANALYTICS_ENABLED": "false",
                "PYTHONUNBUFFERED": "1",
            }
        )
        if warehouse is not None:
            env["PMW_WAREHOUSE_PATH"] = str(warehouse)
        return env

    def _spawn(self, name: str, argv: list[str], env: dict[str, str], cwd: Path | None = None) -> StepRun:
        log_path = self.ws.logs / f"{len(self.runs):02d}_{name}.log"
        load = os.getloadavg()[0]
        started = time.perf_counter()
        with open(log_path, "w", encoding="utf-8") as log:
            proc = subprocess.Popen(argv, env=env, cwd=cwd, stdout=log, stderr=subprocess.STDOUT)
            # wait4, not wait: its rusage is this child's (and its own children's, e.g. dbt's) peak RSS
            _, status, usage = os.wait4(proc.pid, 0)
            proc.returncode = os.waitstatus_to_exitcode(status)
        seconds = time.perf_counter() - started
        run = StepRun(name, seconds, usage.ru_maxrss / 1024, load_before=load)
        text = log_path.read_text(encoding="utf-8", errors="replace")
        for line in text.splitlines():
            if line.startswith("BENCH_RESULT "):
                run.result = json.loads(line.removeprefix("BENCH_RESULT "))
        if proc.returncode != 0 and not argv[0].endswith("dbt"):
            raise BenchError(f"step {name} failed (exit {proc.returncode}); see {log_path}\n{text[-3000:]}")
        run.result.setdefault("exit_code", proc.returncode)
        self.runs.append(run)
        self.log(f"  {name:<28} {seconds:9.1f} s   peak {run.peak_rss_mb:7.0f} MB   load {load:.1f}")
        return run

    def python_step(
        self, name: str, step: str, args: dict, warehouse: Path | None = None, memory_limit: str | None = None
    ) -> StepRun:
        args = {**args, "memory_limit": memory_limit or self.memory_limit}
        argv = [sys.executable, "-m", "bench.steps", step, json.dumps(args)]
        return self._spawn(name, argv, self._env(warehouse), cwd=REPO_ROOT)

    def dbt(
        self, name: str, project: Path, warehouse: Path, command: list[str], *, allow_test_failures=True
    ) -> StepRun:
        argv = [
            dbt_executable(),
            *command,
            "--project-dir",
            str(project),
            "--profiles-dir",
            str(project),
            "--vars",
            _DBT_VARS,
        ]
        results = project / "target" / "run_results.json"
        results.unlink(missing_ok=True)  # a crash before dbt writes it must not read the last step's
        run = self._spawn(name, argv, self._env(warehouse), cwd=project)
        if results.exists():
            data = json.loads(results.read_text(encoding="utf-8"))
            run.dbt_seconds = data.get("elapsed_time")
            for node in data.get("results", []):
                uid = node["unique_id"]
                if uid.startswith(("model.", "seed.")):
                    run.models[uid.split(".", 2)[-1]] = node.get("execution_time", 0.0)
                if node.get("status") in ("error", "fail"):
                    run.failures.append(
                        f"{uid.split('.', 2)[-1]}: {node.get('status')} {node.get('failures') or ''}".strip()
                    )
        errors = [f for f in run.failures if ": error" in f or (not allow_test_failures and ": fail" in f)]
        # a failing data test is reported, not fatal; a model error or a dbt crash is
        if run.result.get("exit_code") and (errors or not run.failures):
            raise BenchError(f"dbt step {name} failed: {errors[:10]}; see {self.ws.logs}")
        return run


def prepare(runner: Runner, scale: Scale, *, short_history: bool, parse: bool) -> StepRun:
    """Generate the data; ``parse`` warms dbt's partial parsing so timed runs do not parse from scratch."""
    ws = runner.ws
    projects = [(ws.dbt10, ws.wh10)] + ([(ws.dbt1, ws.wh1)] if short_history else [])
    for project, _ in projects:
        copy_dbt_project(project, runner.memory_limit)
    args = {
        "scale": asdict(scale),
        "seeds_dir": str(ws.seeds),
        "release_csv": str(ws.release_csv),
        "wh10": str(ws.wh10),
    }
    if short_history:
        args["wh1"] = str(ws.wh1)
    run = runner.python_step("setup (generate data)", "setup", args)
    if parse:
        for project, wh in projects:
            runner.dbt(f"dbt parse ({project.name})", project, wh, ["parse"])
    return run


CLI_INGEST_ROWS = 20


def _small_release(path: Path, year: int) -> Path:
    """A 20-row long-format release (PM2.5 by month for two places), illustrative: what an office
    keys in by hand and loads with `pmw ingest`."""
    head = "indicator,region,subject,period,measure,value,unit,release_date,provenance,source_ref,note"
    rows = [
        f"pm25,{region},,{year}-{month:02d},value,{30 + month + i},微克/立方米,{year + 1}-01-20,illustrative,,bench"
        for i, region in enumerate(("430200", "430281"))
        for month in range(1, CLI_INGEST_ROWS // 2 + 1)
    ]
    path.write_text("\n".join([head, *rows]) + "\n", encoding="utf-8")
    return path


def cli_ingest(runner: Runner, root: Path) -> tuple[StepRun, StepRun]:
    """`pmw ingest` of one small file, as a user runs it (a new process: imports, Dagster run, the
    raw expectation suite): once cold (a new home, first run of the code) and once warm (a second
    file into the same home). The warm one is the figure the CLI is held to (5 s)."""
    home = root / "cli_home"
    home.mkdir(parents=True, exist_ok=True)
    env = runner._env()
    env.pop("PMW_SEEDS_DIR", None)  # the repo's catalogue: the small file uses real indicator codes
    env.update(
        PMW_HOME=str(home), DAGSTER_HOME=str(home / "dagster_home"), PMW_WAREHOUSE_PATH=str(home / "warehouse.duckdb")
    )
    pmw = str(Path(sys.executable).parent / "pmw")
    first = runner._spawn(
        "pmw ingest: first (cold)", [pmw, "ingest", str(_small_release(root / "small_a.csv", 2020))], env
    )
    warm = runner._spawn(
        "pmw ingest: small file (warm)", [pmw, "ingest", str(_small_release(root / "small_b.csv", 2021))], env
    )
    return first, warm


@dataclass
class Results:
    scale: Scale
    setup: StepRun | None = None
    steps: dict[str, StepRun] = field(default_factory=dict)
    checks: dict[str, dict] = field(default_factory=dict)  # label -> compare.Comparison as a dict
    generator_matches_ingestion: bool | None = None
    runs: list[StepRun] = field(default_factory=list)  # every process, in order (incl. dbt parse)


def run_benchmark(
    scale: Scale,
    root: Path,
    *,
    memory_limit: str | None = DUCKDB_MEMORY_LIMIT,
    floor_memory_limit: str | None = FLOOR_MEMORY_LIMIT,
    with_tests: bool = True,
    with_short_history: bool = True,
    with_validation: bool = True,
    with_parse: bool = True,
    log: Callable[[str], None] = print,
) -> Results:
    """All steps of the benchmark at ``scale`` in ``root``; raises BenchError when a step fails."""
    ws = Workspace(root, f"national_{month_label(scale.new_month)}.csv")
    runner = Runner(ws, memory_limit, log)
    res = Results(scale, runs=runner.runs)
    s = res.steps
    log(f"work folder {root}\nscale: {scale.describe()}")
    s["cli_ingest_first"], s["cli_ingest"] = cli_ingest(runner, root)
    res.setup = prepare(runner, scale, short_history=with_short_history, parse=with_parse)

    def floor(name: str, wh: Path, out: str) -> StepRun:
        args = {"warehouse": str(wh), "seeds_dir": str(ws.seeds), "as_of": AS_OF_DATE, "out": str(root / out)}
        return runner.python_step(name, "floor", args, memory_limit=floor_memory_limit)

    def compare_step(name: str, wh: Path, floor_db: str) -> dict:
        args = {"warehouse": str(wh), "floor": str(root / floor_db)}
        return runner.python_step(name, "compare", args).result["comparison"]

    def ingest(name: str, wh: Path) -> StepRun:
        args = {
            "warehouse": str(wh),
            "path": str(ws.release_csv),
            "seeds_dir": str(ws.seeds),
            "quarantine_dir": str(ws.quarantine),
            "today": AS_OF_DATE,
        }
        return runner.python_step(name, "ingest", args, warehouse=wh)

    def orchestrated_build(
        name: str, project: Path, wh: Path, *, full_refresh: bool, tests: str | None = None
    ) -> StepRun:
        """dbt build as Dagster runs it (dagster_project/dbt_build.py): the full refresh is decided from the
        project's fingerprint, the models run (timed alone), then the tests (``tests``: their step's key,
        timed apart), and the build is recorded after both, as Dagster records a `dbt build` that passed
        (the record is what the next build's tests follow); ``full_refresh`` is what this step must be,
        or the benchmark would measure something else."""
        args = {"warehouse": str(wh), "project": str(project), "vars": _DBT_VARS}
        decided = runner.python_step(f"{name} (fingerprint)", "dbt_build_args", args).result
        if ("--full-refresh" in decided["args"]) != full_refresh:
            raise BenchError(f"{name}: the orchestrator would run {decided['args']}")
        run = runner.dbt(name, project, wh, [*decided["args"], *_NO_TESTS])  # dbt adds up repeated exclusions
        if tests is not None and with_tests:
            # the tests the orchestrator's build runs (its unit tests only with a full refresh); `dbt test` has
            # no --full-refresh: after the first build nothing is recorded, so it tests everything
            test_args = ["test", *(a for a in decided["args"][1:] if a != "--full-refresh")]
            s[tests] = runner.dbt(f"{name.split(':')[0]}: dbt test", project, wh, test_args)
        record = {"warehouse": str(wh), "fingerprint": decided["fingerprint"], "full_refresh": full_refresh}
        runner.python_step(f"{name} (record)", "record_dbt_build", record)
        return run

    # 2. full build over ten years: dbt (seeds + models; tests apart) vs the hand-written floor
    s["full_build"] = orchestrated_build(
        "full build: dbt seed+run", ws.dbt10, ws.wh10, full_refresh=True, tests="full_tests"
    )
    s["full_floor"] = floor("full build: floor.sql", ws.wh10, "floor10.duckdb")
    res.checks["full build (10 years)"] = compare_step("full build: compare", ws.wh10, "floor10.duckdb")

    # 1. ingestion of the national monthly release (into the 10-year warehouse) vs read_csv
    s["ingest"] = ingest("ingest: pipeline", ws.wh10)
    s["ingest_floor"] = runner.python_step("ingest: duckdb read_csv", "read_csv", {"path": str(ws.release_csv)})
    s["ingest_floor_stored"] = runner.python_step(
        "ingest: duckdb read_csv into a database file",
        "read_csv",
        {"path": str(ws.release_csv), "out": str(root / "read_csv.duckdb")},
    )
    res.generator_matches_ingestion = runner.python_step(
        "ingest: compare with generator",
        "generator_check",
        {
            "warehouse": str(ws.wh10),
            "release_id": s["ingest"].result["release_id"],
            "seeds_dir": str(ws.seeds),
            "scale": asdict(scale),
        },
    ).result["equal"]

    def new_month(step: str, label: str, check: str, project: Path, wh: Path) -> None:
        """The month already ingested into ``wh``, built incrementally, tested, and compared with the floor."""
        s[f"inc{step}"] = orchestrated_build(
            f"new month, {label}: dbt seed+run", project, wh, full_refresh=False, tests=f"inc{step}_tests"
        )
        floor_db = f"floor{step}b.duckdb"
        s[f"inc{step}_floor"] = floor(f"new month, {label}: floor.sql", wh, floor_db)
        res.checks[check] = compare_step(f"new month, {label}: compare", wh, floor_db)

    # 3. the new month, incrementally, on ten years of history ...
    new_month("10", "10y", "new month on 10 years (incremental)", ws.dbt10, ws.wh10)

    # ... and on one year of history
    if with_short_history:
        s["full1"] = orchestrated_build("1y history: dbt seed+run", ws.dbt1, ws.wh1, full_refresh=True)
        s["ingest1"] = ingest("new month, 1y: ingest", ws.wh1)
        new_month("1", "1y", "new month on 1 year (incremental)", ws.dbt1, ws.wh1)

    # 4. the expectation suite on the national monthly batch
    if with_validation:
        args = {
            "warehouse": str(ws.wh10),
            "release_id": s["ingest"].result["release_id"],
            "seeds_dir": str(ws.seeds),
            "validation_dir": str(ws.validation),
        }
        s["validate"] = runner.python_step("validate: GX suite", "validate", args)
        s["validate_floor"] = runner.python_step("validate: same rules in SQL", "validate_floor", args)
    return res
