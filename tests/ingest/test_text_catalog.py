from __future__ import annotations

import pytest

from dagster_project.ingest.catalog import Catalog
from dagster_project.ingest.text import EncodingError, decode_bytes, safe_filename, to_halfwidth


def test_decode_utf8_bom_gbk() -> None:
    text = "株洲市统计月报（２０２２年５月）"
    assert decode_bytes(text.encode("utf-8")) == (text, "utf-8")
    assert decode_bytes(text.encode("utf-8-sig")) == (text, "utf-8-sig")
    assert decode_bytes(text.encode("gbk")) == (text, "gb18030")


def test_decode_rejects_undecodable_bytes() -> None:
    with pytest.raises(EncodingError, match="cannot decode"):
        decode_bytes(b"\x81\x20\xff\xfe\x80")
    with pytest.raises(EncodingError, match="BOM"):
        decode_bytes(b"\xef\xbb\xbf\xff\xfe")


def test_decode_utf16_with_or_without_a_byte_order_mark() -> None:
    # Excel's "Unicode text": with a BOM it was refused as undecodable; without one, UTF-8 read its NULs
    # and the table "matched no known layout"
    text = "指标\t单位\n地区生产总值\t亿元\n"
    assert decode_bytes(text.encode("utf-16")) == (text, "utf-16")
    assert decode_bytes(text.encode("utf-16-le")) == (text, "utf-16-le")
    assert decode_bytes(text.encode("utf-16-be")) == (text, "utf-16-be")
    assert decode_bytes(b"a,b\x00,c\n1,2,3\n") == ("a,b\x00,c\n1,2,3\n", "utf-8")  # a stray NUL is not UTF-16


def test_decode_refuses_big5_read_as_gb18030_into_private_use_characters() -> None:
    # stored as garbled source_ref '\ue1bf瑆カ参璸Ы…' with no error
    with pytest.raises(EncodingError, match="Big5"):
        decode_bytes("株洲市統計局，統計月報".encode("big5"))


def test_halfwidth() -> None:
    assert to_halfwidth("１２３．４％（亿元）") == "123.4%(亿元)"
    assert to_halfwidth("Ⅱ类") == "Ⅱ类"  # Roman numerals are class markers, kept
    # the minus sign U+2212 a word processor writes (增长−2.1%) was no minus: the growth was not read
    assert to_halfwidth("增长\u22122.1%, \ufe633") == "增长-2.1%, -3"


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("../../etc/passwd.csv", "passwd.csv"),
        ("..\\..\\windows\\evil.csv", "evil.csv"),
        ("bad\nname\r.csv", "bad_name_.csv"),
        ("株洲市统计月报（2022年5月）.xlsx", "株洲市统计月报（2022年5月）.xlsx"),
        ("..", "unnamed"),
        ("a..b.csv", "a.b.csv"),
        ("rm -rf $(x);.csv", "rm -rf _(x)_.csv"),
    ],
)
def test_safe_filename(name: str, expected: str) -> None:
    assert safe_filename(name) == expected


def test_safe_filename_limits_length_and_keeps_suffix() -> None:
    name = safe_filename("株" * 200 + ".csv")
    assert name.endswith(".csv") and len(name.encode()) <= 180


def test_catalog_resolves_names_and_aliases(catalog: Catalog) -> None:
    assert catalog.resolve_indicator("#出口") == "exports"
    assert catalog.resolve_indicator("＃出口") == "exports"
    # a sub-item's 其中: and a footnote mark dress a row's name; both rows were left out as untracked
    assert catalog.resolve_indicator("其中：税收收入") == "tax_revenue"
    assert catalog.resolve_indicator("地方一般公共预算收入①") == "budget_revenue"
    # a basis in brackets is another measure (it was read as the ordinary 进出口总额); a unit is not
    assert catalog.resolve_indicator("进出口总额（旧口径）") is None
    assert catalog.resolve_indicator("进出口总额(亿元)") == "trade_total"
    assert catalog.resolve_indicator("固定资产投资（不含农户）") == "fixed_asset_investment"  # an alias names it
    # any other bracket is another scope (民间投资 was read as all 固定资产投资); a price basis is not
    assert catalog.resolve_indicator("固定资产投资（民间投资）") is None
    assert catalog.resolve_indicator("固定资产投资（其中民间投资）") is None
    assert catalog.resolve_indicator("固定资产投资（不含房地产）") is None
    assert catalog.resolve_indicator("进出口总额（限额以上）") is None
    assert catalog.resolve_indicator("规模以上工业增加值（按可比价计算）") == "industrial_value_added"
    assert catalog.resolve_indicator("地区生产总值(按不变价格计算)") == "gdp"
    assert catalog.resolve_indicator("新增“四上”企业") == "new_above_scale_units"
    assert catalog.resolve_indicator("规模以上工业增加值") == "industrial_value_added"
    assert catalog.resolve_indicator("地区生产总值(亿元)") == "gdp"
    assert catalog.resolve_indicator("优良天数比例") == "air_good_ratio"
    assert catalog.resolve_indicator("gdp") == "gdp"
    assert catalog.resolve_indicator("不存在的指标") is None


def test_catalog_regions(catalog: Catalog) -> None:
    assert catalog.resolve_region("株洲市") == "430200"
    assert catalog.resolve_region("株洲") == "430200"
    assert catalog.resolve_region("430281") == "430281"
    assert catalog.resolve_region("湘西州") == "433100"
    assert catalog.resolve_region("湘西自治州") == "433100"  # was unknown, and refused a province table
    assert catalog.resolve_region("全省") == "430000"
    assert catalog.resolve_region("市区", city_code="430200") == "430200"
    assert catalog.resolve_region("城区", city_code="430200") == "430200"
    assert catalog.resolve_region("城区") is None  # without a city context it is not a region


def test_catalog_sections(catalog: Catalog) -> None:
    assert catalog.resolve_section("湘江株洲段断面1（示意）") == "XJ-01"
    assert catalog.resolve_section("XJ-02") == "XJ-02"
    assert catalog.is_known_subject("P-IND-01")
    assert not catalog.is_known_subject("P-XXX")
