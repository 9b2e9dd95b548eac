"""Vigie's analytics: the data layer, the SLA engine, the domain services and the command line.

Nothing in this package imports Streamlit: every function here is usable from
pytest and from ``python -m analytics``.
"""
