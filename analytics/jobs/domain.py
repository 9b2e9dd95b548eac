"""The jobs domain: no page of its own; its workers are started by the server's lifespan (``server.py``)."""
from analytics.kernel.registry import Domain

DOMAIN = Domain(name="jobs")
