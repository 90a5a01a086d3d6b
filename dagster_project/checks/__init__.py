"""Data expectations: Great Expectations 1.x suites (``expectations/*.json``) run batch by batch.

- :mod:`.suites`    load and vet the JSON suites (one per checked asset, each expectation says why)
- :mod:`.gx_runner` validate pandas batches with an ephemeral GX context; results as plain objects
- :mod:`.batches`   where batches come from (raw releases, staged observations per indicator, marts)
- :mod:`.report`    Markdown reports under settings.validation_dir and Dagster check metadata
- :mod:`.raw`       the raw-release suite inside the ingestion path: failing releases are quarantined
"""
