{#- What the marts were last built from, per target: read by int_targets__changed at the next run.
    Built after the marts, so a run that fails before them leaves the previous state in place. -#}
-- depends_on: {{ ref('fct_target_progress') }}
-- depends_on: {{ ref('fct_target_progress_by_region') }}
-- depends_on: {{ ref('fct_target_scorecard') }}

select
    target_id,
    definition_hash,
    inputs_loaded_through,
    chain_fingerprint
from {{ ref('int_targets__changed') }}
where not is_removed
