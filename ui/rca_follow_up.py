"""The parts of the review page after the draft: review and publication, the documents, revisions,
action-item progress and customers' requests. Every write goes through ``analytics.rca.service`` /
``analytics.rca.tracking`` (role-checked and audited there); this module only draws and maps errors.
"""
from __future__ import annotations

from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

import pandas as pd
import streamlit as st

from analytics.kernel.errors import RuleRefused, ValidationError
from analytics.kernel.roles import Actor, PermissionDenied
from analytics.notices import rca_copy
from analytics.notices.delivery import deliver
from analytics.rca import service as rca
from analytics.rca import tracking as rca_tracking
from analytics.rca.queries import Review, customer_requests, impacted_companies
from analytics.rca.rules import ACTION_STATUS_LABELS, ACTION_STATUSES, STATUS_LABELS
from analytics.store.database import Database
from ui.notices import provider
from ui.rca_data import clear_rca_caches, internal_markdown, load_customer_markdown, load_customer_pdf
from ui.tables import code_choices, show_table
from ui.text import literal

ERRORS = (PermissionDenied, RuleRefused)


def flash(message: str) -> None:
    """Show ``message`` after the rerun that a write triggers."""
    st.session_state["rca_review_flash"] = message
    clear_rca_caches()
    st.rerun()


def _run(write, success: str, **kwargs) -> None:
    try:
        write(**kwargs)
    except ValidationError as exc:
        st.error(literal(" ".join(exc.errors.values())))
    except ERRORS as exc:
        st.error(literal(exc))
    else:
        flash(success)


def show_follow_up(db: Database, review: Review, actor: Actor) -> None:
    """Everything below the form (or instead of it once the revision left draft)."""
    incident_id, status = int(review.incident["id"]), review.meta["status"]
    if status == "in_review":
        _review_controls(db, review, actor)
    elif status == "published":
        _revise_control(db, review, actor)
    _documents(db, review)
    if status != "draft" and not review.actions.empty:
        _action_progress(db, review, actor)
    _requests(db, incident_id, actor, published=not review.revisions[review.revisions["status"] == "published"].empty)


def _review_controls(db: Database, review: Review, actor: Actor) -> None:
    incident_id = int(review.incident["id"])
    st.info(f"Revision {review.revision} is in review: read it below, then publish it (it is then frozen) or send "
            "it back to draft to change it.", icon=":material/rate_review:")
    left, right = st.columns(2)
    if left.button("Publish this revision", type="primary", icon=":material/verified:", key="rca_review_publish"):
        _run(rca.publish, f"Revision {review.revision} published: it is frozen from now on.", db=db, actor=actor,
             incident_id=incident_id, now=datetime.now(UTC))
    note = right.text_input("Why send it back? (optional)", key="rca_review_back_note")
    if right.button("Send back to draft", icon=":material/undo:", key="rca_review_back"):
        _run(rca.return_to_draft, f"Revision {review.revision} is a draft again.", db=db, actor=actor,
             incident_id=incident_id, note=note)


def _revise_control(db: Database, review: Review, actor: Actor) -> None:
    st.info(f"Revision {review.revision} is published and frozen. To change it, start a new revision: this one "
            "stays readable and is what customers receive until the new one is published.",
            icon=":material/lock:")
    with st.form("rca_review_revise_form"):
        reason = st.text_input("Reason for the new revision", key="rca_review_revise_reason")
        if st.form_submit_button("Start a new revision", icon=":material/edit_note:"):
            _run(rca.revise, "New revision started as a draft.", db=db, actor=actor,
                 incident_id=int(review.incident["id"]), reason=reason)


def _documents(db: Database, review: Review) -> None:
    st.subheader("Documents")
    incident_id, path, ref = int(review.incident["id"]), str(db.path), review.incident["reference"]
    published = review.revisions[(review.revisions["status"] == "published") & review.revisions["superseded_at"].isna()]
    if published.empty:
        st.caption("The version for customers can be downloaded once a revision is published.")
    else:
        revision = int(published["revision"].iloc[0])
        st.write(f"Version for customers (revision {revision}): no staff names, no internal notes.")
        left, right = st.columns(2)
        left.download_button("Customer PDF", lambda: load_customer_pdf(db, path, incident_id, revision),
                             file_name=f"RCA-{ref}-r{revision}-customer.pdf", mime="application/pdf",
                             key="rca_review_pdf", type="primary", icon=":material/picture_as_pdf:")
        right.download_button("Customer Markdown", lambda: load_customer_markdown(db, path, incident_id, revision),
                              file_name=f"RCA-{ref}-r{revision}-customer.md", mime="text/markdown",
                              key="rca_review_md", icon=":material/description:")
    choices = review.revisions["revision"].astype(int).tolist()
    shown = st.selectbox("Read a revision (internal version)", choices, index=len(choices) - 1,
                         format_func=lambda r: f"revision {r}: " + STATUS_LABELS[
                             review.revisions.set_index("revision").loc[r, "status"]], key="rca_review_read")
    text = internal_markdown(db, incident_id, int(shown))
    st.download_button("Internal Markdown", text, file_name=f"RCA-{ref}-r{shown}-internal.md", mime="text/markdown",
                       key="rca_review_internal_md", icon=":material/description:")
    with st.expander(f"Revision {shown} (internal version)"):
        st.markdown(text)


def _action_progress(db: Database, review: Review, actor: Actor) -> None:
    st.subheader("Action items: progress")
    st.caption("Progress is tracked even once the RCA is published; the published document keeps the plan as it "
               "was at publication.")
    frame = review.actions[["id", "description", "owner", "due_date", "status", "completed_at"]].copy()
    frame["completed_at"] = pd.to_datetime(frame["completed_at"]).dt.tz_convert(db.timezone).dt.date
    edited = st.data_editor(frame, hide_index=True, width="stretch", key="rca_review_progress",
                            disabled=["id", "description", "owner", "due_date"],
                            column_config={"id": st.column_config.NumberColumn("#"),
                                           "description": st.column_config.TextColumn("Action"),
                                           "owner": st.column_config.TextColumn("Owner"),
                                           "due_date": st.column_config.DateColumn("Due", format="YYYY-MM-DD"),
                                           "status": code_choices("Status", "action_status", ACTION_STATUSES),
                                           "completed_at": st.column_config.DateColumn("Completed on",
                                                                                       format="YYYY-MM-DD")})
    if st.button("Save progress", key="rca_review_progress_save", icon=":material/task_alt:"):
        zone = ZoneInfo(db.timezone)
        for before, after in zip(frame.itertuples(), edited.itertuples()):
            if (before.status, before.completed_at) == (after.status, after.completed_at):
                continue
            done_on = None if after.completed_at is None or pd.isna(after.completed_at) else \
                datetime.combine(after.completed_at, time(12), zone)
            try:
                rca_tracking.update_action_item(db, actor=actor, item_id=int(after.id), status=after.status,
                                                completed_at=min(done_on, datetime.now(UTC)) if done_on
                                                else None)
            except ValidationError as exc:
                st.error(f"Action #{after.id}: " + literal(" ".join(exc.errors.values())))
                return
            except ERRORS as exc:
                st.error(literal(exc))
                return
        flash("Progress of the action items saved.")
    st.caption(" · ".join(ACTION_STATUS_LABELS.values()))


def _requests(db: Database, incident_id: int, actor: Actor, *, published: bool) -> None:
    st.subheader("Customers' requests for this RCA")
    requests = customer_requests(db, incident_id=incident_id)
    states = rca_copy.copy_states(db, incident_id=incident_id)
    requests["email_copy"] = [states.get(int(i)) for i in requests["id"]]
    show_table(requests, key="rca_review_requests", tz=db.timezone)
    pending = requests[requests["delivered_at"].isna()]
    if published and not pending.empty:
        chosen = st.selectbox("Request", pending["id"].tolist(), key="rca_review_deliver_pick",
                              format_func=lambda i: f"#{i} from {pending.set_index('id').loc[i, 'company']}")
        _send_copy(db, int(chosen), actor)
        if st.button("Mark as delivered now (sent elsewhere)", key="rca_review_deliver", icon=":material/done:"):
            _run(rca_tracking.mark_delivered, "Delivery recorded.", db=db, actor=actor, request_id=int(chosen))
    companies = impacted_companies(db, incident_id=incident_id)
    with st.form("rca_review_request_form"):
        left, right = st.columns(2)
        company = left.selectbox("Customer", list(companies), key="rca_review_request_company", index=None)
        contact = right.text_input("Who asked (customer's contact)", key="rca_review_request_contact")
        if st.form_submit_button("Record a request", icon=":material/add:"):
            if company is None:
                st.error("Choose the customer who asked.")
            else:
                _run(rca_tracking.record_request, "Request recorded.", db=db, actor=actor, incident_id=incident_id,
                     company_id=companies[company], requested_by=contact)



def _send_copy(db: Database, request_id: int, actor: Actor) -> None:
    """Send the customer PDF of the published revision by e-mail, when a mail provider is configured."""
    config, reason = provider()
    if config is None:
        st.caption(literal(reason))
        return
    facts = rca_copy.request_facts(db, request_id)
    proposed = ", ".join(rca_copy.company_addresses(db, facts["company_id"]))
    with st.form(f"rca_review_copy_form_{request_id}"):
        to = st.text_input(f"Send the customer PDF to (asked by {literal(facts['requested_by'])})", value=proposed,
                           key=f"rca_review_copy_to_{request_id}", help="Addresses separated by commas; proposed: "
                           "the customer's contacts, administrators first")
        if st.form_submit_button("Send the RCA by e-mail", icon=":material/outgoing_mail:", type="primary"):
            recipients = [a.strip() for a in to.split(",") if a.strip()]
            revision = int(facts["revision"])

            def cached(_db: Database, incident_id: int, rev: int) -> tuple[str, bytes]:
                return f"RCA-{facts['reference']}-r{rev}-customer.pdf", load_customer_pdf(
                    _db, str(_db.path), incident_id, rev)
            try:
                rca_copy.queue_rca_copy(db, actor=actor, request_id=request_id, recipients=recipients, render=cached)
            except ValidationError as exc:
                st.error(literal(" ".join(exc.errors.values())))
            except ERRORS as exc:
                st.error(literal(exc))
            else:
                run = deliver(db, config=config)
                flash(literal(f"RCA revision {revision} queued for {', '.join(recipients)}. Delivery via "
                              f"{config.host}: {run.line()}."))
