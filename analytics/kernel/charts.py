"""Chart conventions every figure builder follows (plain Plotly layout dictionaries, no Plotly import).

- A count axis ticks at whole numbers (never 0.5 incidents), on a nice step (1, 2, 5, 10, ...).
- A month axis is a date axis, one tick per month, so months sort as dates whatever order the
  traces add them in.
- A threshold is drawn and named, and what passes it is coloured: within target green, past the
  target amber, past the deadline red.
- The current, incomplete period is drawn apart ("so far"), never as a full point.
"""
from __future__ import annotations

import math

WITHIN, PAST_TARGET, PAST_DEADLINE, NOTHING = "#2e8b57", "#e8b93c", "#b3261e", "#b0b7c3"


def nice_step(largest: float, ticks: int = 5) -> int:
    """A whole tick step (1, 2, 5 times a power of ten) giving about ``ticks`` ticks up to ``largest``."""
    if not largest or largest <= ticks:
        return 1
    raw = largest / ticks
    power = 10 ** math.floor(math.log10(raw))
    return int(next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw and (m != 2.5 or power >= 10)))


def count_axis(largest: float, **extra) -> dict:
    """A y (or x) axis of counts: from zero, whole ticks on a nice step, thousands separated."""
    return {"rangemode": "tozero", "tickformat": ",d", "dtick": nice_step(largest), "tick0": 0, **extra}


def month_axis(**extra) -> dict:
    """A date axis of months: sorted as dates, one labelled tick per month."""
    return {"type": "date", "dtick": "M1", "tickformat": "%b %Y", "title": None, **extra}


def threshold_colour(value: float | None, *, target: float, deadline: float) -> str:
    """Green within the target, amber past it, red past the deadline, grey when there is no value."""
    if value is None or value != value:  # None or NaN
        return NOTHING
    return WITHIN if value <= target else PAST_TARGET if value <= deadline else PAST_DEADLINE
