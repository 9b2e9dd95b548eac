"""Declare a major incident: the form, one message per field, never two incidents for one form."""
from datetime import UTC, datetime
from uuid import uuid4
from zoneinfo import ZoneInfo

import streamlit as st

from analytics.incidents.rules import FIELD_LABELS
from analytics.incidents.service import ACT_ROLES, IncidentDraft, declare
from analytics.kernel.errors import RuleRefused, ValidationError
from analytics.kernel.roles import PermissionDenied
from ui.incident_data import clear_incident_caches, load_choices
from ui.labels import plural
from ui.session import current_actor, get_database
from ui.text import literal


def start_new_form() -> None:
    """A new form instance: a new idempotency token, and new widget keys so every field starts empty."""
    st.session_state["incident_declare_token"] = uuid4().hex
    st.session_state.pop("incident_declare_result", None)


def key(name: str) -> str:
    """The widget key of a field in the current form instance."""
    return f"incident_declare_{name}_{st.session_state['incident_declare_token']}"


db = get_database()
actor = current_actor()
tz = ZoneInfo(db.timezone)
st.title("Declare a major incident")
if not actor.has_any(*ACT_ROLES):
    st.warning("Only supervisors and administrators can declare a major incident. "
               "Open incidents are on the Incidents page.", icon=":material/lock:")
    st.stop()
st.caption("A major incident is a security breach or a service disruption impacting several customers "
           "(DOMAIN.md §4). Declaring starts the customer-notification clock from the moment the impact "
           "is defined. Times are in " + db.timezone + ".")
if "incident_declare_token" not in st.session_state:
    start_new_form()
severities, companies, platforms = load_choices(db, str(db.path))
now_local = datetime.now(tz).replace(second=0, microsecond=0, tzinfo=None)
slots = {}

with st.form("incident_declare_form"):
    title = st.text_input(FIELD_LABELS["title"], key=key("title"),
                          placeholder="e.g. Messaging: outgoing messages delayed")
    slots["title"] = st.empty()
    severity = st.radio(FIELD_LABELS["severity"], severities["severity"].tolist(), index=None,
                        format_func=lambda s: f"Severity {s}", key=key("severity"),
                        captions=severities["definition"].tolist())
    slots["severity"] = st.empty()
    security_breach = st.checkbox("Security breach", key=key("security_breach"),
                                  help="A breach is a major incident even when a single customer is impacted.")
    chosen_platforms = st.multiselect(FIELD_LABELS["platforms"], platforms, key=key("platforms"))
    slots["platforms"] = st.empty()
    left, right = st.columns([3, 1])
    company_names = left.multiselect(FIELD_LABELS["customers"], list(companies), key=key("company_names"))
    all_customers = right.checkbox("All customers", key=key("all_customers"))
    slots["customers"] = st.empty()
    cols = st.columns(3)
    started = cols[0].datetime_input(FIELD_LABELS["started_at"], value=now_local, step=60,
                                     key=key("started_at"), format="YYYY-MM-DD")
    detected = cols[1].datetime_input(FIELD_LABELS["detected_at"], value=now_local, step=60,
                                      key=key("detected_at"), format="YYYY-MM-DD")
    defined = cols[2].datetime_input(FIELD_LABELS["impact_defined_at"], value=now_local, step=60,
                                     key=key("impact_defined_at"), format="YYYY-MM-DD",
                                     help="The notification clock starts here: target 20 min, deadline 30 min.")
    for name, col in zip(("started_at", "detected_at", "impact_defined_at"), cols):
        slots[name] = col.empty()
    description = st.text_area(FIELD_LABELS["description"], key=key("description"),
                               placeholder="What customers see, which services, since when.")
    slots["description"] = st.empty()
    cols = st.columns(3)
    commander = cols[0].text_input(FIELD_LABELS["commander"], value=actor.name, key=key("commander"))
    notification_lead = cols[1].text_input(FIELD_LABELS["notification_lead"],
                                           key=key("notification_lead"))
    investigation_lead = cols[2].text_input(FIELD_LABELS["investigation_lead"],
                                            key=key("investigation_lead"))
    for name, col in zip(("commander", "notification_lead", "investigation_lead"), cols):
        slots[name] = col.empty()
    submitted = st.form_submit_button("Declare the incident", type="primary", icon=":material/campaign:")

if submitted:
    draft = IncidentDraft(
        title=title, severity=severity, security_breach=security_breach, platforms=tuple(chosen_platforms),
        company_ids=tuple(companies[n] for n in company_names if n in companies), all_customers=all_customers,
        started_at=started, detected_at=detected, impact_defined_at=defined, description=description,
        commander=commander, notification_lead=notification_lead, investigation_lead=investigation_lead)
    try:
        result = declare(db, actor=current_actor(), draft=draft, token=st.session_state["incident_declare_token"],
                         now=datetime.now(UTC))
    except ValidationError as exc:
        for field, message in exc.errors.items():
            slots.get(field, st).error(literal(message), icon=":material/error:")
        st.error(f"The incident was not declared: {plural(len(exc.errors), 'field')} to correct (see above).")
    except (PermissionDenied, RuleRefused) as exc:
        st.error(literal(exc))
    else:
        clear_incident_caches()
        st.session_state["incident_declare_result"] = (result.reference, result.created)

outcome = st.session_state.get("incident_declare_result")
if outcome:
    reference, created = outcome
    if created:
        st.success(f"Incident {reference} declared. The notification clock is running: open the Incidents "
                   "page to record the customer notification.", icon=":material/check_circle:")
    else:
        st.info(f"This form was already submitted as {reference}; no second incident was created. "
                "Use “Declare another incident” to start a new form.",
                icon=":material/info:")
    st.button("Declare another incident", on_click=start_new_form, key="incident_declare_new")
