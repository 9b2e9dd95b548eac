"""Chart conventions (analytics/kernel/charts.py): whole ticks for counts, months sorted as dates,
thresholds coloured, the month in progress drawn apart. Each failed on the charts before:
incidents per month out of date order and ticked at 0.5, every time-to-notify bar green (medians
of 47 and 51 min past the 30-min deadline included), the SLA trend's current month a full point,
the lockouts chart's right axis ticked 106 / 211 / 317."""
from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from analytics.incidents.charts import incidents_per_month_figure, notify_time_figure
from analytics.kernel.charts import PAST_DEADLINE, PAST_TARGET, WITHIN, count_axis, nice_step, threshold_colour
from analytics.logins.charts import daily_figure
from analytics.logins.rules import LockoutPolicy
from analytics.sla.charts import compliance_figure, trend_figure
from analytics.sla.team_charts import SO_FAR_OPACITY, handled_figure


@pytest.mark.parametrize("largest, step", [(0, 1), (3, 1), (5, 1), (6, 2), (12, 5), (30, 10), (317, 100),
                                           (1000, 200), (45_000, 10_000)])
def test_count_ticks_are_whole_and_nice(largest, step):
    assert nice_step(largest) == step
    assert count_axis(largest)["tickformat"] == ",d"


@pytest.mark.parametrize("minutes, colour", [(12, WITHIN), (20, WITHIN), (20.5, PAST_TARGET), (30, PAST_TARGET),
                                             (47, PAST_DEADLINE), (51, PAST_DEADLINE)])
def test_thresholds_colour_what_passes_them(minutes, colour):
    assert threshold_colour(minutes, target=20, deadline=30) == colour


def test_incidents_per_month_sort_as_dates_whatever_order_the_severities_add_them():
    monthly = pd.DataFrame({"month": pd.to_datetime(["2026-10-01", "2025-12-01", "2026-01-01", "2026-03-01"]),
                            "severity": [1, 2, 2, 1], "incidents": [1, 2, 1, 1]})
    figure = incidents_per_month_figure(monthly)
    assert figure.layout.xaxis.type == "date"
    everything = sorted({x for trace in figure.data for x in trace.x})
    assert everything == ["2025-12-01", "2026-01-01", "2026-03-01", "2026-10-01"]
    assert figure.layout.yaxis.dtick == 1


def test_notification_medians_past_the_deadline_are_red():
    monthly = pd.DataFrame({"month": pd.to_datetime(["2026-01-01", "2026-02-01", "2026-03-01"]),
                            "notify_median_min": [16.0, 47.0, 51.0], "within_deadline_pct": [100.0, 40.0, 20.0],
                            "notified": [3, 5, 4], "within_target_pct": [100.0, 20.0, 0.0]})
    bars = notify_time_figure(monthly, target=20, deadline=30).data[0]
    assert list(bars.marker.color) == [WITHIN, PAST_DEADLINE, PAST_DEADLINE]


def test_the_month_in_progress_is_drawn_apart_not_as_a_full_point():
    trend = pd.DataFrame({"month": pd.to_datetime(["2026-10-01", "2026-11-01", "2026-12-01"] * 2),
                          "measure": ["response"] * 3 + ["resolution"] * 3, "met": [90, 95, 10, 80, 85, 10],
                          "breached": [10, 5, 2, 20, 15, 2], "compliance_pct": [90.0, 95.0, 83.3, 80.0, 85.0, 83.3]})
    figure = trend_figure(trend, so_far=date(2026, 12, 1))
    full = [t for t in figure.data if t.name == "response"][0]
    partial = [t for t in figure.data if t.name == "response, month so far"][0]
    assert list(full.x) == ["2026-10-01", "2026-11-01"]
    assert list(partial.x) == ["2026-11-01", "2026-12-01"] and partial.line.dash == "dot"
    assert list(partial.text) == ["", "so far"] and list(partial.marker.symbol)[-1] == "circle-open"
    assert len(trend_figure(trend).data) == 2  # without a month in progress, every month is a full point


def test_the_failures_axis_of_the_lockouts_chart_ticks_round_numbers():
    daily = pd.DataFrame({"day": pd.date_range("2026-11-01", periods=3), "failures": [106, 211, 317],
                          "lockouts": [3, 4, 2], "unlocks": [1, 2, 3], "regenerations": [0, 1, 0]})
    figure = daily_figure(daily, LockoutPolicy())
    assert (figure.layout.yaxis2.dtick, figure.layout.yaxis2.tick0) == (100, 0)
    assert figure.layout.yaxis.dtick == 1


def test_tickets_handled_per_week_sort_as_dates_tick_whole_and_mark_the_week_so_far():
    weekly = pd.DataFrame({"week": pd.to_datetime(["2026-11-16", "2026-11-02", "2026-11-09", "2026-11-16"]).date,
                           "team": ["Network", "Network", "<b>R&D</b>", "<b>R&D</b>"], "open_at_end": [1, 2, 0, 3],
                           "handled": [2, 3, 1, 1], "so_far": [True, False, False, True]})
    figure = handled_figure(weekly)
    assert figure.layout.xaxis.type == "date" and figure.layout.yaxis.dtick == 1
    network = [t for t in figure.data if t.name == "Network"][0]
    assert list(network.x) == ["2026-11-02", "2026-11-16"] and list(network.marker.opacity) == [1.0, SO_FAR_OPACITY]
    assert [t.name for t in figure.data] == ["&lt;b&gt;R&amp;D&lt;/b&gt;", "Network"]  # a team's name as typed
    assert [(a.x, a.y, a.text) for a in figure.layout.annotations] == [("2026-11-16", 3, "so far")]


def test_compliance_bars_hold_their_labels_inside_when_long_and_past_the_end_when_short():
    """Horizontal bars, one row each, so no two labels meet; thousands separated; no decision said in words."""
    table = pd.DataFrame({"severity": [1, 1, 2, 2], "measure": ["response", "resolution"] * 2,
                          "compliance_pct": [98.3, 44.0, 45.0, None], "met": [1284, 11, 9, 0],
                          "breached": [22, 14, 11, 0]})
    figure = compliance_figure(table)
    bars = {trace.name: trace for trace in figure.data}
    assert {trace.orientation for trace in figure.data} == {"h"}
    assert list(bars["response"].text) == ["98.3% · 1,284/1,306", "45.0% · 9/20"]
    assert list(bars["response"].textposition) == ["inside", "inside"]
    assert list(bars["resolution"].text) == ["44.0% · 11/25", "no decision"]
    assert list(bars["resolution"].textposition) == ["outside", "outside"]
    assert list(figure.layout.yaxis.categoryarray) == ["Severity 1", "Severity 2"]
    assert figure.layout.xaxis.title.text == "compliance (%)"
