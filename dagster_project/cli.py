"""`pmw` — the command line of the progress-monitoring warehouse.

Exit codes: 0 success; 1 the pipeline ran but a blocking check failed or nothing was published;
2 bad usage or bad input (click's convention).
"""

from __future__ import annotations

import os
import subprocess
import sys

import click

from dagster_project.settings import load_settings


@click.group(help="株洲目标进度监测数据仓库 / Progress-monitoring warehouse for government targets.")
def main() -> None:
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")


@main.command(
    help="运行全流程 / Ingest the landing folder (and the bundled sample with --sample), build, check and publish."
)
@click.option(
    "--sample/--no-sample",
    default=False,
    help="Stage the bundled sample releases and serve the sample API on 127.0.0.1.",
)
def run(sample: bool) -> None:
    from dagster_project.runner import run_pipeline

    summary = run_pipeline(sample=sample, log=lambda msg: click.echo(msg, err=True))
    settings = load_settings()
    click.echo("")
    click.echo(f"release files loaded:      {len(summary.files_loaded)}")
    click.echo(f"release files quarantined: {len(summary.files_quarantined)}  -> {settings.quarantine_dir}")
    for key in summary.files_quarantined:
        click.echo(f"    {key}")
    click.echo(f"API months pulled:         {summary.api_months}")
    if summary.failed_checks:
        click.echo("failed checks:")
        for check in summary.failed_checks:
            click.echo(f"    {check}")
    click.echo(f"warehouse (working copy):  {settings.warehouse_path}")
    click.echo(f"published marts (read):    {settings.published_db_path}")
    click.echo(f"reports:                   {settings.reports_dir}")
    click.echo(f"Dagster home (runs):       {settings.dagster_home}  (pmw ui -> http://127.0.0.1:3000)")
    if not summary.ok:
        click.echo("the build did not succeed: the last good published copy was kept", err=True)
        sys.exit(1)


@main.command(help="打开 Dagster 界面 / Start the Dagster UI on 127.0.0.1.")
@click.option("--port", default=3000, show_default=True)
def ui(port: int) -> None:
    from dagster_project.runner import prepare_environment

    prepare_environment()
    bin_dir = os.path.dirname(sys.executable)
    os.execv(
        os.path.join(bin_dir, "dagster"),
        ["dagster", "dev", "-m", "dagster_project.definitions", "-h", "127.0.0.1", "-p", str(port)],
    )


@main.command("dbt-docs", help="生成 dbt 文档 / Generate the dbt docs site into dbt/target.")
def dbt_docs() -> None:
    from dagster_project.resources import dbt_env, dbt_executable
    from dagster_project.runner import prepare_environment

    settings = prepare_environment()
    subprocess.run(
        [dbt_executable(), "docs", "generate", "--profiles-dir", str(settings.dbt_project_dir)],
        cwd=settings.dbt_project_dir,
        env=dbt_env(settings),
        check=True,
    )
    click.echo(f"dbt docs written to {settings.dbt_project_dir / 'target' / 'index.html'}")


if __name__ == "__main__":
    main()
