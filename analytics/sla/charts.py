"""Plotly figures of the SLA page, built from the engine's frames (tests assert on them)."""
from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from analytics.kernel.charts import month_axis

MEASURE_COLOURS = {"response": "#2f6fb0", "resolution": "#e07b39"}
INSIDE_FROM_PCT = 45  # from this compliance a bar holds its label, on half a page at 1280 px


def compliance_figure(table: pd.DataFrame) -> go.Figure:
    """Compliance per severity, one horizontal bar per measure, labelled with the counts behind it.

    Horizontal, each bar its own row: a label never meets its neighbour's, whatever the chart's width (upright
    bars in half a page overlapped theirs at 1280 px). The label sits inside a bar long enough to hold it and
    past the end of a shorter one."""
    fig = go.Figure()
    severities = sorted(table["severity"].unique())
    for measure in ("response", "resolution"):
        part = table[table["measure"] == measure]
        labels = [f"{p:.1f}% · {m:,}/{m + b:,}" if pd.notna(p) else "no decision"
                  for p, m, b in zip(part["compliance_pct"], part["met"], part["breached"])]
        fig.add_bar(name=measure, orientation="h", y=[f"Severity {s}" for s in part["severity"]],
                    x=part["compliance_pct"].fillna(0).tolist(), text=labels,
                    textposition=["inside" if pd.notna(p) and p >= INSIDE_FROM_PCT else "outside"
                                  for p in part["compliance_pct"]],
                    insidetextanchor="end", marker_color=MEASURE_COLOURS[measure],
                    hovertemplate="%{y}, " + measure + ": %{text}<extra></extra>")
    fig.update_traces(textfont_size=11, cliponaxis=False, constraintext="none")
    fig.update_layout(barmode="group", xaxis=dict(title="compliance (%)", range=[0, 100]),
                      yaxis=dict(categoryorder="array", categoryarray=[f"Severity {s}" for s in severities],
                                 autorange="reversed"),
                      legend=dict(title_text="measure", orientation="h", y=1.02, yanchor="bottom", x=0),
                      margin=dict(t=40, b=10, r=10), height=360)
    return fig


def trend_figure(trend: pd.DataFrame, *, so_far=None) -> go.Figure:
    """Monthly compliance per measure, months sorted as dates. ``so_far`` (the first day of the month
    in progress) is drawn apart: a dotted segment to an open marker labelled "so far", never as a
    full point (a few hours of a month read as a collapse)."""
    fig = go.Figure()
    partial_key = None if so_far is None else pd.Timestamp(so_far).strftime("%Y-%m-%d")
    for measure in ("response", "resolution"):
        part = trend[trend["measure"] == measure].sort_values("month")
        months = pd.to_datetime(part["month"]).dt.strftime("%Y-%m-%d")
        done, partial = part[months != partial_key], part[months == partial_key]
        colour = MEASURE_COLOURS[measure]
        fig.add_scatter(name=measure, x=pd.to_datetime(done["month"]).dt.strftime("%Y-%m-%d").tolist(),
                        y=done["compliance_pct"].tolist(), mode="lines+markers", line_color=colour,
                        customdata=done[["met", "breached"]].to_numpy().tolist(),
                        hovertemplate="%{x|%b %Y}: %{y:.1f}% (%{customdata[0]} met, %{customdata[1]} breached)"
                                      "<extra></extra>")
        if not partial.empty:
            joined = pd.concat([done.tail(1), partial])
            fig.add_scatter(name=f"{measure}, month so far", x=pd.to_datetime(joined["month"]).dt.strftime(
                                "%Y-%m-%d").tolist(), y=joined["compliance_pct"].tolist(),
                            mode="lines+markers+text", line=dict(color=colour, dash="dot"),
                            marker=dict(symbol=["circle"] * (len(joined) - 1) + ["circle-open"], size=9),
                            text=[""] * (len(joined) - 1) + ["so far"], textposition="top center",
                            customdata=joined[["met", "breached"]].to_numpy().tolist(), showlegend=False,
                            hovertemplate="%{x|%b %Y} so far: %{y:.1f}% (%{customdata[0]} met, "
                                          "%{customdata[1]} breached)<extra></extra>")
    fig.update_layout(yaxis=dict(title="compliance %"), xaxis=month_axis(),
                      margin=dict(t=30, b=10), height=320)
    return fig
