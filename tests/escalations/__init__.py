"""Tests of escalations (``analytics/escalations``)."""
