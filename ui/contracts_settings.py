"""Contracts per customer on the Settings page (admins): the contracts, their targets, who is under which.

A new contract starts with Standard's targets (optionally all on one calendar, e.g. 24/7); each target
is then changed on its own; a company is put under a contract from a day on (its tickets opened from
then on are measured against that contract's targets). Every write is checked, audited and starts a
new version of the SLA rules (``analytics/sla/contracts.py``); a refusal says what to fix.
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo

import streamlit as st

from analytics.kernel.roles import Actor, PermissionDenied
from analytics.settings.rules import SettingError
from analytics.settings.service import calendar_choices
from analytics.sla.contracts import (
    UNITS,
    ContractError,
    assign_contract,
    assignments_table,
    change_contract_target,
    contract_choices,
    contracts_table,
    create_contract,
    remove_assignment,
    targets_of,
)
from analytics.store.database import Database
from analytics.store.errors import DatabaseError
from ui.tables import show_table
from ui.text import literal

UNIT_LABELS = {"minutes": "minutes", "hours": "hours (24/7 clock)", "business_days": "business days"}
REFUSED = (ContractError, SettingError, PermissionDenied, DatabaseError)


def contracts_section(db: Database, actor: Actor, saved: Callable[[str], None]) -> None:
    """The contracts with their targets, the forms to add one and change a target, and the companies' contracts."""
    st.subheader("Contracts")
    show_table(contracts_table(db), key="settings_contracts", tz=db.timezone)
    st.caption("A ticket is measured against the targets of the contract its company was under when it was opened; "
               "a company without a contract is under Standard, whose targets are the SLA targets above.")
    contracts = contract_choices(db)
    calendars = calendar_choices(db)
    _new_contract(db, actor, saved, calendars)
    if len(contracts) > 1:
        _targets(db, actor, saved, contracts, calendars)
    _assignments(db, actor, saved, contracts)


def _new_contract(db: Database, actor: Actor, saved: Callable[[str], None], calendars: dict[int, str]) -> None:
    with st.form("settings_contract_new"):
        st.markdown("**Add a contract**")
        cols = st.columns([2, 3, 2])
        name = cols[0].text_input("Name", key="settings_contract_name", placeholder="e.g. Premium")
        description = cols[1].text_input("Description", key="settings_contract_description")
        options = [None, *calendars]
        calendar_id = cols[2].selectbox("Calendar of its targets", options, key="settings_contract_calendar",
                                        format_func=lambda i: "as Standard's targets" if i is None else calendars[i])
        submitted = st.form_submit_button("Add contract")
    if not submitted:
        return
    try:
        create_contract(db, actor=actor, name=name, description=description, calendar_id=calendar_id)
    except REFUSED as exc:
        st.error(literal(exc), icon=":material/error:")
        return
    saved(f"Contract {name.strip()} added with Standard's targets; change them below.")


def _targets(db: Database, actor: Actor, saved: Callable[[str], None], contracts: dict[int, str],
             calendars: dict[int, str]) -> None:
    picked = st.selectbox("Targets of the contract", list(contracts), format_func=contracts.get,
                          key="settings_contract_picked")
    targets = targets_of(db, picked)
    show_table(targets, key=f"settings_contract_targets_{picked}", tz=db.timezone)
    labels = {f"Severity {r.severity} · {r.measure}": r for r in targets.itertuples()}
    row = labels[st.selectbox("Target", list(labels), key=f"settings_contract_target_{picked}")]
    calendar_ids = {name: i for i, name in calendars.items()}
    key = f"{picked}_{row.severity}_{row.measure}"
    with st.form(f"settings_contract_target_form_{key}"):
        cols = st.columns(3)
        value = cols[0].number_input("Target", value=float(row.target_value), min_value=0.0, step=0.5, format="%g",
                                     key=f"settings_contract_value_{key}")
        unit = cols[1].selectbox("Unit", UNITS, index=UNITS.index(row.target_unit), format_func=UNIT_LABELS.get,
                                 key=f"settings_contract_unit_{key}")
        calendar_id = cols[2].selectbox("Calendar", list(calendars), format_func=calendars.get,
                                        index=list(calendars).index(calendar_ids[row.calendar_name]),
                                        key=f"settings_contract_target_calendar_{key}")
        submitted = st.form_submit_button("Save the contract's target", type="primary")
    if not submitted:
        return
    try:
        change_contract_target(db, actor=actor, contract_id=picked, severity=int(row.severity), measure=row.measure,
                               target_value=float(value), target_unit=unit, calendar_id=int(calendar_id))
    except REFUSED as exc:
        st.error(literal(exc), icon=":material/error:")
        return
    saved(f"{contracts[picked]}: severity {row.severity} {row.measure} now {value:g} {UNIT_LABELS[unit]}.")


def _assignments(db: Database, actor: Actor, saved: Callable[[str], None], contracts: dict[int, str]) -> None:
    assigned = assignments_table(db)
    if len(assigned):
        show_table(assigned, key="settings_company_contracts", tz=db.timezone)
    companies = dict(db.rows("SELECT id, name FROM companies ORDER BY name"))
    if not companies:
        st.caption("No company yet: import tickets first, then put companies under a contract.")
        return
    with st.form("settings_company_contract_form"):
        st.markdown("**Put a company under a contract**")
        cols = st.columns([3, 2, 2, 2])
        company_id = cols[0].selectbox("Company", list(companies), format_func=companies.get,
                                       key="settings_company_contract_company")
        contract_id = cols[1].selectbox("Contract", list(contracts), format_func=contracts.get,
                                        key="settings_company_contract_contract")
        starts_on = cols[2].date_input("From", value=datetime.now(ZoneInfo(db.timezone)).date(),
                                       key="settings_company_contract_from",
                                       help="Tickets opened from this day on are measured under the contract")
        remove = cols[3].checkbox("Withdraw the contract starting that day", key="settings_company_contract_remove")
        submitted = st.form_submit_button("Save the company's contract")
    if not submitted:
        return
    try:
        if remove:
            remove_assignment(db, actor=actor, company_id=company_id, starts_on=starts_on)
        else:
            assign_contract(db, actor=actor, company_id=company_id, contract_id=contract_id, starts_on=starts_on)
    except REFUSED as exc:
        st.error(literal(exc), icon=":material/error:")
        return
    what = "withdrawn" if remove else f"under {contracts[contract_id]}"
    saved(f"{companies[company_id]}: {what} from {starts_on:%d %b %Y}; the SLA figures are recomputed.")
