"""Tests of ticket imports (``analytics/imports``)."""
