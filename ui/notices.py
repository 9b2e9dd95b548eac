"""The e-mail side of an incident's notification track: "Notify impacted customers" and its messages.

For supervisors and admins on the Incidents page. Without an SMTP provider (``[smtp]`` in
``.streamlit/secrets.toml``) it says that nothing is sent and that notifications are recorded by
hand as before. With one: pick the kind of notice, *Notify impacted customers* composes it from
its template (``analytics.notices.service.compose``), the preview shows the subject, the text
(editable) and each customer's administrators, *Queue and send* writes the messages to the
outbox and runs one delivery. Every message of the incident is listed with its delivery state;
*Retry delivery now* runs another. Logic is in ``analytics.notices``; this only lays it out.
"""
from __future__ import annotations

from uuid import uuid4

import pandas as pd
import streamlit as st

from analytics.kernel.errors import RuleRefused, ValidationError
from analytics.kernel.roles import Actor, PermissionDenied
from analytics.notices import service as notices
from analytics.notices.delivery import deliver
from analytics.notices.queries import incident_messages
from analytics.notices.rules import PURPOSE_LABELS, PURPOSES
from analytics.notices.smtp import NotConfigured, SmtpConfig, load_config
from analytics.store.database import Database
from ui.columns import OUTBOX_MESSAGES
from ui.incident_data import clear_incident_caches
from ui.tables import show_table
from ui.text import literal

FLASH_KEY = "incidents_flash"
DRAFT_KEY = "notices_draft"


def provider() -> tuple[SmtpConfig | None, str | None]:
    """The provider configured, or None with the reason to show."""
    try:
        config = load_config()
    except NotConfigured as exc:
        return None, f"The mail provider's configuration is unusable: {exc} Nothing is sent."
    if config is None:
        return None, ("No mail provider is configured ([smtp] in .streamlit/secrets.toml): nothing is sent from "
                      "Vigie. Record the notifications sent elsewhere by hand below.")
    return config, None


def _purpose_for(incident: dict) -> str:
    if incident["status"] == "resolved":
        return "resolution"
    return "status_update" if pd.notna(incident.get("first_notified_at")) else "notification"


def _deliver_now(db: Database, config: SmtpConfig) -> str:
    run = deliver(db, config=config)
    return f"Delivery via {config.host}: {run.line()}."


def messages_table(db: Database, incident_id: int, tz: str) -> None:
    """The incident's messages with their delivery state."""
    frame = incident_messages(db, incident_id=incident_id)
    if frame.empty:
        st.caption("No e-mail sent from Vigie for this incident yet.")
        return
    show_table(frame[list(OUTBOX_MESSAGES)], key="notices_messages_table", tz=tz, columns=OUTBOX_MESSAGES)


def _preview(db: Database, draft: notices.Draft, actor: Actor, config: SmtpConfig) -> None:
    ref = draft.reference
    key = f"notices_{ref}_{draft.purpose}_{st.session_state.setdefault('notices_generation', 0)}"
    with st.form(f"notices_preview_form_{ref}"):
        st.markdown(f"**Preview: {literal(PURPOSE_LABELS[draft.purpose])}** ({{customer}} becomes each customer's name)")
        subject = st.text_input("Subject", value=draft.subject, key=f"{key}_subject")
        body = st.text_area("Text", value=draft.body, height=220, key=f"{key}_body")
        names = {cid: draft.company_names[cid] for cid in draft.recipients}
        picked = st.multiselect("Customers", list(names), default=[c for c in names if draft.recipients[c]],
                                format_func=names.get, key=f"{key}_companies")
        for cid in picked:
            to = ", ".join(draft.recipients[cid]) or "no administrator with an e-mail address"
            st.caption(f"{literal(names[cid])}: {literal(to)}")
        if st.form_submit_button("Queue and send", type="primary"):
            try:
                notices.queue_incident_notice(db, actor=actor, incident_id=draft.incident_id, purpose=draft.purpose,
                                              subject=subject, body=body, company_ids=tuple(picked),
                                              token=st.session_state.setdefault(f"{key}_token", uuid4().hex))
            except ValidationError as exc:
                for message in exc.errors.values():
                    st.error(literal(message), icon=":material/error:")
            except (PermissionDenied, RuleRefused) as exc:
                st.error(literal(exc), icon=":material/block:")
            else:
                st.session_state.pop(DRAFT_KEY, None)
                st.session_state["notices_generation"] += 1
                st.session_state[FLASH_KEY] = f"Queued for {len(picked)} customer(s). " + _deliver_now(db, config)
                clear_incident_caches()
                st.rerun()


def panel(db: Database, incident: dict, actor: Actor, tz: str) -> None:
    """The e-mail panel of one incident (supervisors and admins)."""
    st.markdown("#### Customer notices by e-mail")
    config, reason = provider()
    incident_id = int(incident["id"])
    if config is None:
        st.info(reason, icon=":material/mail_off:")
    elif incident["status"] in ("post_mortem", "closed"):
        st.caption("Customer communications are over for this incident.")
    else:
        cols = st.columns([2, 1, 1])
        purpose = cols[0].selectbox("Notice", PURPOSES, index=PURPOSES.index(_purpose_for(incident)),
                                    format_func=PURPOSE_LABELS.get, key=f"notices_purpose_{incident['reference']}")
        if cols[1].button("Notify impacted customers", key="notices_compose"):
            st.session_state[DRAFT_KEY] = notices.compose(db, incident_id=incident_id, purpose=purpose)
        if cols[2].button("Retry delivery now", key="notices_retry"):
            st.session_state[FLASH_KEY] = _deliver_now(db, config)
            clear_incident_caches()
            st.rerun()
        draft = st.session_state.get(DRAFT_KEY)
        if draft is not None and draft.incident_id == incident_id:
            _preview(db, draft, actor, config)
    messages_table(db, incident_id, tz)
