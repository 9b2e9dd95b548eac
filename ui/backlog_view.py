"""The Backlog page's column labels: the age bands, the ages on both clocks, the weekly backlog, the queue's mark."""
from __future__ import annotations

from ui.columns import COUNT, DAYS, HOURS, TIMESTAMP, YES_NO, Col, code

BUSINESS_HELP = "Working time since opening on the calendar of the ticket's resolution target, in its business days"
BAND_HELP = {"wall": "Age on the wall clock, in days of 24 hours", "business": BUSINESS_HELP}


def band_columns(clock: str) -> dict[str, Col]:
    """The age-band table's labels on ``clock`` (wall or business)."""
    unit = "days" if clock == "wall" else "business days"
    bands = {"under_1d": f"Under 1 {unit[:-1]}", "d1_3": f"1-3 {unit}", "d3_7": f"3-7 {unit}",
             "d7_14": f"7-14 {unit}", "d14_30": f"14-30 {unit}", "over_30d": f"Over 30 {unit}"}
    columns = {name: Col(label, COUNT, BAND_HELP[clock]) for name, label in bands.items()}
    columns["tickets"] = Col("Open tickets", COUNT)
    columns["p90_days"] = Col(f"90th percentile age ({unit})", DAYS, BAND_HELP[clock])
    return columns


WEEKLY = {"open_at_end": Col("Open at the end of the week", COUNT, "Opened and not resolved by Monday 00:00"),
          "p90_days": Col("90th percentile age (days)", DAYS, "Wall-clock age of the tickets open at the end of the week")}
OLDEST = {"age_days": Col("Age (days)", DAYS, BAND_HELP["wall"]),
          "business_age_days": Col("Business age (business days)", DAYS, BUSINESS_HELP),
          "deadline": Col("Resolution deadline", TIMESTAMP),
          "state": code("Resolution", "sla_state", "The resolution target's state now"),
          "left_h": Col("Time left (h)", HOURS, "Working hours left to the resolution deadline; negative once it passed")}
QUEUE = {"breached_while_open": Col("Already breached", YES_NO, "Past its deadline while still open"),
         "left_h": Col("Time left (working h)", HOURS,
                       "Working hours left to the deadline on the target's own calendar; negative once it passed")}
