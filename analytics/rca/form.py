"""The review form's tables, both ways: content -> the frames a table editor shows, edited frames -> content.

Pure pandas (no Streamlit, no database), so the page stays a layout and the round trip is
testable. Times are shown as naive wall-clock times of the deployment time zone and read
back the same way; blank rows are dropped by the rules' normalisation.
"""
from __future__ import annotations

from zoneinfo import ZoneInfo

import pandas as pd

from analytics.rca.rules import ActionItemInput, RootCause, TimelineEntry, clean_date, clean_text

TIMELINE_COLUMNS = ["occurred_at", "event", "customer_visible", "who", "internal_note"]
ACTION_COLUMNS = ["id", "description", "owner", "due_date", "status"]


def timeline_frame(entries: tuple[TimelineEntry, ...], tz: str) -> pd.DataFrame:
    """The timeline as an editable frame, times in local wall-clock time."""
    zone = ZoneInfo(tz)
    rows = [{"occurred_at": e.occurred_at.astimezone(zone).replace(tzinfo=None) if e.occurred_at else None,
             "event": e.event, "customer_visible": e.customer_visible, "who": e.who, "internal_note": e.internal_note}
            for e in entries]
    frame = pd.DataFrame(rows, columns=TIMELINE_COLUMNS)
    frame["occurred_at"] = pd.to_datetime(frame["occurred_at"])
    frame["customer_visible"] = frame["customer_visible"].astype(bool)
    for column in ("event", "who", "internal_note"):
        frame[column] = frame[column].astype(object)
    return frame


def timeline_from_frame(frame: pd.DataFrame) -> tuple[TimelineEntry, ...]:
    """Timeline entries from an edited frame (naive times are read in the deployment time zone later)."""
    entries = []
    for row in frame.to_dict(orient="records"):
        when = row.get("occurred_at")
        when = None if when is None or pd.isna(when) else pd.Timestamp(when).to_pydatetime()
        visible = row.get("customer_visible")
        entries.append(TimelineEntry(when, clean_text(row.get("event")), clean_text(row.get("who")),
                                     clean_text(row.get("internal_note")),
                                     False if visible is None or pd.isna(visible) else bool(visible)))
    return tuple(entries)


def actions_frame(actions: pd.DataFrame) -> pd.DataFrame:
    """The report's action items as an editable frame (id kept to match rows on save)."""
    frame = actions.reindex(columns=ACTION_COLUMNS).copy()
    frame["id"] = frame["id"].astype("Int64")
    frame["due_date"] = pd.to_datetime(frame["due_date"]).dt.date
    for column in ("description", "owner", "status"):
        frame[column] = frame[column].astype(object)
    return frame.reset_index(drop=True)


def actions_from_frame(frame: pd.DataFrame) -> tuple[ActionItemInput, ...]:
    """Action items from an edited frame; a row without id is a new item."""
    items = []
    for row in frame.to_dict(orient="records"):
        item_id = row.get("id")
        items.append(ActionItemInput(clean_text(row.get("description")), clean_text(row.get("owner")),
                                     clean_date(row.get("due_date")), clean_text(row.get("status")) or "open",
                                     None if item_id is None or pd.isna(item_id) else int(item_id)))
    return tuple(items)


def participants_from_text(text: str) -> tuple[str, ...]:
    """One name per line (commas also separate)."""
    return tuple(name.strip() for line in (text or "").splitlines() for name in line.split(",") if name.strip())


def root_causes_from_widgets(values: list[tuple[str | None, str | None, str]]) -> tuple[RootCause, ...]:
    """Root causes from (category, platform, description) widget values."""
    return tuple(RootCause(clean_text(c), clean_text(p), clean_text(d)) for c, p, d in values)
