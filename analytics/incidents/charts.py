"""Plotly figures of the incidents page, built from analytics frames (tests assert on them)."""
from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from analytics.kernel.charts import count_axis, month_axis, threshold_colour
from analytics.kernel.text import chart_labels

SEVERITY_COLOURS = {1: "#b3261e", 2: "#e07b39", 3: "#e8b93c", 4: "#7a8ca3"}
TRACK_ORDER = ["impact", "lifecycle", "notification", "investigation"]
TRACK_COLOURS = {"impact": "#7a8ca3", "lifecycle": "#2f6fb0", "notification": "#2e8b57", "investigation": "#e07b39"}


def _months(frame: pd.DataFrame) -> list[str]:
    """Each row's month as its first day (ISO): a date axis sorts them as dates."""
    return [m.strftime("%Y-%m-01") for m in pd.to_datetime(frame["month"])]


def incidents_per_month_figure(monthly: pd.DataFrame) -> go.Figure:
    """Incidents per month (month of the start of the disruption), stacked by severity."""
    fig = go.Figure()
    for severity in sorted(monthly["severity"].unique()) if not monthly.empty else []:
        part = monthly[monthly["severity"] == severity]
        fig.add_bar(name=f"Severity {int(severity)}", x=_months(part), y=part["incidents"].astype(int).tolist(),
                    marker_color=SEVERITY_COLOURS.get(int(severity), "#999999"))
    largest = monthly.groupby("month")["incidents"].sum().max() if not monthly.empty else 0
    fig.update_layout(barmode="stack", yaxis=count_axis(largest, title="incidents"), xaxis=month_axis(),
                      margin=dict(t=30, b=10), legend_title_text="severity", height=320)
    return fig


def notify_time_figure(monthly: pd.DataFrame, *, target: int, deadline: int) -> go.Figure:
    """Median minutes to the first notification per month, against the target and the deadline: a bar
    within the target is green, past it amber, past the deadline red."""
    fig = go.Figure()
    labels = [f"{p:.0f}% ≤ {deadline} min" if pd.notna(p) else "no decision"
              for p in monthly["within_deadline_pct"]]
    fig.add_bar(name="median time to notify", x=_months(monthly),
                y=monthly["notify_median_min"].astype(float).fillna(0).tolist(), text=labels,
                textposition="outside",
                marker_color=[threshold_colour(m, target=target, deadline=deadline)
                              for m in monthly["notify_median_min"].astype(float)],
                customdata=monthly[["notified", "within_target_pct"]].astype(float).fillna(-1).to_numpy().tolist(),
                hovertemplate="%{x}: median %{y:.1f} min over %{customdata[0]} notified incidents; "
                              "%{customdata[1]:.0f}% within target<extra></extra>")
    fig.add_hline(y=target, line_dash="dot", line_color="#e8b93c", annotation_text=f"target {target} min")
    fig.add_hline(y=deadline, line_dash="dash", line_color="#b3261e", annotation_text=f"deadline {deadline} min")
    top = max([deadline * 1.3, *monthly["notify_median_min"].astype(float).fillna(0).tolist()])
    fig.update_layout(yaxis=dict(title="minutes after impact defined", range=[0, top * 1.15]),
                      xaxis=month_axis(), margin=dict(t=30, b=10), height=320, showlegend=False)
    return fig


def timeline_figure(events: pd.DataFrame) -> go.Figure:
    """One incident's events on a time axis, one row per track (impact, lifecycle, notification, investigation)."""
    fig = go.Figure()
    for track in TRACK_ORDER:
        part = events[events["track"] == track]
        if part.empty:
            continue
        fig.add_scatter(name=track, x=[t.isoformat() for t in pd.to_datetime(part["occurred_at"])],
                        y=[track] * len(part), mode="markers", text=chart_labels(part["event"]),
                        marker=dict(size=12, color=TRACK_COLOURS[track]),
                        hovertemplate="%{x}<br>%{text}<extra></extra>")
    fig.update_layout(yaxis=dict(categoryorder="array", categoryarray=TRACK_ORDER[::-1], title=None),
                      xaxis=dict(title=None), margin=dict(t=20, b=10), height=240, showlegend=False)
    return fig
