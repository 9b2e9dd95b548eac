"""The demo escalations: every level of the chain, breached tickets behind most SLA escalations,
repeat customers, a handful still open and some unacknowledged past the threshold."""
from __future__ import annotations

from datetime import date

import pytest

from analytics.domains import open_store
from analytics.escalations.demo import DEMO_OWNERS
from analytics.escalations.stats import depth_distribution, open_escalations, repeat_customers, sla_cross_check
from analytics.kernel.periods import Period
from analytics.settings.queries import get_setting
from tests.conftest import DEMO_NOW

WHOLE = Period(date(2025, 1, 1), date(2027, 1, 1))


@pytest.fixture(scope="module")
def demo(demo_db_path):
    database = open_store(demo_db_path)
    yield database
    database.close()


def test_every_level_is_reached_and_references_are_unique(demo):
    depth = depth_distribution(demo, WHOLE)
    assert list(depth["depth"]) == [1, 2, 3, 4, 5]
    assert (depth["escalations"] > 0).all() and depth["escalations"].is_monotonic_decreasing
    total = demo.scalar("SELECT count(*) FROM escalations")
    assert 120 <= total <= 220  # about nine a month over 18 months
    assert demo.scalar("SELECT count(DISTINCT reference) FROM escalations") == total
    assert demo.scalar("SELECT count(*) FROM escalations WHERE NOT regexp_matches(reference, '^ESC-20\\d\\d-\\d{4}$')") == 0
    # the row's state agrees with its events: current level = highest level reached
    assert demo.scalar("SELECT count(*) FROM escalations e JOIN (SELECT escalation_id, max(to_level) AS top "
                       "FROM escalation_events GROUP BY 1) d ON d.escalation_id = e.id WHERE d.top <> e.level") == 0


def test_a_handful_open_some_flagged(demo):
    frame = open_escalations(demo, now=DEMO_NOW)
    assert 5 <= len(frame) <= 15
    assert frame["level"].nunique() >= 3
    assert 1 <= int(frame["flagged"].sum()) < len(frame)


def test_most_sla_escalations_are_on_tickets_the_engine_shows_breached(demo):
    checked = sla_cross_check(demo, WHOLE, as_of=DEMO_NOW)
    coded = checked[checked["coded_sla_breach"]]
    assert len(coded) >= 0.35 * len(checked)
    assert coded["engine_breached"].mean() >= 0.85
    assert checked["ticket"].notna().mean() >= 0.7


def test_some_customers_escalate_again_and_again(demo):
    repeat = repeat_customers(demo, WHOLE, threshold=15)
    assert len(repeat) >= 3
    assert (repeat["months"] >= 6).all()


def test_owners_are_fictional_and_the_contacts_setting_is_left_alone(demo):
    assert get_setting(demo, "escalation.contacts") == {}
    assert demo.scalar("SELECT count(*) FROM settings WHERE name LIKE 'escalation.%'") == 0
    owners = dict(demo.rows("SELECT level, list(DISTINCT owner) FROM escalations WHERE level > 1 GROUP BY 1"))
    assert {level: set(names) for level, names in owners.items()} == {
        level: {DEMO_OWNERS[level - 2]} for level in range(2, 6)}


def test_some_customers_escalate_during_a_major_incident(demo):
    linked = demo.query("""
        SELECT e.reference, e.raised_at >= i.impact_defined_at AS after_impact,
               EXISTS (SELECT 1 FROM incident_impacted_companies c
                       WHERE c.incident_id = i.id AND c.company_id = e.company_id) AS impacted
        FROM escalations e JOIN incidents i ON i.id = e.incident_id""")
    assert len(linked) >= 3
    assert linked["after_impact"].all() and linked["impacted"].all()
