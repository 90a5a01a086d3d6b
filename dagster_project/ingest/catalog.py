"""Reference data from seeds/: indicators, regions, monitoring sections, listed projects.

Resolves the names offices actually write (aliases, "#出口", quoted “四上”, 市区/城区) to codes.
The seeds directory is ``$PMW_SEEDS_DIR`` or ``<repo>/seeds``.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from pathlib import Path

from dagster_project.ingest.text import to_halfwidth
from dagster_project.ingest.units import is_unit, normalize_unit

__all__ = [
    "Indicator",
    "Catalog",
    "seeds_dir",
    "load_catalog",
    "normalize_name",
    "is_price_basis",
    "strip_quotes",
    "URBAN_SCOPE_NAMES",
    "URBAN_MONITORED",
]

# Words env bulletins use for "the city proper"; their figures are the city's.
URBAN_SCOPE_NAMES = frozenset({"市区", "城区", "中心城区", "全市"})
_URBAN_LONGEST_FIRST = sorted(URBAN_SCOPE_NAMES, key=len, reverse=True)  # 中心城区 before 城区
# The figures a city publishes from its urban area's monitoring stations: its 市区 优良率 is the city's, also in a
# 统计公报, where 市区's 地区生产总值 is only the urban districts'.
URBAN_MONITORED = frozenset({"air_good_ratio", "air_good_days", "pm25"})


def seeds_dir() -> Path:
    from dagster_project.settings import default_seeds_dir

    return default_seeds_dir()


_QUOTE_MARKS = "\"'“”‘’「」『』《》"
_QUOTES = re.compile(rf"[#＃{_QUOTE_MARKS}\s]")
_QUOTES_ONLY = re.compile(f"[{_QUOTE_MARKS}]")


def strip_quotes(text: str) -> str:
    """Text without quotation marks: prose quotes a term (新增“四上”企业600家), the catalogue's names do not."""
    return _QUOTES_ONLY.sub("", text)


# what a name's bracket may say and keep the catalogued indicator: its unit, or the prices its growth is computed
# at (地区生产总值(按可比价计算)). Any other bracket says another basis or scope (旧口径, 不含房地产, 限额以上, 其中
# 民间投资, 民间投资): another measure than the catalogue's, unless an alias names it (固定资产投资(不含农户))
_PRICE_BASIS = re.compile(r"按?(?:可比|不变)价(?:格)?(?:计算)?")
# a table row's sub-item prefix (其中:税收收入) and footnote marks (地方一般公共预算收入①, 出口*)
_ROW_DRESSING = re.compile(r"^其中:?|[\u2460-\u2473\u00b9\u00b2\u00b3\u2070-\u2079*]")


def is_price_basis(text: str) -> bool:
    """Whether a bracket says only the prices a growth is computed at (按可比价计算): a level so computed is not
    the published one at current prices."""
    return _PRICE_BASIS.fullmatch(to_halfwidth(text).replace(" ", "")) is not None


# a share is written with or without 的: "税收占地方一般公共预算收入的比重" is "…收入比重" (prose and table rows alike)
_SHARE_DE = re.compile(r"的(?=比重(?:\(|$))")


def normalize_name(name: str) -> str:
    """Matching key for a name: half-width, no '#', quotes, spaces, 其中: or footnote marks; a share's 的 before
    比重 dropped (X占Y的比重 is X占Y比重)."""
    key = _ROW_DRESSING.sub("", _QUOTES.sub("", to_halfwidth(name or "")))
    return _SHARE_DE.sub("", key) if "占" in key else key


@dataclass(frozen=True)
class Indicator:
    code: str
    name_zh: str
    unit: str
    measure_kind: str
    natural_limit: float | None
    aliases: tuple[str, ...]
    # plausibility (seeds/indicators.csv; docs/release_formats.md "Plausible values"): a value outside
    # [plausible_min, plausible_max] or beyond history_factor x its history is refused unless confirmed
    plausible_min: float | None = None
    plausible_max: float | None = None
    history_factor: float | None = None
    # the indicator a statistics table lists this one under as a sub-item (#税收收入 under 地方一般公共预算收入)
    parent_code: str = ""


@dataclass
class Catalog:
    indicators: dict[str, Indicator]
    regions: dict[str, str]  # code -> name_zh
    region_types: dict[str, str]  # code -> region_type
    region_parents: dict[str, str] = field(default_factory=dict)  # code -> parent_code ('' for the province)
    sections: dict[str, str] = field(default_factory=dict)  # code -> name
    projects: dict[str, str] = field(default_factory=dict)  # code -> name
    # river_code -> (name, its sections' codes), from monitoring_sections.csv: a bulletin may give one class
    # for every section of a river
    rivers: dict[str, tuple[str, tuple[str, ...]]] = field(default_factory=dict)
    # the cities whose plans the seeds hold (plans.csv region_code): whose figures a file naming no place gives
    plan_regions: tuple[str, ...] = ()
    _ind_by_name: dict[str, str] = field(default_factory=dict, repr=False)
    _reg_by_name: dict[str, str] = field(default_factory=dict, repr=False)
    _sec_by_name: dict[str, str] = field(default_factory=dict, repr=False)
    region_aliases: dict[str, tuple[str, ...]] = field(default_factory=dict)  # code -> aliases (regions.csv)
    _reg_ambiguous: dict[str, tuple[str, ...]] = field(default_factory=dict, repr=False)  # short name -> codes

    def __post_init__(self) -> None:
        for code, ind in self.indicators.items():
            for name in (code, ind.name_zh, *ind.aliases):
                self._ind_by_name.setdefault(normalize_name(name), code)
        short_names: dict[str, set[str]] = {}
        for code, name in self.regions.items():
            self._reg_by_name[normalize_name(code)] = code
            self._reg_by_name.setdefault(normalize_name(name), code)
            # Short forms ("株洲", "醴陵") are common in tables of cities; other forms (湘西州, 湘西自治州 for
            # 湘西土家族苗族自治州) are the region's aliases in seeds/regions.csv
            short = re.sub(r"(市|县|区)$", "", name)
            for alias in ([short] if len(short) >= 2 else []) + list(self.region_aliases.get(code, ())):
                short_names.setdefault(normalize_name(alias), set()).add(code)
        for alias, codes in short_names.items():
            if alias in self._reg_by_name:  # a full name or code wins over another region's short form
                continue
            if len(codes) == 1:
                self._reg_by_name[alias] = next(iter(codes))
            else:  # 长沙 of 长沙市 and of 长沙县: neither, and the error names both
                self._reg_ambiguous[alias] = tuple(sorted(codes))
        self._reg_by_name.setdefault("全省", next((c for c, t in self.region_types.items() if t == "province"), ""))
        for code, name in self.sections.items():
            self._sec_by_name[normalize_name(code)] = code
            self._sec_by_name.setdefault(normalize_name(name), code)

    # --- lookups -------------------------------------------------------------------------------
    def resolve_indicator(self, name: str) -> str | None:
        """Code for an indicator code / name / alias; a trailing '(亿元)' unit or '(按可比价计算)' is ignored, any
        other bracket is not: 进出口总额(旧口径), (不含…), (限额以上) or (民间投资) is another measure than the
        catalogue's unless an alias names it."""
        key = normalize_name(name)
        if key in self._ind_by_name:
            return self._ind_by_name[key]
        bracket = re.search(r"\(([^()]*)\)$", key)
        if bracket is None or not (is_unit(bracket[1]) or is_price_basis(bracket[1])):
            return None
        return self._ind_by_name.get(key[: bracket.start()])

    def resolve_region(self, name: str, city_code: str | None = None) -> str | None:
        """Code for a region code / name. 市区/城区/全市 resolve to ``city_code`` when given."""
        key = normalize_name(name)
        if key in URBAN_SCOPE_NAMES and city_code:
            return city_code
        found = self._reg_by_name.get(key)
        if found is None:  # a place's urban area is the place: 株洲市区, 株洲城区, 醴陵市城区
            urban = next((u for u in _URBAN_LONGEST_FIRST if key.endswith(u) and len(key) > len(u)), None)
            found = self._reg_by_name.get(key.removesuffix(urban)) if urban else None
        if found is None:  # a county or district after its city's name: 株洲市荷塘区, 株洲攸县
            parent = next((n for n in self._reg_by_name if len(key) > len(n) >= 2 and key.startswith(n)), None)
            child = self._reg_by_name.get(key[len(parent) :]) if parent else None
            found = child if child and self.region_parents.get(child) == self._reg_by_name[parent] else None
        return found or None

    def region_spellings(self) -> dict[str, str]:
        """Every way prose may write a catalogued place, to its code: the full name, the short form
        (株洲, 醴陵: "一季度，株洲规模工业增加值增长11.8%") and the aliases of regions.csv; not a short form two
        regions share (长沙 of 长沙市 and 长沙县: neither), nor a code."""
        return {
            name: code
            for name, code in self._reg_by_name.items()
            if code and not name.isdigit() and name != "全省" and name not in self._reg_ambiguous
        }

    def region_clash(self, name: str) -> str | None:
        """Why a short name is no one region: it is the short form or alias of several ('长沙' of 长沙市 and 长沙县);
        None when it is not."""
        codes = self._reg_ambiguous.get(normalize_name(name))
        if not codes:
            return None
        named = ", ".join(f"{self.regions[c]} ({c})" for c in codes)
        return f"{name.strip()!r} is the short name of {len(codes)} regions: {named}; write the full name"

    def resolve_section(self, name: str) -> str | None:
        key = normalize_name(name)
        return self._sec_by_name.get(key) or self._sec_by_name.get(re.sub(r"断面$", "", key))

    def river_in(self, text: str) -> tuple[str, tuple[str, ...]] | None:
        """(name, sections) of the river ``text`` names, its longest name found in it (湘江（株洲段） is
        also written 湘江株洲段); None when it names none."""
        key = normalize_name(text)
        found = [
            (len(variant), name, sections)
            for name, sections in self.rivers.values()
            for variant in {normalize_name(name), re.sub(r"[()]", "", normalize_name(name))}
            if variant and variant in key
        ]
        return max(found)[1:] if found else None

    def indicator(self, code: str) -> Indicator | None:
        return self.indicators.get(code)

    def is_known_subject(self, code: str) -> bool:
        return code in self.sections or code in self.projects


def _read_csv(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return [{k.strip(): (v or "").strip() for k, v in row.items() if k} for row in csv.DictReader(fh)]


def _pick(row: dict[str, str], *names: str) -> str:
    for n in names:
        if row.get(n):
            return row[n]
    return ""


def _subjects(path: Path, code_cols: tuple[str, ...]) -> dict[str, str]:
    # Column names of the subject seeds are owned elsewhere; accept the usual spellings.
    if not path.exists():
        return {}
    out: dict[str, str] = {}
    for row in _read_csv(path):
        code = _pick(row, *code_cols, "code", "subject_code")
        if code:
            out[code] = _pick(row, "name_zh", "section_name_zh", "name", "section_name", "project_name")
    return out


def _aliases(text: str) -> tuple[str, ...]:
    """A seed's aliases cell: names separated by |."""
    return tuple(a.strip() for a in text.split("|") if a.strip())


def _number(text: str | None) -> float | None:
    return float(text) if text and text.strip() else None


def load_catalog(path: Path | str | None = None) -> Catalog:
    """Read the seeds (small CSVs, read fresh each call so edited seeds apply without a restart).

    monitoring_sections.csv and listed_projects.csv are optional; without them every subject code
    fails validation as unknown.
    """
    base = Path(path) if path else seeds_dir()
    indicators: dict[str, Indicator] = {}
    for row in _read_csv(base / "indicators.csv"):
        limit = row.get("natural_limit", "")
        indicators[row["indicator_code"]] = Indicator(
            code=row["indicator_code"],
            name_zh=row["name_zh"],
            unit=normalize_unit(row["unit"]),
            measure_kind=row["measure_kind"],
            natural_limit=float(limit) if limit else None,
            aliases=_aliases(row.get("aliases", "")),
            plausible_min=_number(row.get("plausible_min")),
            plausible_max=_number(row.get("plausible_max")),
            history_factor=_number(row.get("history_factor")),
            parent_code=row.get("parent_code", ""),
        )
    region_rows = _read_csv(base / "regions.csv")
    sections = _subjects(base / "monitoring_sections.csv", ("section_code",))
    rivers: dict[str, tuple[str, tuple[str, ...]]] = {}
    section_rows = _read_csv(base / "monitoring_sections.csv") if (base / "monitoring_sections.csv").exists() else []
    for row in section_rows:  # the river by its code and name, or by its name alone (the usual spellings)
        river, section = _pick(row, "river_code", "river"), _pick(row, "section_code", "code", "subject_code")
        if river and section:
            name, codes = rivers.get(river, (_pick(row, "river_name_zh", "river"), ()))
            rivers[river] = (name, (*codes, section))
    projects = _subjects(base / "listed_projects.csv", ("project_code",))
    plans = _read_csv(base / "plans.csv") if (base / "plans.csv").exists() else []
    return Catalog(
        indicators=indicators,
        regions={r["region_code"]: r["name_zh"] for r in region_rows},
        region_types={r["region_code"]: r.get("region_type", "") for r in region_rows},
        region_parents={r["region_code"]: r.get("parent_code", "") for r in region_rows},
        region_aliases={r["region_code"]: _aliases(r.get("aliases", "")) for r in region_rows},
        sections=sections,
        projects=projects,
        rivers=rivers,
        plan_regions=tuple(dict.fromkeys(p["region_code"] for p in plans if p.get("region_code"))),
    )
