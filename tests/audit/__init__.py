"""Tests of the audit log (``analytics/audit``)."""
