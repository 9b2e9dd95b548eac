"""Login lockouts: the support load of the login policy, who it hits, slow unlocks, zones, suspected attacks."""
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pandas as pd
import streamlit as st

from analytics.kernel.periods import Period
from analytics.logins import stats, support
from analytics.logins.charts import (
    daily_figure,
    depth_figure,
    phone_hours_figure,
    release_company_figure,
    release_figure,
    return_figure,
    tickets_figure,
    zone_figure,
)
from analytics.logins.rules import load_policy
from ui.filters import default_period
from ui.formats import hours, share
from ui.labels import plural
from ui.session import get_database
from ui.tables import show_table
from ui.text import literal


@st.cache_data(ttl=60, show_spinner="Counting login events…")
def load_figures(_db, path, flt, policy, top):
    attacks = stats.suspected_attacks(_db, flt, policy)
    lockouts = stats.lockout_rows(_db, flt, policy, attacks)
    return {"overview": stats.overview(_db, flt, policy, lockouts), "daily": stats.daily_counts(_db, flt),
            "depth": stats.failure_depth(_db, flt, policy), "attacks": attacks,
            "company": stats.by_company(_db, flt, policy, lockouts),
            "users": stats.by_user(_db, flt, policy, limit=top, lockouts=lockouts),
            "release": support.release_distribution(_db, flt, policy, lockouts),
            "release_company": support.release_by_company(_db, flt, policy, lockouts),
            "phone": support.phone_hours_by_company(_db, flt, policy, lockouts),
            "tickets": support.login_tickets_weekly(_db, flt),
            "inactivity": support.inactivity_by_zone(_db, flt, policy),
            "returns": support.return_distribution(_db, flt, policy)}


@st.cache_data(ttl=300, show_spinner=False)
def load_companies(_db, path):
    return stats.company_choices(_db)


def table(frame: pd.DataFrame, key: str, file_name: str) -> None:
    show_table(frame, key=key, tz=db.timezone, csv=file_name)


db = get_database()
path = str(db.path)
today = datetime.now(UTC).astimezone(ZoneInfo(db.timezone)).date()
st.title("Login lockouts")
try:
    policy = load_policy(db)
except ValueError as exc:
    st.error(f"The login policy settings are invalid: {literal(exc)}")
    st.stop()
st.caption(f"**Policy in force.** {policy.describe()}")  # validated values, code-formatted by describe()

companies = load_companies(db, path)
cols = st.columns([2, 3, 1])
picked = cols[0].date_input("Period", value=default_period(today), key="lockouts_period")
if isinstance(picked, (list, tuple)) and len(picked) == 2:
    start, end = picked[0], picked[1] + timedelta(days=1)
else:
    start, end = default_period(today)
    st.caption("Pick both ends of the period; showing the default period meanwhile.")
names = cols[1].multiselect("Company", list(companies), key="lockouts_company")
top = cols[2].number_input("Top users", min_value=5, max_value=200, value=20, step=5, key="lockouts_top")
flt = stats.LoginFilter(Period(start, end, db.timezone), tuple(companies[n] for n in names))

if not stats.has_login_events(db):
    st.info("No login events yet. Import them with `python -m analytics import logins FILE` "
            "(columns occurred_at, user_id, company, ip, outcome, actor).")
    st.stop()

loaded = load_figures(db, path, flt, policy, int(top))
o = loaded["overview"]
cols = st.columns(3) + st.columns(3)  # two rows of three: each label whole at 1280 px
cols[0].metric("Lockouts", f"{o['lockouts']:,}",
               help=f"{o['ordinary_lockouts']:,} ordinary, {o['attack_lockouts']:,} during suspected attacks; "
                    f"{o['users_locked']:,} users; {o['still_locked']:,} still locked")
cols[1].metric("Failed logins", f"{o['failures']:,}")
cols[2].metric("Unlocks / regen.", f"{o['unlocks']:,} / {o['regenerations']:,}",
               help="Unlocks and password regenerations, done by the customer's administrator.")
cols[3].metric("Median time to unlock", hours(o["median_release_h"]),
               help="From lockout to the administrator's unlock or password regeneration (ordinary lockouts).")
cols[4].metric("Outside trusted zone", share(o["outside_zone"], o["lockouts"]),
               help=f"Lockouts from an address outside the trusted zone: {o['outside_zone']:,} of {o['lockouts']:,}")
cols[5].metric("Outside phone hours", share(o["off_hours"], o["lockouts"]),
               help=f"Lockouts outside phone-support hours ({literal(policy.phone_hours_calendar)}), when nobody could "
                    f"help: {o['off_hours']:,} of {o['lockouts']:,}")
st.caption(f"{o['login_tickets']:,} login-related support tickets opened in the period "
           f"({', '.join(stats.LOGIN_TICKET_CATEGORIES)}).")

left, right = st.columns([3, 2])
with left:
    st.subheader("Per day")
    st.plotly_chart(daily_figure(loaded["daily"], policy), width="stretch", key="lockouts_daily_chart")
with right:
    st.subheader("How far runs of failures go")
    st.plotly_chart(depth_figure(loaded["depth"], policy), width="stretch", key="lockouts_depth_chart")

tabs = st.tabs(["By company", "By user", "Time to unlock", "Suspected attacks", "Inactivity logouts",
                "Support tickets", "Outside phone hours"])
with tabs[0]:
    st.write("Lockouts per company, with how long their administrators took to release them.")
    table(loaded["company"], "lockouts_by_company", "lockouts-by-company.csv")
with tabs[1]:
    st.write(f"The {int(top)} users most often locked out.")
    table(loaded["users"], "lockouts_by_user", "lockouts-by-user.csv")
with tabs[2]:
    st.plotly_chart(release_figure(loaded["release"]), width="stretch", key="lockouts_release_chart")
    st.write("Per company (ordinary lockouts), slowest median first: slow administrators show up at the top.")
    st.plotly_chart(release_company_figure(loaded["release_company"]), width="stretch",
                    key="lockouts_release_company_chart")
    table(loaded["release_company"], "lockouts_release_company", "time-to-unlock-by-company.csv")
with tabs[3]:
    attacks = loaded["attacks"]
    st.write(f"{plural(len(attacks), 'suspected attack')}, kept apart from ordinary lockouts: an address from which at "
             f"least {policy.attack_accounts_per_ip} accounts failed in a day without logging in from it, or an "
             f"account with at least {policy.attack_fast_failures} failures in a day faster than the delay "
             f"policy allows.")
    table(attacks, "lockouts_attacks", "suspected-attacks.csv")
with tabs[4]:
    st.write(f"Timeouts in force: {policy.inactivity_minutes_inside:g} min inside the trusted zone, "
             f"{policy.inactivity_minutes_outside:g} min outside. Users back within minutes of a logout were "
             "still working: a high share suggests the timeout is too short.")
    z1, z2 = st.columns(2)
    z1.plotly_chart(zone_figure(loaded["inactivity"]), width="stretch", key="lockouts_zone_chart")
    z2.plotly_chart(return_figure(loaded["returns"]), width="stretch", key="lockouts_return_chart")
    table(loaded["inactivity"], "lockouts_inactivity", "inactivity-logouts-by-zone.csv")
with tabs[5]:
    st.write("Login-related support tickets beside the lockouts and regenerations, per week.")
    st.plotly_chart(tickets_figure(loaded["tickets"]), width="stretch", key="lockouts_tickets_chart")
    table(loaded["tickets"], "lockouts_tickets", "login-tickets-weekly.csv")
with tabs[6]:
    st.write(f"Ordinary lockouts outside phone-support hours ({literal(policy.phone_hours_calendar)}), when nobody "
             "could help the user, and how long those users waited for their administrator.")
    st.plotly_chart(phone_hours_figure(loaded["phone"]), width="stretch", key="lockouts_phone_chart")
    table(loaded["phone"], "lockouts_phone_hours", "lockouts-outside-phone-hours.csv")
