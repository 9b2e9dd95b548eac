"""The mail provider on the Settings page (admins): which one is in force, and a test message.

*Send a test message* queues one message to the address given (the admin's own by default) and
runs one delivery, then says what the server answered; the message is in the outbox like any
other. Without a provider it says that nothing is sent. Logic is in ``analytics.notices``.
"""
from __future__ import annotations

from uuid import uuid4

import streamlit as st

from analytics.kernel.errors import RuleRefused, ValidationError
from analytics.kernel.roles import Actor, PermissionDenied
from analytics.notices import service as notices
from analytics.notices.delivery import deliver
from analytics.notices.queries import message_delivery
from analytics.store.database import Database
from ui.notices import provider
from ui.text import literal

RESULT_KEY = "settings_smtp_result"


def test_send(db: Database, actor: Actor) -> None:
    """The provider in force and the test-message form."""
    st.subheader("Mail provider")
    config, reason = provider()
    if config is None:
        st.info(reason, icon=":material/mail_off:")
        return
    st.caption(f"Messages leave through {literal(config.describe())} ([smtp] in .streamlit/secrets.toml).")
    generation = st.session_state.setdefault("settings_smtp_generation", 0)
    with st.form("settings_smtp_form"):
        to = st.text_input("Send a test message to", value=actor.email, key=f"settings_smtp_to_{generation}")
        if st.form_submit_button("Send a test message"):
            try:
                message_id = notices.queue_test_message(
                    db, actor=actor, to=to,
                    token=st.session_state.setdefault(f"settings_smtp_token_{generation}", uuid4().hex))
            except ValidationError as exc:
                for message in exc.errors.values():
                    st.error(literal(message), icon=":material/error:")
            except (PermissionDenied, RuleRefused) as exc:
                st.error(literal(exc), icon=":material/block:")
            else:
                deliver(db, config=config)
                st.session_state[RESULT_KEY] = f"Test message to {to}: {message_delivery(db, message_id=message_id)}"
                st.session_state["settings_smtp_generation"] = generation + 1
                st.rerun()
    result = st.session_state.pop(RESULT_KEY, None)
    if result:
        (st.success if "accepted by the server" in result else st.warning)(literal(result))
