"""Plotly figures of the escalations page, built from the frames of ``analytics.escalations.stats``."""
from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from analytics.kernel.text import chart_text

LEVEL_COLOURS = ["#2f6fb0", "#5aa0d8", "#e0a43a", "#e07b39", "#b8322a", "#7a1f1a", "#4d4d4d"]


def _colour(level: int) -> str:
    return LEVEL_COLOURS[min(int(level), len(LEVEL_COLOURS)) - 1]


def _months(column: pd.Series) -> list[str]:
    """Months as ISO dates in plain lists (the chart JSON stays readable)."""
    return [f"{m:%Y-%m-%d}" for m in column]


def arrivals_figure(frame: pd.DataFrame) -> go.Figure:
    """Escalations arriving at each level per month, stacked by level."""
    fig = go.Figure()
    for (level, name), part in frame.groupby(["level", "level_name"], sort=True):
        fig.add_bar(name=f"{level}. {chart_text(name)}", x=_months(part["month"]), y=part["escalations"].tolist(),
                    marker_color=_colour(level),
                    hovertemplate="%{x|%b %Y}: %{y} arrived at level %{fullData.name}<extra></extra>")
    fig.update_layout(barmode="stack", yaxis=dict(title="escalations"), legend_title_text="level",
                      xaxis=dict(title=None, dtick="M1", tickformat="%b %Y"), margin=dict(t=30, b=10), height=340)
    return fig


def acknowledgement_figure(frame: pd.DataFrame, *, ack_hours: float) -> go.Figure:
    """Median (bar) and 90th percentile (marker) hours to acknowledge per level, with the flag threshold."""
    labels = [f"{lvl}. {chart_text(name)}" for lvl, name in zip(frame["level"], frame["level_name"])]
    fig = go.Figure()
    fig.add_bar(name="median", x=labels, y=frame["median_ack_h"].tolist(),
                marker_color=[_colour(lvl) for lvl in frame["level"]],
                text=[f"{m:.1f} h" if pd.notna(m) else "none yet" for m in frame["median_ack_h"]],
                textposition="outside", customdata=frame[["acknowledged", "arrived", "late"]].to_numpy().tolist(),
                hovertemplate="%{x}: median %{y:.1f} h (%{customdata[0]} of %{customdata[1]} acknowledged, "
                              "%{customdata[2]} late)<extra></extra>")
    fig.add_scatter(name="90th percentile", x=labels, y=frame["p90_ack_h"].tolist(), mode="markers",
                    marker=dict(symbol="line-ew-open", size=28, color="#333"))
    fig.add_hline(y=ack_hours, line_dash="dash", line_color="#b8322a",
                  annotation_text=f"flagged after {ack_hours:g} h", annotation_position="top left")
    fig.update_layout(yaxis=dict(title="hours to acknowledge"), margin=dict(t=30, b=10), height=340,
                      showlegend=True)
    return fig


def sla_share_figure(frame: pd.DataFrame) -> go.Figure:
    """Share of escalations raised because an SLA was breached: by reason code and per the SLA engine."""
    fig = go.Figure()
    for column, count, name, colour in (("coded_pct", "coded_sla_breach", "reason code 'sla_breach'", "#2f6fb0"),
                                        ("engine_pct", "engine_breached", "ticket breached (SLA engine)", "#e07b39")):
        fig.add_scatter(name=name, x=_months(frame["month"]), y=frame[column].tolist(), mode="lines+markers",
                        line_color=colour,
                        customdata=frame[[count, "raised"]].to_numpy().tolist(),
                        hovertemplate="%{x|%b %Y}: %{y:.1f}% (%{customdata[0]} of %{customdata[1]})<extra></extra>")
    fig.update_layout(yaxis=dict(title="% of escalations raised", range=[0, 105]),
                      xaxis=dict(title=None, dtick="M1", tickformat="%b %Y"), margin=dict(t=30, b=10), height=320)
    return fig


def depth_figure(frame: pd.DataFrame) -> go.Figure:
    """Escalations by the highest level they reached."""
    fig = go.Figure(go.Bar(
        x=[f"{d}. {chart_text(n)}" for d, n in zip(frame["depth"], frame["level_name"])], y=frame["escalations"].tolist(),
        marker_color=[_colour(d) for d in frame["depth"]],
        text=[f"{c} ({s:.0f}%)" for c, s in zip(frame["escalations"], frame["share_pct"])], textposition="outside",
        hovertemplate="%{x}: %{y} escalations reached this level and went no higher<extra></extra>"))
    fig.update_layout(yaxis=dict(title="escalations"), xaxis=dict(title="highest level reached"),
                      margin=dict(t=30, b=10), height=320)
    return fig


def time_at_level_figure(frame: pd.DataFrame) -> go.Figure:
    """Median hours spent at each level (bars) with the 90th percentile (markers)."""
    labels = [f"{lvl}. {chart_text(name)}" for lvl, name in zip(frame["level"], frame["level_name"])]
    fig = go.Figure()
    fig.add_bar(name="median", x=labels, y=frame["median_h"].tolist(),
                marker_color=[_colour(lvl) for lvl in frame["level"]],
                text=[f"{m:.1f} h" for m in frame["median_h"]], textposition="outside",
                customdata=frame[["stints", "escalated_on", "resolved_here"]].to_numpy().tolist(),
                hovertemplate="%{x}: median %{y:.1f} h over %{customdata[0]} escalations "
                              "(%{customdata[1]} escalated on, %{customdata[2]} resolved here)<extra></extra>")
    fig.add_scatter(name="90th percentile", x=labels, y=frame["p90_h"].tolist(), mode="markers",
                    marker=dict(symbol="line-ew-open", size=28, color="#333"))
    fig.update_layout(yaxis=dict(title="hours at the level"), margin=dict(t=30, b=10), height=320)
    return fig
