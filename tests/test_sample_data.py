"""Tests of the bundled sample release set (data/sample) and its generator.

The files are read with small local parsers (csv / openpyxl / regex), NOT with the ingestion
package: these tests check the sample data itself.
"""

from __future__ import annotations

import csv
import importlib.util
import io
import json
import re
from datetime import date
from pathlib import Path

import openpyxl

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "sample"
FACTS = ROOT / "data" / "published_facts.csv"
GEN_PATH = ROOT / "scripts" / "generate_sample_data.py"
CUTOFF = date(2026, 11, 25)

spec = importlib.util.spec_from_file_location("generate_sample_data", GEN_PATH)
gen = importlib.util.module_from_spec(spec)
spec.loader.exec_module(gen)


# ---------------------------------------------------------------------------------------------- helpers
def data_files() -> list[Path]:
    return sorted(p for p in SAMPLE.rglob("*") if p.is_file() and p.name != "README.md")


def rel(p: Path) -> str:
    return p.relative_to(SAMPLE).as_posix()


def decode(raw: bytes) -> str:
    for enc in ("utf-8-sig", "gb18030"):
        try:
            return raw.decode(enc)
        except UnicodeDecodeError:
            continue
    raise AssertionError("undecodable file")


def read_rows(p: Path) -> list[list[str]]:
    """Rows of a CSV or XLSX file as strings ('' for empty cells)."""
    if p.suffix == ".xlsx":
        ws = openpyxl.load_workbook(p).active
        return [["" if v is None else str(v) for v in row] for row in ws.iter_rows(values_only=True)]
    return list(csv.reader(io.StringIO(decode(p.read_bytes()))))


def read_long(p: Path) -> list[dict[str, str]]:
    rows = read_rows(p)
    return [dict(zip(rows[0], r, strict=True)) for r in rows[1:]]


def number(text: str) -> float:
    return float(text.replace(" ", "").replace(",", ""))


def is_long(p: Path) -> bool:
    return p.name.startswith(("long_", "published_"))


def city_table(p: Path) -> tuple[int, int, date, dict[str, dict[str, str]]]:
    """Parse a 统计月报 file: (year, month, release date, {indicator: {column: cell}}).

    Columns: 'unit', 'month_level', 'month_yoy', 'ytd_level', 'ytd_yoy' (January has no ytd group).
    """
    rows = read_rows(p)
    y, m = map(int, re.search(r"（(\d{4})年(\d{1,2})月）", rows[0][0]).groups())
    rd = date.fromisoformat(rows[1][0].split("：")[1])
    assert rows[2][0] == "指标" and rows[3][2] == "绝对数"
    has_ytd = len(rows[2]) >= 6 and rows[2][4] == f"1-{m}月"
    out = {}
    for r in rows[4:]:
        if r[0].startswith(("注", "数据", "2.")):
            break
        cells = {"unit": r[1], "month_level": r[2], "month_yoy": r[3]}
        if has_ytd:
            cells.update(ytd_level=r[4], ytd_yoy=r[5])
        out[r[0]] = cells
    return y, m, rd, out


def city_tables() -> list[Path]:
    return sorted(SAMPLE.glob("*/zhuzhou_tjyb_*"))


# ---------------------------------------------------------------------------------------------- tests
def test_regeneration_is_byte_identical(tmp_path):
    out = tmp_path / "sample"
    gen.generate(out)
    new = {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    old = {rel(p): p.read_bytes() for p in data_files()}
    assert sorted(new) == sorted(old), "file set differs: rerun scripts/generate_sample_data.py"
    changed = [k for k in old if old[k] != new[k]]
    assert not changed, f"regenerated files differ: {changed[:5]}"


def test_size_and_file_count_are_reasonable():
    files = data_files()
    assert 300 <= len(files) <= 800  # 468 statistics releases + about 250 small unit returns (工作台账)
    assert sum(p.stat().st_size for p in files) < 5 * 1024 * 1024


def test_every_month_has_its_releases_and_nothing_is_released_after_cutoff():
    expected = gen.months()
    assert expected[0] == (2021, 1) and expected[-1] == (2026, 10)
    for y, m in expected:
        stem = f"{y}-{m:02d}"
        assert list(SAMPLE.glob(f"*/zhuzhou_tjyb_{stem}.*")), stem
        assert list(SAMPLE.glob(f"*/hunan_iva_cities_{stem}.*")), stem
        assert list(SAMPLE.glob(f"*/air_{stem}.html")), stem
        assert list(SAMPLE.glob(f"*/water_{stem}.html")), stem
        assert (SAMPLE / "api" / f"{stem}.json").exists(), stem
    assert len(list(SAMPLE.glob("*/hunan_gdp_cities_*Q*.xlsx"))) == 23  # 2021-Q1 .. 2026-Q3
    assert len(list(SAMPLE.glob("*/hunan_budget_cities_*Q*.csv"))) == 23
    folders = [p.name for p in SAMPLE.iterdir() if p.is_dir() and re.fullmatch(r"\d{4}-\d{2}", p.name)]
    generated = [f for f in folders if not all(p.name.startswith("published_") for p in (SAMPLE / f).iterdir())]
    # January 2021 is released in February; the ledger's real figures may be older
    assert max(folders) == "2026-11" and min(generated) == "2021-02"
    # city tables alternate between GB18030 CSV and XLSX
    suffixes = {p.suffix for p in city_tables()}
    assert suffixes == {".csv", ".xlsx"}


def test_release_dates_match_folders_and_precede_cutoff():
    for p in city_tables():
        y, m, rd, _ = city_table(p)
        assert p.parent.name == f"{rd.year:04d}-{rd.month:02d}"
        assert (rd.year, rd.month) == gen.next_month(y, m)
        assert rd <= CUTOFF
    for p in SAMPLE.glob("20*/*"):
        if is_long(p):
            for r in read_long(p):
                # a ledger row whose source gives no date leaves it empty: the day the ledger lands, in its name
                d = date.fromisoformat(r["release_date"] or p.stem.removeprefix("published_"))
                assert p.parent.name == f"{d.year:04d}-{d.month:02d}", p
                assert d <= CUTOFF


def test_every_generated_file_carries_the_illustrative_marker():
    checked = 0
    for p in data_files():
        if p.name.startswith("published_"):
            continue
        checked += 1
        if p.suffix == ".html":
            text = decode(p.read_bytes())
            assert '<meta name="provenance" content="illustrative">' in text, p
            charset = re.search(r'<meta charset="([^"]+)">', text).group(1)
            p.read_bytes().decode("gbk" if charset == "gbk" else "utf-8")  # declared charset is the real one
        elif p.suffix == ".json":
            payload = json.loads(p.read_text(encoding="utf-8"))
            assert payload["provenance"] == "illustrative", p
        elif is_long(p):
            rows = read_long(p)
            assert rows and all(r["provenance"] == "illustrative" for r in rows), p
            assert all(r["source_ref"] == "" for r in rows), p
        else:  # tables: a notes row with the marker
            rows = read_rows(p)
            assert any("示意数据" in c and "illustrative" in c for r in rows[-4:] for c in r), p
    assert checked > 400


def test_published_rows_are_the_ledgers_rows_as_written_with_their_source_dates():
    """The real figures come from one home, the customer's ledger: each published_*.csv row is a ledger row
    as written plus the release date its adapter gives it, in that date's folder; every row it loads is
    there; the dates are the sources' own (a page's date, its address's), not a date chosen by hand."""
    with FACTS.open(encoding="utf-8") as f:
        ledger_rows = list(csv.reader(f))
    header = ledger_rows[0]
    written: dict[tuple[str, ...], str] = {}
    for p in sorted(SAMPLE.glob("*/published_*.csv")):
        rows = read_rows(p)
        assert rows[0] == [*header, "release_date"], p
        for r in rows[1:]:
            assert tuple(r[:-1]) in {tuple(x) for x in ledger_rows[1:]}, (p, r)  # a ledger row, as written
            # a row dated by the day the ledger lands states no date: the file's name gives the day it lands
            landed = r[-1] or f"{p.stem.removeprefix('published_')} (landed)"
            assert p.name == f"published_{landed.removesuffix(' (landed)')}.csv", (p, r)
            written[tuple(r[:-1])] = landed
    _, result = gen.ledger()
    loaded = {tuple(ledger_rows[o.source_row - 1]) for o in result.observations}
    assert set(written) == loaded
    dated = {(r[0], r[1], r[2]): d for r, d in written.items()}
    # the source's words (株洲日报 2020-04-26), its address (/2022/0129/: the 2020 GDP page, a year after the
    # usual release), its address's month (/202205/: the month's last day), else the day the ledger lands
    assert dated[("地区生产总值", "2020-Q1", "630.3")] == "2020-04-26"
    assert dated[("地区生产总值", "2020", "3105.8")] == "2022-01-29"
    assert dated[("规模工业增加值", "2022-Q1", "11.8")] == "2022-05-31"
    # no date in the source: the column is empty, so ingestion dates the row by arrival and flags it imputed
    assert dated[("地区生产总值", "2021", "3420.3")] == f"{gen.LEDGER_LANDED} (landed)"
    # not published actuals of a catalogued place: not in the sample
    assert ("农村公路建设项目(计划)", "2022", "354") not in dated
    assert ("新增四上企业(株洲高新区)", "2022-Q1", "109") not in dated


def test_illustrative_tables_leave_published_cells_empty():
    tables = {(y, m): t for y, m, _, t in map(city_table, city_tables())}
    assert "地区生产总值" not in tables[(2021, 3)]  # both Q1 GDP numbers are published
    assert tables[(2021, 3)]["规模工业增加值"]["ytd_yoy"] == ""
    assert tables[(2021, 3)]["高新技术产业增加值"]["ytd_yoy"] == ""
    assert tables[(2021, 3)]["高新技术产业增加值"]["ytd_level"] != ""  # the level is not published
    assert "高新技术产业增加值" not in tables[(2021, 12)]
    assert tables[(2021, 12)]["规模工业增加值"]["ytd_yoy"] == ""
    assert tables[(2022, 3)]["规模工业增加值"]["ytd_yoy"] == ""
    assert tables[(2022, 6)]["地区生产总值"]["ytd_level"] != ""
    gdp_q4 = {r[0]: r for r in read_rows(next(SAMPLE.glob("*/hunan_gdp_cities_2021Q4.xlsx")))}
    assert gdp_q4["株洲市"][1] == "" and gdp_q4["株洲市"][3] == "" and gdp_q4["株洲市"][2] == "5"


def air_sentences(p: Path) -> dict:
    text = decode(p.read_bytes())
    m = re.search(
        r"(\d{4})年(\d{1,2})月，(?:市区|城区)环境空气质量监测(\d+)天，其中优(\d+)天，良(\d+)天，"
        r"轻度污染(\d+)天，(?:优良率|达标率)为([\d.]+)%",
        text,
    )
    out = {
        "year": int(m[1]),
        "month": int(m[2]),
        "days": int(m[3]),
        "good": int(m[4]) + int(m[5]),
        "polluted": int(m[6]),
        "ratio": float(m[7]),
        "release": date.fromisoformat(re.search(r"发布时间：([\d-]+)", text)[1]),
    }
    y = re.search(r"1-(\d+)月，(?:市区|城区)优良天数(\d+)天，(?:优良率|达标率)为([\d.]+)%", text)
    if y:
        out.update(ytd_month=int(y[1]), ytd_days=int(y[2]), ytd_ratio=float(y[3]))
    return out


def test_air_bulletins_are_consistent_and_repeat_published_values_before_their_release():
    air = {}
    for p in SAMPLE.glob("20*/air_*.html"):
        a = air_sentences(p)
        assert a["good"] + a["polluted"] == a["days"]
        assert 0 <= a["ratio"] <= 100
        assert a["ratio"] == round(a["good"] / a["days"] * 100 + 1e-9, 1)
        air[(a["year"], a["month"])] = a
    assert air[(2021, 10)]["ratio"] == 83.9 and air[(2021, 12)]["ratio"] == 67.7
    assert air[(2022, 10)]["ratio"] == 71.0
    assert air[(2021, 12)]["ytd_days"] == 310 and air[(2021, 12)]["ytd_ratio"] == 84.9
    # the published files are released later, so the published vintage is the latest
    assert air[(2021, 12)]["release"] < date(2022, 1, 18)
    assert air[(2022, 10)]["release"] < date(2022, 11, 10)
    # designed outcome: 2022 misses the "83%左右" target (read as >= 82.0)
    assert air[(2022, 12)]["ytd_ratio"] < 82.0
    # year-to-date good days never decrease within a year
    for (y, m), a in air.items():
        if m > 2:
            assert a["ytd_days"] == air[(y, m - 1)]["ytd_days"] + a["good"]


def test_ytd_flows_are_non_decreasing_within_a_year():
    to_yi = {"亿元": 1.0, "万元": 1e-4, "万人": 1.0, "人": 1e-4}
    series: dict[str, dict[tuple[int, int], float]] = {}
    for p in city_tables():
        y, m, _, t = city_table(p)
        for name, cells in t.items():
            if cells["unit"] not in to_yi:
                continue
            text = cells.get("ytd_level", "") if m > 1 else cells["month_level"]
            if text:
                series.setdefault(name, {})[(y, m)] = number(text) * to_yi[cells["unit"]]
    for name in (
        "进出口总额",
        "#出口",
        "地方一般公共预算收入",
        "#税收收入",
        "市级重大项目完成投资",
        "新增城镇就业",
        "农村劳动力转移就业",
        "地区生产总值",
        "高新技术产业增加值",
    ):
        s = series[name]
        assert len(s) >= 20, name
        for (y, m), v in s.items():
            prev = [s[(y, k)] for k in range(1, m) if (y, k) in s]
            if prev:
                assert v >= prev[-1], (name, y, m)
    # budget in 万元 agrees with the neighbouring months in 亿元 (unit conversion exercised)
    units = {city_table(p)[3]["地方一般公共预算收入"]["unit"] for p in city_tables()}
    assert units == {"亿元", "万元"}
    # long-format quarterly flows
    flows: dict[str, dict[tuple[int, int], float]] = {}
    for p in sorted(SAMPLE.glob("*/long_flows_*.csv")):
        y, q = map(int, re.search(r"(\d{4})Q(\d)", p.name).groups())
        for r in read_long(p):
            flows.setdefault(r["indicator"], {})[(y, q)] = float(r["value"])
    for code, s in flows.items():
        for (y, q), v in s.items():
            if (y, q - 1) in s:
                assert v >= s[(y, q - 1)], (code, y, q)


def test_rates_are_within_bounds():
    for p in SAMPLE.glob("20*/*.html"):
        text = decode(p.read_bytes())
        for v in re.findall(r"(?:率|优良率\(%\))为?([\d.]+)%", text):
            assert 0 <= float(v) <= 100, p
    for p in SAMPLE.glob("20*/long_*"):
        for r in read_long(p):
            if r["unit"] == "%" and r["measure"] == "value":
                assert 0 <= float(r["value"]) <= 100, p


def test_revisions_are_present():
    rev = read_long(next(SAMPLE.glob("*/long_revision_gdp_2021_*.csv")))
    assert rev[0]["indicator"] == "gdp" and rev[0]["period"] == "2021"
    assert rev[0]["value"] != "3420.3" and rev[0]["provenance"] == "illustrative"
    assert date.fromisoformat(rev[0]["release_date"]) > date(2022, 3, 28)
    corr = {
        (r["period"], r["measure"]): r["value"]
        for r in read_long(next(SAMPLE.glob("*/long_correction_trade_2023-05.csv")))
    }
    original = city_table(next(SAMPLE.glob("*/zhuzhou_tjyb_2023-05.*")))[3]["进出口总额"]
    assert number(original["month_level"]) != float(corr[("2023-05", "value")])
    assert number(original["ytd_level"]) != float(corr[("2023-01~05", "value")])
    june = city_table(next(SAMPLE.glob("*/zhuzhou_tjyb_2023-06.*")))[3]["进出口总额"]
    may_ytd = number(june["ytd_level"]) - number(june["month_level"])
    assert abs(may_ytd - float(corr[("2023-01~05", "value")])) < 0.15  # June builds on the corrected May


def test_bad_files_are_really_bad():
    bad = {p.name: p for p in (SAMPLE / "bad").iterdir()}
    assert len(bad) >= 4
    ratio = air_sentences(bad["air_2022-07_impossible_ratio.html"])["ratio"]
    assert ratio > 100
    with (ROOT / "seeds" / "indicators.csv").open(encoding="utf-8") as f:
        units = {r["indicator_code"]: r["unit"] for r in csv.DictReader(f)}
    row = read_long(bad["long_unit_contradiction.csv"])[0]
    assert units[row["indicator"]] == "亿元" and row["unit"] == "家"
    rows = read_long(bad["long_duplicate_key.csv"])
    keys = [(r["indicator"], r["region"], r["subject"], r["period"], r["measure"]) for r in rows]
    assert len(set(keys)) < len(keys) and len({r["value"] for r in rows}) > 1
    row = read_long(bad["long_future_period.csv"])[0]
    y, m = map(int, row["period"].split("-"))
    assert date(y, m, 1) > date.fromisoformat(row["release_date"])


def test_designed_outcomes():
    # GDP: near but not obviously above 5000 in 2026 (Q1-Q3 cumulative of about 72% of the year)
    gdp = {r[0]: r for r in read_rows(next(SAMPLE.glob("*/hunan_gdp_cities_2026Q3.xlsx")))}
    assert 3400 < float(gdp["株洲市"][1]) < 3700 and gdp["株洲市"][2] == "5"
    assert float(gdp["长沙市"][1]) > 3 * float(gdp["株洲市"][1])
    # coverage: 炎陵县 never gets a listed company; another county reaches tax coverage over time
    first = read_long(next(SAMPLE.glob("*/long_county_coverage_2021-12.xlsx")))
    last = read_long(next(SAMPLE.glob("*/long_county_coverage_2026-06.xlsx")))
    get = {(r["indicator"], r["region"]): int(r["value"]) for r in last}
    get0 = {(r["indicator"], r["region"]): int(r["value"]) for r in first}
    assert get[("上市企业数", "炎陵县")] == 0
    assert get0[("亿元税收企业数", "茶陵县")] == 0 and get[("亿元税收企业数", "茶陵县")] >= 1
    assert all(v >= 1 for (ind, _), v in get.items() if ind == "亿元税收企业数")
    # 渌江 reaches class II only in some months
    classes = []
    for p in SAMPLE.glob("20*/water_*.html"):
        text = decode(p.read_bytes())
        classes += re.findall(r"<td>渌江断面1（示意）</td><td>[^<]*</td><td>([^<]+)</td>", text)
    assert 0 < sum(c.startswith(("Ⅱ", "II")) and not c.startswith("III") for c in classes) < len(classes)
