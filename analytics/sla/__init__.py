"""The SLA engine (DOMAIN.md section 2): business calendars, measures per ticket, compliance and the clock in words."""
