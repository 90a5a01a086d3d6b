"""Format 7: a ledger of figures quoted from published sources (数据摘录), one figure a row, as analysts keep
them and as ../shared/reference/published_facts.csv holds the real ones:

    indicator,period,value,unit,quote,source
    地区生产总值,2021,3420.3,亿元,"初步核算,全市地区生产总值3420.3亿元,增长8.3%",http://… (株洲市2021年统计公报转载)
    地区生产总值,2020-Q1,-3.3,% 同比增长,"按可比价格计算,同比下降3.3%",http://…
    新增四上企业,2019,>600,家,新增“四上”企业突破 600家,http://…

Each row is read through the one home of each concept: the indicator's name through the catalogue (a place
before it, 市区/醴陵市, is the row's region; a river's name, 湘江株洲段, gives the class to each of its
catalogued sections), the period through periods.py, the measure from the words after the unit (同比增长,
比上年同期, 年均增长, 累计增长; other comparisons such as 环比 are not read), bounds (>600, 突破) and classes
(优于II) through qualifiers.py, units through units.py. What is not a published actual is left out with a
note: a target or plan ((年度目标), (计划), a unit cell saying 目标), a park's figure (株洲高新区), a name the
catalogue does not track, a bracket that may name another measure than the catalogue's.

The release date is each row's: a release_date column where there is one, else the date the source names
(株洲日报 2022-03-16), else the date in its address (/2021/0507/, /20210318/, t20260213_; a month alone,
/202205/, counts as that month's last day), else a date the same source is given on another row, else the
day the file landed; the rows dated by address or by landing are named in the release's notes.
Optional columns: region (a name or code; without it, the city of the catalogue's plans) and release_date.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from urllib.parse import urlsplit

from dagster_project.ingest.adapter_common import (
    RowContext,
    change_header_unit,
    find_release_date,
    has_illustrative_marker,
    is_note_row,
    is_park,
    other_basis,
    parse_date,
)
from dagster_project.ingest.catalog import URBAN_SCOPE_NAMES, Catalog, normalize_name
from dagster_project.ingest.document import Document
from dagster_project.ingest.env_bulletin import EVERY_SECTION
from dagster_project.ingest.models import LANDED_NOTE, ParseResult
from dagster_project.ingest.periods import parse_period
from dagster_project.ingest.qualifiers import PROSE_VINTAGE, vintage_note
from dagster_project.ingest.text import to_halfwidth
from dagster_project.ingest.units import needs_exchange_rate, normalize_unit

__all__ = ["NAME", "COLUMNS", "sniff", "parse"]

NAME = "facts_ledger"
COLUMNS = ("indicator", "period", "value", "unit", "quote", "source")
OPTIONAL = ("region", "release_date")
# the header as a Chinese ledger writes it
ZH_HEADERS = {
    "指标": "indicator",
    "指标名称": "indicator",
    "时期": "period",
    "期别": "period",
    "时间": "period",
    "数值": "value",
    "数据": "value",
    "单位": "unit",
    "原文": "quote",
    "引文": "quote",
    "摘录": "quote",
    "来源": "source",
    "出处": "source",
    "地区": "region",
    "发布日期": "release_date",
}

# not a published actual: a target, a plan, a forecast of what is to come
_NOT_AN_ACTUAL = re.compile(r"目标|计划|规划|预期|力争")
# brackets after a name that say when or where the ledger's clerk read it, not another measure
_DESCRIPTIVE = re.compile(r"^(?:当月|本月|累计|年度|年末|全年|.*(?:统计局|统计公报|公报|表|月报|年报).*)$")
# a growth's name may carry the measure as the unit cell does: 规模工业增加值年均增速 is 规模工业增加值's
_MEASURE_SUFFIX = re.compile(r"(?:年均增速|年均增长率?|累计增长率?|同比增长率?|增长率|增速|增幅)$")
# a date in a source's address: /2021/06/10/, /2022/0129/, /20210318/, t20260213_ (a day); /202205/ (a month)
_URL_DAY = re.compile(r"(?<!\d)(20\d{2})[/-]?(0[1-9]|1[0-2])[/-]?(0[1-9]|[12]\d|3[01])(?!\d)")
_URL_MONTH = re.compile(r"/(20\d{2})(0[1-9]|1[0-2])/")


def _key(cell: str) -> str:
    text = to_halfwidth(cell).strip()
    return ZH_HEADERS.get(text.replace(" ", ""), text.lower())


def _header_index(doc: Document) -> int | None:
    filled = [i for i, row in enumerate(doc.rows[:20]) if any(row)]
    return next((i for i in filled[:5] if {_key(c) for c in doc.rows[i] if c} >= set(COLUMNS)), None)


def sniff(doc: Document) -> bool:
    return doc.kind == "table" and _header_index(doc) is not None


def _address_date(source: str) -> tuple[date | None, str]:
    """The date in a source's web address and how precise it is ('day', 'month'); (None, '') for none."""
    url = next((w for w in source.split() if "://" in w), "")
    if not url:
        return None, ""
    parts = urlsplit(url.rstrip(",)"))
    path = parts.path + ("?" + parts.query if parts.query else "")
    for m in _URL_DAY.finditer(path):
        try:
            return date(int(m[1]), int(m[2]), int(m[3])), "day"
        except ValueError:
            continue
    m = _URL_MONTH.search(path)
    if m:
        first_of_next = date(int(m[1]) + int(m[2]) // 12, int(m[2]) % 12 + 1, 1)
        return first_of_next - timedelta(days=1), "month"
    return None, ""


def _source_key(source: str) -> str:
    """A source by its address (or its text without one): a source cited again without its description is the
    same source."""
    return next((w for w in source.split() if "://" in w), source).rstrip(",)")


def _measure(unit_cell: str) -> tuple[str, str, str | None]:
    """(measure, unit, why not read) from a unit cell: '亿元' -> value; '% 同比增长' / '% 比上年同期' -> yoy_pct;
    '% 年均增长' -> avg_yoy_pct; '% 累计增长' -> cum_pct; '水质类别' -> class; a change against another period
    than a year earlier (环比, 比上月) is not read."""
    text = to_halfwidth(unit_cell).strip()
    basis = other_basis(text)
    if basis:
        return "", "", f"a change against another period ({basis}) than a year earlier"
    words = text.replace(" ", "")
    if "年均" in words:
        return "avg_yoy_pct", "%", None
    if "累计增长" in words:
        return "cum_pct", "%", None
    if re.search(r"比上年同(?:月|期)", words) or (change_header_unit(words) and words.startswith(("%", "百分点"))):
        return "yoy_pct", "百分点" if "百分点" in words else "%", None
    if "类别" in words or words == "类":
        return "class", "类", None
    rank = _RANK_UNIT.fullmatch(words)
    if rank:  # 位次 / 排名 (of the level), 增速位次 (of the growth)
        return ("yoy_rank" if rank["of"] else "rank"), "位", None
    return "value", normalize_unit(text.split()[0] if text else ""), None


def _without_river(name: str, river: str) -> str:
    """'湘江株洲段水质类别' without the river '湘江（株洲段）' (written with or without its brackets): '水质类别'."""
    key, full = normalize_name(name), normalize_name(river)
    for variant in (full, re.sub(r"[()]", "", full)):
        if variant and variant in key:
            return key.replace(variant, "", 1)
    return key


class _Name:
    """What a ledger row's indicator cell names: the catalogue's indicator, the region it gives, the river
    whose sections it covers, or why it is not read."""

    def __init__(self, catalog: Catalog, cell: str, city: str, growth: bool) -> None:
        self.indicator: str | None = None
        self.region: str | None = city
        self.sections: tuple[str, ...] = ()
        self.river = ""
        self.untracked = False
        self.why_not: str | None = None
        name = to_halfwidth(cell).strip()
        bracket = re.match(r"^(.*?)\s*\(([^()]*)\)\s*$", name)
        base, qualifier = (bracket[1], bracket[2].strip()) if bracket else (name, "")
        if _NOT_AN_ACTUAL.search(name):
            self.why_not = f"{name!r} is a target or plan, not a published actual"
            return
        if catalog.resolve_indicator(name):  # the catalogue's own name with its bracket: 小巨人企业数(累计)
            self.indicator = catalog.resolve_indicator(name)
            return
        if qualifier and is_park(qualifier):
            self.why_not = f"{name!r} is a park's or zone's figure ({qualifier}), not a catalogued place's"
            return
        if qualifier and catalog.resolve_region(qualifier, city):
            self.region = catalog.resolve_region(qualifier, city)
        elif qualifier and not _DESCRIPTIVE.match(qualifier):
            self.why_not = (
                f"{name!r}: the bracket ({qualifier}) may name another measure than the catalogue's "
                "(an alias in seeds/indicators.csv says it is the same)"
            )
            return
        self._resolve(catalog, base, city, growth)

    def _resolve(self, catalog: Catalog, name: str, city: str, growth: bool) -> None:
        candidates = [name]
        if growth and _MEASURE_SUFFIX.search(name):
            candidates.append(_MEASURE_SUFFIX.sub("", name))
        for candidate in candidates:
            if catalog.resolve_indicator(candidate):
                self.indicator = catalog.resolve_indicator(candidate)
                return
            river = catalog.river_in(candidate)
            rest = _without_river(candidate, river[0]) if river else ""
            if river and catalog.resolve_indicator(rest):
                self.indicator = catalog.resolve_indicator(rest)
                self.river, self.sections = river
                return
            # a place before the name: 市区空气优良天数, 醴陵市地区生产总值 (the longest place first)
            for cut in range(len(candidate) - 1, 1, -1):
                place, rest = candidate[:cut], candidate[cut:]
                code = catalog.resolve_region(place, city)
                if code and catalog.resolve_indicator(rest):
                    if is_park(place):
                        break
                    self.indicator = catalog.resolve_indicator(rest)
                    self.region = city if place in URBAN_SCOPE_NAMES else code
                    return
        if is_park(name):
            self.why_not = f"{name!r} is a park's or zone's figure, not a catalogued place's"
        else:
            self.untracked = True


def parse(doc: Document, catalog: Catalog, default_release_date: date | None = None) -> ParseResult:
    result = ParseResult(adapter=NAME, release_date=default_release_date)
    ctx = RowContext(catalog, result, doc.source_file, default_release_date)
    hi = _header_index(doc)
    if hi is None:
        ctx.error(None, "", "no header with indicator, period, value, unit, quote and source")
        return result
    header = [_key(c) for c in doc.rows[hi]]
    unknown = [h for h in header if h and h not in COLUMNS + OPTIONAL]
    if unknown:  # a clerk's own columns (备注, 录入人): kept out, said
        result.notes.append(f"column(s) not read: {', '.join(unknown)} (a ledger's columns: {', '.join(COLUMNS)})")
    col = {name: header.index(name) for name in COLUMNS + OPTIONAL if name in header}
    cities = catalog.plan_regions
    if "region" not in col and len(cities) != 1:
        ctx.error(hi + 1, "region", f"whose figures? the plans name {len(cities)} cities: add a region column")
        return result
    if any(has_illustrative_marker(" ".join(r)) for r in doc.rows):
        ctx.provenance = result.provenance = "illustrative"

    rows = [
        (r, doc.rows[r]) for r in range(hi + 1, len(doc.rows)) if any(doc.rows[r]) and not is_note_row(doc.rows[r][0])
    ]
    # a source's date, wherever the ledger gives it once: the same address cited again without it has it too
    named_dates: dict[str, date] = {}
    for _, cells in rows:
        source = cells[col["source"]] if col["source"] < len(cells) else ""
        found = find_release_date(re.sub(r"\S*://\S*", " ", source))
        if found:
            named_dates.setdefault(_source_key(source), found)

    dated_by: dict[str, list[int]] = {}
    rivers: dict[tuple[str, int], list[int]] = {}
    unquoted: list[int] = []
    not_actual: list[str] = []
    release_dates: list[date] = []
    for r, cells in rows:
        row_no = r + 1
        get = {name: (cells[i] if i < len(cells) else "").strip() for name, i in col.items()}.get
        if not get("value"):
            ctx.error(row_no, "value", "value is empty")
            continue
        if not get("source"):
            ctx.error(row_no, "source", "a published figure needs its source (a web address, a document)")
            continue
        measure, unit, why_not = _measure(get("unit") or "")
        if _NOT_AN_ACTUAL.search(get("unit") or ""):
            why_not = f"the unit {get('unit')!r} says it is a target or plan, not a published actual"
        try:
            period = parse_period(get("period") or "")
        except ValueError as exc:
            ctx.error(row_no, "period", str(exc))
            continue
        city = cities[0] if cities and "region" not in col else ""
        if "region" in col:
            city = catalog.resolve_region(get("region") or "") or ""
            if not city:
                clash = catalog.region_clash(get("region") or "")
                ctx.error(row_no, "region", clash or f"region {get('region')!r} is not in seeds/regions.csv")
                continue
        name = _Name(catalog, get("indicator") or "", city, growth=measure in ("yoy_pct", "avg_yoy_pct", "cum_pct"))
        why_not = why_not or name.why_not
        if why_not:
            not_actual.append(f"row {row_no} ({why_not})")
            continue
        if name.untracked or name.indicator is None:
            ctx.skip_untracked(row_no, get("indicator") or "")
            continue

        release_date, how = _release_date(get, named_dates, default_release_date, row_no, ctx)
        if release_date is None and how == "error":
            continue
        if how:
            dated_by.setdefault(how, []).append(row_no)
        if release_date:
            release_dates.append(release_date)
        # the quote as the source wrote it (萬, full-width ，): a citation, where the cleaned cell serves the reading
        quote = doc.raw(r, col["quote"]).strip() if "quote" in col else ""
        source_ref = f"{get('source')} 「{quote}」" if quote else get("source")
        if quote and measure not in ("class", "stage") and not _in_quote(get("value") or "", quote):
            unquoted.append(row_no)
        # a vintage the quote gives its figures (初步核算,全市地区生产总值3420.3亿元): the figure's, as in the prose
        # it was copied from (the statistics bulletin's reader labels the same sentence so)
        vintage = PROSE_VINTAGE.search(to_halfwidth(quote))
        cell = doc.raw(r, col["value"]) or get("value")
        for subject in name.sections or ("",):
            ctx.add(
                indicator=name.indicator,
                region=name.region,
                subject=subject,
                period=period,
                measure=measure,
                cell=cell,
                vintage=vintage[0] if vintage else "",
                unit=unit,
                row=row_no,
                column="value",
                release_date=release_date,
                release_date_imputed=how.startswith(LANDED_NOTE),
                source_ref=source_ref,
                # a river's class, its quote saying no section's own: each section's is worked out from it (a
                # quote of every section, 7个断面均达到Ⅱ类水质, is each section's, as the bulletin's reader reads it)
                derived_from=(
                    f"{name.river}: {get('value')!r} (row {row_no}), the river's class given to each of its "
                    f"{len(name.sections)} catalogued sections"
                    if name.sections and not EVERY_SECTION.search(to_halfwidth(quote))
                    else ""
                ),
            )
        if vintage and measure not in ("class", "stage"):
            result.notes.append(f"row {row_no} value: {vintage_note(vintage[0])}")
        if name.sections:
            rivers.setdefault((name.river, len(name.sections)), []).append(row_no)
    for (river, count), numbers in rivers.items():
        result.notes.append(
            f"read as each of the {count} catalogued sections' class, the class the ledger gives {river} "
            f"(no section's own): {_rows(numbers)}"
        )
    _keep_own_currency(result)
    if unquoted:  # read all the same: the value is the ledger's; a person should look at both
        result.notes.append(f"read, but the value is not in its quote (a typo in one of them?): {_rows(unquoted)}")
    if not_actual:
        result.notes.append("not loaded, not a published actual of a catalogued place: " + "; ".join(not_actual))
    for how, numbers in dated_by.items():
        result.notes.append(how.format(rows=_rows(numbers)))
    result.release_date = max(release_dates) if release_dates else default_release_date
    # the release's date is the landing day when no row the file dates itself gives it (rows dated by their source
    # or its address count as stated)
    stated = {o.release_date for o in result.observations if not o.release_date_imputed}
    result.release_date_imputed = result.release_date is not None and result.release_date not in stated
    return result


_RANK_UNIT = re.compile(r"(?:全省|全市)?(?P<of>增速|增长)?(?:位次|排名|排位|位)")
_QUOTED_NUMBER = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?")


def _in_quote(value: str, quote: str) -> bool:
    """Whether the row's number stands in its quote (a fall's sign is a word there: 下降3.3% for -3.3)."""
    number = _QUOTED_NUMBER.search(to_halfwidth(value).replace(" ", ""))
    if number is None:
        return True  # nothing to compare (a class, a word)
    said = {abs(float(n.replace(",", ""))) for n in _QUOTED_NUMBER.findall(to_halfwidth(quote).replace(" ", ""))}
    return abs(float(number[0].replace(",", ""))) in said


def _keep_own_currency(result: ParseResult) -> None:
    """A figure a ledger gives in yuan and again in dollars (进出口总额300.5亿元, 折合45.2亿美元) is one figure: the
    one in the indicator's own currency is kept, the converted one named (the exchange rate would make them
    disagree, and a key given twice with two values is refused)."""
    own = {o.key() for o in result.observations if not needs_exchange_rate(o.source_unit, o.unit)}
    dropped = [o for o in result.observations if o.key() in own and needs_exchange_rate(o.source_unit, o.unit)]
    if dropped:
        result.observations = [o for o in result.observations if o not in dropped]
        converted = tuple(f"row {o.source_row} value: " for o in dropped)  # the conversion of what is not loaded
        result.notes = [n for n in result.notes if not n.startswith(converted)]
        listed = ", ".join(f"row {o.source_row} ({o.source_value} {o.source_unit})" for o in dropped)
        result.notes.append(f"not loaded, the same figure in another currency beside its own: {listed}")


def _rows(numbers: list[int]) -> str:
    return ("rows " if len(numbers) > 1 else "row ") + ", ".join(map(str, numbers))


def _release_date(get, named_dates, default_release_date, row_no, ctx) -> tuple[date | None, str]:
    """A row's release date and, when it is not the source's own words, how it was found."""
    if get("release_date"):
        try:
            return parse_date(get("release_date")), ""
        except ValueError as exc:
            ctx.error(row_no, "release_date", str(exc))
            return None, "error"
    source = get("source")
    said = find_release_date(re.sub(r"\S*://\S*", " ", source))
    if said:
        return said, ""
    if _source_key(source) in named_dates:
        return named_dates[_source_key(source)], "read with the release date another row gives the same source: {rows}"
    in_address, precision = _address_date(source)
    if in_address and precision == "day":
        return in_address, "read with the release date in the source's address: {rows}"
    if in_address:  # no later than the day it landed: this month's address is not a date to come
        latest = min(in_address, default_release_date) if default_release_date else in_address
        return latest, "read with the last day of the month in the source's address as release date: {rows}"
    if default_release_date:
        return default_release_date, (
            f"{LANDED_NOTE} nor its source for {{rows}}: the day it landed, {default_release_date}, is used"
        )
    return None, ""
