"""Checks of the target catalogue seeds against the report text they were read from.

The catalogue (seeds/plans.csv, targets.csv, listed_projects.csv, monitoring_sections.csv,
report_figures.csv) is hand-captured from the 株洲日报 2021-12-31 B2 reading of the government work
report. These tests hold it to the text: every quote is verbatim, every number of the page is
accounted for, every list is complete, and every target is internally consistent (kind, comparator,
indicator, unit, scope, dates).

Standard library only (csv, pathlib, re); the report is found via PMW_REPORT_PATH, defaulting to
data/source/report_2021-12-31_zhuzhou.txt in the repository.
"""

from __future__ import annotations

import csv
import os
import re
from datetime import date
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SEEDS = REPO / "seeds"
REPORT_PATH = Path(os.environ.get("PMW_REPORT_PATH", REPO / "data" / "source" / "report_2021-12-31_zhuzhou.txt"))
# Real published figures: the repository's copy, else the shared reference; baseline checks are
# skipped when neither is present.
_FACTS_CANDIDATES = [
    REPO / "data" / "published_facts.csv",
    REPO.parent / "shared" / "reference" / "published_facts.csv",
]
_FACTS_DEFAULT = next((p for p in _FACTS_CANDIDATES if p.is_file()), _FACTS_CANDIDATES[0])
FACTS_PATH = Path(os.environ.get("PMW_PUBLISHED_FACTS", _FACTS_DEFAULT))

COLUMNS = {
    "plans.csv": "plan_id,name_zh,name_en,region_code,plan_kind,start_date,end_date,source_document,published_date",
    "targets.csv": (
        "target_id,plan_id,section_zh,section_en,indicator_code,title_zh,title_en,target_kind,comparator,"
        "target_value,tolerance,unit,baseline_year,baseline_value,baseline_source,start_date,deadline,"
        "scope_type,scope_code,quote,reading_notes"
    ),
    "listed_projects.csv": (
        "project_code,list_id,list_name_zh,list_name_en,item_order,name_zh,name_en,target_id,quote"
    ),
    "monitoring_sections.csv": (
        "section_code,river_code,river_name_zh,section_name_zh,region_code,is_illustrative,note"
    ),
    "report_figures.csv": "figure_id,quote,figure_text,treatment,target_id,note",
}


def _target_kinds() -> dict[str, set[str]]:
    """Kind -> the comparators it may use, from seeds/target_kinds.csv (the one list of kinds)."""
    with open(SEEDS / "target_kinds.csv", encoding="utf-8") as f:
        return {r["target_kind"]: set(r["comparators"].split()) for r in csv.DictReader(f)}


# Which comparators each kind may use.
KIND_COMPARATORS = _target_kinds()
TARGET_KINDS = set(KIND_COMPARATORS)
SCOPE_TYPES = {"city", "every_county", "county", "river", "project", "province_peers"}
TREATMENTS = {"target", "qualitative", "not_a_target"}
PROJECT_LISTS = {"L22-IND": "IND", "L22-TECH": "TECH", "L22-INFRA": "INFRA"}

# Numbers on the page: Arabic numbers (with decimals), the water class "II", and runs of Chinese
# numeral characters. Words made of numeral characters that are not figures are listed here.
NUMBER_RE = re.compile(r"\d+(?:\.\d+)?|II|[ⅠⅡⅢⅣⅤⅥ]")
CN_NUMERAL_RE = re.compile(r"[一二两三四五六七八九十百千万亿双半]+")
NON_FIGURE_WORDS = ("一般", "一批", "一体化", "一体办理")


# ---------------------------------------------------------------------------- helpers
def read_seed(name: str) -> list[dict[str, str]]:
    with open(SEEDS / name, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def header(name: str) -> list[str]:
    with open(SEEDS / name, encoding="utf-8", newline="") as f:
        return next(csv.reader(f))


def is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def spans(text: str, needle: str) -> list[tuple[int, int]]:
    out, start = [], 0
    while needle and (i := text.find(needle, start)) >= 0:
        out.append((i, i + len(needle)))
        start = i + 1
    return out


@pytest.fixture(scope="module")
def report() -> str:
    assert REPORT_PATH.is_file(), f"report text not found at {REPORT_PATH} (set PMW_REPORT_PATH)"
    return REPORT_PATH.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def targets() -> list[dict[str, str]]:
    return read_seed("targets.csv")


@pytest.fixture(scope="module")
def targets_by_id(targets) -> dict[str, dict[str, str]]:
    return {t["target_id"]: t for t in targets}


@pytest.fixture(scope="module")
def indicators() -> dict[str, dict[str, str]]:
    return {r["indicator_code"]: r for r in read_seed("indicators.csv")}


@pytest.fixture(scope="module")
def regions() -> dict[str, dict[str, str]]:
    return {r["region_code"]: r for r in read_seed("regions.csv")}


@pytest.fixture(scope="module")
def projects() -> list[dict[str, str]]:
    return read_seed("listed_projects.csv")


@pytest.fixture(scope="module")
def figures() -> list[dict[str, str]]:
    return read_seed("report_figures.csv")


@pytest.fixture(scope="module")
def sections() -> list[dict[str, str]]:
    return read_seed("monitoring_sections.csv")


# ---------------------------------------------------------------------------- shape
def test_report_is_the_zhuzhou_page(report):
    assert "株洲日报" in report and "2021年12月31日" in report and "《政府工作报告》解读 展望篇" in report


@pytest.mark.parametrize("name", sorted(COLUMNS))
def test_seed_columns_exact(name):
    assert header(name) == COLUMNS[name].split(",")


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("plans.csv", "plan_id"),
        ("targets.csv", "target_id"),
        ("listed_projects.csv", "project_code"),
        ("monitoring_sections.csv", "section_code"),
        ("report_figures.csv", "figure_id"),
    ],
)
def test_ids_unique_and_present(name, key):
    ids = [r[key] for r in read_seed(name)]
    assert all(ids), f"{name}: empty {key}"
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    assert not dupes, f"{name}: duplicate {key}: {dupes}"


def test_target_ids_are_readable_and_stable(targets):
    bad = [t["target_id"] for t in targets if not re.fullmatch(r"T(5Y|22)-[A-Z0-9]+(-[A-Z0-9]+)*", t["target_id"])]
    assert not bad, bad
    for t in targets:
        prefix = "T5Y-" if t["plan_id"] == "zz_2022_2026" else "T22-"
        assert t["target_id"].startswith(prefix), (t["target_id"], t["plan_id"])


# ---------------------------------------------------------------------------- quotes
@pytest.mark.parametrize("name", ["targets.csv", "listed_projects.csv", "report_figures.csv"])
def test_quotes_are_verbatim(report, name):
    missing = []
    for row in read_seed(name):
        q = row["quote"]
        if not q or "\n" in q or q not in report:
            missing.append(q)
    assert not missing, f"{name}: quotes not found verbatim in the report: {missing}"


def test_every_number_in_the_report_is_accounted_for(report, figures):
    covered: list[tuple[int, int]] = []
    for f in figures:
        covered.extend(spans(report, f["quote"]))
    non_figure: list[tuple[int, int]] = []
    for w in NON_FIGURE_WORDS:
        non_figure.extend(spans(report, w))

    def inside(start, end, intervals):
        return any(a <= start and end <= b for a, b in intervals)

    uncovered = []
    for m in NUMBER_RE.finditer(report):
        if not inside(m.start(), m.end(), covered):
            uncovered.append(report[max(0, m.start() - 8) : m.end() + 8])
    for m in CN_NUMERAL_RE.finditer(report):
        if inside(m.start(), m.end(), non_figure):
            continue
        if not inside(m.start(), m.end(), covered):
            uncovered.append(report[max(0, m.start() - 8) : m.end() + 8])
    assert not uncovered, f"figures without a report_figures row: {uncovered}"


def test_every_list_item_has_a_figure_row(report, figures):
    quotes = {f["quote"] for f in figures}
    items = [line.split("◆", 1)[1].strip() for line in report.splitlines() if "◆" in line]
    assert len(items) == 42
    missing = [i for i in items if not any(i in q for q in quotes)]
    assert not missing, missing


# ---------------------------------------------------------------------------- report_figures
def test_figure_treatments(figures, targets_by_id):
    for f in figures:
        tr, tid = f["treatment"], f["target_id"]
        assert tr in TREATMENTS, f
        assert f["figure_text"], f
        if tr == "target":
            assert tid in targets_by_id, f"{f['figure_id']}: unknown target {tid!r}"
            assert targets_by_id[tid]["target_kind"] != "qualitative", f
        elif tr == "qualitative":
            assert tid == "" or targets_by_id[tid]["target_kind"] == "qualitative", f
        else:
            assert tid == "", f
            assert f["note"], f"{f['figure_id']}: a figure that is not a target needs a note saying why"


def test_every_quantified_target_has_its_figure(targets, figures):
    referenced = {f["target_id"] for f in figures if f["treatment"] == "target"}
    missing = [
        t["target_id"] for t in targets if t["target_kind"] != "qualitative" and t["target_id"] not in referenced
    ]
    assert not missing, missing


# ---------------------------------------------------------------------------- targets: consistency
def test_enumerations(targets):
    for t in targets:
        assert t["target_kind"] in TARGET_KINDS, t["target_id"]
        assert t["comparator"] in KIND_COMPARATORS[t["target_kind"]], (
            t["target_id"],
            t["target_kind"],
            t["comparator"],
        )
        assert t["scope_type"] in SCOPE_TYPES, t["target_id"]
        for col in ("title_zh", "title_en", "section_zh", "section_en", "quote"):
            assert t[col], (t["target_id"], col)


def test_qualitative_targets_carry_no_number(targets):
    for t in (t for t in targets if t["target_kind"] == "qualitative"):
        assert t["target_value"] == "" and t["tolerance"] == "" and t["baseline_value"] == "", t["target_id"]
        assert t["reading_notes"], t["target_id"]


def test_zhuzhou_states_its_about_tolerance(targets):
    # what any city's catalogue must keep is a catalogue rule (seeds/properties.yml), which
    # tests/test_catalogue_rule_twins.py breaks: a kind with a series states an indicator and a target value
    # (stated_with_series; improve none), a tolerance only on about and above 0 (stated_only_for), and a unit
    # (unit_of_kind: one its kind lists, and one at all where it lists none but has a series, an improvement: a
    # status or gap shown without a unit is unreadable). 株洲's own reading goes further: its 左右 target's
    # tolerance from the report, not the default share of the value
    for t in (t for t in targets if t["target_kind"] != "qualitative"):
        tid = t["target_id"]
        if t["comparator"] == "about":
            assert is_number(t["tolerance"]), f"{tid}: 株洲's about targets state their tolerance"


def test_comparator_specific_rules(targets, indicators, regions):
    counties = [r for r in regions.values() if r["parent_code"] == "430200" and r["region_type"] == "county"]
    assert len(counties) == 9
    for t in targets:
        tid, comp = t["target_id"], t["comparator"]
        ind = indicators.get(t["indicator_code"], {})
        value = float(t["target_value"]) if is_number(t["target_value"]) else None
        if comp == "multiple_of_baseline":
            assert t["baseline_year"] and value is not None and value > 1, tid
        elif comp == "rank_gain":
            assert t["baseline_year"], tid
            assert t["scope_type"] == "province_peers", tid
            assert regions[t["scope_code"]]["is_peer_city"] == "true", tid
            assert value is not None and value >= 1 and value == int(value), tid
        elif comp == "full_coverage":
            if t["scope_type"] == "every_county":
                assert value == len(counties) and t["unit"] == "个县市区", tid
            else:
                assert ind["measure_kind"] == "rate" and value == 100 and t["unit"] == "%", tid
        elif comp == "class_or_better":
            assert ind["measure_kind"] == "class" and t["scope_type"] == "river", tid
            assert value is not None and value == int(value) and 1 <= value <= 6, tid
        elif comp == "milestone":
            assert t["indicator_code"] == "project_stage" and t["scope_type"] == "project", tid
            assert value is not None and value == int(value) and 0 <= value <= 4, tid
        elif comp == "additions_at_least":
            assert value is not None and value > 0, tid
            if ind["measure_kind"] == "stock":
                assert t["baseline_year"], f"{tid}: additions to a stock need the baseline year"
        elif comp == "improve":
            assert t["baseline_year"], tid
    # a target's unit against its kind's (target_kinds.value_units): the catalogue check's unit_of_kind rule,
    # which tests/test_run_output.py runs on these seeds and tests/test_catalogue_rule_twins.py on broken ones


def test_baselines_are_real_published_figures(targets):
    for t in (t for t in targets if t["baseline_value"]):
        assert is_number(t["baseline_value"]) and t["baseline_year"], t["target_id"]
        assert t["baseline_source"].startswith("http"), t["target_id"]
    if not FACTS_PATH.is_file():
        pytest.skip(f"published facts not available at {FACTS_PATH}")
    with open(FACTS_PATH, encoding="utf-8", newline="") as f:
        facts = list(csv.DictReader(f))
    for t in (t for t in targets if t["baseline_value"]):
        match = [
            r
            for r in facts
            if r["source"].split(" ")[0] == t["baseline_source"]
            and is_number(r["value"])
            and float(r["value"]) == float(t["baseline_value"])
        ]
        assert match, f"{t['target_id']}: baseline {t['baseline_value']} not found in published_facts at that source"


# ---------------------------------------------------------------------------- dates, plans, scope
def test_plans():
    plans = read_seed("plans.csv")
    assert {p["plan_id"] for p in plans} == {"zz_2022_2026", "zz_2022"}
    for p in plans:
        start, end = date.fromisoformat(p["start_date"]), date.fromisoformat(p["end_date"])
        assert start <= end and date.fromisoformat(p["published_date"]) <= start
        assert p["plan_kind"] in {"five_year", "annual"}


def test_target_dates_within_plan(targets):
    plans = {p["plan_id"]: p for p in read_seed("plans.csv")}
    for t in targets:
        assert t["plan_id"] in plans, t["target_id"]
        p = plans[t["plan_id"]]
        start, deadline = date.fromisoformat(t["start_date"]), date.fromisoformat(t["deadline"])
        assert start <= deadline, t["target_id"]
        assert date.fromisoformat(p["start_date"]) <= start and deadline <= date.fromisoformat(p["end_date"]), t[
            "target_id"
        ]
        if t["baseline_year"]:
            assert int(t["baseline_year"]) < start.year, t["target_id"]


def test_scopes_point_at_known_things(targets, regions, projects, sections):
    project_codes = {p["project_code"] for p in projects}
    rivers = {s["river_code"] for s in sections}
    for t in targets:
        st, code = t["scope_type"], t["scope_code"]
        if st in {"city", "every_county", "province_peers"}:
            assert code in regions and regions[code]["region_type"] == "city", t["target_id"]
        elif st == "county":
            assert code in regions and regions[code]["region_type"] == "county", t["target_id"]
        elif st == "river":
            assert code in rivers, t["target_id"]
        elif st == "project":
            assert code in project_codes, t["target_id"]


# ---------------------------------------------------------------------------- lists
def test_each_project_list_has_exactly_ten(projects):
    for list_id, key in PROJECT_LISTS.items():
        items = sorted((p for p in projects if p["list_id"] == list_id), key=lambda p: int(p["item_order"]))
        assert len(items) == 10, f"{list_id}: {len(items)} projects"
        assert [int(p["item_order"]) for p in items] == list(range(1, 11)), list_id
        assert [p["project_code"] for p in items] == [f"P-{key}-{i:02d}" for i in range(1, 11)], list_id
    extra = {p["list_id"] for p in projects} - set(PROJECT_LISTS)
    assert extra <= {"L22-LIVE"}, extra
    assert [p["project_code"] for p in projects if p["list_id"] == "L22-LIVE"] == ["P-LIVE-05"]


def test_projects_follow_the_printed_lists(report, projects):
    # The items under each "抓好十大…:" heading, in printed order.
    printed: dict[str, list[str]] = {}
    current = None
    for line in report.splitlines():
        m = re.match(r"抓好(十大.+?):", line)
        if m:
            current = m.group(1)
            printed[current] = []
        elif current and "◆" in line:
            printed[current].append(line.split("◆", 1)[1].strip())
    names = {"L22-IND": "十大产业项目", "L22-TECH": "十大技术攻关项目", "L22-INFRA": "十大基础设施项目"}
    for list_id, heading in names.items():
        ours = [p["name_zh"] for p in sorted(projects, key=lambda p: int(p["item_order"])) if p["list_id"] == list_id]
        assert ours == printed[heading], list_id
    assert len(printed["十大民生实事"]) == 12


def test_projects_and_their_milestones_agree(projects, targets_by_id):
    for p in projects:
        t = targets_by_id.get(p["target_id"])
        assert t is not None, p["project_code"]
        assert t["target_kind"] == "milestone" and t["scope_code"] == p["project_code"], p["project_code"]
    milestone_projects = {t["scope_code"] for t in targets_by_id.values() if t["scope_type"] == "project"}
    assert milestone_projects == {p["project_code"] for p in projects}


def test_livelihood_list_is_complete(report, targets_by_id):
    live = sorted(tid for tid in targets_by_id if tid.startswith("T22-LIST-LIVE-"))
    assert live == [f"T22-LIST-LIVE-{i:02d}" for i in range(1, 13)]
    for tid in live:
        t = targets_by_id[tid]
        if t["target_kind"] == "milestone":
            continue
        assert t["comparator"] == "at_least", tid
        # the target value is the number printed in the quote
        assert re.search(rf"(?<![\d.]){re.escape(t['target_value'])}(?![\d.])", t["quote"]), tid


# ---------------------------------------------------------------------------- required commitments
@pytest.mark.parametrize(
    ("target_id", "indicator", "kind", "comparator", "value"),
    [
        ("T5Y-GDP-5000", "gdp", "level", "exceed", "5000"),
        ("T5Y-RANK-GDP", "gdp", "rank", "rank_gain", "1"),
        ("T5Y-RANK-BUDGETSHARE", "budget_revenue_share_gdp", "rank", "rank_gain", "1"),
        ("T5Y-COVER-LISTED", "listed_companies", "coverage", "full_coverage", "9"),
        ("T5Y-COVER-TAX100M", "tax_100m_enterprises", "coverage", "full_coverage", "9"),
        ("T5Y-COVER-F500", "fortune500_production_projects", "coverage", "full_coverage", "9"),
        ("T22-NEW-LITTLEGIANT", "little_giants_national", "additions", "additions_at_least", "20"),
        ("T22-NEW-LISTED", "listed_companies", "additions", "additions_at_least", "3"),
        ("T22-AIR-83", "air_good_ratio", "level", "about", "83"),
        ("T22-EXPRESS-VILLAGE", "express_village_coverage", "coverage", "full_coverage", "100"),
        ("T22-RV-VILLAGE-PLAN", "village_planning_coverage", "coverage", "full_coverage", "100"),
        ("T22-LIST-LIVE-01", "new_urban_jobs", "level", "at_least", "5.2"),
    ],
)
def test_required_targets(targets_by_id, target_id, indicator, kind, comparator, value):
    t = targets_by_id[target_id]
    assert (t["indicator_code"], t["target_kind"], t["comparator"], t["target_value"]) == (
        indicator,
        kind,
        comparator,
        value,
    )


def test_six_doublings(targets):
    doubled = {t["indicator_code"] for t in targets if t["comparator"] == "multiple_of_baseline"}
    assert doubled == {
        "trillion_clusters",
        "industrial_value_added",
        "hightech_value_added",
        "trade_total",
        "budget_revenue",
        "listed_companies",
    }
    for t in (t for t in targets if t["comparator"] == "multiple_of_baseline"):
        assert (t["target_value"], t["baseline_year"], t["plan_id"]) == ("2", "2021", "zz_2022_2026"), t["target_id"]


def test_water_targets_cover_the_three_rivers(targets):
    rivers = {t["scope_code"]: t for t in targets if t["comparator"] == "class_or_better"}
    assert set(rivers) == {"xiangjiang_zz", "mishui", "lujiang"}
    assert all(t["target_value"] == "2" for t in rivers.values())


# ---------------------------------------------------------------------------- monitoring sections
def test_monitoring_sections(sections, regions):
    by_river: dict[str, list[dict[str, str]]] = {}
    for s in sections:
        by_river.setdefault(s["river_code"], []).append(s)
        assert s["region_code"] in regions and regions[s["region_code"]]["parent_code"] == "430200", s["section_code"]
        assert s["is_illustrative"] == "true" and "示意" in s["section_name_zh"], s["section_code"]
    assert [s["section_code"] for s in by_river["xiangjiang_zz"]] == [f"WS-XJ-{i:02d}" for i in range(1, 8)]
    assert [s["section_code"] for s in by_river["mishui"]] == ["WS-MS-01", "WS-MS-02"]
    assert [s["section_code"] for s in by_river["lujiang"]] == ["WS-LJ-01", "WS-LJ-02"]
