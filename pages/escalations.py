"""Escalations: open ones by level of the chain, actions on them, raising one, and trends."""
import uuid
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import streamlit as st

from analytics.escalations import rules, service, stats
from analytics.escalations.charts import (
    acknowledgement_figure,
    arrivals_figure,
    depth_figure,
    sla_share_figure,
    time_at_level_figure,
)
from analytics.kernel.errors import RuleRefused, ValidationError
from analytics.kernel.periods import Period
from analytics.kernel.roles import PermissionDenied
from analytics.settings.queries import get_setting
from analytics.store.errors import DatabaseError
from ui.columns import ESCALATION_CROSS_CHECK, ESCALATION_TIMELINE, OPEN_ESCALATIONS, TIME_AT_LEVEL
from ui.escalation_view import timeline_rows
from ui.session import current_actor, get_database
from ui.tables import show_table
from ui.text import literal

FIELD_LABELS = {"ticket_reference": "Ticket reference", "company": "Company", "incident": "Incident",
                "reason": "Reason", "reason_code": "Reason code", "raised_by": "Raised by", "owner": "Owner",
                "raised_at": "Time", "at": "Time", "note": "Note", "resolution": "Resolution"}
NO_COMPANY = "— from the ticket —"


@st.cache_data(ttl=60, show_spinner=False)
def load_open(_db, path, now, ack_hours, chain):
    return stats.display_open(stats.open_escalations(_db, now=now, ack_hours=ack_hours, chain=list(chain)))


@st.cache_data(ttl=60, show_spinner="Computing escalation trends…")
def load_trends(_db, path, period, now, ack_hours, chain, threshold):
    chain = list(chain)
    return {"arrivals": stats.arrivals_by_month(_db, period, chain=chain),
            "ack": stats.acknowledgement_times(_db, period, now=now, ack_hours=ack_hours, chain=chain),
            "sla": stats.sla_breach_share(_db, period, as_of=now),
            "mismatches": stats.sla_cross_check(_db, period, as_of=now, mismatches_only=True),
            "depth": stats.depth_distribution(_db, period, chain=chain),
            "stints": stats.time_at_level(_db, period, now=now, chain=chain),
            "repeat": stats.repeat_customers(_db, period, threshold=threshold, chain=chain)}


@st.cache_data(ttl=60, show_spinner=False)
def load_companies(_db, path):
    return service.company_choices(_db)


def flash(kind: str, text: str) -> None:
    st.session_state["escalations_flash"] = (kind, text)


def after_write(message: str) -> None:
    load_open.clear()
    load_trends.clear()
    flash("success", message)


def act(action: str) -> None:
    """Button callback: acknowledge, escalate or resolve the selected escalation."""
    reference = st.session_state.get("escalations_selected")
    if not reference:
        return flash("error", "Pick an escalation first.")
    try:
        if action == "acknowledge":
            state = service.acknowledge(db, actor=actor, reference=reference)
            after_write(f"{reference} acknowledged at the {rules.level_name(chain, state.level).lower()}.")
        elif action == "escalate":
            state = service.escalate_further(db, actor=actor, reference=reference,
                                             note=st.session_state.get("escalations_note", ""),
                                             owner=st.session_state.get("escalations_new_owner") or None)
            after_write(f"{reference} escalated to level {state.level} ({rules.level_name(chain, state.level)}), "
                        f"owner {state.owner}; it awaits acknowledgement there.")
            st.session_state["escalations_note"] = st.session_state["escalations_new_owner"] = ""
        else:
            service.resolve(db, actor=actor, reference=reference,
                            resolution=st.session_state.get("escalations_resolution", ""))
            after_write(f"{reference} resolved.")
            st.session_state["escalations_resolution"] = ""
    except ValidationError as exc:
        flash("error", " ".join(f"{FIELD_LABELS.get(f, f)}: {m}" for f, m in exc.errors.items()))
    except (RuleRefused, PermissionDenied, DatabaseError) as exc:
        flash("error", str(exc))


def raise_from_form() -> None:
    """Form callback: raise an escalation; errors go under their fields."""
    values = {k: st.session_state.get(f"escalations_raise_{k}") for k in
              ("ticket_reference", "company", "incident", "reason", "reason_code", "raised_by", "owner")}
    companies = load_companies(db, str(db.path))
    try:
        result = service.raise_escalation(
            db, actor=actor, ticket_reference=values["ticket_reference"],
            company_id=companies.get(values["company"]), incident=values["incident"] or None,
            reason=values["reason"] or "", reason_code=values["reason_code"], raised_by=values["raised_by"] or "",
            owner=values["owner"] or "", submission_key=st.session_state["escalations_raise_key"])
    except ValidationError as exc:
        st.session_state["escalations_raise_errors"] = exc.errors
        return
    except (PermissionDenied, DatabaseError) as exc:
        st.session_state["escalations_raise_errors"] = {"form": str(exc)}
        return
    st.session_state["escalations_raise_errors"] = {}
    st.session_state["escalations_raise_key"] = uuid.uuid4().hex
    for key in ("ticket_reference", "incident", "reason", "raised_by"):
        st.session_state[f"escalations_raise_{key}"] = ""
    after_write(f"{result.reference} raised at the {chain[0].lower()}." if result.created
                else f"{result.reference} was already raised by this form.")


def field_error(name: str) -> None:
    message = st.session_state.get("escalations_raise_errors", {}).get(name)
    if message:
        st.error(literal(message))


db = get_database()
actor = current_actor()
can_act = actor.has_any(*rules.ACT_ROLES)
chain = service.escalation_chain(db)
ack_hours = float(get_setting(db, "escalation.ack_hours"))
tz = ZoneInfo(db.timezone)
now = (datetime.now(UTC) + timedelta(minutes=1)).replace(second=0, microsecond=0)  # cached per minute

st.title("Escalations")
if "escalations_flash" in st.session_state:
    kind, text = st.session_state.pop("escalations_flash")
    (st.success if kind == "success" else st.error)(literal(text))
st.caption(f"As of {now.astimezone(tz):%d %b %Y %H:%M} ({db.timezone}). The chain is called in order: "
           + " → ".join(literal(level) for level in chain)
           + f". An escalation unacknowledged for more than {ack_hours:g} h at its level is flagged for the next level.")

open_frame = load_open(db, str(db.path), now, ack_hours, tuple(chain))
cols = st.columns(4)
cols[0].metric("Open escalations", len(open_frame))
cols[1].metric("Unacknowledged", int(open_frame["unacknowledged"].sum()))
cols[2].metric("Flagged for the next level", int(open_frame["flagged"].sum()))
cols[3].metric("Oldest open", open_frame["age"].iloc[open_frame["age_s"].argmax()] if len(open_frame) else "-")

st.subheader("Open escalations by level")
for level in range(len(chain), 0, -1):
    part = open_frame[open_frame["level"] == level]
    st.markdown(f"**Level {level} — {literal(chain[level - 1])}** · {len(part)} open")
    if part.empty:
        st.caption("No open escalation at this level.")
        continue
    show_table(part.drop(columns=["level", "level_name", "age_s", "flagged", "unacknowledged"]),
               key=f"escalations_level_{level}", tz=db.timezone, columns=OPEN_ESCALATIONS)

st.subheader("Act on an escalation")
references = list(open_frame["reference"])
labels = {r.reference: f"{r.reference} · {r.level_name} · {r.company}" for r in open_frame.itertuples()}
selected = st.selectbox("Open escalation", references, format_func=labels.get, key="escalations_selected",
                        index=None, placeholder="Pick an open escalation")
if selected:
    show_table(timeline_rows(stats.escalation_timeline(db, selected, chain=chain)), key="escalations_timeline",
               tz=db.timezone, columns=ESCALATION_TIMELINE)
    if can_act:
        row = open_frame[open_frame["reference"] == selected].iloc[0]
        left, middle, right = st.columns(3)
        left.button("Acknowledge", key="escalations_ack", on_click=act, args=("acknowledge",))
        middle.text_input("Why escalate further", key="escalations_note")
        middle.text_input("New owner (default: the level's contact)", key="escalations_new_owner")
        middle.button(f"Escalate to {literal(row['next level'])}" if isinstance(row["next level"], str) else "Escalate further",
                      key="escalations_escalate", on_click=act, args=("escalate",))
        right.text_area("Resolution", key="escalations_resolution", height=100)
        right.button("Resolve", key="escalations_resolve", on_click=act, args=("resolve",))
if not can_act:
    st.caption("Acknowledging, escalating, resolving and raising escalations is for managers, supervisors "
               "and admins.")

if can_act:
    st.subheader("Raise an escalation")
    st.session_state.setdefault("escalations_raise_key", uuid.uuid4().hex)
    contact = service.level_contact(db, chain[0]).get("name", "")
    with st.form("escalations_raise_form"):
        field_error("form")
        left, right = st.columns(2)
        left.text_input("Ticket reference", key="escalations_raise_ticket_reference", help="e.g. CS-00001234")
        with left:
            field_error("ticket_reference")
        right.selectbox("Company", [NO_COMPANY, *load_companies(db, str(db.path))], key="escalations_raise_company",
                        help="Needed when the escalation is not about one ticket.")
        with right:
            field_error("company")
        left.text_input("Incident (optional)", key="escalations_raise_incident", help="e.g. INC-2026-0003")
        with left:
            field_error("incident")
        right.selectbox("Reason code", list(rules.REASON_CODES), format_func=rules.REASON_CODES.get,
                        key="escalations_raise_reason_code")
        with right:
            field_error("reason_code")
        st.text_area("Reason", key="escalations_raise_reason")
        field_error("reason")
        left, right = st.columns(2)
        left.text_input("Raised by (the customer's contact)", key="escalations_raise_raised_by")
        with left:
            field_error("raised_by")
        right.text_input("Owner", value=contact, key="escalations_raise_owner")
        with right:
            field_error("owner")
        st.form_submit_button("Raise escalation", on_click=raise_from_form)

st.subheader("Trends")
today = now.astimezone(tz).date()
picked = st.date_input("Raised in", value=(date(today.year - 1, today.month, 1), today), key="escalations_period")
start, end = (picked[0], picked[1] + timedelta(days=1)) if len(picked) == 2 else (picked[0], today + timedelta(days=1))
trends = load_trends(db, str(db.path), Period(start, end, db.timezone), now, ack_hours, tuple(chain),
                     int(get_setting(db, "escalation.repeat_threshold")))
per_month, ack_tab, sla_tab, depth_tab, repeat_tab = st.tabs(
    ["Per month and level", "Time to acknowledge", "SLA breaches", "Depth and time at level", "Repeat customers"])
with per_month:
    st.plotly_chart(arrivals_figure(trends["arrivals"]), width="stretch", key="escalations_arrivals_chart")
    st.caption("An escalation counts once at each level it reached, in the month it arrived there.")
with ack_tab:
    st.plotly_chart(acknowledgement_figure(trends["ack"], ack_hours=ack_hours), width="stretch",
                    key="escalations_ack_chart")
    show_table(trends["ack"], key="escalations_ack_table", tz=db.timezone)
with sla_tab:
    st.plotly_chart(sla_share_figure(trends["sla"]), width="stretch", key="escalations_sla_chart")
    show_table(trends["sla"], key="escalations_sla_table", tz=db.timezone)
    st.caption("Cross-check: “SLA engine: breached” means the SLA engine shows one of the ticket's targets "
               "breached when the customer escalated; mismatches with the reason code are listed below.")
    show_table(trends["mismatches"], key="escalations_cross_table", tz=db.timezone, columns=ESCALATION_CROSS_CHECK)
with depth_tab:
    left, right = st.columns(2)
    left.plotly_chart(depth_figure(trends["depth"]), width="stretch", key="escalations_depth_chart")
    right.plotly_chart(time_at_level_figure(trends["stints"]), width="stretch", key="escalations_stints_chart")
    show_table(trends["stints"], key="escalations_stints_table", tz=db.timezone, columns=TIME_AT_LEVEL)
with repeat_tab:
    show_table(trends["repeat"], key="escalations_repeat_table", tz=db.timezone)
