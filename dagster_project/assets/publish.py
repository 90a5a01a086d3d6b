"""Publish: copy the checked marts to the read-only copy analysts and BI tools open."""


import dagster as dg

from dagster_project.publish import PUBLISHED_MARTS, publish_marts
from dagster_project.resources import WAREHOUSE_POOL
from dagster_project.settings import load_settings


@dg.asset(
    key=["published", "marts"],
    deps=[dg.AssetKey(["marts", mart]) for mart in PUBLISHED_MARTS],
    pool=WAREHOUSE_POOL,
    group_name="publish",
    kinds={"duckdb", "parquet"},
    description=(
        "发布的只读指标库 / The published, read-only copy of the marts (DuckDB + Parquet + manifest). "
        "Runs only after every blocking check on the marts passed; a failed check keeps the last good copy."
    ),
)
def published_marts(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
    settings = load_settings()
    result = publish_marts(settings.warehouse_path, settings.published_dir, context.run_id)
    context.log.info(f"published version {result.version} to {result.db_path}")
    return dg.MaterializeResult(
        metadata={
            "version": result.version,
            "path": dg.MetadataValue.path(str(result.db_path)),
            "row_counts": dg.MetadataValue.json(result.manifest["row_counts"]),
            "source_vintages": len(result.manifest["source_vintages"]),
        }
    )
