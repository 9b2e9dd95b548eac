"""Post-incident review: a resolved incident's review form, and its RCA from draft to review to published."""
from datetime import UTC, datetime

import streamlit as st

from analytics.kernel.errors import RuleRefused, ValidationError
from analytics.kernel.roles import PermissionDenied
from analytics.rca import service as rca
from analytics.rca.form import (
    actions_frame,
    actions_from_frame,
    participants_from_text,
    root_causes_from_widgets,
    timeline_frame,
    timeline_from_frame,
)
from analytics.rca.queries import load_review, prefill
from analytics.rca.rules import ACT_ROLES, ACTION_STATUSES, FIELD_LABELS, STATUS_LABELS, ReviewContent
from ui.labels import plural
from ui.rca_data import clear_rca_caches, load_choices, load_reviewable
from ui.rca_follow_up import flash, show_follow_up
from ui.session import current_actor, get_database
from ui.tables import code_choices
from ui.text import literal

MAX_CAUSES = 5
TEXTS = (("overview", "Customer-facing: what happened, in a paragraph."),
         ("measures_taken", "Customer-facing: what was done to restore the service."),
         ("contributing_factors", "Customer-facing: what made it worse or more likely."),
         ("went_well", "Internal: what went well in the handling."),
         ("went_badly", "Internal: what went badly in the handling."),
         ("failure_causes", "Internal: why things failed (detection, escalation, tooling...)."),
         ("internal_notes", "Internal notes, never sent to a customer."))


db = get_database()
path = str(db.path)
actor = current_actor()
st.title("Post-incident review")
if not actor.has_any(*ACT_ROLES):
    st.warning("Only supervisors and administrators can write post-incident reviews. Published RCAs are on the "
               "RCA summaries page.", icon=":material/lock:")
    st.stop()
if "rca_review_flash" in st.session_state:
    st.success(st.session_state.pop("rca_review_flash"), icon=":material/check_circle:")

incidents = load_reviewable(db, path)
if incidents.empty:
    st.info("No resolved incident yet: a review starts once an incident is resolved.")
    st.stop()
labels = {int(r.id): f"{r.reference} · {r.title} · RCA {STATUS_LABELS[r.rca_status]}" for r in incidents.itertuples()}
incident_id = st.selectbox("Resolved incident", list(labels), format_func=labels.get, key="rca_review_incident")
review = load_review(db, incident_id=incident_id)
status = review.meta.get("status", "none")
categories, platforms, _, _ = load_choices(db, path)
st.caption(f"{literal(review.incident['reference'])}: {literal(review.incident['title'])}. "
           f"Severity {review.incident['severity']}, platforms {literal(', '.join(review.incident['platforms']))}. "
           + (f"RCA revision {review.revision}: **{STATUS_LABELS[status]}**." if review.revision
              else "No review saved yet: the form is prefilled from the incident's records."))

if status not in ("none", "draft"):
    show_follow_up(db, review, actor)
    st.stop()

content: ReviewContent = review.content if review.revision else prefill(db, incident_id=incident_id)
suffix = f"{incident_id}_{review.revision or 0}_{review.meta.get('edits', 0)}"
slots = {}
causes_count = st.number_input("Number of root causes", 1, MAX_CAUSES, max(1, len(content.root_causes)), step=1,
                               key=f"rca_review_causes_{suffix}")
with st.form(f"rca_review_form_{suffix}"):
    st.subheader("Participants and impact")
    participants = st.text_area(FIELD_LABELS["participants"], "\n".join(content.participants), height=100,
                                key=f"rca_review_participants_{suffix}", help="Internal: one name per line.")
    slots["participants"] = st.empty()
    cols = st.columns(3)
    impact = {}
    for col, name in zip(cols, ("customers_affected", "impact_minutes", "tickets")):
        impact[name] = col.number_input(FIELD_LABELS[name], min_value=0, value=getattr(content, name), step=1,
                                        key=f"rca_review_{name}_{suffix}")
        slots[name] = col.empty()
    st.subheader("Timeline")
    st.caption("Prefilled from the incident's status changes, notifications and investigation steps. Customers "
               f"see the time and event of the lines ticked 'customer', never who or the note. Times in {db.timezone}.")
    timeline = st.data_editor(
        timeline_frame(content.timeline, db.timezone), num_rows="dynamic", hide_index=True, width="stretch",
        key=f"rca_review_timeline_{suffix}",
        column_config={"occurred_at": st.column_config.DatetimeColumn("Time", format="YYYY-MM-DD HH:mm", step=60),
                       "event": st.column_config.TextColumn("Event", width="large", max_chars=300),
                       "customer_visible": st.column_config.CheckboxColumn("Shown to customers"),
                       "who": st.column_config.TextColumn("Who (internal)"),
                       "internal_note": st.column_config.TextColumn("Note (internal)")})
    slots["timeline"] = st.empty()
    st.subheader("Analysis")
    texts = {}
    for name, help_text in TEXTS:
        texts[name] = st.text_area(FIELD_LABELS[name], getattr(content, name), help=help_text,
                                   key=f"rca_review_{name}_{suffix}")
        slots[name] = st.empty()
    st.subheader("Root causes")
    cause_values = []
    for k in range(int(causes_count)):
        cause = content.root_causes[k] if k < len(content.root_causes) else None
        left, middle = st.columns(2)
        category = left.selectbox(f"Category of cause {k + 1}", categories, key=f"rca_review_category_{k}_{suffix}",
                                  index=categories.index(cause.category) if cause and cause.category in categories
                                  else None, placeholder="Choose a category")
        platform = middle.selectbox(f"Platform of cause {k + 1}", platforms, key=f"rca_review_platform_{k}_{suffix}",
                                    index=platforms.index(cause.platform) if cause and cause.platform in platforms
                                    else None, placeholder="Choose a platform")
        description = st.text_area(f"Cause {k + 1}", cause.description if cause else "", height=80,
                                   key=f"rca_review_cause_{k}_{suffix}", help="Customer-facing.")
        cause_values.append((category, platform, description))
    slots["root_causes"] = st.empty()
    st.subheader("Action plan against recurrence")
    st.caption("Owners are internal; customers see the action, its due date and status.")
    actions = st.data_editor(
        actions_frame(review.actions), num_rows="dynamic", hide_index=True, width="stretch",
        key=f"rca_review_actions_{suffix}",
        column_config={"id": st.column_config.NumberColumn("#", disabled=True),
                       "description": st.column_config.TextColumn("Action", width="large", max_chars=500),
                       "owner": st.column_config.TextColumn("Owner (internal)"),
                       "due_date": st.column_config.DateColumn("Due", format="YYYY-MM-DD"),
                       "status": code_choices("Status", "action_status", ACTION_STATUSES, default="open")})
    slots["action_items"] = st.empty()
    left, right = st.columns(2)
    save = left.form_submit_button("Save draft", icon=":material/save:", key="rca_review_save")
    submit = right.form_submit_button("Save and send for review", type="primary", icon=":material/send:",
                                      key="rca_review_submit")

if save or submit:
    edited = ReviewContent(
        participants=participants_from_text(participants), **texts, **impact,
        root_causes=root_causes_from_widgets(cause_values), timeline=timeline_from_frame(timeline))
    saved = None
    try:
        saved = rca.save_draft(db, actor=actor, incident_id=incident_id, content=edited,
                               actions=actions_from_frame(actions), expected_edits=review.meta.get("edits"),
                               now=datetime.now(UTC))
        if submit:
            rca.submit_for_review(db, actor=actor, incident_id=incident_id, expected_edits=saved.edits)
    except ValidationError as exc:
        for field, message in exc.errors.items():
            slots.get(field, st).error(literal(message), icon=":material/error:")
        if saved:
            clear_rca_caches()
            st.error("The draft was saved, but it cannot be sent for review yet: "
                     f"{plural(len(exc.errors), 'field')} to correct (see above).")
        else:
            st.error(f"Nothing was saved: {plural(len(exc.errors), 'field')} to correct (see above).")
    except (PermissionDenied, RuleRefused) as exc:
        st.error(literal(exc))
    else:
        flash(f"Revision {saved.revision} sent for review." if submit else f"Draft of revision {saved.revision} saved.")
if review.revision:
    show_follow_up(db, review, actor)
