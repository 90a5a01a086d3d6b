"""Value qualifiers: the only place cell text becomes (value, bound).

Bounds: eq exact, gt (突破/超过/>), ge (以上/不低于/≥), lt (<), le (以下/以内/不超过/≤), approx (左右/约).

Ranges ("8-9", "8~9%"): we keep the lower end with bound ``ge`` and a note naming the range, because
a published range is a floor the figure is claimed to reach; the upper end stays visible in
``source_value``. Negative numbers ("-3.3") are not ranges.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from dagster_project.ingest.text import to_halfwidth
from dagster_project.ingest.units import CHANGE_MEASURES, normalize_unit

__all__ = [
    "VINTAGE_LABELS",
    "THRESHOLD_WORDS",
    "THRESHOLD_SUFFIXES",
    "FALL_WORDS",
    "FOOTNOTE_MARKS",
    "footnote_mark_reason",
    "VINTAGE_NOTES",
    "vintage_note",
    "vintage_bound",
    "PROSE_VINTAGE",
    "ParsedValue",
    "FormulaCellError",
    "ValueParseError",
    "BOUNDS",
    "is_formula_like",
    "parse_change",
    "parse_number",
    "parse_value",
    "parse_class",
    "parse_stage",
    "parse_rank",
]

BOUNDS = ("eq", "gt", "ge", "lt", "le", "approx")


class ValueParseError(ValueError):
    """Cell text is not a number / class / stage."""


class FormulaCellError(ValueParseError):
    """A formula-like cell (=..., +A1, -cmd, @...) where a number was expected; never evaluated."""


@dataclass(frozen=True)
class ParsedValue:
    value: float | None  # None = not published
    bound: str
    text: str  # the cell as published
    unit: str = ""  # a unit written inside the cell ("突破4000亿元" -> 亿元), canonical spelling
    note: str = ""


# "x" as tables print a figure not published (不宜公布): no figure, as a dash is
_NOT_PUBLISHED = {"", "-", "--", "—", "——", "…", "……", "...", "/", "—/—", "x", "n/a", "na", "null"}
# '=' or '@' anything; '+'/'-' followed by something that is not the start of a number.
_FORMULA = re.compile(r"^(?:[=@]|[+-](?![\d.\s]))")

_NUM = r"[+-]?(?:\d{1,3}(?:[ ,]\d{3})+|\d+)(?:\.\d+)?"
_NUM_RE = re.compile(rf"^(?P<num>{_NUM})(?P<unit>\D*)$")
_RANGE_RE = re.compile(rf"^(?P<lo>{_NUM})\s*(?:-|~|至|到)\s*(?P<hi>{_NUM})(?P<unit>\D*)$")

# (regex on the text, bound). Prefixes first, then suffixes.
_PREFIXES: list[tuple[str, str]] = [
    ("不低于", "ge"),
    ("不少于", "ge"),
    ("不超过", "le"),
    ("不高于", "le"),
    ("达到", "eq"),
    ("突破", "gt"),
    ("超过", "gt"),
    ("大于", "gt"),
    ("高于", "gt"),
    ("小于", "lt"),
    ("低于", "lt"),
    (">=", "ge"),
    ("<=", "le"),
    ("≥", "ge"),
    ("≤", "le"),
    (">", "gt"),
    ("<", "lt"),
    ("约", "approx"),
    ("≈", "approx"),
    ("逾", "gt"),
    ("超", "gt"),
    ("跨越", "gt"),
    ("迈上", "ge"),
    ("站上", "ge"),
    # 近600家 / 接近600 / 将近600: nearly 600, so just under it; as 'approx' a near miss met a target of 600
    ("将近", "lt"),
    ("接近", "lt"),
    ("近", "lt"),
    ("不到", "lt"),
    ("不足", "lt"),
    ("达", "eq"),
    ("为", "eq"),
]
# the words before a number that make it a bound (突破, 迈上, 近 …): prose readers find a figure's start by them
THRESHOLD_WORDS = tuple(word for word, bound in _PREFIXES if bound != "eq" and word[0] not in "<>≥≤≈")
# After the number, before its unit: "600余家", "600多家" (more than), "600+" (at least).
_AFTER_NUMBER = (("余", "gt"), ("多", "gt"), ("+", "ge"))
# A round number written as its word, as thresholds are: "突破千亿元", "超百亿" (1000, 100 亿元).
_ROUND_NUMBERS = {"百": "100", "千": "1000", "万": "10000"}
# Words that only dress a threshold up: "突破3000亿元大关", "跨越200亿元台阶".
_DRESSING = re.compile(r"(?:大关|台阶|关口)$")
_SUFFIXES: list[tuple[str, str]] = [
    ("以上", "ge"),
    ("及以上", "ge"),
    ("以下", "le"),
    ("及以下", "le"),
    ("以内", "le"),
    ("左右", "approx"),
]


# Which vintage a hand-keyed cell says it is: "3105.8(初步核算)", "预计3000". The figure is kept (vintages
# are matched by release date, docs/methodology.md); the label goes into the release's notes, and an
# estimate (预计) is approximate.
_VINTAGE_LABELS = {
    "初步核算": "preliminary (初步核算): a later release revises it",
    "初步": "preliminary (初步): a later release revises it",
    "快报": "flash figure (快报): a later release revises it",
    "预计": "estimate (预计): a later release revises it",
    "预计数": "estimate (预计数): a later release revises it",
    "初步数": "preliminary (初步数): a later release revises it",
    # an environmental bulletin's real-time figures, before the monitoring network's audit (审核)
    "实时数据": "real-time data (实时数据), not audited: the audited figures revise it",
    "数据未经审核": "not audited (数据未经审核): the audited figures revise it",
    "未经审核": "not audited (未经审核): the audited figures revise it",
    "修订": "revised (修订)",
    "修订后": "revised (修订后)",
    "核实": "final (核实)",
    "最终核实": "final (最终核实)",
}
VINTAGE_NOTES = frozenset(_VINTAGE_LABELS.values())  # what a cell's vintage label adds to the release's notes
_LABELS = "|".join(sorted(_VINTAGE_LABELS, key=len, reverse=True))
VINTAGE_LABELS = _LABELS  # a regex alternation of the labels, for a table's title: 统计月报（2023年3月）（快报）
# the labels a sentence of prose gives its figures ("初步核算,全年全市地区生产总值…"; 初步 alone is also a verb's
# adverb there: 初步形成): the statistics bulletin's reader and a ledger's quotes read them alike
PROSE_VINTAGE = re.compile(r"初步核算|预计")


def vintage_note(label: str) -> str | None:
    """What a vintage label (快报, 初步核算, 修订 …) says of the figures it stands beside; None for other text."""
    return _VINTAGE_LABELS.get(label)


def vintage_bound(label: str, bound: str) -> str:
    """The bound of a figure labelled ``label`` (in its cell, or in its table's title): an estimate (预计) stated
    exactly is approximate; any other label leaves the bound as it is."""
    return "approx" if label.startswith("预计") and bound == "eq" else bound


_VINTAGE = re.compile(rf"^(?:(?P<pre>{_LABELS})\s*:?\s*)?(?P<body>.*?)(?:\s*\((?P<post>{_LABELS})\))?$")

# A footnote mark after a figure, as tables and bulletins print them: 123.4*, 123.4※, 123.4①, 123.4¹, 123.4(r)
# (revised), 123.4(p) (provisional), 123.4注1, 123.4注① (a 注 with its circled number: it was read as the mark 注
# and its ① as the text after it), 123.4[注], 123.4【注1】 (a 注 in square brackets was read as the unit 注). Text after
# the number is otherwise read as its unit.
_CIRCLED = r"[\u2460-\u2473\u2776-\u277f]"
_FOOTNOTE_MARK = re.compile(
    rf"[*※△▲†‡]+|{_CIRCLED}|[\u00b9\u00b2\u00b3\u2070-\u2079]+|\(?[rRpP]\)?|\(?注\s*(?:\d+|{_CIRCLED})?\)?|\(\d\)"
    rf"|\[注\s*(?:\d+|{_CIRCLED})?\]|【注\s*(?:\d+|{_CIRCLED})?】"
)
FOOTNOTE_MARKS = _FOOTNOTE_MARK.pattern  # the marks as a regex, for prose: "出口200.1亿元*，增长3.3%"


# a mark with a number in it ("300注1", "300亿元(注2)"): the number part would be read as the figure's tail, and the
# cell refused as no number at all, not naming the mark
_NUMBERED_MARK = re.compile(r"^[+-]?[\d,. ]+\D*?(?P<mark>\(?注\s*\d+\)?|\(\d\)|\[注\s*\d+\]|【注\s*\d+】)$")


def footnote_mark_reason(mark: str, said: str) -> str:
    """Why a figure with a footnote mark after it (``said`` as written) is not loaded."""
    return (
        f"footnote mark {mark!r} after the figure in {said!r}: what it marks (a revision, an estimate, a "
        "break in the series?) is not read, so the figure is not loaded"
    )


# Longest first, so 及以上 wins over 以上 (sorted once, not on every cell).
_SUFFIXES_LONGEST_FIRST = sorted(_SUFFIXES, key=lambda x: -len(x[0]))
# the words after a number (and its unit) that make it a bound (以上, 以内, 左右 …), longest first: prose readers
# find a figure's end by them
THRESHOLD_SUFFIXES = tuple(word for word, _ in _SUFFIXES_LONGEST_FIRST)


def is_formula_like(text: str) -> bool:
    return bool(_FORMULA.match(to_halfwidth(text).strip()))


_WS = re.compile(r"\s+")
# A bare decimal number: what _NUM_RE accepts without separators, qualifier or unit.
_PLAIN_NUMBER = re.compile(r"[+-]?\d+(?:\.\d+)?")


def _norm(text: object) -> str:
    s = to_halfwidth("" if text is None else str(text)).replace("\u00a0", " ").strip()
    return _WS.sub(" ", s)


def _to_float(num: str) -> float:
    return float(num.replace(",", "").replace(" ", ""))


def _marked(mark: str, raw: str) -> ValueParseError:
    return ValueParseError(
        footnote_mark_reason(mark, raw) + "; remove the mark and say what it means in the note column, "
        "or as a vintage label (3420.3(修订), 快报:52.3)"
    )


_SIDES = {"gt": "above", "ge": "above", "lt": "below", "le": "below"}


def _both(first: str, second: str, raw: str) -> tuple[str, str]:
    """One bound of two qualifiers on one number: a writer's doubling of one side ("超过8%以上", "不到5%以下") is
    that side, the weaker of the two (ge, le: what both say); two sides, or an approximation beside a bound
    ("约8%以上"), say no one thing."""
    side = _SIDES.get(first)
    if side is None or side != _SIDES.get(second):
        raise ValueParseError(f"two qualifiers in {raw!r}")
    weaker = "ge" if side == "above" else "le"
    return weaker, f"two qualifiers saying one side in {raw!r}: the bound kept inclusive, what both say"


def parse_number(text: object) -> ParsedValue:
    """Parse a numeric cell with optional qualifier and unit: '突破600', '83左右', '19 278.1', '>600'."""
    raw = "" if text is None else str(text)
    s = _norm(raw)
    if _PLAIN_NUMBER.fullmatch(s):  # fast path: the same result as the general one below
        return ParsedValue(float(s), "eq", raw)
    if s.lower() in _NOT_PUBLISHED:
        return ParsedValue(None, "eq", raw)
    if _FORMULA.match(s):
        raise FormulaCellError(f"formula-like cell {raw!r} where a number was expected")
    vintage = _VINTAGE.match(s)
    label = vintage["pre"] or vintage["post"] if vintage else None
    if label:
        s = vintage["body"].strip()
    bound, threshold = "eq", False
    for prefix, b in _PREFIXES:
        if s.startswith(prefix):
            s, bound, threshold = s[len(prefix) :].strip(), b, True
            break
    note = ""
    for suffix, b in _SUFFIXES_LONGEST_FIRST:
        if s.endswith(suffix):
            s = s[: -len(suffix)].strip()
            bound, note = _both(bound, b, raw) if bound != "eq" else (b, note)
            break
    s = _DRESSING.sub("", s).strip()
    if threshold:  # a threshold in words: 突破千(亿元); a word alone (百 in a 位次 column) is no number
        s = _ROUND_NUMBERS.get(s, s)
    m = _NUM_RE.match(s)
    if not m and (marked := _NUMBERED_MARK.match(s)):
        raise _marked(marked["mark"], raw)
    if m:
        value = _to_float(m["num"])
    else:
        r = _RANGE_RE.match(s)
        if not r or bound != "eq":
            raise ValueParseError(f"not a number: {raw!r}")
        lo, hi = _to_float(r["lo"]), _to_float(r["hi"])
        if hi < lo:
            raise ValueParseError(f"range {raw!r} has its upper end below its lower end")
        value, bound, m = lo, "ge", r
        note = f"range {r['lo']}-{r['hi']}: lower end kept as a floor (ge)"
    if label:
        estimate = vintage_bound(label, bound) != bound
        bound = vintage_bound(label, bound)
        note = "; ".join(filter(None, [_VINTAGE_LABELS[label], "kept as approximate" if estimate else "", note]))
    unit_text = m["unit"].strip()
    for word, b in _AFTER_NUMBER:
        if unit_text.startswith(word):
            unit_text = unit_text[len(word) :].strip()
            if bound == "eq":
                bound = b
            else:
                bound, doubled = _both(bound, b, raw)
                note = "; ".join(filter(None, [note, doubled]))
            break
    if _FOOTNOTE_MARK.fullmatch(unit_text):
        raise _marked(unit_text, raw)
    unit = normalize_unit(unit_text) if unit_text else ""
    return ParsedValue(value, bound, raw, unit, note)


_ROMAN = {"Ⅰ": 1, "Ⅱ": 2, "Ⅲ": 3, "Ⅳ": 4, "Ⅴ": 5, "Ⅵ": 6, "I": 1, "II": 2, "III": 3, "IV": 4, "V": 5, "VI": 6}
_CLASS_RE = re.compile(
    r"^(?:达到|达|为)?(?P<q>达到或优于|好于或等于|不低于|不劣于|优于|好于|劣于)?(?P<lie>劣)?"
    r"(?P<c>Ⅰ|Ⅱ|Ⅲ|Ⅳ|Ⅴ|Ⅵ|III|II|IV|VI|I|V|[1-6一二三四五])(?:类)?(?:水质)?"
    r"(?P<suffix>及以上|及以下|以上|以下)?"
    r"(?:\((?:优|良好?|轻度污染|中度污染|重度污染)\))?$",  # a class's description: Ⅲ类(良好)
    re.I,
)
_CHINESE_CLASS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5}


def parse_class(text: object) -> ParsedValue:
    """Water class text -> 1..6, lower is better.

    Ⅱ, II, Ⅱ类 -> 2; 劣Ⅴ -> 6; 优于Ⅱ类 -> 2 with bound lt; 达到或优于Ⅱ类 -> 2 with bound le.
    """
    raw = "" if text is None else str(text)
    s = _norm(raw).replace(" ", "")
    if s.lower() in _NOT_PUBLISHED:
        return ParsedValue(None, "eq", raw)
    if _FORMULA.match(s):
        raise FormulaCellError(f"formula-like cell {raw!r} where a water class was expected")
    m = _CLASS_RE.match(s)
    if not m:
        raise ValueParseError(f"not a water class: {raw!r}")
    if m["c"].upper() in ("Ⅵ", "VI"):
        # GB 3838 has classes Ⅰ-Ⅴ; worse than Ⅴ is written 劣Ⅴ (stored as 6). A "Ⅵ" is a typo to check.
        raise ValueParseError(f"there is no water class Ⅵ: {raw!r} (classes are Ⅰ-Ⅴ, and 劣Ⅴ for worse than Ⅴ)")
    value = _ROMAN.get(m["c"].upper()) or _CHINESE_CLASS.get(m["c"]) or int(m["c"])
    if m["lie"]:
        if value != 5:
            raise ValueParseError(f"only 劣Ⅴ is a valid 劣 class: {raw!r}")
        value = 6
    # Better water = lower class number, so 优于 (better than) is '<' and 以上 (or better) is '<='.
    bound = {
        None: "eq",
        "达到或优于": "le",
        "好于或等于": "le",
        "不低于": "le",  # not worse than: the class or better
        "不劣于": "le",
        "优于": "lt",
        "好于": "lt",
        "劣于": "gt",
    }[m["q"]]
    if m["suffix"]:
        if bound != "eq":
            raise ValueParseError(f"two qualifiers in {raw!r}")
        bound = {"及以上": "le", "以上": "le", "及以下": "ge", "以下": "ge"}[m["suffix"]]
    return ParsedValue(float(value), bound, raw, "类")


_STAGES = {
    "未开工": 0,
    "前期": 1,
    "前期工作": 1,
    "开工": 2,
    "新开工": 2,
    "已开工": 2,
    "主体完工": 3,
    "竣工": 4,
    "投产": 4,
    "竣工投产": 4,
    "建成": 4,
    "建成投产": 4,
}


def parse_stage(text: object) -> ParsedValue:
    """Project stage name (or 0..4) -> 0 未开工, 1 前期, 2 开工, 3 主体完工, 4 竣工投产."""
    raw = "" if text is None else str(text)
    s = _norm(raw).replace(" ", "")
    if s.lower() in _NOT_PUBLISHED:
        return ParsedValue(None, "eq", raw)
    if _FORMULA.match(s):
        raise FormulaCellError(f"formula-like cell {raw!r} where a project stage was expected")
    if s in _STAGES:
        return ParsedValue(float(_STAGES[s]), "eq", raw, "级")
    if re.fullmatch(r"[0-4]", s):
        return ParsedValue(float(s), "eq", raw, "级")
    raise ValueParseError(f"not a project stage: {raw!r}")


_CHINESE_DIGITS = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
# 前三 / 居全省前五位 / 进入全省前3名: a published bound, at best that place (1 = best): rank <= n
_RANK = re.compile(
    r"^(?:居|进入|跻身)?(?:全省)?(?:第|(?P<top>前))?\s*(?P<n>\d+|[一二两三四五六七八九十]+)\s*(?:位|名)?$"
)


def _chinese_number(text: str) -> int | None:
    """一..九十九: '十四' -> 14, '二十' -> 20, '三' -> 3; None for anything else."""
    tens, _, ones = text.partition("十")
    if "十" not in text:
        return _CHINESE_DIGITS.get(text) if len(text) == 1 else None
    t = _CHINESE_DIGITS.get(tens, 0 if tens else 1) if len(tens) <= 1 else 0
    o = _CHINESE_DIGITS.get(ones, 0 if not ones else -100) if len(ones) <= 1 else -100
    value = t * 10 + o
    return value if t and value > 0 else None


def parse_rank(text: object) -> ParsedValue:
    """A rank as tables write it: '3', '第3', '第3位', '3名', '第三', '十四', '居全省第一'; a top group
    '前三', '全省前5位' is a bound: the rank is 3 or better (le 3), never the exact third place."""
    raw = "" if text is None else str(text)
    m = _RANK.match(_norm(raw))
    if m:
        n = m["n"]
        value = int(n) if n.isdigit() else _chinese_number(n)
        if value is not None:
            return ParsedValue(float(value), "le" if m["top"] else "eq", raw)
    return parse_number(text)


# a change written in words in a growth cell: 增长5.1, 下降3.2 (a fall), 持平 (no change)
_RISE = re.compile(r"^(?:增长|提高|上升|增加)\s*")
# the words of a fall, before its number (prose readers take them from here): 负增长3.2% is -3.2%
FALL_WORDS = ("负增长", "下降", "降低", "减少", "回落", "下滑")
_FALL = re.compile(rf"^(?:{'|'.join(FALL_WORDS)})\s*")
_FLAT = ("持平", "与上年持平", "同比持平", "与去年持平", "与上年同期持平", "与去年同期持平")
# a fall's bound is the other side of its negative value: 下降超过5 is below -5
_FALL_BOUNDS = {"gt": "lt", "ge": "le", "lt": "gt", "le": "ge"}


def parse_change(text: object) -> ParsedValue:
    """A change cell: a number, or one written in words (增长5.1, 下降3.2, 持平)."""
    raw = "" if text is None else str(text)
    s = _norm(raw)
    if s in _FLAT:
        return ParsedValue(0.0, "eq", raw)
    if rise := _RISE.match(s):
        return replace(parse_number(s[rise.end() :]), text=raw)
    if fall := _FALL.match(s):
        parsed = parse_number(s[fall.end() :])
        if parsed.value is None or parsed.value < 0:
            raise ValueParseError(f"not a fall: {raw!r}")
        return replace(parsed, value=-parsed.value, bound=_FALL_BOUNDS.get(parsed.bound, parsed.bound), text=raw)
    return parse_number(text)


def parse_value(text: object, measure: str = "value") -> ParsedValue:
    """Dispatch on the measure: class, stage and rank cells have their own vocabularies, a change its words."""
    if measure == "class":
        return parse_class(text)
    if measure == "stage":
        return parse_stage(text)
    if measure in ("rank", "yoy_rank"):
        return parse_rank(text)
    if measure in CHANGE_MEASURES:
        return parse_change(text)
    return parse_number(text)
