"""Helpers shared by the ingestion tests (fixture copies, XLSX and CSV builders)."""

from __future__ import annotations

import shutil
from pathlib import Path

from dagster_project.ingest.long_format import COLUMNS

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "tests" / "fixtures" / "ingest"


def copy_fixture(name: str, landing: Path, as_name: str | None = None) -> Path:
    """Ingest works on a copy: quarantine moves files away."""
    dest = landing / (as_name or name)
    shutil.copy(FIXTURES / name, dest)
    return dest


def write_monthly_xlsx(path: Path, *, formula: bool = False) -> Path:
    """A county 统计月报 as an office saves it in Excel: merged title and headers, notes rows."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["醴陵市统计月报（2022年5月）"])
    ws.merge_cells("A1:F1")
    ws.append(["发布日期：2022-06-21"])
    ws.append(["指标", "单位", "本月", None, "1-5月", None])
    ws.append([None, None, "绝对数", "同比增长(%)", "绝对数", "同比增长(%)"])
    for rng in ("A3:A4", "B3:B4", "C3:D3", "E3:F3"):
        ws.merge_cells(rng)
    ws.append(["规模工业增加值", "亿元", None, 11.3, None, "１０．８"])  # growth only; full-width digits
    ws.append(["地方一般公共预算收入", "万元", "19 278.1", 4.2, 98765, 5.5])
    ws.append(["#税收收入", "万元", 12000, 3.1, "=SUM(C6:C7)" if formula else 61000, 2.0])
    ws.append(["新增城镇就业", "人", 2500, None, 12000, None])
    ws.append([])
    ws.append(["注：1.规模工业增加值增速按可比价计算。"])
    ws.append(["数据来源：醴陵市统计局"])
    ws.append(["数据性质：示意数据（illustrative）"])
    for row in range(ws.max_row - 2, ws.max_row + 1):  # notes span the table's width, as offices lay them out
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=6)
    wb.save(path)
    return path


def write_long_xlsx(path: Path, rows: list[list[object]]) -> Path:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(list(COLUMNS))
    for r in rows:
        ws.append(r)
    wb.save(path)
    return path


LONG_HEADER = "indicator,region,subject,period,measure,value,unit,release_date,provenance,source_ref,note"


def write_long_csv(path: Path, lines: list[str], encoding: str = "utf-8") -> Path:
    path.write_bytes(("\n".join([LONG_HEADER, *lines]) + "\n").encode(encoding))
    return path
