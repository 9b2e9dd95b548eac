"""Contracts on the Settings page (AppTest, on the demo): the demo's Premium contract and its companies are
listed on first run; an admin adds a Platinum contract on the 24/7 calendar, tightens a target, puts a
company under it from a day; the SLA page then filters and breaks down by contract. A refused write says
why in words and writes nothing."""
from __future__ import annotations

import json
from datetime import date

from streamlit.testing.v1 import AppTest

from tests.factories import as_shown
from tests.settings.test_settings_page import AUTH, ROOT, app_db, button, read, settings_page  # noqa: F401  (fixture)


def breakdown(at):
    """The SLA page's breakdown table (the only one with a contract column)."""
    return next(d.value for d in at.dataframe if "contract" in d.value.columns)


def test_an_admin_adds_a_contract_and_the_sla_page_breaks_down_by_it(app_db):  # noqa: F811
    at = settings_page()
    assert not any(s.key == "sla_contract" for s in at.multiselect)
    companies = read(app_db, "SELECT count(*) FROM companies")[0][0]
    demo_premium = "24/7 support; severity 1 and 2 answered and resolved in half Standard's time"
    listed = next(d for d in at.dataframe if "companies" in d.value.columns and "contract" in d.value.columns)
    assert [tuple(r) for r in listed.value.itertuples(index=False)] == [  # the demo's: 4 of its 12 companies
        ("Standard", "The default contract: the SLA targets table", companies - 4), ("Premium", demo_premium, 4)]
    at.text_input(key="settings_contract_name").set_value("Platinum")
    at.text_input(key="settings_contract_description").set_value("24/7, faster")
    at.selectbox(key="settings_contract_calendar").set_value(1)      # the 24/7 calendar
    button(at, "Add contract").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.success[0].value == "Contract Platinum added with Standard's targets; change them below."
    listed = next(d for d in at.dataframe if "companies" in d.value.columns and "contract" in d.value.columns)
    labels = {name: c["label"] for name, c in json.loads(listed.proto.columns).items() if name != "_index"}
    assert labels == {"contract": "Contract", "description": "Description", "companies": "Companies"}
    assert [tuple(r) for r in listed.value.itertuples(index=False)] == [  # Standard first, then by name
        ("Standard", "The default contract: the SLA targets table", companies - 4), ("Platinum", "24/7, faster", 0),
        ("Premium", demo_premium, 4)]
    platinum = read(app_db, "SELECT id FROM contracts WHERE name = 'Platinum'")[0][0]
    assert read(app_db, "SELECT DISTINCT calendar_id FROM contract_targets WHERE contract_id = ?", [platinum]) == [(1,)]

    at.selectbox(key="settings_contract_picked").set_value(platinum).run()
    at.selectbox(key=f"settings_contract_target_{platinum}").set_value("Severity 1 · response").run()
    at.number_input(key=f"settings_contract_value_{platinum}_1_response").set_value(15.0)
    at.selectbox(key=f"settings_contract_unit_{platinum}_1_response").set_value("minutes")
    button(at, "Save the contract's target").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.success[0].value == "Platinum: severity 1 response now 15 minutes."
    assert read(app_db, "SELECT target_value, target_unit FROM contract_targets WHERE contract_id = ? AND severity = 1 "
                        "AND measure = 'response'", [platinum]) == [(15.0, "minutes")]

    company_id, company = read(app_db, "SELECT id, name FROM companies ORDER BY name LIMIT 1")[0]
    at.selectbox(key="settings_company_contract_company").set_value(company_id)
    at.selectbox(key="settings_company_contract_contract").set_value(platinum)
    at.date_input(key="settings_company_contract_from").set_value(date(2020, 1, 1))
    button(at, "Save the company's contract").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert as_shown(at.success[0].value) == f"{company}: under Platinum from 01 Jan 2020; the SLA figures are recomputed."
    assert read(app_db, "SELECT action, entity FROM audit_log WHERE actor = 'ada@example.com' ORDER BY id") == [
        ("create", "contract"), ("change", "contract_target"), ("assign", "company_contract")]

    sla = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120)
    sla.secrets["auth"] = AUTH
    sla.user = {"is_logged_in": True, "email": "ada@example.com", "groups": ["vigie-admins"]}
    sla.run()
    sla.switch_page("pages/sla.py").run()
    assert not sla.exception, [e.value for e in sla.exception]
    assert sla.multiselect(key="sla_contract").options == ["Standard", "Platinum", "Premium"]
    sla.radio(key="sla_breakdown_by").set_value("contract").run()
    assert not sla.exception, [e.value for e in sla.exception]
    assert set(breakdown(sla)["contract"]) == {"Standard", "Platinum", "Premium"}
    sla.multiselect(key="sla_contract").select(platinum).run()
    assert not sla.exception, [e.value for e in sla.exception]
    assert set(breakdown(sla)["contract"]) == {"Platinum"}


def test_a_refused_contract_says_why_and_writes_nothing(app_db):  # noqa: F811
    at = settings_page()
    at.text_input(key="settings_contract_name").set_value("standard")
    button(at, "Add contract").click().run()
    assert [as_shown(e.value) for e in at.error] == ["A contract named “standard” already exists."]
    assert read(app_db, "SELECT count(*) FROM contracts") == [(2,)]  # the demo's Standard and Premium, no other
    assert read(app_db, "SELECT count(*) FROM audit_log WHERE entity LIKE '%contract%'") == [(0,)]
