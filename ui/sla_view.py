"""The SLA page's per-severity table: the target in words and the median / 90th percentile as durations."""
from __future__ import annotations

import pandas as pd

from analytics.sla.clock import format_duration

UNIT_LABELS = {"minutes": "min", "hours": "h", "business_days": "business days"}


def target_label(row) -> str:
    """``< 30 min (24/7)``: a target with its unit and calendar."""
    return f"< {row.target_value:g} {UNIT_LABELS[row.target_unit]} ({row.calendar_name})"


def severity_rows(table: pd.DataFrame) -> pd.DataFrame:
    """One row per severity and measure, in the columns ``ui.columns`` labels."""
    return pd.DataFrame({
        "severity": table["severity"], "measure": table["measure"],
        "target": [target_label(r) for r in table.itertuples()],
        "compliance_pct": table["compliance_pct"], "met": table["met"], "breached": table["breached"],
        "pending": table["pending"], "at_risk": table["at_risk"],
        "median": table["median_s"].map(format_duration), "p90": table["p90_s"].map(format_duration),
    })
