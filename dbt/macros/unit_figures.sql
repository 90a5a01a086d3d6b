{#- 分单位数值 / The figures of the units of regional targets (int_target_region_values), filed under
    `filed_region`: a unit's own region (a county, a section's county) or, for a river section, its
    county's city. The city's monitoring report (株洲市地表水监测月报: 430200, WS-XJ-01) files every
    section there; such a figure is read as the section's own (region_code is the unit's) unless the
    section's county filed the same period (the county's filing wins). Written once for both filings;
    the model unions the two, as one join with `or not exists` probed every unit's figures against all
    the values (twice the model's time at 10 years of history). Reads the model's CTEs units, targets
    and values_. -#}
{% macro unit_figures_filed_under(filed_region, own_filing) -%}
    select
        units.target_id,
        units.unit_name_zh,
        targets.annual_rule,
        targets.direction_sign,
        targets.measure_kind as target_measure_kind,
        {{ cross_engine_star(ref('int_indicator_values'), 'values_', replace={'region_code': 'units.region_code'}) }}
    from units
    inner join targets
        on units.target_id = targets.target_id
    inner join values_
        on
            targets.indicator_code = values_.indicator_code
            and {{ filed_region }} = values_.region_code
            and units.subject_code = values_.subject_code
    -- a stock holds from whenever it was last published, which may be years before the start
    where
        (targets.measure_kind = 'stock' or {{ in_years_a_target_reads('targets', 'values_.period_end') }})
        {%- if not own_filing %}
        and units.subject_code <> ''
        and not exists (
            select 1 from values_ as own
            where
                own.indicator_code = values_.indicator_code
                and own.region_code = units.region_code
                and own.subject_code = values_.subject_code
                and own.period_code = values_.period_code
                and own.measure = values_.measure
        )
        {%- endif %}
{%- endmacro %}
