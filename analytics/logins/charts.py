"""Plotly figures of the Login lockouts page, built from the frames of login_stats / login_support."""
from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from analytics.kernel.charts import count_axis
from analytics.kernel.text import chart_labels
from analytics.logins.rules import LockoutPolicy

COLOURS = {"failures": "#c9d6e8", "lockouts": "#c0392b", "unlocks": "#2f6fb0", "regenerations": "#e07b39",
           "ordinary": "#2f6fb0", "attack": "#c0392b", "inside": "#2e8b57", "outside": "#e07b39",
           "tickets": "#7f7f7f"}


def _layout(fig: go.Figure, height: int = 340, **kwargs) -> go.Figure:
    fig.update_layout(margin=dict(t=50, b=10, l=10, r=10), height=height,
                      legend=dict(orientation="h", y=1.02, yanchor="bottom", x=1, xanchor="right"), **kwargs)
    return fig


def daily_figure(daily: pd.DataFrame, policy: LockoutPolicy) -> go.Figure:
    """Failures per day (bars, right axis) with lockouts, unlocks and regenerations (lines)."""
    fig = go.Figure()
    fig.add_bar(name="failures", x=daily["day"], y=daily["failures"], marker_color=COLOURS["failures"], yaxis="y2")
    for column in ("lockouts", "unlocks", "regenerations"):
        fig.add_scatter(name=column, x=daily["day"], y=daily[column], mode="lines",
                        line_color=COLOURS[column])
    fig.update_layout(title=dict(text=f"policy: locked after {policy.threshold} failures in a row",
                                 font=dict(size=12, color=COLOURS["lockouts"]), y=0.99, x=0.01))
    lines = max([daily[c].max() for c in ("lockouts", "unlocks", "regenerations")] + [0]) if len(daily) else 0
    return _layout(fig, yaxis=count_axis(lines, title="lockouts, unlocks, regenerations"),
                   yaxis2=count_axis(daily["failures"].max() if len(daily) else 0, title="failures", overlaying="y",
                                     side="right", showgrid=False))


def depth_figure(depth: pd.DataFrame, policy: LockoutPolicy) -> go.Figure:
    """Failures by their rank in a run, the threshold marked: how many runs reached each step."""
    labels = [str(k) if k <= policy.threshold else "while locked" for k in depth["in_a_row"]]
    colours = [COLOURS["lockouts"] if k == policy.threshold else COLOURS["unlocks"] for k in depth["in_a_row"]]
    fig = go.Figure(go.Bar(x=labels, y=depth["failures"], marker_color=colours, text=depth["failures"],
                           textposition="outside", name="failures"))
    fig.add_vline(x=policy.threshold - 1.5, line_dash="dash", line_color=COLOURS["lockouts"])
    fig.add_annotation(x=policy.threshold - 1, y=1.0, yref="paper", showarrow=False, yanchor="bottom",
                       text=f"lock at {policy.threshold}", font=dict(color=COLOURS["lockouts"]))
    return _layout(fig, xaxis=dict(title="failure number in a row", type="category"),
                   yaxis=dict(title="failures"), showlegend=False)


def release_figure(dist: pd.DataFrame) -> go.Figure:
    """Lockouts by time to release, ordinary and during suspected attacks."""
    fig = go.Figure()
    for column in ("ordinary", "attack"):
        fig.add_bar(name=f"{column} lockouts", x=dist["time_to_release"], y=dist[column],
                    marker_color=COLOURS[column])
    return _layout(fig, barmode="stack", xaxis=dict(title="time from lockout to unlock or regeneration",
                                                     type="category"), yaxis=dict(title="lockouts"))


def release_company_figure(frame: pd.DataFrame, limit: int = 15) -> go.Figure:
    """Time to release per company as boxes (quartiles, whiskers min and 90th percentile), slowest on top."""
    part = frame.head(limit).iloc[::-1]
    fig = go.Figure(go.Box(y=chart_labels(part["company"]), q1=part["q1_h"], median=part["median_h"], q3=part["q3_h"],
                           lowerfence=part["min_h"], upperfence=part["p90_h"], orientation="h",
                           marker_color=COLOURS["unlocks"], name="hours to release"))
    return _layout(fig, height=max(300, 26 * len(part) + 80), showlegend=False,
                   xaxis=dict(title="hours from lockout to release (box: quartiles; whiskers: min, 90th pct)",
                              type="log"))


def zone_figure(inactivity: pd.DataFrame) -> go.Figure:
    """Per zone: share of logins ended by inactivity and share of those back within 10 minutes."""
    labels = [f"{z} ({t:g} min timeout)" for z, t in zip(inactivity["zone"], inactivity["timeout_min"])]
    fig = go.Figure()
    fig.add_bar(name="logins ended by an inactivity logout (%)", x=labels, y=inactivity["logout_pct"],
                marker_color=COLOURS["failures"], text=inactivity["logout_pct"], textposition="outside")
    fig.add_bar(name="of those, back within 10 min (%)", x=labels, y=inactivity["back_within_10_min_pct"],
                marker_color=COLOURS["outside"], text=inactivity["back_within_10_min_pct"], textposition="outside")
    return _layout(fig, barmode="group", yaxis=dict(title="%", rangemode="tozero"))


def return_figure(dist: pd.DataFrame) -> go.Figure:
    """Inactivity logouts by time until the user's next login attempt, per zone."""
    fig = go.Figure()
    for zone in ("inside", "outside"):
        part = dist[dist["zone"] == zone]
        fig.add_bar(name=f"{zone} the trusted zone", x=part["back_after"], y=part["logouts"],
                    marker_color=COLOURS[zone])
    return _layout(fig, barmode="group", xaxis=dict(title="back after", type="category"),
                   yaxis=dict(title="inactivity logouts"))


def tickets_figure(weekly: pd.DataFrame) -> go.Figure:
    """Per week: lockouts and regenerations beside the login-related support tickets."""
    fig = go.Figure()
    fig.add_bar(name="tickets: login lockout", x=weekly["week"], y=weekly["lockout_tickets"],
                marker_color=COLOURS["tickets"])
    fig.add_bar(name="tickets: password regeneration", x=weekly["week"], y=weekly["regeneration_tickets"],
                marker_color="#b5b5b5")
    fig.add_scatter(name="lockouts", x=weekly["week"], y=weekly["lockouts"], mode="lines+markers",
                    line_color=COLOURS["lockouts"])
    fig.add_scatter(name="regenerations", x=weekly["week"], y=weekly["regenerations"], mode="lines+markers",
                    line_color=COLOURS["regenerations"])
    return _layout(fig, barmode="stack", yaxis=dict(title="per week", rangemode="tozero"))


def phone_hours_figure(frame: pd.DataFrame, limit: int = 15) -> go.Figure:
    """Per company: lockouts during and outside phone-support hours, most outside first."""
    part = frame.head(limit).iloc[::-1]
    fig = go.Figure()
    fig.add_bar(name="outside phone hours", y=chart_labels(part["company"]), x=part["outside_phone_hours"], orientation="h",
                marker_color=COLOURS["lockouts"])
    fig.add_bar(name="during phone hours", y=chart_labels(part["company"]), x=part["lockouts"] - part["outside_phone_hours"],
                orientation="h", marker_color=COLOURS["ordinary"])
    return _layout(fig, height=max(300, 26 * len(part) + 80), barmode="stack", xaxis=dict(title="lockouts"))
