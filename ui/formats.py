"""One figure as words, for a page's headline (``st.metric``) or a sentence: a duration, a share, an instant.

Tables have ``ui.tables``; these are the same rules for the single figures around them: a dash
for an unknown value, units written out, the deployment time zone.
"""
from __future__ import annotations

import pandas as pd

from ui.text import DASH


def hours(value) -> str:
    """A duration in hours as "25 min" under an hour, "1.5 h" from one; a dash when unknown."""
    if value is None or pd.isna(value):
        return DASH
    return f"{value * 60:.0f} min" if value < 1 else f"{value:.1f} h"


def share(part, whole) -> str:
    """``part`` of ``whole`` as "12.5%" (a dash when there is no whole)."""
    return f"{100 * part / whole:.1f}%" if whole else DASH


def count(value) -> str:
    """A count with thousands separators; a dash when unknown."""
    return DASH if value is None or pd.isna(value) else f"{int(value):,}"


def figure(value, unit: str = "", digits: int = 0) -> str:
    """A measured figure with its unit ("43 min", "2.3 h", "87%"); a dash when unknown."""
    if value is None or pd.isna(value):
        return DASH
    return f"{value:,.{digits}f}{'' if unit == '%' or not unit else ' '}{unit}"
