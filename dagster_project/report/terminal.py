"""The scorecard and the calculation trace as text for the terminal (`pmw status`, `pmw explain`)."""

from __future__ import annotations

import csv
import numbers
import string
import unicodedata
from collections.abc import Callable, Sequence
from pathlib import Path

import pandas as pd

from dagster_project.report.labels import (
    ARRIVAL_DAY,
    COMPARATOR_SYMBOLS,
    SEEDS_DIR,
    STATUSES,
    bound_prefix,
    bound_qualifier,
    bounded_gap_prefix,
    bounded_value_prefix,
    day,
    is_missing,
    made_from_label,
    num,
    num_as_written,
    pct,
    quality_label,
    release_day,
    source_text,
    stage_label,
    underlying_text,
    unit_of,
    unit_text,
)


# ------------------------------------------------------------------------------------------- tables
def width(text: str) -> int:
    """Terminal columns: CJK characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


def clip(text: str, limit: int) -> str:
    if width(text) <= limit:
        return text
    out, used = "", 0
    for ch in text:
        w = width(ch)
        if used + w > limit - 1:
            break
        out, used = out + ch, used + w
    return out + "…"


def pad(text: str, size: int, right: bool = False) -> str:
    fill = " " * max(size - width(text), 0)
    return fill + text if right else text + fill


def table(
    headers: Sequence[str], rows: Sequence[Sequence[object]], right: Sequence[int] = (), max_width: int = 40
) -> str:
    """A plain-text table whose columns line up with Chinese text."""
    cells = [[clip("" if is_missing(c) else str(c), max_width) for c in row] for row in rows]
    sizes = [max([width(h)] + [width(r[i]) for r in cells]) for i, h in enumerate(headers)]
    lines = [
        "  ".join(pad(h, sizes[i], i in right) for i, h in enumerate(headers)).rstrip(),
        "  ".join("-" * s for s in sizes),
    ]
    lines += ["  ".join(pad(c, sizes[i], i in right) for i, c in enumerate(r)).rstrip() for r in cells]
    return "\n".join(lines)


def frame_table(frame: pd.DataFrame, max_width: int = 40) -> str:
    right = [i for i, dtype in enumerate(frame.dtypes) if pd.api.types.is_numeric_dtype(dtype)]
    rows = [
        [num(v) if i in right and not isinstance(v, bool) else v for i, v in enumerate(r)]
        for r in frame.itertuples(index=False)
    ]
    return table(list(frame.columns), rows, right=right, max_width=max_width)


# ---------------------------------------------------------------------------------------- scorecard
def scorecard_rows(sc: pd.DataFrame) -> tuple[list[str], list[list[str]]]:
    headers = [
        "状态 status",
        "目标 target",
        "标题 title",
        "期 period",
        "实际 actual",
        "目标值 target",
        "差距 gap",
        "完成/序时 achieved/expected",
        "预测 projection",
        "数据 data",
        "发布 released",
    ]
    rows = []
    for r in sc.itertuples():
        unit = unit_of(r)
        actual = "—" if is_missing(r.actual_value) else f"{bound_prefix(r.actual_bound)}{num(r.actual_value)} {unit}"
        goal = (
            "—"
            if is_missing(r.target_level)
            else (f"{COMPARATOR_SYMBOLS.get(str(r.comparator_applied), '')} {num(r.target_level)} {unit}")
        )
        share = "—" if is_missing(r.share_achieved) else f"{pct(r.share_achieved)}/{pct(r.expected_share)}"
        # a status resting on a bound keeps its 至少/至多, as in the HTML report and `pmw explain`
        qualifier = bound_qualifier(getattr(r, "status_rests_on_bound", None), getattr(r, "bound_reading", None), False)
        rows.append(
            [
                qualifier + STATUSES.get(r.status_code, (r.status_code,))[0],
                r.target_id,
                r.title_zh,
                "" if is_missing(r.latest_period_code) else r.latest_period_code,
                actual,
                goal,
                # the gap and projection of a bound are bounds too (突破300: the projection is at least 300)
                "—" if is_missing(r.gap) else bounded_gap_prefix(getattr(r, "bound_reading", None)) + num(r.gap),
                share,
                "—" if is_missing(r.projected_value) else bounded_value_prefix(r.actual_bound) + num(r.projected_value),
                "" if is_missing(r.actual_quality) else quality_label(r.actual_quality).split()[0],
                # the day the file arrived, no date it states: marked, said below the table (ARRIVAL_NOTE)
                arrival_marked(r.latest_release_date, getattr(r, "latest_release_date_imputed", False)),
            ]
        )
    return headers, rows


def plan_groups(sc: pd.DataFrame) -> list[tuple[tuple[str, bool], pd.DataFrame]]:
    """The scorecard split by plan: running plans first (the headline), closed plans (final outcomes)
    after, each keeping the order it was given."""
    closed = (
        sc["plan_is_closed"].fillna(False).astype(bool) if "plan_is_closed" in sc else pd.Series(False, index=sc.index)
    )
    name = sc["plan_name_zh"].fillna("") if "plan_name_zh" in sc else pd.Series("", index=sc.index)
    keys = sorted({(n, c) for n, c in zip(name, closed, strict=True)}, key=lambda k: (k[1], k[0]))
    return [(key, sc[(name == key[0]) & (closed == key[1])]) for key in keys]


# ------------------------------------------------------------------------------------------ explain
class UnknownPeriod(ValueError):
    """`pmw explain --period` named a period the target has no figure for."""


def flag(value: object) -> bool:
    """A nullable boolean column as a plain bool (NULL counts as false)."""
    return False if is_missing(value) else bool(value)


# a table's cell shows the short mark; the line under the table says what it means (release_day's words)
ARRIVAL_MARK = " 到达日"
ARRIVAL_NOTE = f"  到达日: {ARRIVAL_DAY} (the file states no release date; the day it arrived is shown)"


def arrival_marked(value: object, imputed: object) -> str:
    """A release date in a table's cell: '2026-12-07 到达日' when it is the day the file arrived
    (``imputed``: the row's release_date_imputed; missing in a copy published before the flag: unmarked)."""
    return day(value) + (ARRIVAL_MARK if flag(imputed) and not is_missing(value) else "")


def any_arrival_marked(rows: Sequence[Sequence[str]], column: int = -1) -> bool:
    """Whether a table's rows mark some release date (``column``) as the day its file arrived."""
    return any(str(row[column]).endswith(ARRIVAL_MARK) for row in rows)


def status_reasons(seeds_dir: Path = SEEDS_DIR) -> dict[str, tuple[str, str]]:
    """status_reason -> (中文, English sentence) from seeds/status_reasons.csv: the rules of the status
    are written once, in int_target_assessment, which names the one it applied (status_reason)."""
    with open(seeds_dir / "status_reasons.csv", encoding="utf-8") as handle:
        return {r["status_reason"]: (r["reason_zh"], r["reason_en"]) for r in csv.DictReader(handle)}


def _shown(name: str, value: object) -> str:
    """A figure named in a reason's sentence, as the rest of the trace shows it."""
    if is_missing(value):
        return "—"
    if name == "share_achieved":
        return pct(value)
    return num(value) if isinstance(value, numbers.Real) and not isinstance(value, bool) else str(value)


def status_reason_text(p: pd.Series, seeds_dir: Path = SEEDS_DIR) -> str:
    """Why the status is what it is, in words: the sentence of the rule the model applied
    (fct_target_progress.status_reason), with that row's figures filled in. Nothing is re-derived here."""
    code = p.get("status_reason")
    if is_missing(code):
        return ""
    zh, en = status_reasons(seeds_dir).get(str(code), ("", str(code)))
    names = [field for _, field, _, _ in string.Formatter().parse(en) if field]
    sentence = en.format_map({name: _shown(name, p.get(name)) for name in names})
    return f"{sentence} ({zh})" if zh and code != "growth_chain_broken" else sentence


def _value_bound_word(bound) -> str:
    """'at least ' / 'at most ' for a figure computed from a bound, by the side the true value lies on
    (a projection grows with the actual it starts from: a lower bound gives a lower bound, whichever way
    the target points; 'at most 42' for PM2.5 read from '<42')."""
    bound = "" if is_missing(bound) else str(bound)
    return "at least " if bound in ("gt", "ge") else "at most " if bound in ("lt", "le") else ""


def _bounded_gap(gap: float, reading: str | None, short: str = "short of") -> str:
    """'1,000 short of' — or, on a bound, 'at most 1,000 short of': the gap shrinks when the status can
    only be better (bound_reading at_least: 突破4000 against 5000 is at most 1,000 short) and grows when
    it can only be worse."""
    shortfall = gap > 0
    word = short if shortfall else "beyond"
    if reading == "at_least":
        qualifier = "at most " if shortfall else "at least "
    elif reading == "at_most":
        qualifier = "at least " if shortfall else "at most "
    else:
        qualifier = ""
    return f"{qualifier}{num(abs(gap))} {word}"


def _release_text(p, vintages_said: bool = False) -> str:
    """'; release <id>' — or, for a figure counted from the county figures, where those came from
    (``vintages_said``: the line under it lists the figure's vintages, which says it was released again)."""
    if is_missing(p.get("release_id")) or not str(p["release_id"]):
        return "; counted from the county figures of this period (one release per county figure)"
    # is_revised: this is the latest of several vintages that differ (int_observations__latest: a release that only
    # restated the figure is not a revision)
    revised = " (the latest of several releases of this figure; every vintage: observation_vintages)"
    return f"; release {p['release_id']}" + (revised if flag(p.get("is_revised")) and not vintages_said else "")


VINTAGES_SHOWN = 5  # a figure released more often lists its first, "… N more", then its newest ones


def vintages_text(vintages: pd.DataFrame | None) -> str:
    """What the releases of one figure did, oldest first (report.data.figure_vintages: by release date, an
    illustrative figure before a real one and a day of arrival, 到达日, before a stated date):
    '修订 revised: 3,616.8 亿元 (release X, released 2023-03-30) -> 3,631.2 (release Y, released 2024-01-15)'
    when the value (or its bound) changed, '重发 restated: the same value in 2 releases (X 2023-03-30, Y
    2024-01-15)' when a later release repeated it; '' for a figure released once (or not found). More than
    VINTAGES_SHOWN releases: the first, '… N more', then the newest."""
    if vintages is None or len(vintages) < 2:
        return ""
    rows = list(vintages.itertuples())
    more = len(rows) - VINTAGES_SHOWN
    # the first (what was published first) and the newest (what the status reads) are always shown
    shown = rows if more <= 0 else [rows[0], *rows[-(VINTAGES_SHOWN - 1) :]]
    gap = f"… {more} more" if more > 0 else ""

    def released(r) -> str:
        return release_day(r.release_date, getattr(r, "release_date_imputed", False))

    figures = {(float(r.value), "eq" if is_missing(r.bound) else str(r.bound)) for r in rows}
    if len(figures) == 1:
        listed = [f"{r.release_id} {released(r)}" for r in shown]
        listed[1:1] = [gap] if gap else []
        return f"重发 restated: the same value in {len(rows)} releases ({', '.join(listed)})"
    steps = [
        f"{bound_prefix(r.bound)}{num(r.value)}"
        + (f" {unit_text(r.unit)}" if i == 0 and unit_text(r.unit) else "")
        + f" (release {r.release_id}, released {released(r)})"
        for i, r in enumerate(shown)
    ]
    steps[1:1] = [gap] if gap else []
    return "修订 revised: " + " -> ".join(steps)


# what each expected_share_method of the marts means, in words
_EXPECTED_PATHS = {
    "seasonal": "earlier years' monthly profile",
    "geometric": "compound growth at the required rate, years elapsed / years in the window",
    "linear": "straight line over the window",
}


def explain_text(
    target: pd.Series,
    progress: pd.DataFrame,
    period: str | None = None,
    history: int = 6,
    seeds_dir: Path = SEEDS_DIR,
    vintages_of: Callable[[pd.Series], pd.DataFrame] | None = None,
) -> str:
    """The calculation of one target's status in words and numbers (the reasons' sentences from
    ``seeds_dir``: the settings' seeds_dir). ``vintages_of``: the vintages of the figure behind the row
    explained (report.data.figure_vintages): a revision, or a restatement (not a revision: is_revised false)."""
    t = target
    lines = [f"{t['target_id']}  {t['title_zh']}", f"    {t['title_en']}", ""]
    lines.append(f"规划 plan      {t['plan_name_zh']} / {t['plan_name_en']}")
    lines.append(f"章节 section   {t['section_zh']} / {t['section_en']}")
    lines.append(f"原文 quote     “{t['quote']}”")
    if not is_missing(t.get("reading_notes")):
        lines.append(f"读法 reading   {t['reading_notes']}")
    if not t["has_series"]:  # a qualitative target: no figure series (seeds/target_kinds.csv)
        # the scorecard's status rolls up from the target's tasks (int_task_target_rollup); without tasks
        # it is not assessable, assessed by hand
        zh, en, _ = STATUSES.get(t.get("status_code"), ("无法评估", "not assessable", ""))
        how = (
            "assessed by hand, no figure is scored"
            if t.get("status_reason") == "qualitative_no_tasks" or is_missing(t.get("status_code"))
            else "rolled up from its tasks in the task ledger (seeds/tasks.csv, the units' monthly returns; "
            "pmw status --unit UNIT lists them)"
        )
        lines += ["", f"定性目标 qualitative target: {how} (status: {zh} {en})."]
        return "\n".join(lines)
    unit = unit_of(t)
    lines.append(
        f"目标 target     {t['comparator']} {num_as_written(t['target_value'])} {unit_text(t['target_unit'])}"
        f" by {day(t['deadline'])} (kind {t['target_kind']}, indicator {t['indicator_code']} "
        f"{t['indicator_name_zh']}; window {day(t['start_date'])} .. {day(t['deadline'])})"
    )
    if not is_missing(t.get("baseline_year")):
        base = ""
        if not is_missing(t.get("catalogue_baseline_value")):
            # in its indicator's unit (the level behind a multiple: 亿元, not 倍)
            base_unit = unit_text(t.get("catalogue_baseline_unit"))
            base = f" = {num_as_written(t['catalogue_baseline_value'])}" + (f" {base_unit}" if base_unit else "")
        src = "" if is_missing(t.get("baseline_source")) else f" ({t['baseline_source']})"
        lines.append(f"基期 baseline   {int(t['baseline_year'])}{base}{src}")
    if progress.empty:
        lines += [
            "",
            f"暂无数据 no data: no figure for indicator {t['indicator_code']} has been published for this "
            "target yet (status: no data).",
        ]
        return "\n".join(lines)
    rows = progress.sort_values(["period_end", "period_kind"])
    if period:
        chosen = rows[rows["period_code"] == period]
        if chosen.empty:
            raise UnknownPeriod(
                f"no period {period!r} for {t['target_id']}; periods with data: "
                + ", ".join(rows["period_code"].tolist()[-12:])
            )
        p = chosen.iloc[-1]
    else:
        p = rows.iloc[-1]
    lines += [
        "",
        f"期 period {p['period_code']} ({p['period_kind']}, ends {day(p['period_end'])})"
        + ("" if period else " — the latest with data"),
    ]
    quality = quality_label(p["actual_quality"])
    no_actual = is_missing(p.get("actual_value"))
    # a row with no actual has no bound on it; the figure behind it keeps its own (underlying_bound: a rank
    # 前三 with no baseline rank to gain places against is at best 3, whatever the places gained)
    actual = "—" if no_actual else f"{bound_prefix(p['actual_bound'])}{num(p['actual_value'])} {unit}"
    lines.append(f"  实际 actual      {actual}  [{quality}]")
    if not is_missing(p.get("underlying_value")) and p["underlying_value"] != p["actual_value"]:
        behind = underlying_text(p["underlying_value"], p.get("underlying_bound"), p.get("underlying_unit"))
        lines.append(f"                   indicator value behind it: {behind}")
    # a revision (3,616.8 -> 3,631.2) or a later release repeating the figure: which, from its vintages. Asked of
    # every figure, not only a revised one: a restatement is not a revision (is_revised false) and is said too
    said = vintages_text(vintages_of(p)) if vintages_of is not None else ""
    lines.append(
        "                   source: "
        + source_text(p["source_file"], p["source_row"], p["release_date"], p.get("release_date_imputed"))
        + _release_text(p, vintages_said=bool(said))
    )
    if said:
        lines.append(f"                   {said}")
    if not is_missing(p.get("derived_from")) and p["derived_from"]:
        lines.append(f"                   {made_from_label(p['actual_quality'])}: {p['derived_from']}")
    if p["actual_quality"] != "published":
        lines.append(
            "                   NOTE: not a published figure — "
            + ("generated sample data" if p["actual_quality"] == "illustrative" else "computed from published ones")
        )
    sym = COMPARATOR_SYMBOLS.get(str(p["comparator_applied"]), str(p["comparator_applied"]))
    on_bound = flag(p.get("status_rests_on_bound"))
    reading = None if is_missing(p.get("bound_reading")) else str(p["bound_reading"])
    if on_bound:
        met = (
            "cannot tell from the bound alone; read at the bound: "
            + ("yes" if flag(p.get("is_met_at_bound")) else "no")
            + " (the status rests on the bound)"
        )
    elif not is_missing(p["is_met"]):
        met = "yes" if flag(p["is_met"]) else "no"
    elif is_missing(p.get("actual_value")):
        # no comparable figure: say what is missing (a growth chain's year, the baseline), not "a bound"
        note = p.get("status_note")
        met = "cannot tell: no comparable figure" + ("" if is_missing(note) or not note else f" — {note}")
    elif str(p.get("actual_bound") or "eq") in ("eq", "approx"):
        met = "cannot tell: the figure cannot be compared with the target"
    else:
        met = "cannot tell (a bound)"
    lines.append(
        f"  目标 target      {sym} {num(p['target_level'])} {unit}  (comparator {p['comparator_applied']}); met: {met}"
    )
    if not is_missing(p["gap"]):
        gap = float(p["gap"])
        tolerance = p.get("tolerance_abs")
        sign = t.get("direction_sign")
        if (
            p["comparator_applied"] == "about"
            and not is_missing(tolerance)
            and float(tolerance) > 0
            and not is_missing(sign)
        ):
            # the mart's gap is the way to the band's edge on the desirable side (target − actual − tolerance,
            # int_target_assessment): 71 against 83左右 ± 1 is 11 short of 82, not of 83
            edge = float(p["target_level"]) - float(sign) * float(tolerance)
            band = f"the band's edge {num(edge)} (≈ {num(p['target_level'])} ± {num(tolerance)})"
            lines.append(f"  差距 gap         {_bounded_gap(gap, reading)} {band}")
        else:
            lines.append(f"  差距 gap         {_bounded_gap(gap, reading)} the target")
    if not is_missing(p["share_achieved"]):
        if (
            not is_missing(p.get("base_value"))
            and flag(t.get("is_cumulative"))
            and p["target_level"] != p["base_value"]
        ):
            formula = (
                f" = (actual − base) / (target − base) = ({num(p['actual_value'])} − {num(p['base_value'])})"
                f" / ({num(p['target_level'])} − {num(p['base_value'])})"
            )
        elif p["comparator_applied"] == "at_most":
            # lower is better: the share is target / actual (int_target_assessment share_achieved)
            formula = f" = target / actual = {num(p['target_level'])} / {num(p['actual_value'])}"
        else:
            formula = " = actual / target"
        lines.append(f"  完成度 achieved  {pct(p['share_achieved'])}{formula}")
    if not is_missing(p["expected_share"]):
        method = p["expected_share_method"]  # the mart names the path (int_target_assessment)
        how = _EXPECTED_PATHS.get(method, "straight line over the window")

        lines.append(
            f"  序时 expected    {pct(p['expected_share'])} by now ({method}: {how}); "
            f"time elapsed {pct(p['elapsed_share'])}"
        )
    bound_note = growth_note = ""
    # "published" only of a published figure: an illustrative or derived bound is that, not a published one
    given = "published " if p.get("actual_quality") == "published" else ""
    if reading:
        bound_note = (
            f" — a bound: the {given}figure is a lower bound, so this is at least as good"
            if reading == "at_least"
            else f" — a bound: the {given}figure is on the unfavourable side, so this is at most as good"
        )
        growth_note = (
            " — bounds: actual growth is at least this, the growth needed at most"
            if reading == "at_least"
            else " — bounds: actual growth is at most this, the growth needed at least"
        )
    if not is_missing(p.get("required_cagr")):
        left = None
        if not is_missing(p.get("years_total")) and not is_missing(p.get("years_elapsed")):
            left = int(p["years_total"]) - int(p["years_elapsed"])
        if left == 1:
            needed = f"growth needed in {day(t['deadline'])[:4]}: {pct(p['required_cagr_from_now'])}"
        elif left and left > 1:
            needed = f"needed from now {pct(p['required_cagr_from_now'])}/yr over the {left} years left"
        else:
            needed = f"needed from now {pct(p['required_cagr_from_now'])}/yr"
        lines.append(
            f"  增速 growth      actual {pct(p['actual_cagr'])}/yr since the baseline vs required "
            f"{pct(p['required_cagr'])}/yr; {needed}{growth_note}"
        )
    if not is_missing(p["progress_ratio"]):
        basis = "actual growth / required growth" if not is_missing(p.get("required_cagr")) else "achieved / expected"
        lines.append(
            f"  进度比 R         {num(p['progress_ratio'])} = {basis} (on track ≥ {num(p['threshold_on_track'])}, "
            f"needs acceleration ≥ {num(p['threshold_acceleration'])}){bound_note}"
        )
    if not is_missing(p["projected_value"]):
        lines.append(
            f"  预测 projection  {_value_bound_word(p.get('actual_bound'))}"
            f"{num(p['projected_value'])} {unit} at the deadline"
            + (
                ""
                if is_missing(p["projected_gap"])
                else f" ({_bounded_gap(float(p['projected_gap']), reading, 'short')})"
            )
        )
    if not is_missing(p.get("units_total")):
        lines.append(f"  单位 units       {int(p['units_reporting'])} of {int(p['units_total'])} reporting")
    zh, en, _ = STATUSES.get(p["status_code"], (p["status_code"], p["status_code"], ""))
    if flag(p.get("baseline_is_estimated")):
        lines.append(
            "  基期 baseline    the same months of the baseline year are not published: estimated (see derived "
            "from: the full baseline year x the seasonal share, or a full year's growth standing in for the "
            "same months' in a growth chain)"
        )
    if p.get("baseline_origin") == "published":  # int_target_baselines: a later release revised the report's figure
        base_unit = unit_text(t.get("catalogue_baseline_unit"))
        used = num_as_written(p["baseline_level"]) + (f" {base_unit}" if base_unit else "")
        quoted = num_as_written(t["catalogue_baseline_value"])
        lines.append(
            f"  基期 baseline    修订 revised: {used} as a later release published it, in place of the report's "
            f"{quoted} (the calculation trace names the release)"
        )
    qualifier = bound_qualifier(on_bound, reading)
    lines.append(f"  状态 status      {qualifier}{zh} {en} — {status_reason_text(p, seeds_dir)}")
    if on_bound:
        lines.append(
            f"                   the status rests on the {given}bound {bound_prefix(p['actual_bound'])}"
            + (
                underlying_text(p["underlying_value"], None, p.get("underlying_unit"))
                if not is_missing(p.get("underlying_value"))
                else underlying_text(p["actual_value"], None, unit)
            )
            + ": "
            "it is computed at the bound as if it were the figure; R and the projection are bounds too"
        )
    shown = t.get("latest_period_code")
    read_off = not period and not is_missing(shown) and shown != p["period_code"]
    if not period and not is_missing(t.get("status_code")) and (t["status_code"] != p["status_code"] or read_off):
        # the scorecard's status today differs from the period's: a deadline passed with no final figure, or
        # the newest period cannot be assessed and the scorecard shows the newest one that can (methodology §4)
        now_zh, now_en, _ = STATUSES.get(t["status_code"], (t["status_code"], t["status_code"], ""))
        where = f" (read off {shown}, the newest period that can be assessed)" if read_off else ""
        lines.append(f"  今日 status now  {now_zh} {now_en}{where} — {status_reason_text(t, seeds_dir)}")
    lines += ["", "计算过程 calculation trace (fct_target_progress.calculation_trace):", f"  {p['calculation_trace']}"]
    if not period:
        lines += [
            "",
            f"数据时效 freshness: latest release "
            f"{release_day(t['latest_release_date'], t.get('latest_release_date_imputed'))}; next release due "
            f"{day(t['next_release_due'])}" + (" — OVERDUE" if flag(t.get("is_next_release_overdue")) else ""),
        ]
    if history and len(rows) > 1:
        recent = rows.tail(history)
        hist_rows = []
        for r in recent.itertuples():
            value = (
                stage_label(r.actual_value)
                if t["measure_kind"] == "stage"
                else ("—" if is_missing(r.actual_value) else f"{bound_prefix(r.actual_bound)}{num(r.actual_value)}")
            )
            hist_rows.append(
                [
                    r.period_code,
                    value,
                    pct(r.share_achieved),
                    pct(r.expected_share),
                    num(r.progress_ratio),
                    STATUSES.get(r.status_code, (r.status_code,))[0],
                    quality_label(r.actual_quality).split()[0],
                    # the day the file arrived, no date it states: marked, said below the table
                    arrival_marked(r.release_date, getattr(r, "release_date_imputed", False)),
                ]
            )
        lines += [
            "",
            f"最近 {len(recent)} 期 recent periods:",
            table(
                [
                    "期 period",
                    "实际 actual",
                    "完成 achieved",
                    "序时 expected",
                    "R",
                    "状态 status",
                    "数据",
                    "发布 released",
                ],
                hist_rows,
                right=[1, 2, 3, 4],
            ),
        ]
        if any_arrival_marked(hist_rows):
            lines.append(ARRIVAL_NOTE)
    return "\n".join(lines)
