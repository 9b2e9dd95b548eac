"""Settings (admin): every setting with its value in force, default and help; change one; the SLA targets,
calendars, contracts, API tokens, mail and jobs."""
import streamlit as st

from analytics.kernel.roles import PermissionDenied
from analytics.settings.queries import get_setting
from analytics.settings.rules import BY_NAME, SettingError
from analytics.settings.service import (
    TARGET_UNITS,
    calendar_choices,
    change_setting,
    change_sla_target,
    display_value,
    parse_setting_input,
    reset_setting,
    settings_table,
    sla_targets_table,
)
from analytics.store.errors import DatabaseError
from ui import api_tokens_settings, calendars_settings, contracts_settings, jobs_settings, notices_settings
from ui.columns import SETTINGS
from ui.session import current_actor, get_database
from ui.tables import show_table
from ui.text import literal

FLASH_KEY = "settings_flash"
UNIT_LABELS = {"minutes": "minutes", "hours": "hours (24/7 clock)", "business_days": "business days"}


@st.cache_data(ttl=60, show_spinner=False)
def load_settings(_db, path):
    return settings_table(_db)


@st.cache_data(ttl=60, show_spinner=False)
def load_targets(_db, path):
    return sla_targets_table(_db)


def saved(message: str) -> None:
    """After a write: drop every cached figure (targets and thresholds change them), show the news."""
    st.cache_data.clear()
    st.session_state[FLASH_KEY] = message
    st.rerun()


def value_widget(name: str, current):
    """The input fitting the setting's type; lists and objects are typed as JSON."""
    default, key = BY_NAME[name].default, f"settings_value_{name}"
    if isinstance(default, bool):
        return st.toggle("Value", value=bool(current), key=key)
    if isinstance(default, int):
        return st.number_input("Value", value=int(current), step=1, key=key)
    if isinstance(default, float):
        return st.number_input("Value", value=float(current), step=0.05, format="%.2f", key=key)
    if isinstance(default, str):
        return st.text_input("Value", value=current, key=key)
    return st.text_area("Value (JSON)", value=display_value(current), key=key, height=120)


db = get_database()
actor = current_actor()
st.title("Settings")
if not actor.has_any("admin"):
    st.error(f"Only an admin may see and change the settings; you are signed in as {literal(actor.label)}.")
    st.stop()
if FLASH_KEY in st.session_state:
    st.success(literal(st.session_state.pop(FLASH_KEY)), icon=":material/check:")

table = load_settings(db, str(db.path))
st.caption(f"{len(table)} settings; {int(table['overridden'].sum())} changed from their default. "
           "Every change is checked, takes effect at once and is recorded in the audit log.")
show_table(table[["name", "value", "default", "allowed", "help", "overridden", "updated_at", "updated_by"]],
           key="settings_table", tz=db.timezone, columns=SETTINGS)

st.subheader("Change a setting")
name = st.selectbox("Setting", list(BY_NAME), key="settings_name")
allowed = BY_NAME[name].range_text()
st.caption(f"{BY_NAME[name].help} Default: `{display_value(BY_NAME[name].default)}`."
           + (f" Allowed: {allowed}." if allowed else ""))
with st.form("settings_change_form"):
    raw = value_widget(name, get_setting(db, name))
    save_col, reset_col = st.columns(2)
    save = save_col.form_submit_button("Save", type="primary")
    reset = reset_col.form_submit_button("Reset to default")
if save or reset:
    try:
        if reset:
            change = reset_setting(db, actor=current_actor(), name=name)
        else:
            value = parse_setting_input(name, raw) if isinstance(raw, str) else raw
            change = change_setting(db, actor=current_actor(), name=name, value=value)
    except (PermissionDenied, SettingError, DatabaseError) as exc:
        st.error(literal(exc), icon=":material/error:")
    else:
        if change.changed:
            saved(f"{name}: {display_value(change.before)} → {display_value(change.after)}")
        st.info(f"{name} already has that value; nothing was changed.")

st.subheader("SLA targets")
targets = load_targets(db, str(db.path))
show_table(targets.drop(columns=["calendar_id"]), key="settings_targets", tz=db.timezone)
st.caption("Figures are computed on read: a changed target re-evaluates every ticket, past ones included.")
labels = {f"Severity {r.severity} · {r.measure}": r for r in targets.itertuples()}
picked = labels[st.selectbox("Target", list(labels), key="settings_target")]
calendars = calendar_choices(db)
with st.form("settings_target_form"):
    cols = st.columns(3)
    key = f"{picked.severity}_{picked.measure}"
    target_value = cols[0].number_input("Target", value=float(picked.target_value), min_value=0.0, step=0.5,
                                        format="%g", key=f"settings_target_value_{key}")
    unit = cols[1].selectbox("Unit", TARGET_UNITS, index=TARGET_UNITS.index(picked.target_unit),
                             format_func=UNIT_LABELS.get, key=f"settings_target_unit_{key}")
    calendar_id = cols[2].selectbox("Calendar", list(calendars), index=list(calendars).index(picked.calendar_id),
                                    format_func=calendars.get, key=f"settings_target_calendar_{key}")
    save_target = st.form_submit_button("Save target", type="primary")
if save_target:
    try:
        change = change_sla_target(db, actor=current_actor(), severity=int(picked.severity), measure=picked.measure,
                                   target_value=float(target_value), target_unit=unit, calendar_id=int(calendar_id))
    except (PermissionDenied, SettingError, DatabaseError) as exc:
        st.error(literal(exc), icon=":material/error:")
    else:
        if change.changed:
            saved(f"SLA target severity {picked.severity} {picked.measure}: "
                  f"{display_value(change.before)} → {display_value(change.after)}")
        st.info("That target already has these values; nothing was changed.")

calendars_settings.calendars_section(db, actor, saved)
contracts_settings.contracts_section(db, actor, saved)
api_tokens_settings.tokens_section(db, actor, saved)
notices_settings.test_send(db, actor)
jobs_settings.jobs_section(db)
