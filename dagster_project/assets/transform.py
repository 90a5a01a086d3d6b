"""Stage and compute: the dbt project (seeds, staging, intermediate, marts) as Dagster assets.

dbt data tests become Dagster asset checks (dagster-dbt does this), so a failing test shows on the
asset it guards. Whether the build is a full refresh is decided here, from the fingerprint of the
project recorded after the last successful build (dagster_project/dbt_build.py).
"""

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings, DbtCliResource, dbt_assets
from dagster_duckdb import DuckDBResource

from dagster_project.checks.batches import WAREHOUSE_READS as CHECKS_READ
from dagster_project.dbt_build import DBT_RUNS_FOLDER, dbt_build
from dagster_project.engine import build_hooks
from dagster_project.publish import WAREHOUSE_READS as PUBLISH_READS
from dagster_project.resources import (
    WAREHOUSE_POOL,
    catalogue_dbt_would_not_build,
    ensure_dbt_manifest,
    warehouse_writer,
)
from dagster_project.settings import Settings

# What the checks and the publish step read from the warehouse after dbt: on an engine other than
# DuckDB these come back into the DuckDB warehouse after each build (dagster_project/engine.py).
READ_AFTER_BUILD = tuple(dict.fromkeys((*CHECKS_READ, *PUBLISH_READS)))


class WarehouseTranslator(DagsterDbtTranslator):
    """Group assets by dbt layer so the asset graph reads ingest -> stage -> compute -> publish."""

    def get_group_name(self, dbt_resource_props):
        if dbt_resource_props["resource_type"] == "seed":
            return "catalogue"
        fqn = dbt_resource_props.get("fqn", [])
        return fqn[1] if len(fqn) > 2 else "dbt"


def warehouse_dbt_models(settings: Settings) -> dg.AssetsDefinition:
    """The dbt project's models, seeds and tests as assets, from the manifest of ``settings``' dbt
    project (parsed first when it is stale): built by :func:`dagster_project.definitions.build_definitions`
    from the settings it is given, never at import."""

    manifest = ensure_dbt_manifest(settings)

    @dbt_assets(
        manifest=manifest,
        dagster_dbt_translator=WarehouseTranslator(settings=DagsterDbtTranslatorSettings(enable_asset_checks=True)),
        pool=WAREHOUSE_POOL,
    )
    def warehouse_dbt_models(context: dg.AssetExecutionContext, dbt: DbtCliResource, duckdb: DuckDBResource):
        if elsewhere := catalogue_dbt_would_not_build(settings):  # a run started from the UI or a schedule
            raise dg.Failure(elsewhere)
        exchange_dir = settings.engine_exchange_dir or settings.home / "engine_exchange"
        hooks = build_hooks(settings.engine, settings.warehouse_path, exchange_dir, READ_AFTER_BUILD, manifest)
        # a run of part of the project must not vouch for the rest: only a whole build is recorded
        with warehouse_writer(settings, context.log.info):
            yield from dbt_build(
                dbt,
                duckdb,
                settings.dbt_project_dir,
                context=context,
                record=not context.is_subset,
                engine=settings.engine,
                hooks=hooks,
                manifest=manifest,
                runs_dir=settings.dagster_home / DBT_RUNS_FOLDER,
            )

    return warehouse_dbt_models
