"""The incident rules with their exact messages and bounds (no database), written to kill the mutants
mutmut left alive in ``analytics/incidents/rules.py`` (README "Tests", scripts/mutation.py): every
message of a declaration and of a customer communication, and each limit at and one past its bound."""
from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from analytics.incidents.rules import (
    DESCRIPTION_MAX,
    MESSAGE_MAX,
    NAME_MAX,
    TITLE_MAX,
    TITLE_MIN,
    IncidentDraft,
    validate_communication,
    validate_draft,
)

NOW = datetime(2026, 11, 20, 12, tzinfo=UTC)
START = NOW - timedelta(hours=2)
GOOD = IncidentDraft(title="Messages delayed", severity=1, security_breach=False, platforms=("Messaging",),
                     company_ids=(1, 2), all_customers=False, started_at=START, detected_at=START,
                     impact_defined_at=START, description="Outgoing messages wait an hour.", commander="Claire",
                     notification_lead="Julie", investigation_lead="Pierre")


def draft_errors(**change) -> dict[str, str]:
    return validate_draft(replace(GOOD, **change), now=NOW, severities={1, 2, 3, 4})


def test_an_empty_draft_gets_one_message_per_field():
    empty = IncidentDraft("", None, False, (), (), False, None, None, None, "", "", "", "")
    assert validate_draft(empty, now=NOW, severities={1, 2}) == {
        "title": "Give the incident a title.",
        "severity": "Choose a severity.",
        "platforms": "Pick at least one impacted platform or service.",
        "customers": "Pick the impacted customers, or tick 'All customers'.",
        "started_at": "Say when the disruption started.",
        "detected_at": "Say when the disruption was detected.",
        "impact_defined_at": "Say when the impact was defined.",
        "description": "Describe the incident: what customers see and what is affected.",
        "commander": "Name the incident commander.",
        "notification_lead": "Name who leads the customer notifications.",
        "investigation_lead": "Name who leads the investigation and resolution.",
    }


@pytest.mark.parametrize("change, errors", [
    ({}, {}),
    ({"title": "x" * TITLE_MIN}, {}),
    ({"title": "x" * (TITLE_MIN - 1)}, {"title": f"The title needs at least {TITLE_MIN} characters."}),
    ({"title": "x" * TITLE_MAX}, {}),
    ({"title": "x" * (TITLE_MAX + 1)},
     {"title": f"The title may have at most {TITLE_MAX} characters (it has {TITLE_MAX + 1})."}),
    ({"severity": 5}, {"severity": "Severity 5 is not defined."}),
    ({"company_ids": (1,)}, {"customers": "A major incident impacts several customers: pick at least two, "
                                          "tick 'All customers', or flag a security breach."}),
    ({"company_ids": (1,), "security_breach": True}, {}),
    ({"company_ids": (), "all_customers": True}, {}),
    ({"company_ids": (1,), "all_customers": True}, {}),
    ({"description": "x" * DESCRIPTION_MAX}, {}),
    ({"description": "x" * (DESCRIPTION_MAX + 1)},
     {"description": f"The description may have at most {DESCRIPTION_MAX} characters."}),
    ({"commander": "x" * NAME_MAX, "notification_lead": "x" * NAME_MAX, "investigation_lead": "x" * NAME_MAX}, {}),
    ({"commander": "x" * (NAME_MAX + 1)}, {"commander": f"Incident commander may have at most {NAME_MAX} characters."}),
    ({"notification_lead": "x" * (NAME_MAX + 1)},
     {"notification_lead": f"Notification lead may have at most {NAME_MAX} characters."}),
    ({"investigation_lead": "x" * (NAME_MAX + 1)},
     {"investigation_lead": f"Investigation lead may have at most {NAME_MAX} characters."}),
    ({"started_at": NOW, "detected_at": NOW, "impact_defined_at": NOW}, {}),
    ({"started_at": NOW + timedelta(seconds=1)}, {"started_at": "Started at cannot be in the future."}),
    ({"detected_at": NOW + timedelta(seconds=1), "impact_defined_at": NOW + timedelta(seconds=1)},
     {"detected_at": "Detected at cannot be in the future.",
      "impact_defined_at": "Impact defined at cannot be in the future."}),
    ({"detected_at": START - timedelta(seconds=1)},
     {"detected_at": "Detection cannot come before the start of the disruption."}),
    ({"impact_defined_at": START - timedelta(seconds=1)},
     {"impact_defined_at": "The impact cannot be defined before the disruption was detected."}),
    ({"started_at": None, "detected_at": START - timedelta(hours=1)},
     {"started_at": "Say when the disruption started."}),
    ({"detected_at": None, "impact_defined_at": START - timedelta(hours=1)},
     {"detected_at": "Say when the disruption was detected."}),
    # a missing impact time is only asked for, never compared with the detection
    ({"impact_defined_at": None}, {"impact_defined_at": "Say when the impact was defined."}),
])
def test_draft_messages_and_bounds(change, errors):
    assert draft_errors(**change) == errors


def test_a_draft_is_normalized_to_stripped_text_unique_lists_and_utc():
    raw = replace(GOOD, title="  Messages delayed ", description=" Slow \n", commander=" Claire ",
                  notification_lead=" Julie", investigation_lead="Pierre  ", platforms=(" API ", "API", "", "  ", "Web"),
                  company_ids=("2", 1, 2), started_at=datetime(2026, 11, 20, 10, 0), detected_at=None,
                  impact_defined_at=datetime(2026, 7, 1, 10, 0))
    assert raw.normalized("Europe/Paris") == replace(
        GOOD, title="Messages delayed", description="Slow", commander="Claire", notification_lead="Julie",
        investigation_lead="Pierre", platforms=("API", "Web"), company_ids=(2, 1),
        started_at=datetime(2026, 11, 20, 9, 0, tzinfo=UTC), detected_at=None,
        impact_defined_at=datetime(2026, 7, 1, 8, 0, tzinfo=UTC))


def communication(**change) -> dict[str, str]:
    values = {"sent_at": START + timedelta(minutes=20), "sent_by": "Julie", "company_ids": (1,),
              "all_customers": False, "message": "We are on it.", "next_update_due": START + timedelta(minutes=80),
              "detected_at": START, "now": NOW}
    values.update(change)
    return validate_communication(**values)


@pytest.mark.parametrize("change, errors", [
    ({}, {}),
    ({"sent_at": None, "next_update_due": None}, {"sent_at": "Say when it was sent."}),
    ({"sent_at": None}, {"sent_at": "Say when it was sent."}),
    ({"sent_at": NOW}, {"next_update_due": "The next update must be due after this one was sent."}),
    ({"sent_at": NOW, "next_update_due": None}, {}),
    ({"sent_at": NOW + timedelta(seconds=1), "next_update_due": None},
     {"sent_at": "It cannot have been sent in the future."}),
    ({"sent_at": START}, {}),
    ({"sent_at": START - timedelta(seconds=1)},
     {"sent_at": "It cannot have been sent before the disruption was detected."}),
    ({"sent_by": ""}, {"sent_by": "Name who sent it."}),
    ({"company_ids": ()}, {"recipients": "Pick the customers it went to, or tick 'All impacted customers'."}),
    ({"company_ids": (), "all_customers": True}, {}),
    ({"message": ""}, {"message": "Paste the text that was sent."}),
    ({"message": "x" * MESSAGE_MAX}, {}),
    ({"message": "x" * (MESSAGE_MAX + 1)}, {"message": f"The text may have at most {MESSAGE_MAX} characters."}),
    ({"next_update_due": START + timedelta(minutes=20)},
     {"next_update_due": "The next update must be due after this one was sent."}),
    ({"next_update_due": START + timedelta(minutes=20, seconds=1)}, {}),
])
def test_communication_messages_and_bounds(change, errors):
    assert communication(**change) == errors


def test_missing_texts_become_empty_and_every_time_is_read_in_the_deployment_zone():
    raw = replace(GOOD, title=None, description=None, commander=None, notification_lead=None, investigation_lead=None,
                  started_at=datetime(2026, 11, 20, 10, 0), detected_at=datetime(2026, 11, 20, 10, 5),
                  impact_defined_at=datetime(2026, 11, 20, 10, 10))
    assert raw.normalized("Europe/Paris") == replace(
        GOOD, title="", description="", commander="", notification_lead="", investigation_lead="",
        started_at=datetime(2026, 11, 20, 9, 0, tzinfo=UTC), detected_at=datetime(2026, 11, 20, 9, 5, tzinfo=UTC),
        impact_defined_at=datetime(2026, 11, 20, 9, 10, tzinfo=UTC))
