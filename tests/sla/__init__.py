"""Tests of SLA engine, page and command (``analytics/sla``)."""
