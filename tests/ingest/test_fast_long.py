"""The vectorised long-format path (fast_long.py) against the row-by-row path: same rows, same errors.

Every long-format file in the repo (fixtures and data/sample) and generated edge cases go through
``ingest_file`` twice, once with the fast path allowed and once forced row by row (``fast=False``),
each into its own DuckDB; stored rows, release records, quarantine records, errors and notes must
be identical. Some files must take the fast path (so it cannot silently always fall back), and
files it cannot prove simple must not.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb
import pytest

from dagster_project.ingest import fast_long
from dagster_project.ingest.catalog import Catalog
from dagster_project.ingest.pipeline import IngestResult, ingest_file
from dagster_project.ingest.store import ensure_schema

from .helpers import FIXTURES, LONG_HEADER, REPO

TODAY = date(2026, 11, 25)
LANDED = 1_700_000_000  # a fixed mtime: the release-date fallback must not depend on the copy


def _is_long_format(path: Path) -> bool:
    head = path.read_bytes()[:200].removeprefix(b"\xef\xbb\xbf")
    return head.startswith(b"indicator,region,")


SAMPLE_FILES = sorted(
    [p for p in (REPO / "data").rglob("*.csv") if _is_long_format(p)]
    + [p for p in FIXTURES.glob("*.csv") if _is_long_format(p)]
)


@dataclass
class Outcome:
    result: IngestResult
    observations: list[tuple]
    releases: list[tuple]
    quarantine: list[tuple]


# The source of published rows that cite none (what `pmw ingest --source` gives); see test_sources.py
SOURCE = "株洲市统计局 (test delivery)"


def _ingest(
    src: Path, root: Path, catalog: Catalog, *, fast: bool, name: str | None = None, source: str | None = SOURCE
) -> Outcome:
    landing = root / ("fast" if fast else "slow")
    landing.mkdir(parents=True, exist_ok=True)
    path = landing / (name or src.name)
    shutil.copyfile(src, path)
    os.utime(path, (LANDED, LANDED))
    con = duckdb.connect(":memory:")
    ensure_schema(con)
    result = ingest_file(path, con, root / f"q_{fast}", TODAY, catalog=catalog, fast=fast, source=source)
    out = Outcome(
        result,
        con.execute("SELECT * EXCLUDE (ingested_at) FROM raw.observations ORDER BY source_row, measure").fetchall(),
        con.execute("SELECT * EXCLUDE (ingested_at) FROM raw.releases ORDER BY release_id").fetchall(),
        con.execute(
            'SELECT * EXCLUDE (quarantined_at) FROM raw.quarantine ORDER BY "row", "column", reason'
        ).fetchall(),
    )
    con.close()
    return out


def assert_same(src: Path, tmp_path: Path, catalog: Catalog) -> Outcome:
    """Both paths over ``src``; returns the fast one's outcome."""
    fast = _ingest(src, tmp_path, catalog, fast=True)
    slow = _ingest(src, tmp_path, catalog, fast=False)
    assert not slow.result.fast_path
    for attr in ("release_id", "source_file", "status", "adapter", "row_count", "errors", "notes"):
        assert getattr(fast.result, attr) == getattr(slow.result, attr), attr
    assert fast.observations == slow.observations
    assert fast.releases == slow.releases
    assert fast.quarantine == slow.quarantine
    return fast


@pytest.mark.parametrize("src", SAMPLE_FILES, ids=lambda p: str(p.relative_to(REPO)))
def test_repo_long_format_files_load_the_same_both_ways(src: Path, tmp_path: Path, catalog: Catalog) -> None:
    assert_same(src, tmp_path, catalog)


def test_the_repo_has_long_format_files_and_some_take_the_fast_path(tmp_path: Path, catalog: Catalog) -> None:
    assert len(SAMPLE_FILES) >= 20
    taken = [p.name for p in SAMPLE_FILES if _ingest(p, tmp_path / p.stem, catalog, fast=True).result.fast_path]
    assert any(n.startswith("long_flows_") for n in taken), taken
    assert any(n.startswith("long_city_stocks_") for n in taken), taken  # the real figures are a ledger (§8) now


def _write(path: Path, lines: list[str], *, bom: bool = False, crlf: bool = False, encoding: str = "utf-8") -> Path:
    eol = "\r\n" if crlf else "\n"
    text = eol.join([LONG_HEADER, *lines]) + eol
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode(encoding))
    return path


# Simple rows: codes and Chinese names, blank subject, conversions (万元, 亿美元), rates, ranks,
# illustrative provenance, a quoted comma, a not-published cell, a stock's month, no release date.
SIMPLE = [
    "gdp,430200,,2022,value,3420.3,亿元,2023-01-30,published,http://www.tjcn.org/tjgb/18hn/37015.html,初步核算",
    "地区生产总值,株洲市,,2022年,yoy_pct,4.5,%,2023-01-30,published,,",
    "budget_revenue,株洲,,2022-01~05,value,152345,万元,2022-06-20,published,,",
    "trade_total,430200,,2022年1-5月,value,41.5,亿美元,2022-06-20,illustrative,,示意",
    "air_good_ratio,430202,,2022-05,value,91.2,％,2022-06-08,illustrative,,",
    'industrial_value_added,430281,,2022-01~05,rank,3,位,2022-06-22,published,,"quoted, with a comma"',
    "industrial_value_added,醴陵市,,2022-01~05,yoy_pct,-2.5,%,2022-06-22,published,,",
    "listed_companies,430200,,2022-06,value,21,家,,published,,no release date: the file's mtime",
    "new_urban_jobs,430200,,2022-01~06,value,-,万人,2022-07-10,published,,not published",
    "new_urban_jobs,430202,,2022-01~06,value,,万人,2022-07-10,published,,",
    "  hightech_enterprises  ,430200,,2022,value,+512,家,2023-02-01,published,,padded code",
    "pm25,430200,,2022-05,value,007.50,微克/立方米,2022-06-08,published,,",
]


def test_a_simple_file_takes_the_fast_path_with_the_same_result(tmp_path: Path, catalog: Catalog) -> None:
    out = assert_same(_write(tmp_path / "simple.csv", SIMPLE), tmp_path, catalog)
    assert out.result.fast_path
    assert (out.result.status, out.result.row_count) == ("loaded", 10)
    assert any("万元→亿元" in n for n in out.result.notes)
    assert any("USD/CNY" in n for n in out.result.notes)
    assert out.releases[0][3:6] == ("long_format", date(2023, 2, 1), "mixed")


def test_a_release_date_the_file_does_not_state_is_flagged_the_same_both_ways(tmp_path: Path, catalog: Catalog) -> None:
    """A row leaving release_date blank is dated the day the file landed: flagged so (release_date_imputed), by
    both paths alike, and the release's own date too when no row states one."""
    import csv
    import io

    landed = date.fromtimestamp(LANDED)
    mixed = assert_same(_write(tmp_path / "mixed.csv", SIMPLE), tmp_path, catalog)
    assert mixed.result.fast_path
    # (indicator, release_date, release_date_imputed): the raw row's first, second last and last columns
    assert {(o[1], o[-2], o[-1]) for o in mixed.observations if o[-1]} == {("listed_companies", landed, True)}
    assert all(o[-2] != landed for o in mixed.observations if not o[-1])
    assert mixed.releases[0][4] == date(2023, 2, 1) and mixed.releases[0][-1] is False

    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows([*(r[:7] + [""] + r[8:] for r in csv.reader(SIMPLE))])
    undated = assert_same(_write(tmp_path / "undated.csv", buf.getvalue().splitlines()), tmp_path, catalog)
    assert undated.result.fast_path
    assert {(o[-2], o[-1]) for o in undated.observations} == {(landed, True)}
    assert undated.releases[0][4] == landed and undated.releases[0][-1] is True


@pytest.mark.parametrize(
    "kind",
    ["bom", "crlf", "bom_crlf", "illustrative", "reordered_columns", "no_final_newline", "source_ref_chinese"],
)
def test_simple_variants_take_the_fast_path(kind: str, tmp_path: Path, catalog: Catalog) -> None:
    rows = SIMPLE
    path = tmp_path / f"{kind}.csv"
    if kind in ("bom", "crlf", "bom_crlf"):
        _write(path, rows, bom="bom" in kind, crlf="crlf" in kind)
    elif kind == "illustrative":
        _write(path, [r.replace(",published,", ",illustrative,") for r in rows])
    elif kind == "reordered_columns":
        cols = LONG_HEADER.split(",")
        order = [cols.index(c) for c in reversed(cols)]
        import csv
        import io

        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        for r in csv.reader([LONG_HEADER, *rows]):
            w.writerow([r[i] for i in order])
        path.write_text(buf.getvalue(), encoding="utf-8")
    elif kind == "no_final_newline":
        path.write_text("\n".join([LONG_HEADER, *rows]), encoding="utf-8")
    else:
        _write(
            path, [r.replace(",http://www.tjcn.org/tjgb/18hn/37015.html,", ",株洲市统计局 公报（2023）,") for r in rows]
        )
    out = assert_same(path, tmp_path, catalog)
    assert out.result.fast_path, kind


# Each case: rows that the fast path cannot prove simple; both paths must still agree.
FALLBACK_CASES = {
    "qualifier": ["new_above_scale_units,株洲市,,2019年,value,突破600,家,2020-01-07,published,,"],
    "qualifier_gt": ["budget_revenue,株洲市,,2019,,>200,亿元,2020-01-07,published,,"],
    "approx": ["air_good_ratio,430200,,2022-05,value,90左右,%,2022-06-08,published,,"],
    "range": ["air_good_ratio,430200,,2022-05,value,88-90,%,2022-06-08,published,,"],
    "separator": ['gdp,430200,,2022,value,"3,420.3",亿元,2023-01-30,published,,'],
    "spaced_number": ["gdp,430200,,2022,value,3 420.3,亿元,2023-01-30,published,,"],
    "fullwidth_value": ["gdp,430200,,2022,value,３４２０．３,亿元,2023-01-30,published,,"],
    "cell_unit": ["gdp,430200,,2022,value,3420.3亿元,亿元,2023-01-30,published,,"],
    "class": ["water_class,430212,XJ-01,2022-05,class,Ⅱ,,2022-06-15,illustrative,,"],
    "stage": ["project_stage,430200,P-IND-01,2022-05,stage,竣工投产,,2022-06-20,illustrative,,"],
    "unknown_region": ["gdp,火星市,,2022,value,3420.3,亿元,2023-01-30,published,,"],
    "unknown_indicator": ["gdpx,430200,,2022,value,3420.3,亿元,2023-01-30,published,,"],
    "unknown_subject": ["gdp,430200,XJ-99,2022,value,3420.3,亿元,2023-01-30,published,,"],
    "unit_contradiction": ["gdp,430200,,2022,value,3420.3,家,2023-01-30,published,,"],
    "bad_period": ["gdp,430200,,2022年13月,value,3420.3,亿元,2023-01-30,published,,"],
    "bad_date": ["gdp,430200,,2022,value,3420.3,亿元,2023/01/30,published,,"],
    "bad_provenance": ["gdp,430200,,2022,value,3420.3,亿元,2023-01-30,guessed,,"],
    "bad_measure": ["gdp,430200,,2022,level,3420.3,亿元,2023-01-30,published,,"],
    "negative_level": ["gdp,430200,,2022,value,-1,亿元,2023-01-30,published,,"],
    "rate_above_limit": ["air_good_ratio,430200,,2022-05,value,100.5,%,2022-06-08,published,,"],
    "fractional_rank": ["industrial_value_added,430281,,2022-01~05,rank,2.5,位,2022-06-22,published,,"],
    "growth_below_minus_100": ["gdp,430200,,2022,yoy_pct,-100,%,2023-01-30,published,,"],
    "future_period": ["gdp,430200,,2027,value,3420.3,亿元,2028-01-30,published,,"],
    "period_after_release": ["gdp,430200,,2022,value,3420.3,亿元,2022-06-30,published,,"],
    # a release dated after today would be the newest vintage until then: refused by both paths
    "release_after_today": ["gdp,430202,,2022,value,310.2,亿元,2030-01-30,published,,"],
    "duplicate_key": [
        "gdp,430200,,2022,value,3420.3,亿元,2023-01-30,published,,",
        "地区生产总值,株洲市,,2022年,value,3420.4,亿元,2023-01-30,published,,",
    ],
    "empty_indicator": [",430200,,2022,value,3420.3,亿元,2023-01-30,published,,"],
    "huge_number": ["gdp,430200,,2022,value," + "9" * 400 + ",亿元,2023-01-30,published,,"],
    # a running total's 1-N月 is stored as its month's count
    "stock_year_to_date": ["listed_companies,430200,,2023-01~09,value,25,家,2023-10-20,published,,"],
    # a row with an empty field more than the header: DuckDB drops trailing empty fields and the fast path loaded
    # it, while the row path refuses it (the row's cells may be shifted); a quoted comma elsewhere in the file
    "extra_empty_field": ["tax_revenue,430281,,2023-01~06,yoy_pct,4.2,%,2023-07-15,published,,,"],
    "extra_empty_fields": ['tax_revenue,430281,,2023-01~06,yoy_pct,4.2,%,2023-07-15,published,"a, b",,,'],
}


@pytest.mark.parametrize("case", sorted(FALLBACK_CASES))
def test_files_with_a_problem_or_a_qualifier_fall_back_with_the_same_result(
    case: str, tmp_path: Path, catalog: Catalog
) -> None:
    rows = [*SIMPLE, *FALLBACK_CASES[case]]
    out = assert_same(_write(tmp_path / f"{case}.csv", rows), tmp_path, catalog)
    assert not out.result.fast_path, case


def _raw_variant(kind: str, path: Path) -> Path:
    body = "\n".join([LONG_HEADER, *SIMPLE]) + "\n"
    if kind == "gb18030":
        path.write_bytes(body.encode("gb18030"))
    elif kind == "blank_line":
        path.write_text(body.replace("\n", "\n\n", 3), encoding="utf-8")
    elif kind == "blank_row_of_commas":
        path.write_text(body + ",,,,,,,,,,\n", encoding="utf-8")
    elif kind == "quoted_newline":
        path.write_text(body + 'gdp,430200,,2021,value,1.5,亿元,2022-01-30,published,,"two\nlines"\n', encoding="utf-8")
    elif kind == "space_before_quote":
        path.write_text(body + 'gdp, "430200",,2021,value,1.5,亿元,2022-01-30,published,,\n', encoding="utf-8")
    elif kind == "ragged_row":
        path.write_text(body + "gdp,430200,,2021,value,1.5\n", encoding="utf-8")
    elif kind == "long_row":
        path.write_text(body + "gdp,430200,,2021,value,1.5,亿元,2022-01-30,published,,,extra\n", encoding="utf-8")
    elif kind == "stray_quote":
        path.write_text(body + 'gdp,"430200"x,,2021,value,1.5,亿元,2022-01-30,published,,\n', encoding="utf-8")
    elif kind == "lone_cr":
        path.write_text(body.replace("\n", "\r", 2), encoding="utf-8")
    elif kind == "footnote":  # 注： and its further line, as an office ends a sheet: they were refused as rows
        path.write_text(body + "注：数据为快报数。\n2.空白表示未公布。\n", encoding="utf-8")
    elif kind == "footnote_in_commas":
        path.write_text(body + "注：数据为快报数。,,,,,,,,,,\n", encoding="utf-8")
    elif kind == "header_only":
        path.write_text(LONG_HEADER + "\n", encoding="utf-8")
    elif kind == "wrong_header":
        path.write_text(body.replace("source_ref,note", "source,note", 1), encoding="utf-8")
    elif kind == "extra_column":
        path.write_text(body.replace(",note\n", ",note,extra\n", 1), encoding="utf-8")
    elif kind == "leading_blank_line":
        path.write_text("\n" + body, encoding="utf-8")
    elif kind == "invalid_utf8":
        path.write_bytes(
            body.encode("utf-8") + "gdp,430200,,2021,value,1.5,亿元,2022-01-30,published,,".encode() + b"\xed\xa0\x80\n"
        )
    return path


@pytest.mark.parametrize(
    "kind",
    [
        "gb18030",
        "blank_line",
        "blank_row_of_commas",
        "quoted_newline",
        "space_before_quote",
        "ragged_row",
        "long_row",
        "stray_quote",
        "lone_cr",
        "footnote",
        "footnote_in_commas",
        "header_only",
        "wrong_header",
        "extra_column",
        "leading_blank_line",
        "invalid_utf8",
    ],
)
def test_csv_quirks_fall_back_with_the_same_result(kind: str, tmp_path: Path, catalog: Catalog) -> None:
    path = _raw_variant(kind, tmp_path / f"{kind}.csv")
    if kind == "lone_cr":  # unparseable as CSV: quarantined with the reason both ways, never raised
        for fast in (True, False):
            out = _ingest(path, tmp_path / str(fast), catalog, fast=fast)
            assert out.result.status == "quarantined"
            assert "new-line character" in out.result.errors[0].reason
        return
    out = assert_same(path, tmp_path, catalog)
    assert not out.result.fast_path, kind
    if kind.startswith("footnote"):
        assert (out.result.status, out.result.row_count) == ("loaded", 10)


def test_xlsx_long_format_is_unchanged(tmp_path: Path, catalog: Catalog) -> None:
    from .helpers import write_long_xlsx

    path = write_long_xlsx(
        tmp_path / "long.xlsx", [["gdp", "430200", None, "2022", "value", 3420.3, "亿元", "2023-01-30", "published"]]
    )
    out = assert_same(path, tmp_path, catalog)
    assert not out.result.fast_path and out.result.row_count == 1


def test_revisions_and_reloads(tmp_path: Path, catalog: Catalog) -> None:
    """Same file twice stores it once; corrected bytes under the same name are a new vintage. Both ways."""
    line = "gdp,株洲市,,2021,value,{v},亿元,{d},published,http://www.tjcn.org/tjgb/18hn/37015.html,"
    results = {}
    for fast in (True, False):
        con = duckdb.connect(":memory:")
        landing = tmp_path / f"landing_{fast}"
        landing.mkdir()
        path = landing / "gdp_2021.csv"
        seen = []
        for v, d in (("3420.3", "2022-03-20"), ("3420.3", "2022-03-20"), ("3415.8", "2023-01-30")):
            _write(path, [*SIMPLE, line.format(v=v, d=d)])
            os.utime(path, (LANDED, LANDED))
            res = ingest_file(path, con, tmp_path / "q", TODAY, catalog=catalog, fast=fast, source=SOURCE)
            assert res.fast_path == fast
            seen.append((res.release_id, res.row_count))
        rows = con.execute("SELECT * EXCLUDE (ingested_at) FROM raw.observations ORDER BY ALL").fetchall()
        releases = con.execute("SELECT * EXCLUDE (ingested_at) FROM raw.releases ORDER BY ALL").fetchall()
        results[fast] = (seen, rows, releases)
        assert len(releases) == 2 and len(rows) == 2 * 11
    assert results[True] == results[False]


def test_a_quarantined_release_loaded_later_keeps_one_record(tmp_path: Path, catalog: Catalog) -> None:
    """A release first quarantined (bad bytes under a name), then the fixed file: bookkeeping as row by row."""
    results = {}
    for fast in (True, False):
        con = duckdb.connect(":memory:")
        landing = tmp_path / f"l_{fast}"
        landing.mkdir()
        path = _write(landing / "r.csv", [*SIMPLE, *FALLBACK_CASES["unknown_region"]])
        first = ingest_file(path, con, tmp_path / f"q_{fast}", TODAY, catalog=catalog, fast=fast, source=SOURCE)
        path = _write(landing / "r.csv", SIMPLE)
        second = ingest_file(path, con, tmp_path / f"q_{fast}", TODAY, catalog=catalog, fast=fast, source=SOURCE)
        assert (first.status, second.status) == ("quarantined", "loaded")
        assert second.fast_path == fast
        results[fast] = (
            con.execute("SELECT release_id, status, row_count, error_count FROM raw.releases ORDER BY ALL").fetchall(),
            con.execute('SELECT release_id, "row", "column", reason FROM raw.quarantine ORDER BY ALL').fetchall(),
        )
    assert results[True] == results[False]


def test_the_fast_path_writes_nothing_when_it_gives_up(tmp_path: Path, catalog: Catalog) -> None:
    """A rule broken inside the INSERT rolls back: no rows, no release record, no temp tables left."""
    path = _write(tmp_path / "neg.csv", [*SIMPLE, *FALLBACK_CASES["negative_level"]])
    con = duckdb.connect(":memory:")
    ensure_schema(con)
    got = fast_long.try_load(
        con,
        path,
        path.read_bytes(),
        name="neg.csv",
        sha="0" * 64,
        release_id="neg-000",
        landed=date(2023, 11, 14),
        catalog=catalog,
        today=TODAY,
    )
    assert got is None
    assert con.execute("SELECT count(*) FROM raw.observations").fetchall() == [(0,)]
    assert con.execute("SELECT count(*) FROM raw.releases").fetchall() == [(0,)]
    assert con.execute("SELECT count(*) FROM duckdb_tables() WHERE temporary").fetchall() == [(0,)]


def test_a_file_the_fast_path_loads_does_not_import_the_other_formats(tmp_path: Path) -> None:
    """The adapters (detect and every format it tries) and the API client are imported only for what needs
    them: 0.035 s of CPU of every process that loads a simple long-format CSV. Watched fail: pipeline
    imported them at its top."""
    import subprocess
    import sys

    path = _write(tmp_path / "simple.csv", SIMPLE)
    probe = f"""
import sys
from datetime import date
import duckdb
from dagster_project.ingest.pipeline import ingest_file
con = duckdb.connect()
result = ingest_file({str(path)!r}, con, {str(tmp_path / "q")!r}, date(2026, 11, 25), source="test")
print(result.status, result.fast_path)
print(sorted(m for m in ("dagster_project.ingest.detect", "dagster_project.ingest.yearly_bulletin",
                         "dagster_project.ingest.http_api") if m in sys.modules))
"""
    done = subprocess.run([sys.executable, "-c", probe], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.splitlines() == ["loaded True", "[]"]


def test_the_count_of_fields_reads_quotes_as_the_csv_module_does() -> None:
    """_extra_fields counts the commas outside quotes on the quotes and commas alone (a regex over the whole file
    took 0.7 s of a national release): on lines mixing empty quoted fields, doubled quotes and quoted commas, it
    must say what the csv module says, a line with more fields than the header."""
    import csv
    import random

    rng = random.Random(50)
    cells = ["", '""', "a", '"a,b"', '"x""y"', '""""', '"a "",b"', '",,"', '"say ""1,2"" ok"', "1.5", '"""a,"""']
    for _ in range(400):
        lines = [",".join(rng.choice(cells) for _ in range(rng.choice((3, 3, 3, 4)))) for _ in range(rng.randint(1, 6))]
        data = ("h1,h2,h3\n" + "\n".join(lines) + "\n").encode()
        widths = [len(row) for row in csv.reader(data.decode().splitlines())]
        assert fast_long._extra_fields(data, 3, fast_long._records(data)) == (max(widths) > 3), data


def test_a_release_with_a_duplicate_key_writes_nothing_and_one_read_again_replaces_its_rows(
    tmp_path: Path, catalog: Catalog
) -> None:
    """The key check counts distinct key hashes first: a duplicate key still rolls back everything (no rows, no
    release record) and is named. A release read again (same id) replaces its rows and records the keys the new
    reading no longer has (raw.rereads)."""
    from dagster_project.ingest.store import ReleaseMeta, load_release_query

    con = duckdb.connect(":memory:")
    ensure_schema(con)
    meta = ReleaseMeta("x.csv", "0" * 64, "long_format", date(2023, 1, 1), "published")

    def rows(*years: int) -> str:
        return " UNION ALL ".join(
            f"""SELECT 'gdp', '430200', '', '{y}', 'year', DATE '{y}-01-01', DATE '{y}-12-31', 'value', 1.0, 'eq',
                       '亿元', '1', '亿元', 'published', '', '', 'x.csv', {y - 2019}, DATE '2023-01-01',
                       false"""
            for y in years
        )

    with pytest.raises(duckdb.ConstraintException, match="gdp/430200//2021/value appears 2 times"):
        load_release_query(con, "x-000", rows(2021, 2022, 2021), [], meta)
    assert con.execute("SELECT count(*) FROM raw.observations").fetchall() == [(0,)]
    assert con.execute("SELECT count(*) FROM raw.releases").fetchall() == [(0,)]
    assert load_release_query(con, "x-000", rows(2021, 2022), [], meta) == 2
    assert load_release_query(con, "x-000", rows(2022), [], meta) == 1  # 2021 no longer read
    assert con.execute("SELECT period_code FROM raw.observations").fetchall() == [("2022",)]
    assert con.execute("SELECT release_id, rows_dropped FROM raw.rereads").fetchall() == [("x-000", 1)]
    assert con.execute("SELECT release_id, row_count, status FROM raw.releases").fetchall() == [("x-000", 1, "loaded")]
    assert con.execute("SELECT count(*) FROM duckdb_tables() WHERE temporary").fetchall() == [(0,)]


def test_a_new_release_goes_into_raw_in_one_write_without_a_stage(
    tmp_path: Path, catalog: Catalog, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A release never recorded, with no screen, is inserted into raw at once (staging it first wrote a national
    release's 632,000 rows twice): no ReleaseStage is made. Its key check and record are the same; a rule the
    query breaks (error()) rolls back everything, and the release read again still goes through the stage."""
    from dagster_project.ingest import store

    con = duckdb.connect(":memory:")
    ensure_schema(con)
    meta = store.ReleaseMeta("x.csv", "0" * 64, "long_format", date(2023, 1, 1), "published")
    row = """SELECT 'gdp', '430200', '', '2022', 'year', DATE '2022-01-01', DATE '2022-12-31', 'value', {v}, 'eq',
                    '亿元', '1', '亿元', 'published', '', '', 'x.csv', 2, DATE '2023-01-01', false"""
    staged = []
    monkeypatch.setattr(store.ReleaseStage, "add_query", lambda *a, **k: staged.append(a) or 0)
    with pytest.raises(duckdb.Error, match="not a simple row"):
        store.load_release_query(con, "x-000", row.format(v="error('not a simple row')::DOUBLE"), [], meta)
    assert con.execute("SELECT count(*) FROM raw.observations").fetchall() == [(0,)]
    assert con.execute("SELECT count(*) FROM raw.releases").fetchall() == [(0,)]
    assert store.load_release_query(con, "x-000", row.format(v="1.0"), [], meta) == 1
    assert staged == []
    assert con.execute("SELECT release_id, row_count, status FROM raw.releases").fetchall() == [("x-000", 1, "loaded")]
    assert con.execute("SELECT release_id, value, source_row FROM raw.observations").fetchall() == [("x-000", 1.0, 2)]
    store.load_release_query(con, "x-000", row.format(v="2.0"), [], meta)  # read again: replaced through the stage
    assert len(staged) == 1


def test_the_key_check_of_a_new_release_reads_its_rows_not_the_history(tmp_path: Path) -> None:
    """Inserted straight into raw, the release's key check scans raw: by its rows' ingested_at (one INSERT writes
    them all with it) the scan skips history's row groups, which the release id cannot (ids share their first
    8 bytes, what DuckDB keeps of a string's min/max): a national release's check read all of raw, 0.1 s."""
    import json

    from dagster_project.ingest import store

    con = duckdb.connect(":memory:")
    ensure_schema(con)
    con.execute(
        """INSERT INTO raw.observations (release_id, indicator_code, region_code, subject_code, period_code,
               period_kind, period_start, period_end, measure, value, bound, unit, provenance, ingested_at)
           SELECT 'national_2025-12-history', 'gdp', i::VARCHAR, '', '2025-12', 'month', DATE '2025-12-01',
                  DATE '2025-12-31', 'value', 1.0, 'eq', '亿元', 'illustrative', TIMESTAMP '2026-01-21 08:00'
           FROM range(300000) r(i)"""
    )
    meta = store.ReleaseMeta("x.csv", "0" * 64, "long_format", date(2026, 2, 20), "published")
    query = """SELECT 'gdp', i::VARCHAR, '', '2026-01', 'month', DATE '2026-01-01', DATE '2026-01-31', 'value', 1.0,
                      'eq', '亿元', '1', '亿元', 'published', '', 'x', 'x.csv', i + 2, DATE '2026-02-20', false
               FROM range(10) r(i)"""
    profile = tmp_path / "key_check.json"

    class Profiled:  # the key check's query profiled (DuckDB writes the last query's profile)
        def __getattr__(self, name: str) -> object:
            return getattr(con, name)

        def execute(self, sql: str, *args: object) -> object:
            if "count(DISTINCT hash(" not in sql:
                return con.execute(sql, *args)
            con.execute(f"PRAGMA enable_profiling = 'json'; SET profiling_output = '{profile}'")
            rows = con.execute(sql, *args).fetchall()
            con.execute("PRAGMA disable_profiling")
            return type("Result", (), {"fetchall": lambda _: rows})()

    assert store.load_release_query(Profiled(), "national_2026-01-x", query, [], meta) == 10  # type: ignore[arg-type]

    def scanned(node: dict) -> int:
        return node.get("rows_scanned", 0) + sum(scanned(c) for c in node.get("children", []))

    assert 10 <= sum(scanned(n) for n in json.loads(profile.read_text())["operator"]) < 300_000
