"""Tests of major incidents (``analytics/incidents``)."""
