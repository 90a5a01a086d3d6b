"""Format 2: a city or county monthly statistics table (统计月报), CSV or XLSX, and its quarterly
variant (统计季报).

Layout: a title naming region and month, an optional 发布日期 row, a (merged) two-row header
``指标 | 单位 | 本月 (绝对数, 同比增长%) | 1-N月 (绝对数, 同比增长%)`` or the one-row variant
``指标 | 单位 | 本月 | 同比增长(%) | 1-本月 | 同比增长(%)``, data rows, then notes rows. A 统计季报 names a
quarter in its title (2022年三季度, 1-9月, 前三季度) and heads its columns ``本季度 | 1-本季度`` (or 前三季度).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from dagster_project.ingest.adapter_common import (
    STATS_OFFICE,
    RowContext,
    change_header_unit,
    figure_rows,
    find_title,
    first_text,
    is_note_row,
    is_remarks,
    name_period_conflict,
    release_or_error,
    table_release,
    table_unit,
    unkept_change,
)
from dagster_project.ingest.catalog import Catalog, Indicator
from dagster_project.ingest.document import Document
from dagster_project.ingest.models import ParseResult
from dagster_project.ingest.periods import Period, month_period, parse_period, shift_years, split_leading_period
from dagster_project.ingest.qualifiers import VINTAGE_LABELS, vintage_bound, vintage_note
from dagster_project.ingest.text import to_halfwidth
from dagster_project.ingest.units import needs_exchange_rate, unkept_change_reason, yoy_change_unit

__all__ = ["NAME", "sniff", "parse"]

NAME = "monthly_table"
# The month is written before the region, between it and the name, or after the name in brackets:
# "2023年6月株洲市主要经济指标", "株洲市2023年6月主要经济指标", "株洲市统计月报(2023年6月)"; the year
# may stand apart from the months: "2023年株洲市主要经济指标(1-6月)". A vintage label may close the title:
# "株洲市统计月报(2023年3月)(快报)" (every figure of the table is then that vintage).
# A 统计季报 names its quarter there too ("株洲市2022年第三季度统计季报", "2022年上半年株洲市主要经济指标"); a title
# naming no region ("2022年第三季度统计季报") is the region of the 统计局 the file names (数据来源：株洲市统计局).
_QUARTERS = r"(?:第?[1-4一二三四](?:[-~至到][1-4一二三四])?季度|前[二三两23]季度|[上下]半年)"
_SPAN = rf"\d{{4}}年(?:[^()]*?月|{_QUARTERS})"
_TITLE = re.compile(
    rf"^(?:(?P<before>{_SPAN})份?|(?P<year>\d{{4}})年)?(?P<region>[^()\d]*?)(?:(?P<between>{_SPAN})份?)?"
    rf"(?:统计月报|统计季报|主要经济指标)\s*\(?(?P<after>[^()]*?)\)?(?:\((?P<vintage>{VINTAGE_LABELS})\))?$"
)
# how often the table comes out, closing the title or the region's name: (季度), 分季度, (季报); not a period
_FREQUENCY = re.compile(r"(?:分|按)?季(?:度|报)(?:数据)?")
_FREQUENCY_IN_NAME = re.compile(r"(?:分|按)季度$")
_PLAN = re.compile(r"计划")
# what a column group's header has when it means a period (1-6月, 一季度, 上半年, 2023年, 本月, 累计)
_PERIOD_WORD = re.compile(r"\d|月|季|年|半|期|累计")
# last year's level of the group's period, published beside it (a later vintage of that figure)
_LAST_YEAR = re.compile(r"^(?:上年|去年)同(?:期|月)(?:数|值)?$")
# column groups named for the report month, or for the year so far: 本月(数), 当月; 累计(数), 1-本月, 本年累计
_THIS_MONTH = re.compile(r"^(?:本月|当月)(?:数|值)?$")
_SO_FAR = re.compile(r"^(?:(?:本年|自年初|1-本月|1至本月)?累计(?:数|值)?|1-本月|1至本月)$")
# a 统计季报's column groups: the report quarter alone (本季度, 本季, 当季), and the year to its end (1-本季度累计)
_THIS_QUARTER = re.compile(r"^(?:本|当)季度?(?:数|值)?$")
_QUARTER_SO_FAR = re.compile(r"^1(?:-|至)本季度?(?:累计)?(?:数|值)?$")


@dataclass(frozen=True)
class _Column:
    index: int
    label: str
    period: Period
    measure: str  # 'value' | 'yoy_pct' | 'plan_share_pct'
    unit: str  # a change's unit ('%', '百分点'); '' for a level, in the unit of its row


_FIRST_HEADER = ("指标", "指标名称", "主要指标", "项目", "项目名称")


def _header_row(doc: Document) -> int | None:
    """The header: 指标 then 单位, or 指标 alone under a line stating the table's unit (单位：亿元)."""
    return next(iter(_header_rows(doc, 15)), None)


def _header_rows(doc: Document, within: int | None = None) -> list[int]:
    """Every table's header on the sheet (an office may put 二、财政 under the first table, with its own);
    a header's second row (指标 merged down over two rows) is not another table's."""
    found = [
        i
        for i, row in enumerate(doc.rows[:within])
        if row and row[0].replace(" ", "") in _FIRST_HEADER and (_has_unit_column(row) or table_unit(doc, 0, i))
    ]
    return [i for i in found if i - 1 not in found]


def _has_unit_column(header: list[str]) -> bool:
    return "单位" in "".join(header[1:3])


@dataclass(frozen=True)
class _Title:
    row: int  # 0-based
    region: str
    period: str
    vintage: str = ""  # a vintage label closing the title (快报, 初步数 …)


def _find_title(doc: Document) -> _Title | None:
    """The title naming a region and its month ('' when none is found). The month may stand in the title
    or alone on a row between the title and the header ("株洲市统计月报" / "2023年6月")."""
    found = find_title(doc, _TITLE)
    if found is None:
        return None
    ti, m = found
    after = "" if _FREQUENCY.fullmatch(m["after"] or "") else m["after"]
    period = m["before"] or m["between"] or after
    if m["year"] and period and not re.match(r"\d{4}年", period):  # "2023年株洲市主要经济指标(1-6月)"
        period = f"{m['year']}年{period}"
    if not period:
        for row in doc.rows[ti + 1 : _header_row(doc) or ti + 1]:
            text = first_text(row).replace(" ", "")
            leading = split_leading_period(text)
            if leading and not leading[1]:  # the whole text is a period
                period = text
                break
    if not period and m["year"]:  # "2023年株洲市主要经济指标(季度)": a table of the year, its columns their periods
        period = f"{m['year']}年"
    region = _FREQUENCY_IN_NAME.sub("", m["region"])  # 株洲市分季度主要经济指标
    return _Title(ti, region, period, m["vintage"] or "")


def sniff(doc: Document) -> bool:
    return doc.kind == "table" and _find_title(doc) is not None and _header_row(doc) is not None


@dataclass(frozen=True)
class _Quarter:
    """The report quarter a title names, for a 统计季报's 本季度 / 1-本季度 columns: ``period`` the quarter alone
    (the period module's: 2022-Q3; Q1 alone is 2022-01~03), or None with ``why`` the title names none."""

    period: Period | None
    why: str = ""


def _report_quarter(title: Period, text: str, year_only: bool, jan_feb: bool) -> _Quarter:
    """The quarter a title's period ends with: a quarter, half-year or year so far ending in March, June,
    September or December (2022年三季度, 前三季度, 1-9月). A month's title (2022年5月, and 2022年9月: a month's
    report) names none, nor does a year's or a span ending within a quarter (1-5月)."""
    if year_only:
        return _Quarter(None, f"only the year {title.end.year}")
    if title.kind == "month":
        return _Quarter(None, f"the month {title.code}, no quarter")
    if jan_feb or title.end.month % 3:
        return _Quarter(None, f"{text}, which ends within a quarter")
    return _Quarter(parse_period(f"{title.end.year}-Q{title.end.month // 3}"))


def _group_period(
    label: str,
    title_period: Period,
    year_only: bool = False,
    month_less: str = "",
    quarter: _Quarter | None = None,
) -> Period:
    """A column group's period: 本月 / 1-本月 from the title's month, 本季度 / 1-本季度 from its quarter, else its
    own (一季度, 1-6月, 上半年). ``month_less``: the title's period when it names a quarter or half-year
    (2022年二季度), no month; ``quarter``: the quarter the title names (a 统计季报's)."""
    s = label.replace(" ", "")
    if _THIS_QUARTER.match(s) or _QUARTER_SO_FAR.match(s):
        quarter = quarter or _Quarter(None, "no quarter")
        if quarter.period is None:
            # read as the quarter the month falls in, a May table's 本季度 would store April-May as the quarter
            raise ValueError(
                f"{label} needs the report quarter, but the title names {quarter.why}: write the quarter in the "
                "title (2022年二季度, 1-6月), or head the columns with their periods (二季度, 上半年)"
            )
        if _THIS_QUARTER.match(s):
            return quarter.period
        return parse_period(f"1-{title_period.end.month}月", title_period.end.year)
    if (year_only and _SO_FAR.match(s)) or ((year_only or month_less) and _THIS_MONTH.match(s)):
        # read as December, a July table of the year would store its month's figures as December's; read as
        # June, a table of 二季度 would store the quarter's GDP as June's (its 累计 is the year to the quarter's end)
        named = f"{month_less}, no month" if month_less else f"only the year {title_period.end.year}"
        raise ValueError(
            f"{label} needs the report month, but the title names {named}: "
            "write the month in the title (2023年6月), or head the columns with their periods (二季度, 上半年)"
        )
    if _THIS_MONTH.match(s):
        return title_period
    if _SO_FAR.match(s):
        return parse_period(f"1-{title_period.end.month}月", title_period.end.year)
    return parse_period(s, title_period.end.year)


def _columns(
    doc: Document,
    hi: int,
    title_period: Period,
    ctx: RowContext,
    year_only: bool = False,
    month_less: str = "",
    quarter: _Quarter | None = None,
) -> tuple[list[_Column], int]:
    """Column specs and the index of the first data row; ``year_only``: the title names a year, no month."""
    head = doc.rows[hi]
    sub = doc.rows[hi + 1] if hi + 1 < len(doc.rows) else []
    first_value = 2 if _has_unit_column(head) else 1
    two_rows = any(change_header_unit(c) or c in ("绝对数", "数值", "本期") for c in sub[first_value:])
    cols: list[_Column] = []
    group = ""
    for j in range(first_value, len(head)):
        top = head[j]
        if two_rows:
            group = top or group  # CSV merges show as blanks: the group label carries to the right
            label, kind = f"{group}/{sub[j]}", sub[j]  # rows are padded to one width
        else:
            if not top:
                continue
            if change_header_unit(top) or _PLAN.search(top) or _LAST_YEAR.match(top.replace(" ", "")):
                label, kind = f"{group}/{top}", top
            else:
                group, label, kind = top, top, ""
        if not group:
            continue
        if is_remarks(group):
            ctx.result.notes.append(f"row {hi + 1} {label}: not read, remarks (备注), not figures")
            continue
        change = change_header_unit(kind) if kind else None
        unkept = unkept_change(kind) if change else None
        if unkept:
            ctx.result.notes.append(f"row {hi + 1} {label}: not read, {unkept}")
            continue
        if _PLAN.search(kind):
            measure, unit = "plan_share_pct", "%"
        elif change in ("%", "百分点"):
            measure, unit = "yoy_pct", change
        elif change:  # 比上年增减(家): a change in the level's own terms, which no measure holds
            note = f"not read, a change in {change} is no measure (% and 百分点 are)"
            ctx.result.notes.append(f"row {hi + 1} {label}: {note}")
            continue
        else:
            measure, unit = "value", ""
        try:
            period = _group_period(group, title_period, year_only, month_less, quarter)
        except ValueError as exc:
            if year_only or _PERIOD_WORD.search(group):  # a period miswritten (1-13月): its figures would be lost
                ctx.error(hi + 1, label, f"column period: {exc}")
            else:  # 全省位次, 企业单位数: a column no layout reads, left out and named, as the province table does
                ctx.result.notes.append(
                    f"row {hi + 1} {label}: not read, a column of no period (本月, 1-本月, 1-6月 …)"
                )
            continue
        if _LAST_YEAR.match(kind.replace(" ", "")):
            period = shift_years(period, -1)
        cols.append(_Column(j, label, period, measure, unit))
    return cols, hi + (2 if two_rows else 1)


_SUB_ITEM = re.compile(r"^(?:#|其中)")


def _is_sub_item(doc: Document, r: int, name: str) -> bool:
    """A row the table lists as a part of the row above it: "#出口", "其中：税收收入", or indented."""
    return bool(_SUB_ITEM.match(name.strip())) or r in doc.indented_rows


def _sub_item_problem(catalog: Catalog, ind: Indicator, parent: tuple[int, str, str | None] | None) -> str | None:
    """Why a sub-item row is not the catalogued indicator it names: a part is the part of its parent row, so
    税收收入 under 一般公共预算收入 (全口径) is not tax_revenue, the part of 地方一般公共预算收入 (the indicator's
    parent_code in seeds/indicators.csv). None when the row above it is that parent."""
    if parent is None:
        return "a sub-item with no row above it"
    row, name, code = parent
    if ind.parent_code and code == ind.parent_code:
        return None
    if not ind.parent_code:
        return f"a sub-item of {name} (row {row}); {ind.code} is no part of another indicator in seeds/indicators.csv"
    parent_ind = catalog.indicator(ind.parent_code)
    expected = parent_ind.name_zh if parent_ind else ind.parent_code
    return f"a sub-item of {name} (row {row}), not of {expected} ({ind.code}'s parent in seeds/indicators.csv)"


_VINTAGE_WORD = re.compile(VINTAGE_LABELS)


def _footnote_vintages(doc: Document, first: int, end: int) -> list[str]:
    """Notes for the table's footnotes that label figures a vintage (注：地区生产总值为初步核算数, 注：数据为快报数):
    the figures are read as published and the note is kept with the release; which figures a footnote names is
    its own words', so no figure's bound changes (a 预计 cell is approximate, a footnote's 预计 only noted)."""
    notes, in_note = [], False
    for r in range(first, end):
        row = doc.rows[r]
        text = row[0].strip() if row else ""
        if not text:
            continue
        if is_note_row(text):
            in_note = True
        elif not in_note or any(row[1:]):  # a row of figures; a note's further lines are text in the first cell
            in_note = False
            continue
        label = _VINTAGE_WORD.search(to_halfwidth(text).replace(" ", ""))
        if label and (said := vintage_note(label[0])):
            notes.append(f"row {r + 1} footnote {text!r}: {said} (the figures it names, read as published)")
    return notes


def _indicators_in_own_currency(catalog: Catalog, rows: list[tuple[int, list[str], str]]) -> set[str]:
    """The indicators the table gives in their own currency, on a row of their own."""
    found = set()
    for _, row, unit in rows:
        code = catalog.resolve_indicator(row[0])
        ind = catalog.indicator(code) if code else None
        if ind is not None and not needs_exchange_rate(unit, ind.unit):
            found.add(ind.code)
    return found


def parse(doc: Document, catalog: Catalog, default_release_date: date | None = None) -> ParseResult:
    result = ParseResult(adapter=NAME)
    ctx = RowContext(catalog, result, doc.source_file, default_release_date)
    found, hi = _find_title(doc), _header_row(doc)
    if found is None or hi is None:
        ctx.error(None, "", "not a monthly statistics table: title or 指标/单位 header not found")
        return result
    ti = found.row
    place = found.region or _office_place(doc)
    if not place:
        reason = "the title names no region, nor does the file name one 统计局 (数据来源：株洲市统计局)"
        ctx.error(ti + 1, "title", reason)
        return result
    region = catalog.resolve_region(place)
    if region is None:
        where = "in the title" if found.region else "of the 统计局 the file names"
        ctx.error(ti + 1, "title", f"unknown region {place!r} {where}")
        return result
    if not found.period:
        ctx.error(ti + 1, "title", "the title names no month: write it in the title or alone on the row below")
        return result
    try:
        title_period = parse_period(found.period)
    except ValueError as exc:
        ctx.error(ti + 1, "title", f"title period: {exc}")
        return result
    # The title names the report month; cumulative columns derive from it. January and February are
    # published together (春节): in a 1-2月 release 本月 is the two months, not February alone.
    jan_feb = title_period.kind == "ytd" and (title_period.start.month, title_period.end.month) == (1, 2)
    # a table of the year ("2023年株洲市主要经济指标(季度)": 一季度 | 上半年 | 前三季度 | 全年) names no report month
    year_only = title_period.kind == "year"
    # a title of a quarter or half-year (2022年二季度, 上半年, 前三季度; not 1-6月, a month's report) names no month
    month_less = found.period if title_period.kind not in ("year", "month") and "月" not in found.period else ""
    # a 统计季报's quarter (2022年三季度, 1-9月: 2022-Q3), for its 本季度 / 1-本季度 columns
    quarter = _report_quarter(title_period, found.period, year_only, jan_feb)
    if title_period.kind != "month" and not jan_feb:
        title_period = month_period(title_period.end.year, title_period.end.month)
    conflict = name_period_conflict(doc.source_file, title_period)
    if conflict:
        ctx.error(ti + 1, "title", conflict)
        return result
    if not release_or_error(ctx, doc, lambda: table_release(doc, ti, hi, default_release_date)):
        return result
    if found.vintage:  # named once in the title, as a cell's label would be in the cell (3105.8(初步核算))
        estimate = "; kept as approximate" if vintage_bound(found.vintage, "eq") != "eq" else ""
        note = f"{vintage_note(found.vintage)}{estimate}: every figure of the table"
        result.notes.append(f"row {ti + 1} title: {note}")
    headers = [h for h in _header_rows(doc) if h >= hi]
    for hi, end in zip(headers, [*headers[1:], len(doc.rows)], strict=True):
        _parse_table(
            doc, ctx, catalog, region, title_period, ti, hi, end, found.vintage, year_only, month_less, quarter
        )
    return result


def _office_place(doc: Document) -> str:
    """The place of the statistics office the file names (数据来源：株洲市统计局), for a title naming no region;
    '' when it names none, or offices of several places (whose table it is is not guessed)."""
    text = to_halfwidth("\n".join(" ".join(row) for row in doc.rows)).replace(" ", "")
    places = {m["place"] for m in STATS_OFFICE.finditer(text)}
    return places.pop() if len(places) == 1 else ""


def _parse_table(
    doc: Document,
    ctx: RowContext,
    catalog: Catalog,
    region: str,
    title_period: Period,
    ti: int,
    hi: int,
    end: int,
    vintage: str = "",
    year_only: bool = False,
    month_less: str = "",
    quarter: _Quarter | None = None,
) -> None:
    """One table of the sheet: its header at ``hi``, its rows up to ``end`` (the next table's header);
    ``vintage`` the label its title gives every figure (预计 makes each approximate, as a 预计 cell);
    ``year_only``: the title names the year alone, whose columns name their periods (一季度 … 全年) up to any
    quarter or month so far (a July table of the year has 一季度 | 上半年)."""
    cols, first = _columns(doc, hi, title_period, ctx, year_only, month_less, quarter)
    if not cols:
        ctx.error(hi + 1, "", "no value columns found in the header")
    elif not year_only and all(c.period.end.month != title_period.end.month for c in cols):
        # 9月 | 1-9月 under a title of 2023年10月: last month's template, or the wrong title
        named = ", ".join(dict.fromkeys(c.period.code for c in cols))
        ctx.error(hi + 1, "", f"the columns name {named}, none the title's month {title_period.code}: a stale header?")
        return
    # a row names its unit in the 单位 column; a table may state one for all rows (单位：万元) instead
    unit_of_table = table_unit(doc, ti, hi)
    unit_column = _has_unit_column(doc.rows[hi])
    rows = [
        (r, row, (row[1] if unit_column else "") or unit_of_table) for r, row in figure_rows(doc, ctx, first, hi, end)
    ]
    ctx.result.notes.extend(_footnote_vintages(doc, first, end))
    in_own_currency = _indicators_in_own_currency(catalog, rows)
    parent: tuple[int, str, str | None] | None = None  # the row above the sub-items: (row, name, its code)
    for r, row, unit in rows:
        name = row[0]
        indicator = catalog.resolve_indicator(name)
        sub_item = _is_sub_item(doc, r, name)
        if not sub_item:
            parent = (r + 1, name.strip(), indicator)
        if indicator is None:
            ctx.skip_untracked(r + 1, name.strip())
            continue
        ind = catalog.indicator(indicator)
        if sub_item and ind is not None:
            why = _sub_item_problem(catalog, ind, parent)
            if why:
                ctx.result.notes.append(f"row {r + 1} {name.strip()}: not read, {why}")
                continue
        if indicator in in_own_currency and ind is not None and needs_exchange_rate(unit, ind.unit):
            # 进出口总额 in 亿元 and again in 亿美元: the row in the indicator's own currency is the figure (a
            # second one would be a duplicate), and the dollar row's growth is not the yuan series' growth
            ctx.result.notes.append(f"row {r + 1} {name.strip()} ({unit}): not read, the table gives it in {ind.unit}")
            continue
        in_dollars = ind is not None and needs_exchange_rate(unit, ind.unit)
        given: dict[tuple[str, str], str] = {}  # 本月 and 1-本月 of a 1-2月 release are one period
        for col in cols:
            cell, col_unit = doc.raw(r, col.index), col.unit or unit
            key, text = (col.period.code, col.measure), doc.cell(r, col.index).replace(" ", "")
            if in_dollars and col.measure == "yoy_pct" and cell.strip():
                # the level converts at the year's rate; its growth in dollars is not the yuan series' growth
                ctx.result.notes.append(f"row {r + 1} {col.label}: not read, a growth in {unit} terms")
                continue
            if col.measure == "yoy_pct" and ind is not None and cell.strip():
                written = "百分点" if "百分点" in cell else col_unit
                kept = yoy_change_unit(ind.unit, written)
                if kept is None:  # a rate's change in %, or a level's in 百分点 (its growth rate's change)
                    ctx.result.notes.append(f"row {r + 1} {col.label}: not read, {unkept_change_reason(written)}")
                    continue
                col_unit = kept
            if given.get(key):  # the same figure twice is read once; two figures for one period are an error
                if text and text != given[key]:
                    reason = f"{col.period.code} is given twice with different figures: {given[key]} and {text}"
                    ctx.error(r + 1, col.label, reason)
                continue
            given[key] = text
            ctx.add(
                indicator=indicator,
                region=region,
                period=col.period,
                measure=col.measure,
                cell=cell,
                unit=col_unit,
                row=r + 1,
                column=col.label,
                vintage=vintage,
            )
