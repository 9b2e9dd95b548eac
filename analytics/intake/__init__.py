"""Incoming requests (DOMAIN.md section 1): tickets as they arrive, and the demo tickets every other domain builds on."""
