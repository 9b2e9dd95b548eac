"""Tests of incoming requests (``analytics/intake``)."""
