"""`pmw` — the command line of the progress-monitoring warehouse.

Commands: run (the whole pipeline), ingest FILE (one release through the real ingestion path),
status / explain / sql / report (read the published copy, read-only), alerts (the alert outbox), ui,
dbt-docs.

Exit codes: 0 success; 1 failure or no data (a blocking check failed, nothing is published, a file
was quarantined, a query failed, no target matched the filters); 2 bad usage or bad input (click's
convention: an unknown option, target, region or period).
"""

from __future__ import annotations

import atexit
import contextlib
import gc
import os
import shutil
import subprocess
import sys
import time
import warnings
from collections.abc import Iterable, Iterator
from datetime import datetime
from difflib import get_close_matches
from pathlib import Path

import click

from dagster_project.settings import load_settings


class StatusParam(click.ParamType):
    """A status by its code (off_track), Chinese name (进度滞后) or English name (off track), as
    seeds/statuses.csv lists them; converted to the code."""

    name = "status"

    def get_metavar(self, param, ctx=None) -> str:
        return "STATUS"

    def convert(self, value, param, ctx):
        from dagster_project.report.labels import read_statuses, status_code_for

        vocabulary = read_statuses(_settings().seeds_dir)
        code = status_code_for(str(value), vocabulary)
        if code is None:
            choices = ", ".join(f"{c} ({zh})" for c, (zh, _) in vocabulary.items())
            self.fail(f"{value!r} is not a status; choose one of: {choices}", param, ctx)
        return code


def fail(message: str, code: int = 1) -> None:
    click.echo(f"error: {message}", err=True)
    sys.exit(code)


def _load_published():
    """The published copy's report data, or exit 1 when nothing has been published yet."""
    from dagster_project.report.data import load_report_data
    from dagster_project.report.published import NoPublishedCopy

    try:
        return load_report_data(_settings().published_db_path)
    except NoPublishedCopy as exc:
        fail(str(exc))


def _collect_then_exit_without_traversing_the_heap() -> None:
    """At exit, Python's last garbage collections walk every object of the modules a command imported
    (Great Expectations, Dagster, pandas): 0.7-1.2 s of a 5-6 s `pmw ingest`, measured. Collected here
    first, so the finalizers of what is garbage run while every module is still there, then frozen: the
    objects still alive are freed as the modules are torn down, and the collections skip them."""
    gc.collect()
    gc.freeze()


@click.group(help="政府工作报告目标进度监测数据仓库 / Progress-monitoring warehouse for government targets.")
@click.pass_context
def main(ctx: click.Context) -> None:
    # the one place the command reads its settings from the environment; every command uses these
    ctx.obj = load_settings()
    # registered before the command imports anything that registers its own: atexit runs the last
    # registered first, so this runs after theirs. Once per process, however often pmw runs in it (tests).
    atexit.unregister(_collect_then_exit_without_traversing_the_heap)
    atexit.register(_collect_then_exit_without_traversing_the_heap)


def _settings():
    """The settings the command group built (:func:`main`)."""
    return click.get_current_context().find_root().obj


@main.command(
    help="运行全流程 / Ingest the landing folder (and the bundled sample with --sample), build, check and publish."
)
@click.option(
    "--sample/--no-sample",
    default=False,
    help="Stage the bundled sample releases and serve the sample API on 127.0.0.1.",
)
def run(sample: bool) -> None:
    from dagster_project.console import run_with_console

    summary = run_with_console(sample=sample, settings=_settings())
    if not summary.ok:
        sys.exit(1)


@main.command(help="打开 Dagster 界面 / Start the Dagster UI on 127.0.0.1.")
@click.option("--port", default=3000, show_default=True)
def ui(port: int) -> None:
    from dagster_project.processes import run_until_signal
    from dagster_project.runner import prepare_environment

    prepare_environment(_settings())
    dagster = os.path.join(os.path.dirname(sys.executable), "dagster")
    # not exec'd: `dagster dev` alone takes over a minute to stop on SIGTERM/SIGINT; this process stops
    # it and everything it started within seconds (SIGINT, then SIGTERM, then SIGKILL)
    code = run_until_signal([dagster, "dev", "-m", "dagster_project.definitions", "-h", "127.0.0.1", "-p", str(port)])
    sys.exit(code)


@main.command(
    "dbt-docs",
    help="生成 dbt 文档 / Generate the dbt docs site (index.html, and static_index.html that "
    "opens from disk without a server).",
)
@click.option(
    "--target-path",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Write the docs here instead of dbt/target.",
)
def dbt_docs(target_path: Path | None) -> None:
    from dagster_project.resources import dbt_env, dbt_executable
    from dagster_project.runner import prepare_environment

    settings = prepare_environment(_settings())
    out = (target_path or settings.dbt_project_dir / "target").resolve()
    command = [dbt_executable(), "docs", "generate", "--static", "--profiles-dir", str(settings.dbt_project_dir)]
    if target_path is not None:
        command += ["--target-path", str(out)]
    completed = subprocess.run(command, cwd=settings.dbt_project_dir, env=dbt_env(settings), check=False)
    if completed.returncode != 0:
        fail(f"dbt docs generate failed (exit {completed.returncode})")
    click.echo(f"dbt docs written to {out / 'index.html'}")
    click.echo(f"offline copy (open from disk): {out / 'static_index.html'}")


# ------------------------------------------------------------------------------------------- status
@main.command(
    help="计分卡 / The scorecard in the terminal, from the published copy. Filter by section, status or "
    "region; quantified targets only unless --all or --status not_assessable."
)
@click.option("--section", help="Section name, Chinese or English; a part is enough (e.g. 六倍增, doublings).")
@click.option(
    "--status",
    "statuses",
    multiple=True,
    type=StatusParam(),
    help="Only targets with this status: its code, Chinese or English name (off_track, 进度滞后, "
    "'off track'); repeat for several.",
)
@click.option(
    "--region",
    help="Region code or name (e.g. 430281, 醴陵, Liling): targets scoped to it, and "
    "regional targets with the region's own value.",
)
@click.option(
    "--all", "show_all", is_flag=True, help="Include the qualitative targets (status rolled up from their tasks)."
)
@click.option(
    "--unit",
    help="Unit code or name (e.g. 发改委, FGW), or city_code:unit_code (430300:KJJ, as the alert channels write "
    "it) for a code or name several cities' units share: the targets and tasks it leads, their status and its returns.",
)
@click.option(
    "--as-of",
    "as_of",
    help="The scorecard as it stood at the end of this month (YYYY-MM, e.g. 2026-06), from the figures "
    "released by then (fct_scorecard_monthly).",
)
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table", show_default=True)
def status(
    section: str | None,
    statuses: tuple[str, ...],
    region: str | None,
    show_all: bool,
    unit: str | None,
    as_of: str | None,
    fmt: str,
) -> None:
    from dagster_project.report.data import city_headlines
    from dagster_project.report.labels import ATTENTION, STATUSES, num, quality_label
    from dagster_project.report.terminal import ARRIVAL_NOTE, any_arrival_marked, plan_groups, scorecard_rows, table

    if unit:
        _unit_status(unit, fmt)
        return
    data = _load_published()
    if as_of:
        as_of = _as_of_scorecard(data, as_of)
    sc = data.scorecard
    if not show_all and "not_assessable" not in statuses:
        sc = sc[sc["has_series"].astype(bool)]  # a qualitative target has no figure series (target_kinds.csv)
    if section:
        needle = section.lower()
        sc = sc[
            sc["section_zh"].str.lower().str.contains(needle, regex=False)
            | sc["section_en"].str.lower().str.contains(needle, regex=False)
        ]
    if statuses:
        sc = sc[sc["status_code"].isin(statuses)]
    region_values = None
    if region:
        code, name = _find_region(data.regions, region)
        latest = (
            data.by_region[data.by_region["region_code"] == code].sort_values("period_end").groupby("target_id").tail(1)
        )
        sc = sc[(sc["scope_code"] == code) | sc["target_id"].isin(latest["target_id"])]
        region_values = latest.set_index("target_id")
        click.echo(f"地区 region: {name} ({code})", err=True)
    if sc.empty:
        fail("no target matches these filters")
    # what needs attention first, as in the HTML report
    rank = {code: i for i, code in enumerate(ATTENTION)}
    sc = sc.assign(_rank=sc["status_code"].map(rank)).sort_values(["_rank", "section_zh", "target_id"])
    if fmt != "table":
        _emit_records(sc, region_values, fmt)
        _print_quarantined(err=True)  # machine-readable output stays clean
        return
    # grouped by plan: the running plan(s) first, closed plans (final outcomes) apart
    groups = plan_groups(sc)
    for (plan_name, closed), part in groups:
        headers, rows = scorecard_rows(part)
        if region_values is not None:
            headers.append("本地区 this region")
            for row, target_id in zip(rows, part["target_id"], strict=True):
                r = region_values.loc[target_id] if target_id in region_values.index else None
                # the region's own value says what it is (示意 / 推算 / 公开), first: the cell is cut at its width
                if r is None:
                    row.append("")
                else:
                    quality = quality_label(r["value_quality"]).split()[0]
                    row.append(f"[{quality}] {num(r['value'])} {r['unit_status']} ({r['period_code']})")
        if len(groups) > 1 or closed:
            state = "已结束 closed — final outcomes 最终结果" if closed else "进行中 running"
            click.echo(f"\n== {plan_name} ({state}) ==")
        click.echo(table(headers, rows, max_width=28))
        if any_arrival_marked(rows, headers.index("发布 released")):
            click.echo(ARRIVAL_NOTE)

    def counted(frame) -> str:
        counts = frame["status_code"].value_counts()
        return " · ".join(f"{zh} {en} {int(counts[c])}" for c, (zh, en, _) in STATUSES.items() if c in counts)

    click.echo("")
    heads = city_headlines(data, sc)
    running = sc[~sc["plan_is_closed"].fillna(False).astype(bool)] if "plan_is_closed" in sc else sc
    if len(heads) > 1:
        # two cities' plans: each city's headline apart (its running plans, or its latest if all are closed)
        for head in heads:
            closed_note = f"; 已结束规划 closed plans: {head['closed']} targets apart" if head["closed"] else ""
            click.echo(
                f"headline {head['name_zh']} {head['name_en']} 进行中规划 running plan: "
                f"{head['running']} targets: {counted(head['targets'])}{closed_note}"
            )
    elif len(running) and len(running) < len(sc):
        click.echo(f"headline 进行中规划 running plan: {len(running)} targets: {counted(running)}")
        closed = sc.drop(running.index)
        click.echo(f"已结束规划 closed plans: {len(closed)} targets: {counted(closed)}")
    click.echo(f"{len(sc)} targets: {counted(sc)}")
    quality = sc["actual_quality"].value_counts()
    when = f"at the end of {as_of} (month-end snapshot)" if as_of else f"as of {data.assessed_as_of}"
    click.echo(
        f"{when} · published version {data.version} · latest figures: "
        f"{int(quality.get('published', 0))} published, {int(quality.get('derived', 0))} derived, "
        f"{int(quality.get('illustrative', 0))} illustrative (示意: sample data, not real figures)"
    )
    _print_quarantined(err=False)


def _print_quarantined(err: bool) -> None:
    """Files quarantined since the last clean ingestion: their figures are missing from the scorecard."""
    from dagster_project.ingest.quarantine import quarantined_since_clean

    settings = _settings()
    files = quarantined_since_clean(settings.quarantine_dir)
    if not files:
        return
    click.echo(f"\n{len(files)} file(s) quarantined since the last clean ingestion (not loaded):", err=err)
    for f in files:
        click.echo(f"    {f.name}: {f.reason}", err=err)
    click.echo(f"    reports: {settings.quarantine_dir}", err=err)


def _unit_status(text: str, fmt: str) -> None:
    """`pmw status --unit`: one unit's targets, tasks and returns (dagster_project/report/units.py)."""
    from dagster_project.report.published import NoPublishedCopy
    from dagster_project.report.units import find_unit, load_unit_data, unit_text

    try:
        data = load_unit_data(_settings().published_db_path)
    except NoPublishedCopy as exc:
        fail(str(exc))
    if data is None:
        fail("the published copy has no unit marts yet: run `pmw run` to rebuild and publish")
    try:
        unit = find_unit(data.units, text)
    except ValueError as exc:
        fail(str(exc), code=2)
    if fmt == "table":
        click.echo(unit_text(data, unit))
        return
    tasks = data.tasks[
        (data.tasks["lead_unit_code"] == unit["unit_code"]) & (data.tasks["city_code"] == unit["city_code"])
    ]
    if fmt == "csv":
        click.echo(tasks.to_csv(index=False, date_format="%Y-%m-%d"), nl=False)
    else:
        click.echo(tasks.to_json(orient="records", force_ascii=False, date_format="iso", indent=1))


@main.command(
    help="提醒 / Queue the new alert events of the published marts in the outbox and deliver them "
    "(what the alert sensor does every few minutes; docs/task_ledger.md). A channel's `units` name a unit "
    "by code (FGW) when one city has it, or as city_code:unit_code (430300:KJJ, 湘潭市科技局) when several "
    "cities' units share the code: a bare shared code, or one naming no unit, is refused (exit 2)."
)
def alerts() -> None:
    from dagster_project.alerts.config import ConfigError, load_config
    from dagster_project.alerts.sensor import run_alerts

    try:
        config = load_config(_settings().alert_config_path)
        # a channel's unit no city has, or a bare code two cities' units share, is refused before anything
        # is queued or sent (AlertConfig.check_units)
        result = run_alerts(_settings(), config=config, log=lambda m: click.echo(m, err=True))
    except ConfigError as exc:
        fail(str(exc), code=2)
    click.echo(f"{result.summary()} (channels from {config.source})")
    if result.failed:
        sys.exit(1)


def _as_of_scorecard(data, month: str) -> str:
    """Replace the data's scorecard with the month-end snapshot (the columns the table and csv/json use);
    returns the month as YYYY-MM."""
    from dagster_project.report.changes import UnknownMonth, normalise_month, scorecard_at

    try:
        month = normalise_month(month)
        snapshot = scorecard_at(data.db_path, month)
    except UnknownMonth as exc:
        raise click.BadParameter(str(exc), param_hint="--as-of") from exc
    current = data.scorecard.set_index("target_id")
    # what a month does not change: the catalogue's wording and the target's definition
    fixed = [c for c in current.columns if c not in snapshot.columns]
    merged = snapshot.join(current[fixed], on="target_id")
    for column in ("is_next_release_overdue", "next_release_due", "release_id"):
        if column in merged:
            merged[column] = None
    data.scorecard = merged
    return month


RECORD_COLUMNS = [
    "target_id",
    "status_code",
    "status_zh",
    "section_zh",
    "title_zh",
    "title_en",
    "latest_period_code",
    # a newer period that cannot be assessed, named beside the one the status is read off (methodology §4)
    "unassessed_period_code",
    "actual_value",
    "actual_bound",
    "actual_quality",
    "comparator_applied",
    "target_level",
    "target_unit",
    "gap",
    "share_achieved",
    "expected_share",
    "progress_ratio",
    "projected_value",
    "latest_release_date",
    "next_release_due",
    "is_next_release_overdue",
    "source_file",
    "source_row",
    # last: latest_release_date is the day the figure's file arrived, not a date the file states
    "latest_release_date_imputed",
]


def _emit_records(sc, region_values, fmt: str) -> None:
    """csv / json: the scorecard's own typed columns (not the formatted terminal text)."""
    # a copy published before latest_release_date_imputed has none: empty there, not an error
    frame = sc.reindex(columns=RECORD_COLUMNS).copy()
    if region_values is not None:
        regional = region_values.reindex(frame["target_id"])
        frame["region_value"] = regional["value"].to_numpy()
        frame["region_unit_status"] = regional["unit_status"].to_numpy()
        frame["region_period_code"] = regional["period_code"].to_numpy()
        frame["region_value_quality"] = regional["value_quality"].to_numpy()
    if fmt == "csv":
        from dagster_project.ingest.text import spreadsheet_safe_frame

        click.echo(spreadsheet_safe_frame(frame).to_csv(index=False, date_format="%Y-%m-%d"), nl=False)
    else:
        click.echo(frame.to_json(orient="records", force_ascii=False, date_format="iso", indent=1))


def _find_region(regions, text: str) -> tuple[str, str]:
    exact = regions[
        (regions["region_code"] == text)
        | (regions["region_name_zh"] == text)
        | (regions["region_name_en"].str.lower() == text.lower())
    ]
    found = (
        exact
        if len(exact)
        else regions[
            regions["region_name_zh"].str.contains(text, regex=False)
            | regions["region_name_en"].str.lower().str.contains(text.lower(), regex=False)
        ]
    )
    if len(found) != 1:
        choices = ", ".join(
            f"{r.region_code} {r.region_name_zh}" for r in (found if len(found) else regions).itertuples()
        )
        raise click.BadParameter(
            f"{text!r} matches {len(found)} regions; choose one of: {choices}", param_hint="--region"
        )
    row = found.iloc[0]
    return str(row["region_code"]), str(row["region_name_zh"])


# ------------------------------------------------------------------------------------------ explain
@main.command(
    help="解释计算 / How a target's status was computed: the inputs, the formulas and the thresholds, "
    "in words and numbers, with the source of every figure."
)
@click.argument("target")
@click.option("--period", help="Explain this period (e.g. 2022-01~06) instead of the latest one.")
@click.option("--history", default=6, show_default=True, help="How many recent periods to list (0: none).")
def explain(target: str, period: str | None, history: int) -> None:
    from dagster_project.report.data import figure_vintages
    from dagster_project.report.terminal import UnknownPeriod, explain_text

    data = _load_published()
    ids = data.scorecard["target_id"].tolist()
    by_upper = {t.upper(): t for t in ids}
    target_id = by_upper.get(target.upper())
    if target_id is None:
        close = get_close_matches(target.upper(), list(by_upper), n=5, cutoff=0.5)
        hint = (
            f"; did you mean {', '.join(by_upper[c] for c in close)}?" if close else "; `pmw status --all` lists them"
        )
        raise click.BadParameter(f"no target {target!r}{hint}", param_hint="TARGET")
    row = data.scorecard[data.scorecard["target_id"] == target_id].iloc[0]
    rows = data.progress[data.progress["target_id"] == target_id]
    try:
        text = explain_text(
            row,
            rows,
            period=period,
            history=history,
            seeds_dir=_settings().seeds_dir,
            vintages_of=lambda p: figure_vintages(data.db_path, p),  # what a revision changed, or a restatement
        )
        click.echo(text)
    except UnknownPeriod as exc:
        raise click.BadParameter(str(exc), param_hint="--period") from exc


# ------------------------------------------------------------------------------------------- ingest
@main.command(
    help="载入一个发布文件 / Validate and load one release file through the real ingestion path: it is "
    "placed in the landing folder and loaded by the Dagster job ingest_release_files (recorded in the "
    "Dagster instance). A file that fails the contract is quarantined whole and its errors are "
    "printed (file, row, column, reason); the exit code is then 1."
)
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--as",
    "key",
    help="The release's path in the landing folder (its partition key); default: the "
    "file name, or its path if the file is already in the landing folder.",
)
@click.option(
    "--source",
    help="The source (出处) of the file's published figures when the file names none in its header or "
    "footer (发布单位/数据来源/来源), e.g. '株洲市统计局《统计月报》2022年5月'. Without it and without a "
    "folder default (PMW_SOURCE_DEFAULTS) such a file is refused.",
)
@click.option(
    "--confirm-outlier",
    "confirm",
    metavar="REASON",
    help="Load values refused as implausible (outside the indicator's plausible range or far from its "
    "history) because they are real: say why (e.g. '一次性土地出让收入，财政局已核实'). The reason is kept "
    "with the release; hard rules (rates above 100%, impossible days, class Ⅵ) still apply.",
)
@click.option(
    "--release-date",
    "released",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="The release date (发布日期, YYYY-MM-DD) of a file that states none, as its sender knows it: its undated "
    "rows are dated by it, stated, instead of by the day the file landed (an arrival day ranks below every "
    "stated date of the same figure). A date the file states still wins; a date after today refuses the file.",
)
@click.option("--publish", is_flag=True, help="Afterwards rebuild the models, run the checks and publish the marts.")
@click.option("-v", "--verbose", is_flag=True, help="Show Dagster's own log.")
def ingest(
    file: Path,
    key: str | None,
    source: str | None,
    confirm: str | None,
    released: datetime | None,
    publish: bool,
    verbose: bool,
) -> None:
    from dagster_project.processes import collections_paused

    with collections_paused():  # Dagster: see collections_paused
        from dagster_project.runner import WarehouseBusy, prepare_environment, warehouse_lock

    if released is not None and released.date() > datetime.now().date():  # a typo of the year, as in a file
        raise click.BadParameter(
            f"{released.date()} is after today: a release date cannot be", param_hint="--release-date"
        )
    settings = prepare_environment(_settings())
    try:
        with warehouse_lock(settings, lambda m: click.echo(m, err=True), what=f"pmw ingest {file.name}"):
            day = None if released is None else released.date().isoformat()
            _ingest(settings, file, key, source, confirm, publish, verbose, day)
    except WarehouseBusy as exc:
        fail(str(exc))


def _ingest(
    settings,
    file: Path,
    key: str | None,
    source_text: str | None,
    confirm: str | None,
    publish: bool,
    verbose: bool,
    released: str | None = None,
) -> None:
    from dagster_project import landing
    from dagster_project.ingest import store
    from dagster_project.runner import broken_catalogue

    # the file is read against the catalogue: a broken seed is named (file, row, column), nothing is staged
    broken = broken_catalogue(settings, lambda m: click.echo(m, err=True), "nothing was ingested")
    if broken:
        fail(broken[0])
    source = file.resolve()
    landing_dir = settings.landing_dir.resolve()
    in_landing = source.is_relative_to(landing_dir) and key is None
    staged = source if in_landing else landing_dir / (key or source.name)
    try:
        # checked before anything is written: '--as ../x' must not escape the landing folder
        key = landing.partition_key_for(staged, landing_dir)
    except landing.UnsafeReleaseName as exc:
        raise click.BadParameter(str(exc), param_hint="--as") from exc
    except ValueError as exc:
        message = f"{key!r} would be outside the landing folder {landing_dir}"
        raise click.BadParameter(message, param_hint="--as") from exc
    if staged != source:
        staged.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, staged)  # the office's copy stays where it was
    for kind, text in (("source", source_text), ("confirm", confirm), ("released", released)):
        if text is not None:
            landing.write_note(staged, kind, text)
    release_id = store.make_release_id(key, landing.file_sha256(staged))
    click.echo(f"[1/3] staged {file} as release {key!r} in {settings.landing_dir}", err=True)

    already = _already_loaded(settings.warehouse_path, release_id)  # the same name and bytes, loaded before
    started = time.monotonic()
    click.echo("[2/3] validating and loading through the Dagster job ingest_release_files …", err=True)
    with warnings.catch_warnings():
        if not verbose:
            warnings.simplefilter("ignore")  # Dagster's beta/deprecation notices are not the user's business
        run_id, run_ok, notes = _run_ingest_job(key, verbose)
    click.echo(f"      run {run_id} finished in {time.monotonic() - started:.1f} s", err=True)
    for note in notes:  # sheets read and skipped, a re-sent file
        click.echo(f"      {note}")

    outcome = _release_outcome(settings.warehouse_path, release_id)
    if outcome is None and any(n.startswith("already loaded") for n in notes):
        click.echo(f"[3/3] nothing new: {key} is {next(n for n in notes if n.startswith('already loaded'))}")
        return
    if outcome is None:
        fail(f"the ingestion run did not record release {release_id}; see run {run_id} in the Dagster UI (pmw ui)")
    state, row_count, errors, adapter = outcome
    from dagster_project.ingest.task_returns import NAME as TASK_RETURN_ADAPTER  # imported by the run already

    rows = "task rows" if adapter == TASK_RETURN_ADAPTER else "observations"  # a unit's return holds no statistics
    if state == "loaded" and already == row_count:
        click.echo(f"[3/3] nothing new: {key} was already loaded (release {release_id}, {row_count} {rows})")
        return
    if state == "loaded":
        if already is None:
            click.echo(f"[3/3] loaded {row_count} {rows} from {key} (release {release_id})")
        else:  # the same bytes read by a newer version of the code: its rows replace the earlier reading's
            click.echo(f"[3/3] read again: {key} gives {row_count} {rows} (was {already}; release {release_id})")
        if not run_ok:
            fail(f"the file loaded but run {run_id} failed; see it in the Dagster UI (pmw ui)")
        if publish:
            _publish_after_ingest(verbose)
        else:
            click.echo("      the marts are rebuilt by the nightly build, `pmw run`, or `pmw ingest --publish`")
        return
    from dagster_project.report.terminal import table

    click.echo(f"[3/3] QUARANTINED {key}: {len(errors)} problem(s); nothing from this file was loaded")
    click.echo(
        table(
            ["file", "row", "column", "reason"],
            [[e[0], "(file)" if e[1] is None else e[1], e[2] or "", e[3]] for e in errors],
            right=[1],
            max_width=100,
        )
    )
    report = _quarantine_report(settings.quarantine_dir, staged.name)
    if report:
        click.echo(f"error report: {report}")
    fail(f"{key} was quarantined; fix the file and ingest it again (a corrected file becomes a new release)")


def _run_ingest_job(key: str, verbose: bool) -> tuple[str, bool, list[str]]:

    from dagster_project.assets.ingestion import release_files
    from dagster_project.ingest_job import ingest_job
    from dagster_project.processes import collections_paused
    from dagster_project.runner import _runner_tags, dagster_instance, mark_reported, recover_dead_runs

    with collections_paused():  # the instance imports Dagster's storage (SQLAlchemy, Alembic) as it starts
        instance = dagster_instance(_settings())
    # a run killed earlier (its process is gone) still holds the warehouse pool's only slot: free it,
    # or this run would wait for it forever
    recover_dead_runs(instance, lambda m: click.echo(f"      {m}", err=True), _settings().quarantine_dir)
    if not instance.has_dynamic_partition(release_files.name, key):
        instance.add_dynamic_partitions(release_files.name, [key])
    level = "INFO" if verbose else "CRITICAL"  # the errors are printed below, in words
    result = ingest_job(_settings()).execute_in_process(
        run_config={"loggers": {"console": {"config": {"log_level": level}}}},
        instance=instance,
        partition_key=key,
        raise_on_error=False,
        tags=_runner_tags(),
    )
    mark_reported(instance)  # its outcome is printed by the caller, now
    notes: list[str] = []
    for event in result.get_asset_materialization_events():
        value = event.materialization.metadata.get("ingest_notes")
        if value is not None:
            notes += value.value.get(key, [])
    return result.run_id, result.success, notes


def _already_loaded(warehouse: Path, release_id: str) -> int | None:
    """The observations the release (this name, these bytes) had when loaded before this command, None when
    it was not: loaded again, it is read again (a newer version of the code may read more of it)."""
    import duckdb

    if not warehouse.exists():
        return None
    try:
        con = duckdb.connect(str(warehouse), read_only=True)
    except duckdb.Error:  # busy with another writer: the run waits for it, and says what it finds
        return None
    try:
        row = con.execute("select status, row_count from raw.releases where release_id = ?", [release_id]).fetchone()
    except duckdb.CatalogException:  # a warehouse without raw tables yet
        return None
    finally:
        con.close()
    return row[1] if row is not None and row[0] == "loaded" else None


def _release_outcome(warehouse: Path, release_id: str):
    import duckdb

    if not warehouse.exists():
        return None
    try:
        con = duckdb.connect(str(warehouse), read_only=True)
    except duckdb.ConnectionException:
        # A failed step's traceback can keep the job's read-write connection alive until it is
        # collected, and DuckDB refuses a second, read-only configuration of the same file in one
        # process. Collected only then: a full collection walks every object of Dagster and GX
        # (0.2 s of CPU, 0.7 s on a busy machine, of every `pmw ingest`), and the exit collects anyway.
        gc.collect()
        try:
            con = duckdb.connect(str(warehouse), read_only=True)
        except duckdb.ConnectionException:
            con = duckdb.connect(str(warehouse))
    try:
        release = con.execute(
            "select status, row_count, adapter from raw.releases where release_id = ?", [release_id]
        ).fetchone()
        if release is None:
            return None
        errors = con.execute(
            'select source_file, "row", "column", reason from raw.quarantine where release_id = ? '
            'order by "row" nulls first, "column"',
            [release_id],
        ).fetchall()
    finally:
        con.close()
    return release[0], release[1], errors, release[2]


def _quarantine_report(quarantine_dir: Path, name: str) -> Path | None:
    from dagster_project.ingest.text import safe_filename

    reports = sorted(quarantine_dir.glob(f"*_{safe_filename(name)}.errors.md"), key=lambda p: p.stat().st_mtime)
    return reports[-1] if reports else None


def _publish_after_ingest(verbose: bool) -> None:

    from dagster_project.runner import build_and_publish, dagster_instance, mark_reported

    click.echo("      rebuilding the models, running the checks and publishing …", err=True)
    log = (lambda m: click.echo(f"      {m}", err=True)) if verbose else (lambda m: None)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        instance = dagster_instance(_settings())
        ok, failed = build_and_publish(instance, _settings(), log)
        mark_reported(instance)
    if not ok:
        fail(
            "the build did not succeed (" + (", ".join(failed) or "see the Dagster UI") + "); the last good "
            "published copy was kept"
        )
    click.echo(f"      published: {_settings().published_db_path}")


# ------------------------------------------------------------------------------------------- withdraw
@main.command(
    help="撤回一个已载入的发布 / Withdraw a loaded release (a file loaded by mistake: the wrong month, the wrong "
    "place, a draft): its rows leave the warehouse, kept aside with the reason, and the next build (`pmw run`, the "
    "nightly build, or --publish now) rebuilds every model without them. A wrong figure is better corrected: load "
    "the corrected file, a new vintage supersedes it. --restore puts a withdrawn release back."
)
@click.argument("release")
@click.option("--reason", default="", help="Why it is withdrawn (required unless --restore); kept with it.")
@click.option("--restore", is_flag=True, help="Put the withdrawn RELEASE back instead.")
@click.option("--publish", is_flag=True, help="Afterwards rebuild the models, run the checks and publish the marts.")
def withdraw(release: str, reason: str, restore: bool, publish: bool) -> None:
    import duckdb

    from dagster_project.ingest import store
    from dagster_project.processes import collections_paused

    with collections_paused():
        from dagster_project.runner import WarehouseBusy, prepare_environment, warehouse_lock

    settings = prepare_environment(_settings())
    if not settings.warehouse_path.exists():
        fail(f"no warehouse at {settings.warehouse_path}: nothing has been loaded")
    try:
        with (
            warehouse_lock(settings, lambda m: click.echo(m, err=True), what=f"pmw withdraw {release}"),
            duckdb.connect(str(settings.warehouse_path)) as con,
        ):
            done = store.restore_release(con, release) if restore else store.withdraw_release(con, release, reason)
    except WarehouseBusy as exc:
        fail(str(exc))
    except store.WithdrawalError as exc:
        fail(str(exc), code=2)
    what = "restored" if restore else "withdrew"
    click.echo(f"{what} release {done.release_id} ({done.source_file}): {done.row_count} rows")
    if publish:
        _publish_after_ingest(verbose=False)
    else:
        click.echo("the marts change with the next build (a full refresh): `pmw run`, the nightly build, or --publish")


# ------------------------------------------------------------------------------------------- report
@main.command(help="生成进度报告 / Write the self-contained HTML progress report from the published copy.")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Where to write it (default: <PMW_HOME>/reports/progress_report.html).",
)
@click.option(
    "--pdf",
    "as_pdf",
    is_flag=True,
    help="Instead: the printable one-to-two-page A4 brief as PDF (headline counts, off-track list, the running "
    "plan's key targets), printed by headless Chromium (default: <PMW_HOME>/reports/progress_brief.pdf).",
)
def report(output: Path | None, as_pdf: bool) -> None:
    from dagster_project.report import REPORT_FILE_NAME, NoPublishedCopy, build_report

    settings = _settings()
    if as_pdf:
        _report_pdf(output or settings.reports_dir / "progress_brief.pdf")
        return
    out = output or settings.reports_dir / REPORT_FILE_NAME
    bar = None

    def progress(done: int, total: int) -> None:
        nonlocal bar
        if bar is None:
            bar = click.progressbar(length=total, label="drawing charts", file=sys.stderr)
            bar.__enter__()
        bar.update(1)

    try:
        result = build_report(
            settings.published_db_path,
            out,
            progress=progress,
            quarantine_dir=settings.quarantine_dir,
            plotly_js=settings.plotly_js_path,
        )
    except NoPublishedCopy as exc:
        fail(str(exc))
    finally:
        if bar is not None:
            bar.__exit__(None, None, None)
    counts = " · ".join(f"{k} {v}" for k, v in sorted(result.status_counts.items()))
    illustrative = (
        f"; {result.illustrative_share:.0%} of its progress rows rest on illustrative figures (示意: generated "
        "sample data, not published statistics)"
        if result.illustrative_share
        else ""
    )
    click.echo(
        f"report written to {result.path} ({result.size_bytes / 1e6:.1f} MB, {result.charts} charts, "
        f"{result.targets} targets: {counts}){illustrative}"
    )


# ------------------------------------------------------------------------------------------- export
@main.command(
    help="导出序时进度表 / Write the 序时进度 Excel workbook from the published copy: one sheet per plan "
    "(序号, 指标, 单位, 目标, 截至N月完成, 完成%, 序时%, 超/欠百分点, 状态, 责任单位, 来源, 数据性质), red where "
    "behind, ready to print on A4 landscape; one sheet per county grid."
)
@click.option("--xlsx", "as_xlsx", is_flag=True, help="Write the Excel workbook (.xlsx), the only format so far.")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Where to write it (default: <PMW_HOME>/reports/xushi_progress.xlsx, linked from the report).",
)
def export(as_xlsx: bool, output: Path | None) -> None:
    from dagster_project.report.workbook import WORKBOOK_FILE_NAME, write_workbook

    if not as_xlsx:
        raise click.UsageError("choose a format: --xlsx")
    data = _load_published()
    out = output or _settings().reports_dir / WORKBOOK_FILE_NAME
    result = write_workbook(data, out)
    click.echo(f"workbook written to {result.path}: {result.rows} targets on {len(result.sheets)} sheets")


def _report_pdf(out: Path) -> None:
    from dagster_project.report.brief import PdfError, write_brief

    data = _load_published()
    try:
        pdf, pages = write_brief(data, out, _settings().chromium_path)
    except PdfError as exc:
        fail(str(exc))
    click.echo(f"brief written to {pdf} ({pages} A4 page{'s' if pages != 1 else ''})")


# ---------------------------------------------------------------------------------------------- sql
@main.command(
    help="查询已发布数据 / Run SQL against the published marts (read-only). With QUERY: run it. "
    "Without: read statements from standard input, or open an interactive prompt on a terminal "
    "(.tables, .schema TABLE, .quit)."
)
@click.argument("query", required=False)
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table", show_default=True)
@click.option("--max-rows", default=200, show_default=True, help="Rows shown per result in table format.")
def sql(query: str | None, fmt: str, max_rows: int) -> None:
    from dagster_project.report.published import NoPublishedCopy, open_published

    try:
        con = open_published(_settings().published_db_path)
    except NoPublishedCopy as exc:
        fail(str(exc))
    try:
        if query is not None:
            ok = _run_sql(con, query, fmt, max_rows)
        else:
            interactive = sys.stdin.isatty()
            if interactive:
                click.echo("pmw sql — published marts, read-only. End statements with ';'. .tables .schema T .quit")
            ok = _repl(con, _input_lines(interactive), fmt, max_rows, stop_on_error=not interactive)
            ok = ok or interactive  # at the prompt an error is shown and the session goes on
    finally:
        con.close()
    if not ok:
        sys.exit(1)


def _input_lines(interactive: bool) -> Iterator[str]:
    if not interactive:
        yield from sys.stdin
        return
    with contextlib.suppress(ImportError):
        import readline  # noqa: F401 - line editing and history at the prompt
    prompt = "pmw> "
    while True:
        try:
            line = input(prompt)
        except EOFError:
            return
        prompt = "pmw> " if line.rstrip().endswith(";") or line.startswith(".") else "...> "
        yield line


def _repl(con, lines: Iterable[str], fmt: str, max_rows: int, stop_on_error: bool) -> bool:
    """Statements end with ';'; lines starting with '.' are commands. Returns False if any failed."""
    ok, buffer = True, ""
    for line in lines:
        stripped = line.strip()
        if not buffer and stripped.startswith("."):
            command, _, arg = stripped.partition(" ")
            if command in (".quit", ".exit", ".q"):
                break
            if command == ".tables":
                stripped = "select table_name from duckdb_tables() order by table_name;"
            elif command == ".schema" and arg:
                table_name = arg.strip().replace("'", "''")
                stripped = f"select column_name, data_type from duckdb_columns() where table_name = '{table_name}';"
            else:
                click.echo(".tables · .schema TABLE · .quit", err=True)
                continue
        buffer += (" " if buffer else "") + stripped
        if buffer.rstrip().endswith(";"):
            good = _run_sql(con, buffer, fmt, max_rows)
            ok = ok and good
            buffer = ""
            if not good and stop_on_error:
                return False
    if buffer.strip():
        ok = _run_sql(con, buffer, fmt, max_rows) and ok
    return ok


def _run_sql(con, text: str, fmt: str, max_rows: int) -> bool:
    import duckdb

    from dagster_project.report.terminal import frame_table

    try:
        statements = con.extract_statements(text)
        for statement in statements:
            relation = con.execute(statement.query)
            if relation.description is None:
                click.echo("ok")
                continue
            frame = relation.df()
            if fmt == "csv":
                from dagster_project.ingest.text import spreadsheet_safe_frame

                click.echo(spreadsheet_safe_frame(frame).to_csv(index=False), nl=False)
            elif fmt == "json":
                click.echo(frame.to_json(orient="records", force_ascii=False, date_format="iso", indent=1))
            else:
                click.echo(frame_table(frame.head(max_rows), max_width=60))
                more = f" (showing {max_rows})" if len(frame) > max_rows else ""
                click.echo(f"({len(frame)} rows{more})")
    except duckdb.Error as exc:
        click.echo(f"error: {exc}", err=True)
        return False
    return True


if __name__ == "__main__":
    main()
