"""The action forms of one incident: change status, record a notification or status update,
record an investigation step. Shown to supervisors and admins; the services check again.

Each write clears the cached reads and reruns the page with a one-line confirmation.
A notification's idempotency token is derived from its content, so a double click
records it once while a genuinely new report (other text or time) is a new row.
"""
from __future__ import annotations

import hashlib
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import pandas as pd
import streamlit as st

from analytics import incidents
from analytics.access import Actor, PermissionDenied
from analytics.incident_queries import NotifySettings
from analytics.incident_rules import STATUS_LABELS, STEP_LABELS, STEPS, TRANSITIONS
from ui.incident_data import clear_incident_caches

FLASH_KEY = "incidents_flash"
FORM_OWNER_KEY = "incidents_forms_for"  # the incident whose values the action widgets hold
FORM_KEYS = {
    "status": ("incidents_new_status", "incidents_status_at", "incidents_status_note"),
    "notify": ("incidents_notify_kind", "incidents_notify_sent_at", "incidents_notify_sent_by",
               "incidents_notify_all", "incidents_notify_companies", "incidents_notify_message",
               "incidents_notify_next_due"),
    "step": ("incidents_step_owner", "incidents_step_at", "incidents_step_note"),
}


def _reset(*forms: str) -> None:
    for form in forms:
        for key in FORM_KEYS[form]:
            st.session_state.pop(key, None)


def _attempt(work, success: str, form: str, slots: dict | None = None) -> None:
    """Run a service call; show its refusal, or empty the form, confirm and rerun."""
    try:
        work()
    except incidents.ValidationError as exc:
        for field, message in exc.errors.items():
            (slots or {}).get(field, st).error(message, icon=":material/error:")
    except (PermissionDenied, incidents.IncidentError) as exc:
        st.error(str(exc), icon=":material/block:")
    else:
        clear_incident_caches()
        _reset(form)
        st.session_state[FLASH_KEY] = success
        st.rerun()


def show_flash() -> None:
    """The confirmation of the last write, once."""
    message = st.session_state.pop(FLASH_KEY, None)
    if message:
        st.success(message, icon=":material/check_circle:")


def notification_token(incident_id: int, kind: str, sent_at: datetime | None, sent_by: str, message: str) -> str:
    """The same content gives the same token: a resubmission records nothing new."""
    text = f"{incident_id}|{kind}|{sent_at:%Y-%m-%dT%H:%M}|{sent_by.strip()}|{message.strip()}" if sent_at else ""
    return hashlib.sha256(text.encode()).hexdigest() if text else ""


def status_form(db, incident: dict, actor: Actor, tz: ZoneInfo, now_local: datetime) -> None:
    """Move the incident along its lifecycle (only the moves it allows are offered)."""
    allowed = TRANSITIONS[incident["status"]]
    if not allowed:
        st.caption("Closed: no further status change.")
        return
    with st.form("incidents_status_form"):
        target = st.selectbox("New status", allowed, format_func=STATUS_LABELS.get, key="incidents_new_status")
        at = st.datetime_input("At", value=now_local, step=60, key="incidents_status_at", format="YYYY-MM-DD")
        note = st.text_input("Note (optional)", key="incidents_status_note")
        if st.form_submit_button("Change status"):
            _attempt(lambda: incidents.transition(db, actor=actor, incident_id=int(incident["id"]), to_status=target,
                                                  at=at, note=note, now=datetime.now(timezone.utc)),
                     f"{incident['reference']} is now {STATUS_LABELS[target]}.", "status")


def notify_form(db, incident: dict, actor: Actor, companies: dict[str, int], impacted_ids: list[int],
                settings: NotifySettings, now_local: datetime) -> None:
    """Record the first customer notification, or a periodic status report."""
    notified = pd.notna(incident["minutes_to_notify"])
    with st.form("incidents_notify_form"):
        kind = st.radio("What was sent", ["notification", "status_update"], index=1 if notified else 0,
                        format_func={"notification": "Customer notification",
                                     "status_update": "Status update"}.get,
                        horizontal=True, key="incidents_notify_kind")
        cols = st.columns(2)
        sent_at = cols[0].datetime_input("Sent at", value=now_local, step=60, key="incidents_notify_sent_at",
                                         format="YYYY-MM-DD")
        sent_by = cols[1].text_input("Sent by", value=incident["notification_lead"], key="incidents_notify_sent_by")
        slots = {"sent_at": cols[0].empty(), "sent_by": cols[1].empty()}
        names = [n for n, cid in companies.items() if cid in set(impacted_ids)]
        everyone = st.checkbox("All impacted customers", value=True, key="incidents_notify_all")
        picked = st.multiselect("Or these customers", names, key="incidents_notify_companies")
        slots["recipients"] = st.empty()
        message = st.text_area("Text sent", key="incidents_notify_message")
        slots["message"] = st.empty()
        next_due = st.datetime_input(f"Next update due (empty: {settings.interval} min after sending)", value=None,
                                     step=60, key="incidents_notify_next_due", format="YYYY-MM-DD")
        slots["next_update_due"] = st.empty()
        if st.form_submit_button("Record"):
            record = incidents.notify if kind == "notification" else incidents.record_update
            token = notification_token(int(incident["id"]), kind, sent_at, sent_by, message)
            _attempt(lambda: record(db, actor=actor, incident_id=int(incident["id"]), sent_at=sent_at,
                                    sent_by=sent_by, company_ids=tuple(companies[n] for n in picked),
                                    all_customers=everyone, message=message, token=token or "missing",
                                    next_update_due=next_due, now=datetime.now(timezone.utc)),
                     f"{'Notification' if kind == 'notification' else 'Status update'} recorded for "
                     f"{incident['reference']}.", "notify", slots)


def step_form(db, incident: dict, actor: Actor, steps_done: set[str], now_local: datetime) -> None:
    """Record the next step of the investigation track."""
    remaining = [s for s in STEPS if s not in steps_done]
    if not remaining:
        st.caption("All four investigation steps are recorded.")
        return
    with st.form("incidents_step_form"):
        st.markdown(f"Next step: **{STEP_LABELS[remaining[0]]}**")
        cols = st.columns(2)
        owner = cols[0].text_input("Owner", value=incident["investigation_lead"], key="incidents_step_owner")
        at = cols[1].datetime_input("Completed at", value=now_local, step=60, key="incidents_step_at",
                                    format="YYYY-MM-DD")
        slots = {"owner": cols[0].empty(), "completed_at": cols[1].empty()}
        note = st.text_input("Note (optional)", key="incidents_step_note")
        if st.form_submit_button("Record step"):
            _attempt(lambda: incidents.complete_step(db, actor=actor, incident_id=int(incident["id"]),
                                                     step=remaining[0], owner=owner, completed_at=at, note=note,
                                                     now=datetime.now(timezone.utc)),
                     f"{STEP_LABELS[remaining[0]]}: recorded for {incident['reference']}.", "step", slots)


def actions(db, data: dict, actor: Actor, companies: dict[str, int], settings: NotifySettings) -> None:
    """The three action forms side by side (supervisors and admins only)."""
    incident = data["incident"]
    if st.session_state.get(FORM_OWNER_KEY) != incident["reference"]:
        _reset(*FORM_KEYS)  # another incident: start from its own defaults
        st.session_state[FORM_OWNER_KEY] = incident["reference"]
    tz = ZoneInfo(db.timezone)
    now_local = datetime.now(tz).replace(second=0, microsecond=0, tzinfo=None)
    st.markdown("#### Act on this incident")
    status_col, notify_col, step_col = st.columns([1, 2, 1])
    with status_col:
        st.markdown("**Status**")
        status_form(db, incident, actor, tz, now_local)
    with notify_col:
        st.markdown("**Customer communication**")
        if incident["status"] in ("post_mortem", "closed"):
            st.caption("Customer communications are over for this incident.")
        else:
            notify_form(db, incident, actor, companies, data["impacted_ids"], settings, now_local)
    with step_col:
        st.markdown("**Investigation**")
        done = set(data["steps"].loc[data["steps"]["completed_at"].notna(), "step"])
        step_form(db, incident, actor, done, now_local)
