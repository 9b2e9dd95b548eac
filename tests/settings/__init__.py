"""Tests of settings (``analytics/settings``)."""
