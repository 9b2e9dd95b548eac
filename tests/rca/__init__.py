"""Tests of post-incident reviews and RCA (``analytics/rca``)."""
