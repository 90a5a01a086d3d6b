{#- 指标维度 / One row per indicator the targets are measured with. -#}

select * from {{ ref('stg_seeds__indicators') }}
