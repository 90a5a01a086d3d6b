"""Files arriving: the landing sensor turns each new or corrected release file into a run."""

import json

import dagster as dg

from dagster_project import landing
from dagster_project.assets.ingestion import raw_observations, release_files
from dagster_project.resources import SettingsResource

ingest_release_files_job = dg.define_asset_job(
    "ingest_release_files",
    selection=dg.AssetSelection.assets(raw_observations),
    description="载入落地文件 / Load release files from the landing folder.",
)


@dg.sensor(
    job=ingest_release_files_job,
    minimum_interval_seconds=60,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="落地文件夹监听 / Watches the landing folder; one run per new or changed release file.",
)
def landing_folder_sensor(context: dg.SensorEvaluationContext, settings: SettingsResource):
    settings = settings.get()
    files, unsafe = landing.scan_landing(settings.landing_dir)
    for path, reason in unsafe:
        context.log.warning(f"ignored unsafe file name {path!r}: {reason}")
    # a file is taken once two ticks saw it the same (size, modification time): one still being copied in waits
    # (the cursor holds what this tick saw)
    seen = {f.partition_key: landing.file_state(f.path) for f in files}
    files, arriving = landing.split_at_rest(files, json.loads(context.cursor or "{}"))
    if arriving:
        context.log.info(f"waiting a tick for files that may still be arriving: {', '.join(arriving)}")
    cursor = json.dumps(seen, sort_keys=True)
    known = set(context.instance.get_dynamic_partitions(release_files.name))
    new_keys = sorted({f.partition_key for f in files} - known)
    # The run key includes the content hash: a corrected file under the same name is a new run,
    # an untouched file is never loaded twice.
    run_requests = [
        dg.RunRequest(partition_key=f.partition_key, run_key=f"{f.partition_key}@{f.sha256[:16]}") for f in files
    ]
    if not run_requests:
        waiting = f"; {len(arriving)} file(s) seen for the first time or changed, taken at the next tick if unchanged"
        skip = f"no release files at rest in {settings.landing_dir}{waiting if arriving else ''}"
        return dg.SensorResult(skip_reason=skip, cursor=cursor)
    return dg.SensorResult(
        run_requests=run_requests,
        dynamic_partitions_requests=[release_files.build_add_request(new_keys)] if new_keys else [],
        cursor=cursor,
    )
