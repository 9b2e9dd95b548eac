"""Plotly figure of the Teams page: tickets handled per week, stacked per team or assignee, the week in progress
drawn apart ("so far")."""
from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from analytics.kernel.charts import count_axis
from analytics.kernel.text import chart_text

SO_FAR_OPACITY = 0.45


def handled_figure(weekly: pd.DataFrame, by: str = "team") -> go.Figure:
    """Tickets resolved per week (a date axis of Mondays, sorted as dates), one stacked bar per ``by``; the bars of
    the week in progress are faded and the week is labelled "so far"; names are shown as typed (``chart_text``)."""
    fig = go.Figure()
    frame = weekly.assign(week=pd.to_datetime(weekly["week"]).dt.strftime("%Y-%m-%d"),
                          who=weekly[by].fillna("(none)").astype(str)) if len(weekly) else weekly.assign(who=[])
    frame = frame.sort_values(["week", "who"]) if len(frame) else frame
    for who in sorted(set(frame["who"])):
        part = frame[frame["who"] == who]
        fig.add_bar(name=chart_text(who), x=part["week"].tolist(), y=part["handled"].tolist(),
                    marker_opacity=[SO_FAR_OPACITY if s else 1.0 for s in part["so_far"]],
                    hovertemplate="%{fullData.name}<br>week of %{x|%d %b %Y}: %{y:,d} handled<extra></extra>")
    largest = frame.groupby("week")["handled"].sum().max() if len(frame) else 0
    partial = sorted(set(frame.loc[frame["so_far"].astype(bool), "week"])) if len(frame) else []
    for week in partial:
        fig.add_annotation(x=week, y=int(frame.loc[frame["week"] == week, "handled"].sum()), text="so far",
                           showarrow=False, yshift=12)
    fig.update_layout(barmode="stack", xaxis=dict(type="date", tickformat="%d %b", title="week of (Monday)"),
                      yaxis=count_axis(float(largest or 0), title="tickets handled (resolved)"),
                      margin=dict(t=30, b=10), height=340, legend_title_text=by)
    return fig
