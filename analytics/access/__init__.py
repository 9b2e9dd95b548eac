"""Signing in: how an identity provider's claims become a Vigie actor, and when the local single-user mode may run."""
