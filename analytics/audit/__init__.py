"""The audit log: every change made through Vigie, who made it, when, with the values before and after."""
