{#- 指标数值序列 / What other models read of int_indicator_values__incremental: its rows without the
    columns its incremental runs keep (the models over it carry inputs_loaded_through of their own). -#}
{{ config(materialized='view') }}

select
    {{ cross_engine_star(
        ref('int_indicator_values__incremental'), 'stored', exclude=['series_year', 'inputs_loaded_through']
    ) }}
from {{ ref('int_indicator_values__incremental') }} as stored
