"""Ingestion library: landing files / API payloads -> raw.observations (no Dagster imports here).

Entry points: :func:`dagster_project.ingest.pipeline.ingest_file` and
:func:`dagster_project.ingest.pipeline.ingest_payload`.
"""
