"""Tests of login lockouts (``analytics/logins``)."""
