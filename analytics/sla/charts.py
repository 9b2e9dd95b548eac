"""Plotly figures of the SLA page, built from the engine's frames (tests assert on them)."""
from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

MEASURE_COLOURS = {"response": "#2f6fb0", "resolution": "#e07b39"}


def compliance_figure(table: pd.DataFrame) -> go.Figure:
    """Compliance per severity, one bar per measure, labelled with the counts behind it."""
    fig = go.Figure()
    for measure in ("response", "resolution"):
        part = table[table["measure"] == measure]
        labels = [f"{p:.1f}%<br>{m}/{m + b}" if pd.notna(p) else "no decision"
                  for p, m, b in zip(part["compliance_pct"], part["met"], part["breached"])]
        fig.add_bar(name=measure, x=[f"Severity {s}" for s in part["severity"]],
                    y=part["compliance_pct"].fillna(0).tolist(), text=labels, textposition="outside",
                    marker_color=MEASURE_COLOURS[measure])
    fig.update_traces(textfont_size=10, cliponaxis=False)
    fig.update_layout(barmode="group", yaxis=dict(title="compliance %", range=[0, 119]),
                      uniformtext=dict(minsize=9, mode="show"),
                      margin=dict(t=30, b=10), legend_title_text="measure", height=360)
    return fig


def trend_figure(trend: pd.DataFrame) -> go.Figure:
    """Monthly compliance per measure."""
    fig = go.Figure()
    for measure in ("response", "resolution"):
        part = trend[trend["measure"] == measure]
        fig.add_scatter(name=measure, x=part["month"].astype(str).tolist(), y=part["compliance_pct"].tolist(),
                        mode="lines+markers",
                        line_color=MEASURE_COLOURS[measure],
                        customdata=part[["met", "breached"]].to_numpy().tolist(),
                        hovertemplate="%{x|%b %Y}: %{y:.1f}% (%{customdata[0]} met, %{customdata[1]} breached)")
    fig.update_layout(yaxis=dict(title="compliance %"), xaxis=dict(title=None, dtick="M1", tickformat="%b %Y"),
                      margin=dict(t=30, b=10), height=320)
    return fig
