"""Tests of sign-in, roles and the role checks of every write (``analytics/access``)."""
