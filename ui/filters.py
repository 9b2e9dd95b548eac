"""The ticket filters shared by pages: period, severity, company, contract (when any besides Standard exists),
channel, team."""
from __future__ import annotations

from datetime import date, timedelta

import streamlit as st

from analytics.kernel.periods import Period
from analytics.sla.filters import TicketFilter
from analytics.store.database import Database

CHANNEL_LABELS = {"phone": "Phone", "email": "E-mail", "portal": "Portal", "voicemail": "Voicemail",
                  "remote_session": "Remote session"}


@st.cache_data(ttl=300, show_spinner=False)
def _choices(_db: Database, path: str) -> tuple[dict[str, int], list[str], dict[int, str]]:
    companies = dict(_db.rows("SELECT name, id FROM companies ORDER BY name"))
    teams = [r[0] for r in _db.rows("SELECT DISTINCT team FROM tickets WHERE team IS NOT NULL ORDER BY 1")]
    contracts = dict(_db.rows("SELECT id, name FROM contracts ORDER BY id <> 1, name"))
    return companies, teams, contracts if len(contracts) > 1 else {}


def default_period(today: date) -> tuple[date, date]:
    """The last three complete months and the current one."""
    first = today.replace(day=1)
    for _ in range(3):
        first = (first - timedelta(days=1)).replace(day=1)
    return first, today + timedelta(days=1)


def ticket_filters(db: Database, prefix: str, today: date) -> tuple[Period, TicketFilter]:
    """Draw the filter row and return the period and the ticket filter chosen."""
    companies, teams, contracts = _choices(db, str(db.path))
    cols = st.columns([2, 1, 2, 2, 2, 2] if contracts else [2, 1, 2, 2, 2])
    picked = cols[0].date_input("Period", value=default_period(today), key=f"{prefix}_period",
                                help="Decisions (met or breached) are counted in the period they were decided.")
    if isinstance(picked, (list, tuple)) and len(picked) == 2:
        start, end = picked[0], picked[1] + timedelta(days=1)
    else:
        start, end = default_period(today)
        st.caption("Pick both ends of the period; showing the default period meanwhile.")
    severities = cols[1].multiselect("Severity", [1, 2, 3, 4], key=f"{prefix}_severity")
    names = cols[2].multiselect("Company", list(companies), key=f"{prefix}_company")
    channels = cols[3].multiselect("Channel", list(CHANNEL_LABELS), format_func=CHANNEL_LABELS.get,
                                   key=f"{prefix}_channel")
    chosen_teams = cols[4].multiselect("Team", teams, key=f"{prefix}_team")
    chosen_contracts = cols[5].multiselect("Contract", list(contracts), format_func=contracts.get,
                                           key=f"{prefix}_contract",
                                           help="The contract the company was under when the ticket was opened"
                                           ) if contracts else []
    flt = TicketFilter(severities=tuple(severities), company_ids=tuple(companies[n] for n in names),
                       contract_ids=tuple(chosen_contracts), channels=tuple(channels), teams=tuple(chosen_teams))
    return Period(start, end, db.timezone), flt
