"""The Escalations page's timeline as read: the event that raised an escalation says its reason in words."""
from __future__ import annotations

import pandas as pd

from ui.labels import code_label


def timeline_rows(frame: pd.DataFrame) -> pd.DataFrame:
    """``stats.escalation_timeline`` with the reason code kept in a 'raised' event's note shown as its word."""
    raised = frame["kind"] == "raised"
    notes = frame["note"].astype(object).where(~raised, frame["note"].map(lambda v: code_label(v, "reason_code")))
    return frame.assign(note=notes)
