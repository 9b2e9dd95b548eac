"""The charts of the monthly report: Plotly figures, and the same figures as PNG for the PDF.

Each ``..._figure`` takes the report's frames and compares the month with the one
before (the previous month in a lighter shade), so the page and the document show
the same chart. :func:`figure_png` renders a figure with kaleido 1.x on Debian's
Chromium kept warm for the process (``analytics.kernel.renderer``: one browser, two
tabs, the figures of a document drawn concurrently); :func:`warm_up` starts it early.
"""
from __future__ import annotations

import os
from collections.abc import Iterable, Mapping

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from analytics.intake.charts import CHANNEL_COLOURS
from analytics.kernel.renderer import CHROMIUM, RenderError, renderer, start_chart_browser
from analytics.kernel.text import chart_labels, chart_text
from analytics.reports.sections import CHANNEL_LABELS
from analytics.sla.charts import MEASURE_COLOURS

PREVIOUS_COLOUR = "#c9d3df"
CURRENT_COLOUR = "#2f6fb0"
PNG_WIDTH, PNG_SCALE = 900, 2


def _layout(fig: go.Figure, *, height: int, **extra) -> go.Figure:
    fig.update_layout(template="plotly_white", height=height, margin=dict(t=40, b=10, l=10, r=10),
                      legend=dict(orientation="h", y=1.12, x=0), font=dict(family="DejaVu Sans, sans-serif", size=12),
                      **extra)
    return fig


def _pct_labels(values: pd.Series) -> list[str]:
    return [f"{v:.1f}%" if pd.notna(v) else "–" for v in values]


def sla_comparison_figure(current: pd.DataFrame, previous: pd.DataFrame, *, month: str, previous_month: str) -> go.Figure:
    """Compliance per severity, response and resolution side by side, this month against the previous one."""
    fig = make_subplots(rows=1, cols=2, subplot_titles=("Response", "Resolution"), shared_yaxes=True)
    for col, measure in enumerate(("response", "resolution"), start=1):
        for frame, label, colour in ((previous, previous_month, PREVIOUS_COLOUR),
                                     (current, month, MEASURE_COLOURS[measure])):
            part = frame[frame["measure"] == measure].sort_values("severity")
            fig.add_bar(name=label, x=[f"Sev {s}" for s in part["severity"]],
                        y=part["compliance_pct"].fillna(0).tolist(), text=_pct_labels(part["compliance_pct"]),
                        textposition="outside", marker_color=colour, showlegend=False, row=1, col=col,
                        customdata=part[["met", "breached"]].to_numpy().tolist(),
                        hovertemplate=f"{label} " + "%{x}: %{y:.1f}% (%{customdata[0]} met, "
                                      "%{customdata[1]} breached)<extra></extra>")
    fig.update_yaxes(range=[0, 115], title_text="compliance %", row=1, col=1)
    return _layout(fig, height=340, barmode="group",
                   title=dict(text=f"{previous_month} (light) and {month} (dark)", font=dict(size=12), x=0))


def volume_comparison_figure(current: pd.DataFrame, previous: pd.DataFrame, *, month: str,
                             previous_month: str) -> go.Figure:
    """Tickets opened per channel, this month against the previous one."""
    fig = go.Figure()
    labels = [CHANNEL_LABELS.get(c, c) for c in current["channel"]]
    fig.add_bar(name=previous_month, x=labels, y=previous.set_index("channel").reindex(current["channel"])
                ["tickets"].fillna(0).astype(int).tolist(), marker_color=PREVIOUS_COLOUR)
    fig.add_bar(name=month, x=labels, y=current["tickets"].astype(int).tolist(), text=current["tickets"].tolist(),
                textposition="outside", marker_color=[CHANNEL_COLOURS.get(c, CURRENT_COLOUR) for c in current["channel"]])
    return _layout(fig, height=300, barmode="group", yaxis=dict(title="tickets opened", rangemode="tozero"))


def backlog_figure(current: pd.DataFrame, previous: pd.DataFrame, *, month: str, previous_month: str) -> go.Figure:
    """Open tickets per severity at the end of each month."""
    fig = go.Figure()
    for frame, label, colour in ((previous, previous_month, PREVIOUS_COLOUR), (current, month, CURRENT_COLOUR)):
        fig.add_bar(name=f"end of {label}", x=[f"Sev {s}" for s in frame["severity"]], y=frame["open"].tolist(),
                    text=frame["open"].tolist(), textposition="outside", marker_color=colour)
    return _layout(fig, height=280, barmode="group", yaxis=dict(title="open tickets", rangemode="tozero"))


def top_companies_figure(top: pd.DataFrame) -> go.Figure:
    """The five companies with the most breaches, response and resolution stacked."""
    fig = go.Figure()
    order = top.iloc[::-1]
    for measure in ("response", "resolution"):
        fig.add_bar(name=measure, y=chart_labels(order["company"]), x=order[measure].tolist(), orientation="h",
                    marker_color=MEASURE_COLOURS[measure])
    return _layout(fig, height=60 + 45 * max(len(top), 1), barmode="stack", xaxis_title="breaches")


def notification_figure(incidents: pd.DataFrame, *, target: int, deadline: int) -> go.Figure:
    """Minutes from impact defined to the first customer notice, per incident, against target and deadline."""
    minutes = incidents["minutes_to_notify"].astype(float)
    fig = go.Figure()
    fig.add_bar(x=incidents["reference"].tolist(), y=minutes.fillna(0).tolist(),
                text=[f"{m:.0f} min" if pd.notna(m) else "not notified" for m in minutes], textposition="outside",
                marker_color=["#b3261e" if late else "#2e8b57" for late in incidents["notified_late"].fillna(False)])
    fig.add_hline(y=target, line_dash="dot", line_color="#e8b93c", annotation_text=f"target {target} min",
                  annotation_position="bottom left")
    fig.add_hline(y=deadline, line_dash="dash", line_color="#b3261e", annotation_text=f"deadline {deadline} min",
                  annotation_position="top left")
    top = max([deadline * 1.3, *minutes.fillna(0).tolist()])
    return _layout(fig, height=280, showlegend=False, yaxis=dict(title="minutes to notify", range=[0, top * 1.2]),
                   xaxis=dict(type="category"))


def escalations_figure(current: pd.DataFrame, previous: pd.DataFrame, *, month: str, previous_month: str) -> go.Figure:
    """Escalations open at the end of each month, per level of the chain."""
    fig = go.Figure()
    labels = [f"{lvl}. {chart_text(name)}" for lvl, name in zip(current["level"], current["level_name"])]
    prev = previous.set_index("level").reindex(current["level"])["open"].fillna(0).astype(int)
    fig.add_bar(name=f"end of {previous_month}", x=labels, y=prev.tolist(), marker_color=PREVIOUS_COLOUR)
    fig.add_bar(name=f"end of {month}", x=labels, y=current["open"].tolist(), text=current["open"].tolist(),
                textposition="outside", marker_color=CURRENT_COLOUR)
    return _layout(fig, height=280, barmode="group", yaxis=dict(title="open escalations", rangemode="tozero"))


RCA_BARS = (("RCAs published", "rcas_published"), ("RCAs requested", "requests_received"),
            ("RCAs delivered", "requests_delivered"), ("Action items due", "action_items_due"),
            ("closed on time", "action_items_closed_on_time"), ("overdue at month end", "action_items_overdue_at_end"))


def rca_figure(current: dict, previous: dict, *, month: str, previous_month: str) -> go.Figure:
    """RCAs published, requested against delivered, action items due, closed on time and overdue."""
    fig = go.Figure()
    labels = [label for label, _ in RCA_BARS]
    for figures, label, colour in ((previous, previous_month, PREVIOUS_COLOUR), (current, month, CURRENT_COLOUR)):
        values = [int(figures.get(key) or 0) for _, key in RCA_BARS]
        fig.add_bar(name=label, x=labels, y=values, text=values, textposition="outside", marker_color=colour)
    return _layout(fig, height=280, barmode="group", yaxis=dict(title="count", rangemode="tozero"))


def lockouts_daily_figure(daily: pd.DataFrame, *, month: str) -> go.Figure:
    """Account lockouts per day of the month (the login page's daily counts)."""
    fig = go.Figure()
    fig.add_bar(name="lockouts", x=pd.to_datetime(daily["day"]).dt.strftime("%d").tolist(),
                y=daily["lockouts"].astype(int).tolist(), marker_color="#8e6bb8")
    return _layout(fig, height=260, showlegend=False, yaxis=dict(title="lockouts", rangemode="tozero"),
                   xaxis=dict(title=f"day of {month}", type="category"))


def trend_figure(trend: pd.DataFrame) -> go.Figure:
    """Compliance per month over the six months ending with the report's month (the SLA page's trend)."""
    from analytics.sla.charts import trend_figure as sla_trend_figure

    return _layout(sla_trend_figure(trend), height=280)  # the report's months are complete: no "so far"


# -- PNG -----------------------------------------------------------------------------
class ChartRenderError(RuntimeError):
    """A chart could not be rendered as an image (no browser, or the browser did not answer)."""


def _renderer():
    if not os.access(CHROMIUM, os.X_OK):
        raise ChartRenderError(f"no Chromium at {CHROMIUM} (set VIGIE_CHROMIUM)")
    return renderer(CHROMIUM)


def warm_up() -> None:
    """Start the process's Chromium in the background (returns at once; nothing when there is none)."""
    start_chart_browser(CHROMIUM)


def release() -> None:
    """Let the process's Chromium close in the background (a command done with charts; exit waits for it)."""
    if os.access(CHROMIUM, os.X_OK):
        renderer(CHROMIUM).release()


def _options(fig: go.Figure, width: int) -> dict:
    return dict(format="png", width=width, height=int(fig.layout.height or 320), scale=PNG_SCALE)


def figures_png(figures: Mapping[str, go.Figure] | Iterable[tuple[str, go.Figure]], *,
                width: int = PNG_WIDTH) -> tuple[dict[str, bytes], dict[str, str]]:
    """Every figure as PNG bytes, drawn concurrently by the process's warm Chromium; and why any failed.
    ``figures`` by name, or (name, figure) pairs made one by one: each goes to the browser as soon as it is made."""
    pairs = iter(figures.items() if isinstance(figures, Mapping) else figures)
    names: list[str] = []

    def each():
        for name, fig in pairs:
            names.append(name)
            yield fig, _options(fig, width)

    try:
        images = _renderer().render_each(each())
    except (RenderError, ChartRenderError) as exc:
        names.extend(name for name, _ in pairs)  # those not made yet
        return {}, {name: str(exc) for name in names}
    png = {n: img for n, img in zip(names, images) if isinstance(img, bytes)}
    errors = {n: f"Chromium could not draw it: {img}" for n, img in zip(names, images) if not isinstance(img, bytes)}
    return png, errors


def print_pdf(html: str) -> bytes:
    """``html`` printed as PDF by the process's warm Chromium, the one that draws the charts (its CSS ``@page``
    rules give the pages); ChartRenderError when there is no browser or it did not print."""
    try:
        return _renderer().print_pdf(html)
    except RenderError as exc:
        raise ChartRenderError(str(exc)) from exc


def figure_png(fig: go.Figure, *, width: int = PNG_WIDTH) -> bytes:
    """One figure as PNG bytes (kaleido on the system Chromium, kept warm for the process)."""
    png, errors = figures_png({"chart": fig}, width=width)
    if errors:
        raise ChartRenderError(errors["chart"])
    return png["chart"]
