{#- 地区维度 / The city, its county-level divisions, the province and the peer cities. -#}

select * from {{ ref('stg_seeds__regions') }}
