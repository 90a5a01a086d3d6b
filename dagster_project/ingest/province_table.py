"""Format 3: the province's table of cities (市州表), CSV or XLSX.

The title names the indicator and the (cumulative) period; 比上年同月 columns are the period's
last month, 比上年同期 columns the title's period; 位次 ranks the column just before it, 总量位次 and
增速位次 the nearest level and growth column to their left.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from dagster_project.ingest.adapter_common import (
    RowContext,
    change_header_unit,
    figure_rows,
    find_title,
    is_park,
    is_remarks,
    name_period_conflict,
    rank_header,
    release_or_error,
    split_header_unit,
    table_release,
    table_unit,
    unkept_change,
)
from dagster_project.ingest.catalog import Catalog
from dagster_project.ingest.document import Document
from dagster_project.ingest.models import ParseResult
from dagster_project.ingest.periods import Period, last_month, parse_period, split_leading_period
from dagster_project.ingest.units import needs_exchange_rate, unkept_change_reason, yoy_change_unit

__all__ = ["NAME", "sniff", "parse", "unplaced_header"]

NAME = "province_table"
# The period comes before 各市州 / 分市州 / 各市(州) ("2023年1-6月湖南省各市州…", "湖南省2022年1-8月分市州…") or
# right after it ("全省各市州2023年1-6月…"); a province's name may open the title before the period.
_TITLE = re.compile(r"^(?P<before>.*?)[各分]市(?:州|\(州\))(?P<after>.+?)$")
_PROVINCE_FIRST = re.compile(r"^(?:全省|[\u4e00-\u9fff]{2,3}省)")
# what offices head the column of places with: one vocabulary, for detection and for the error naming a header
PLACE_HEADERS = ("市州", "市(州)", "地区", "单位", "市州名称", "城市", "地市", "市州别")
_TITLE_SUFFIX = re.compile(r"(增长速度|增速|增长情况|完成情况|主要指标|情况|排位|排名)$")
_GROWTH_WORDS = re.compile(r"(?:比上年同[月期])?(?:增长|增速|增幅)(?:速度)?$")
# a level column that names no indicator of its own is the title's: 总量(亿元), 绝对值, (亿元)
_GENERIC_LEVEL = re.compile(r"(?:总量|总额|绝对值|绝对数|数值|本期|金额|累计)?")
_SUB_LEVEL = re.compile(r"总量|总额|绝对值|绝对数|数值|本期|金额|累计|现价")
# rows summing several cities (长株潭地区, 洞庭湖地区, 大湘西地区, 四大板块) or of a park or zone (株洲高新区,
# 湘江新区): no region of the catalogue; any other unknown name (a typo such as 株州市) still refuses the table
_GROUP_OF_CITIES = re.compile(r"(?:地区|板块|经济区|城市群|片区)$")
_TOTAL_ROW = re.compile(r"^(?:全省)?(?:合计|总计|小计)$")  # the table's sum: the province's row is 全省


@dataclass(frozen=True)
class _Column:
    index: int
    label: str
    indicator: str
    period: Period
    measure: str
    unit: str


def _header_row(doc: Document) -> int | None:
    for i, row in enumerate(doc.rows[:10]):
        if row and row[0].replace(" ", "") in PLACE_HEADERS:
            return i
    return None


def _is_sub_header(cell: str) -> bool:
    """A cell of a header's second row: 绝对值 / 总量(亿元), 增长(%) / 增速, 位次; not a figure."""
    name, _ = split_header_unit(cell)
    return rank_header(cell) is not None or change_header_unit(cell) is not None or bool(_SUB_LEVEL.fullmatch(name))


def _header_labels(doc: Document, hi: int) -> tuple[list[str], int]:
    """Each column's header and the first data row. A two-row header (``市州 | 1-5月`` merged over ``绝对值 |
    增长(%) | 位次``, as an office lays out a period or an indicator over its columns) reads as one row: the group
    and its sub-header (``1-5月增长(%)``; a level ``1-5月(亿元)``, a rank ``位次`` alone, as in one row)."""
    head = doc.rows[hi]
    sub = doc.rows[hi + 1] if hi + 1 < len(doc.rows) else []
    filled = [c for c in sub[1:] if c]
    if not sub or sub[0] not in ("", head[0]) or not filled or not all(_is_sub_header(c) for c in filled):
        return head, hi + 1
    labels, group = [head[0]], ""
    for top, below in zip(head[1:], sub[1:], strict=True):
        group = top or group  # a CSV shows a merge as blanks to its right (a workbook repeats the group)
        if not below or below == top:  # one column over both rows (位次 merged down)
            labels.append(top)
        elif rank_header(below) is not None:
            labels.append(below)
        elif change_header_unit(below) is None:
            unit = split_header_unit(below)[1]
            labels.append(f"{group}({unit})" if unit else group)
        else:
            labels.append(f"{group}{below}")
    return labels, hi + 2


def unplaced_header(doc: Document) -> str | None:
    """Why a table titled as the province's table of cities was not read: the header cells it could not place
    (the first row with two or more cells under the title). None when the title is not one, or the header is
    known."""
    if doc.kind != "table" or _header_row(doc) is not None:
        return None
    found = find_title(doc, _TITLE)
    if found is None:
        return None
    ti = found[0]
    r = next((i for i in range(ti + 1, min(len(doc.rows), ti + 10)) if sum(1 for c in doc.rows[i] if c) >= 2), None)
    if r is None:
        return f"a table of cities (title in row {ti + 1}) with no header row of 市州 and figures under it"
    cells = ", ".join(repr(c) for c in doc.rows[r] if c)
    return (
        f"a table of cities (title in row {ti + 1}) whose header is not known: row {r + 1} ({cells}); its first "
        f"cell {doc.rows[r][0]!r} is none of the headers of places ({', '.join(PLACE_HEADERS)})"
    )


def sniff(doc: Document) -> bool:
    return doc.kind == "table" and find_title(doc, _TITLE) is not None and _header_row(doc) is not None


def parse(doc: Document, catalog: Catalog, default_release_date: date | None = None) -> ParseResult:
    result = ParseResult(adapter=NAME)
    ctx = RowContext(catalog, result, doc.source_file, default_release_date)
    found, hi = find_title(doc, _TITLE), _header_row(doc)
    if found is None or hi is None:
        ctx.error(None, "", "not a province table of cities: title or 市州 header not found")
        return result
    ti, m = found
    before = split_leading_period(_PROVINCE_FIRST.sub("", m["before"]))
    after = split_leading_period(m["after"])
    if before is None and after is None:
        ctx.error(ti + 1, "title", f"title names no period before or after 各市州: {m[0]!r}")
        return result
    period, title_name = (before[0], m["after"]) if before else after
    title_name = _TITLE_SUFFIX.sub("", split_header_unit(title_name)[0])
    unit_of_table = table_unit(doc, ti, hi)  # 各市州进出口总额(亿美元), 单位：亿元: for columns naming no unit
    title_indicator = catalog.resolve_indicator(title_name)
    conflict = name_period_conflict(doc.source_file, period)
    if conflict:
        ctx.error(ti + 1, "title", conflict)
        return result
    if not release_or_error(ctx, doc, lambda: table_release(doc, ti, hi, default_release_date)):
        return result

    cols: list[_Column] = []
    skipped: set[int] = set()  # columns of indicators the warehouse does not track
    unkept_cols: set[int] = set()  # growth columns of tracked indicators left out with a note (环比, 亿美元 terms)
    kinds: dict[int, str] = {}  # each level or growth column's measure, kept or skipped (what a 位次 ranks)
    last_level: str | None = None  # the indicator of the nearest level column to the left ("" untracked)
    level_units: dict[str, str] = {}  # each indicator's level unit, as its level column gives it
    labels, first = _header_labels(doc, hi)
    # beside a 比上年同月 column, 比上年同期 is the year so far even under a title naming one month ("2023年5月各市州…":
    # 同月 May, 同期 1-5月), as a 统计月报's 本月 | 1-本月; read as May too, the two growths clashed as one figure's
    same_month = any("同月" in label for label in labels)
    for j, label in enumerate(labels):
        if j == 0 or not label:
            continue
        if is_remarks(label):  # text about a row, not an indicator to add to seeds/
            skipped.add(j)
            ctx.result.notes.append(f"column {label}: not read, remarks (备注), not figures")
            continue
        name, unit = split_header_unit(label)
        # a column may name its own period: "6月增速(%)", "1-6月增速(%)", "二季度增速(%)", "上半年增速(%)"
        own = split_leading_period(name, period.end.year) if re.match(r"[\d一二三四上下前全]", name) else None
        column_period, name = own if own else (period, name)
        # a growth column is the growth of the indicator it names ("规模工业增加值增速"), else of the level
        # column nearest to its left, else of the title's indicator
        stripped = _GROWTH_WORDS.sub("", name)
        named = catalog.resolve_indicator(stripped) if stripped else None
        grows = named or (last_level if last_level is not None else title_indicator or title_name)
        ranks = rank_header(label)
        change = change_header_unit(label) if ranks is None else None
        if ranks is not None:
            # 总量位次 / 增速位次 rank the nearest level / growth column to the left, 位次 the column before it
            wanted = {"总量": "value", "增速": "yoy_pct"}.get(ranks)
            left = [k for k in sorted(kinds, reverse=True) if wanted is None or kinds[k] == wanted]
            if left and left[0] in skipped:
                skipped.add(j)
                if left[0] in unkept_cols:  # an untracked indicator's rank is named with it; this one is said here
                    ctx.result.notes.append(f"column {label}: not read, it ranks {labels[left[0]]}, not read")
                continue
            ranked = next((c for c in cols if left and c.index == left[0] and (wanted or c.index == j - 1)), None)
            if ranked is None:
                ctx.error(hi + 1, label, "位次 column has no value column before it")
                continue
            measure = "yoy_rank" if ranked.measure == "yoy_pct" else "rank"
            cols.append(_Column(j, label, ranked.indicator, ranked.period, measure, ""))
        elif change or "同月" in name or "同期" in name:
            kinds[j] = "yoy_pct"
            unkept = unkept_change(label)
            if unkept:  # 环比增长(%), 现价增长(%): its 位次 is skipped with it
                skipped.add(j)
                unkept_cols.add(j)
                ctx.result.notes.append(f"column {label}: not read, {unkept}")
                continue
            grown = catalog.indicator(grows) if grows else None
            if grown is not None and change in ("%", "百分点") and yoy_change_unit(grown.unit, change) is None:
                # 增速比上年提高(百分点) of a level: its growth rate's change; a rate's change in %: points or relative
                skipped.add(j)
                unkept_cols.add(j)
                ctx.result.notes.append(f"column {label}: not read, {unkept_change_reason(change)}")
                continue
            if not grows or change not in (None, "%", "百分点"):
                skipped.add(j)
                ctx.skip_untracked(hi + 1, label)
                continue
            ind, level_unit = catalog.indicator(grows), level_units.get(grows, unit_of_table)
            if ind is not None and needs_exchange_rate(level_unit, ind.unit):
                # the level converts at the year's rate; its growth in dollars is not the yuan series' growth
                skipped.add(j)
                unkept_cols.add(j)
                ctx.result.notes.append(f"column {label}: not read, a growth in {level_unit} terms")
                continue
            growth_period = last_month(column_period) if "同月" in name else column_period
            if "同期" in name and same_month and column_period.kind == "month" and column_period.end.month > 1:
                growth_period = parse_period(f"{column_period.end.year}年1-{column_period.end.month}月")
            cols.append(_Column(j, label, grows, growth_period, "yoy_pct", change or "%"))
        else:  # a level column names its own indicator and unit (地区生产总值(亿元)), or is the title's (总量)
            generic = _GENERIC_LEVEL.fullmatch(name)
            code = catalog.resolve_indicator(name) or ((title_indicator or title_name) if generic else None)
            last_level = code or ""
            kinds[j] = "value"
            if not code:
                skipped.add(j)
                ctx.skip_untracked(hi + 1, label)
                continue
            level_units[code] = unit or unit_of_table
            cols.append(_Column(j, label, code, column_period, "value", unit or unit_of_table))
    if title_indicator is None and any(c.indicator == title_name for c in cols):
        ctx.error(ti + 1, "title", f"unknown indicator {title_name!r} in the title")
        return result

    for r, row in figure_rows(doc, ctx, first, hi):
        if _TOTAL_ROW.match(row[0].replace(" ", "")):
            ctx.result.notes.append(f"row {r + 1} {row[0].strip()}: not read, a total row (全省 is the province's)")
            continue
        if catalog.resolve_region(row[0]) is None and (_GROUP_OF_CITIES.search(row[0].strip()) or is_park(row[0])):
            ctx.skip_untracked(r + 1, row[0].strip())  # 长株潭地区, 大湘西地区: groups of cities, not places
            continue
        if row[0].replace(" ", "") == "全省" and catalog.resolve_region("全省") is None:
            note = "not read, the province's figure (no province in seeds/regions.csv)"
            ctx.result.notes.append(f"row {r + 1} 全省: {note}")
            continue
        clash = catalog.region_clash(row[0])
        if clash:
            ctx.error(r + 1, row[0].strip(), clash)
            continue
        region = ctx.region_code(row[0])
        for col in cols:
            ctx.add(
                indicator=col.indicator,
                region=region,
                period=col.period,
                measure=col.measure,
                cell=doc.raw(r, col.index),
                unit=col.unit,
                row=r + 1,
                column=col.label,
            )
    return result
