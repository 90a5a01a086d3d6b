"""Format 7: a statistics office's prose release (HTML) with the figures inside: the yearly bulletin
(国民经济和社会发展统计公报: "全市实现地区生产总值3420.3亿元,比上年增长8.3%") and the monthly or quarterly
review (经济运行情况: "一季度,全市实现地区生产总值754.2亿元,同比增长18.9%"). The title gives the place and
the period (the bulletin's year, the review's 1-5月, 一季度, 上半年 …); a sentence opening with a period of its
own ("1-5月,", "前三个月全市…") is for that period. A review whose title names no place is the city whose
统计局 published it.

A figure is read only where a catalogued indicator's name is followed directly by its number and unit
(or by its growth): a name mentioned in passing, or a number that belongs to another sentence part, is
left alone. An absolute change ("比上年增加3.6亿元") is no stored figure: left out with a note, unless it is a
catalogued one's (新增X). Multi-year figures ("年均增长") after a year's are not read; a sentence opening with a
span (十三五期间, 2016-2020年) reads only its 年均增长 / 累计增长 (:func:`_read_span`); a rank in the province is,
where whose it is (the level's or the growth's) can be told (:func:`_read_ranks`). ``source_row`` is the HTML line of
the paragraph.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from dagster_project.ingest.adapter_common import (
    PARK_WORDS,
    STATS_OFFICE,
    ProseCoverage,
    RowContext,
    clause_regions,
    drop_repeats,
    prose_sentences,
    region_at,
    release_or_error,
)
from dagster_project.ingest.catalog import (
    URBAN_MONITORED,
    URBAN_SCOPE_NAMES,
    Catalog,
    Indicator,
    is_price_basis,
    normalize_name,
)
from dagster_project.ingest.document import Document
from dagster_project.ingest.env_bulletin import page_release, read_html
from dagster_project.ingest.models import ParseResult
from dagster_project.ingest.periods import Period, parse_period, shift_years, split_leading_period
from dagster_project.ingest.qualifiers import (
    FALL_WORDS,
    FOOTNOTE_MARKS,
    PROSE_VINTAGE,
    THRESHOLD_SUFFIXES,
    THRESHOLD_WORDS,
    ValueParseError,
    footnote_mark_reason,
    parse_number,
)
from dagster_project.ingest.text import to_halfwidth
from dagster_project.ingest.units import needs_exchange_rate, takes_unit, unkept_change_reason, yoy_change_unit

__all__ = ["NAME", "sniff", "parse"]

NAME = "yearly_bulletin"
# "株洲市2023年国民经济和社会发展统计公报", "2023年株洲市国民经济和社会发展统计公报"
# a district's or county's own bulletin may name its city first: "2023年株洲市荷塘区…统计公报"
_BULLETIN = re.compile(
    r"^(?:(?P<y1>\d{4})年)?(?P<region>[^\d]+?(?:市|县|区|州)(?:[^\d]+?(?:县|区))?)(?:(?P<y2>\d{4})年)?.*统计公报$"
)
# "2021年一季度株洲市经济运行情况", "株洲市2023年1-5月份经济运行情况", "2023年上半年全市国民经济运行简况"
_REVIEW = re.compile(r"^(?P<lead>.+?)(?:国民)?经济运行(?:情况|简况|态势|分析)?$")
_PLACE_CHARS = 8  # a place's name in a review's title: 株洲, 株洲市, 醴陵市, 炎陵县 …
_WHOLE = ("全市", "全县", "全区")
_VERB = r"(?:预计|实现|完成|累计(?=达到|达|为)|达到|达|为|共|总额|总量)*"  # 累计 before 达到: a running total
# the qualifiers qualifiers.py reads: before the number, between it and the unit, after the unit
# (qualifiers.py's words, longest first: 迈上3000亿元台阶, 站上500亿元, 不足100家; 达 is exact)
_THRESHOLD = rf"(?:{'|'.join(sorted(THRESHOLD_WORDS, key=len, reverse=True))}|达)"
# a round threshold may be a word before 亿: "突破千亿元", "超百亿" (never alone: 千亿产业集群 is a name)
_NUMBER = rf"(?:{_THRESHOLD}?(?:\d{{1,3}}(?:,\d{{3}})+|\d+)(?:\.\d+)?(?:余|多)?|{_THRESHOLD}[百千万](?=亿))"
_AFTER_UNIT = r"以上|左右|以下"
# a footnote mark after a figure ("出口200.1亿元*,增长3.3%"): qualifiers.py's list; the figure is left out with a
# note naming it, as a table's cell is refused, and the rest of the sentence is still read
_MARK = rf"(?:{FOOTNOTE_MARKS})"
# a cut between two characters of one figure as prose writes it (1,234.5): a digit or a separator before a digit
_SPLIT_NUMBER = re.compile(r"[\d.,]\d|\d[.,]\d")
# 亿 alone is 亿元 (units.py's alias) only where no other unit follows it: "3000亿," but not "1.2亿人次"; a footnote
# mark may follow it ("300亿注1", which was read as no figure at all)
_YI_ALONE = r"亿(?=$|[^\u4e00-\u9fff]|以上|左右|以下|比|较|同比|增长|下降|提高|回落|注)"
_MONEY = rf"万亿元|万{_YI_ALONE}|亿元|万美元|万元|亿美元|{_YI_ALONE}|元"
_UNIT = rf"{_MONEY}|万人次|万人|人|万户|户|家|万个|个|项|天|公里|%|微克/立方米"
# the units of a count written before the name it counts: "11家上市公司", "12个项目"
_COUNT_UNIT = r"家|个|户|项"
# units bulletins give quantities in that no catalogued indicator is in, nor converts to (units.py has none of
# them): a catalogued name followed by one is another measure (a volume, an area), left out with a note naming it
_OTHER_UNIT = (
    r"(?:万|亿)?吨(?:标准煤)?|万标准煤|(?:万|亿)?千瓦时|万?千瓦|万?平方米|(?:万|亿)?立方米|万?公顷|万?亩"
    r"|万?辆|万?台|万?套|万?件|万?头|亿人次|亿人|所|张|座|条|部"
)
# a scope aside between a name and its figure: "固定资产投资(不含农户)增长8.5%", "…增加值(按可比价计算)增长7.1%";
# which asides keep the catalogued indicator the catalogue says (:meth:`Catalog.resolve_indicator`)
_ASIDE = r"(?:\((?P<aside>[^()]{1,16})\))?"
_SINCE = r"(?:(?:比|较)(?:上年|去年)(?:同期)?|同比|同口径)"
# the basis a growth is computed on, before it: the prices (按可比价格计算), or last year's figure revised to this
# year's scope (按可比口径, 按同口径计算: the office's 同比 against a revised base, read as 同口径 is)
_BASIS = r"按(?:(?:可比|不变)价(?:格)?计算|(?:可比|同)口径(?:计算)?)"
# a growth against the end of last year ("比上年末增长0.5%"): over a year in a bulletin of the year, not in a review
_YEAR_END_SINCE = r"(?:比|较)(?:上年|去年)(?:末|底)"
# a growth may be a bound too: "增长20%以上", "增长超过10%", "增长7%左右" (also "增长了7%"); it may carry its
# sign ("增长-2.1%", a fall) or be stated as the rate's value ("增速为6.2%", "增幅6.2%", "增长率为-1.5%");
# "与上年持平" is none
_RISE = "增长|提高|增加|上升|增(?=-?\\d)"  # a bare 增 right before its number: "…收入增 6.1%" (2020年政府工作报告)
_FALL = "|".join(FALL_WORDS)
_RATE_WORD = r"(?:增速|增幅|增长率)(?:为|达到|达)?"
# "增速与上年持平": the growth rate as last year's, no growth of 0 (noted as a growth rate's change)
_RATE_FLAT = r"(?:增速|增幅)(?:与|和|同)(?:上年|去年)(?:同期)?(?:持平|相同|一致)"
_FLAT = r"(?P<flat>(?:与(?:上年|去年)(?:同期)?|同比)?持平)"
# the level as a multiple of the year before's: "为上年的1.2倍" (a growth of 20%, derived from the ratio)
_RATIO = r"(?P<ratio_said>(?:为|是|相当于|达到)?(?P<ratio_of>上年|去年)(?:同期)?的?(?P<ratio>\d+(?:\.\d+)?)倍)"
# a doubling (2, 4, 8 times the level): over a year only where 比上年/同比 says so; else over an unstated span
_FOLDS = {"一": 1, "两": 2, "二": 2, "三": 3}
_DOUBLING = r"(?P<double_since>(?:比|较)(?:上年|去年)(?:同期)?|同比)?(?:实现)?翻了?(?P<fold>[一两二三])番"
# a growth turned from an earlier one: "由上年下降0.5%转为增长3.2%", "增速由负转正,增长1.2%", "增速由上年同期的3.2%
# 提高到7.1%" (the figure read is the growth after it; the one before is the year before's, read where its period
# is told: not "由1-10月的5.1%提高到5.6%")
_TURN_WAY = "负转正|正转负|降转升|降转增|升转降|增转降"
_TO = "提高|回升|上升|加快|回落|下降|放缓"
_TURN = (
    rf"(?P<turn>(?:增速|增幅)?(?:{_SINCE})?由(?:(?P<turn_way>{_TURN_WAY})"
    rf"|(?P<was_when>[^,]{{0,10}}?)(?:(?P<was_dir>{_RISE}|{_FALL})|的)?(?P<was_sign>-)?(?P<was>\d+(?:\.\d+)?)"
    rf"(?P<was_unit>%|个?百分点)(?:转(?:为|而)?|(?:{_TO})(?=[到至])))),?"
)
_A_TURN = re.compile(rf"(?:增速|增幅)?由(?:{_TURN_WAY}|[^,]{{0,14}}?(?:转为|转而|(?:{_TO})[到至]))")
# the growth it turned to, after "提高到" (no word of its own)
_TURNED_TO = r"(?<=高到|高至|升到|升至|快到|快至|落到|落至|降到|降至|缓到|缓至)"
# a growth's bound: any word qualifiers.py makes one of, before its number ("增长超过10%", "下降近3%") or after it
# ("增长20%以上", "增长5%以内"); a fall's bound is turned there (qualifiers.parse_change: 下降近3% is above -3)
_GROWTH_BEFORE = "|".join(sorted(THRESHOLD_WORDS, key=len, reverse=True))
_GROWTH_AFTER = "|".join(THRESHOLD_SUFFIXES)
# a range ("增长8%-10%", "8~10%", "8%至10%"): read as qualifiers.py reads one, its lower end a floor (ge)
_GROWTH_RANGE = r"(?:(?P<range_unit>%|个?百分点)?(?P<range_sep>-|~|至|到)(?P<range_to>\d+(?:\.\d+)?))?"
_GROWTH = (
    rf"(?:(?:(?P<since_end>{_YEAR_END_SINCE})|{_SINCE})?(?:(?P<dir>{_RISE}|{_FALL})了?|{_RATE_WORD}|[到至]{_TURNED_TO})(?P<growth_before>{_GROWTH_BEFORE})?"
    rf"(?:\+|(?P<sign>-))?(?P<growth>\d+(?:\.\d+)?){_GROWTH_RANGE}(?P<growth_unit>%|个?百分点|倍)"
    rf"(?P<growth_after>{_GROWTH_AFTER})?(?P<growth_mark>{_MARK})?|{_FLAT}|{_RATIO}|{_DOUBLING})"
)
# a change said in words, with no number, right after a figure (or its name): "同比基本持平", "略有下降", "小幅增长",
# "增长逾一成" (more than a tenth), "增速基本持平" (of its growth rate). Not read (no figure is made up from words;
# 基本持平 is near 0, not the 0 of 持平), noted naming it
_TENTHS = r"[一二两三四五六七八九]成"
_WORDED_CHANGE = re.compile(
    rf",?(?P<said>(?:{_SINCE})?(?:增速|增幅)?(?:(?:基本|大体|总体)持平|(?:略有|小幅|有所|大幅|明显)(?:{_RISE}|{_FALL}|回升|加快|放缓)"
    rf"|(?:{_RISE}|{_FALL})了?(?:{_GROWTH_BEFORE})?{_TENTHS}(?:{_GROWTH_AFTER}|多)?))(?=,|$)"
)
# what may stand between a level and what follows it: a comma, a threshold's dressing ("迈上3600亿元新台阶,增长4.5%"),
# or 、 before its growth ("3616.8亿元、增长4.5%"); the growth after it was dropped
_DRESSING = rf"(?:新?(?:台阶|大关|关口))?(?:,|、(?=(?:{_SINCE})?(?:{_RISE}|{_FALL})))?"
# a threshold restated exactly: "突破500亿元,达到512.3亿元"
_EXACT = rf"(?:(?:达到|达|为|实现)(?P<exact>\d+(?:\.\d+)?)(?P<exact_unit>{_UNIT}),?)?"
# the level restated in the other currency: "进出口总额210.5亿元,折合30.1亿美元,同比增长10.2%". The first is read;
# a growth after both is in yuan or in dollar terms (customs publishes both, and they differ): not read, noted
_RESTATED = rf"(?:(?:折合|合)(?P<restated>{_NUMBER}(?:亿美元|万美元|亿元|万元)),?)?"
# an absolute change after a level, or in its place: "402.5万人,比上年末减少1.2万人", "比上年增加3.6亿元",
# "净增1.2万户". No stored indicator is a change in the level's own unit: left out with a note naming it (a
# growth rate is never worked out from it), and the growth after it still read ("…增加3.6亿元,增长2.0%"); only a
# change that is itself a catalogued indicator's figure (新增X, 净增X) is read, as that indicator
# (:func:`_read_absolute_change`). Not in % nor points: those are growths.
_ABS_SINCE = r"(?:(?:比|较)(?:上年|去年)(?:末|底)?(?:同期)?|同比)"
_ABS_CHANGE = (
    rf"(?P<abs>(?P<abs_since>{_ABS_SINCE})?(?P<abs_dir>净增|净减|新增|增加|减少|增长|下降|多|少)了?"
    rf"(?P<abs_value>{_NUMBER})(?P<abs_unit>{_UNIT}|{_OTHER_UNIT})(?<!%)(?!个?百分点)),?"
)
# the same after the growth: "比上年增长11.2%,增加48.5亿元"
_ABS_AFTER = re.compile(rf",?{_ABS_CHANGE}")
# what a change of a stock is: 新增 the entries (新增X), any other rise or fall the net change (净增X)
_ABS_KIND = {"新增": "新增", "净减": "净减", "减少": "净减", "下降": "净减", "少": "净减"}
# a running total after a stock's additions: "…企业新增10家,累计达到48家" (the total was dropped)
_RUNNING_TOTAL = re.compile(
    rf",?(?:累计|总数|总计|共计)(?:达到|达|为)?(?P<total>{_NUMBER})(?P<total_unit>{_UNIT})(?P<total_after>{_AFTER_UNIT})?"
)
# a rank in the province after a figure: "增长18.9%,增速居全省第一", "总量排名全省第二位", "居全省14个市州第2位",
# "在全省排第3位" (a city's among the cities, a county's among the counties). 总量 ranks the level, 增速/增幅 the
# growth; a bare rank ranks what was said last (:func:`_read_ranks`): the level right after it, the growth after a
# growth alone or after its comparison with the province ("增速比全省高0.6个百分点,居全省第2位"); after a level and
# its growth it may rank either, and is left out with a note, as after any other clause.
# A top group is a bound rank: "居全省前三", "进入全省前五位" (rank 3 or better; qualifiers.parse_rank). A group
# of cities that is no place, "位居全省第一方阵" / "第一梯队", is no rank: not read, with a note.
_RANK_NO = r"[第前][一二两三四五六七八九十\d]+[位名]?"
_AMONG = r"全省(?:\d+个|十四个|各)?(?:市州|地市|市)?中?"
_RANK_VERB = r"(?:位居|居于|居|排名|排位|排在|排|位列|列|进入|跻身)"
_RANK_PLACE = rf"(?:{_RANK_VERB}?{_AMONG}|在{_AMONG}{_RANK_VERB})"
_RANK_CLAUSE = re.compile(rf"(?P<of>增速|增幅|总量)?{_RANK_PLACE}(?P<rank>{_RANK_NO})")
# a rank between a level and its growth: "3616.8亿元,居全省第3位,比上年增长4.3%"
_LEVEL_RANK = rf"(?:,?(?P<level_rank>(?:增速|增幅|总量)?{_RANK_PLACE}{_RANK_NO}),)?"
# the level's and the growth's ranks together: "总量和增速分别居全省第3位和第2位", "…分别居全省第三、第二位"
_RANKS_SHARED = re.compile(
    rf"(?P<of1>总量|增速|增幅)(?:和|、|及)(?P<of2>总量|增速|增幅)分别{_RANK_VERB}?{_AMONG}"
    rf"(?P<r1>{_RANK_NO})(?:和|、|及)(?P<r2>[第前]?[一二两三四五六七八九十\d]+[位名]?)"
)
# the growth compared with the province's (a district's with the city's: "高于全市1.4个百分点") or another period's:
# "增速比全省高0.6个百分点", "高于全省平均水平0.8个百分点", "增速比一季度加快0.6个百分点", "降幅比1-5月收窄1.2个百分点"
# (no growth of its own; a bare rank after it ranks the growth)
# several places at once: "分别比全国、全省高1.2和0.8个百分点" (分别 first, then the comparison); or periods:
# "比一季度、上半年分别加快0.5、0.2个百分点"
_GROWTH_COMPARED = re.compile(
    r"(?:(?:增速|增幅|降幅)[^,]{1,12}?|(?:分别)?(?:比|较|高于|低于|高出|低出|快于|慢于)(?:全省|全国|全市)[^,\d]{0,10}?"
    r"|(?:比|较)(?!上年|去年)[^,\d]{1,12}?(?:加快|放缓|回落|提高|回升|收窄|扩大|高|低))"
    r"\d+(?:\.\d+)?(?:(?:和|、)\d+(?:\.\d+)?)?个?百分点"
)
# a growth rate's change over a year, after the growth: "同比增长5.1%,比上年同期提高2.0个百分点", "增速与上年持平"
_RATE_CHANGED = re.compile(rf"(?:增速|增幅)?{_SINCE}(?:{_TO}|提升|降低)\d+(?:\.\d+)?个?百分点|{_RATE_FLAT}")
# ranks of a list sharing one verb, in its order: "芦淞区、荷塘区地区生产总值分别增长5.1%、4.8%,分别居全省第2、5位";
# among the city's places ("分别居全市第一、第二位") they are no rank in the province, the only one stored
_RANK_ITEM = r"[第前]?[一二两三四五六七八九十\d]+[位名]?"
_RANKS_RESPECTIVE = re.compile(
    rf"(?P<of>增速|增幅|总量)?(?P<each>分别|均|都)?{_RANK_VERB}?(?P<among>{_AMONG}|全(?:市|县)(?:各县市区|各区县)?中?)"
    rf"(?P<ranks>{_RANK_ITEM}(?:(?:、|和|及){_RANK_ITEM})*)"
)
_CITY_RANK = re.compile(rf"(?:增速|增幅|总量)?{_RANK_VERB}?全(?:市|县)(?:各县市区|各区县)?中?{_RANK_NO}")
# a multi-year average right after a name or its figure: "地区生产总值年均增长7.2%", "增长6.5%,两年平均增长5.8%";
# over several years, no year's growth (nor the avg_yoy_pct of a span the sentence does not name): noted
_MULTI_YEAR = re.compile(
    r",?(?P<said>(?:十[一二三四五]五(?:期间|时期)?|\d{4}-\d{4}年)?(?:[一二两三四五六七八九十\d]+年)?(?:平均|年均)"
    r"(?:增长|增速|增幅|下降|提高)[^,]*)"
)
# the share of the year's plan done, right after a figure: "完成投资1050亿元,完成年度计划的105%" (plan_share_pct,
# as a 统计月报's 占年计划% column); a budget's share (为预算的102.5%) is not read as one (nor is a table's), noted
_PLAN_SHARE = re.compile(
    r",?(?P<said>(?:完成|占|为|达到|达)?(?:(?:年度|全年|年)(?:目标)?(?:计划|任务)(?:任务)?|(?P<budget>(?:年初|年度)?预算))"
    r"的(?P<share>\d+(?:\.\d+)?)%)(?=,|$)"
)
# the share of the plan (or budget) between a level and its growth: "完成95.3亿元,占年度预算的45.2%,同比增长5.5%" (the
# growth was dropped); read as if said after the growth, where the share is looked for
_SHARE_BEFORE_GROWTH = re.compile(
    rf"(?P<plan>{_PLAN_SHARE.pattern})(?P<growth>,(?:{_SINCE})?(?:{_RISE}|{_FALL})了?-?\d+(?:\.\d+)?%)"
)
# a rank's change: "排位较上年后移2位", "比上年前移2位", "排名较上年下降2位", "比一季度前移1位", "排名比一季度前移1位"
# (no stored measure is one; the rank is)
_RANK_CHANGE = re.compile(
    r"(?:(?:排位|位次|排名)?(?:比|较)(?:上年|去年)(?:同期)?|(?:排位|位次|排名)|(?:排位|位次|排名)?(?:比|较)[^,\d]{1,8}?)"
    r"(?:前移|后移|上升|下降|提升|提高|前进|后退|下滑|进位|退位)了?[一二两三四五六七八九十\d]+(?:个)?位(?:次)?"
)
_GROUP_RANK = re.compile(r"全省第[一二三四五六七八九十\d]+(?:方阵|梯队|阵营)")
# a change against another period or place than a year earlier, or of a growth rate, is no growth (环比增长1.2%,
# 比上月, 比1-8月回落0.6%, 增速比全省高0.5个百分点, 增速比上年同期提高2.0个百分点): left out with a note
_AGAINST = r"(?P<against>(?:增速|增幅)(?:比|较)[^,]{1,8}?|(?:增速|增幅)?(?:环比|(?:比|较)(?!上年|去年)[^,]{1,8}?))"
# or the growth rate as last year's ("地区生产总值增速与上年持平"), no growth of 0
_OTHER_CHANGE = (
    rf"{_AGAINST}(?:增长|下降|提高|回落|上升|高|低)[^,\d]{{0,4}}\d+(?:\.\d+)?(?:%|个?百分点)"
    rf"|(?P<rate_flat>{_RATE_FLAT})"
)
# several names sharing one verb: "高新技术产业增加值、规模以上服务业营业收入分别增长39.5%、57.7%"
# The changes may be in % or points, each with its unit or the last's for all: "分别提高2.1和0.5个百分点". Places may
# share one name too: "全市和醴陵市规模以上工业增加值分别增长7.1%、8.2%" (a value for each place).
_CHANGE_VALUE = r"-?\d+(?:\.\d+)?(?:%|个?百分点)?"
_RESPECTIVELY = re.compile(
    rf"(?P<names>[^,]+?)分别(?P<basis>[^,]*?)(?P<dir>{_RISE}|{_FALL})"
    rf"(?P<values>{_CHANGE_VALUE}(?:(?:、|和|及){_CHANGE_VALUE})+)(?<=%|点)"
)
# several names sharing one verb and a level each: "亿元以上项目、市级重大项目分别完成投资500.2亿元、1050.3亿元",
# "地区生产总值、进出口总额分别为3616.8亿元、450.1亿元" (each value with its unit, or the last's for all); the words
# between 分别 and the first value are the verb, and may name the figure (完成投资, 实现增加值). Not a change: the
# growth reader has those (its verbs and 比/较 make the clause no level list, :data:`_NO_LEVEL_VERB`)
_LEVEL_VALUE = rf"{_NUMBER}(?:{_UNIT}|{_OTHER_UNIT})?(?:{_AFTER_UNIT})?"
_RESPECTIVE_LEVELS = re.compile(
    rf"(?P<names>[^,]+?)分别(?P<verb>[^,\d]*?)(?P<values>{_LEVEL_VALUE}(?:(?:、|和|及){_LEVEL_VALUE})+)"
)
_ONE_LEVEL = re.compile(rf"(?P<value>{_NUMBER})(?P<unit>{_UNIT}|{_OTHER_UNIT})?(?P<after>{_AFTER_UNIT})?(?:、|和|及|$)")
_NO_LEVEL_VERB = re.compile(rf"(?:{_RISE}|{_FALL})(?!值)|增速|增幅|比|较|占|居|排|位列|第|平均|年均|累计")
# a list's growths in a clause of their own after its levels: "…分别完成投资500.2亿元、1050.3亿元,分别增长12.1%、8.5%"
_NAMELESS_LIST = re.compile(rf"^(?:{_SINCE})?分别")
_NAMES_A_PLACE = re.compile(r"全[市县区]|市区|城区")
_VALUE_UNIT = re.compile(r"(?P<value>-?\d+(?:\.\d+)?)(?P<unit>%|个?百分点)?")
# "增长1.2倍" is a growth of 120% (the level is 2.2 times the year before's): statistics offices write a growth
# of 100% or more so; a fall or a rate's value in 倍 is no growth
_TIMES = "倍"
# a sentence opening with a turn, after its figure's sentence: "…增长3.2%。由上年下降0.5%转为增长3.2%", "…500.1亿元。
# 增速由负转正,增长1.2%" (:func:`_join_turn`)
_OWN_TURN = re.compile(rf"{_TURN}(?P<growth_said>{_GROWTH})?")
# "下降-2.1%": a fall of a negative, a rise of 2.1 or a slip for a fall of 2.1: which cannot be told
_DOUBLE_NEGATIVE = "not read, a fall written with a minus sign (下降-2.1%) may be a rise or a fall"
# in such a list, what says its changes are not over a year earlier: "…环比分别增长", "…增速比一季度分别提高"
_AGAINST_WORDS = re.compile(r"环比|增速|增幅|(?<![同占])(?:比|较)(?!上年|去年)")


def _against(what: str) -> str:
    return f"not read, {what}: a change against another period or place, or of a growth rate, is no growth"


def _worded_change(said: str) -> str:
    """Why a change said in words ("同比基本持平", "略有下降", "增长逾一成") is not read."""
    why = "a change in words, with no number: no figure is made up from it"
    if said.endswith("持平"):
        why += f" ({said[-4:]} is near 0, not the 0 of 持平)"
    elif re.search(_TENTHS, said):
        why += " (成 is a tenth: 一成 10%)"
    return f"not read, {said}: {why}"


def _bounds_one_side(f: re.Match[str]) -> bool:
    """Whether a growth's bound words (before and after its number) put it on one side of it (超过, 以上; not 约)."""
    try:
        return parse_number(f"{f['growth_before'] or ''}1{f['growth_after'] or ''}").bound not in ("eq", "approx")
    except ValueParseError:  # two of them
        return True


def _unread_range(f: re.Match[str], falls: bool) -> str:
    """What a growth given as a range ("增长8%-10%") says and why it is not read ('' when it is: a rise's range
    with no other bound word, whose lower end qualifiers.py keeps as a floor)."""
    if not f["range_to"]:
        return ""
    if falls or f["sign"]:
        why = "a range of a fall: which end bounds it cannot be told"
    elif f["growth_before"] or f["growth_after"]:
        why = "a range with a bound word: two qualifiers"
    elif f["growth_unit"] == _TIMES or (f["range_unit"] or f["growth_unit"]) != f["growth_unit"]:
        why = "a range in 倍, or its ends in different units"
    elif Decimal(f["range_to"]) < Decimal(f["growth"]):
        why = "a range whose upper end is below its lower end"
    else:
        return ""
    return f"{f['growth_said']}: {why}"


@dataclass(frozen=True)
class _Title:
    place: str  # as written; "" when the title names none (全市 …)
    period: Period


def _title(text: str) -> _Title | None:
    """The place and period a release's title names; None when it is not a bulletin or review with a year."""
    title = to_halfwidth(text).replace(" ", "")
    if m := _BULLETIN.match(title):
        year = m["y1"] or m["y2"]
        return _Title(m["region"], parse_period(f"{year}年")) if year else None
    if not (m := _REVIEW.match(title)):
        return None
    lead = m["lead"]
    # the place before the period ("株洲市2023年1-5月份") or after it ("2021年一季度株洲"), or none (全市)
    for start in range(min(len(lead), _PLACE_CHARS) + 1):
        found = split_leading_period(lead[start:])  # no year context: a review names its year
        if found is None:
            continue
        period, after = found
        if start and after:
            return None
        place = lead[:start] or after
        if re.search(r"\d", place) or len(place) > _PLACE_CHARS:
            return None
        return _Title("" if place in _WHOLE else place, period)
    return None


def sniff(doc: Document) -> bool:
    return doc.kind == "html" and _title(read_html(doc.text).title) is not None


# "今年1-2月" is this year's; an opening naming months, quarters or a half that is not read as the sentence's
# period ("3月份以来", "去年1-2月") must not lend its figures the title's period
_THIS_YEAR = ("今年", "本年")
_LAST_YEAR_OPENING = re.compile(r"^(?:上年|去年)同期,?")
# "截至目前,全市…38家": as at the day of writing (a bulletin of 2022 is written in 2023), not the period's end
_AS_AT_NOW = re.compile(r"^(?:(?:截至|截止到?|到)目前(?:为止)?|目前),?")
_PERIOD_WORDS = re.compile(r"\d+月|[一二三四]季度|半年|个月")
# "五年来,", "十四五以来,", "2019年以来,", "近三年,": a span of years, whose growth is over the span, not over a
# year earlier (it was stored as the release's yoy_pct); "今年以来" and "年初以来" are the year so far
_SPAN_OPENING = re.compile(
    r"(?<!今年)(?<!本年)(?<!年初)以来|年来|(?:近|过去)[一二两三四五六七八九十\d]+年|十[一二三四五]五"
)


# a span's figures right after its name, with no comma: "十三五时期累计完成投资…", "2016-2020年年均增长…"
_SPAN_WORDS = ("累计", "年均", "平均", "共")
# a span of years opening a sentence with no comma after it (with one, :data:`_SPAN_OPENING`)
_SPAN_HEAD = re.compile(
    r"^(?:十[一二三四五]五(?:以来|末|初)?|\d{4}年以来|[一二两三四五六七八九十\d]+年来|(?:近|过去)[一二两三四五六七八九十\d]+年)"
)


# "上年全市…", "去年,…", "上年末…": the year before, when the release can tell which (:func:`_prior_year`)
_PRIOR_YEAR = re.compile(r"(?P<word>上年|去年)(?P<end>末|底)?")
_PRIOR_YEAR_OPENING = re.compile(rf"^{_PRIOR_YEAR.pattern}(?!同期),?")


def _prior_year(said: re.Match[str], period: Period) -> tuple[Period | None, str]:
    """The year 上年/去年 (上年末, 去年底) names in a release of ``period``, or None and why not. A bulletin of a
    year (released the year after) says 上年 for the year before its own; its 去年 may be that year or, from
    the day it was written, its own: not told. A review within a year says both for the year before, but 上年
    alone may be that whole year or the review's period a year earlier: only its 年末 (a stock) is told."""
    year, word = period.end.year - 1, said["word"] + (said["end"] or "")
    if period.kind == "year":
        if said["word"] == "上年":
            return parse_period(f"{year}年"), ""
        own = period.end.year
        return None, f"not read, {word} in a bulletin of {own}: {year} or {own} cannot be told"
    if said["end"]:
        return parse_period(f"{year}年"), ""
    return None, f"not read, {word} in a review: the whole year {year} or the review's period then cannot be told"


def _sentence_period(sentence: str, default: Period, names: str = "") -> tuple[Period | None, str, str]:
    """The period a sentence opens with ("1-5月,全市…", "今年1-2月,…", "前三个月全市…", "一季度地区生产总值…",
    "上年全市…") and the rest of it; else the title's period and the whole sentence; None when the opening names a
    period not read here, and why (when more can be said than that). Only the opening 12 characters can be a period;
    ``names``: the catalogued names, one of which may follow it directly."""
    if now := _AS_AT_NOW.match(sentence):
        said = now[0].rstrip(",")
        return None, sentence, f"not read, {said} is the day of writing, not the period's end: its date is not told"
    if last_year := _LAST_YEAR_OPENING.match(sentence):  # "上年同期,全市…": the same period a year earlier
        return shift_years(default, -1), sentence[last_year.end() :], ""
    if prior := _PRIOR_YEAR_OPENING.match(sentence):  # "去年,全市…" was read for the release's own year
        # "去年以来", "去年1-2月", "上年四季度": a span or a part of the year before, not read
        if re.match(r"以来|[\d一二三四上下前]", sentence[prior.end() :]):
            return None, sentence, ""
        period, why = _prior_year(prior, default)
        return period, sentence[prior.end() :], why
    # "预计前三季度全市…": an estimate's period after its word, which stays to label the figures
    estimate = "预计" if sentence.startswith("预计") else ""
    body = sentence[2:] if sentence.startswith((*_THIS_YEAR, "预计")) else sentence
    found = split_leading_period(body[:12], default.end.year)
    if found is not None:
        period, rest = found
        rest = body[len(body[:12]) - len(rest) :]
        if rest.startswith(","):
            return period, estimate + rest[1:], ""
        if rest.startswith(_WHOLE) or (period.kind == "multi_year" and rest.startswith(_SPAN_WORDS)):
            return period, estimate + rest, ""
        # "一季度地区生产总值630.3亿,…": a catalogued name right after the period (not a year's: "2022年地区生产总值" is
        # read as its clause's year, :func:`_clause_period`)
        if names and period.kind != "year" and re.match(names, rest):
            return period, estimate + rest, ""
    if head := _SPAN_HEAD.match(sentence):  # "十三五时期累计…", "十三五以来全市…" with no comma after the span
        return None, sentence, f"not read, its opening names a span of years ({head[0]}), not one period"
    opening = sentence.split(",", 1)[0] if "," in sentence[:12] else ""
    if _PERIOD_WORDS.search(opening):
        return None, sentence, ""
    if _SPAN_OPENING.search(opening):
        return None, sentence, f"not read, its opening names a span of years ({opening}), not one period"
    return default, sentence, ""


_YEAR = re.compile(r"(?P<year>\d{4})年")
# what may follow a period named right after a figure's name, as its opening form would go on ("全市地区生产总值
# “十三五”期间年均增长7.1%", "规模以上工业增加值上半年同比增长6.1%"): a verb, a growth, a span's 年均/累计
_AFTER_NAMED_PERIOD = re.compile(
    rf"^(?:{_SINCE}|{_RISE}|{_FALL}|{_RATE_WORD}|{_BASIS}|实现|完成|达到|达|为|共|累计|年均|平均)"
)


def _period_after_name(reading: _Reading, sentence: str, opened: bool, year: int) -> tuple[Period | None, str, str]:
    """A period named right after a catalogued name, not at the sentence's start: in its first clause, with no
    period opening the sentence (``opened``), it is the sentence's, as said first ("全市地区生产总值“十三五”期间年均
    增长7.1%" is "十三五期间,全市地区生产总值年均增长7.1%"): that period and the sentence without it. Anywhere else
    (a later clause, after an opening period, or followed by what no opening form has: 十三五以来) whose figures
    it is the period of cannot be told: None and why. (None, '', '') when no name is followed by a period."""
    for at, clause in enumerate(re.split(r"(?<=,)", sentence)):
        named = reading.lead.match(clause)
        name = re.match(reading.names, clause[named.end() :]) if reading.names else None
        if name is None:
            continue
        after = clause[named.end() + name.end() :]
        found = split_leading_period(after[:12], year)
        said = after[: len(after[:12]) - len(found[1])] if found else ""
        # "四上企业2100家" names no year 2100, "园区技工贸总收入2100.5亿元" no May 2100: a number is the name's figure
        if found is None or re.fullmatch(r"\d+(?:\.\d+)?", said):
            continue
        if at or opened or not _AFTER_NAMED_PERIOD.match(found[1]):
            why = f"not read, {said} after {name[0]}: whose figures it is the period of cannot be told"
            return None, "", why
        start = named.end() + name.end()
        return found[0], sentence[:start] + sentence[start + len(said) :], ""
    return None, "", ""


def _clause_period(lead: str, period: Period) -> tuple[Period | None, str]:
    """The period of a figure whose clause opens with ``lead``: the sentence's, unless the lead names another
    year ("…增长5.6%,2022年地区生产总值为3616.8亿元"): then that year in a bulletin of a year; in a review none
    (2022年 is neither its period a year earlier nor surely the whole year), and the note saying so."""
    if prior := _PRIOR_YEAR.search(lead):  # "…增长5.6%,上年全市地区生产总值3616.8亿元"
        return _prior_year(prior, period)
    named = _YEAR.search(lead)
    if named is None or int(named["year"]) == period.end.year:
        return period, ""
    if period.kind == "year":
        return parse_period(named[0]), ""
    return None, f"not read, its clause names the year {named['year']}, not the review's period"


def _alternatives(names: set[str]) -> str:
    """Names as one pattern, longest first; a share's name matches with its 的 too (X占Y的比重 is X占Y比重, as
    catalog.normalize_name keys it)."""
    escaped = (re.escape(n) for n in sorted(names, key=len, reverse=True) if n)
    return "|".join(re.sub(r"(?<=.)比重$", "的?比重", n) if "占" in n else n for n in escaped)


# a share with no name of its own, after a figure: "其中税收收入126.4亿元,增长2.3%,占地方一般公共预算收入的比重为68.3%"
# (the figure's share); and any share, to note the ones the catalogue has not
_SHARE = re.compile(
    r"(?:^|(?<=,))(?P<part>[^,]*?)占(?P<of>[^,]+?)的?(?:比重|比例|份额)(?:为|达到|达)?(?P<share>\d+(?:\.\d+)?)%"
)


def _name_shares(sentence: str, figures: list[re.Match[str]]) -> str:
    """The sentence with each share that has no name of its own given the name of the figure before it, as a
    reader takes it ("…税收收入126.4亿元,增长2.3%,占…的比重为68.3%" is 税收收入占…的比重)."""
    for share in reversed(list(_SHARE.finditer(sentence))):
        before = [f for f in figures if f.end() <= share.start()]
        if share["part"] or not before:
            continue
        sentence = sentence[: share.start()] + before[-1]["name"] + sentence[share.start() :]
    return sentence


# a threshold with no name of its own, in a clause after a figure: "地方一般公共预算收入增长6.1%,跨越200亿元台阶",
# "总量突破3600亿元", "在全省第二个跨越200亿元台阶" (the figure's level, as a bound)
_FIRST_IN_PROVINCE = r"在?全省(?:率先|第[一二三四五六七八九十\d]+个)?"
_BARE_THRESHOLD = re.compile(rf"(?:{_FIRST_IN_PROVINCE})?(?:总量|总额|规模)?(?=(?:{_THRESHOLD}))(?!达)")


def _name_thresholds(sentence: str, figures: list[re.Match[str]], notes: list[str], line: int) -> str:
    """The sentence with each threshold that has no name of its own, after a figure with no level, given that
    figure's name ("…收入增长6.1%,跨越200亿元台阶" is 收入跨越200亿元台阶, a bound on its level); after a figure that
    has its level it restates it (突破3600亿元 after 3616.8亿元): not read, with a note."""
    starts = [0, *(at.end() for at in re.finditer(",", sentence))]
    for start in reversed(starts[1:]):
        clause = sentence[start:].split(",", 1)[0]
        bare = _BARE_THRESHOLD.match(clause)
        if bare is None or not re.fullmatch(
            rf"{_NUMBER}(?:{_UNIT})(?:{_AFTER_UNIT}|新?(?:大关|台阶|关口))?", clause[bare.end() :]
        ):
            continue
        before = [f for f in figures if f.end() <= start]
        if not before or not (before[-1]["level"] or before[-1]["growth_said"]):
            continue
        f = before[-1]
        if f["level"] or f["exact"]:
            notes.append(f"row {line} {f['name']}: not read, {clause}: restates its level as a bound")
            # the growth and rank after it are the level's ("3616.8亿元,迈上3600亿元新台阶,增长4.5%"): read as if
            # the restatement were not there (they were dropped, named as clauses of no catalogued indicator)
            sentence = sentence[:start] + sentence[start + len(clause) :].removeprefix(",")
            continue
        said = re.sub(
            r"新?(?:大关|台阶|关口)$", "", clause[bare.end() :]
        )  # dressing only: a rank after it is the level's
        sentence = sentence[:start] + f["name"] + said + sentence[start + len(clause) :]
    return sentence


def _name_places(
    sentence: str, figures: list[re.Match[str]], places: str, entries: list[re.Match[str]] | None = None
) -> str:
    """The sentence with each clause that names a place and its figure but no name ("…增长7.1%,其中,天元区增长9.2%,
    醴陵市增长8.1%") given the name of the figure before it, as a reader takes it (天元区规模以上工业增加值增长9.2%);
    the place's own figure, never the city's (a park's is no region's: noted). A place's additions ("全市新增高新技术
    企业109家,其中,天元区新增45家") are the additions of the figure before only when it is an addition too (新增X, or
    ``entries``: a stock's 新增 read by :data:`_Reading.entries` / :data:`_Reading.counted`), with the same verb."""
    own = re.compile(
        rf"(?:其中)?(?P<place>{places})(?=(?:{_SINCE})?(?:{_RISE}|{_FALL})了?-?\d|{_VERB}\d"
        rf"|(?P<added>新增|净增)(?:{_NUMBER}))"
    )
    said = [(f.end(), f["name"]) for f in figures if f["level"] or f["growth_said"]]
    said += [(e.end(), e["verb"] + e["name"]) for e in entries or () if e["verb"] in ("新增", "净增")]
    said.sort()
    starts = [at.end() for at in re.finditer(",", sentence)]
    for start in reversed(starts):
        place = own.match(sentence, start)
        before = [name for end, name in said if end <= start]
        if place is None or not before:
            continue
        at, name = place.end("place"), before[-1]
        if place["added"]:  # "天元区新增45家": 天元区新增高新技术企业45家, after an addition said with the same verb
            if not name.startswith(place["added"]):
                continue
            at = place.end("added")
            name = name[len(place["added"]) :]
        sentence = sentence[:at] + name + sentence[at:]
    return sentence


def _catalogued_ending(catalog: Catalog, name: str) -> str:
    """The catalogued name (or alias) ``name`` ends with, after something else ("株洲新区地区生产总值"); ''."""
    names = {normalize_name(n) for ind in catalog.indicators.values() for n in (ind.name_zh, *ind.aliases)}
    return max((n for n in names if name.endswith(n) and name != n), key=len, default="")


def _respective_ranks(clause: str, count: int) -> tuple[list[tuple[str, str]], str]:
    """The ranks in the province ("分别居全省第2、5、9位") of a list's ``count`` figures sharing one verb, as
    (measure, cell) in the list's order; none, and why, when the clause after a list ranks it otherwise: not as
    many ranks as figures (or a list not read), one rank for all (均居全省第一), ranks among the city's places
    (全市第一, no rank in the province, the only one stored); none and '' when the clause is no rank."""
    m = _RANKS_RESPECTIVE.fullmatch(clause)
    if m is None:
        if re.search(rf"全[省市县][^,]*?{_RANK_NO}", clause):  # "分别居全省第2位、全省县市第5位"
            return [], "not read, ranks after several figures in words not understood"
        return [], ""
    items = re.split(r"、|和|及", m["ranks"])
    if not m["among"].startswith("全省"):
        return [], f"not read, ranks among {m['among']}'s places are no rank in the province"
    if m["each"] in ("均", "都") and len(items) == 1 and items[0].startswith("前"):  # 均居全省前十: each a bound
        return [("rank" if m["of"] == "总量" else "yoy_rank", f"全省{items[0]}")] * count, ""
    if m["each"] != "分别" or len(items) == 1:
        return [], "not read, one rank said of several figures: whose rank it is cannot be told"
    if not count:
        return [], "not read, the ranks of a list not read"
    if len(items) != count:
        return [], f"not read, {len(items)} ranks for {count} figures sharing one verb"
    lead, last = (items[0][0] if items[0][0] in "第前" else "第"), (items[-1][-1] if items[-1][-1] in "位名" else "")
    cells = [f"全省{i if i[0] in '第前' else lead + i}{'' if i[-1] in '位名' else last}" for i in items]
    return [("rank" if m["of"] == "总量" else "yoy_rank", cell) for cell in cells], ""


def _read_shared(
    ctx: RowContext,
    shared: _Shared,
    scopes: dict[bool, list[tuple[int, str | None]]],
    start: int,
    city: str,
    period: Period,
    line: int,
    rank: tuple[str, str] | None = None,
) -> None:
    """One change (or level) of several sharing one verb, for its own place or the clause's, and its rank in the
    province (``rank``: measure and cell) where the list has one; a name with a bracket the catalogue does not keep
    (限额以上), a rate's change in %, a level in a unit its indicator does not take, or a level of an item the
    catalogue lacks, is left out with a note."""
    level = shared.measure == "value"
    catalog, column = ctx.catalog, f"{shared.place}{shared.name}{'' if level else '增长'}"
    code = catalog.resolve_indicator(shared.name)
    base = re.sub(r"\([^()]*\)$", "", shared.name)
    if code is None and base != shared.name and catalog.resolve_indicator(base):
        ctx.result.notes.append(f"row {line} {column}: not read, {shared.name} is another scope than the catalogue's")
        return
    ind = catalog.indicator(code) if code else None
    if ind is None and shared.place and (known := _catalogued_ending(catalog, shared.name)):
        # "醴陵市、株洲新区地区生产总值": the last place is none the catalogue holds, so no place's figure is read
        ctx.result.notes.append(f"row {line} {column}: not read, {shared.name[: -len(known)]} is no place known")
        return
    if ind is None:  # "亿元以上项目完成投资500.2亿元", "…服务业营业收入…57.7%": read nowhere else, so said
        said = f"{shared.value}{shared.unit}"
        ctx.result.notes.append(f"row {line} {column}: not read, {said}: the catalogue has no {shared.name}")
        return
    unit = shared.unit if level else yoy_change_unit(ind.unit, shared.unit)
    if level and not takes_unit(shared.unit, ind.unit):
        why = f"the catalogue has no {shared.name} in {shared.unit} nor a unit it converts to"
        ctx.result.notes.append(f"row {line} {column}: not read, {shared.value}{shared.unit}: {why}")
        return
    if unit is None:
        ctx.result.notes.append(f"row {line} {column}: not read, {unkept_change_reason(shared.unit)}")
        return
    monitored = code in URBAN_MONITORED
    if (
        shared.place
        and not _NAMES_A_PLACE.search(shared.place)
        and not any(name in shared.place for name in catalog.region_spellings())
    ):
        ctx.result.notes.append(f"row {line} {column}: not read, {shared.place} names no place")
        return
    if shared.place:  # its own place: "全市", "醴陵市" (as a clause of its own would say it)
        region = clause_regions(catalog, shared.place, city, monitored)[0][1]
    else:
        region = region_at(scopes[monitored], start)
    ctx.add(
        indicator=code,
        region=region,
        period=period,
        measure=shared.measure,
        cell=shared.value,
        unit=unit,
        column=column,
        row=line,
    )
    if rank is not None:
        measure, cell = rank
        column = f"{shared.place}{shared.name}{cell}"
        ctx.add(
            indicator=code, region=region, period=period, measure=measure, cell=cell, unit="", column=column, row=line
        )


def _against_year_end(f: re.Match[str]) -> bool:
    """Whether a growth is said against last year's end: its own 比上年末, or the one of the absolute change just
    before it that it goes with ("比上年末减少2.1万人,下降0.5%")."""
    if f["since_end"]:
        return True
    own = f.string[f.start("growth_said") : f.start("growth")]
    return not re.match(_SINCE, own) and bool(f["abs_since"] and f["abs_since"].endswith(("末", "底")))


def _read_running_total(ctx: RowContext, total: re.Match[str], name: str, where: dict[str, object]) -> None:
    """The running total after a stock's additions ("小巨人企业新增10家,累计达到48家"): the stock at the period's end
    where the catalogue holds the name as one (as :func:`_read_additions` reads it when 新增 comes first); else a
    note."""
    catalog, line, said = ctx.catalog, where["row"], total[0].lstrip(",")
    ind = catalog.indicator(catalog.resolve_indicator(name) or "")
    if ind is None or ind.measure_kind != "stock":
        ctx.result.notes.append(f"row {line} {name}: not read, {said}: the catalogue has no stock of {name}")
        return
    cell = total["total"] + (total["total_after"] or "")
    ctx.add(measure="value", cell=cell, unit=total["total_unit"], column=f"{name}{said}", **where)


def _read_absolute_change(
    ctx: RowContext, word: str, said: str, name: str, value: str, unit: str, where: dict[str, object]
) -> None:
    """An absolute change of figure ``name`` ("比上年末增加120家", "净增1.2万户"): read as the catalogued
    indicator of that change where there is one (新增X for 新增, 净增X for a net rise; a stock's 增加 is net, after
    exits, so it is never read as 新增X); else left out with a note naming the text, as no stored indicator is
    such a change."""
    catalog, said, line = ctx.catalog, said.rstrip(","), where["row"]
    of = catalog.indicator(catalog.resolve_indicator(name) or "")
    if of is not None and of.measure_kind != "stock":  # a flow's change from the year before: no indicator is one
        why = f"not read, {said}: an absolute change is no stored figure, nor is a growth worked out from it"
        ctx.result.notes.append(f"row {line} {name}: {why}")
        return
    kind = _ABS_KIND.get(word, "净增")
    code = catalog.resolve_indicator(f"{kind}{name}")
    if code is not None and kind != "净减":
        ctx.add(measure="value", cell=value, unit=unit, column=f"{name}{said}", **{**where, "indicator": code})
        return
    why = f"not read, {said}: a change of the stock, and the catalogue has no {kind}{name}"
    if kind == "净增" and catalog.resolve_indicator(f"新增{name}"):
        why += f" (新增{name} counts the entries, before exits)"
    ctx.result.notes.append(f"row {line} {name}: {why}")


def _turn_contradiction(f: re.Match[str]) -> str:
    """Why a growth after "由负转正" cannot be read ('' when it can): the turn and the growth disagree."""
    way = f["turn_way"] or ""
    if not way or not (f["growth"] or f["flat"]):
        return ""
    falls = bool(f["flat"]) or bool(f["sign"]) or bool(f["dir"] and re.fullmatch(_FALL, f["dir"]))
    rises = bool(f["flat"]) or not falls
    if (way.endswith(("正", "升", "增")) and falls) or (way.endswith(("降", "负")) and rises):
        return f"由{way} and then {f['dir'] or ''}{f['sign'] or ''}{f['growth'] or f['flat']}{f['growth_unit'] or ''}"
    return ""


def _read_growth_before_turn(
    ctx: RowContext, f: re.Match[str], ind: Indicator, period: Period, where: dict[str, object], line: int
) -> None:
    """The growth a turn started from ("由上年下降0.5%转为增长3.2%"): the year before's, when its period is
    told (上年同期 always; 上年/去年 as :func:`_prior_year` says); else left out with a note."""
    column = f"{f['name']}增长({f['turn']})"
    when = (f["was_when"] or "").removesuffix("的")
    said = _PRIOR_YEAR.fullmatch(when.removesuffix("同期"))
    if said is None:
        ctx.result.notes.append(f"row {line} {column}: not read, the growth it turned from is not a year earlier's")
        return
    before, why = (shift_years(period, -1), "") if when.endswith("同期") else _prior_year(said, period)
    falls = re.fullmatch(_FALL, f["was_dir"] or "") is not None
    unit = yoy_change_unit(ind.unit, f["was_unit"])
    if before is None or unit is None or (falls and f["was_sign"]):
        why = why or (_DOUBLE_NEGATIVE if unit else unkept_change_reason(f["was_unit"]))
        ctx.result.notes.append(f"row {line} {column}: {why}")
        return
    sign = "-" if (falls or f["was_sign"]) and float(f["was"]) else ""
    ctx.add(measure="yoy_pct", cell=sign + f["was"], unit=unit, column=column, **{**where, "period": before})


def _read_multiple(
    ctx: RowContext, f: re.Match[str], ind: Indicator | None, where: dict[str, object], line: int, label: str
) -> None:
    """A level stated as a multiple of the year before's: "为上年的1.2倍" (a growth of 20%, derived from the
    ratio), "比上年翻一番" (100%); a doubling over no stated year is over a span: left out with a note."""
    column = f"{f['name']}增长"
    if f["fold"] and not f["double_since"]:
        why = f"not read, 翻{f['fold']}番 over no stated year (比上年/同比) is over a span of years"
        ctx.result.notes.append(f"row {line} {column}: {why}")
        return
    if ind is None or yoy_change_unit(ind.unit, "%") is None:
        ctx.result.notes.append(f"row {line} {column}: not read, {unkept_change_reason('%')}")
        return
    if f["fold"]:
        said, growth = f"翻{f['fold']}番", Decimal(2 ** _FOLDS[f["fold"]] - 1) * 100
    else:
        verb = re.search(r"(?:为|是|相当于|达到)$", f.string[: f.start("ratio_said")])  # taken by _VERB
        said, growth = (verb[0] if verb else "") + f["ratio_said"], (Decimal(f["ratio"]) - 1) * 100
    ctx.result.notes.append(f"row {line} {column}: {said} read as a growth of {growth:f}%")
    obs = ctx.add(measure="yoy_pct", cell=f"{growth:f}{label}", unit="%", column=column, **where)
    if obs is not None and f["ratio"]:  # the office stated the ratio, the growth is worked out from it
        ctx.derive(obs, f"{said} (the level's ratio to the year before's, less 1)")


def _signed_growth(m: re.Match[str]) -> tuple[str, bool, str] | None:
    """A growth as said (its number, whether it falls, its unit); None for none."""
    if not m["growth"]:
        return None
    falls = bool(m["sign"]) != bool(m["dir"] and re.fullmatch(_FALL, m["dir"]))
    return Decimal(m["growth"]).normalize().to_eng_string(), falls, m["growth_unit"]


def _join_turn(figures: list[re.Match[str]], sentence: str, turn: re.Match[str]) -> tuple[str, str]:
    """The sentence with the turn that opens the next one ("…增长3.2%。由上年下降0.5%转为增长3.2%") put where it
    goes, before its figure's growth, as one sentence would say it; '' and why not when whose the turn is cannot
    be told. It is the figure's whose growth it restates, or, saying no other growth, the sentence's one figure."""
    said = [f for f in figures if f["level"] or f["growth_said"]]
    growth = _signed_growth(turn)
    whose = [f for f in said if growth and _signed_growth(f) == growth]
    if not whose and len(said) == 1 and not (growth and said[0]["growth_said"]):
        whose = said  # "…500.1亿元。增速由负转正,增长1.2%", or "…增长3.2%。增速由负转正"
    if len(whose) != 1 or whose[0]["turn"]:
        why = "its growth is none of the sentence before's" if said and growth else "whose it is cannot be told"
        return "", f"not read, a growth turned in a sentence of its own: {why}"
    f, text = whose[0], turn.string
    if f["growth_said"]:  # the turn restates the growth (or only says from where), then the rest of the sentence
        cut = f.start("growth_said")
        after = sentence[f.end() :] if growth else "," + sentence[cut:]
        return sentence[:cut] + text + after, ""
    return sentence[: f.end()].rstrip(",") + "," + text + sentence[f.end() :], ""


def _read_ranks(
    ctx: RowContext, f: re.Match[str], stop: int, where: dict[str, object], line: int, coverage: ProseCoverage
) -> None:
    """The ranks in the province said of figure ``f``: between its level and growth, then in the clauses after it
    up to the next figure (``stop``). 总量 ranks the level, 增速/增幅 the growth; a bare rank what was said last
    before it: the level alone, the growth alone, or the growth's comparison with the province. After a level and
    its growth, or after any other clause, whose rank it is cannot be told: left out with a note. Each clause read or
    noted is taken on ``coverage``."""
    name, sentence = f["name"], f.string
    said_level = bool(f["level"] or f["exact"])
    said_growth = bool(f["growth"] or f["flat"] or f["ratio"] or f["fold"])

    def add(of_growth: bool, rank: str) -> None:
        cell = f"全省{rank}"
        measure = "yoy_rank" if of_growth else "rank"
        ctx.add(measure=measure, cell=cell, unit="", column=f"{name}{cell}", **where)

    if f["level_rank"]:  # "3616.8亿元,居全省第3位,比上年增长4.3%": right after the level, the level's if bare
        said = _RANK_CLAUSE.fullmatch(f["level_rank"])
        add(said["of"] in ("增速", "增幅"), said["rank"])
    last = "growth" if said_growth else "level" if said_level else ""
    if not last and f[0].endswith("总量"):  # "地区生产总值总量居全省第三位": 总量 (taken as the name's verb) says whose
        last = "total"
    clauses, starts, start = [], [], f.end()
    for clause in sentence[f.end() : stop].split(","):
        if clause:
            clauses.append(clause)
            starts.append(start)
        start += len(clause) + 1
    for at, clause in enumerate(clauses):
        if both := _RANKS_SHARED.fullmatch(clause):  # "总量和增速分别居全省第3位和第2位"
            second = both["r2"] if both["r2"][0] in "第前" else both["r1"][0] + both["r2"]
            add(both["of1"] != "总量", both["r1"])
            add(both["of2"] != "总量", second)
        elif (parts := [_RANK_CLAUSE.fullmatch(p) for p in clause.split("、")]) and all(p and p["of"] for p in parts):
            for part in parts:  # "总量居全省第3位、增速居全省第2位": each says whose it is
                add(part["of"] != "总量", part["rank"])
        elif said := _RANK_CLAUSE.fullmatch(clause):
            if said["of"]:
                add(said["of"] != "总量", said["rank"])
            elif last in ("level", "total", "against") or (last == "growth" and not said_level):
                add(last not in ("level", "total"), said["rank"])
            else:
                why = "the level's or the growth's" if last else "with no figure before it, the level's or the growth's"
                ctx.result.notes.append(f"row {line} {name}{clause}: not read, a bare rank {why} cannot be told")
        elif _CITY_RANK.fullmatch(clause):  # "居全市第一": among the city's places, no rank in the province
            ctx.result.notes.append(f"row {line} {name}{clause}: not read, a rank among the city's places")
        elif said_growth and _GROWTH_COMPARED.fullmatch(clause):  # "增速比全省高0.6个百分点"
            ctx.result.notes.append(f"row {line} {name}: {_against(clause)}")
            last = "against"
        elif f["growth_unit"] == "%" and _RATE_CHANGED.fullmatch(clause):  # "增长5.1%,比上年同期提高2.0个百分点"
            why = f"not read, {clause} after a growth in %: the change of the growth rate, no growth"
            ctx.result.notes.append(f"row {line} {name}: {why}")
            last = "against"
        elif said_growth and re.fullmatch(_OTHER_CHANGE, clause):  # "同比增长8.2%,环比增长0.5%"
            ctx.result.notes.append(f"row {line} {name}: {_against(clause)}")
            last = "other"  # a bare rank after it: the 同比 growth's or the 环比 change's cannot be told
        else:  # another clause: a rank after it ranks what it says, or the figure: which cannot be told
            for later, later_at in zip(clauses[at + 1 :], starts[at + 1 :], strict=True):
                if _RANK_CLAUSE.fullmatch(later) or _RANKS_SHARED.fullmatch(later):
                    why = f"not read, a rank after {clause}: the figure it ranks cannot be told"
                    ctx.result.notes.append(f"row {line} {name}{later}: {why}")
                    coverage.take(later_at, later_at + len(later))
            return
        coverage.take(starts[at], starts[at] + len(clause))  # read or noted


# a growth over a span, right after a catalogued name: 年均增长 (avg_yoy_pct), 累计增长 (cum_pct)
_SPAN_GROWTH = r"(?P<kind>年均|平均每年|累计)(?P<dir>增长|下降)(?P<growth>\d+(?:\.\d+)?)%"


def _opening(sentence: str, length: int = 20) -> str:
    """A note's quote of a sentence: its first `length` characters, run on to the end of a number the cut would
    split ("…小巨人企业3" would misquote 38 as 3)."""
    cut = length
    while cut < len(sentence) and _SPLIT_NUMBER.match(sentence, cut - 1):
        cut += 1
    return sentence[:cut]


def _read_span(
    ctx: RowContext, reading: _Reading, sentence: str, span: Period, release: Period, city: str, line: int
) -> None:
    """A sentence about a span of years ("十三五期间,全市地区生产总值年均增长7.1%"): a catalogued figure's 年均增长 is
    its avg_yoy_pct over the span, 累计增长 its cum_pct, where the span is over by the release's period (a plan not
    over is a target, or a part of it). Every other clause with a figure (a level or total over the span, a growth
    with no 年均/累计) is left out with a note: no stored measure is a level over several years, nor a yoy growth."""
    catalog, notes = ctx.catalog, ctx.result.notes
    if span.end > release.end:
        why = f"not read, the span {span.code} is not over in a release of {release.code}: a target or a part of it"
        notes.append(f"row {line} {_opening(sentence)}: {why}")
        return
    pattern = re.compile(rf"{reading.lead.pattern}(?P<name>{reading.names}){_VERB}{_SPAN_GROWTH}")
    for clause in re.split(r"(?<=,)", sentence):
        said = clause.rstrip(",")
        m = pattern.fullmatch(said)
        code = catalog.resolve_indicator(m["name"]) if m else None
        ind = catalog.indicator(code) if code else None
        if m and ind is not None and yoy_change_unit(ind.unit, "%") is not None:
            sign = "-" if m["dir"] == "下降" and float(m["growth"]) else ""
            measure = "avg_yoy_pct" if m["kind"] != "累计" else "cum_pct"
            region = clause_regions(catalog, said, city, code in URBAN_MONITORED)[0][1]
            where = {"indicator": code, "region": region, "period": span, "row": line}
            ctx.add(measure=measure, cell=sign + m["growth"], unit="%", column=f"{m['name']}{m['kind']}增长", **where)
        elif re.search(r"\d", said) or _RANK_CLAUSE.search(said):  # a rank in words too: 固定资产投资居全省第二位
            why = f"not read, a figure over {span.code} that is no catalogued indicator's 年均增长 or 累计增长"
            notes.append(f"row {line} {said}: {why}")


def _read_additions(
    ctx: RowContext, a: re.Match[str], regions: list[tuple[int, str | None]], period: Period, line: int
) -> None:
    """ "新增上市企业2家,累计达到25家": the total is the stock at the period's end, read where the catalogue holds
    the name as a stock; the additions only where it holds an indicator of them (新增…). What it lacks is left
    out with a note."""
    catalog, name = ctx.catalog, a["name"]
    own_period, other_year = _clause_period(a.string[a.start() : a.start("name")], period)
    if own_period is None:
        ctx.result.notes.append(f"row {line} 新增{name}: {other_year}")
        return
    where = {"region": region_at(regions, a.start()), "period": own_period, "row": line}
    code = catalog.resolve_indicator(name)
    ind = catalog.indicator(code) if code else None
    total = f"{a['total']}{a['total_unit']}{a['total_after'] or ''}"
    if ind is not None and ind.measure_kind == "stock":
        ctx.add(
            indicator=code,
            measure="value",
            cell=a["total"] + (a["total_after"] or ""),
            unit=a["total_unit"],
            column=name,
            **where,
        )
    else:
        ctx.result.notes.append(f"row {line} {name}: not read, 累计{total}: the catalogue has no stock of {name}")
    added_code = catalog.resolve_indicator(f"新增{name}")
    if added_code is not None:
        cell, unit = a["added"] + (a["added_after"] or ""), a["added_unit"]
        ctx.add(indicator=added_code, measure="value", cell=cell, unit=unit, column=f"新增{name}", **where)
    else:
        said = f"新增{a['added']}{a['added_unit']}{a['added_after'] or ''}"
        why = f"not read, {said}: the catalogue has no indicator of new {name} (新增{name})"
        ctx.result.notes.append(f"row {line} 新增{name}: {why}")


# an opening saying a certification is this year's (全年认定…): the year's batch, not the running count
_YEAR_OPENING = re.compile(r"(?:全年|本年|当年|今年)$")


def _read_count(
    ctx: RowContext,
    m: re.Match[str],
    regions: list[tuple[int, str | None]],
    period: Period,
    line: int,
    coverage: ProseCoverage,
) -> None:
    """A count with a verb or its number before the name (:data:`_Reading.entries`, ``counted``, ``verb_first``): a
    stock's count ("全市拥有11家上市公司", "获评国家级专精特新小巨人企业达38家", "认定高新技术企业突破1000家"), or its
    additions ("新增12家高新技术企业", "新增高新技术企业109家") as the catalogue's indicator of them (新增X). Left out
    with a note: a stock the catalogue has not, a unit its indicator does not take, an addition it has no indicator
    of, and a 获评/认定 count that may be a year's batch (no 达/突破/累计 to say it is the running count)."""
    catalog, name, verb, text = ctx.catalog, m["name"], m["verb"] or "", m.string
    said_at = m.start("verb") if verb else m.start("level")
    said = m[0]  # with its place: "天元区新增高新技术企业45家" (:func:`_name_places`)
    own_period, other_year = _clause_period(text[m.start() : said_at], period)
    if own_period is None:
        ctx.result.notes.append(f"row {line} {name}: {other_year}")
        return
    cell, unit = m["level"] + (m.groupdict().get("after") or ""), m["unit"]
    where = {"region": region_at(regions, m.start()), "period": own_period, "row": line}
    if verb in ("新增", "净增"):
        added = catalog.indicator(catalog.resolve_indicator(f"{_ABS_KIND.get(verb, '净增')}{name}") or "")
        if added is not None and not takes_unit(unit, added.unit):
            why = f"not read, {said}: the catalogue has no {verb}{name} in {unit} nor a unit it converts to"
            ctx.result.notes.append(f"row {line} {name}: {why}")
            return
        _read_absolute_change(ctx, verb, said, name, cell, unit, where)
        if total := _RUNNING_TOTAL.match(text, m.end()):  # "新增12家高新技术企业,累计达到1050家"
            coverage.take(*total.span())
            _read_running_total(ctx, total, name, {**where, "indicator": catalog.resolve_indicator(name) or name})
        return
    code = catalog.resolve_indicator(name)
    ind = catalog.indicator(code) if code else None
    if ind is None or ind.measure_kind != "stock":
        ctx.result.notes.append(f"row {line} {name}: not read, {said}: the catalogue has no stock of {name}")
        return
    if verb in ("获评", "认定"):
        groups = m.groupdict()
        # 累计, 达到, 突破 (a threshold word) say the count reached: the running count; a bare number may be a batch
        running = groups.get("total") or groups.get("reach") in ("达到", "达") or not m["level"][0].isdigit()
        if groups.get("new") or _YEAR_OPENING.search(text[m.start() : said_at]) or not running:
            why = f"not read, {said}: a year's (or a batch's) {verb} or the running count of {name} cannot be told"
            ctx.result.notes.append(f"row {line} {name}: {why}")
            return
    if not takes_unit(unit, ind.unit):
        why = f"not read, {said}: the catalogue has no {name} in {unit} nor a unit it converts to"
        ctx.result.notes.append(f"row {line} {name}: {why}")
        return
    ctx.add(indicator=code, measure="value", cell=cell, unit=unit, column=f"{verb}{name}", **where)


@dataclass(frozen=True)
class _Shared:
    """One value of several sharing one verb (分别): its place as written ('' for the clause's), name, value (a
    change, or a level for measure "value") and unit."""

    place: str
    name: str
    value: str
    unit: str
    measure: str = "yoy_pct"


@dataclass(frozen=True)
class _Reading:
    """The catalogue's names as patterns, built once per bulletin."""

    lead: re.Pattern[str]  # what may stand before a name opening a clause: a place, a time or a verb
    names: str  # the catalogued names, as one pattern
    figures: re.Pattern[str]
    verb_inside: dict[str, str]  # "高新技术产业实现增加值" -> "高新技术产业增加值"
    places: str  # the catalogued places' names and a park's, as one pattern
    additions: re.Pattern[str]  # "新增上市企业2家,累计达到25家": the additions, then the stock
    stock_changes: re.Pattern[str]  # "四上企业2100家,比上年新增320家": the change of a stock not catalogued
    entries: re.Pattern[str]  # "新增高新技术企业109家": a stock's additions with no total after them
    counted: re.Pattern[str]  # "全市拥有11家上市公司", "新增12家高新技术企业": the count before the name
    verb_first: re.Pattern[str]  # "获评国家级专精特新小巨人企业达38家": a verb before the name

    @classmethod
    def of(cls, catalog: Catalog) -> _Reading:
        names = {normalize_name(n) for ind in catalog.indicators.values() for n in (ind.name_zh, *ind.aliases)}
        stem = "增加值"
        verb_inside = {n[: -len(stem)] + v + stem: n for n in names if n.endswith(stem) for v in ("实现", "完成")}
        places = {normalize_name(n) for n in catalog.regions.values()} | URBAN_SCOPE_NAMES
        places |= {n for code in catalog.region_aliases for n in map(normalize_name, catalog.region_aliases[code])}
        short = set(catalog.region_spellings()) - places  # 株洲, 醴陵: as prose writes them
        wholes = "全省|全县|全区|该市|本市"
        prior = "上年末|去年末|上年底|去年底|上年|去年"
        times = rf"全年|(?:截至|截止到?)?年末|本年|{prior}|\d{{4}}年|初步核算|预计"
        # a short name not followed by a park's word: 株洲新区, 醴陵经开区 are zones, not 株洲 and 醴陵
        place = rf"(?:{_alternatives(places)}|(?:{_alternatives(short)})(?!{PARK_WORDS}))"
        lead = rf"(?:{place}|{wholes}|{times}|其中|实现|完成|共)*"
        # a park or zone ("株洲高新区实现地区生产总值…") opens a figure's clause too: whose figure no region holds, it
        # is left out with a note (clause_regions gives it no place), not silently. Not a place of a list sharing
        # one verb (self.lead): "株洲高新区和醴陵市…分别…" pairs no place's value
        park = rf"[\u4e00-\u9fff]{{1,6}}?(?:{PARK_WORDS})"
        opening = rf"(?:{place}|{wholes}|{times}|其中|实现|完成|共|{park})*"
        # A catalogued name opening a clause (or after a level and 、: "3616.8亿元、进出口总额450.1亿元"), then its
        # level (number and unit, optionally its growth) or only its growth. Before the name only a place, a time or
        # a verb may stand: "机电产品出口120亿元" or "工业固定资产投资增长12%" are parts of exports and investment,
        # not the totals.
        after_level = r"(?<=[元人户家个项天%]、)"
        figures = re.compile(
            rf"(?:^|(?<=,)|{after_level}){opening}(?P<name>{_alternatives(names | set(verb_inside))}){_ASIDE}{_VERB}"
            rf"(?:(?P<level>{_NUMBER})(?P<unit>{_UNIT})(?P<after>{_AFTER_UNIT})?(?P<mark>{_MARK})?{_DRESSING}{_EXACT}{_LEVEL_RANK}{_RESTATED}"
            rf"|(?P<odd_level>{_NUMBER})(?P<odd_unit>{_OTHER_UNIT}),?)?"
            rf"(?:\(?{_BASIS}\)?,?)?"
            rf"(?:{_ABS_CHANGE})?"  # 比上年增加3.6亿元, then the growth may follow
            rf"(?:(?P<other>{_OTHER_CHANGE}),?)?"  # 环比增长1.5%, then the 同比 growth may follow
            rf"(?:{_TURN})?(?P<growth_said>{_GROWTH})?"
        )
        # any name: what the catalogue has not of it (新增市场主体3.2万户,累计达到45.6万户) is noted, not dropped
        additions = re.compile(
            rf"(?:^|(?<=,)){opening}新增(?P<name>{_alternatives(names)}|[^,\d]{{1,16}}?)(?P<added>{_NUMBER})(?P<added_unit>{_UNIT})"
            rf"(?P<added_after>{_AFTER_UNIT})?,?(?:累计|总数|总计|共计)(?:达到|达|为)?(?P<total>{_NUMBER})(?P<total_unit>{_UNIT})"
            rf"(?P<total_after>{_AFTER_UNIT})?"
        )
        # a stock the catalogue holds only the change of: "年末全市“四上”企业2100家,比上年新增320家"
        changed = {n[2:] for n in names if n.startswith(("新增", "净增"))} - names
        stock_changes = re.compile(
            rf"(?:^|(?<=,)){opening}(?P<name>{_alternatives(changed)}){_VERB}(?:{_NUMBER}(?:{_UNIT}),?)?{_ABS_CHANGE}"
        )
        region_names = f"{_alternatives(set(catalog.region_spellings()))}|{park}"
        lead_re = re.compile(rf"^{lead}")
        # a verb or a count before a name opens the clause after a place or a time only: after 其中 (a part of what
        # was said before) or another verb, whose count it is is not told
        whole = rf"(?:{place}|{wholes}|{times}|{park})*"
        stocks = {n for n in names if not n.startswith(("新增", "净增"))}
        clause_end = r"(?=,|$)"
        entries = re.compile(
            rf"(?:^|(?<=,)){whole}(?P<verb>新增|净增)(?P<name>{_alternatives(stocks)})(?P<level>{_NUMBER})"
            rf"(?P<unit>{_UNIT})(?P<after>{_AFTER_UNIT})?(?!,?(?:累计|总数|总计|共计)){clause_end}"
        )
        counted = re.compile(
            rf"(?:^|(?<=,)){whole}(?P<verb>拥有|共有|新增|净增)?(?P<level>{_NUMBER})(?P<unit>{_COUNT_UNIT})"
            rf"(?P<name>{_alternatives(stocks | changed)}){clause_end}"
        )
        verb_first = re.compile(
            rf"(?:^|(?<=,)){whole}(?P<new>新)?(?P<verb>获评|认定|拥有|共有)(?P<name>{_alternatives(stocks)})"
            rf"(?P<total>累计|总数|总计|共计)?(?P<reach>达到|达|为)?(?P<level>{_NUMBER})(?P<unit>{_UNIT})"
            rf"(?P<after>{_AFTER_UNIT})?{clause_end}"
        )
        return cls(
            lead_re,
            _alternatives(names),
            figures,
            verb_inside,
            region_names,
            additions,
            stock_changes,
            entries,
            counted,
            verb_first,
        )

    def _listed(self, said: str) -> tuple[list[str], list[str], str]:
        """The places (as written, '' for the clause's) and names of a list sharing one verb ("A、B", "全市和醴陵市A"),
        or why they cannot be paired with its values: places and names both listed."""
        written = re.split(r"、|和|及", said)
        names = [self.lead.sub("", n).strip("…") for n in written]
        places = [""] * len(written)
        if not any(names[:-1]) and names[-1]:  # "全市和醴陵市规模以上工业增加值": places sharing the last's name
            places = [*written[:-1], written[-1][: len(written[-1]) - len(names[-1])]]
            names = [names[-1]] * len(written)
        elif not all(names) or any(self.lead.sub("", n) != n for n in written[1:]):
            # "地区生产总值、醴陵市进出口总额…": whose each value is, the clause's place cannot say
            return [], [], "not read, names sharing one verb name places too"
        return places, names, ""

    def respective_levels(self, catalog: Catalog, clause: str) -> tuple[list[_Shared], str, str]:
        """The levels of "A、B分别完成投资500.2亿元、1050.3亿元" (measure "value"), each under the catalogued name its
        item and the verb make (市级重大项目 + 完成投资), with the names as read (for a clause of growths after it);
        else none and why not ('' for a clause that is no such list). An item the catalogue lacks is kept with
        the name it was said with, to be noted by name; a count mismatch reads nothing."""
        m = _RESPECTIVE_LEVELS.fullmatch(clause)
        if not m or _NO_LEVEL_VERB.search(m["verb"]):
            return [], "", ""
        places, names, why = self._listed(m["names"])
        if why:
            return [], "", why
        values = [v.groupdict() for v in _ONE_LEVEL.finditer(m["values"])]
        if len(names) != len(values):
            return [], "", f"not read, {len(names)} names sharing one verb and {len(values)} values"
        if not values[-1]["unit"]:
            return [], "", ""
        verb = m["verb"]
        rest = re.sub(rf"^{_VERB}", "", verb)
        said, shared = [], []
        for place, name, v in zip(places, names, values, strict=True):
            # the verb may name the figure: 市级重大项目完成投资, 高新技术产业(实现)增加值; else the item is the figure
            candidates = [name + verb, name + rest] if rest else [name + verb, name]
            found = next((c for c in candidates if catalog.resolve_indicator(self.verb_inside.get(c, c))), "")
            said.append(self.verb_inside.get(found, found) or name + verb)
            level = (v["value"] + (v["after"] or ""), v["unit"] or values[-1]["unit"])
            shared.append(_Shared(place, self.verb_inside.get(found, found) or name + verb, *level, "value"))
        # the list as a clause of growths after it would name it: "A完成投资、B完成投资", "全市和醴陵市A"
        listed = m["names"] + said[0][len(names[0]) :] if any(places) else "、".join(said)
        return shared, listed, ""

    def respective_growths(self, clause: str) -> tuple[list[_Shared], str]:
        """The changes of "A、B分别增长39.5%、57.7%" or "全市和醴陵市A分别增长7.1%、8.2%", else none and why not
        ('' for a clause that is no such list): changes against another period (环比, 比一季度), not as many names
        (or places) as values, or places and names both listed."""
        m = _RESPECTIVELY.fullmatch(clause)
        if not m:
            return [], ""
        said = re.sub(r"\([^()]*\)", "", m["names"]) + m["basis"]  # not the 比 of "(按可比价计算)"
        if against := _AGAINST_WORDS.search(said):
            return [], _against(said[against.start() :])
        places, names, why = self._listed(m["names"])
        if why:
            return [], why
        values = [v.groupdict() for v in _VALUE_UNIT.finditer(m["values"])]
        if len(names) != len(values):
            return [], f"not read, {len(names)} names sharing one verb and {len(values)} values"
        falls = re.fullmatch(_FALL, m["dir"]) is not None
        if falls and "-" in m["values"]:
            return [], _DOUBLE_NEGATIVE
        sign = "-" if falls else ""
        last_unit = values[-1]["unit"]
        return [
            _Shared(place, name, sign + v["value"], v["unit"] or last_unit)
            for place, name, v in zip(places, names, values, strict=True)
        ], ""


def parse(doc: Document, catalog: Catalog, default_release_date: date | None = None) -> ParseResult:
    result = ParseResult(adapter=NAME)
    ctx = RowContext(catalog, result, doc.source_file, default_release_date)
    html = read_html(doc.text)
    title = _title(html.title)
    if title is None:
        ctx.error(None, "title", f"title {html.title!r} does not name a bulletin's or review's year (and period)")
        return result
    place = title.place
    if not place and (office := STATS_OFFICE.search(to_halfwidth(html.text).replace(" ", ""))):
        place = office["place"]
    if not place:
        ctx.error(None, "title", f"title {html.title!r} names no place, nor does a 统计局 in the page")
        return result
    city = catalog.resolve_region(place)
    if city is None:
        ctx.error(None, "title", f"unknown region {place!r} in the title")
        return result
    if not release_or_error(ctx, doc, lambda: page_release(html, default_release_date)):
        return result
    reading = _Reading.of(catalog)
    coverage = ProseCoverage()  # every figure of a sentence read, noted, or named in the release's one note
    for line, text in html.paragraphs:
        sentences = [s.replace(" ", "") for s in prose_sentences(text)]
        joined = noted = -1  # a sentence opening with a turn: read with the one before it, or noted as not read
        for at_sentence, whole in enumerate(sentences):
            if at_sentence == joined:
                continue
            notes_before = len(result.notes)
            period, sentence, why = _sentence_period(whole, title.period, reading.names)
            if period is None:
                why = why or "not read, its opening names a period not understood"
                result.notes.append(f"row {line}: {why}: {_opening(whole)}")
                continue
            named, without, why = _period_after_name(reading, sentence, sentence != whole, title.period.end.year)
            if why:  # "…,进出口总额“十三五”期间累计增长45.2%", "地区生产总值十三五以来增长40%": the name's figure is
                result.notes.append(f"row {line}: {why}: {_opening(whole)}")  # not read (no figure follows the name)
            elif named is not None:  # "全市地区生产总值“十三五”期间年均增长7.1%": as if it opened the sentence
                period, sentence = named, without
            if period.kind == "multi_year":  # "十三五期间,全市地区生产总值年均增长7.1%": each clause read or noted
                _read_span(ctx, reading, sentence, period, title.period, city, line)
                continue
            following = sentences[at_sentence + 1] if at_sentence + 1 < len(sentences) else ""
            if turn := _OWN_TURN.match(following):  # "…增长3.2%。由上年下降0.5%转为增长3.2%"
                with_turn, why = _join_turn(list(reading.figures.finditer(sentence)), sentence, turn)
                if with_turn:
                    sentence, joined = with_turn, at_sentence + 1
                else:  # the rest of that sentence is still read
                    result.notes.append(f"row {line} {turn[0].rstrip(',')}: {why}")
                    noted = at_sentence + 1
            entries = [*reading.entries.finditer(sentence), *reading.counted.finditer(sentence)]
            sentence = _name_places(sentence, list(reading.figures.finditer(sentence)), reading.places, entries)
            sentence = _SHARE_BEFORE_GROWTH.sub(lambda m: m["growth"] + "," + m["plan"].lstrip(","), sentence)
            sentence = _name_shares(sentence, list(reading.figures.finditer(sentence)))
            sentence = _name_thresholds(sentence, list(reading.figures.finditer(sentence)), result.notes, line)
            # 市区 is the urban districts, but for the figures monitored there (优良率): those are the city's
            scopes = {monitored: clause_regions(catalog, sentence, city, monitored) for monitored in (False, True)}
            coverage.start(line, sentence, notes_before)
            if why:  # its note names the sentence: a figure whose period cannot be told
                coverage.take_all()
            if at_sentence == noted and (own_turn := _OWN_TURN.match(sentence)):
                coverage.take(*own_turn.span())  # the turn noted with the sentence before
            start = 0
            clauses = re.split(r"(?<=,)", sentence)
            listed = ""  # the names of a list of levels just read, for its growths in a clause of their own after
            for at, clause in enumerate(clauses):  # several names sharing one verb (分别)
                said = clause.rstrip(",")
                if listed and _NAMELESS_LIST.match(said):  # "…、1050.3亿元,分别增长12.1%、8.5%": the list's growths
                    said = listed + said
                pairs, why_not = reading.respective_growths(said)
                listed = ""
                if not pairs and not why_not:  # "A、B分别完成投资500.2亿元、1050.3亿元"
                    pairs, listed, why_not = reading.respective_levels(catalog, said)
                if pairs or why_not:
                    coverage.take(start, start + len(clause))
                if why_not:
                    result.notes.append(f"row {line} {clause.rstrip(',')}: {why_not}")
                own_period, other_year = _clause_period(reading.lead.match(clause)[0], period)
                if pairs and other_year:
                    result.notes.append(f"row {line} {clause.rstrip(',')}: {other_year}")
                    pairs = []
                following = clauses[at + 1].rstrip(",") if at + 1 < len(clauses) else ""
                ranks, why_no_ranks = _respective_ranks(following, len(pairs)) if pairs or why_not else ([], "")
                if why_no_ranks:
                    result.notes.append(f"row {line} {following}: {why_no_ranks}")
                if ranks or why_no_ranks:
                    coverage.take(start + len(clause), start + len(clause) + len(following))
                codes = [(p.place, catalog.resolve_indicator(p.name)) for p in pairs]
                if any(code and codes.count((place, code)) > 1 for place, code in codes):  # 优良率、达标率: one
                    why_not, pairs = "not read, names sharing one verb are one catalogued indicator's", []
                    result.notes.append(f"row {line} {said}: {why_not}")
                if pairs and pairs[0].measure == "value" and not re.search("增速|增幅", following):
                    ranks = [("rank", cell) for _, cell in ranks]  # a bare rank after levels ranks the levels
                for shared, rank in zip(pairs, ranks or [None] * len(pairs), strict=True):
                    _read_shared(ctx, shared, scopes, start, city, own_period, line, rank)
                start += len(clause)
            turns_read = []
            figures = list(reading.figures.finditer(sentence))
            for at, f in enumerate(figures):
                stop = figures[at + 1].start() if at + 1 < len(figures) else len(sentence)  # the next figure's
                if f["turn"]:
                    turns_read.append(f.start("turn"))
                if f["other"]:
                    result.notes.append(f"row {line} {f['name']}: {_against(f['against'] or f['rate_flat'])}")
                if multi := _MULTI_YEAR.match(sentence, f.end()):
                    why = f"not read, {multi['said']}: a multi-year average, no one year's growth"
                    result.notes.append(f"row {line} {f['name']}: {why}")
                    coverage.take(*multi.span())
                if group := _GROUP_RANK.search(sentence, f.end(), f.end() + 12):  # "，位居全省第一方阵" after it
                    result.notes.append(f"row {line} {f['name']}: not read, {group[0]} is a group of cities, no rank")
                    coverage.take(*group.span())
                # "发电量120.5亿千瓦时": a quantity in a unit no catalogued indicator is in; "地区生产总值56项",
                # "高新技术企业560个": in one its indicator does not take. Another measure: left out with its growth,
                # and a note
                unit = f["odd_unit"] or f["exact_unit"] or f["unit"]
                code = catalog.resolve_indicator(reading.verb_inside.get(f["name"], f["name"]))
                named = catalog.indicator(code) if code else None
                if f["odd_level"] or (unit and named is not None and not takes_unit(unit, named.unit)):
                    said = f"{f['odd_level'] or f['exact'] or f['level']}{unit}"
                    why = f"not read, {said}: the catalogue has no {f['name']} in {unit} nor a unit it converts to"
                    result.notes.append(f"row {line} {f['name']}: {why}")
                    coverage.take(*f.span())
                    continue
                if not f["growth_said"] and (worded := _WORDED_CHANGE.match(sentence, f.end())):
                    # "1700.2亿元,同比基本持平", "增长逾一成": what was left, named (it was dropped, or noted as
                    # something else)
                    result.notes.append(f"row {line} {f['name']}增长: {_worded_change(worded['said'])}")
                    coverage.take(*worded.span())
                passing = not (f["level"] or f["growth"] or f["flat"] or f["ratio"] or f["fold"])
                if passing and not f["abs"] and not _RANK_CLAUSE.search(sentence, f.end(), stop):
                    continue  # a name in passing, with no rank after it ("固定资产投资增速居全省第二位" has one)
                coverage.take(*f.span())
                name = reading.verb_inside.get(f["name"], f["name"])
                own_period, other_year = _clause_period(sentence[f.start() : f.start("name")], period)
                if own_period is None:
                    result.notes.append(f"row {line} {f['name']}: {other_year}")
                    continue
                if f["aside"]:  # "固定资产投资(不含农户)" is the catalogued one, "(限额以上)", "(其中…)" a part
                    if not catalog.resolve_indicator(f"{name}({f['aside']})"):
                        why = f"not read, ({f['aside']}) is another scope than the catalogue's {name}"
                        result.notes.append(f"row {line} {f['name']}({f['aside']}): {why}")
                        continue
                    name = f"{name}({f['aside']})"
                indicator = catalog.resolve_indicator(name) or name
                regions = scopes[indicator in URBAN_MONITORED]
                where = {
                    "indicator": indicator,
                    "region": region_at(regions, f.start()),
                    "period": own_period,
                    "row": line,
                }
                if f["abs"]:
                    _read_absolute_change(ctx, f["abs_dir"], f["abs"], name, f["abs_value"], f["abs_unit"], where)
                if f["abs"] and not f["level"] and (total := _RUNNING_TOTAL.match(sentence, f.end())):
                    _read_running_total(ctx, total, name, where)
                    coverage.take(*total.span())
                if passing:
                    _read_ranks(ctx, f, stop, where, line, coverage)
                    continue
                # before its level, or its growth: "地区生产总值预计增长5%左右" is an estimate too
                said_at = f.start("level") if f["level"] else f.start("growth_said") if f["growth_said"] else f.end()
                vintage = PROSE_VINTAGE.search(sentence, 0, said_at)
                label = f"({vintage[0]})" if vintage else ""
                if f["mark"]:  # "200.1亿元*": what the mark says of the figure is not read
                    said = f"{f['level']}{f['unit']}{f['after'] or ''}{f['mark']}"
                    result.notes.append(f"row {line} {f['name']}: not read, {footnote_mark_reason(f['mark'], said)}")
                elif f["exact"]:  # the threshold's exact figure
                    ctx.add(measure="value", cell=f["exact"] + label, unit=f["exact_unit"], column=f["name"], **where)
                elif f["level"] and f["aside"] and is_price_basis(f["aside"]):
                    why = f"not read, a level ({f['aside']}) is not the published one at current prices"
                    result.notes.append(f"row {line} {f['name']}: {why}")
                elif f["level"]:
                    cell = f["level"] + (f["after"] or "") + label
                    ctx.add(measure="value", cell=cell, unit=f["unit"], column=f["name"], **where)
                if f["restated"]:  # "折合30.1亿美元": the level before it is the one read
                    why = f"not read, 折合{f['restated']}: the level restated in another currency"
                    result.notes.append(f"row {line} {f['name']}: {why}")
                level_unit = f["exact_unit"] or f["unit"] or ""
                ind = catalog.indicator(indicator)
                times = f["growth_unit"] == _TIMES
                change_unit = yoy_change_unit(ind.unit if ind else "", "%" if times else f["growth_unit"] or "%")
                falls = bool(f["dir"]) and re.fullmatch(_FALL, f["dir"]) is not None
                turned = _turn_contradiction(f)
                if f["was"] and ind is not None and not turned:
                    _read_growth_before_turn(ctx, f, ind, own_period, where, line)
                if turned:
                    result.notes.append(f"row {line} {f['name']}增长: not read, {turned}")
                elif f["ratio"] or f["fold"]:
                    _read_multiple(ctx, f, ind, where, line, label)
                elif f["growth"] and f["growth_mark"]:
                    said = f"{f['growth']}{f['growth_unit']}{f['growth_after'] or ''}{f['growth_mark']}"
                    why = footnote_mark_reason(f["growth_mark"], said)
                    result.notes.append(f"row {line} {f['name']}增长: not read, {why}")
                elif f["growth"] and f["restated"]:
                    said = f"{f['level']}{f['unit']},折合{f['restated']}"
                    why = f"not read, a growth after {said}: in which currency's terms cannot be told"
                    result.notes.append(f"row {line} {f['name']}增长: {why}")
                elif f["growth"] and ind is not None and needs_exchange_rate(level_unit, ind.unit):
                    # the level converts at the year's rate; its growth in dollars is not the yuan series'
                    result.notes.append(f"row {line} {f['name']}增长: not read, a growth in {level_unit} terms")
                elif f["growth"] and change_unit is None:
                    why = unkept_change_reason(f["growth_unit"] or "%")
                    result.notes.append(f"row {line} {f['name']}增长: not read, {why}")
                elif f["growth"] and own_period.kind != "year" and _against_year_end(f):
                    said = (f["since_end"] or f["abs_since"]) + (f["dir"] or "") + f["growth"] + f["growth_unit"]
                    why = f"not read, {said}: a change since the end of last year in a review is no growth over a year"
                    result.notes.append(f"row {line} {f['name']}增长: {why}")
                elif f["growth"] and f["sign"] and falls:
                    result.notes.append(f"row {line} {f['name']}增长: {_DOUBLE_NEGATIVE}")
                elif f["growth"] and (unread := _unread_range(f, falls)):
                    result.notes.append(f"row {line} {f['name']}增长: not read, {unread}")
                elif f["growth"] and f["sign"] and _bounds_one_side(f):
                    # "增速为近-3%": a bound on a rate written with its minus; which side of -3 it is cannot be told
                    said = f"{f['growth_before'] or ''}-{f['growth']}{f['growth_unit']}{f['growth_after'] or ''}"
                    why = f"not read, {said}: a bound on a growth written with a minus sign may point either way"
                    result.notes.append(f"row {line} {f['name']}增长: {why}")
                elif f["growth"] and times and (falls or f["sign"] or not f["dir"]):
                    said = f"{f['dir'] or '增速'}{f['sign'] or ''}{f['growth']}倍"
                    result.notes.append(f"row {line} {f['name']}增长: not read, {said}: only a rise is counted in 倍")
                elif f["growth"]:
                    before, after = f["growth_before"] or "", f["growth_after"] or ""
                    growth = f"{Decimal(f['growth']) * 100:f}" if times else f["growth"]
                    if times:
                        said = f"{f['growth']}倍 read as a growth of {growth}%"
                        result.notes.append(f"row {line} {f['name']}增长: {said}")
                    # a fall's (or a signed rise's) minus; none on a nil change: 下降0.0% is 0, not -0
                    sign = "-" if (falls or f["sign"]) and float(growth) else ""
                    if falls and (before or after):  # qualifiers.parse_change turns a fall's bound: 下降近3% > -3
                        cell = f["dir"] + before + growth + after
                    else:  # a range as qualifiers.py reads one: "8-10", its lower end a floor (ge)
                        cell = before + sign + growth + (f"-{f['range_to']}" if f["range_to"] else "") + after
                    column = f"{f['name']}增长"
                    ctx.add(measure="yoy_pct", cell=cell + label, unit=change_unit, column=column, **where)
                elif f["flat"] and ind is not None:  # 与上年持平: no change, in the points of a rate or % of a level
                    flat_unit = yoy_change_unit(ind.unit, "百分点") or "%"
                    cell = f"0{label}" if label else f["flat"]  # qualifiers.parse_change reads 持平 as 0
                    ctx.add(measure="yoy_pct", cell=cell, unit=flat_unit, column=f"{f['name']}增长", **where)
                if f["growth_said"] and (after := _ABS_AFTER.match(sentence, f.end())):
                    said = after["abs"]
                    coverage.take(*after.span())
                    _read_absolute_change(
                        ctx, after["abs_dir"], said, name, after["abs_value"], after["abs_unit"], where
                    )
                if share := _PLAN_SHARE.match(sentence, f.end()):
                    coverage.take(*share.span())
                if share and share["budget"]:
                    why = f"not read, {share['said']}: a share of the budget, not of the year's plan"
                    result.notes.append(f"row {line} {f['name']}: {why}")
                elif share:
                    column = f"{f['name']}{share['said']}"
                    ctx.add(measure="plan_share_pct", cell=share["share"] + label, unit="%", column=column, **where)
                _read_ranks(ctx, f, stop, where, line, coverage)
            for clause in (c for c in sentence.split(",") if _GROWTH_COMPARED.fullmatch(c)):
                # "…增长8.1%。增速分别比全国、全省高1.2和0.8个百分点": with no figure before it to go with (a figure's
                # own comparison was noted with it, :func:`_read_ranks`)
                if not any(n.startswith(f"row {line} ") and clause in n for n in result.notes):
                    why = "a growth compared with other places or periods, with no figure's growth right before it"
                    result.notes.append(f"row {line} {clause}: not read, {why}")
            for clause in sentence.split(",")[1:]:  # "…一季度增长5.5%,上半年增长4.1%": whose growth, no name says
                found = split_leading_period(re.sub(r"^其中", "", clause)[:12], period.end.year)
                if found is None or not re.search(r"\d(?:%|个?百分点|亿|万)", found[1]):
                    continue
                if re.match(r"\d+(?!\d)", clause) and not re.match(r"\d+(?:年|月|-)", clause):
                    continue  # a number, no period ("2100家")
                if not re.search(reading.names, clause):
                    why = "a clause opening with a period of its own names no figure it is of"
                    result.notes.append(f"row {line} {clause}: not read, {why}")
            for clause in (c for c in sentence.split(",") if _RANK_CHANGE.fullmatch(c)):
                why = "a change of rank is no stored figure (the rank itself is read where whose it is is told)"
                result.notes.append(f"row {line} {clause}: not read, {why}")
            for share in _SHARE.finditer(sentence):  # "高新技术产业增加值占地区生产总值的比重为25.1%"
                part = reading.lead.sub("", share["part"])
                if not catalog.resolve_indicator(f"{part}占{share['of']}比重"):
                    said = share[0][len(share["part"]) - len(part) :]
                    why = f"not read, {said}: the catalogue has no share {part}占{share['of']}比重"
                    result.notes.append(f"row {line} {part or share['of']}: {why}")
                    change = re.match(rf",(?:{_SINCE})?(?:{_RISE}|{_FALL})[^,]*", sentence[share.end() :])
                    coverage.take(share.start(), share.end() + (change.end() if change else 0))  # with its change
            for a in reading.additions.finditer(sentence):
                _read_additions(ctx, a, scopes[False], period, line)
                coverage.take(*a.span())
            for pattern in (reading.entries, reading.counted, reading.verb_first):
                for c in pattern.finditer(sentence):  # "新增高新技术企业109家", "全市拥有11家上市公司", "获评…达38家"
                    coverage.take(*c.span())
                    _read_count(ctx, c, scopes[False], period, line, coverage)
            for c in reading.stock_changes.finditer(sentence):
                coverage.take(*c.span())
                own_period, other_year = _clause_period(sentence[c.start() : c.start("name")], period)
                if own_period is None:
                    result.notes.append(f"row {line} {c['name']}: {other_year}")
                    continue
                where = {"region": region_at(scopes[False], c.start()), "period": own_period, "row": line}
                _read_absolute_change(ctx, c["abs_dir"], c["abs"], c["name"], c["abs_value"], c["abs_unit"], where)
            for turn in _A_TURN.finditer(sentence):  # "…,增速由负转正,增长1.2%" with no name right before it
                if turn.start() == 0 and at_sentence == noted:  # noted with the sentence before
                    continue
                if not any(turn.start() <= at <= turn.end() for at in turns_read):
                    why = "not read, a growth turned with no catalogued name right before it to say whose"
                    result.notes.append(f"row {line} {turn[0]}: {why}")
                    after = sentence.find(",", turn.end() + 1)  # the growth it turned to, in the clause after
                    coverage.take(turn.start(), len(sentence) if after < 0 else after)
            coverage.finish(result.notes)
    if left := coverage.note():
        result.notes.append(left)
    drop_repeats(result)
    return result
