"""Tests of the store: DuckDB file and shared PostgreSQL (``analytics/store``)."""
