"""Plotly figures of the RCA pages and of the RCA document, built from analytics frames (tests assert on them)."""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pandas as pd
import plotly.graph_objects as go

from analytics.kernel.text import chart_labels

CATEGORY_COLOURS = ["#2f6fb0", "#e07b39", "#2e8b57", "#b3261e", "#8e6bbf", "#e8b93c", "#4aa3a2", "#a0522d",
                    "#7a8ca3", "#c2185b", "#5d7f3a", "#455a64"]
PUBLISHED, WAITING, OVERDUE = "#2e8b57", "#7a8ca3", "#b3261e"


def _months(frame: pd.DataFrame) -> list[str]:
    return [m.strftime("%Y-%m") for m in pd.to_datetime(frame["month"])]


def categories_over_time_figure(trend: pd.DataFrame, categories: list[str] | None = None,
                                months: list[str] | None = None) -> go.Figure:
    """Incidents per month and root-cause category, stacked (colours follow the taxonomy's order).

    ``months`` ('YYYY-MM') puts every month of the period on the axis, those without incidents too.
    """
    order = list(categories or []) + sorted(set(trend["category"]) - set(categories or []))
    months = sorted(set(months or []) | set(_months(trend) if not trend.empty else []))
    fig = go.Figure()
    for k, category in enumerate(order):
        part = trend[trend["category"] == category]
        if part.empty:
            continue
        counts = dict(zip(_months(part), part["incidents"].astype(int)))
        fig.add_bar(name=category, x=months, y=[int(counts.get(m, 0)) for m in months],
                    marker_color=CATEGORY_COLOURS[k % len(CATEGORY_COLOURS)],
                    hovertemplate="%{x}: %{y} incident(s) with a " + category.replace("%", "%%")
                                  + " root cause<extra></extra>")
    fig.update_layout(barmode="stack", yaxis=dict(title="incidents", dtick=1), xaxis=dict(title=None, type="category"),
                      legend_title_text="root-cause category", margin=dict(t=30, b=10), height=340)
    return fig


def publish_delay_figure(listing: pd.DataFrame, *, overdue_days: int) -> go.Figure:
    """Days from resolution to the published RCA per incident; those still waiting show their age so far."""
    frame = listing.sort_values("resolved_at")
    published = frame[frame["first_published_at"].notna()]
    waiting = frame[frame["first_published_at"].isna()]
    fig = go.Figure()
    fig.add_bar(name="published", x=published["reference"].tolist(),
                y=published["days_to_publish"].astype(float).tolist(), marker_color=PUBLISHED,
                hovertemplate="%{x}: published %{y:.1f} days after resolution<extra></extra>")
    for name, part, colour in (("waiting, overdue", waiting[waiting["overdue"].astype(bool)], OVERDUE),
                               ("waiting", waiting[~waiting["overdue"].astype(bool)], WAITING)):
        fig.add_bar(name=name, x=part["reference"].tolist(), y=part["days_since_resolution"].astype(float).tolist(),
                    marker_color=colour, hovertemplate="%{x}: no published RCA %{y:.1f} days after resolution"
                                                       "<extra></extra>")
    fig.add_hline(y=overdue_days, line_dash="dash", line_color=OVERDUE, annotation_text=f"{overdue_days} days")
    fig.update_layout(barmode="overlay", yaxis=dict(title="days after resolution"),
                      xaxis=dict(title=None, type="category", categoryorder="array",
                                 categoryarray=frame["reference"].tolist()),
                      margin=dict(t=30, b=10), height=320, legend=dict(orientation="h", y=1.12))
    return fig


def rca_timeline_figure(timeline: pd.DataFrame, *, started_at: datetime, resolved_at: datetime | None,
                        tz: str) -> go.Figure:
    """The document's timeline: one row per event (first occurrence on top), the disruption shaded.

    ``timeline`` has columns occurred_at and event only, so nothing else can reach the chart.
    """
    zone = ZoneInfo(tz)
    frame = timeline.sort_values("occurred_at")
    times = [pd.Timestamp(t).tz_convert(zone).strftime("%Y-%m-%d %H:%M:%S") for t in frame["occurred_at"]]
    labels = chart_labels(frame["event"])
    rows = list(dict.fromkeys(labels))
    fig = go.Figure()
    if resolved_at is not None:
        fig.add_vrect(x0=pd.Timestamp(started_at).tz_convert(zone).strftime("%Y-%m-%d %H:%M:%S"),
                      x1=pd.Timestamp(resolved_at).tz_convert(zone).strftime("%Y-%m-%d %H:%M:%S"),
                      fillcolor="#b3261e", opacity=0.08, line_width=0, annotation_text="service disrupted",
                      annotation_position="top left", annotation_yanchor="bottom")  # above the plot, off the markers
    fig.add_scatter(x=times, y=labels, mode="markers", marker=dict(size=11, color="#2f6fb0"),
                    hovertemplate="%{x}<br>%{y}<extra></extra>", showlegend=False)
    fig.update_layout(yaxis=dict(categoryorder="array", categoryarray=rows[::-1], title=None, automargin=True),
                      xaxis=dict(title=dict(text=f"time ({tz})", standoff=16), type="date", automargin=True),
                      margin=dict(t=30, b=10, l=10, r=10),
                      height=max(220, 60 + 26 * len(rows)), width=900, plot_bgcolor="white")
    fig.update_xaxes(showgrid=True, gridcolor="#e5e5e5")
    return fig
