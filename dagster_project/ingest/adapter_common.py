"""What every adapter shares: turning one cell into an Observation, collecting errors instead of raising."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from dagster_project.ingest.catalog import Catalog, strip_quotes
from dagster_project.ingest.document import Document
from dagster_project.ingest.models import LANDED_NOTE, LEFT_NOTE, IngestError, Observation, ParseResult, column_key
from dagster_project.ingest.periods import Period, month_period, parse_period
from dagster_project.ingest.qualifiers import ValueParseError, parse_value, vintage_bound
from dagster_project.ingest.text import to_halfwidth
from dagster_project.ingest.units import UnitError, convert, is_unit, measure_unit, normalize_unit

__all__ = [
    "RowContext",
    "change_header_unit",
    "clause_regions",
    "drop_repeats",
    "prose_sentences",
    "ProseCoverage",
    "is_park",
    "is_remarks",
    "other_basis",
    "unkept_change",
    "rank_header",
    "region_at",
    "find_release_date",
    "ReleaseDateError",
    "release_or_error",
    "find_source",
    "figure_rows",
    "find_title",
    "first_text",
    "has_illustrative_marker",
    "is_note_row",
    "long_row_error",
    "name_period_conflict",
    "short_row_error",
    "split_header_unit",
    "landed_note",
    "landed_rows_note",
    "table_release",
]

# A date is written 2023年7月18日 or with one separator throughout (2023-07-18, 2023/7/18, 2023.7.18):
# mixing them would read a title's period "2023年1-6月" as the 6th of January.
_DATE = re.compile(
    r"(?P<y>\d{4})\s*(?:年\s*(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*日"
    r"|(?P<sep>[-/.])\s*(?P<m2>\d{1,2})\s*(?P=sep)\s*(?P<d2>\d{1,2})(?!\d))"
)
_MARKER = re.compile(r"示意数据|illustrative", re.I)


class ReleaseDateError(ValueError):
    """A date labelled as the release's (发布日期：2023-02-30) that is no day of the calendar: the file states a
    date, wrongly, so the landing day must not stand in as if it stated none."""

    def __init__(self, text: str) -> None:
        super().__init__(f"release date {text!r} is no day of the calendar: correct it")
        self.text = text


def find_release_date(text: str) -> date | None:
    """Date after 发布日期/发布时间 (or the first date when the label is missing); raises ReleaseDateError when
    the labelled date is no date (2023-02-30). An unlabelled one that is none is no release date."""
    s = to_halfwidth(text)
    label = re.search(r"发布(?:日期|时间)\s*[:：]?\s*", s)
    m = _DATE.search(s, label.end()) if label else _DATE.search(s)
    if not m:
        return None
    try:
        return date(int(m["y"]), int(m["m"] or m["m2"]), int(m["d"] or m["d2"]))
    except ValueError:
        if label and not s[label.end() : m.start()].strip():  # the date right after its label
            raise ReleaseDateError(m[0]) from None
        return None


def parse_date(text: str) -> date:
    """One date as offices write it (2022-09-05, 2022/9/5, 2022.9.5, 2022年9月5日); ValueError otherwise."""
    s = to_halfwidth(text).strip()
    m = _DATE.fullmatch(s)
    if not m:
        raise ValueError(f"{text!r} is not a date (2022-09-05, 2022/9/5 or 2022年9月5日)")
    return date(int(m["y"]), int(m["m"] or m["m2"]), int(m["d"] or m["d2"]))


_PUBLISHER = re.compile(
    r"(?:发布单位|发布机关|发布机构|编制单位|编印单位|制表单位|数据来源|资料来源|来源|出处)\s*[:：]\s*"
    r"(?P<who>[^\s|;；,，。]+)"
)
# An office that signs its own table: "株洲市统计局编印", "株洲市统计局 制表"
_SIGNED = re.compile(
    r"(?:本表由|由)?(?P<who>[^\s|;；,，。:：由]{2,30}?(?:局|委员会|委|办公室|办|中心|调查队|队))\s*(?:编印|编制|制表|印发)"
)


# A bulletin signed on a line of its own by its offices and the date: "株洲市统计局　国家统计局株洲调查队
# 2024年3月29日"
# the statistics office a file names (数据来源：株洲市统计局, 来源：醴陵市统计局): the place of a title naming none
STATS_OFFICE = re.compile(r"(?P<place>[\u4e00-\u9fff]{1,8}?(?:市|县|区|州))统计局")
_OFFICE = r"[\u4e00-\u9fff]{2,30}?(?:局|调查队|委员会|办公室|中心)"
_SIGNATURE = re.compile(
    rf"^\s*(?P<who>{_OFFICE}(?:\s+{_OFFICE})*)\s+\d{{4}}\s*年\s*\d{{1,2}}\s*月\s*\d{{1,2}}\s*日\s*$", re.M
)


def find_source(text: str, title: str = "", release_date: date | None = None) -> str:
    """The release's source (出处) from its own header or footer: who published it (发布单位, 数据来源,
    资料来源, 来源, 编制单位, an office signing it: 株洲市统计局编印, or its offices' signature line above
    the date), which document (the title) and when. '' when the file names no publisher."""
    half = to_halfwidth(text)
    m = _PUBLISHER.search(half) or _SIGNED.search(half) or _SIGNATURE.search(half)
    if not m:
        return ""
    who = "、".join(m["who"].split()).strip(" 。.")
    # a remark in brackets cut at its comma ("编制单位：株洲市统计局（试用表，数字为虚构）"): not the publisher's name
    who = re.sub(r"\([^()]*$", "", who).strip()
    if not who:
        return ""
    out = who + (f"《{title.strip()}》" if title.strip() else "")
    return out + (f" {release_date.isoformat()}" if release_date else "")


def short_row_error(doc: Document, index: int, header_index: int) -> str | None:
    """Why CSV row ``index`` (0-based) looks cut short: fewer fields than the header row. None if it does not."""
    if not doc.widths or index >= len(doc.widths) or header_index >= len(doc.widths):
        return None
    have, want = doc.widths[index], doc.widths[header_index]
    if have >= want:
        return None
    last = index == len(doc.widths) - 1 and not doc.ends_with_newline
    tail = " and the file ends without a newline: it was cut short" if last else ": truncated?"
    return f"row has {have} field(s), the header has {want}{tail}"


def long_row_error(doc: Document, index: int, header_index: int) -> str | None:
    """Why CSV row ``index`` (0-based) has more fields than the header row names: its cells would be read
    shifted (1,903.2 unquoted moves the unit into release_date), or the extra text dropped. Even an empty
    extra field says so: the shift leaves the last column empty. None if it has no more."""
    if not doc.widths or index >= len(doc.widths) or header_index >= len(doc.widths):
        return None
    have, want = doc.widths[index], doc.widths[header_index]
    if have <= want:
        return None
    said = f"row has {have} fields, the header has {want}: a comma inside a value not in quotes"
    cells = doc.raw_rows[index] if index < len(doc.raw_rows) else []
    # the figure a comma split: two neighbouring numbers (1,903.2 as 1 | 903.2; a decimal comma 18,1 as 18 | 1)
    split = next(
        (j for j in range(len(cells) - 1) if _BARE_NUMBER.fullmatch(cells[j]) and _BARE_NUMBER.fullmatch(cells[j + 1])),
        None,
    )
    if split is None:
        return f"{said} (1,903.2)?"
    a, b = cells[split], cells[split + 1]
    meant = []  # (figure, how the comma reads)
    if a.lstrip("+-").isdigit() and re.fullmatch(r"\d{3}(?:\.\d+)?", b):
        meant.append((f"{a}{b}", "a thousands separator"))
    if a.lstrip("+-").isdigit() and b.isdigit():
        meant.append((f"{a}.{b}", "a decimal comma"))
    reading = " or ".join(f"{figure} with {how}" for figure, how in meant)
    if len(meant) != 1:
        fix = "Write it as the figure meant, without the comma"
    elif meant[0][1] == "a thousands separator":  # quoted, a thousands separator is read as one
        fix = f'Write it as {meant[0][0]}, or in quotes ("{a},{b}")'
    else:  # quoted, 18,1 would still read as 181: a decimal comma is not read
        fix = f"Write it as {meant[0][0]}"
    return (
        f"{said}? fields {split + 1} and {split + 2} read {a!r} and {b!r}: one figure {a},{b}"
        + (f" ({reading})" if reading else "")
        + f"? {fix}"
    )


_BARE_NUMBER = re.compile(r"[-+]?\d+(?:\.\d+)?")


# A month a file's name names in words (统计月报2023年5月.xlsx, 2023年1-5月主要指标.csv). Numbers alone
# (tjyb_202305, 2023-06-20_月报) are not judged: they may be a release date as well as a month.
_NAME_MONTH = re.compile(r"\d{4}年(?:\d{1,2}\s*[-—~至]\s*)?\d{1,2}月")
# A month a workbook's sheet is named for: its year may be left to the title's ("4月", "1-4月", "2023年4月份")
_SHEET_MONTH = re.compile(r"(?:\d{4}年)?(?:\d{1,2}[-—~至])?\d{1,2}月")


def name_period_conflict(source_file: str, period: Period) -> str | None:
    """Why a table's file name contradicts the period its title gives (None when it names none, or the
    same month): a file named for May holding June's title is the wrong file or last month's title, and
    its figures would be stored under the title's month with nothing said."""
    base, _, sheet = source_file.partition("#")
    own = _SHEET_MONTH.search(to_halfwidth(sheet).replace(" ", "")) if sheet else None
    if own:
        # a workbook of several months, one a sheet ("4月", "2023年4月"): the file's name names the newest, each
        # sheet's own name its month; the sheet's name is judged against its title, not the file's
        try:
            named = parse_period(own[0], period.end.year)
        except ValueError:
            named = None
        if named is not None:
            if (named.end.year, named.end.month) == (period.end.year, period.end.month):
                return None
            return (
                f"the sheet {sheet!r} says {own[0]} but its title says {period.code}: a title left from another "
                "month? Correct the title or the sheet's name (the figures would be stored as the title's)"
            )
    name = to_halfwidth(base.replace("\\", "/").rsplit("/", 1)[-1])
    for m in _NAME_MONTH.finditer(name):
        try:
            named = parse_period(m[0])
        except ValueError:
            continue
        if (named.end.year, named.end.month) != (period.end.year, period.end.month):
            return (
                f"the file name says {m[0]} but the title says {period.code}: the wrong file, or a title left from "
                "another month? Correct the title or the name (the figures would be stored as the title's)"
            )
    return None


# A table's footer rows (注: …, 数据来源: …) end its data rows in every tabular format.
_NOTE_ROW = re.compile(r"^(注|数据来源|资料来源|数据性质|说明|备注)")


def is_note_row(first_cell: str) -> bool:
    return bool(_NOTE_ROW.match(first_cell))


def first_text(row: list[str]) -> str:
    """The row's first non-empty cell ('' for an empty row): a title sits in it, merged cells or not."""
    return next((c for c in row if c), "")


def find_title(doc: Document, pattern: re.Pattern[str], within: int = 5) -> tuple[int, re.Match[str]] | None:
    """The first of the top ``within`` rows whose first text (spaces removed) matches the format's title."""
    for i, row in enumerate(doc.rows[:within]):
        m = pattern.match(first_text(row).replace(" ", ""))
        if m:
            return i, m
    return None


def has_illustrative_marker(text: str) -> bool:
    return bool(_MARKER.search(text))


# A line below a table that dates it: its source line (资料来源：湖南省统计局 2022-09-21), a 发布日期 line, or
# "2022年9月21日发布". Any other date there (注：数据截至2022年8月31日) is not the release's.
_FOOTER_DATE = re.compile(r"发布(?:日期|时间)|^(?:发布单位|编制单位|数据来源|资料来源|来源)\s*[:：]|日\s*发布")


def landed_note(landed: date) -> str:
    """The release's note when the file states no release date: the landing day stands in, said."""
    return f"{LANDED_NOTE}: the day it landed, {landed.isoformat()}, is used"


def landed_rows_note(landed: date, rows: list[int], loaded: int) -> str:
    """The note of a long-format release some of whose rows leave release_date blank: the landing day stands
    in for them, said as a table's missing date is (:func:`landed_note` when no loaded row states one);
    '' when every row states its date. ``rows``: the blank rows loaded (1-based), ``loaded``: all rows loaded."""
    if not rows:
        return ""
    if len(rows) >= loaded:
        return landed_note(landed)
    shown = ", ".join(map(str, rows[:10])) + (f" and {len(rows) - 10} more" if len(rows) > 10 else "")
    return (
        f"{LANDED_NOTE} for {len(rows)} of {loaded} rows (release_date blank: row{'s' * (len(rows) > 1)} {shown}): "
        f"the day it landed, {landed.isoformat()}, is used for them"
    )


def release_or_error(ctx: RowContext, doc: Document, release: Callable[[], tuple[Any, ...]]) -> bool:
    """Set the release ``release()`` reads (:func:`table_release`, a page's) on ``ctx``; False, with the error
    naming the row that holds it, when its labelled date is no date."""
    try:
        ctx.set_release(*release())
    except ReleaseDateError as exc:
        rows = doc.rows if doc.kind == "table" else []
        row = next((i + 1 for i, r in enumerate(rows) if exc.text in to_halfwidth(" ".join(r))), None)
        ctx.error(row, "release_date", str(exc))
        return False
    return True


def table_release(
    doc: Document, title_index: int, header_index: int, default_release_date: date | None
) -> tuple[date | None, bool, str, str]:
    """A statistics table's release: its date (above the header, else on a footer line that dates it: the
    source line, 发布日期, …日发布; else the default), whether a row marks it illustrative, its source (出处,
    from any row, with the title and the file's own date) and a note when the default date stands in."""
    release_date = find_release_date("\n".join(" ".join(r) for r in doc.rows[:header_index]))
    for row in doc.rows[header_index + 1 :] if release_date is None else ():
        line = to_halfwidth(" ".join(c for c in row if c))
        release_date = find_release_date(line) if _FOOTER_DATE.search(line) else None
        if release_date:
            break
    illustrative = any(has_illustrative_marker(" ".join(r)) for r in doc.rows)
    title = first_text(doc.rows[title_index])
    source_ref = find_source("\n".join(" ".join(r) for r in doc.rows), title, release_date)
    note = landed_note(default_release_date) if release_date is None and default_release_date else ""
    return release_date or default_release_date, illustrative, source_ref, note


_UNIT_LINE = re.compile(r"单位[:：]\s*(?P<units>.+)$")


def table_unit(doc: Document, title_index: int, header_index: int) -> str:
    """The level unit a table states once for all its columns, from the title (`…进出口总额(亿美元)`) or a
    line above the header (`单位：亿元、%`; the % is its growth columns'); '' when it states none."""
    _, unit = split_header_unit(first_text(doc.rows[title_index]))
    if is_unit(unit):
        return unit
    for row in doc.rows[title_index:header_index]:
        for cell in row:
            m = _UNIT_LINE.search(to_halfwidth(cell).replace(" ", ""))
            if m:
                units = [normalize_unit(u) for u in re.split(r"[、,，;；]", m["units"])]
                return next((u for u in units if is_unit(u) and u not in ("%", "百分点")), "")
    return ""


def figure_rows(
    doc: Document, ctx: RowContext, first: int, header_index: int, end: int | None = None
) -> Iterator[tuple[int, list[str]]]:
    """A table's rows that carry figures, from ``first`` to ``end`` (0-based, exclusive; the last row when
    None): blank rows and footer notes are skipped, and a row cut short is reported on ``ctx`` instead of
    yielded. A note's further lines (``注：1.…`` then ``2.空白表示未公布。``: text in the first cell alone)
    are the note's too."""
    in_note = False
    for r in range(first, len(doc.rows) if end is None else end):
        row = doc.rows[r]
        if not any(row) or not row[0] or is_note_row(row[0]):
            in_note = in_note or bool(row and row[0])
            continue
        if in_note and not any(row[1:]):
            continue
        short = short_row_error(doc, r, header_index)
        if short:
            ctx.error(r + 1, "", short)
            continue
        yield r, row


def prose_sentences(text: str) -> list[str]:
    """A bulletin paragraph's sentences (half-width, quotation marks dropped; split at 。;；and line ends)."""
    return [s.strip() for s in re.split(r"[。;；\n]", strip_quotes(to_halfwidth(text))) if s.strip()]


# A figure in prose (数字及其单位): a number with a unit (亿元, 万人, 家, 天, 万吨 …), %, 个百分点 or 倍, a rank
# in words or digits (第3位, 全省第一, 前三名) or a water class (Ⅱ类, 劣Ⅴ类). Not a figure: a year or date (2022年,
# 3月28日), a span's name (十四五), an ordinal in a name (第一产业: no 位/名, no 全省 before it), 3个月 (a period)
_RANK_WORDS = r"[一二两三四五六七八九十\d]+"
_FIGURE_UNIT = (
    r"%|‰|个?百分点|倍|微克/立方米|毫克/立方米|(?:万亿|万|亿|千)?(?:美元|元|人次|人|户|家|个(?!月|季度)|项|天|公里"
    r"|吨标准煤|吨|千瓦时|千瓦|平方米|立方米|公顷|亩|辆|台|套|件|头|所|张|座|条|部)|万亿|万|亿"
)
# A figure in words (数字的汉字写法), as thresholds and shares are written: 三成, 千亿元, 百亿级, 翻两番, 五倍,
# 两个百分点, 百分之三十. Only units no phrase of words takes (一家一户, 一个中心 are not figures); a count in words
# is one of two characters or more (三十八家, 一百零九家, 两千家, 十四个) or one after a threshold word (近千家, 超百家)
_COUNTED = r"(?:家|个(?!月|季度)|项|户)"
_WORD_FIGURE = (
    r"(?<![一二两三四五六七八九十百千万亿])[一二两三四五六七八九十百千]+(?:成|倍|番|个?百分点|(?:万亿|亿|万)"
    r"(?:美元|元|人次|人|户|家|吨)?)|百分之[一二三四五六七八九十百零点]+"
    rf"|(?<![一二两三四五六七八九十百千万亿零])[一二两三四五六七八九十百千零]{{2,}}{_COUNTED}"
    rf"|(?<=[近逾超约达破过足])[两三四五六七八九十百千]{_COUNTED}"
)
_FIGURE_TOKEN = re.compile(
    rf"(?<![\d.])-?\d+(?:,\d{{3}})*(?:\.\d+)?(?:余|多)?(?:{_FIGURE_UNIT})|{_WORD_FIGURE}"
    rf"|[第前]{_RANK_WORDS}[位名]|(?<=全省)[第前]{_RANK_WORDS}|劣?[ⅠⅡⅢⅣⅤ]+类|(?<![A-Za-z])(?:IV|V|I{{1,3}})类"
)


class ProseCoverage:
    """Which figures of a release's prose its reader took: every figure of a sentence (:data:`_FIGURE_TOKEN`) is read
    into an observation or noted, or named in the release's one note listing the clauses left (``note``). Readers say
    what they took by its characters in the sentence (``take``); a clause a note of the sentence quotes is noted
    too. So a figure no pattern reads (第一产业增加值210.5亿元, 人均GDP87852元, 进口下降3.1%) is never dropped
    without a word."""

    def __init__(self) -> None:
        self._left: list[str] = []
        self._sentence = ""
        self._line = 0
        self._taken: list[tuple[int, int]] = []
        self._notes_before = 0

    def start(self, line: int, sentence: str, notes_before: int) -> None:
        """Begin a sentence (as the reader holds it: half-width, names it lent its clauses added); ``notes_before``:
        how many notes the release had before the sentence was read."""
        self._line, self._sentence, self._taken, self._notes_before = line, sentence, [], notes_before

    def take(self, start: int, end: int) -> None:
        self._taken.append((start, end))

    def take_all(self) -> None:
        self.take(0, len(self._sentence))

    def finish(self, notes: list[str]) -> None:
        """The sentence's clauses holding a figure neither taken nor in a note of the sentence are kept for
        ``note``; neighbouring ones as one quote ("第一产业增加值210.5亿元,增长3.6%")."""
        noted = notes[self._notes_before :]
        left_at = [
            t.start()
            for t in _FIGURE_TOKEN.finditer(self._sentence)
            if not any(a <= t.start() and t.end() <= b for a, b in self._taken)
        ]
        runs: list[list[str]] = []
        start, joined = 0, False
        for clause in self._sentence.split(","):
            end = start + len(clause)
            left = any(start <= at < end for at in left_at) and not any(clause in n for n in noted)
            if left and joined:
                runs[-1].append(clause)
            elif left:
                runs.append([clause])
            joined, start = left, end + 1
        self._left.extend(f'row {self._line} "{",".join(run)}"' for run in runs)

    def note(self) -> str:
        """The release's one note naming the clauses left ('' when every figure was read or noted)."""
        return f"{LEFT_NOTE}: {'; '.join(self._left)}" if self._left else ""


# 市区/城区/全市 is the city's urban area; 各县市区 ("the counties, cities and districts") is not.
_CITY_SCOPE = re.compile(r"(?<!县)市区|城区")
# "全市", "全县", "全区", "全省": the whole of a place; which place depends on the release's own
# not a rank or what a figure is compared with: 居全省第一, 全市平均水平, 高于全市, 比全市, 占全市; nor the province
# a rank names, whose 全省 once made the clauses after it the province's: 居全省前三, 居全省14个市州第2位, 在全省排第2位
_WHOLE = re.compile(
    r"(?<![于比较占居排列入身在])全(?P<level>[市县区省])(?!第|平均|水平)(?!(?<=省)(?:前|\d+个|十四个|各市))"
)
# a park or zone: its figures are not any catalogued place's (株洲高新区, 经开区, 云龙示范区, 工业园)
PARK_WORDS = r"高新区|经开区|经济技术开发区|开发区|示范区|新区|工业园|产业园|园区"
_PARK = re.compile(PARK_WORDS)


def is_park(name: str) -> bool:
    """Whether a name is a park's or a zone's (株洲高新区, 云龙示范区, 湘江新区), whose figures no region holds."""
    return bool(_PARK.search(name))


def _whole_of(catalog: Catalog, level: str, place: str) -> str:
    """The region "全<level>" names in a release of ``place``: the place itself when its name ends with that
    level (全市 in 醴陵市's review is 醴陵), its parent city for 全市 in a county's or district's, the province
    for 全省."""
    if level == "省":
        return next((c for c, t in catalog.region_types.items() if t == "province"), place)
    if catalog.regions.get(place, "").endswith(level):
        return place
    parent = catalog.region_parents.get(place, "")
    return parent if level == "市" and parent and catalog.region_types.get(parent) == "city" else place


def _without_park_indicators(catalog: Catalog, clause: str) -> str:
    """The clause without the catalogue's names that name parks themselves (园区技工贸总收入, a figure of the
    city's parks together, the city's own): what is left names a park only if the figure is one park's."""
    for name in sorted(
        (n for ind in catalog.indicators.values() for n in (ind.name_zh, *ind.aliases) if is_park(n)), key=len
    )[::-1]:
        clause = clause.replace(name, "")
    return clause


def clause_regions(
    catalog: Catalog, sentence: str, city: str, urban_is_city: bool = True
) -> list[tuple[int, str | None]]:
    """Whose figures each clause of a prose sentence gives, as (clause start, region code): 市区/城区 ->
    the release's place (``city``; None unless ``urban_is_city``: the urban districts are not the whole city
    but for its monitoring figures), 全市/全县/全区/全省 -> the whole they name (:func:`_whole_of`), a
    catalogued place's name -> that place, a park or zone -> None (no place of the catalogue), no place ->
    the clause before's (the sentence's first: the release's place). A sentence may list several places:
    "醴陵市优良率为90.3%,攸县优良率为95.1%"; a clause naming two or more ("全市和醴陵市…") gives no one
    place: None."""
    regions: list[tuple[int, str | None]] = []
    region: str | None = city
    start = 0
    spellings = catalog.region_spellings()
    for clause in re.split(r"(?<=,)", sentence):
        named = list(dict.fromkeys(code for name, code in spellings.items() if code != city and name in clause))
        whole = _WHOLE.search(clause)
        if whole and whole["level"] == "省" and whole.start() > 2:  # the province only opening its clause
            whole = None
        if whole and named:  # 全市和醴陵市…
            region = None
        elif whole:
            region = _whole_of(catalog, whole["level"], city)
        elif _CITY_SCOPE.search(clause):
            region = city if urban_is_city else None
        elif is_park(_without_park_indicators(catalog, clause)) or len(named) > 1:
            region = None
        elif named:
            region = named[0]
        regions.append((start, region))
        start += len(clause)
    return regions


def drop_repeats(result: ParseResult, repeated: str = "") -> None:
    """Keep the first of identical (key, value, bound) figures: prose restates a figure (a review's summary
    and its section, a bulletin's 市区 table row and its text), and one statement is one figure. Different
    values under one key are kept, so validation reports the conflict naming both rows. ``repeated``: what a
    repeat is, said in a note naming its rows (an API serving a point twice); none for prose restating."""
    seen: dict[tuple[object, ...], Observation] = {}
    kept = []
    dropped = []
    for obs in result.observations:
        k = (*obs.key(), obs.value, obs.bound)
        if k not in seen:
            seen[k] = obs
            kept.append(obs)
        else:
            dropped.append(f"row {obs.source_row} repeats row {seen[k].source_row} ({'/'.join(obs.key())})")
    result.observations = kept
    if repeated and dropped:
        result.notes.append(f"not loaded, {repeated}: {'; '.join(dropped)}")


def region_at(regions: list[tuple[int, str | None]], position: int) -> str | None:
    """The region of the clause holding ``position`` (of :func:`clause_regions`); None for none."""
    return next(code for start, code in reversed(regions) if start <= position)


def split_header_unit(header: str) -> tuple[str, str]:
    """'地区生产总值(亿元)' -> ('地区生产总值', '亿元'); 'PM2.5(微克/立方米)' -> ('PM2.5', '微克/立方米')."""
    s = to_halfwidth(header).strip()
    m = re.match(r"^(.*?)\s*\(([^()]*)\)\s*$", s)
    return (m[1].strip(), normalize_unit(m[2])) if m else (s, "")


# What a table column holds, read from its header: one vocabulary for every table adapter. A change over
# the same period a year earlier is headed 同比增长(%), 增速, 增幅, and just as often 比上年同期±%, 增减(%).
_CHANGE_HEADER = re.compile(r"增长|同比|增速|增幅|±|增减")
# 位次 / 排名 alone ranks the column before it; 总量位次 and 增速位次 say which column they rank
_RANK_HEADER = re.compile(r"^(?P<of>总量|增速|增长|速度)?(?:位次|排名|位序|排位)")


def change_header_unit(header: str) -> str | None:
    """The unit of a column holding a change over a year earlier: '%' (a growth rate, the unit when the
    header names none), '百分点' (the change of a rate), another unit for a change in the level's own
    terms (比上年增减(家)), which no measure holds; None when the header names no change."""
    if not _CHANGE_HEADER.search(header):
        return None
    name, unit = split_header_unit(header)
    if not unit:
        pct = re.search(r"[%％]|百分点", name)
        unit = normalize_unit(pct[0]) if pct else "%"
    return unit


# A change against another period than a year earlier: 环比, 比上月, 增速比1-9月 / 比一季度 (the change of a
# growth rate since an earlier period). No measure holds it; read as a yoy it would be a wrong growth.
_OTHER_BASIS = re.compile(
    r"环比|(?:比|较)(?:上月|上期|年初|(?:1[-~至])?\d{1,2}月份?|[一二三四]季度|前三季度|上半年|上旬|上周)"
)


def other_basis(header: str) -> str | None:
    """The comparison a change column makes when it is not with the same period a year earlier (环比,
    比上月, 比1-9月), else None."""
    m = _OTHER_BASIS.search(to_halfwidth(header).replace(" ", ""))
    return m[0] if m else None


# A growth at current prices (现价增长, 按现价计算增长, 名义增长): for GDP and value added the growth published and
# kept is at constant prices (按不变价/可比价格计算); the nominal one beside it differs (a 2022 level ratio of +2.7%
# against a stated +13.5%), and read as the yoy it would clash with the real growth, or stand in for it unsaid.
_NOMINAL = re.compile(r"现价|当年价|名义")


# a column of remarks (备注 "含新入规企业"): text about a row, never figures, in any table layout
_REMARKS = re.compile(r"(?:备注|附注|说明|注)(?:\(.*\))?")


def is_remarks(header: str) -> bool:
    """Whether a table column holds remarks (备注, 说明), which no layout reads: left out with a note saying so,
    not named as an indicator to add to seeds/."""
    return _REMARKS.fullmatch(to_halfwidth(header).replace(" ", "")) is not None


def unkept_change(header: str) -> str | None:
    """Why a change column is not read, as the note's words after "not read, ": a change against another
    period than a year earlier (:func:`other_basis`), or a growth at current prices; None when it is read."""
    basis = other_basis(header)
    if basis:
        return f"a change {basis}, not over a year earlier"
    nominal = _NOMINAL.search(to_halfwidth(header).replace(" ", ""))
    if nominal:
        return f"a growth at current prices ({nominal[0]}), not the growth at constant prices (不变价/可比价) kept"
    return None


def rank_header(header: str) -> str | None:
    """For a rank column: what it ranks ('总量' the level, '增速' the growth, '' the column before it);
    None for any other column."""
    m = _RANK_HEADER.match(header.replace(" ", ""))
    if m is None:
        return None
    return {"增长": "增速", "速度": "增速"}.get(m["of"] or "", m["of"] or "")


@dataclass
class RowContext:
    """Per-file state while an adapter emits rows."""

    catalog: Catalog
    result: ParseResult
    source_file: str
    release_date: date | None
    provenance: str = "published"
    source_ref: str = ""
    release_date_imputed: bool = False  # release_date is the landing day: the file states none
    _untracked: dict[str, list[int]] = field(default_factory=dict)  # name -> rows, of skip_untracked
    _untracked_note: int | None = None

    def skip_untracked(self, row: int, name: str) -> None:
        """A statistics table's row (or column) of an indicator (or a group of cities) the warehouse does not
        track: a real 统计月报 lists dozens, so it is left out and named in one note of the release, not
        refused."""
        self._untracked.setdefault(name, []).append(row)
        listed = "; ".join(f"{n} (row {', '.join(map(str, rows))})" for n, rows in self._untracked.items())
        note = f"not loaded, not tracked in seeds/ (indicators.csv, regions.csv; add it there to track it): {listed}"
        if self._untracked_note is None:
            self._untracked_note = len(self.result.notes)
            self.result.notes.append(note)
        else:
            self.result.notes[self._untracked_note] = note

    def set_release(self, release_date: date | None, illustrative: bool, source_ref: str, note: str = "") -> None:
        """The release's date, provenance and source, for every row from now on and for the result; ``note``
        says where the date came from when the file gave none (:func:`landed_note`): the date is then the landing
        day, flagged on every row (``release_date_imputed``)."""
        self.release_date = self.result.release_date = release_date
        self.release_date_imputed = self.result.release_date_imputed = note.startswith(LANDED_NOTE)
        if note:
            self.result.notes.append(note)
        if illustrative:
            self.provenance = self.result.provenance = "illustrative"
        self.source_ref = source_ref

    def error(self, row: int | None, column: str, reason: str) -> None:
        self.result.errors.append(IngestError(self.source_file, row, column, reason))

    def add(
        self,
        *,
        indicator: str,
        region: str | None,
        period: Period,
        measure: str,
        cell: str,
        unit: str,
        row: int,
        column: str,
        subject: str = "",
        provenance: str | None = None,
        release_date: date | None = None,
        release_date_imputed: bool = False,
        source_ref: str | None = None,
        vintage: str = "",
        derived_from: str = "",
    ) -> Observation | None:
        """Parse ``cell`` and append an Observation; on a problem, record an error and return None.

        ``indicator``/``region`` are codes when resolvable, else the published text; validate.py
        reports unknown ones, so the message carries what the office wrote. ``region`` None: the prose
        gave it for no one catalogued place (a park, several places at once, 市区): left out, with a note.
        ``vintage``: a label the table's title gives all its figures (预计 …), read as the cell's own would be.
        ``derived_from``: the figure is worked out from what the source says, not said by it (:meth:`derive`).
        ``release_date_imputed``: the row's own ``release_date`` is the landing day (the row states none); without
        a ``release_date`` of its own the row takes the release's date and its flag.
        """
        if region is None:
            self.result.notes.append(
                f"row {row} {column}: not read, a figure of a park, of several places or of the urban districts"
            )
            return None
        ind = self.catalog.indicator(indicator)
        if ind is not None and measure == "value" and ind.measure_kind in ("class", "stage"):
            measure = ind.measure_kind  # a class/stage indicator's "value" is its class/stage
        if ind is not None and measure == "value" and ind.measure_kind == "stock" and period.kind == "ytd":
            # a running total has no "year so far": 1-9月 上市公司25家 is the count at the end of September
            period = month_period(period.end.year, period.end.month)
        try:
            parsed = parse_value(cell, measure)
        except ValueParseError as exc:
            self.error(row, column, str(exc))
            return None
        if parsed.value is None:  # not published: no row
            return None
        if vintage and measure not in ("class", "stage"):  # an estimate is approximate, as a 预计 cell is
            parsed = replace(parsed, bound=vintage_bound(vintage, parsed.bound))
        source_unit = normalize_unit(unit) or parsed.unit
        # "6.2万" under 万人 says the same unit; "6.2万" under 人 or 亿元 does not
        if parsed.unit and normalize_unit(unit) and not normalize_unit(unit).startswith(parsed.unit):
            self.error(row, column, f"cell unit {parsed.unit!r} differs from column unit {unit!r}")
            return None
        value = parsed.value
        target = source_unit
        if ind is not None:
            try:
                target = measure_unit(measure, ind.unit, source_unit)
                value, note = convert(value, source_unit, target, period.year)
            except UnitError as exc:
                self.error(row, column, f"{exc} (indicator {ind.code} is in {ind.unit})")
                return None
            if note:
                self.result.notes.append(f"row {row} {column}: {note}")
        if parsed.note:
            self.result.notes.append(f"row {row} {column}: {parsed.note}")
        obs = Observation(
            indicator_code=indicator,
            region_code=region,
            subject_code=subject,
            period_code=period.code,
            period_kind=period.kind,
            period_start=period.start,
            period_end=period.end,
            measure=measure,
            value=value,
            bound=parsed.bound,
            unit=target,
            source_value=parsed.text.strip(),
            source_unit=unit.strip() if unit else parsed.unit,
            provenance=provenance or self.provenance,
            derived_from="",
            source_ref=self.source_ref if source_ref is None else source_ref,
            source_file=self.source_file,
            source_row=row,
            release_date=release_date or self.release_date,
            release_date_imputed=release_date_imputed if release_date else self.release_date_imputed,
        )
        if derived_from:
            self.derive(obs, derived_from)
        self.result.observations.append(obs)
        self.result.columns[column_key(obs)] = column
        return obs

    @staticmethod
    def derive(obs: Observation, derived_from: str) -> None:
        """Mark ``obs`` as worked out from what its source says (a ratio made a growth, a river's class given to
        each of its sections), saying from what. A published source's figure becomes ``derived``; an illustrative
        one stays ``illustrative`` (the marts' label that outranks the others), with ``derived_from`` all the same."""
        if obs.provenance == "published":
            obs.provenance = "derived"
        obs.derived_from = derived_from

    def unstated_measure(self, row: int, indicator: str, unit: str) -> str | None:
        """The measure of a row that names none (a long-format file's or an API point's): its level, 'value';
        None, with the error recorded, when its unit says it is no level: a figure in % of an indicator in 亿元
        is a growth or a share, which only the office can say (the unit clash it would raise hides that)."""
        ind = self.catalog.indicator(self.indicator_code(indicator))
        if ind is not None and normalize_unit(unit) in ("%", "百分点") and normalize_unit(ind.unit) != "%":
            self.error(
                row,
                "measure",
                f"no measure given, and a figure in {unit} of {ind.code} (in {ind.unit}) is no level: "
                "state its measure (yoy_pct for a growth over a year earlier, plan_share_pct for a share of the "
                "year's plan, …)",
            )
            return None
        return "value"

    def indicator_code(self, name: str) -> str:
        return self.catalog.resolve_indicator(name) or name.strip()

    def region_code(self, name: str, city_code: str | None = None) -> str:
        return self.catalog.resolve_region(name, city_code) or name.strip()
