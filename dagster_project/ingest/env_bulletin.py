"""Format 4: environmental bulletins (HTML): air-quality 通报 and surface-water 监测月报.

Parsed with the stdlib ``html.parser`` (lxml/bs4 are not installed). ``source_row`` is the line
of the HTML source where the table row or paragraph starts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from html.parser import HTMLParser

from dagster_project.ingest.adapter_common import (
    ProseCoverage,
    RowContext,
    clause_regions,
    drop_repeats,
    find_release_date,
    find_source,
    has_illustrative_marker,
    is_note_row,
    is_park,
    landed_note,
    name_period_conflict,
    prose_sentences,
    region_at,
    release_or_error,
    split_header_unit,
)
from dagster_project.ingest.catalog import Catalog, normalize_name
from dagster_project.ingest.document import Document
from dagster_project.ingest.models import Observation, ParseResult
from dagster_project.ingest.periods import Period, parse_period, shift_years
from dagster_project.ingest.qualifiers import vintage_note
from dagster_project.ingest.text import superscript, to_halfwidth
from dagster_project.ingest.validate import days_in_period

__all__ = ["NAME", "sniff", "parse", "BulletinHTML", "page_release", "read_html"]

NAME = "env_bulletin"
# Offices title a bulletin region first ("株洲市2023年7月地表水监测月报") or month first
# ("2023年7月株洲市环境空气质量状况"), and also for a quarter or half-year ("株洲市2023年第二季度环境空气质量状况",
# "株洲市2023年上半年…"): the period is read by periods.py.
# a year's bulletin too: 2020年度, or 2020年 with no month after it (株洲市2020年环境空气质量状况); a 月 later in the
# title (…质量月报) leaves it to the month's alternative, as before
_TITLE_PERIOD = r"\d{4}年度|\d{4}年(?:第?[一二三四1-4]季度|[上下]半年|前三季度|全年|年度|.+?月)|\d{4}年(?!.*月)"
_TITLES = (
    re.compile(rf"^(?P<region>.+?(?:市|县|区|州))(?P<period>{_TITLE_PERIOD})(?P<rest>.*)$"),
    re.compile(rf"^(?P<period>{_TITLE_PERIOD})份?(?P<region>.+?(?:市|县|区|州))(?P<rest>.*)$"),
)


def _title_parts(title: str) -> re.Match[str] | None:
    """The region, period and rest of a bulletin's title, or None when it names no region and month."""
    text = to_halfwidth(title).replace(" ", "")
    return next((m for m in (t.match(text) for t in _TITLES) if m), None)


@dataclass
class BulletinHTML:
    title: str = ""
    meta: dict[str, str] = field(default_factory=dict)
    release_date_text: str = ""
    paragraphs: list[tuple[int, str]] = field(default_factory=list)
    tables: list[list[tuple[int, list[str]]]] = field(default_factory=list)
    text: str = ""
    images: list[tuple[int, str]] = field(default_factory=list)  # (line, src) of each <img>


# Tags that end a block of text: loose text between them is one paragraph.
_BLOCKS = frozenset(
    {"div", "br", "p", "li", "ul", "ol", "table", "tr", "section", "article", "header", "footer", "main"}
    | {"h1", "h2", "h3", "h4", "h5", "h6", "body", "html"}
)


def _span(value: str | None) -> int:
    """A colspan/rowspan attribute: a whole number from 1 to 100 (anything else counts as 1)."""
    return int(value) if value and value.strip().isdigit() and 1 <= int(value) <= 100 else 1


class _Parser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out = BulletinHTML()
        self._stack: list[str] = []
        self._buf: list[str] | None = None  # text of the current <p>/<td>/<title>/release span
        self._buf_line = 0
        self._row: list[str] | None = None
        self._row_line = 0
        # merged cells: a cell spanning columns is repeated across them, one spanning rows is carried down
        # (column -> text, rows still to fill), so every row of a table has its cells at their columns
        self._colspan = 1
        self._rowspan = 1
        self._carried: dict[int, tuple[str, int]] = {}
        self._text: list[str] = []
        self._capture: str | None = None
        self._sup = 0  # inside <sup>: a footnote number (3616.8亿元<sup>1</sup>) was read as the figure's digit
        # Text outside <p> and tables (a <div> with <br> lines, as many sites publish), one paragraph per block
        self._loose: list[str] = []
        self._loose_line = 0
        self._hidden = 0  # inside <script>/<style>

    def _flush_loose(self) -> None:
        text = re.sub(r"\s+", " ", "".join(self._loose)).strip()
        if text:
            self.out.paragraphs.append((self._loose_line, text))
        self._loose = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "meta" and a.get("name"):
            self.out.meta[a["name"].lower()] = a.get("content", "")
            return
        if tag in ("script", "style"):
            self._hidden += 1
        if tag == "sup":
            self._sup += 1
        if tag == "img":
            self.out.images.append((self.getpos()[0], a.get("src", "")))
        if tag in _BLOCKS:
            self._flush_loose()
        if tag == "table":
            self.out.tables.append([])
            self._carried = {}
        elif tag == "tr":
            self._row, self._row_line = [], self.getpos()[0]
        elif tag in ("td", "th", "p", "title") or "release-date" in a.get("class", "").split():
            self._capture = tag if tag in ("td", "th", "p", "title") else "release"
            self._buf, self._buf_line = [], self.getpos()[0]
            if tag in ("td", "th"):
                self._colspan, self._rowspan = _span(a.get("colspan")), _span(a.get("rowspan"))
        elif tag == "br" and self._buf is not None:
            self._buf.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._hidden = max(0, self._hidden - 1)
        if tag == "sup":
            self._sup = max(0, self._sup - 1)
        if tag in _BLOCKS:
            self._flush_loose()
        if self._buf is not None and (tag == self._capture or (self._capture == "release" and tag == "span")):
            text = re.sub(r"\s+", " ", "".join(self._buf)).strip()
            if self._capture in ("td", "th") and self._row is not None:
                self._fill_carried()
                for _ in range(self._colspan):
                    if self._rowspan > 1:
                        self._carried[len(self._row)] = (text, self._rowspan - 1)
                    self._row.append(text)
            elif self._capture == "p":
                self.out.paragraphs.append((self._buf_line, text))
            elif self._capture == "title":
                self.out.title = text
            else:
                self.out.release_date_text = text
            self._buf, self._capture = None, None
        elif tag == "tr" and self._row is not None:
            self._fill_carried(to_end=True)
            if self.out.tables and any(self._row):
                self.out.tables[-1].append((self._row_line, self._row))
            self._row = None

    def _fill_carried(self, to_end: bool = False) -> None:
        """The cells of rows above that span down into this row, at the columns the row has reached."""
        assert self._row is not None
        while len(self._row) in self._carried or (to_end and any(c >= len(self._row) for c in self._carried)):
            column = len(self._row)
            text, left = self._carried.pop(column, ("", 0))
            if left > 1:
                self._carried[column] = (text, left - 1)
            self._row.append(text)

    def handle_data(self, data: str) -> None:
        data = superscript(data) if self._sup else data
        self._text.append(data)
        if self._buf is not None:
            self._buf.append(data)
        elif self._row is None and not self._hidden and data.strip():
            if not self._loose:
                self._loose_line = self.getpos()[0]
            self._loose.append(data)

    def close(self) -> None:
        super().close()
        self._flush_loose()
        self.out.text = " ".join(self._text)


def page_release(html: BulletinHTML, default_release_date: date | None) -> tuple[date | None, bool, str, str]:
    """A web page's release, as :func:`adapter_common.table_release` gives a table's: its date (发布时间,
    else the default), whether it is marked illustrative, its source (the publisher meta, else 来源 in
    the text, with the title and the page's own date) and a note when the default date stands in."""
    own = find_release_date(html.release_date_text or html.text)
    note = landed_note(default_release_date) if own is None and default_release_date else ""
    release_date = own or default_release_date
    publisher = html.meta.get("publisher") or html.meta.get("author") or ""
    illustrative = html.meta.get("provenance", "").lower() == "illustrative" or has_illustrative_marker(html.text)
    # the paragraphs one per line (a signature line is a paragraph of its own), then the rest of the page
    text = "\n".join([*(t for _, t in html.paragraphs), html.text])
    source = find_source(f"发布单位：{publisher}" if publisher.strip() else text, html.title, own)
    return release_date, illustrative, source, note


def read_html(text: str) -> BulletinHTML:
    p = _Parser()
    p.feed(text)
    p.close()
    return p.out


def sniff(doc: Document) -> bool:
    if doc.kind != "html":
        return False
    title = read_html(doc.text).title
    return bool(_title_parts(title)) and bool(re.search(r"空气|地表水|水质", title))


# --- air ---------------------------------------------------------------------------------------
_PERIOD_PREFIX = re.compile(
    r"^(?P<p>(?:\d{4}年)?(?:\d{1,2}(?:[-至到~]\d{1,2})?月(?:份)?|一季度|上半年|前三季度|全年))[,:]?"
)
_RATIO = re.compile(
    r"(?:空气质量)?(?:优良率|达标率|优良天数比例|达标\(优良\)率)(?:为|是|达到|达)?\s*(?P<v>\d+(?:\.\d+)?\s*%)"
)


# Used with .match(text, pos): it must directly follow the ratio it qualifies. It may name last year's
# rate ("较上年同期83.9%下降12.9%"): that is the same month a year earlier, published here, and it tells
# whether a change written with "%" is in points (83.9 - 71.0 = 12.9) or relative.
def _change_after(last_year_unit: str) -> re.Pattern[str]:
    return re.compile(
        rf"[,]?\s*(?:(?:较|比)(?:上年|去年)同期|同比)(?:(?P<prev>\d+(?:\.\d+)?)\s*(?:{last_year_unit}))?"
        r"(?P<dir>上升|提高|增加|增长|下降|降低|减少)\s*(?P<v>\d+(?:\.\d+)?)\s*(?P<unit>个?百分点|%)"
    )


_CONCENTRATION_UNIT = r"微克/立方米|[μµu]g/m[3³]"
_CHANGE = _change_after("%")
_PM25_CHANGE = _change_after(_CONCENTRATION_UNIT)  # "较上年同期40微克/立方米下降5.0%"
_DAYS = re.compile(r"优良天数(?:为|是|达|共)?\s*(?P<v>\d+)\s*天")
# "PM2.5平均浓度", also by its name: "细颗粒物(PM2.5)平均浓度", "细颗粒物平均浓度"; a month's "月均浓度"; a span's
# "累计平均浓度" / "年均浓度" (read for the span the sentence names, never for the bulletin's month)
_PM25 = re.compile(
    r"(?:细颗粒物\s*(?:[(（]\s*PM2\.5\s*[)）])?|PM2\.5)\s*(?P<span>累计|年)?(?:月)?(?:平均|均)?浓度(?:均值)?(?:为|是|达)?\s*"
    r"(?P<v>\d+(?:\.\d+)?)\s*"
    rf"(?P<u>{_CONCENTRATION_UNIT})"
)
_DRINKING = re.compile(r"(?:城镇)?集中式饮用水(?:水)?源(?:地)?水质达标率(?:为|是|达)?\s*(?P<v>\d+(?:\.\d+)?\s*%)")


def _in_points(change: re.Match[str], rate: str) -> bool:
    """Whether a change of a rate is in percentage points: said so (百分点), or written with "%" next to
    last year's rate and equal to the difference (a relative change is not kept: it cannot be told apart)."""
    if change["unit"].endswith("百分点"):
        return True
    now = float(rate.rstrip("% "))
    return bool(change["prev"]) and abs(abs(float(change["prev"]) - now) - float(change["v"])) < 0.05


# the days behind a ratio: "监测30天" / "有效监测天数30天", and "优12天,良15天" when no 优良天数 is given
_MONITORED = re.compile(r"监测(?:天数)?(?:为|共)?\s*(?P<n>\d+)\s*天")
_GOOD_AND_FAIR = re.compile(r"优\s*(?P<good>\d+)\s*天\s*[,、]?\s*良\s*(?P<fair>\d+)\s*天")


def good_days_contradiction(ratio: Observation, good_days: float, monitored: int | None = None) -> str | None:
    """Why a good-air ratio cannot be ``good_days`` out of the days monitored (as stated, or any whole
    number of days the period has): None when it can. A bulletin giving 优12天 + 良15天 of 30 and 优良率 50.0%
    has a typo in one of them, and which one is not known."""
    if not 0 <= ratio.value <= 100:  # the value rules refuse it, in their own words
        return None
    decimals = len(ratio.source_value.split(".")[1].rstrip("% ")) if "." in ratio.source_value else 0
    tolerance = 0.5 * 10**-decimals + 1e-9  # the ratio is rounded to the decimals it is written with
    days = days_in_period(ratio.period_start, ratio.period_end)
    counts = [monitored] if monitored else range(max(int(good_days), 1), days + 1)
    if any(abs(100 * good_days / n - ratio.value) <= tolerance for n in counts if n):
        return None
    of = f"of {monitored} days monitored" if monitored else f"of any number of days monitored in its {days}"
    return f"优良率 {ratio.source_value.rstrip('% ')}% contradicts {good_days:g} good days {of}: one of them is a typo"


def _figure_at(regions: list[tuple[int, str]], m: re.Match[str], period: Period, line: int) -> dict:
    """A prose figure's region (its clause's), period and row, for ctx.add."""
    return {"region": region_at(regions, m.start()), "period": period, "row": line}


def _air_prose(ctx: RowContext, line: int, text: str, city: str, title_period: Period, coverage: ProseCoverage) -> None:
    """The air figures of a paragraph's sentences; each figure read (or used: the days monitored, 优 and 良 days, to
    check the ratio) is taken on ``coverage``."""
    period = title_period
    for sent in prose_sentences(text):
        coverage.start(line, sent, len(ctx.result.notes))
        pm = _PERIOD_PREFIX.match(sent)
        if pm:
            try:
                period = parse_period(pm["p"], title_period.end.year)
            except ValueError as exc:
                ctx.error(line, "text", f"period {pm['p']!r}: {exc}")
                continue
        scopes = clause_regions(ctx.catalog, sent, city)
        ratios: list[Observation] = []
        for m in _RATIO.finditer(sent):
            coverage.take(*m.span())
            common = _figure_at(scopes, m, period, line)
            ratio = ctx.add(
                indicator="air_good_ratio", measure="value", cell=m["v"], unit="", column="优良率", **common
            )
            if ratio:
                ratios.append(ratio)
            ch = _CHANGE.match(sent, m.end())
            if ch:  # read, or a relative change of a rate: not kept, as in a table
                coverage.take(*ch.span())
            if ch and ch["prev"]:
                last_year = {**common, "period": shift_years(common["period"], -1)}
                ctx.add(
                    indicator="air_good_ratio",
                    measure="value",
                    cell=ch["prev"],
                    unit="%",
                    column="上年同期",
                    **last_year,
                )
            if ch and _in_points(ch, m["v"]):
                sign = "-" if ch["dir"] in ("下降", "降低", "减少") else ""
                ctx.add(
                    indicator="air_good_ratio",
                    measure="yoy_pct",
                    cell=sign + ch["v"],
                    unit="百分点",
                    column="优良率较上年同期",
                    **common,
                )
        days = [
            ctx.add(
                indicator="air_good_days",
                measure="value",
                cell=m["v"],
                unit="天",
                column="优良天数",
                **_figure_at(scopes, m, period, line),
            )
            for m in _DAYS.finditer(sent)
        ]
        # one ratio and the days it was computed from, in one place's sentence: they must agree
        good = [d.value for d in days if d] or [int(m["good"]) + int(m["fair"]) for m in _GOOD_AND_FAIR.finditer(sent)]
        if len(ratios) == 1 and len(good) == 1 and len({r for _, r in scopes}) <= 1:
            monitored = _MONITORED.search(sent)
            problem = good_days_contradiction(ratios[0], good[0], int(monitored["n"]) if monitored else None)
            if problem:
                ctx.error(line, "优良率", problem)
        for m in (*_DAYS.finditer(sent), *_GOOD_AND_FAIR.finditer(sent), *_MONITORED.finditer(sent)):
            coverage.take(*m.span())  # read, or the days behind the ratio it is checked against
        for m in _PM25.finditer(sent):
            coverage.take(*m.span())
            common = _figure_at(scopes, m, period, line)
            if m["span"] and period == title_period and period.kind == "month":
                ctx.result.notes.append(
                    f"row {line} PM2.5: not read, {m[0]!r} averages a span the sentence does not name"
                )
                continue
            ctx.add(indicator="pm25", measure="value", cell=m["v"], unit=m["u"], column="PM2.5", **common)
            ch = _PM25_CHANGE.match(sent, m.end())
            if ch is None:
                continue
            coverage.take(*ch.span())
            if ch["prev"]:  # last year's concentration for the same period, published beside it
                last_year = {**common, "period": shift_years(common["period"], -1)}
                ctx.add(indicator="pm25", measure="value", cell=ch["prev"], unit=m["u"], column="上年同期", **last_year)
            if ch["unit"] == "%":  # a concentration changes relatively: its year-on-year change in %
                sign = "-" if ch["dir"] in ("下降", "降低", "减少") else ""
                ctx.add(
                    indicator="pm25", measure="yoy_pct", cell=sign + ch["v"], unit="%", column="PM2.5同比", **common
                )
            else:
                ctx.result.notes.append(
                    f"row {line} PM2.5: not read, a change in 百分点 of a concentration ({ch[0]!r})"
                )
        coverage.finish(ctx.result.notes)


# the column naming the places of an air table; another column before it (排名) is not a figure's
_PLACE_HEADER = re.compile(r"^(?:县市区|县\(市、区\)|县\(市区\)|区县|县区|地区|城市|区域|点位|站点|监测点位)(?:名称)?$")
# a header row above the figures' names groups them by period: 本月 / 当月, 累计 / 1-本月, or a period (1-6月)
_MONTH_GROUP = re.compile(r"^(?:本月|当月)$")
_SO_FAR_GROUP = re.compile(r"^(?:累计|1-本月|本年累计|年累计)$")


def _group_period(label: str, period: Period) -> Period | None:
    """The period a header group names (None when it names none): 本月, 累计, 6月, 1-6月."""
    text = to_halfwidth(label).replace(" ", "")
    if _MONTH_GROUP.match(text):
        return period
    if _SO_FAR_GROUP.match(text):
        return parse_period(f"1-{period.end.month}月", period.end.year)
    try:
        return parse_period(text, period.end.year)
    except ValueError:
        return None


# 注：全市为各县市区平均 (全市数据为各县（市、区）的平均值): the page says its 全市 row is the mean over the counties
_WHOLE_CITY_IS_A_MEAN = re.compile(
    r"全市(?:数据|数值)?(?:为|是|系)各县(?:市区|[(（]市、?区[)）]|市[(（]区[)）])?(?:的)?(?:算术)?平均"
)


def _air_table(
    ctx: RowContext, table: list[tuple[int, list[str]]], city: str, period: Period, whole_city_is_a_mean: bool = False
) -> None:
    if not table:
        return
    head_line, head = table[0]
    place = next((j for j, h in enumerate(head) if _PLACE_HEADER.match(to_halfwidth(h).replace(" ", ""))), 0)
    # two header rows: periods above (merged across their columns), the figures' names below
    groups = [_group_period(h, period) if j > place else None for j, h in enumerate(head)]
    two_rows = len(table) > 1 and any(groups) and table[1][1][place] == head[place]
    if two_rows:
        head_line, head = table[1]
    cols: list[tuple[int, str, str, str, Period]] = []  # index, label, indicator, unit, period
    monitored_cols: dict[str, int] = {}  # period code -> the column of the days monitored (监测天数)
    for j, label in enumerate(head):
        if j <= place:  # the places, and before them 排名: the table's order, no figure of a target
            continue
        name, unit = split_header_unit(label)
        if _MONITORED_HEADER.fullmatch(to_halfwidth(name).replace(" ", "")):
            # no target reads it; the good days and ratio beside it are checked against it, as in the text
            column_period = (groups[j] if two_rows and j < len(groups) else None) or period
            monitored_cols[column_period.code] = j
            continue
        code = ctx.catalog.resolve_indicator(name)
        if code is None:  # PM10, SO2, 综合指数 …: columns of pollutants no target reads
            ctx.skip_untracked(head_line, label)
            continue
        column_period = (groups[j] if two_rows and j < len(groups) else None) or period
        cols.append((j, f"{table[0][1][j]}/{label}" if two_rows else label, code, unit, column_period))
    names = [to_halfwidth(cells[place] if place < len(cells) else "").replace(" ", "") for _, cells in table]
    for line, cells in table[2 if two_rows else 1 :]:
        name = to_halfwidth(cells[place] if place < len(cells) else "").replace(" ", "")
        if is_note_row(name):
            continue
        if ctx.catalog.resolve_region(name, city) is None and is_park(name):
            ctx.result.notes.append(f"row {line} {name}: not read, a park's or zone's figures (no region holds them)")
            continue
        if name == "全市" and any(n != name and ctx.catalog.resolve_region(n, city) == city for n in names):
            # beside 市区, 全市 is the mean over every county (注：全市为各县市区平均): the city's figure is 市区's
            ctx.result.notes.append(f"row {line} 全市: not read, the city's figure is 市区's")
            continue
        if name == "全市" and whole_city_is_a_mean:
            # without a 市区 row too: a mean of the counties' figures is no measurement of the city (trial s57:
            # read as the city's, it contradicted the text's 市区 figures and refused the bulletin)
            ctx.result.notes.append(
                f"row {line} 全市: not read, the mean over the counties (the page's 注), not the city's"
            )
            continue
        region = ctx.region_code(name, city)
        added: dict[tuple[str, str], Observation | None] = {}
        for j, label, code, unit, column_period in cols:
            cell = cells[j] if j < len(cells) else ""
            added[code, column_period.code] = ctx.add(
                indicator=code,
                region=region,
                period=column_period,
                measure="value",
                cell=cell,
                unit=unit,
                row=line,
                column=label,
            )
        for (code, period_code), ratio in added.items():
            good = added.get(("air_good_days", period_code))
            if code != "air_good_ratio" or not ratio or not good:
                continue
            monitored = _whole_days(cells, monitored_cols.get(period_code))
            if problem := good_days_contradiction(ratio, good.value, monitored):
                ctx.error(line, "优良率", problem)


_MONITORED_HEADER = re.compile(r"(?:有效)?监测天数|有效天数")


def _whole_days(cells: list[str], j: int | None) -> int | None:
    """A days-monitored cell as a whole number of days, else None (the check then allows any count)."""
    text = to_halfwidth(cells[j]).strip() if j is not None and j < len(cells) else ""
    return int(text) if text.isdigit() and int(text) > 0 else None


# --- water -------------------------------------------------------------------------------------
def _col(head: list[str], *names: str) -> int | None:
    for j, h in enumerate(head):
        if h.replace(" ", "") in names:
            return j
    return None


def _water_table(ctx: RowContext, table: list[tuple[int, list[str]]], city: str, period: Period) -> int:
    """The sections' classes, one a row; how many rows name a section (0 for a table that is no water table)."""
    if not table:
        return 0
    head_line, head = table[0]
    j_sec = _col(head, "断面", "断面名称", "监测断面", "点位名称", "监测点位")
    j_cls = _col(head, "水质类别", "本月水质", "本月水质类别", "实测水质", "现状水质", "水质现状", "水质", "类别")
    j_reg = _col(head, "所在县市区", "县市区", "所在地", "所在区县", "所属县市区")
    if j_sec is None or j_cls is None:
        ctx.error(head_line, "", "water table needs 断面 and 水质类别 columns")
        return 0
    listed = 0
    for line, cells in table[1:]:
        section_name = cells[j_sec] if j_sec < len(cells) else ""
        # 城镇集中式饮用水源 | — | 达标率100%: the sources' rate, not a section; the name may stand in the 河流 column,
        # the 断面 cell a dash (it was read as a section "—" not in the catalogue, and the rate dropped)
        named_elsewhere = any(_DRINKING_ROW.search(c) for k, c in enumerate(cells) if k != j_cls)
        if _DRINKING_ROW.search(section_name) or (
            named_elsewhere and ctx.catalog.resolve_section(section_name) is None
        ):
            _drinking_row(ctx, line, head, cells, city, period)
            continue
        listed += bool(section_name)
        subject = ctx.catalog.resolve_section(section_name)
        if subject is None and section_name.strip() and not is_note_row(section_name):
            # a section the office monitors and the catalogue lacks (a new one, a tributary's): the others load
            ctx.result.notes.append(
                f"row {line} {section_name}: not read, a section not in seeds/monitoring_sections.csv "
                "(add it there to track it)"
            )
            continue
        subject = subject or section_name
        region = city
        if j_reg is not None and j_reg < len(cells) and cells[j_reg]:
            region = ctx.region_code(to_halfwidth(cells[j_reg]), city)
        ctx.add(
            indicator="water_class",
            region=region,
            subject=subject,
            period=period,
            measure="class",
            cell=cells[j_cls] if j_cls < len(cells) else "",
            unit="类",
            row=line,
            column=head[j_cls],
        )
    return listed


# a row of a water table for the drinking-water sources, not a section: its cells hold their 达标率
_DRINKING_ROW = re.compile(r"饮用水")
_PERCENT = re.compile(r"(?:达标率)?(?:为|是|达)?\s*(?P<v>\d+(?:\.\d+)?\s*%)")


def _drinking_row(ctx: RowContext, line: int, head: list[str], cells: list[str], city: str, period: Period) -> None:
    """The drinking-water sources' compliance rate from the water table's row for them (达标率100% in any cell)."""
    for j, cell in enumerate(cells):
        m = _PERCENT.fullmatch(to_halfwidth(cell).replace(" ", ""))
        if m and j < len(head):
            _add_drinking(ctx, line, head[j], m["v"], city, period)
            return
    ctx.error(line, "", "the drinking-water sources' row gives no 达标率 (a % figure)")


def _add_drinking(ctx: RowContext, line: int, column: str, cell: str, city: str, period: Period) -> None:
    """The drinking-water sources' compliance rate (饮用水水源地水质达标率), from the table's row or the prose."""
    ctx.add(
        indicator="drinking_water_compliance",
        region=city,
        period=period,
        measure="value",
        cell=cell,
        unit="",
        row=line,
        column=column,
    )


# One class for every section of a river: "湘江株洲段7个国、省控断面水质均达到或优于Ⅱ类(标准)", "洣水各断面水质均为
# Ⅱ类". The count, when given, follows no other digit (a month before it is in another clause).
_CLASS = (
    r"(?:达到|达|为)?(?:达到或优于|好于或等于|不低于|不劣于|优于|好于)?(?:Ⅰ|Ⅱ|Ⅲ|Ⅳ|Ⅴ|III|II|IV|I|V)类?(?:及以上|以上)?"
    r"(?!类?(?:[~\-—至到、和或]|[ⅠⅡⅢⅣⅤIV]))"  # no range or list of classes (Ⅱ～Ⅲ类, Ⅱ类、Ⅲ类): which class, not told
)
EVERY_SECTION = re.compile(
    rf"(?:(?P<n>\d+)\s*个|各|所有)?[^\d,;:]{{0,10}}?断面(?:的)?(?:水质)?(?:均|全部|都)\s*(?P<cls>{_CLASS})"
)
# A river's water named with no section, alone or in a list sharing one class: "湘江株洲段、洣水水质优于Ⅱ类" (2021's
# bulletin), "洣水水质为Ⅱ类": the class of each of its sections, as "…各断面水质均…" is (and as the ledger reads
# 湘江株洲段水质类别). An overall judgement (水质总体为…) is not one.
_RIVER_WATER = re.compile(rf"(?:^|(?<=[,;:]))(?P<rivers>[^,;:\d断]{{1,30}}?)的?水质(?:均|全部|都)?\s*(?P<cls>{_CLASS})")
# the names of a list: "湘江株洲段、洣水", "湘江株洲段和洣水"
_LIST_SEPARATOR = r"、|和|及"
# a name that looks like a river's (渌水, 白石港), to name in a note when a list's other names are rivers
_RIVER_LIKE = re.compile(r"(?:江|水|河|港|溪|湖)$")


@dataclass
class _RiverClass:
    """One class the prose states for every section of a river, and the observations it became (one a section)."""

    line: int
    river: str
    said: str  # as written: 均为Ⅱ类
    observations: list[Observation]


def _listed_rivers(catalog: Catalog, words: str, exact: bool) -> tuple[list[tuple[str, tuple[str, ...]]], list[str]]:
    """The catalogued rivers a list of names sharing one class names ("湘江株洲段、洣水"), and its names that look like
    a river's and are none the catalogue has (渌水). ``exact``: each name must be a river's name and no more (else
    one found in it: "湘江株洲段国、省控" names 湘江 and, 省控 being no river's name, no other)."""
    rivers, unknown = [], []
    for item in re.split(_LIST_SEPARATOR, words):
        item = re.sub(r"^(?:其中|全市)", "", item.strip())
        river = catalog.river_in(item)
        if river is not None and exact:  # the river's name, or its reach's (湘江株洲段 of a 湘江 catalogued so)
            variants = {normalize_name(river[0]), re.sub(r"[()]", "", normalize_name(river[0]))}
            reach = rf"(?:{'|'.join(map(re.escape, variants))})(?:[\u4e00-\u9fff]{{1,4}}段)?"
            river = river if re.fullmatch(reach, normalize_name(item)) else None
        if river is not None and river not in rivers:
            rivers.append(river)
        elif river is None and (exact or _RIVER_LIKE.search(item)):
            unknown.append(item)
    return rivers, unknown


def _river_class(
    ctx: RowContext,
    line: int,
    said: str,
    cls: str,
    rivers: list[tuple[str, tuple[str, ...]]],
    count: str | None,
    city: str,
    period: Period,
    stated: list[_RiverClass],
    no_section: bool = False,
) -> None:
    """One class for every section of each river in ``rivers``, read as each catalogued section's (its bound kept:
    达到或优于Ⅱ类 is <= Ⅱ for each) when the count, if given, is their count of sections in the catalogue;
    otherwise left out with a note (which sections it covers is not known). ``no_section``: the prose gives the
    river's class, naming no section ("洣水水质为Ⅱ类"): each section's is derived from it, and says so."""
    sections = [section for _, secs in rivers for section in secs]
    if count and int(count) != len(sections):
        names = "、".join(name for name, _ in rivers)
        ctx.result.notes.append(
            f"row {line} 水质类别: not read, {said!r} covers {count} sections and the catalogue has "
            f"{len(sections)} for {names} (monitoring_sections.csv): which ones is not known"
        )
        return
    for name, secs in rivers:
        added = [
            ctx.add(
                indicator="water_class",
                region=city,
                subject=section,
                period=period,
                measure="class",
                cell=cls,
                unit="类",
                row=line,
                column=f"{name}各断面",
                derived_from=(
                    f"{name}: {said!r} (row {line}), the river's class given to each of its {len(secs)} catalogued "
                    "sections"
                    if no_section
                    else ""
                ),
            )
            for section in secs
        ]
        stated.append(_RiverClass(line, name, said, [obs for obs in added if obs is not None]))


def _every_section(
    ctx: RowContext,
    line: int,
    sent: str,
    city: str,
    period: Period,
    coverage: ProseCoverage,
    stated: list[_RiverClass],
) -> None:
    """A class stated for all the sections of a river, or of each river of a list ("湘江株洲段、洣水各断面水质均为Ⅱ类",
    "湘江株洲段、洣水水质优于Ⅱ类"), read as each catalogued section's (:func:`_river_class`) when the river is the
    catalogue's; otherwise left out with a note. A list's name the catalogue has not is named in a note, the
    others read. What it read goes to ``stated``, to be weighed against the table's own classes
    (:func:`_weigh_river_classes`)."""
    found = [(m, False) for m in EVERY_SECTION.finditer(sent)]
    found += [
        (m, True)
        for m in _RIVER_WATER.finditer(sent)
        if not any(o.start() < m.end() and m.start() < o.end() for o, _ in found)
    ]
    for m, no_section in found:
        coverage.take(*m.span())  # read, or noted
        clause = re.split(r"[,:]", sent[: m.start("cls")])[-1]
        if no_section:
            rivers, unknown = _listed_rivers(ctx.catalog, m["rivers"], exact=True)
        else:  # the names before the count or 各 ("湘江株洲段7个国、省控断面": 国、省控 is no list of rivers)
            rivers, unknown = _listed_rivers(ctx.catalog, re.split(r"\d|各|所有|断面", clause, maxsplit=1)[0], False)
            if len(rivers) < 2:
                river = ctx.catalog.river_in(clause)
                rivers = [river] if river is not None else []
        for item in unknown:
            ctx.result.notes.append(
                f"row {line} 水质类别: not read for {item}, {m[0]!r}: {item} is no catalogued river"
            )
        if not rivers:
            if not unknown:
                ctx.result.notes.append(f"row {line} 水质类别: not read, {m[0]!r} names no catalogued river")
            continue
        _river_class(ctx, line, m[0], m["cls"], rivers, m.groupdict().get("n"), city, period, stated, no_section)


# the classes a class set stands for (1..6, 劣Ⅴ is 6), by its bound: lower is better
_CLASS_SETS = {
    "eq": lambda v: {v},
    "approx": lambda v: {v},
    "le": lambda v: set(range(1, v + 1)),
    "lt": lambda v: set(range(1, v)),
    "ge": lambda v: set(range(v, 7)),
    "gt": lambda v: set(range(v + 1, 7)),
}


def _classes(obs: Observation) -> set[int]:
    return _CLASS_SETS.get(obs.bound, _CLASS_SETS["eq"])(int(obs.value))


def _weigh_river_classes(ctx: RowContext, stated: list[_RiverClass], table: list[Observation]) -> None:
    """The prose's one class for every section of a river beside the table's own class of a section: a section
    the table lists keeps the table's class (the prose's is not stored: under the city, beside the table's
    under the county, it was a second figure nothing compared); a table class the prose's rules out (均为Ⅱ类
    and a Ⅲ in the table) is an error naming both rows. The note says which sections the prose's class was
    read for."""
    own = {obs.subject_code: obs for obs in table if obs.indicator_code == "water_class"}
    for river in stated:
        listed = [obs for obs in river.observations if obs.subject_code in own]
        for obs in listed:
            given = own[obs.subject_code]
            if not _classes(given) & _classes(obs):
                ctx.error(
                    given.source_row,
                    "水质类别",
                    f"section {obs.subject_code}: the table gives {given.source_value!r}, and row {river.line} says "
                    f"{river.said!r} for every section of {river.river}: the bulletin contradicts itself",
                )
        kept = [obs for obs in river.observations if obs.subject_code not in own]
        dropped = {id(obs) for obs in listed}
        ctx.result.observations = [obs for obs in ctx.result.observations if id(obs) not in dropped]
        if not listed:
            read = f"read as each of its {len(kept)} catalogued sections' class (the bulletin gives no section's own)"
        elif kept:
            read = (
                f"read as the class of its {len(kept)} sections the table does not list; the table's own class "
                f"kept for the other {len(listed)}"
            )
        else:
            read = f"not stored: the table gives each of its {len(listed)} sections' own class, kept"
        ctx.result.notes.append(f"row {river.line} 水质类别: {river.said!r} for every section of {river.river} {read}")


# the count of sections the month's table lists: "全市地表水水质监测断面11个", "全市11个监测断面" (checked against
# the table; "7个断面水质均…" is a river's, :data:`EVERY_SECTION`)
_SECTIONS_MONITORED = re.compile(
    r"监测断面(?:共|为)?(?P<n>\d+)个|(?P<n2>\d+)个(?:地表水)?(?:水质)?监测断面(?!水质均|均)"
)


def _water_prose(
    ctx: RowContext,
    line: int,
    text: str,
    city: str,
    period: Period,
    coverage: ProseCoverage,
    stated: list[_RiverClass],
) -> list[tuple[int, int]]:
    """The water figures of a paragraph's sentences, and the counts of sections monitored it states, as (row,
    count), to check against the table's rows; a river's one class for all its sections goes to ``stated``."""
    monitored = []
    for sent in prose_sentences(text):
        coverage.start(line, sent, len(ctx.result.notes))
        for m in _SECTIONS_MONITORED.finditer(sent):
            coverage.take(*m.span())
            monitored.append((line, int(m["n"] or m["n2"])))
        _every_section(ctx, line, sent, city, period, coverage, stated)
        for m in _DRINKING.finditer(sent):
            coverage.take(*m.span())
            _add_drinking(ctx, line, "饮用水水源地水质达标率", m["v"], city, period)
        coverage.finish(ctx.result.notes)
    return monitored


_PICTURE_POINTER = re.compile(r"[见如](?:下|附|上)?图|下图所示|附图")


def _points_to_a_picture(paragraphs: list[tuple[int, str]]) -> tuple[int, str] | None:
    """(row, the words) of the first sentence that sends the reader to a picture (见下图, 如图, 附图)."""
    for line, text in paragraphs:
        if found := _PICTURE_POINTER.search(text):
            return line, found[0]
    return None


def parse(doc: Document, catalog: Catalog, default_release_date: date | None = None) -> ParseResult:
    result = ParseResult(adapter=NAME)
    ctx = RowContext(catalog, result, doc.source_file, default_release_date)
    html = read_html(doc.text)
    m = _title_parts(html.title)
    if not m:
        ctx.error(None, "title", f"bulletin title {html.title!r} does not name a region and period")
        return result
    city = catalog.resolve_region(m["region"])
    if city is None:
        ctx.error(None, "title", f"unknown region {m['region']!r} in the title")
        return result
    try:
        period = parse_period(m["period"])
    except ValueError as exc:
        ctx.error(None, "title", f"title period: {exc}")
        return result
    conflict = name_period_conflict(doc.source_file, period)
    if conflict:
        ctx.error(None, "title", conflict)
        return result
    if not release_or_error(ctx, doc, lambda: page_release(html, default_release_date)):
        return result
    # 实时数据 / 数据未经审核 (in the title or a note): every figure is provisional, said once among the notes
    label = re.search(r"实时数据|数据未经审核|未经审核", " ".join([html.title, *(t for _, t in html.paragraphs)]))
    if label and (note := vintage_note(label[0])):
        result.notes.append(f"title: {note}: every figure of the bulletin")
    is_water = bool(re.search(r"地表水|水质", m["rest"]))
    coverage = ProseCoverage()  # every figure of a sentence read, noted, or named in the release's one note
    monitored: list[tuple[int, int]] = []  # (row, count) of "监测断面11个"
    stated: list[_RiverClass] = []  # "洣水各断面水质均为Ⅱ类"
    for line, text in html.paragraphs:
        if is_water:
            monitored += _water_prose(ctx, line, text, city, period, coverage, stated)
        else:
            _air_prose(ctx, line, text, city, period, coverage)
    if left := coverage.note():
        result.notes.append(left)
    listed = 0
    from_prose = len(result.observations)
    page_words = " ".join([*(t for _, t in html.paragraphs), *(c for t in html.tables for _, row in t for c in row)])
    whole_city_is_a_mean = bool(_WHOLE_CITY_IS_A_MEAN.search(to_halfwidth(page_words).replace(" ", "")))
    for table in html.tables:
        if is_water:
            listed += _water_table(ctx, table, city, period)
        else:
            _air_table(ctx, table, city, period, whole_city_is_a_mean)
    _weigh_river_classes(ctx, stated, result.observations[from_prose:])
    if not result.observations and not result.errors and html.images:
        # a page whose table is a picture (监测结果见下图): no figure is in its text, which is not "no data rows"
        line, src = html.images[0]
        ctx.error(
            line,
            "",
            f"the bulletin's figures are in an image ({src or '<img>'}), not in its text: nothing can be read; "
            "ask the office for the table as text, or enter the figures in the long format",
        )
    elif result.observations and html.images and (pointer := _points_to_a_picture(html.paragraphs)):
        # figures read from the text while the text sends the reader to a picture for more (各县市区…见下图):
        # what the picture holds is not in raw, said rather than left to look complete (a logo is not named:
        # only a page whose words point at a picture is)
        row, words = pointer
        sources = ", ".join(src or "<img>" for _, src in html.images)
        result.notes.append(
            f"row {row} {words}: the text points to a picture ({sources}), the figures in it: not read; "
            "ask the office for them as text, or enter them in the long format"
        )
    for line, count in monitored if listed else ():  # the table's rows are the sections the text counts
        if count != listed:
            why = f"{count} sections monitored, and the table lists {listed}: sections missing from the table?"
            result.notes.append(f"row {line} 监测断面: {why}")
    drop_repeats(result)  # a 市区 table row may repeat a prose figure
    return result
