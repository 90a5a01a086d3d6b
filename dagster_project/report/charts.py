"""Plotly figures of the report: the summary by section, and one small chart per quantified target.

A target chart shows the actual series (marker shape by data quality), the target line, the path
needed from the baseline to the deadline (geometric for compound-growth targets, the seasonal
expected shares where the model used them, else a straight line) and the projection to the deadline.
Every point's hover names its release file, row and release date.
"""

from __future__ import annotations

from datetime import timedelta

import pandas as pd
import plotly.graph_objects as go

from dagster_project.report.labels import (
    QUALITIES,
    STATUSES,
    bound_prefix,
    bounded_value_prefix,
    is_missing,
    made_from_label,
    num,
    quality_label,
    source_text,
    underlying_text,
    unit_of,
)

# figure config: no logo, no network-dependent buttons; responsive to the card width
PLOT_CONFIG = {"displaylogo": False, "responsive": True, "displayModeBar": False}
QUALITY_MARKERS = {
    "published": {"symbol": "circle", "color": "#0b5394", "size": 8},
    "derived": {"symbol": "diamond", "color": "#e69138", "size": 8},
    "illustrative": {"symbol": "circle-open", "color": "#6d8fb5", "size": 7},
}
FONT = {"family": "'Noto Sans CJK SC','WenQuanYi Micro Hei','Microsoft YaHei','PingFang SC',sans-serif", "size": 11}


def _base_layout(height: int) -> dict:
    return {
        "height": height,
        "margin": {"l": 52, "r": 14, "t": 26, "b": 40},
        "font": FONT,
        # no plotly template: the default one would be copied into each of the ~50 figures (~8 kB each)
        "template": "none",
        "plot_bgcolor": "#ffffff",
        "paper_bgcolor": "#ffffff",
        "hovermode": "closest",
        "legend": {"orientation": "h", "y": -0.18, "x": 0, "font": {"size": 10}},
    }


def summary_figure(scorecard: pd.DataFrame, sections: list[str]) -> go.Figure:
    """Targets by section and status: one stacked bar per section."""
    counts = scorecard.groupby(["section_zh", "status_code"]).size().unstack(fill_value=0).reindex(sections)
    fig = go.Figure()
    for code, (zh, en, colour) in STATUSES.items():
        if code not in counts.columns:
            continue
        fig.add_bar(
            y=counts.index,
            x=counts[code],
            orientation="h",
            name=f"{zh} {en}",
            marker_color=colour,
            hovertemplate="%{y}<br>" + f"{zh} {en}" + ": %{x}<extra></extra>",
        )
    layout = _base_layout(height=40 + 24 * len(counts))
    layout.update(
        barmode="stack",
        yaxis={"autorange": "reversed", "automargin": True},
        xaxis={"title": {"text": "目标数 targets"}},
        legend={
            "orientation": "h",
            "y": 1.02,
            "yanchor": "bottom",
            "x": 0,
            "font": {"size": 10},
            "traceorder": "normal",
        },
        margin={"l": 10, "r": 10, "t": 40, "b": 40},
    )
    fig.update_layout(**layout)
    return fig


def expected_level(base, share, goal):
    """The level an expected share of the way from the baseline to the target stands at (scalars or columns)."""
    return base + share * (goal - base)


def _trajectory(target: pd.Series, rows: pd.DataFrame) -> tuple[list, list, str] | None:
    """The path needed from the baseline to the deadline, in the actual's terms; None for state targets."""
    if rows["expected_share"].isna().all():
        return None  # no baseline, or it already met the target: judged on the distance alone
    last = rows.iloc[-1]
    base, goal = float(last["base_value"]), float(last["target_level"])
    start = pd.Timestamp(target["start_date"]) - timedelta(days=1)  # the baseline is the day before
    deadline = pd.Timestamp(target["deadline"])
    if not is_missing(last["required_cagr"]) and base > 0:
        # compound growth from the end of the baseline year: base × (target/base)^(t/T)
        baseline_year = int(target["baseline_year"])
        years_total = (deadline.year - baseline_year) or 1
        dates = pd.date_range(start, deadline, freq="QE").union([start, deadline])
        # years since the end of the baseline year, exact at every year end (as the model counts them)
        elapsed = [d.year - baseline_year - 1 + d.day_of_year / (366 if d.is_leap_year else 365) for d in dates]
        values = [base * (goal / base) ** (max(t, 0.0) / years_total) for t in elapsed]
        return list(dates), values, "所需路径（复合增长）required path (compound)"
    seasonal = rows[rows["expected_share_method"] == "seasonal"]
    if len(seasonal):
        dates = [start, *seasonal["period_end"], deadline]
        values = [base, *expected_level(base, seasonal["expected_share"], goal), goal]
        return dates, values, "所需路径（季节性序时）required path (seasonal)"
    return [start, deadline], [base, goal], "所需路径（线性序时）required path (linear)"


def target_figure(target: pd.Series, rows: pd.DataFrame) -> go.Figure:
    """One target: actual series, target line, required path and projection."""
    rows = rows.sort_values(["period_end", "period_kind"])
    unit = unit_of(target)
    fig = go.Figure()
    start = pd.Timestamp(target["start_date"]) - timedelta(days=1)
    deadline = pd.Timestamp(target["deadline"])

    # target: a constant, or per period when it moves (improvement targets: the same period a year earlier)
    levels = rows["target_level"].dropna()
    if levels.nunique() > 1:
        fig.add_scatter(
            x=rows["period_end"],
            y=rows["target_level"],
            mode="lines",
            line={"color": "#d1242f", "dash": "dash", "shape": "hv"},
            name="目标 target",
            hovertemplate="目标 target %{y:,.4~f}<extra></extra>",
        )
    elif len(levels):
        fig.add_scatter(
            x=[start, deadline],
            y=[levels.iloc[0]] * 2,
            mode="lines",
            line={"color": "#d1242f", "dash": "dash"},
            name=f"目标 target {num(levels.iloc[0])}",
            hoverinfo="skip",
        )

    path = _trajectory(target, rows)
    if path is not None:
        fig.add_scatter(
            x=path[0],
            y=path[1],
            mode="lines",
            line={"color": "#999999", "dash": "dot"},
            name=path[2],
            hovertemplate="所需 required %{y:,.4~f} (%{x|%Y-%m})<extra></extra>",
        )
        if "compound" in path[2]:
            # the compound path is in calendar time, exact at year ends; a part of a year is compared with
            # the same months of the baseline year, whole years of required growth apart (years_elapsed):
            # 2022 1-3月 against 1.1487, not the path's 1.0348 on 2022-03-31. Mark what the model used.
            part = rows[(rows["period_kind"] != "year") & rows["expected_share"].notna()]
            if len(part):
                fig.add_scatter(
                    x=part["period_end"],
                    y=expected_level(part["base_value"], part["expected_share"], part["target_level"]),
                    mode="markers",
                    marker={"symbol": "line-ew-open", "size": 12, "color": "#666666", "line": {"width": 2}},
                    name="序时（同月比）expected (same months)",
                    hovertemplate="序时 expected %{y:,.4~f} (%{x|%Y-%m}, against the same months of the "
                    "baseline year)<extra></extra>",
                )

    fig.add_scatter(
        x=rows["period_end"],
        y=rows["actual_value"],
        mode="lines",
        line={"color": "#6d8fb5", "width": 1.5},
        showlegend=False,
        hoverinfo="skip",
    )
    for quality in QUALITIES:
        part = rows[rows["actual_quality"] == quality]
        if part.empty:
            continue
        custom = [
            [
                r.period_code,
                f"{bound_prefix(r.actual_bound)}{num(r.actual_value)} {unit}",
                quality_label(quality),
                source_text(r.source_file, r.source_row, r.release_date, getattr(r, "release_date_imputed", False)),
                ""
                if is_missing(r.underlying_value) or r.underlying_value == r.actual_value
                else "<br>指标值 indicator value "
                + underlying_text(
                    r.underlying_value, getattr(r, "underlying_bound", None), getattr(r, "underlying_unit", None)
                ),
                ""
                if is_missing(r.derived_from) or not r.derived_from
                else f"<br>{made_from_label(quality)}: " + str(r.derived_from)[:140],
            ]
            for r in part.itertuples()
        ]
        fig.add_scatter(
            x=part["period_end"],
            y=part["actual_value"],
            mode="markers",
            marker=QUALITY_MARKERS[quality],
            name=f"实际（{quality_label(quality)}）actual",
            customdata=custom,
            hovertemplate="%{customdata[0]}: <b>%{customdata[1]}</b> (%{customdata[2]})%{customdata[4]}"
            "<br>来源 source: %{customdata[3]}%{customdata[5]}<extra></extra>",
        )

    last = rows.iloc[-1]
    if not is_missing(last["projected_value"]) and pd.Timestamp(last["period_end"]) < deadline:
        # a projection from a bound (突破300) is a bound on the same side: "≥300", not "300"
        side = bounded_value_prefix(last.get("actual_bound"))
        fig.add_scatter(
            x=[last["period_end"], deadline],
            y=[last["actual_value"], last["projected_value"]],
            mode="lines+markers",
            line={"color": "#7b3294", "dash": "dashdot"},
            marker={"symbol": ["circle", "x"], "size": [1, 9], "color": "#7b3294"},
            name=f"预测 projection {side}{num(last['projected_value'])}",
            hovertemplate=f"预测 projected at deadline {side}%{{y:,.4~f}}<extra></extra>",
        )

    layout = _base_layout(height=290)
    lower_better = last.get("comparator_applied") == "at_most"
    layout["yaxis"] = {"zeroline": False}
    layout["xaxis"] = {"range": [start - timedelta(days=20), deadline + timedelta(days=40)]}
    layout["shapes"] = [
        {
            "type": "line",
            "xref": "x",
            "yref": "paper",
            "x0": deadline,
            "x1": deadline,
            "y0": 0,
            "y1": 1,
            "line": {"color": "#bbbbbb", "width": 1},
        }
    ]
    # the unit as a horizontal label (a rotated y-axis title turns CJK units sideways)
    marks = [f"单位 unit: {unit}" + ("（越低越好 lower is better）" if lower_better else "")] if unit else []
    if (rows["actual_quality"] == "illustrative").any():
        marks.append("<b style='color:#9a6700'>示意数据 ILLUSTRATIVE</b>")
    if (rows["actual_quality"] == "derived").any():
        marks.append("<b style='color:#8a4b00'>含推算 DERIVED</b>")
    layout["annotations"] = [
        {
            "text": "截止 deadline",
            "x": deadline,
            "xref": "x",
            "y": 1,
            "yref": "paper",
            "showarrow": False,
            "xanchor": "right",
            "yanchor": "bottom",
            "font": {"size": 9, "color": "#888"},
        },
        *(
            [
                {
                    "text": " · ".join(marks),
                    "x": 0,
                    "xref": "paper",
                    "y": 1,
                    "yref": "paper",
                    "showarrow": False,
                    "xanchor": "left",
                    "yanchor": "bottom",
                    "font": {"size": 10, "color": "#57606a"},
                }
            ]
            if marks
            else []
        ),
    ]
    fig.update_layout(**layout)
    return fig
