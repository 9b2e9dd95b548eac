"""The action forms of one incident: change status, record a notification or status update,
record an investigation step. Shown to supervisors and admins; the services check again.

Each write clears the cached reads and reruns the page with a one-line confirmation.
Each form instance carries an idempotency token, so a double click records a
notification once; a successful write starts a new instance (new widget keys, so
the fields return to their defaults). Times left empty mean "now", to the second.
"""
from __future__ import annotations

from datetime import UTC, datetime
from uuid import uuid4

import pandas as pd
import streamlit as st

from analytics.incidents import service as incidents
from analytics.incidents.queries import NotifySettings
from analytics.incidents.rules import STATUS_LABELS, STEP_LABELS, STEPS, TRANSITIONS
from analytics.kernel.errors import RuleRefused, ValidationError
from analytics.kernel.roles import Actor, PermissionDenied
from analytics.store.database import Database
from ui.incident_data import clear_incident_caches
from ui.text import literal

FLASH_KEY = "incidents_flash"


def _key(form: str, name: str, reference: str) -> str:
    """A widget key per incident and per form instance: a new instance starts from the defaults."""
    generation = st.session_state.get(f"incidents_{form}_generation", 0)
    return f"incidents_{form}_{name}_{reference}_{generation}"


def _token(form: str, reference: str) -> str:
    """The idempotency token of the current instance of a form."""
    return st.session_state.setdefault(_key(form, "token", reference), uuid4().hex)


def _attempt(work, success: str, form: str, slots: dict | None = None) -> None:
    """Run a service call; show its refusal, or start a new form instance, confirm and rerun."""
    try:
        work()
    except ValidationError as exc:
        for field, message in exc.errors.items():
            (slots or {}).get(field, st).error(message, icon=":material/error:")
    except (PermissionDenied, RuleRefused) as exc:
        st.error(literal(exc), icon=":material/block:")
    else:
        clear_incident_caches()
        generation = f"incidents_{form}_generation"
        st.session_state[generation] = st.session_state.get(generation, 0) + 1
        st.session_state[FLASH_KEY] = success
        st.rerun()


def show_flash() -> None:
    """The confirmation of the last write, once."""
    message = st.session_state.pop(FLASH_KEY, None)
    if message:
        st.success(message, icon=":material/check_circle:")


def status_form(db: Database, incident: dict, actor: Actor) -> None:
    """Move the incident along its lifecycle (only the moves it allows are offered)."""
    allowed = TRANSITIONS[incident["status"]]
    if not allowed:
        st.caption("Closed: no further status change.")
        return
    ref = incident["reference"]
    with st.form("incidents_status_form"):
        target = st.selectbox("New status", allowed, format_func=STATUS_LABELS.get, key=_key("status", "to", ref))
        at = st.datetime_input("At (empty: now)", value=None, step=60, key=_key("status", "at", ref),
                               format="YYYY-MM-DD")
        note = st.text_input("Note (optional)", key=_key("status", "note", ref))
        if st.form_submit_button("Change status"):
            _attempt(lambda: incidents.transition(db, actor=actor, incident_id=int(incident["id"]), to_status=target,
                                                  at=at, note=note, now=datetime.now(UTC)),
                     f"{ref} is now {STATUS_LABELS[target]}.", "status")


def notify_form(db: Database, incident: dict, actor: Actor, companies: dict[str, int], impacted_ids: list[int],
                settings: NotifySettings) -> None:
    """Record the first customer notification, or a periodic status report."""
    ref = incident["reference"]
    notified = pd.notna(incident["minutes_to_notify"])
    with st.form("incidents_notify_form"):
        kind = st.radio("What was sent", ["notification", "status_update"], index=1 if notified else 0,
                        format_func={"notification": "Customer notification", "status_update": "Status update"}.get,
                        horizontal=True, key=_key("notify", "kind", ref))
        cols = st.columns(2)
        sent_at = cols[0].datetime_input("Sent at (empty: now)", value=None, step=60, format="YYYY-MM-DD",
                                         key=_key("notify", "sent_at", ref))
        sent_by = cols[1].text_input("Sent by", value=incident["notification_lead"], key=_key("notify", "by", ref))
        slots = {"sent_at": cols[0].empty(), "sent_by": cols[1].empty()}
        names = [n for n, cid in companies.items() if cid in set(impacted_ids)]
        everyone = st.checkbox("All impacted customers", value=True, key=_key("notify", "all", ref))
        picked = st.multiselect("Or these customers", names, key=_key("notify", "companies", ref))
        slots["recipients"] = st.empty()
        message = st.text_area("Text sent", key=_key("notify", "message", ref))
        slots["message"] = st.empty()
        next_due = st.datetime_input(f"Next update due (empty: {settings.interval} min after sending)", value=None,
                                     step=60, key=_key("notify", "next_due", ref), format="YYYY-MM-DD")
        slots["next_update_due"] = st.empty()
        if st.form_submit_button("Record"):
            record = incidents.notify if kind == "notification" else incidents.record_update
            now = datetime.now(UTC)
            _attempt(lambda: record(db, actor=actor, incident_id=int(incident["id"]), sent_at=sent_at or now,
                                    sent_by=sent_by, company_ids=tuple(companies[n] for n in picked),
                                    all_customers=everyone, message=message, token=_token("notify", ref),
                                    next_update_due=next_due, now=now),
                     f"{'Notification' if kind == 'notification' else 'Status update'} recorded for {ref}.",
                     "notify", slots)


def step_form(db: Database, incident: dict, actor: Actor, steps_done: set[str]) -> None:
    """Record the next step of the investigation track."""
    remaining = [s for s in STEPS if s not in steps_done]
    if not remaining:
        st.caption("All four investigation steps are recorded.")
        return
    ref = incident["reference"]
    with st.form("incidents_step_form"):
        st.markdown(f"Next step: **{STEP_LABELS[remaining[0]]}**")
        owner = st.text_input("Owner", value=incident["investigation_lead"], key=_key("step", "owner", ref))
        slots = {"owner": st.empty()}
        at = st.datetime_input("Completed at (empty: now)", value=None, step=60, key=_key("step", "at", ref),
                               format="YYYY-MM-DD")
        slots["completed_at"] = st.empty()
        note = st.text_input("Note (optional)", key=_key("step", "note", ref))
        if st.form_submit_button("Record step"):
            _attempt(lambda: incidents.complete_step(db, actor=actor, incident_id=int(incident["id"]),
                                                     step=remaining[0], owner=owner, completed_at=at, note=note,
                                                     now=datetime.now(UTC)),
                     f"{STEP_LABELS[remaining[0]]}: recorded for {ref}.", "step", slots)


def actions(db: Database, data: dict, actor: Actor, companies: dict[str, int], settings: NotifySettings) -> None:
    """The three action forms side by side (supervisors and admins only)."""
    incident = data["incident"]
    st.markdown("#### Act on this incident")
    status_col, notify_col, step_col = st.columns([1, 2, 1])
    with status_col:
        st.markdown("**Status**")
        status_form(db, incident, actor)
    with notify_col:
        st.markdown("**Customer communication**")
        if incident["status"] in ("post_mortem", "closed"):
            st.caption("Customer communications are over for this incident.")
        else:
            notify_form(db, incident, actor, companies, data["impacted_ids"], settings)
    with step_col:
        st.markdown("**Investigation**")
        done = set(data["steps"].loc[data["steps"]["completed_at"].notna(), "step"])
        step_form(db, incident, actor, done)
