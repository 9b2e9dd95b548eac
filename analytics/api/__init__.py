"""The HTTP API: tokens an administrator issues, and the figures other tools read (metrics, JSON)."""
