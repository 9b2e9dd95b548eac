"""Setting values checked with their exact messages, written to kill the mutants mutmut left alive in
``analytics/settings/rules.py`` (README "Tests", scripts/mutation.py): notice templates, the monthly
report's recipients, the type each value keeps, and how a refused value is shown."""
from __future__ import annotations

import re

import pytest

from analytics.settings.rules import BY_NAME, SettingError, check_value

TEMPLATE = "notices.template_notification"
TEMPLATE_MESSAGE = f'{TEMPLATE} must be {{"subject": "...", "body": "..."}} with both texts given'


def test_a_template_with_both_texts_is_kept_as_given():
    value = {"subject": "[{reference}] Down", "body": "Dear {customer}"}
    assert check_value(TEMPLATE, value) == value
    assert check_value("notices.template_resolution", value) == value


@pytest.mark.parametrize("value", [
    {"subject": "S"},                                   # no body
    {"subject": "S", "body": "B", "footer": "F"},       # a key too many
    {"subject": " ", "body": "B"},                      # a blank text
    {"subject": "S", "body": ""},
    {"subject": "S", "body": 3},                        # not a text
])
def test_a_template_without_both_texts_is_refused(value):
    with pytest.raises(SettingError, match="^" + re.escape(TEMPLATE_MESSAGE) + "$"):
        check_value(TEMPLATE, value)


def test_a_template_must_be_an_object():
    with pytest.raises(SettingError, match=f"^{TEMPLATE} must be a dict$"):
        check_value(TEMPLATE, "Subject and body")


def test_recipients_are_plain_addresses_kept_once_in_order():
    assert check_value("reports.monthly_recipients", ["b@x.test", "a@x.test", "b@x.test", "a@x.test", "c@x.test"]) == [
        "b@x.test", "a@x.test", "c@x.test"]
    assert check_value("reports.monthly_recipients", []) == []
    with pytest.raises(SettingError, match=re.escape(
            "reports.monthly_recipients must be plain e-mail addresses (name@domain); 'Ann <ann@x.test>' is not") + "$"):
        check_value("reports.monthly_recipients", ["ok@x.test", "Ann <ann@x.test>"])


@pytest.mark.parametrize("name, value, kept", [
    ("sla.next_to_breach_hours", 4.0, 4), ("sla.next_to_breach_hours", 2.5, 2.5), ("sla.next_to_breach_hours", 4, 4),
    ("lockout.threshold", 7.0, 7), ("sla.at_risk_share", 1, 1.0), ("lockout.delay_growth", 3, 3.0),
])
def test_numbers_keep_the_type_of_their_default(name, value, kept):
    result = check_value(name, value)
    assert result == kept and type(result) is type(kept)


def test_a_refused_value_is_shown_short():
    long = "x" * 41
    with pytest.raises(SettingError, match=re.escape(f"lockout.threshold must be a whole number from 1 to 100; "
                                                     f"{repr(long)[:37]}... is not") + "$"):
        check_value("lockout.threshold", long)
    with pytest.raises(SettingError, match=re.escape("sla.at_risk_share must be a number from 0.05 to 1; 1.5 is not") + "$"):
        check_value("sla.at_risk_share", 1.5)
    with pytest.raises(SettingError, match=re.escape("lockout.threshold must be a whole number from 1 to 100; "
                                                     "[1] is not") + "$"):
        check_value("lockout.threshold", [1])


def test_ranges_in_words():
    assert BY_NAME["lockout.threshold"].range_text() == "a whole number from 1 to 100"
    assert BY_NAME["sla.next_to_breach_hours"].range_text() == "a number from 0.25 to 240"
    assert BY_NAME["escalation.chain"].range_text() == ""
    assert BY_NAME["auth.allow_public_local_mode"].numeric is False


@pytest.mark.parametrize("length, shown", [(38, repr("x" * 38)), (39, repr("x" * 39)[:37] + "...")])
def test_a_refused_value_of_40_characters_is_shown_whole_and_one_of_41_cut(length, shown):
    assert len(repr("x" * length)) == length + 2
    with pytest.raises(SettingError, match="; " + re.escape(shown) + " is not$"):
        check_value("lockout.threshold", "x" * length)


CONTACTS = "escalation.contacts"


def test_contacts_with_plain_addresses_or_a_name_only_are_kept_as_given():
    value = {"Level 2": {"name": "Ana", "phone": "+33 1 23", "email": "  ana@x.test "},
             "Level 3": {"name": "Bo"},            # no e-mail: no reminder for that level
             "Level 4": "Chris"}                    # a name only, as text
    assert check_value(CONTACTS, value) == value


@pytest.mark.parametrize("email, shown", [("ana at x.test", "'ana at x.test'"), ("a@x.test, b@x.test", "'a@x.test, b@x.test'"),
                                          (42, "42")])
def test_a_contact_whose_e_mail_is_not_one_plain_address_is_refused_in_words(email, shown):
    message = f"{CONTACTS}: the e-mail of 'Level 2' must be one plain address (name@domain); {shown} is not"
    with pytest.raises(SettingError, match="^" + re.escape(message) + "$"):
        check_value(CONTACTS, {"Level 1": {"name": "Ana", "email": "ana@x.test"}, "Level 2": {"email": email}})
