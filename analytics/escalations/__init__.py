"""Escalations (DOMAIN.md section 3): the chain, raising and acknowledging, and the trends."""
