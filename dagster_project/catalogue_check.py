"""The catalogue's rules, applied to the seed CSV files before dbt loads them, so a typo in
seeds/targets.csv is reported as "file, row, target, column: reason" instead of a failing dbt test
with a 150-character name.

The rules are not written again here: they are read from seeds/properties.yml, where dbt declares
them (not_null, unique, accepted_values, relationships to another seed, and the column types of
the seed config). dbt still runs every test; this only says where a broken rule is, in words.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import date
from difflib import get_close_matches
from pathlib import Path

import yaml

REF = re.compile(r"ref\(['\"](\w+)['\"]\)")
NUMERIC_TYPES = {"double": float, "integer": int, "bigint": int, "float": float}
NUMBER_PATTERNS = {
    float: re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?", re.ASCII),
    int: re.compile(r"[+-]?\d+", re.ASCII),
}


@dataclass(frozen=True)
class CatalogueProblem:
    file: str
    row: int | None  # as a spreadsheet shows it: the header is row 1
    key: str  # the row's id (target_id …)
    column: str
    reason: str

    def __str__(self) -> str:
        where = f"{self.file} row {self.row}" if self.row else self.file
        key = f" ({self.key})" if self.key else ""
        return f"{where}{key}, column {self.column}: {self.reason}"


class UnreadableSeed(ValueError):
    """A seed file dbt cannot read at all (not UTF-8)."""


def _read(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    data = path.read_bytes()
    try:
        # utf-8-sig: Excel's "CSV UTF-8" starts with a byte-order mark, which dbt's seed loader skips too
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UnreadableSeed(
            f"is not UTF-8 (byte {exc.start}; saved by Excel as GBK/ANSI CSV?): save it as 'CSV UTF-8'"
        ) from None
    reader = csv.DictReader(io.StringIO(text, newline=""))
    return list(reader.fieldnames or []), list(reader)


def _tests(column: dict) -> list[tuple[str, dict]]:
    out = []
    for test in column.get("data_tests", []) or []:
        if isinstance(test, str):
            out.append((test, {}))
        else:
            name, body = next(iter(test.items()))
            out.append((name, (body or {}).get("arguments", body or {})))
    return out


def _typed(value: str, kind: str) -> str | None:
    """Why ``value`` does not fit the seed's declared column type (None if it does)."""
    if value == "":
        return None
    if kind in NUMERIC_TYPES:
        # as the seed loader reads a number: ASCII digits, no separator (Python's float() also takes ４８００,
        # 4_800 and nan, which the loader refuses with "CSV Error on Line: 2" and no column)
        if not NUMBER_PATTERNS[NUMERIC_TYPES[kind]].fullmatch(value):
            ascii_hint = "" if value.isascii() else ": write it in ASCII digits (0-9)"
            return f"{value!r} is not a number ({kind}){ascii_hint}"
    elif kind == "date":
        try:
            date.fromisoformat(value)
        except ValueError:
            return f"{value!r} is not a date (YYYY-MM-DD)"
    elif kind == "boolean" and value.lower() not in ("true", "false", "1", "0"):
        return f"{value!r} is not true/false"
    return None


def check_catalogue(seeds_dir: Path) -> list[CatalogueProblem]:
    """Every broken rule of every seed with properties, in file and row order."""
    seeds = {}
    # every properties file of the seeds folder (properties.yml, task_ledger.yml), as dbt reads them all
    for properties_file in sorted(seeds_dir.glob("*.yml")):
        properties = yaml.safe_load(properties_file.read_text(encoding="utf-8")) or {}
        seeds |= {s["name"]: s for s in properties.get("seeds", []) or []}
    tables: dict[str, tuple[list[str], list[dict[str, str]]]] = {}

    problems: list[CatalogueProblem] = []

    indexes: dict[tuple[str, str], dict[str, list[dict[str, str]]]] = {}

    def table(name: str, key: str | None = None):
        """The seed's header and rows; with ``key``, its rows by that column's value (read once, for rules
        that look a row up in another seed for every row)."""
        if key is not None:
            if (name, key) not in indexes:
                index: dict[str, list[dict[str, str]]] = {}
                for other in table(name)[1]:
                    index.setdefault((other.get(key) or "").strip(), []).append(other)
                indexes[name, key] = index
            return indexes[name, key]
        if name not in tables:
            path = seeds_dir / f"{name}.csv"
            try:
                tables[name] = _read(path) if path.exists() else ([], [])
            except UnreadableSeed as exc:
                problems.append(CatalogueProblem(f"seeds/{path.name}", None, "", "(file)", str(exc)))
                tables[name] = ([], [])
        return tables[name]

    for name, seed in seeds.items():
        path = seeds_dir / f"{name}.csv"
        if not path.exists():
            continue
        header, rows = table(name)
        if not header:
            continue  # unreadable: said above
        file = f"seeds/{path.name}"
        columns = seed.get("columns", []) or []
        key_column = columns[0]["name"] if columns else ""
        types = ((seed.get("config") or {}).get("column_types")) or {}
        for column in columns:
            if column["name"] not in header:
                # the column's own description says what it holds and where its value comes from
                what = " ".join(str(column.get("description", "")).split())
                reason = "column missing from the header" + (f" ({what})" if what else "")
                problems.append(CatalogueProblem(file, 1, "", column["name"], reason))
        declared = {c["name"] for c in columns} | set(types)
        for extra in [h for h in header if declared and h not in declared]:
            reason = "is not a column of this seed (seeds/properties.yml): misspelt, or a column to add there too"
            problems.append(CatalogueProblem(file, 1, "", extra or "(blank)", reason))
        # a key of several columns (unique_combination, dbt/tests/generic): e.g. a unit's code within its city
        combinations = [
            [str(c) for c in args.get("columns", [])]
            for test, args in _tests(seed)
            if test == "unique_combination" and all(c in header for c in args.get("columns", []))
        ]
        first_of: dict[tuple, int] = {}
        for number, row in enumerate(rows, start=2):
            key = row.get(key_column, "") or ""
            for combination in combinations:
                values = tuple((row.get(c) or "").strip() for c in combination)
                if "" in values:
                    continue  # an empty part is its column's not_null problem
                first = first_of.setdefault((*combination, *values), number)
                if first != number:
                    reason = f"{values} is a duplicate of row {first}"
                    problems.append(CatalogueProblem(file, number, key, ", ".join(combination), reason))
            if row.get(None):  # csv puts a row's surplus fields under None
                reason = f"has {len(header) + len(row[None])} fields, the header {len(header)} (an unquoted comma?)"
                problems.append(CatalogueProblem(file, number, key, "(row)", reason))
                continue
            for column, kind in types.items():
                reason = _typed((row.get(column) or "").strip(), str(kind).lower())
                if reason:
                    problems.append(CatalogueProblem(file, number, key, column, reason))
            for column in columns:
                col = column["name"]
                if col not in header:
                    continue
                value = (row.get(col) or "").strip()
                for test, args in _tests(column):
                    reason = _rule(test, args, value, col, rows, number, table)
                    if reason:
                        problems.append(CatalogueProblem(file, number, key, col, reason))
    return problems


def _unit_of_kind(args: dict, row: dict[str, str], table) -> str | None:
    """A target's unit is one its kind lists (target_kinds.value_units; `indicator`: its indicator's unit). A kind
    listing none accepts any, but one with a figure series (has_series: improvement) needs one: its actual and
    gap are shown in it. SQL twin: dbt/tests/generic/unit_of_kind.sql."""
    kinds, indicators = (REF.search(str(args.get(name, ""))) for name in ("kinds", "indicators"))
    if not kinds or not indicators:
        return None
    kind, code = (row.get("target_kind") or "").strip(), (row.get("indicator_code") or "").strip()

    def row_of(seed: str, key: str, value: str) -> dict[str, str] | None:
        return next((r for r in table(seed)[1] if (r.get(key) or "").strip() == value), None)

    kind_row = row_of(kinds.group(1), "target_kind", kind)
    indicator = row_of(indicators.group(1), "indicator_code", code)
    listed = ((kind_row or {}).get("value_units") or "").split()
    if kind_row is None or indicator is None:
        return None  # an unknown kind or indicator is its own column's problem
    unit = (row.get("unit") or "").strip()
    if not listed:  # no units listed: any, but one where the kind has a series to show
        has_series = (kind_row.get("has_series") or "").strip().lower() in ("true", "1")
        if unit or not has_series:
            return None
        article = "an" if kind[:1] in "aeiou" else "a"
        return (
            f"is empty, but {article} {kind} target has a figure series (seeds/{kinds.group(1)}.csv has_series) whose "
            f"actual and gap are shown in a unit: state it ({code} is in {(indicator.get('unit') or '').strip()})"
        )
    indicator_unit = (indicator.get("unit") or "").strip()
    allowed = [indicator_unit if listed_unit == "indicator" else listed_unit for listed_unit in listed]
    if unit in allowed:
        return None
    why = f"{unit!r} is not a unit a {kind} target may use ({' or '.join(repr(u) for u in allowed)}"
    if "indicator" in listed:
        why += f"; {code} is in {indicator_unit}: write the value in that unit, the models do not convert it"
    return why + f"; seeds/{kinds.group(1)}.csv value_units)"


def _unit_in_plan_city(args: dict, value: str, row: dict[str, str], table) -> str | None:
    """A unit code (or each code of a `separator` list: co_unit_codes) is a unit of its plan's city (units.csv
    city_code = plans.csv region_code, the plan reached through the row's target): codes are unique within a
    city only, so another city's code is a typo. One problem per cell, naming every wrong code. (The SQL rule's
    `city_column` form is for models that carry their city; a seed reaches it through its target.)"""
    refs = {name: REF.search(str(args.get(name, ""))) for name in ("units", "targets", "plans")}
    if not all(refs.values()):
        return None
    units, targets, plans = (refs[name].group(1) for name in ("units", "targets", "plans"))
    if "city_code" not in table(units)[0]:
        return None  # an older units.csv without the city: its header's problem, said once

    def row_of(seed: str, key: str, wanted: str) -> dict[str, str]:
        return (table(seed, key).get(wanted) or [{}])[0]

    plan_id = (row_of(targets, "target_id", (row.get("target_id") or "").strip()).get("plan_id") or "").strip()
    city = (row_of(plans, "plan_id", plan_id).get("region_code") or "").strip()
    separator = args.get("separator")
    codes = [c.strip() for c in value.split(separator)] if separator else [value]
    wrong, elsewhere = [], []
    for code in filter(None, codes):
        cities = {(u.get("city_code") or "").strip() for u in table(units, "unit_code").get(code, [])}
        if (city and city in cities) or (not city and cities):
            continue  # a plan with no city (a many-city catalogue): the code in some city is enough
        wrong.append(repr(code))
        if cities:
            elsewhere.append(f"{code!r} is one of {', '.join(sorted(cities))}'s")
    if not wrong:
        return None
    where = f"{city}, the city of plan {plan_id}" if city else "any city"
    which = f"is not a unit of {where}" if len(wrong) == 1 else f"are not units of {where}"
    also = f" ({'; '.join(elsewhere)})" if elsewhere else ""
    return f"{', '.join(wrong)} {which}{also}; seeds/{units}.csv city_code, unit_code"


# the region types a target's scope may name (dbt/tests/generic/scope_in_catalogue.sql, its SQL twin): a city's
# plan names its city; a plan of a province (the national benchmark's catalogue) the province; a rank among the
# province's cities names the city ranked, or the province (its plan's city is then ranked)
_SCOPE_REGION_TYPES = {
    "city": ("city", "province"),
    "every_county": ("city", "province"),
    "province_peers": ("city", "province"),
    "county": ("county",),
}


def _scope_in_catalogue(args: dict, value: str, row: dict[str, str], table) -> str | None:
    """A target's scope_code names a thing of its scope_type: a city, province or county of regions.csv (by its
    region_type), a river of monitoring_sections.csv, a listed project. An unknown scope_type, or a seed missing
    or unreadable, is its own problem, said once."""
    refs = {name: REF.search(str(args.get(name, ""))) for name in ("regions", "sections", "projects")}
    if not all(refs.values()):
        return None
    scope = (row.get("scope_type") or "").strip()
    wanted = _SCOPE_REGION_TYPES.get(scope)
    if wanted is not None:
        seed, key = refs["regions"].group(1), "region_code"
    elif scope == "river":
        seed, key = refs["sections"].group(1), "river_code"
    elif scope == "project":
        seed, key = refs["projects"].group(1), "project_code"
    else:
        return None
    if not table(seed)[0]:
        return None
    known = table(seed, key).get(value, [])
    if wanted is not None:
        known = [r for r in known if (r.get("region_type") or "").strip() in wanted]
        what = f"a {' or a '.join(wanted)} of seeds/{seed}.csv (region_code, region_type)"
    else:
        what = f"a {key} of seeds/{seed}.csv"
    return None if known else f"{value!r} is not {what}, which scope_type {scope} names"


def _stated_with_series(args: dict, value: str, column: str, row: dict[str, str], table) -> str | None:
    """A target of a kind with a figure series (target_kinds.has_series) states ``column`` (its indicator, its
    target value), unless its comparator is one of `not_for` (improve: compared with its baseline year), which
    states none. A kind without a series may leave it empty; with `none_without_series` it must. An unknown kind
    is its own column's problem."""
    kinds = REF.search(str(args.get("kinds", "")))
    if not kinds:
        return None
    not_for = [str(c) for c in args.get("not_for", []) or []]
    kind, comparator = (row.get("target_kind") or "").strip(), (row.get("comparator") or "").strip()
    if comparator in not_for:
        if value == "":
            return None
        return (
            f"{value!r} is stated, but a target compared by {comparator} takes no {column} (never read): leave it empty"
        )
    kind_row = (table(kinds.group(1), "target_kind").get(kind) or [None])[0]
    if kind_row is None:
        return None
    has_series = (kind_row.get("has_series") or "").strip().lower() in ("true", "1")
    if not has_series and value != "" and args.get("none_without_series"):
        return f"{value!r} is stated, but a {kind} target has no figure series (never read): leave it empty"
    if value != "" or not has_series:
        return None
    return (
        f"is empty, but a {kind} target has a figure series to compare (seeds/{kinds.group(1)}.csv has_series): "
        f"state its {column}, or read it as a qualitative target"
    )


def _stated_only_for(args: dict, value: str, column: str, row: dict[str, str]) -> str | None:
    """``column`` (a tolerance) is stated only with one of `comparators` (about) and, with `above`, above it."""
    if value == "":
        return None
    comparators = [str(c) for c in args.get("comparators", []) or []]
    comparator = (row.get("comparator") or "").strip()
    if comparator not in comparators:
        only = " or ".join(comparators)
        return f"{value!r} is stated, but only {only} reads a {column}: with {comparator} it is never read"
    above = args.get("above")
    try:
        too_low = above is not None and float(value) <= float(above)
    except ValueError:
        return None  # not a number: its column type's problem
    return f"{value!r} is not above {above} (leave it empty for the default)" if too_low else None


def _rule(test: str, args: dict, value: str, column: str, rows, number: int, table) -> str | None:
    if test == "not_null":
        return "is empty (required)" if value == "" else None
    if test == "unit_of_kind":  # dbt/tests/generic/unit_of_kind.sql: an empty unit fails where a kind lists some
        # or has a series
        return _unit_of_kind(args, rows[number - 2], table)
    if test == "stated_with_series":  # dbt/tests/generic/stated_with_series.sql: an empty cell can fail
        return _stated_with_series(args, value, column, rows[number - 2], table)
    if test == "stated_only_for":  # dbt/tests/generic/stated_only_for.sql
        return _stated_only_for(args, value, column, rows[number - 2])
    if value == "":
        return None  # the other rules, as in dbt, ignore empty (null) cells
    if test == "unique":
        first = next(i for i, r in enumerate(rows, start=2) if (r.get(column) or "").strip() == value)
        return f"{value!r} is a duplicate of row {first}" if first != number else None
    if test == "accepted_values":
        allowed = [str(v) for v in args.get("values", [])]
        if value in allowed:
            return None
        close = get_close_matches(value, allowed, n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        return f"{value!r} is not one of {', '.join(allowed)}{hint}"
    if test == "listed_in":  # dbt/tests/generic/listed_in.sql
        ref = REF.search(str(args.get("to", "")))
        key, field = args.get("key"), args.get("list_field")
        if not ref or not key or not field:
            return None
        mine = (rows[number - 2].get(key) or "").strip()
        _, other = table(ref.group(1))
        listing = next((r for r in other if (r.get(key) or "").strip() == mine), None)
        allowed = ((listing or {}).get(field) or "").split()
        if listing is None or value in allowed:
            return None  # an unknown key is its own column's problem
        return f"{value!r} is not one a {key} {mine!r} may use ({', '.join(allowed)}; seeds/{ref.group(1)}.csv)"
    if test == "scope_in_catalogue":  # dbt/tests/generic/scope_in_catalogue.sql
        return _scope_in_catalogue(args, value, rows[number - 2], table)
    if test == "unit_in_plan_city":  # dbt/tests/generic/unit_in_plan_city.sql
        return _unit_in_plan_city(args, value, rows[number - 2], table)
    if test == "not_later_than":  # dbt/tests/generic/not_later_than.sql
        than = args.get("than", "")
        other = (rows[number - 2].get(than) or "").strip()
        try:
            limit = date.fromisoformat(other)
            mine = int(value) if args.get("part") == "year" else date.fromisoformat(value)
        except ValueError:
            return None  # a malformed date or year is its column type's problem
        later = mine > limit.year if isinstance(mine, int) else mine > limit
        return f"{value!r} is after the {than} {other}" if later else None
    if test == "relationships":
        ref = REF.search(str(args.get("to", "")))
        field = args.get("field")
        if not ref or not field:
            return None
        header, other = table(ref.group(1))
        if field not in header:
            return None
        known = {(r.get(field) or "").strip() for r in other}
        if value in known:
            return None
        close = get_close_matches(value, sorted(known), n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        return f"{value!r} is not among the {field} values of seeds/{ref.group(1)}.csv{hint}"
    return None
