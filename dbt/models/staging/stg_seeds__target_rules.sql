{#- Per-target assessment rules (seeds/target_rules.csv): the measure a target compares and its
    annual rule. A target without a row compares levels and has no annual rule. -#}

with source as (
    select * from {{ ref('target_rules') }}
)

select
    cast(target_id as {{ dbt.type_string() }}) as target_id,
    coalesce(nullif(cast(target_measure as {{ dbt.type_string() }}), ''), 'value') as target_measure,
    nullif(cast(annual_rule as {{ dbt.type_string() }}), '') as annual_rule,
    rule_note_zh,
    rule_note_en
from source
