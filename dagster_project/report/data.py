"""What the report and the terminal commands read from the published copy, in one place."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pandas as pd

from dagster_project.ingest.store import vintage_recency
from dagster_project.report.labels import STATUSES, is_missing
from dagster_project.report.published import PublishedCopyOutdated, reading_published

# The scorecard, completed with the target's window and the latest figure's row and vintage
# (fct_target_scorecard names the file; fct_target_progress also has the row and the release).
SCORECARD_SQL = """
select
    s.*,
    t.plan_name_zh, t.plan_name_en, t.plan_region_code, t.indicator_code, t.indicator_name_zh, t.indicator_name_en,
    t.measure_kind, t.has_series,
    t.direction_sign, t.baseline_year, t.baseline_value as catalogue_baseline_value, t.baseline_source,
    i.unit as catalogue_baseline_unit,
    t.start_date, t.is_multi_year, t.is_cumulative, t.reading_notes,
    p.period_kind as latest_period_kind, p.source_row, p.source_ref, p.release_id, p.derived_from,
    p.is_revised, p.comparator_applied, p.base_value, p.expected_share_method, p.elapsed_share,
    p.underlying_value, p.underlying_unit, p.is_met, p.is_final, p.actual_cagr, p.required_cagr,
    p.required_cagr_from_now, p.projection_ratio, p.threshold_on_track, p.threshold_acceleration, p.units_total,
    p.units_reporting
from fct_target_scorecard as s
join dim_targets as t using (target_id)
-- the catalogue's baseline value is in its indicator's unit, as the figures it is compared with
left join dim_indicators as i on i.indicator_code = t.indicator_code
left join fct_target_progress as p
    on p.target_id = s.target_id and p.period_code = s.latest_period_code
order by s.status_sort_order, s.section_zh, s.target_id
"""


NUMERALS = "一二两三四五六七八九十"


@dataclass
class ReportData:
    scorecard: pd.DataFrame
    progress: pd.DataFrame
    by_region: pd.DataFrame
    regions: pd.DataFrame
    version: str
    published_at: str
    manifest: dict
    db_path: Path

    @property
    def assessed_as_of(self) -> date:
        value = self.scorecard["assessed_as_of"].dropna()
        return pd.Timestamp(value.iloc[0]).date() if len(value) else date.today()

    def cities(self) -> tuple[str, str]:
        """The cities whose plans the marts hold, in Chinese and English ('株洲市', 'Zhuzhou City'): the
        plans' data names them, so another city's seeds title its own report."""
        codes = list(dict.fromkeys(self.scorecard.get("plan_region_code", pd.Series(dtype=str)).dropna()))
        names = self.regions.set_index("region_code") if len(self.regions) else None
        zh = [str(names.loc[c, "region_name_zh"]) if names is not None and c in names.index else c for c in codes]
        en = [str(names.loc[c, "region_name_en"]) if names is not None and c in names.index else c for c in codes]
        return "、".join(zh), ", ".join(en)

    def title(self, what_zh: str, what_en: str) -> str:
        """'株洲市政府工作报告目标进度报告 / Progress report on the Zhuzhou City work-report targets'."""
        zh, en = self.cities()
        return f"{zh}政府工作报告目标{what_zh} / {what_en} of the {en} work-report targets"

    def section_order(self) -> list[str]:
        """Sections as a reader meets them: the five-year plan's headline numbers (一突破, 两进位 …)
        first, then the year's keywords, then its project lists."""
        first = self.scorecard.groupby("section_zh").agg(start=("start_date", "min"), end=("deadline", "max"))

        def key(section: str) -> tuple:
            numeral = NUMERALS.find(section[:1])
            return (-first.loc[section, "end"].value, numeral if numeral >= 0 else 99, section[:1].isdigit(), section)

        return sorted(first.index, key=key)

    def plans(self) -> pd.DataFrame:
        """Each plan's window (from its targets), its city and the share of it elapsed at the as-of date."""
        frame = (
            self.scorecard.assign(plan_region_code=plan_cities(self.scorecard))
            .groupby(["plan_id", "plan_name_zh", "plan_name_en", "plan_region_code"], dropna=False)
            .agg(start=("start_date", "min"), end=("deadline", "max"), targets=("target_id", "count"))
            .reset_index()
            .sort_values("start")
        )
        as_of = pd.Timestamp(self.assessed_as_of)
        total = (frame["end"] - frame["start"]).dt.days + 1
        done = (as_of - frame["start"]).dt.days + 1
        frame["elapsed_share"] = (done / total).clip(lower=0, upper=1)
        return frame


def load_report_data(db_path: Path) -> ReportData:
    with reading_published(db_path) as con:
        scorecard = con.execute(SCORECARD_SQL).df()
        progress = con.execute("select * from fct_target_progress order by target_id, period_end, period_kind").df()
        by_region = con.execute(
            """
            select r.*, d.sort_order
            from fct_target_progress_by_region as r
            left join dim_regions as d using (region_code)
            order by r.target_id, d.sort_order, r.subject_code, r.period_end
            """
        ).df()
        regions = con.execute("select * from dim_regions order by sort_order").df()
        version, published_at, manifest_json = con.execute(
            "select version, cast(published_at as varchar), manifest_json from publish_manifest"
        ).fetchone()
    return ReportData(
        scorecard=scorecard,
        progress=progress,
        by_region=by_region,
        regions=regions,
        version=version,
        published_at=published_at,
        manifest=json.loads(manifest_json),
        db_path=Path(db_path),
    )


# The figure behind a row of fct_target_progress: the vintage its release and row name, of the row's indicator and
# period, with the value the row reads (the indicator value behind the actual). A row names one figure of its
# file's row; the value tells the measures of that row (value, yoy_pct, rank) apart. Targeted: a published
# copy's observation_vintages can be large, only the rows of one release and row are read, then one key's.
FIGURE_KEYS_SQL = """
select distinct observation_key
from observation_vintages
where release_id = ? and source_row = ? and indicator_code = ? and period_code = ? and value = ?
"""
FIGURE_VINTAGES_SQL = f"""
select release_id, release_date, release_date_imputed, value, bound, unit
from observation_vintages
where observation_key = ?
order by {vintage_recency()}
"""


def figure_vintages(db_path: Path, row: pd.Series) -> pd.DataFrame:
    """Every vintage, oldest first (store.vintage_recency: a stated date after a day of arrival), up to the
    row's own, of the figure behind a row of fct_target_progress (release_id, source_row, indicator_code,
    period_code and the value it reads: underlying_value, else actual_value). Empty when that figure cannot be
    found for certain: no release or row (a figure counted from the county figures, a ratio of two files' rows),
    no figure of that release, row and value, or more than one (two measures of the row with the same value)."""
    value = row.get("underlying_value")
    value = row.get("actual_value") if is_missing(value) else value
    wanted = [row.get(c) for c in ("release_id", "source_row", "indicator_code", "period_code")] + [value]
    if any(is_missing(v) or v == "" for v in wanted):
        return pd.DataFrame()
    release_id, source_row, indicator, period, value = wanted
    try:
        with reading_published(db_path) as con:
            keys = con.execute(
                FIGURE_KEYS_SQL, [str(release_id), int(source_row), str(indicator), str(period), float(value)]
            ).fetchall()
            if len(keys) != 1:
                return pd.DataFrame()
            vintages = con.execute(FIGURE_VINTAGES_SQL, [keys[0][0]]).df()
    except PublishedCopyOutdated:  # a copy without observation_vintages: nothing more is said
        return pd.DataFrame()
    own = vintages.index[vintages["release_id"] == str(release_id)]
    # the row's vintage is the latest known at the assessment date: a later release is not part of its story
    return vintages.loc[: own[-1]].reset_index(drop=True) if len(own) else pd.DataFrame()


def plan_cities(sc: pd.DataFrame) -> pd.Series:
    """Each target's plan's city (plans.csv region_code; '' where the scorecard does not say)."""
    return sc["plan_region_code"].fillna("") if "plan_region_code" in sc else pd.Series("", sc.index)


def running_and_closed(sc: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Targets of running plans (the headline) and of closed plans (final outcomes, shown apart).
    Each city apart (a plan's region_code): when every plan of a city is closed, its latest is the city's
    headline, whatever another city's plans do."""
    closed = sc["plan_is_closed"].fillna(False).astype(bool) if "plan_is_closed" in sc else pd.Series(False, sc.index)
    cities = plan_cities(sc)
    for city in cities.unique():
        mine = cities == city
        if closed[mine].all():
            latest_end = sc.loc[mine, "plan_end_date"].max()
            closed = closed & ~(mine & (sc["plan_end_date"] == latest_end))
    return sc[~closed], sc[closed]


def city_headlines(data: ReportData, sc: pd.DataFrame) -> list[dict]:
    """The headline of each city apart (its running plans' counts), in region-code order; one entry for a
    one-city warehouse, which the report and `pmw status` show as they always have."""
    running, closed = running_and_closed(sc)
    names = data.regions.set_index("region_code") if len(data.regions) else None
    heads = []
    for city in sorted(plan_cities(sc).unique()):
        mine = running[plan_cities(running) == city]
        counts = mine["status_code"].value_counts()
        known = names is not None and city in names.index
        heads.append(
            {
                "region_code": city,
                "name_zh": str(names.loc[city, "region_name_zh"]) if known else city,
                "name_en": str(names.loc[city, "region_name_en"]) if known else city,
                "running": len(mine),
                "closed": int((plan_cities(closed) == city).sum()),
                "counts": {code: int(counts.get(code, 0)) for code in STATUSES},
                "targets": mine,
            }
        )
    return heads
