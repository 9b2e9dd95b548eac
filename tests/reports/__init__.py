"""Tests of the monthly report (``analytics/reports``)."""
