#!/usr/bin/env python3
"""Generate the bundled sample release set in ``data/sample/`` (deterministic).

Usage::

    python scripts/generate_sample_data.py            # writes data/sample/
    python scripts/generate_sample_data.py --out DIR  # writes elsewhere (tests use this)

Everything written is illustrative (generated) except the ``published_*.csv`` files: the rows of the
customer's ledger of real figures, ``data/published_facts.csv``, that its adapter loads, as written, each
in the folder of the release date the adapter gives it (docs/release_formats.md §8).
The file layouts follow ``docs/release_formats.md``. Fixed seeds and fixed XLSX/zip timestamps make
two runs byte-identical. The standard library, openpyxl and the ingestion package (the ledger's
adapter) are used.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import random
import re
import shutil
import zipfile
from calendar import monthrange
from datetime import date
from functools import cache
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment

from dagster_project.ingest.long_format import COLUMNS as LONG_FORMAT_COLUMNS
from dagster_project.ingest.models import ParseResult

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OUT = ROOT / "data" / "sample"
FACTS_CSV = ROOT / "data" / "published_facts.csv"
SECTIONS_CSV = ROOT / "seeds" / "monitoring_sections.csv"

FIRST_YEAR, LAST_YEAR = 2021, 2026
LAST_MONTH = (2026, 10)  # monthly data through 2026-10 (released 2026-11-20, before 2026-11-25)
LAST_QUARTER = (2026, 3)  # quarterly through 2026-Q3
LAST_FULL_YEAR = 2025

MARK_TEXT = "数据性质：示意数据（illustrative）"
MARK_NOTE = "示意数据"
FIXED_ZIP_TIME = (2020, 1, 1, 0, 0, 0)
FIXED_XLSX_TIME = "2020-01-01T00:00:00Z"

CITY = "430200"
CITY_NAME = "株洲市"
COUNTIES = [
    ("430202", "荷塘区"),
    ("430203", "芦淞区"),
    ("430204", "石峰区"),
    ("430211", "天元区"),
    ("430212", "渌口区"),
    ("430223", "攸县"),
    ("430224", "茶陵县"),
    ("430225", "炎陵县"),
    ("430281", "醴陵市"),
]
COUNTY_NAME = dict(COUNTIES)
# Peer cities of the province (illustrative 2021 GDP level 亿元, real-growth offset in points,
# budget revenue as % of GDP in 2021 and its yearly change in points). Changsha >> others.
PEERS = {
    "430100": ("长沙市", 13270.7, 0.3, 8.70, -0.10),
    "430200": (CITY_NAME, 3420.3, 0.0, None, None),
    "430300": ("湘潭市", 2548.1, -0.2, 5.60, -0.05),
    "430400": ("衡阳市", 3840.3, 0.1, 4.50, 0.00),
    "430500": ("邵阳市", 2461.4, 0.2, 4.90, -0.05),
    "430600": ("岳阳市", 4402.9, 0.2, 4.00, 0.00),
    "430700": ("常德市", 4054.1, 0.1, 3.70, 0.00),
    "430800": ("张家界市", 580.0, -0.8, 6.20, -0.15),
    "430900": ("益阳市", 1950.0, 0.0, 4.40, 0.00),
    "431000": ("郴州市", 2770.1, 0.3, 5.10, -0.05),
    "431100": ("永州市", 2261.1, 0.1, 4.40, 0.00),
    "431200": ("怀化市", 1817.8, -0.1, 6.60, -0.15),
    "431300": ("娄底市", 1826.0, -0.3, 4.90, 0.00),
    "433100": ("湘西土家族苗族自治州", 725.0, -0.5, 7.60, -0.05),
}
LONG_HEADER = list(LONG_FORMAT_COLUMNS)  # the long format's header: its one home is the adapter
Q_WORD = {1: "一季度", 2: "上半年", 3: "前三季度"}


# ----------------------------------------------------------------------------------------------
# small helpers
# ----------------------------------------------------------------------------------------------
def months() -> list[tuple[int, int]]:
    out = []
    for y in range(FIRST_YEAR, LAST_YEAR + 1):
        for m in range(1, 13):
            if (y, m) <= LAST_MONTH:
                out.append((y, m))
    return out


def quarters() -> list[tuple[int, int]]:
    return [(y, q) for y in range(FIRST_YEAR, LAST_YEAR + 1) for q in range(1, 5) if (y, q) <= LAST_QUARTER]


def next_month(y: int, m: int) -> tuple[int, int]:
    return (y + 1, 1) if m == 12 else (y, m + 1)


def rel_date(y: int, m: int, day: int) -> date:
    """Release date: `day` of the month after data month (y, m)."""
    ny, nm = next_month(y, m)
    return date(ny, nm, day)


def folder(d: date) -> str:
    return f"{d.year:04d}-{d.month:02d}"


def r1(x: float) -> float:
    return round(x + 0.0, 1)


def fmt1(x: float) -> str:
    return f"{r1(x):.1f}"


def spaced(n: int) -> str:
    """Integer with spaces as thousands separators: 1019278 -> '1 019 278'."""
    return f"{n:,}".replace(",", " ")


def ytd_label(m: int) -> str:
    return f"1-{m}月"


def period_ytd(y: int, m: int) -> str:
    return str(y) if m == 12 else f"{y}-01~{m:02d}"


def rng(name: str) -> random.Random:
    return random.Random(f"zhuzhou-sample:{name}")


# ----------------------------------------------------------------------------------------------
# series construction
# ----------------------------------------------------------------------------------------------
def solve_year(prev: list[float], anchors: dict[int, float], noise: list[float]) -> list[float]:
    """Monthly (or quarterly) levels for one year given last year's levels and cumulative growth
    anchors {period_index (1-based): ytd growth %}. Between anchors growth is constant + noise;
    the anchors are hit exactly."""
    n = len(prev)
    out: list[float] = []
    last = 0
    for a in sorted(anchors):
        need = (1 + anchors[a] / 100) * sum(prev[:a]) - sum(out)
        seg = range(last, a)
        base = sum(prev[i] * (1 + noise[i]) for i in seg)
        c = (need - base) / sum(prev[i] for i in seg)
        out.extend(prev[i] * (1 + c + noise[i]) for i in seg)
        last = a
    assert len(out) == n
    return out


def build_flow(
    name: str, base_total: float, season: list[float], anchors: dict[int, dict[int, float]], sd: float
) -> dict[tuple[int, int], float]:
    """Monthly levels 2020..2026 (2020 is the internal base year)."""
    r = rng(name)
    s = sum(season)
    levels = {(2020, m + 1): base_total * season[m] / s for m in range(12)}
    for y in range(FIRST_YEAR, LAST_YEAR + 1):
        prev = [levels[(y - 1, m)] for m in range(1, 13)]
        noise = [r.gauss(0, sd) for _ in range(12)]
        cur = solve_year(prev, anchors[y], noise)
        for m in range(12):
            levels[(y, m + 1)] = cur[m]
    return levels


def ytd(levels: dict, y: int, m: int) -> float:
    return sum(levels[(y, k)] for k in range(1, m + 1))


def yoy(cur: float, prev: float) -> float:
    return (cur / prev - 1) * 100


def growth_to_anchors(totals: dict[int, float], base: float) -> dict[int, dict[int, float]]:
    out, prev = {}, base
    for y in range(FIRST_YEAR, LAST_YEAR + 1):
        out[y] = {12: yoy(totals[y], prev)}
        prev = totals[y]
    return out


SEASON_IVA = [7.0, 5.5, 8.5, 8.0, 8.3, 9.0, 8.0, 8.2, 8.8, 8.5, 9.0, 10.2]
SEASON_IVA_2020 = [5.6, 3.9, 7.6, 8.0, 8.3, 9.0, 8.0, 8.2, 8.8, 8.5, 9.0, 10.2]  # COVID dip
SEASON_BUDGET = [12, 7, 9, 10, 8, 9, 8, 6, 7, 8, 7, 9]
SEASON_TRADE = [8.0, 5.5, 8.0, 8.5, 8.5, 9.0, 8.5, 8.5, 9.0, 8.0, 9.0, 9.5]
SEASON_PROJECT = [4, 4, 8, 8, 9, 10, 8, 8, 10, 9, 10, 12]
SEASON_JOBS = [6, 5, 10, 9, 9, 10, 8, 8, 9, 9, 8, 9]

IVA_ANCHORS = {  # ytd real growth %, Zhuzhou; 2021 Q1, 2021 year and 2022 Q1 are published figures
    2021: {3: 27.6, 6: 19.5, 9: 14.6, 12: 11.7},
    2022: {3: 11.8, 6: 10.5, 9: 9.9, 12: 9.5},
    2023: {3: 7.8, 6: 8.2, 9: 8.5, 12: 8.6},
    2024: {3: 8.9, 6: 8.6, 9: 8.3, 12: 8.4},
    2025: {3: 8.5, 6: 8.7, 9: 8.8, 12: 8.8},  # 2021-2025 average 9.4% (published)
    2026: {3: 8.2, 6: 8.0, 9: 7.9, 12: 8.0},
}
FAI_ANCHORS = {
    2021: {3: 25.6, 6: 12.3, 12: 8.5},
    2022: {3: 9.1, 12: 7.6},
    2023: {3: 6.2, 12: 5.1},
    2024: {3: 4.8, 12: 4.2},
    2025: {3: 3.1, 12: 3.5},
    2026: {3: 3.6, 12: 4.0},
}
BUDGET_TOTAL = {2021: 214.6, 2022: 228.5, 2023: 249.0, 2024: 272.0, 2025: 297.5, 2026: 325.0}
TAX_SHARE = {2020: 0.731, 2021: 0.724, 2022: 0.700, 2023: 0.705, 2024: 0.696, 2025: 0.688, 2026: 0.681}
TRADE_TOTAL = {2021: 226.8, 2022: 265.4, 2023: 307.9, 2024: 352.0, 2025: 404.5, 2026: 468.0}
EXPORT_SHARE = {2020: 0.66, 2021: 0.67, 2022: 0.68, 2023: 0.69, 2024: 0.69, 2025: 0.70, 2026: 0.70}
PROJECT_TOTAL = {2021: 1035.0, 2022: 1086.0, 2023: 1120.0, 2024: 1010.0, 2025: 985.0, 2026: 1080.0}
PROJECT_PLAN = {2021: 1000.0, 2022: 1050.0, 2023: 1100.0, 2024: 1050.0, 2025: 1000.0, 2026: 1000.0}
JOBS_TOTAL = {2021: 5.41, 2022: 5.63, 2023: 5.48, 2024: 5.35, 2025: 5.41, 2026: 5.30}  # 万人
LABOUR_TOTAL = {2021: 1.22, 2022: 1.31, 2023: 1.25, 2024: 1.19, 2025: 1.21, 2026: 1.20}  # 万人
TRADE_CORRECTION = ((2023, 5), 2.7)  # the 2023-05 file overstated May trade by 2.7 亿元

# GDP (Zhuzhou): year totals (nominal 亿元), cumulative quarterly shares and ytd real growth %.
GDP_YEAR = {2021: 3420.3, 2022: 3695.0, 2023: 4015.2, 2024: 4330.6, 2025: 4662.3, 2026: 4987.0}
GDP_SHARE = {2021: [754.2 / 3420.3, 1612.5 / 3420.3, 2468.0 / 3420.3, 1.0]}
GDP_SHARE.update({y: [0.221, 0.474, 0.722, 1.0] for y in range(2022, 2027)})
GDP_GROWTH = {
    2021: [18.9, 13.1, 10.2, 8.3],
    2022: [6.2, 4.6, 4.9, 5.1],
    2023: [5.5, 5.7, 5.8, 5.8],
    2024: [6.0, 5.8, 5.9, 5.9],
    2025: [6.1, 6.0, 6.0, 6.0],
    2026: [6.2, 6.1, 6.1, 6.1],
}
GDP_2021_REVISED = 3446.8  # illustrative 最终核算 of the published 初步核算 3420.3
PEER_REAL_GROWTH = {2021: 7.9, 2022: 4.6, 2023: 4.9, 2024: 5.0, 2025: 5.2, 2026: 5.3}

HIGHTECH = {  # ytd level 亿元 and real growth % per quarter; 2021 Q3/Y and 2022 Y are published
    2021: [(205.3, 39.5), (423.8, 30.6), (642.6, 24.7), (1016.11, 22.1)],
    2022: [(228.6, 15.2), (472.1, 14.1), (729.5, 13.8), (1043.3, 13.5)],
}
HIGHTECH_YEAR = {2023: 1148.6, 2024: 1263.0, 2025: 1385.5, 2026: 1516.0}
HIGHTECH_SHARE = [0.22, 0.455, 0.70, 1.0]
PARK_YEAR = {2020: 3908.3, 2021: 4312.0, 2022: 4585.0, 2023: 4870.0, 2024: 5120.0, 2025: 5390.0, 2026: 5650.0}
PARK_SHARE = [0.22, 0.48, 0.73, 1.0]

# 2022 民生实事 (quarterly year-to-date; None = not reported)
LIVELIHOOD_2022 = [
    # name, unit, kind, [Q1, H1, Q1-3, year]   kind: flow (ytd) or stock (point in time)
    ("新增公办义务教育学位", "万个", "flow", [None, 0.12, 1.21, 1.38]),
    ("资助家庭困难学生", "万人", "flow", [1.8, 3.1, 5.2, 6.4]),
    ("两病门诊用药保障人数", "万人", "stock", [17.2, 18.6, 19.4, 20.3]),
    ("市民免费艺术培训", "万人次", "flow", [0.6, 1.7, 2.6, 3.4]),
    ("住房租赁补贴发放户数", "户", "flow", [800, 1650, 2480, 3260]),
    ("老年人居家适老化改造", "户", "flow", [120, 380, 690, 1024]),
    ("改造城镇老旧小区", "个", "flow", [5, 22, 51, 83]),
    ("建设幸福屋场", "个", "flow", [12, 41, 72, 104]),
    ("新建四好农村公路", "公里", "flow", [35.0, 118.0, 226.0, 296.0]),
]


class Series:
    """All generated (illustrative) series, built once."""

    def __init__(self) -> None:
        self.iva = build_flow("iva", 1000.0, SEASON_IVA_2020, IVA_ANCHORS, 0.012)
        self.fai = build_flow("fai", 1000.0, SEASON_IVA_2020, FAI_ANCHORS, 0.015)
        self.budget = build_flow("budget", 199.8, SEASON_BUDGET, growth_to_anchors(BUDGET_TOTAL, 199.8), 0.03)
        r = rng("tax")
        self.tax = {k: v * TAX_SHARE[k[0]] * (1 + r.gauss(0, 0.01)) for k, v in self.budget.items()}
        self.trade = build_flow("trade", 196.0, SEASON_TRADE, growth_to_anchors(TRADE_TOTAL, 196.0), 0.04)
        r = rng("exports")
        self.exports = {k: v * EXPORT_SHARE[k[0]] * (1 + r.gauss(0, 0.015)) for k, v in self.trade.items()}
        self.project = build_flow("project", 980.0, SEASON_PROJECT, growth_to_anchors(PROJECT_TOTAL, 980.0), 0.03)
        self.jobs = build_flow("jobs", 5.30, SEASON_JOBS, growth_to_anchors(JOBS_TOTAL, 5.30), 0.03)
        self.labour = build_flow("labour", 1.18, SEASON_JOBS, growth_to_anchors(LABOUR_TOTAL, 1.18), 0.03)
        self.peer_iva = {}
        for code, (_, _, off, _, _) in PEERS.items():
            if code == CITY:
                self.peer_iva[code] = self.iva
                continue
            r = rng(f"iva-{code}")
            anchors = {y: {k: v + off * 4 + r.gauss(0, 1.2) for k, v in a.items()} for y, a in IVA_ANCHORS.items()}
            self.peer_iva[code] = build_flow(f"iva-{code}", 1000.0, SEASON_IVA_2020, anchors, 0.012)
        self.gdp = self._gdp()
        self.hightech = self._hightech()
        self.park = {(y, q): PARK_YEAR[y] * PARK_SHARE[q - 1] for y in PARK_YEAR for q in range(1, 5)}
        self.budget_peers = self._budget_peers()

    def _gdp(self) -> dict[str, dict[tuple[int, int], tuple[float, float]]]:
        """{region: {(year, q): (ytd level, ytd real growth)}}."""
        out: dict[str, dict] = {}
        zz = {}
        for y in range(FIRST_YEAR, LAST_YEAR + 1):
            for q in range(1, 5):
                zz[(y, q)] = (GDP_YEAR[y] * GDP_SHARE[y][q - 1], GDP_GROWTH[y][q - 1])
        out[CITY] = zz
        for code, (_, lvl2021, off, _, _) in PEERS.items():
            if code == CITY:
                continue
            r = rng(f"gdp-{code}")
            shares = [
                0.221 + r.uniform(-0.006, 0.006),
                0.474 + r.uniform(-0.006, 0.006),
                0.722 + r.uniform(-0.006, 0.006),
                1.0,
            ]
            d, level = {}, lvl2021
            for y in range(FIRST_YEAR, LAST_YEAR + 1):
                g_year = PEER_REAL_GROWTH[y] + off + r.gauss(0, 0.3)
                if y > FIRST_YEAR:
                    level = level * (1 + (g_year + 2.0) / 100)
                for q in range(1, 5):
                    g = g_year + (4 - q) * r.uniform(-0.15, 0.25) + (8.0 if y == 2021 and q == 1 else 0)
                    d[(y, q)] = (level * shares[q - 1], g)
            out[code] = d
        return out

    def _hightech(self) -> dict[tuple[int, int], tuple[float, float]]:
        d = {}
        for y, rows in HIGHTECH.items():
            for q, (lv, g) in enumerate(rows, 1):
                d[(y, q)] = (lv, g)
        for y, total in HIGHTECH_YEAR.items():
            for q in range(1, 5):
                lv = total * HIGHTECH_SHARE[q - 1]
                d[(y, q)] = (lv, yoy(lv, d[(y - 1, q)][0]))
        return d

    def _budget_peers(self) -> dict[str, dict[tuple[int, int], float]]:
        out = {
            CITY: {(y, q): ytd(self.budget, y, 3 * q) for y in range(FIRST_YEAR, LAST_YEAR + 1) for q in range(1, 5)}
        }
        for code, (_, _, _, share, delta) in PEERS.items():
            if code == CITY:
                continue
            r = rng(f"budget-{code}")
            d = {}
            for y in range(2020, LAST_YEAR + 1):
                s = (share + delta * (y - 2021)) / 100
                for q in range(1, 5):
                    if y == 2020:
                        gdp_ytd = self.gdp[code][(2021, q)][0] / 1.09
                        zz_ratio = ytd(self.budget, 2020, 3 * q) / (3105.8 * GDP_SHARE[2022][q - 1])
                    else:
                        gdp_ytd = self.gdp[code][(y, q)][0]
                        zz_ratio = ytd(self.budget, y, 3 * q) / self.gdp[CITY][(y, q)][0]
                    zz_share = BUDGET_TOTAL.get(y, 199.8) / GDP_YEAR.get(y, 3105.8)
                    d[(y, q)] = s * gdp_ytd * zz_ratio / zz_share * (1 + r.gauss(0, 0.006))
            out[code] = d
        return out


# ----------------------------------------------------------------------------------------------
# published facts (real figures): the customer's ledger, read by its adapter (docs/release_formats.md §8)
# ----------------------------------------------------------------------------------------------
# The day the sample's copy of the ledger lands, the sample's "today" (the last release is 2026-11-20): a
# ledger row whose source gives no date (the 2021 统计公报 reposted without one) is dated by it, as
# `pmw ingest` dates such a row by the day the ledger landed.
LEDGER_LANDED = date(2026, 11, 25)
XJ = [f"WS-XJ-{i:02d}" for i in range(1, 8)]  # the seven 湘江 sections


@cache
def ledger() -> tuple[list[list[str]], ParseResult]:
    """The ledger's rows (header first, as written: the raw cells, not the cleaned ones the readers use) and
    what its adapter reads from them: the one reading of which figures are published actuals, of which key and
    released when."""
    from dagster_project.ingest.catalog import load_catalog
    from dagster_project.ingest.detect import parse_document
    from dagster_project.ingest.document import load_documents

    path = FACTS_CSV
    (doc,) = load_documents(path.read_bytes(), path.name)
    result = parse_document(doc, load_catalog(ROOT / "seeds"), default_release_date=LEDGER_LANDED)
    if result.adapter != "facts_ledger" or result.errors:
        raise ValueError(f"{path}: not read as a ledger of published figures: {result.errors[:3]}")
    return doc.raw_rows, result  # as written: a citation keeps the source's 萬 and full-width signs


@cache
def published_keys() -> frozenset[tuple[str, str, str, str, str]]:
    """(indicator, region, subject, period, measure) of every figure the ledger publishes."""
    return frozenset(o.key() for o in ledger()[1].observations)


def is_pub(code: str, period: str, measure: str, subject: str = "") -> bool:
    """Whether the ledger publishes the city's figure of this key (an illustrative table leaves it empty)."""
    return (code, CITY, subject, period, measure) in published_keys()


# ----------------------------------------------------------------------------------------------
# writers
# ----------------------------------------------------------------------------------------------
class Writer:
    def __init__(self, out: Path) -> None:
        self.out = out
        self.count = 0

    def path(self, rel: str) -> Path:
        p = self.out / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        self.count += 1
        return p

    def csv(self, rel: str, rows: list[list], encoding: str = "utf-8") -> None:
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\r\n")
        for row in rows:
            w.writerow(["" if c is None else c for c in row])
        self.path(rel).write_bytes(buf.getvalue().encode(encoding))

    def text(self, rel: str, text: str, encoding: str = "utf-8") -> None:
        self.path(rel).write_bytes(text.encode(encoding))

    def xlsx(self, rel: str, wb: Workbook) -> None:
        wb.properties.creator = "株洲市统计局（示意）"
        buf = io.BytesIO()
        wb.save(buf)
        src = zipfile.ZipFile(io.BytesIO(buf.getvalue()))
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
            for info in src.infolist():
                data = src.read(info.filename)
                if info.filename == "docProps/core.xml":
                    data = re.sub(
                        rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(<)",
                        rb"\g<1>" + FIXED_XLSX_TIME.encode() + rb"\g<2>",
                        data,
                    )
                zi = zipfile.ZipInfo(info.filename, date_time=FIXED_ZIP_TIME)
                zi.compress_type = zipfile.ZIP_DEFLATED
                zi.external_attr = 0o600 << 16
                dst.writestr(zi, data)
        self.path(rel).write_bytes(out.getvalue())


def long_rows_to_xlsx(rows: list[list]) -> Workbook:
    wb = Workbook()
    ws = wb.active
    ws.title = "data"
    for row in rows:
        ws.append(["" if c is None else c for c in row])
    return wb


def table_xlsx(
    title: str,
    release: str,
    header_rows: list[list],
    merges: list[str],
    body: list[list],
    notes: list[str],
    ncols: int,
) -> Workbook:
    wb = Workbook()
    ws = wb.active
    ws.title = "Sheet1"
    ws.append([title])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=ncols)
    ws.append([f"发布日期：{release}"])
    for hr in header_rows:
        ws.append(hr)
    for rng_ in merges:
        ws.merge_cells(rng_)
    for row in body:
        ws.append(row)
    for n in notes:
        ws.append([n])
    ws["A1"].alignment = Alignment(horizontal="center")
    ws.column_dimensions["A"].width = 24
    return wb


# ----------------------------------------------------------------------------------------------
# format 2: city 统计月报
# ----------------------------------------------------------------------------------------------
def city_monthly(w: Writer, s: Series) -> None:
    for y, m in months():
        rel = rel_date(y, m, 20)
        is_q = m % 3 == 0
        q = m // 3
        ytdp = period_ytd(y, m)
        wan = m in (2, 5, 8, 11)  # budget and tax in 万元 in these months
        xlsx = m % 2 == 0
        jan = m == 1
        rows: list[list] = []  # [name, unit, month_level, month_yoy, ytd_level, ytd_yoy]

        def num(x, unit_wan=False, xlsx=xlsx):
            if x is None:
                return None
            if unit_wan:
                n = round(x * 10000)
                return spaced(n)  # text with spaces as thousands separators (both CSV and XLSX)
            return r1(x) if xlsx else fmt1(x)

        def dec(x, nd, xlsx=xlsx):
            return round(x, nd) if xlsx else f"{x:.{nd}f}"

        def pct(x, xlsx=xlsx):
            if x is None:
                return None
            return r1(x) if xlsx else fmt1(x)

        def blank_if_pub(code, measure, v, ytdp=ytdp):
            return None if is_pub(code, ytdp, measure) else v

        if is_q:
            lv, g = s.gdp[CITY][(y, q)]
            rows.append(
                [
                    "地区生产总值",
                    "亿元",
                    None,
                    None,
                    num(blank_if_pub("gdp", "value", lv)),
                    pct(blank_if_pub("gdp", "yoy_pct", g)),
                ]
            )
        # industrial value added: growth only
        mg = yoy(s.iva[(y, m)], s.iva[(y - 1, m)])
        yg = IVA_ANCHORS[y][m] if m in IVA_ANCHORS[y] else yoy(ytd(s.iva, y, m), ytd(s.iva, y - 1, m))
        rows.append(
            [
                "规模工业增加值",
                "亿元",
                None,
                pct(mg),
                None,
                pct(blank_if_pub("industrial_value_added", "yoy_pct", yg)),
            ]
        )
        if is_q:
            lv, g = s.hightech[(y, q)]
            rows.append(
                [
                    "高新技术产业增加值",
                    "亿元",
                    None,
                    None,
                    num(blank_if_pub("hightech_value_added", "value", lv)),
                    pct(blank_if_pub("hightech_value_added", "yoy_pct", g)),
                ]
            )
        fg = FAI_ANCHORS[y][m] if m in FAI_ANCHORS[y] else yoy(ytd(s.fai, y, m), ytd(s.fai, y - 1, m))
        rows.append(["固定资产投资", "亿元", None, None, None, pct(fg)])
        rows.append(
            [
                "市级重大项目完成投资",
                "亿元",
                num(s.project[(y, m)]),
                None,
                num(ytd(s.project, y, m)),
                pct(yoy(ytd(s.project, y, m), ytd(s.project, y - 1, m))),
            ]
        )
        unit = "万元" if wan else "亿元"
        for name, ser in (("地方一般公共预算收入", s.budget), ("#税收收入", s.tax)):
            rows.append(
                [
                    name,
                    unit,
                    num(ser[(y, m)], wan),
                    pct(yoy(ser[(y, m)], ser[(y - 1, m)])),
                    num(ytd(ser, y, m), wan),
                    pct(yoy(ytd(ser, y, m), ytd(ser, y - 1, m))),
                ]
            )
        for name, ser in (("进出口总额", s.trade), ("#出口", s.exports)):
            mv, yv = ser[(y, m)], ytd(ser, y, m)
            if name == "进出口总额" and (y, m) == TRADE_CORRECTION[0]:
                mv, yv = mv + TRADE_CORRECTION[1], yv + TRADE_CORRECTION[1]  # error corrected later
            rows.append(
                [
                    name,
                    "亿元",
                    num(mv),
                    pct(yoy(mv, ser[(y - 1, m)])),
                    num(yv),
                    pct(yoy(yv, ytd(ser, y - 1, m))),
                ]
            )
        if is_q:
            lv = s.park[(y, q)]
            rows.append(["园区技工贸总收入", "亿元", None, None, num(lv), pct(yoy(lv, s.park[(y - 1, q)]))])
        # livelihood: monthly jobs (unit 人 in 2023 to exercise conversion), 2022 quarterly items
        for name, ser in (("新增城镇就业", s.jobs), ("农村劳动力转移就业", s.labour)):
            if y == 2023 and name == "新增城镇就业":
                rows.append([name, "人", dec(ser[(y, m)] * 10000, 0), None, dec(ytd(ser, y, m) * 10000, 0), None])
            else:
                rows.append([name, "万人", dec(ser[(y, m)], 2), None, dec(ytd(ser, y, m), 2), None])
        if y == 2022 and is_q:
            for name, unit_, kind, vals in LIVELIHOOD_2022:
                v = vals[q - 1]
                if v is None:
                    continue
                txt = dec(v, 2 if unit_.startswith("万") else (1 if unit_ == "公里" else 0))
                rows.append(
                    [name, unit_, txt, None, None, None] if kind == "stock" else [name, unit_, None, None, txt, None]
                )
        rows = [r for r in rows if any(v is not None for v in r[2:])]
        if jan:  # January: only the 本月 group (1-1月 would duplicate it); ytd-only items go there
            rows = [[r[0], r[1], r[2] if r[2] is not None else r[4], r[3] if r[3] is not None else r[5]] for r in rows]
            rows = [r for r in rows if r[2] is not None or r[3] is not None]
        title = f"株洲市统计月报（{y}年{m}月）"
        notes = [
            "注：1.规模工业增加值、地区生产总值、高新技术产业增加值增速按可比价计算。",
            "2.空白表示未公布。",
            "数据来源：株洲市统计局",
            MARK_TEXT,
        ]
        if jan:
            hdr = [["指标", "单位", "本月", None], [None, None, "绝对数", "同比增长(%)"]]
            merges = ["A3:A4", "B3:B4", "C3:D3"]
        else:
            hdr = [
                ["指标", "单位", "本月", None, ytd_label(m), None],
                [None, None, "绝对数", "同比增长(%)", "绝对数", "同比增长(%)"],
            ]
            merges = ["A3:A4", "B3:B4", "C3:D3", "E3:F3"]
        ncols = len(hdr[0])
        name = f"{folder(rel)}/zhuzhou_tjyb_{y}-{m:02d}"
        if xlsx:
            w.xlsx(name + ".xlsx", table_xlsx(title, rel.isoformat(), hdr, merges, rows, notes, ncols))
        else:
            out = [[title] + [None] * (ncols - 1), [f"发布日期：{rel.isoformat()}"] + [None] * (ncols - 1)]
            out += hdr + rows + [[n] + [None] * (ncols - 1) for n in notes]
            w.csv(name + ".csv", out, encoding="gb18030")


# ----------------------------------------------------------------------------------------------
# format 3: province 市州表
# ----------------------------------------------------------------------------------------------
def ranks(values: dict[str, float]) -> dict[str, int]:
    order = sorted(values, key=lambda c: (-values[c], c))
    return {c: i + 1 for i, c in enumerate(order)}


def province_tables(w: Writer, s: Series) -> None:
    notes = ["数据来源：湖南省统计局", MARK_TEXT]
    for y, m in months():
        rel = rel_date(y, m, 22)
        month_g = {c: yoy(ser[(y, m)], ser[(y - 1, m)]) for c, ser in s.peer_iva.items()}
        ytd_g = {c: yoy(ytd(ser, y, m), ytd(ser, y - 1, m)) for c, ser in s.peer_iva.items()}
        if m in IVA_ANCHORS[y]:
            ytd_g[CITY] = IVA_ANCHORS[y][m]
        ytdp = period_ytd(y, m)
        if m == 1:
            title = f"{y}年1月各市州规模工业增加值增速"
            header = ["市州", "比上年同月增长(%)", "位次"]
            rk = ranks({c: r1(v) for c, v in month_g.items()})
            body = [[PEERS[c][0], r1(month_g[c]), rk[c]] for c in PEERS]
        else:
            title = f"{y}年1-{m}月各市州规模工业增加值增速"
            header = ["市州", "比上年同月增长(%)", "比上年同期增长(%)", "位次"]
            rk = ranks({c: r1(v) for c, v in ytd_g.items()})
            body = []
            for c in PEERS:
                yv = None if (c == CITY and is_pub("industrial_value_added", ytdp, "yoy_pct")) else r1(ytd_g[c])
                body.append([PEERS[c][0], r1(month_g[c]), yv, rk[c]])
        name = f"{folder(rel)}/hunan_iva_cities_{y}-{m:02d}"
        if m % 2 == 1:
            w.xlsx(name + ".xlsx", table_xlsx(title, rel.isoformat(), [header], [], body, notes, len(header)))
        else:
            rows = [[title], [f"发布日期：{rel.isoformat()}"], header]
            rows += [[r[0]] + [fmt1(v) if isinstance(v, float) else v for v in r[1:]] for r in body]
            rows += [[n] for n in notes]
            w.csv(name + ".csv", rows, encoding="utf-8-sig")
    for y, q in quarters():
        rel = rel_date(y, 3 * q, 28)
        word = f"{y}年" if q == 4 else f"{y}年{Q_WORD[q]}"
        ytdp = period_ytd(y, 3 * q)
        # GDP: level, its rank (位次 right after the level column -> rank), growth
        lv = {c: s.gdp[c][(y, q)][0] for c in PEERS}
        rk = ranks({c: r1(v) for c, v in lv.items()})
        header = ["市州", "地区生产总值(亿元)", "位次", "比上年同期增长(%)"]
        body = []
        for c in PEERS:
            level, g = s.gdp[c][(y, q)]
            if c == CITY:
                level = None if is_pub("gdp", ytdp, "value") else r1(level)
                g = None if is_pub("gdp", ytdp, "yoy_pct") else r1(g)
            else:
                level, g = r1(level), r1(g)
            body.append([PEERS[c][0], level, rk[c], g])
        w.xlsx(
            f"{folder(rel)}/hunan_gdp_cities_{y}Q{q}.xlsx",
            table_xlsx(f"{word}各市州地区生产总值", rel.isoformat(), [header], [], body, notes, len(header)),
        )
        # budget revenue (ytd level, growth); GB18030 CSV
        header = ["市州", "地方一般公共预算收入(亿元)", "比上年同期增长(%)"]
        rows = [[f"{y}年1-{3 * q}月各市州地方一般公共预算收入"], [f"发布日期：{rel.isoformat()}"], header]
        for c in PEERS:
            cur, prev = s.budget_peers[c][(y, q)], s.budget_peers[c].get((y - 1, q))
            if prev is None:
                prev = ytd(s.budget, y - 1, 3 * q)
            rows.append([PEERS[c][0], fmt1(cur), fmt1(yoy(cur, prev))])
        rows += [[n] for n in notes]
        w.csv(f"{folder(rel)}/hunan_budget_cities_{y}Q{q}.csv", rows, encoding="gb18030")


# ----------------------------------------------------------------------------------------------
# format 4: air and water bulletins
# ----------------------------------------------------------------------------------------------
AIR_DAYS = {
    2020: [21, 24, 27, 28, 29, 30, 31, 31, 28, 27, 22, 19],  # sums to 317 (published)
    2021: [22, 21, 25, 27, 29, 29, 31, 31, 27, 26, 21, 21],  # 310 (published); Oct 26 -> 83.9, Dec 21 -> 67.7
    2022: [20, 19, 24, 26, 28, 29, 30, 29, 24, 22, 20, 18],  # 289 -> 79.2%, Oct 22 -> 71.0 (published)
}
AIR_TARGET_DAYS = {2023: 302, 2024: 311, 2025: 315, 2026: 318}
PM25_YEAR = {2020: 41, 2021: 40, 2022: 41, 2023: 38, 2024: 36, 2025: 34, 2026: 33}
PM25_SEASON = [1.55, 1.35, 1.1, 0.9, 0.75, 0.6, 0.55, 0.6, 0.75, 0.95, 1.25, 1.55]


def air_series() -> tuple[dict, dict]:
    days: dict[tuple[int, int], int] = {}
    for y, arr in AIR_DAYS.items():
        for m, d in enumerate(arr, 1):
            days[(y, m)] = d
    r = rng("air")
    base = AIR_DAYS[2021]
    for y, target in AIR_TARGET_DAYS.items():
        arr = [min(monthrange(y, m)[1], max(10, base[m - 1] + r.randint(-1, 2))) for m in range(1, 13)]
        i = 0
        while sum(arr) != target:  # adjust to the designed annual total
            m = i % 12
            step = 1 if sum(arr) < target else -1
            if 10 <= arr[m] + step <= monthrange(y, m + 1)[1]:
                arr[m] += step
            i += 1
        for m in range(1, 13):
            if (y, m) > LAST_MONTH:
                continue
            nd = monthrange(y, m)[1]
            d = arr[m - 1]
            # avoid an exact tie with last year's ratio (the bulletin says 上升 / 下降)
            if round(d / nd * 100, 1) == round(days[(y - 1, m)] / monthrange(y - 1, m)[1] * 100, 1):
                d = d + 1 if d < nd else d - 1
            days[(y, m)] = d
    pm: dict[tuple[int, int], int] = {}
    r = rng("pm25")
    for y in range(2020, LAST_YEAR + 1):
        for m in range(1, 13):
            pm[(y, m)] = max(8, round(PM25_YEAR[y] * PM25_SEASON[m - 1] * (1 + r.gauss(0, 0.05))))
    return days, pm


def pct_days(d: int, n: int) -> float:
    return round(d / n * 100 + 1e-9, 1)


def html_page(title: str, release: date, body: str, charset: str) -> str:
    return (
        f'<!DOCTYPE html>\n<html lang="zh-CN">\n<head>\n<meta charset="{charset}">\n'
        f'<meta name="provenance" content="illustrative">\n<title>{title}</title>\n</head>\n<body>\n'
        f'<h1>{title}</h1>\n<span class="release-date">发布时间：{release.isoformat()}</span>\n'
        f"{body}<p>{MARK_TEXT}</p>\n</body>\n</html>\n"
    )


def air_bulletins(w: Writer) -> None:
    days, pm = air_series()
    r = rng("air-split")
    rc = rng("air-counties")
    for y, m in months():
        rel = rel_date(y, m, 8)
        nd = monthrange(y, m)[1]
        good = days[(y, m)]
        excellent = max(0, min(good, round(good * (0.25 + 0.25 * (m in (6, 7, 8, 9))) + r.randint(-2, 2))))
        ratio = pct_days(good, nd)
        last = pct_days(days[(y - 1, m)], monthrange(y - 1, m)[1])
        diff = r1(ratio - last)
        word = "上升" if diff > 0 else "下降"
        area, term = ("城区", "达标率") if y == 2023 else ("市区", "优良率")
        text = (
            f"<p>{y}年{m}月，{area}环境空气质量监测{nd}天，其中优{excellent}天，良{good - excellent}天，"
            f"轻度污染{nd - good}天，{term}为{ratio:.1f}%，较上年同期{word}{abs(diff):.1f}个百分点；"
            f"PM2.5平均浓度为{pm[(y, m)]}微克/立方米。"
        )
        if m > 1:
            yd = sum(days[(y, k)] for k in range(1, m + 1))
            yn = sum(monthrange(y, k)[1] for k in range(1, m + 1))
            ypm = round(sum(pm[(y, k)] * monthrange(y, k)[1] for k in range(1, m + 1)) / yn)
            text += f"1-{m}月，{area}优良天数{yd}天，{term}为{pct_days(yd, yn):.1f}%，PM2.5平均浓度为{ypm}微克/立方米。"
        text += "</p>\n"
        rows = [
            "<table>",
            "<tr><th>县市区</th><th>优良天数</th><th>优良率(%)</th><th>PM2.5(微克/立方米)</th></tr>",
        ]
        for i, (_, cname) in enumerate(COUNTIES):
            bonus = 2 if i >= 5 else 0  # the rural counties have cleaner air
            cd = max(0, min(nd, good + bonus + rc.randint(-3, 2)))
            cpm = max(5, pm[(y, m)] - 3 * bonus + rc.randint(-5, 5))
            rows.append(f"<tr><td>{cname}</td><td>{cd}</td><td>{pct_days(cd, nd):.1f}</td><td>{cpm}</td></tr>")
        rows.append("</table>")
        body = text + "\n".join(rows) + "\n"
        charset = "gbk" if m % 2 == 0 else "utf-8"
        title = f"株洲市{y}年{m}月环境空气质量通报"
        w.text(
            f"{folder(rel)}/air_{y}-{m:02d}.html",
            html_page(title, rel, body, charset),
            encoding="gbk" if charset == "gbk" else "utf-8",
        )


def load_sections() -> list[tuple[str, str, str, str]]:
    """(code, name, river, county name). From seeds/monitoring_sections.csv when present."""
    fallback_county = ["渌口区", "渌口区", "天元区", "芦淞区", "荷塘区", "石峰区", "石峰区"]
    fb = [(f"WS-XJ-{i:02d}", f"湘江株洲段断面{i}（示意）", "湘江", fallback_county[i - 1]) for i in range(1, 8)]
    fb += [(f"WS-MS-{i:02d}", f"洣水断面{i}（示意）", "洣水", ["茶陵县", "攸县"][i - 1]) for i in (1, 2)]
    fb += [(f"WS-LJ-{i:02d}", f"渌江断面{i}（示意）", "渌江", "醴陵市") for i in (1, 2)]
    if not SECTIONS_CSV.exists():
        return fb
    with SECTIONS_CSV.open(encoding="utf-8-sig") as f:
        rows = list(csv.DictReader(f))
    codes = {r.get("section_code") or r.get("subject_code") or r.get("code"): r for r in rows}
    out = []
    for code, name, river, county in fb:
        row = codes.get(code)
        if row:
            name = row.get("section_name_zh") or row.get("name_zh") or name
            river = re.sub(r"（.*?）|\(.*?\)", "", row.get("river_name_zh") or river)
            rc = row.get("region_code") or ""
            county = COUNTY_NAME.get(rc, row.get("county") or county)
        out.append((code, name, river, county))
    return out


ROMAN = {1: "Ⅰ", 2: "Ⅱ", 3: "Ⅲ", 4: "Ⅳ", 5: "Ⅴ", 6: "劣Ⅴ"}
ASCII_ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV", 5: "V", 6: "劣V"}
LJ_GOOD_P = {2021: 0.15, 2022: 0.35, 2023: 0.45, 2024: 0.6, 2025: 0.7, 2026: 0.7}


def water_classes() -> dict[tuple[int, int, str], int]:
    r = rng("water")
    out = {}
    for y, m in months():
        for code, *_ in load_sections():
            if code.startswith("WS-LJ"):
                c = 2 if r.random() < LJ_GOOD_P[y] - (0.1 if code.endswith("02") else 0) else 3
            else:
                c = 1 if r.random() < 0.25 else 2
            if (y, m) == (2021, 1) and code in XJ:
                c = 2  # published: 7个断面均达到Ⅱ类水质
            if (y, m) == (2022, 7) and code == "WS-XJ-03":
                c = 3  # flood-season dip: 湘江 not all Ⅱ or better this month
            out[(y, m, code)] = c
    return out


def class_text(c: int, y: int, r: random.Random) -> str:
    if c == 1 and y >= 2024 and r.random() < 0.5:
        return "优于Ⅱ类"
    if y == 2023:
        return ASCII_ROMAN[c]
    if y == 2024:
        return ROMAN[c] + "类"
    return ROMAN[c]


def water_bulletins(w: Writer) -> None:
    classes = water_classes()
    sections = load_sections()
    r = rng("water-text")
    for y, m in months():
        rel = rel_date(y, m, 15)
        rows = [
            "<table>",
            "<tr><th>河流</th><th>断面</th><th>所在县市区</th><th>水质类别</th><th>达标情况</th></tr>",
        ]
        for code, name, river, county in sections:
            c = classes[(y, m, code)]
            goal = 3 if code.startswith("WS-LJ") else 2
            ok = "达标" if c <= goal else "不达标"
            rows.append(
                f"<tr><td>{river}</td><td>{name}</td><td>{county}</td><td>{class_text(c, y, r)}</td><td>{ok}</td></tr>"
            )
        rows.append("</table>")
        body = (
            f"<p>{y}年{m}月，全市地表水水质监测断面{len(sections)}个，监测结果如下表。</p>\n"
            + "\n".join(rows)
            # 2025 bulletins write the rate with full-width digits (normalised by the ingestion)
            + (
                "\n<p>城镇集中式饮用水水源地水质达标率为１００％。</p>\n"
                if y == 2025
                else "\n<p>城镇集中式饮用水水源地水质达标率为100%。</p>\n"
            )
        )
        charset = "gbk" if y <= 2022 else "utf-8"
        title = f"株洲市{y}年{m}月地表水监测月报"
        w.text(
            f"{folder(rel)}/water_{y}-{m:02d}.html",
            html_page(title, rel, body, charset),
            encoding="gbk" if charset == "gbk" else "utf-8",
        )


# ----------------------------------------------------------------------------------------------
# format 5: statistics API payloads
# ----------------------------------------------------------------------------------------------
def api_payloads(w: Writer, s: Series) -> None:
    ro = rng("fai-county")
    off = {c: ro.uniform(-3, 3) for c, _ in COUNTIES}
    r = rng("fai-county-noise")
    for y, m in months():
        rel = rel_date(y, m, 20)
        period = f"{y}年1月" if m == 1 else f"{y}年1-{m}月"
        fg = FAI_ANCHORS[y][m] if m in FAI_ANCHORS[y] else yoy(ytd(s.fai, y, m), ytd(s.fai, y - 1, m))
        obs = [
            {
                "indicator": "固定资产投资",
                "region": CITY,
                "period": period,
                "measure": "yoy_pct",
                "value": fmt1(fg),
                "unit": "%",
            }
        ]
        for c, _ in COUNTIES:
            obs.append(
                {
                    "indicator": "固定资产投资",
                    "region": c,
                    "period": period,
                    "measure": "yoy_pct",
                    "value": fmt1(fg + off[c] + r.gauss(0, 1.0)),
                    "unit": "%",
                }
            )
        share = ytd(s.project, y, m) / PROJECT_PLAN[y] * 100
        obs.append(
            {
                "indicator": "市级重大项目完成投资",
                "region": CITY,
                "period": period,
                "measure": "plan_share_pct",
                "value": fmt1(share),
                "unit": "%",
            }
        )
        payload = {
            "release_id": f"api-{y}-{m:02d}",
            "publisher": "株洲市统计局",
            "release_date": rel.isoformat(),
            "provenance": "illustrative",
            "note": MARK_NOTE,
            "observations": obs,
        }
        w.text(f"api/{y}-{m:02d}.json", json.dumps(payload, ensure_ascii=False, indent=2) + "\n")


# ----------------------------------------------------------------------------------------------
# format 1: long-format files
# ----------------------------------------------------------------------------------------------
def lrow(ind, region, period, value, unit, release, measure="value", subject="", note=MARK_NOTE):
    return [ind, region, subject, period, measure, value, unit, release, "illustrative", "", note]


# city-level stocks at year end (period = December); mid-year updates where given
CITY_STOCKS = {
    # listed firms: +1 in 2022 and 2023, then delistings -> the doubling target deteriorates
    "listed_companies": {
        "2021-12": 12,
        "2022-06": 12,
        "2022-12": 13,
        "2023-12": 14,
        "2024-06": 14,
        "2024-12": 13,
        "2025-12": 12,
        "2026-06": 11,
    },
    "little_giants_national": {
        "2022-08": 60,
        "2022-12": 60,
        "2023-08": 71,
        "2023-12": 71,
        "2024-09": 78,
        "2024-12": 78,
        "2025-08": 86,
        "2025-12": 86,
        "2026-08": 92,
    },
    "hightech_enterprises": {
        "2021-12": 868,
        "2022-12": 1012,
        "2023-12": 1096,
        "2024-12": 1180,
        "2025-12": 1254,
    },
    "trillion_clusters": {"2021-12": 1, "2022-12": 1, "2023-12": 1, "2024-12": 2, "2025-12": 2},
    "major_projects_count": {
        "2021-12": 608,
        "2022-12": 612,
        "2023-12": 605,
        "2024-12": 598,
        "2025-12": 590,
        "2026-06": 603,
    },
}
STOCK_UNIT = {
    "listed_companies": "家",
    "little_giants_national": "家",
    "hightech_enterprises": "家",
    "trillion_clusters": "个",
    "major_projects_count": "个",
}
VILLAGE_PLANNING = {2021: 45.2, 2022: 63.0, 2023: 78.5, 2024: 88.0, 2025: 94.6}
POPULATION = {2023: 385.9, 2024: 384.6, 2025: 383.4}  # 2021 and 2022 are published
# county coverage stocks: {indicator: {as-of month: [9 county counts in COUNTIES order]}}
COUNTY_STOCKS = {
    "上市企业数": {
        "2021-12": [2, 0, 3, 5, 0, 0, 0, 0, 2],
        "2022-12": [2, 1, 3, 5, 0, 0, 0, 0, 2],
        "2023-06": [2, 1, 3, 5, 0, 0, 0, 0, 2],
        "2023-12": [2, 1, 3, 5, 0, 1, 0, 0, 2],
        "2024-12": [2, 1, 3, 4, 1, 1, 0, 0, 1],
        "2025-12": [2, 1, 2, 4, 1, 1, 1, 0, 0],
        "2026-06": [2, 1, 2, 3, 1, 1, 1, 0, 0],
    },
    "亿元税收企业数": {
        "2021-12": [5, 6, 8, 12, 1, 6, 0, 0, 10],
        "2022-12": [5, 6, 8, 13, 1, 6, 0, 0, 11],
        "2023-06": [5, 6, 8, 13, 1, 6, 0, 0, 11],
        "2023-12": [6, 6, 9, 13, 2, 7, 1, 0, 11],
        "2024-12": [6, 7, 9, 14, 2, 7, 1, 0, 12],
        "2025-12": [6, 7, 10, 15, 2, 8, 1, 1, 12],
        "2026-06": [6, 7, 10, 15, 2, 8, 1, 1, 12],
    },
    "世界500强企业投产项目数": {
        "2021-12": [2, 1, 3, 6, 0, 1, 0, 0, 2],
        "2022-12": [2, 1, 3, 6, 0, 1, 0, 0, 3],
        "2023-06": [2, 1, 3, 7, 1, 1, 0, 0, 3],
        "2023-12": [2, 1, 3, 7, 1, 1, 0, 0, 3],
        "2024-12": [3, 1, 4, 7, 1, 2, 0, 0, 3],
        "2025-12": [3, 1, 4, 8, 1, 2, 1, 0, 3],
        "2026-06": [3, 1, 4, 8, 1, 2, 1, 1, 3],
    },
}
COUNTY_STOCK_UNIT = {"上市企业数": "家", "亿元税收企业数": "家", "世界500强企业投产项目数": "个"}
QUARTERLY_FLOWS = {  # year totals; ytd shares per quarter below
    "new_above_scale_units": ({2021: 580, 2022: 620, 2023: 540, 2024: 510, 2025: 560, 2026: 530}, "家"),
    "new_above_scale_industrial": ({2021: 175, 2022: 186, 2023: 204, 2024: 198, 2025: 210, 2026: 205}, "家"),
    "national_st_projects": ({2021: 98, 2022: 104, 2023: 118, 2024: 125, 2025: 131, 2026: 133}, "个"),
    "zero_doubling_firms": ({2021: 108, 2022: 131, 2023: 126, 2024: 118, 2025: 122, 2026: 115}, "家"),
    "fortune500_new_projects": ({2021: 14, 2022: 17, 2023: 21, 2024: 19, 2025: 22, 2026: 20}, "个"),
}
FLOW_Q_SHARE = [0.18, 0.45, 0.72, 1.0]
EXPRESS = [78.0, 81.5, 84.0, 86.5, 90.2, 94.8, 97.6, 100.0]  # 2021-Q1 .. 2022-Q4, then 100


def flows_quarterly(w: Writer) -> None:
    for y, q in quarters():
        rel = rel_date(y, 3 * q, 15)
        styles = [f"{y}-01~{3 * q:02d}", f"{y}年1-{3 * q}月", f"{y}年{Q_WORD.get(q, '')}"]
        period = str(y) if q == 4 else styles[(y + q) % 3]
        rows = [LONG_HEADER]
        for code, (totals, unit) in QUARTERLY_FLOWS.items():
            rows.append(lrow(code, CITY, period, round(totals[y] * FLOW_Q_SHARE[q - 1]), unit, rel.isoformat()))
        idx = (y - 2021) * 4 + q - 1
        cov = EXPRESS[idx] if idx < len(EXPRESS) else 100.0
        rows.append(
            lrow(
                "express_village_coverage",
                CITY,
                f"{y}-{3 * q:02d}",
                fmt1(cov),
                "%",
                rel.isoformat(),
                note=f"{MARK_NOTE}；截至季末",
            )
        )
        w.csv(f"{folder(rel)}/long_flows_{y}Q{q}.csv", rows)


def annual_city(w: Writer) -> None:
    """City stocks, village-planning coverage and population; one file per release."""
    releases: dict[str, list[list]] = {}

    def add(release: str, row: list) -> None:
        releases.setdefault(release, []).append(row)

    for code, series in CITY_STOCKS.items():
        for period, v in series.items():
            py, pm = map(int, period.split("-"))
            release = date(py + 1, 3, 10) if pm == 12 else rel_date(py, pm, 12)
            add(
                release.isoformat(),
                lrow(
                    code,
                    CITY,
                    period,
                    v,
                    STOCK_UNIT[code],
                    release.isoformat(),
                    note=f"{MARK_NOTE}；截至{py}年{pm}月末",
                ),
            )
    for y, v in VILLAGE_PLANNING.items():
        release = date(y + 1, 3, 10).isoformat()
        add(release, lrow("village_planning_coverage", CITY, f"{y}年", fmt1(v), "%", release))
    for y, v in POPULATION.items():
        release = date(y + 1, 3, 10).isoformat()
        add(release, lrow("resident_population", "株洲市", f"{y}年", f"{v:.2f}", "万人", release))
    for release, rows in sorted(releases.items()):
        w.csv(f"{release[:7]}/long_city_stocks_{release}.csv", [LONG_HEADER] + rows)


def county_coverage(w: Writer) -> None:
    dates = sorted({p for series in COUNTY_STOCKS.values() for p in series})
    for period in dates:
        py, pm = map(int, period.split("-"))
        release = date(py + 1, 2, 25) if pm == 12 else rel_date(py, pm, 25)
        rows = [LONG_HEADER]
        for ind, series in COUNTY_STOCKS.items():
            if period not in series:
                continue
            for (_, cname), v in zip(COUNTIES, series[period], strict=True):
                rows.append(
                    lrow(
                        ind,
                        cname,
                        f"{py}年{pm}月",
                        v,
                        COUNTY_STOCK_UNIT[ind],
                        release.isoformat(),
                        note=f"{MARK_NOTE}；截至{py}年{pm}月末",
                    )
                )
        w.xlsx(f"{folder(release)}/long_county_coverage_{period}.xlsx", long_rows_to_xlsx(rows))


PROJECTS_FALLBACK = {
    "P-IND": [
        "北斗产业园",
        "功率半导体核心产业链与时代电气技改",
        "航空动力重大专项",
        "三一产业基地",
        "长株潭先进硬质材料园",
        "风光资源开发与产业链",
        "大唐华银核电扩容升级",
        "唐人神生猪产业链",
        "北汽产品升级",
        "中车时代新材高分子材料制造基地",
    ],
    "P-TECH": [
        "高速永磁电机系统",
        "航空精密铸造",
        "新一代轨道交通转向架",
        "先进高分子材料",
        "难加工切削刀具",
        "国产计算机多路服务器",
        "IGZO靶材",
        "交流特高压瓷套",
        "大功率氢燃料电池",
        "晶圆再生利用",
    ],
    "P-INFRA": [
        "株洲智慧绿色能源互联网",
        "轨道交通城城市更新",
        "株洲火车站改扩建",
        "清水塘产业新城开发",
        "株洲城区主干路网提质改造",
        "九郎山职教科技城提质升级",
        "株洲城区雨污分流",
        "抽水蓄能",
        "京港澳及沪昆高速扩容(东线)",
        "茶常高速",
    ],
    "P-LIVE": {5: "市疾控中心新建项目和市重大公共卫生医学救治中心"},
}
STAGE_NAMES = ["未开工", "前期", "开工", "主体完工", "竣工投产"]
# designed exceptions (8 quarters 2022-Q1 .. 2023-Q4); the rest follow a random monotone path
PROJECT_PATHS = {
    "P-TECH-09": [1, 1, 1, 1, 1, 1, 1, 1],  # never leaves 前期: misses its 2022 milestone
    "P-INFRA-10": [1, 1, 1, 1, 1, 2, 2, 2],  # starts only in 2023-Q2: late
    "P-INFRA-08": [1, 1, 1, 1, 1, 1, 2, 2],  # pumped storage: 前期 in 2022 (its milestone), never finishes
    "P-IND-07": [1, 2, 2, 2, 3, 3, 3, 3],  # stuck at 主体完工
    "P-INFRA-03": [2, 2, 2, 2, 2, 2, 3, 3],
    "P-INFRA-09": [2, 2, 2, 2, 2, 2, 2, 3],  # expressway widening: still under way at the end of 2023
    "P-LIVE-05": [1, 1, 2, 2, 2, 2, 3, 3],  # construction starts 2022-Q3
}


def load_projects() -> list[tuple[str, str]]:
    path = ROOT / "seeds" / "listed_projects.csv"
    if path.exists():
        with path.open(encoding="utf-8-sig") as f:
            return [(r["project_code"], r["name_zh"]) for r in csv.DictReader(f)]
    out = []
    for prefix, names in PROJECTS_FALLBACK.items():
        items = names.items() if isinstance(names, dict) else enumerate(names, 1)
        out += [(f"{prefix}-{i:02d}", n) for i, n in items]
    return out


def project_stages(w: Writer) -> None:
    r = rng("projects")
    projects = load_projects()
    paths: dict[str, list[int]] = {}
    for code, _ in projects:
        if code in PROJECT_PATHS:
            paths[code] = PROJECT_PATHS[code]
            continue
        stage, path = r.choice([1, 2, 2]), []
        for k in range(8):
            if r.random() < 0.4 or (k == 1 and stage < 2):
                stage = min(4, stage + 1)
            path.append(stage)
        path[-1] = 4  # the others are finished by the end of 2023
        path[-2] = max(path[-2], 3)
        for k in range(1, 8):
            path[k] = max(path[k], path[k - 1])
        paths[code] = path
    for k, (y, q) in enumerate([(y, q) for y in (2022, 2023) for q in range(1, 5)]):
        rel = rel_date(y, 3 * q, 18)
        rows = [LONG_HEADER]
        for code, name in projects:
            rows.append(
                lrow(
                    "project_stage",
                    CITY,
                    f"{y}-{3 * q:02d}",
                    STAGE_NAMES[paths[code][k]],
                    "级",
                    rel.isoformat(),
                    measure="stage",
                    subject=code,
                    note=f"{MARK_NOTE}；{name}",
                )
            )
        w.csv(f"{folder(rel)}/long_project_stages_{y}Q{q}.csv", rows)


def revisions(w: Writer, s: Series) -> None:
    rel = "2022-12-28"
    w.csv(
        f"2022-12/long_revision_gdp_2021_{rel}.csv",
        [
            LONG_HEADER,
            lrow(
                "gdp",
                CITY,
                "2021",
                fmt1(GDP_2021_REVISED),
                "亿元",
                rel,
                note=f"{MARK_NOTE}；2021年地区生产总值最终核算（修订初步核算数3420.3亿元）",
            ),
        ],
    )
    (y, m), delta = TRADE_CORRECTION
    rel = "2023-07-05"
    mv, yv = s.trade[(y, m)], ytd(s.trade, y, m)
    w.csv(
        f"2023-07/long_correction_trade_{y}-{m:02d}.csv",
        [
            LONG_HEADER,
            lrow(
                "trade_total",
                CITY,
                f"{y}-{m:02d}",
                fmt1(mv),
                "亿元",
                rel,
                note=f"{MARK_NOTE}；更正：{y}年{m}月进出口总额原发布{fmt1(mv + delta)}亿元",
            ),
            lrow(
                "trade_total",
                CITY,
                f"{y}-{m:02d}",
                fmt1(yoy(mv, s.trade[(y - 1, m)])),
                "%",
                rel,
                measure="yoy_pct",
                note=f"{MARK_NOTE}；更正",
            ),
            lrow(
                "trade_total",
                CITY,
                f"{y}-01~{m:02d}",
                fmt1(yv),
                "亿元",
                rel,
                note=f"{MARK_NOTE}；更正：{y}年1-{m}月原发布{fmt1(yv + delta)}亿元",
            ),
            lrow(
                "trade_total",
                CITY,
                f"{y}-01~{m:02d}",
                fmt1(yoy(yv, ytd(s.trade, y - 1, m))),
                "%",
                rel,
                measure="yoy_pct",
                note=f"{MARK_NOTE}；更正",
            ),
        ],
    )


def published(w: Writer) -> None:
    """The ledger's rows that its adapter loads, as written, each in the folder of its release date with that
    date in a release_date column (the ledger's optional one) when the source gives one; a row dated by the day
    the ledger lands keeps the column empty, so `pmw` dates it by arrival and says so (the sample's files land
    on the day their names give: runner.stage_sample_releases), not as a date some source printed."""
    rows, result = ledger()  # the same reading is_pub blanks the illustrative tables by
    header = [c for c in rows[0] if c]
    released = {o.source_row: (o.release_date, o.release_date_imputed) for o in result.observations}
    by_release: dict[date, list[list[str]]] = {}
    for row_no, (release, imputed) in sorted(released.items()):
        stated = "" if imputed else release.isoformat()
        by_release.setdefault(release, []).append(rows[row_no - 1][: len(header)] + [stated])
    for release, ledger_rows in sorted(by_release.items()):
        w.csv(f"{release:%Y-%m}/published_{release}.csv", [[*header, "release_date"], *ledger_rows])


def bad_files(w: Writer, s: Series) -> None:
    w.text(
        "bad/air_2022-07_impossible_ratio.html",
        html_page(
            "株洲市2022年7月环境空气质量通报",
            date(2022, 8, 9),
            "<p>2022年7月，市区环境空气质量监测31天，其中优14天，良16天，轻度污染1天，优良率为135.0%，"
            "较上年同期上升38.2个百分点；PM2.5平均浓度为22微克/立方米。</p>\n",
            "utf-8",
        ),
    )
    w.csv(
        "bad/long_unit_contradiction.csv",
        [
            LONG_HEADER,
            lrow(
                "gdp",
                CITY,
                "2022-01~03",
                fmt1(s.gdp[CITY][(2022, 1)][0]),
                "家",
                "2022-04-28",
                note=f"{MARK_NOTE}；错误：单位与指标矛盾",
            ),
        ],
    )
    w.csv(
        "bad/long_duplicate_key.csv",
        [
            LONG_HEADER,
            lrow("listed_companies", CITY, "2023-12", 14, "家", "2024-03-10", note=MARK_NOTE),
            lrow("listed_companies", CITY, "2023-12", 41, "家", "2024-03-10", note=f"{MARK_NOTE}；错误：重复键"),
        ],
    )
    w.csv(
        "bad/long_future_period.csv",
        [
            LONG_HEADER,
            lrow(
                "trade_total",
                CITY,
                "2027-03",
                "45.2",
                "亿元",
                "2026-11-10",
                note=f"{MARK_NOTE}；错误：期别晚于发布日期",
            ),
        ],
    )


def generate(out: Path = DEFAULT_OUT) -> int:
    out.mkdir(parents=True, exist_ok=True)
    for child in sorted(out.iterdir()):  # keep README.md, rewrite everything else
        if child.is_dir():
            shutil.rmtree(child)
        elif child.name != "README.md":
            child.unlink()
    w = Writer(out)
    s = Series()
    city_monthly(w, s)
    province_tables(w, s)
    air_bulletins(w)
    water_bulletins(w)
    api_payloads(w, s)
    flows_quarterly(w)
    annual_city(w)
    county_coverage(w)
    project_stages(w)
    revisions(w, s)
    published(w)
    bad_files(w, s)
    returns = _beside("generate_task_returns")  # the units' monthly returns (工作台账)
    returns.task_returns(w)
    returns.bad_task_return(w)
    return w.count


def _beside(name: str):
    """A generator module next to this script (scripts/ is not a package)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location(name, Path(__file__).with_name(f"{name}.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = ap.parse_args()
    n = generate(args.out)
    print(f"wrote {n} files to {args.out}")


if __name__ == "__main__":
    main()
